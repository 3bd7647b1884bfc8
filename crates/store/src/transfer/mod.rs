//! The whole site as one JSON document, and back: `bbn export` and
//! `bbn import json`. docs/export-format.md describes the format.
//!
//! Export reads one consistent snapshot in batches and writes record by
//! record, so its memory does not grow with the site. Import parses on a
//! thread of its own, one record at a time, and hands records over a
//! bounded channel to the writer, which inserts them in batches inside one
//! transaction: a file that turns out bad halfway changes nothing.

mod export;
mod import;
mod parse;
mod schema;
mod spec;

pub use spec::{FORMAT_NAME, FORMAT_VERSION};

use crate::StoreError;
use thiserror::Error;

/// How many records of each kind an export wrote or an import read, in the
/// file's order: by key, and an article's parts by their table's name
/// ("article_authors", "article_revisions", …), since "authors" and
/// "topics" name both a top-level array and a part.
pub type Counts = Vec<(&'static str, u64)>;

#[derive(Debug, Error)]
pub enum TransferError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not valid JSON, or not an export of this shape; the
    /// position is where the reader stopped.
    #[error("line {line}, column {column}: {message}")]
    File {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the file is export format version {found}, newer than this bbn reads (up to {supported}); import it with a newer bbn"
    )]
    TooNew { found: i64, supported: i64 },
    #[error(
        "this site is not empty (it has {0}); bbn import json only fills a new site: point --data-dir or --database-url at an empty one"
    )]
    NotEmpty(String),
    #[error(
        "the database does not match the export format of this bbn ({0}); run the bbn that made this database"
    )]
    Schema(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransferError {
    fn from(e: sqlx::Error) -> TransferError {
        TransferError::Store(StoreError::Database(e))
    }
}
