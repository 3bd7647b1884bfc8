//! Request extractors shared by handlers.

pub mod pagination;
