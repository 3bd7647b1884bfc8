//! How the site reaches readers who are not on it: feeds (RSS, Atom, JSON
//! Feed), sitemaps for search engines and news aggregators, robots.txt.
//! Everything here is made from the database alone, with validators from
//! the change log (`conditional`).

mod conditional;
pub mod feeds;
pub mod robots;
pub mod sitemaps;
mod xml;
