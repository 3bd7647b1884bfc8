//! What `bbn backup` asks of the database while the site keeps serving: a
//! transactionally consistent copy (SQLite's `VACUUM INTO`) or one held
//! moment that `pg_dump` can dump (an exported PostgreSQL snapshot), and what
//! that moment holds, so the backup's manifest describes the copy itself
//! rather than the live site a moment later.

use crate::{Result, Store, StoreError, with_pool};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::future::Future;
use std::path::Path;

/// What one moment of a site holds, as a backup's manifest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SiteCounts {
    pub schema_version: i64,
    pub articles: i64,
    pub comments: i64,
    pub media: i64,
}

/// Counts inside the caller's transaction or on a connection.
macro_rules! counts_on {
    ($conn:expr) => {{
        let (schema_version, articles, comments, media): (Option<i64>, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT MAX(version) FROM schema_migrations), (SELECT COUNT(*) FROM articles),
                    (SELECT COUNT(*) FROM comments), (SELECT COUNT(*) FROM media)",
        )
        .fetch_one(&mut *$conn)
        .await?;
        SiteCounts {
            schema_version: schema_version.unwrap_or(0),
            articles,
            comments,
            media,
        }
    }};
}

fn wrong_backend(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Configuration(
        format!("{what} is for the other backend").into(),
    ))
}

impl Store {
    /// The schema version the database is at (0 before the first migration).
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_optional(p).await?.flatten()
        });
        Ok(v.unwrap_or(0))
    }

    /// SQLite: writes a copy of the database to the new file `target` with
    /// `VACUUM INTO` — one read transaction, so the copy is consistent even
    /// while the site writes — and returns what the copy holds (read from
    /// the copy, opened read-only and without locks).
    #[tracing::instrument(skip_all)]
    pub async fn copy_sqlite_into(&self, target: &Path) -> Result<SiteCounts> {
        let Some(p) = self.pool.sqlite() else {
            return Err(wrong_backend("VACUUM INTO"));
        };
        let path = target.to_str().ok_or_else(|| {
            StoreError::Database(sqlx::Error::Configuration(
                "the backup folder's path is not UTF-8".into(),
            ))
        })?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
        let options = SqliteConnectOptions::new()
            .filename(target)
            .read_only(true)
            .immutable(true);
        let mut copy = SqliteConnection::connect_with(&options).await?;
        let counts = counts_on!(&mut copy);
        copy.close().await?;
        Ok(counts)
    }

    /// PostgreSQL: holds one repeatable-read snapshot open while `dump` runs
    /// with its name (for `pg_dump --snapshot`), and returns `dump`'s result
    /// with what that snapshot holds. Writers carry on meanwhile.
    #[tracing::instrument(skip_all)]
    pub async fn during_exported_snapshot<T, F, Fut>(&self, dump: F) -> Result<(T, SiteCounts)>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = T>,
    {
        let Some(p) = self.pool.postgres() else {
            return Err(wrong_backend("an exported snapshot"));
        };
        let mut tx = p
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?;
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        let counts = counts_on!(tx);
        let out = dump(snapshot).await;
        tx.rollback().await?;
        Ok((out, counts))
    }

    /// What the database holds now (for a restored site's report).
    pub async fn site_counts(&self) -> Result<SiteCounts> {
        Ok(with_pool!(&self.pool, p => {
            let mut conn = p.acquire().await?;
            counts_on!(conn)
        }))
    }
}
