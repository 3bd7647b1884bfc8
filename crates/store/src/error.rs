//! The store's one error type; `web` turns it into pages and status codes.

use bbn_core::ValidationError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value (slug, email…) is taken already.
    #[error("{field} is already in use")]
    Conflict { field: &'static str },
    #[error("invalid input")]
    Invalid(Vec<ValidationError>),
    #[error(
        "the database schema is version {found}, newer than this bbn understands ({supported}); run a newer bbn"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Turns unique-constraint violations into `Conflict` naming the field that clashed.
pub(crate) trait OnConflict<T> {
    fn on_conflict(self, field: &'static str) -> Result<T, StoreError>;
}

impl<T> OnConflict<T> for Result<T, sqlx::Error> {
    fn on_conflict(self, field: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict { field },
            _ => StoreError::Database(e),
        })
    }
}

/// Turns foreign-key violations (an unknown section, author, topic…) into `Invalid`.
pub(crate) trait OnMissingReference<T> {
    fn on_missing_reference(self, field: &'static str) -> Result<T, StoreError>;
}

impl<T> OnMissingReference<T> for Result<T, sqlx::Error> {
    fn on_missing_reference(self, field: &'static str) -> Result<T, StoreError> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Invalid(vec![ValidationError::new(field, "This does not exist.")])
            }
            _ => StoreError::Database(e),
        })
    }
}
