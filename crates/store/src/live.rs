//! The live editor's documents: each article being edited together is a
//! shared document whose updates are kept as they arrive (the autosave),
//! reconciled with the saved article by the digest of the body it started
//! from. The updates are opaque bytes here; `bbn-newsroom` knows their shape.

use crate::error::OnMissingReference;
use crate::{Backend, Result, Store, with_pool};
use bbn_core::validate::ArticleDraft;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The PostgreSQL channel that tells every instance an update was kept.
const CHANNEL: &str = "bbn_live";

/// Tells every instance listening (PostgreSQL) that update `$id` of article
/// `$article` was kept; sent when the caller's transaction commits.
macro_rules! notify_kept {
    ($store:expr, $tx:expr, $article:expr, $id:expr) => {
        if $store.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(format!("{} {}", $article, $id))
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// What the live listener hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveEvent {
    /// An update of an article was kept (by this instance or another).
    Kept { article_id: i64, update_id: i64 },
    /// The listener's connection was lost and is back: what was kept
    /// meanwhile was not heard, so open documents read theirs again.
    Missed,
}

/// Hears every update kept on the database (PostgreSQL: several instances
/// edit one document together).
pub struct LiveListener(sqlx::postgres::PgListener);

impl LiveListener {
    pub async fn next(&mut self) -> Result<LiveEvent> {
        loop {
            let Some(n) = self.0.try_recv().await? else {
                return Ok(LiveEvent::Missed);
            };
            let mut parts = n.payload().split(' ').map(str::parse::<i64>);
            if let (Some(Ok(article_id)), Some(Ok(update_id))) = (parts.next(), parts.next()) {
                return Ok(LiveEvent::Kept {
                    article_id,
                    update_id,
                });
            }
        }
    }
}

/// Kept updates: (id, bytes), oldest first.
type Updates = Vec<(i64, Vec<u8>)>;

/// What the database holds of an article's live document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveDocument {
    /// `live_digest` of the article body the document was reconciled with.
    pub base_digest: String,
    /// The updates, oldest first: (id, bytes).
    pub updates: Updates,
}

