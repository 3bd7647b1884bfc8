//! All of bbn's SQL, behind one repository API that works the same on
//! SQLite (the embedded default) and PostgreSQL (for several instances).
//!
//! Each write runs in one transaction that also appends to the change log,
//! which every cache and index follows (see `changes`), and is tried again
//! when the database refuses it for a passing reason (`retrying!` in `db`).
//! Queries are written once in SQL both backends accept; the few real
//! differences live in `dialect`, in `db` (the pools) and in the
//! per-backend migrations.

mod api_keys;
mod articles;
mod audit;
mod backup;
pub mod bodies;
mod changes;
mod comments;
pub mod content_api;
pub mod cpu;
mod db;
mod dialect;
mod distribution;
mod error;
mod import;
mod live;
mod media;
mod migrate;
mod pages;
mod profiles;
mod readership;
mod redirects;
mod search_feed;
mod settings;
mod site_lock;
mod spam_filter;
mod staff;
mod taxonomy;
pub mod transfer;
mod webhooks;

pub use api_keys::{ApiKey, ApiKeyKind, IssuedKey, NewApiKey, api_key_hash};
pub use articles::{ArticleFilter, ArticleList, Edit, NewsroomItem, TRASH_DAYS};
pub use audit::{AuditEntry, NewAuditEntry};
pub use backup::SiteCounts;
pub use changes::{Batch, Change, ChangeMark, Listing, LogState, Placement};
pub use comments::{ModeratedComment, NewComment, Origin};
pub use content_api::{ContentPage, ContentQuery};
pub use distribution::{RecentComment, SitemapArticle, SitemapPlace};
pub use error::StoreError;
pub use import::{
    IMPORT_KINDS, ImportSession, ImportedArticle, ImportedComment, ImportedPage, ImportedPerson,
    Outcome, Rename, import_slug,
};
pub use live::{LiveDocument, LiveEvent, LiveListener, LiveSnapshot, live_digest};
pub use media::{
    FileFacts, MediaDetails, MediaItem, MediaQuery, MediaUse, NewMedia, VARIANT_LEASE_SECONDS,
    VariantWork,
};
pub use migrate::SCHEMA_VERSION;
pub use pages::PageLink;
pub use profiles::{AuthorProfile, ProfileEdit};
pub use redirects::{Destination, RedirectTarget, normalize_path};
pub use search_feed::SearchDoc;
pub use site_lock::SiteLock;
pub use staff::{NewUser, Session, normalize_email};
pub use transfer::TransferError;
pub use webhooks::{
    Attempt, Delivery, DueDelivery, Enqueued, WEBHOOK_EVENTS, Webhook, article_payload_url,
};

use db::Pool;
use std::path::Path;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The repository: a handle to bbn's database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite allows one writer at a time; writers queue here instead of
    /// failing with "database is locked" inside a transaction.
    write_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Counts writes made through this store; memos of derived data compare it
    /// to know they are still current (see `generation`).
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// What "now" is to every write and time-dependent read.
    clock: bbn_core::time::Clock,
    /// The change log's follower read for this backend, made once
    /// (`changes::changes_past_sql`).
    changes_past_sql: std::sync::Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        Ok(Store::from_pool(db::open_sqlite(path).await?))
    }

    /// Opens the SQLite database at `path` for a bulk load (a generated site,
    /// a large import): one connection with a page cache of `cache_mb`.
    pub async fn open_sqlite_for_loading(path: &Path, cache_mb: u32) -> Result<Store> {
        Ok(Store::from_pool(
            db::open_sqlite_for_loading(path, cache_mb).await?,
        ))
    }

    /// Connects to a database named by URL: `postgres://…` or `sqlite://PATH`.
    pub async fn connect(url: &str) -> Result<Store> {
        Ok(Store::from_pool(db::connect(url).await?))
    }

    fn from_pool(pool: Pool) -> Store {
        Store {
            changes_past_sql: changes::changes_past_sql(pool.backend()).into(),
            pool,
            write_lock: Default::default(),
            generation: Default::default(),
            clock: Default::default(),
        }
    }

    /// Now, as this store's clock tells it (Unix seconds).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The store's clock, shared by its clones: tests move it on.
    pub fn clock(&self) -> &bbn_core::time::Clock {
        &self.clock
    }

    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// Brings the schema up to this binary's version. A database written by
    /// a newer bbn is refused rather than misread.
    pub async fn migrate(&self) -> Result<()> {
        migrate::run(&self.pool).await
    }

    /// Answers once the database can run a query; used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(&self.pool, p => {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }

    /// Closes every connection; in-flight queries finish first.
    pub async fn close(&self) {
        with_pool!(&self.pool, p => p.close().await)
    }

    /// A number that changes after every write made through this store
    /// (successful or not). Data derived from the database and kept in memory
    /// is current while the number it was made at still matches.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Marks that the database may have changed elsewhere (another instance's
    /// write seen in the change log), so memos made before are no longer current.
    pub fn invalidate(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Held for the length of a write: queues SQLite writers, and moves the
    /// generation on when the write is over.
    async fn writer(&self) -> WriteGuard<'_> {
        WriteGuard {
            _lock: self.bookkeeper().await,
            store: self,
        }
    }
}

impl Store {
    /// Held for a write that changes no content (webhook bookkeeping): it
    /// queues SQLite writers like `writer`, but leaves the generation alone,
    /// so memos of pages stay current.
    async fn bookkeeper(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if dialect::one_writer(self.backend()) {
            Some(self.write_lock.lock().await)
        } else {
            None
        }
    }
}

pub(crate) struct WriteGuard<'a> {
    _lock: Option<tokio::sync::MutexGuard<'a, ()>>,
    store: &'a Store,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        self.store.invalidate();
    }
}

/// A `LIKE` pattern, with a backslash as its escape, for text holding
/// `words` (lowercased; their own `%`, `_` and backslashes taken
/// literally); None for no words.
pub(crate) fn contains_pattern(words: Option<&str>) -> Option<String> {
    words.map(str::trim).filter(|w| !w.is_empty()).map(|w| {
        let escaped = w
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    })
}

/// A page of a list read with `LIMIT limit + 1`: its first `limit` rows,
/// and whether another page follows.
pub(crate) fn one_page<T>(mut rows: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = limit.max(0) as usize;
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

/// How long a connection attempt may take before start-up reports the database unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[cfg(feature = "testing")]
pub mod testing;
