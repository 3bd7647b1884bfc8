//! WordPress exports (WXR 1.0 to 1.2, from Tools → Export) read as a stream
//! of records, and WordPress post bodies turned into HTML that bbn can store.
//!
//! - [`read`] / [`Reader`]: the export, one record at a time.
//! - [`body::convert`]: a post body with its shortcodes, block comments and
//!   missing paragraphs made into plain HTML.
//! - [`date`]: WordPress's and RSS's ways of writing time.
//! - `generate` (feature `generate`): large, realistic exports for tests and
//!   benchmarks.
//!
//! This crate knows nothing of bbn's store; the importer maps what it reads.

pub mod body;
pub mod date;
#[cfg(feature = "generate")]
pub mod generate;
mod model;
mod read;

pub use model::*;
pub use read::{Position, ReadError, Reader, read};
