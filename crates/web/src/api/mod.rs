//! bbn's JSON APIs, each under its own prefix, answering errors in its own
//! JSON shape rather than with the site's HTML error pages: bbn's own (`v1`,
//! described by an OpenAPI document) and one compatible with Ghost's Content
//! API (`ghost`).

pub mod ghost;
pub mod v1;
