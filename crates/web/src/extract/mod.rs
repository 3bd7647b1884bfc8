//! Request extractors shared by handlers.

pub mod client;
pub mod csrf;
pub mod form;
pub mod pagination;
pub mod session;