/// The digest a live document is reconciled against: of the article's body
/// and of the fields the live form shares (a save by any other path that
/// changes one of them starts the document again from the article).
pub fn live_digest(d: &ArticleDraft) -> String {
    let mut hash = Sha256::new();
    for text in [
        d.body_format.as_str(),
        &d.body_markdown,
        &d.headline,
        &d.dek,
        &d.kicker,
        &d.slug,
        &d.seo_title,
        &d.seo_description,
    ] {
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text.as_bytes());
    }
    hash.update(d.section_id.to_le_bytes());
    hash.update([u8::from(d.comments_open)]);
    for ids in [&d.author_ids, &d.topic_ids] {
        hash.update((ids.len() as u64).to_le_bytes());
        for id in ids {
            hash.update(id.to_le_bytes());
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// The article's live document, if it has one.
    #[tracing::instrument(skip(self))]
    pub async fn live_document(&self, article_id: i64) -> Result<Option<LiveDocument>> {
        let found: Option<(String, Updates)> = with_pool!(&self.pool, p => {
            let base: Option<String> =
                sqlx::query_scalar("SELECT base_digest FROM live_documents WHERE article_id = $1")
                    .bind(article_id)
                    .fetch_optional(p)
                    .await?;
            match base {
                None => None,
                Some(base) => {
                    let updates: Updates = sqlx::query_as(
                        "SELECT id, data FROM live_updates WHERE article_id = $1 ORDER BY id",
                    )
                    .bind(article_id)
                    .fetch_all(p)
                    .await?;
                    Some((base, updates))
                }
            }
        });
        Ok(found.map(|(base_digest, updates)| LiveDocument {
            base_digest,
            updates,
        }))
    }

    /// Starts the article's live document again from `seed` (the saved body
    /// as one update), reconciled with the body of digest `base`, dropping
    /// what it held: only when it still stands where the caller found it
    /// (`found`: the digest read, or None for no document), so that of two
    /// instances starting it at once exactly one does. Whether this one did.
    #[tracing::instrument(skip(self, seed))]
    pub async fn live_start(
        &self,
        article_id: i64,
        found: Option<&str>,
        base: &str,
        seed: &[u8],
    ) -> Result<bool> {
        let now = self.now();
        crate::write_tx!(self, tx => {
            let claimed = match found {
                None => sqlx::query(
                    "INSERT INTO live_documents (article_id, base_digest, created_at)
                     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1)
                     ON CONFLICT (article_id) DO NOTHING",
                )
                .bind(article_id)
                .bind(base)
                .bind(now)
                .execute(&mut *tx)
                .await?,
                Some(old) => sqlx::query(
                    "UPDATE live_documents SET base_digest = $2, created_at = $3
                     WHERE article_id = $1 AND base_digest = $4",
                )
                .bind(article_id)
                .bind(base)
                .bind(now)
                .bind(old)
                .execute(&mut *tx)
                .await?,
            }
            .rows_affected()
                > 0;
            if claimed {
                sqlx::query("DELETE FROM live_updates WHERE article_id = $1")
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO live_updates (article_id, data, user_id, at) VALUES ($1, $2, NULL, $3) RETURNING id",
                )
                .bind(article_id)
                .bind(seed)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                notify_kept!(self, tx, article_id, id);
            }
            claimed
        })
    }

    /// Keeps one update of the article's live document (several merged, as
    /// the server flushes them), written by `user_id`; its id.
    #[tracing::instrument(skip(self, data), fields(bytes = data.len()))]
    pub async fn live_append(
        &self,
        article_id: i64,
        user_id: Option<i64>,
        data: &[u8],
    ) -> Result<i64> {
        let now = self.now();
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO live_updates (article_id, data, user_id, at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(article_id)
            .bind(data)
            .bind(user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            notify_kept!(self, tx, article_id, id);
            id
        })
    }

    /// Replaces the article's updates `ids` by `merged`, which holds their
    /// state (Yjs updates commute, so where it sits among later ones does
    /// not matter).
    #[tracing::instrument(skip(self, merged), fields(bytes = merged.len()))]
    pub async fn live_compact(&self, article_id: i64, ids: &[i64], merged: &[u8]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let now = self.now();
        // Exactly the rows the caller read and holds in `merged`: an update
        // another instance kept meanwhile stays, whatever its id.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let delete = format!("DELETE FROM live_updates WHERE article_id = $1 AND id IN ({list})");
        crate::write_tx!(self, tx => {
            let gone = sqlx::query(&delete)
                .bind(article_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            // Nothing left to replace (the document was started again meanwhile).
            if gone > 0 {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO live_updates (article_id, data, user_id, at) VALUES ($1, $2, NULL, $3) RETURNING id",
                )
                .bind(article_id)
                .bind(merged)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                notify_kept!(self, tx, article_id, id);
            }
        })
    }

    /// An article's kept updates up to id `upto`, oldest first: what a
    /// compaction reads (and applies) before it replaces them.
    pub async fn live_updates_upto(&self, article_id: i64, upto: i64) -> Result<Updates> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT id, data FROM live_updates WHERE article_id = $1 AND id <= $2 ORDER BY id")
                .bind(article_id)
                .bind(upto)
                .fetch_all(p)
                .await?
        }))
    }

    /// A listener for the updates every instance keeps; None on SQLite,
    /// where one instance holds the database and hears its own.
    pub async fn live_listener(&self) -> Result<Option<LiveListener>> {
        let Some(pool) = self.pool.postgres() else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(LiveListener(listener)))
    }

    /// One kept update: (article id, bytes), None when compaction or a new
    /// start has replaced it (by an update holding it).
    pub async fn live_update(&self, id: i64) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT article_id, data FROM live_updates WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// The digest an article's live document was last reconciled with,
    /// None when it has none.
    pub async fn live_base(&self, article_id: i64) -> Result<Option<String>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT base_digest FROM live_documents WHERE article_id = $1")
                .bind(article_id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Keeps the live working copy as a snapshot, written by `writers`,
    /// unless the article has one from the last `gap` seconds (several
    /// instances may each offer one). True when it was kept.
    pub async fn add_live_snapshot(
        &self,
        article_id: i64,
        writers: &[i64],
        draft: &ArticleDraft,
        gap: i64,
    ) -> Result<bool> {
        let snapshot =
            serde_json::to_string(draft).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let writers = writers
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let now = self.now();
        crate::write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO live_snapshots (article_id, created_at, writers, snapshot)
                 SELECT $1, $2, $3, $4 WHERE NOT EXISTS
                   (SELECT 1 FROM live_snapshots WHERE article_id = $1 AND created_at > $5)",
            )
            .bind(article_id)
            .bind(now)
            .bind(&writers)
            .bind(&snapshot)
            .bind(now - gap)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0
        })
    }

    /// An article's live snapshots, newest first, with their writers' names.
    pub async fn live_snapshots(&self, article_id: i64) -> Result<Vec<LiveSnapshot>> {
        let rows: Vec<(i64, i64, String)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT id, created_at, writers FROM live_snapshots WHERE article_id = $1
                 ORDER BY created_at DESC, id DESC LIMIT 200",
            )
            .bind(article_id)
            .fetch_all(p)
            .await?
        });
        let ids: std::collections::BTreeSet<i64> = rows
            .iter()
            .flat_map(|(_, _, w)| w.split(',').filter_map(|x| x.parse().ok()))
            .collect();
        let mut names = std::collections::HashMap::new();
        for id in ids {
            if let Some(user) = self.user_by_id(id).await? {
                names.insert(id, user.name);
            }
        }
        Ok(rows
            .into_iter()
            .map(|(id, created_at, writers)| LiveSnapshot {
                id,
                created_at,
                writers: writers
                    .split(',')
                    .filter_map(|x| x.parse().ok())
                    .filter_map(|w: i64| names.get(&w).cloned())
                    .collect(),
            })
            .collect())
    }

    /// The draft a live snapshot kept.
    pub async fn live_snapshot(&self, article_id: i64, id: i64) -> Result<Option<ArticleDraft>> {
        let snapshot: Option<String> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT snapshot FROM live_snapshots WHERE article_id = $1 AND id = $2")
                .bind(article_id)
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        Ok(snapshot.and_then(|s| serde_json::from_str(&s).ok()))
    }
}

