//! Who is using a site's PostgreSQL database: every `bbn serve` instance
//! holds a shared lock on it for as long as it runs, and a command that
//! replaces or bulk-writes the site (restore, import) must get the lock
//! alone, so it never changes a database under a running server (which
//! would go on answering from what it had read: a split brain).
//!
//! The lock is a session-level advisory lock on a connection of its own,
//! kept out of the pool: it lasts as long as that connection, so it ends
//! when the holder lets go or its process dies, and never outlives it.
//! SQLite needs none of this: its database lives in the data folder, which
//! the binary locks with the operating system's file locks.

use crate::{Result, Store};
use sqlx::PgConnection;

/// The advisory lock's key ("bbn site" in ASCII): one per database.
const SITE_KEY: i64 = 0x6262_6e20_7369_7465;

/// A lock on the site's database, released when dropped (or sooner, and
/// surely, by `release`). Holds nothing on SQLite.
#[derive(Debug)]
pub struct SiteLock(Option<PgConnection>);

impl Store {
    /// Taken by each serving instance for its whole life, alongside the
    /// others. None: a restore or import holds the site alone.
    pub async fn hold_serving_lock(&self) -> Result<Option<SiteLock>> {
        self.site_lock("SELECT pg_try_advisory_lock_shared($1)")
            .await
    }

    /// Taken by a command that replaces or bulk-writes the site. None: a
    /// server is using the database.
    pub async fn try_exclusive_site_lock(&self) -> Result<Option<SiteLock>> {
        self.site_lock("SELECT pg_try_advisory_lock($1)").await
    }

    async fn site_lock(&self, try_lock: &'static str) -> Result<Option<SiteLock>> {
        let Some(pool) = self.pool.postgres() else {
            return Ok(Some(SiteLock(None)));
        };
        // Detached: a pooled connection would go back to the pool, lock
        // and all, and be handed to someone else.
        let mut conn = pool.acquire().await?.detach();
        let got: bool = sqlx::query_scalar(try_lock)
            .bind(SITE_KEY)
            .fetch_one(&mut conn)
            .await?;
        Ok(got.then_some(SiteLock(Some(conn))))
    }
}

impl SiteLock {
    /// Lets go and waits until the database knows it, so a command run
    /// right after this process ends finds the site free.
    pub async fn release(self) -> Result<()> {
        if let Some(mut conn) = self.0 {
            sqlx::query("SELECT pg_advisory_unlock_all()")
                .execute(&mut conn)
                .await?;
            sqlx::Connection::close(conn).await?;
        }
        Ok(())
    }
}
