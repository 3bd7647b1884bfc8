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

impl Pool {
    pub(crate) fn backend(&self) -> crate::Backend {
        match self {
            Pool::Sqlite(_) => crate::Backend::Sqlite,
            Pool::Postgres(_) => crate::Backend::Postgres,
        }
    }

    /// A transaction that owns its connection, for a write that spans
    /// several calls (an `ImportSession`).
    pub(crate) async fn begin_owned(&self) -> Result<Tx> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// The SQLite pool, for what only SQLite does (`VACUUM INTO`).
    pub(crate) fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for what only PostgreSQL does (exported
    /// snapshots, advisory locks).
    pub(crate) fn postgres(&self) -> Option<&PgPool> {
        match self {
            Pool::Sqlite(_) => None,
            Pool::Postgres(p) => Some(p),
        }
    }
}

/// A transaction of either backend, held across calls.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// `with_pool!` for a `Tx`.
#[macro_export]
#[doc(hidden)]
macro_rules! with_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($t) => $body,
            $crate::db::Tx::Postgres($t) => $body,
        }
    };
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

/// How many times one write transaction is tried before its error is
/// returned (the first try included).
pub(crate) const WRITE_ATTEMPTS: u32 = 5;

/// Whether the database refused a transaction for a reason that passes, so
/// running the same transaction again may succeed: a serialization failure
/// or a deadlock (SQLSTATE 40001, 40P01: PostgreSQL at SERIALIZABLE, and
/// every PostgreSQL-compatible distributed engine, ask clients to retry
/// them), or SQLite's database busy or locked past the busy timeout.
pub(crate) fn passes(e: &crate::StoreError) -> bool {
    let crate::StoreError::Database(sqlx::Error::Database(db)) = e else {
        return false;
    };
    matches!(
        db.code().as_deref(),
        // 40001, 40P01: PostgreSQL. 5, 6 and their extended codes 261, 517,
        // 262: SQLite's BUSY (RECOVERY, SNAPSHOT) and LOCKED (SHAREDCACHE).
        Some("40001" | "40P01" | "5" | "261" | "517" | "6" | "262")
    )
}

/// The pause before try `attempt + 1`: 10, 20, 40, 80 ms, with up to as
/// much again at random, so transactions that collided do not collide again.
pub(crate) fn pause_after(attempt: u32) -> Duration {
    let base = 10u64 << attempt.saturating_sub(1).min(6);
    Duration::from_millis(base + rand::random::<u64>() % base)
}

/// Runs `$body`, a block that begins, writes and commits one transaction
/// (as an async block: `?` leaves the try, and its value is a
/// `crate::Result`), again when the database refused it for a reason that
/// passes (`passes`), at most `WRITE_ATTEMPTS` times in all. The block is
/// made anew for each try, so it must not move what it captures.
///
/// Not tried again, by design: a streamed import (`transfer::import`, an
/// `ImportSession`), whose input is read once and which the caller runs again
/// whole; migrations, which run alone at start-up and stop it on any error;
/// backups and exports, read-only snapshots that PostgreSQL at REPEATABLE
/// READ never refuses for serialization.
#[macro_export]
#[doc(hidden)]
macro_rules! retrying {
    ($body:block) => {{
        let mut attempt: u32 = 1;
        loop {
            let outcome: $crate::Result<_> = async $body.await;
            match outcome {
                Err(e) if attempt < $crate::db::WRITE_ATTEMPTS && $crate::db::passes(&e) => {
                    tracing::info!(attempt, error = %e, "write refused for a passing reason; trying again");
                    tokio::time::sleep($crate::db::pause_after(attempt)).await;
                    attempt += 1;
                }
                done => break done,
            }
        }
    }};
}

/// One write transaction of the store's: the site's writer lock (one
/// writer at a time on SQLite), then `$body` with `$tx` a transaction begun
/// on the store's pool, committed when `$body` ends, all of it tried again
/// as `retrying!` says. `?` and `return` in `$body` leave the try without
/// committing (the transaction rolls back when dropped).
#[macro_export]
#[doc(hidden)]
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:block) => {{
        let _writer = $store.writer().await;
        $crate::retrying!({
            $crate::with_pool!(&$store.pool, p => {
                let mut $tx = p.begin().await?;
                let value = $body;
                $tx.commit().await?;
                Ok(value)
            })
        })
    }};
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use super::Pool;
    use crate::testing::TestDb;
    use crate::{Result, StoreError};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A transaction that the database refuses with `code` on its first
    /// `refusals` tries; how many tries `retrying!` gave it and what came of it.
    async fn refused(pool: &Pool, code: &str, refusals: u32) -> (u32, Result<()>) {
        let tries = AtomicU32::new(0);
        let raise =
            format!("DO $$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '{code}'; END $$");
        let Pool::Postgres(p) = pool else {
            unreachable!("PostgreSQL only")
        };
        let outcome = crate::retrying!({
            let mut tx = p.begin().await?;
            if tries.fetch_add(1, Ordering::SeqCst) < refusals {
                sqlx::raw_sql(&raise).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        });
        (tries.load(Ordering::SeqCst), outcome)
    }

    mod postgres {
        #[tokio::test]
        async fn writes_refused_for_passing_reasons_are_tried_again() {
            super::writes_refused_for_passing_reasons_are_tried_again().await;
        }
    }

    async fn writes_refused_for_passing_reasons_are_tried_again() {
        let db = TestDb::postgres().await;
        let pool = &db.store.pool;
        // A serialization failure and a deadlock pass: tried until it works.
        assert_eq!(refused(pool, "40001", 2).await.0, 3);
        assert!(refused(pool, "40001", 2).await.1.is_ok());
        assert_eq!(refused(pool, "40P01", 1).await.0, 2);
        // At most WRITE_ATTEMPTS tries, then the error is the caller's.
        let (tries, outcome) = refused(pool, "40001", 99).await;
        assert_eq!(tries, super::WRITE_ATTEMPTS);
        assert!(super::passes(&outcome.unwrap_err()));
        // Anything else is not tried again (a unique violation here).
        let (tries, outcome) = refused(pool, "23505", 1).await;
        assert_eq!(tries, 1);
        assert!(matches!(outcome, Err(StoreError::Database(_))));
    }

    #[tokio::test]
    async fn sqlite_busy_passes() {
        let db = TestDb::sqlite().await;
        let path = db.url.strip_prefix("sqlite://").unwrap();
        // One connection holds the write lock; another that will not wait is refused.
        let holder = super::sqlite_pool(super::sqlite_options(path.as_ref()), 1)
            .await
            .unwrap();
        let impatient = super::sqlite_pool(
            super::sqlite_options(path.as_ref()).busy_timeout(std::time::Duration::ZERO),
            1,
        )
        .await
        .unwrap();
        let (Pool::Sqlite(holder), Pool::Sqlite(impatient)) = (holder, impatient) else {
            unreachable!()
        };
        let tx = holder.begin_with("BEGIN IMMEDIATE").await.unwrap();
        let refused = impatient
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map(|_| ())
            .map_err(StoreError::from);
        assert!(super::passes(&refused.unwrap_err()));
        tx.rollback().await.unwrap();
    }
}
