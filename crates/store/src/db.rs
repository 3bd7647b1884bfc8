//! The two connection pools and the one place that tells them apart.
//!
//! `with_pool!` runs the same block against whichever pool the store has;
//! the block is compiled once per backend, so every query is type-checked
//! for both without being written twice.

use crate::{CONNECT_TIMEOUT, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[macro_export]
#[doc(hidden)]
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

pub(crate) async fn connect(url: &str) -> Result<Pool> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await?;
        Ok(Pool::Postgres(pool))
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        open_sqlite(Path::new(path)).await
    } else {
        Err(sqlx::Error::Configuration(
            format!("unsupported database URL (use postgres://… or sqlite://PATH): {url}").into(),
        )
        .into())
    }
}

pub(crate) async fn open_sqlite(path: &Path) -> Result<Pool> {
    sqlite_pool(sqlite_options(path), 8).await
}

async fn sqlite_pool(options: SqliteConnectOptions, connections: u32) -> Result<Pool> {
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(options)
        .await?;
    Ok(Pool::Sqlite(pool))
}

/// One connection for loading a large amount of data at once: a page cache
/// of `cache_mb` (so index inserts stay in memory as the file grows past
/// gigabytes) and commits that wait for the WAL write only, not its fsync.
/// A power cut during a load loses the load's last transactions, never
/// the file.
pub(crate) async fn open_sqlite_for_loading(path: &Path, cache_mb: u32) -> Result<Pool> {
    let options = sqlite_options(path)
        .synchronous(SqliteSynchronous::Normal)
        .pragma("cache_size", format!("-{}", u64::from(cache_mb) * 1024));
    sqlite_pool(options, 1).await
}

fn sqlite_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a write acknowledged to a reader survives a power cut, not only a crash.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", "-32000")
        .pragma("temp_store", "memory")
}

/// Bound parameters per multi-row statement. SQLite finds a numbered
/// parameter by a linear search (and sqlx asks it for each one), so a
/// statement costs the square of its parameters; a few hundred keep that
/// small while still saving PostgreSQL almost every round trip.
const PARAMS_PER_STATEMENT: usize = 256;

/// How many rows of `columns` parameters one multi-row statement takes.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (PARAMS_PER_STATEMENT / columns).max(1)
}

/// `n` numbered bind placeholders from `$from` on, comma-separated: the
/// inside of an `IN (…)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `head` followed by `rows` groups of `columns` numbered placeholders, each
/// group ending with `tail` (constant columns).
pub(crate) fn values_sql(head: &str, columns: usize, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + rows * columns * 5);
    sql.push_str(head);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * columns + c + 1));
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}
