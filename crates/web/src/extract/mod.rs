//! Request extractors shared by handlers.

pub mod csrf;
pub mod pagination;
pub mod session;