impl Store {
    /// Says who has the article open on `instance` now (names, one a line
    /// kept); none removes the instance's row.
    pub async fn set_live_presence(
        &self,
        article_id: i64,
        instance: &str,
        names: &[String],
    ) -> Result<()> {
        let now = self.now();
        let joined = names.join("\n");
        crate::write_tx!(self, tx => {
            if names.is_empty() {
                sqlx::query("DELETE FROM live_presence WHERE article_id = $1 AND instance = $2")
                    .bind(article_id)
                    .bind(instance)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO live_presence (article_id, instance, names, at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (article_id, instance) DO UPDATE SET names = excluded.names, at = excluded.at",
                )
                .bind(article_id)
                .bind(instance)
                .bind(&joined)
                .bind(now)
                .execute(&mut *tx)
                .await
                .on_missing_reference("article")?;
            }
        })
    }

    /// Who has each of `ids` open in the live editor on any instance, as
    /// said at `fresh_since` or later; each name once, in order.
    pub async fn live_presence(
        &self,
        ids: &[i64],
        fresh_since: i64,
    ) -> Result<HashMap<i64, Vec<String>>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = ids
            .iter()
            .take(500)
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT article_id, names FROM live_presence WHERE article_id IN ({list}) AND at >= $1
             ORDER BY article_id, instance"
        );
        let rows: Vec<(i64, String)> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(fresh_since).fetch_all(p).await?
        });
        for (id, names) in rows {
            let entry = out.entry(id).or_default();
            for name in names.lines() {
                if !entry.iter().any(|n| n == name) {
                    entry.push(name.to_string());
                }
            }
        }
        Ok(out)
    }
}

/// A live snapshot as the history lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSnapshot {
    pub id: i64,
    pub created_at: i64,
    /// Names of the staff who wrote since the snapshot before.
    pub writers: Vec<String>,
}
