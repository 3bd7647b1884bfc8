//! What can go wrong in reading an export, each with where it happened.

use std::convert::Infallible;
use std::io;

/// Why an export could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E = Infallible> {
    #[error("cannot read the export: {0}")]
    Io(#[source] io::Error),
    /// Not well-formed XML: a mismatched or unclosed tag, a file cut short,
    /// something after the root element, a file that is not XML at all.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: u64,
        column: u64,
        message: String,
    },
    /// Well-formed XML, but not a WordPress export: the root is not `<rss>`,
    /// there is no `<channel>`, or nothing in it comes from WordPress.
    #[error("line {line}, column {column}: not a WordPress export: {message}")]
    NotWxr {
        line: u64,
        column: u64,
        message: String,
    },
    /// The closure given to [`read`](crate::read()) failed; reading stopped there.
    #[error("{0}")]
    Sink(E),
}

impl ReadError {
    /// The same error, from a reader whose sink fails with `E`.
    pub fn widen<E>(self) -> ReadError<E> {
        match self {
            ReadError::Io(e) => ReadError::Io(e),
            ReadError::Syntax {
                line,
                column,
                message,
            } => ReadError::Syntax {
                line,
                column,
                message,
            },
            ReadError::NotWxr {
                line,
                column,
                message,
            } => ReadError::NotWxr {
                line,
                column,
                message,
            },
            ReadError::Sink(never) => match never {},
        }
    }
}
