//! bbn's JSON APIs, each under its own prefix, answering errors in its own
//! JSON shape rather than with the site's HTML error pages.

pub mod ghost;
