//! Turning the change log into webhook deliveries. One step reads the
//! changes after the site-wide cursor "webhooks", tells what each means to
//! a receiver (published, updated, unpublished, deleted, approved, site
//! changed), stores one delivery per subscribed webhook with its payload,
//! and moves the cursor, all in one transaction. On PostgreSQL the cursor
//! row is locked for that transaction, so instances sharing the database
//! take turns and never make the same batch twice; on SQLite the step
//! holds the database's write lock from its start.

use crate::changes::{Change, ChangeMark};
use crate::db::{placeholders, rows_per_statement, values_sql};
use crate::webhooks::{article_payload_url, split_events};
use crate::{Result, Store, with_pool};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Runs `$sql` (made by `$make` from the placeholders of a chunk) once per
/// chunk of `$ids`, binding each chunk's ids, inside `$tx`.
macro_rules! for_ids {
    ($tx:expr, $ids:expr, $make:expr) => {
        for chunk in $ids.chunks(rows_per_statement(1)) {
            let sql: String = $make(chunk.len());
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *$tx).await?;
        }
    };
}

/// How many changes one step reads at most.
const BATCH: i64 = 2000;
/// Changes to these make the site look different around the articles.
const SITE_ENTITIES: [&str; 5] = ["settings", "section", "topic", "author", "picks"];

/// What one step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enqueued {
    /// Changes read and passed.
    pub changes: usize,
    /// Deliveries stored.
    pub deliveries: usize,
    /// Whether more changes are waiting (the batch was full).
    pub more: bool,
}

/// One event, before it is fanned out to the webhooks that want it.
struct Event {
    seq: i64,
    name: &'static str,
    payload: Value,
}

/// An article as it is now.
#[derive(sqlx::FromRow)]
struct ArticleNow {
    id: i64,
    slug: String,
    headline: String,
    status: String,
    published_at: Option<i64>,
}

/// A comment as it is now, with its article.
#[derive(sqlx::FromRow)]
struct CommentNow {
    id: i64,
    status: String,
    article_id: i64,
    author_name: String,
    created_at: i64,
    slug: String,
    headline: String,
    article_status: String,
}

/// What webhooks remember of an article after looking at it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Remember {
    Article { published: bool },
    Forget,
}

/// What an article change means to a receiver, from whether the article was
/// public when webhooks last looked and what it is now (None: deleted).
fn article_event(before: Option<bool>, now: Option<&str>) -> (Option<&'static str>, Remember) {
    match now {
        Some(status) => {
            let published = status == "published";
            let event = match (before.unwrap_or(false), published) {
                (false, true) => Some("article.published"),
                (true, true) => Some("article.updated"),
                (true, false) => Some("article.unpublished"),
                (false, false) => None,
            };
            (event, Remember::Article { published })
        }
        None if before == Some(true) => (Some("article.deleted"), Remember::Forget),
        None => (None, Remember::Forget),
    }
}

/// The changes of one step, grouped: the last change of each article and
/// comment, and the site's changes together.
#[derive(Default)]
struct Batch {
    articles: BTreeMap<i64, (i64, i64)>,
    comments: BTreeMap<i64, (i64, i64)>,
    site: Vec<(String, i64)>,
    site_last: Option<(i64, i64)>,
}

impl Batch {
    fn of(changes: &[Change]) -> Batch {
        let mut b = Batch::default();
        for c in changes {
            let last = (c.seq, c.at);
            match c.entity.as_str() {
                "article" => {
                    b.articles.insert(c.entity_id, last);
                }
                "comment" => {
                    b.comments.insert(c.entity_id, last);
                }
                e if SITE_ENTITIES.contains(&e) => {
                    let item = (c.entity.clone(), c.entity_id);
                    if !b.site.contains(&item) {
                        b.site.push(item);
                    }
                    b.site_last = Some(last);
                }
                _ => {}
            }
        }
        b
    }
}

fn article_json(base_url: &str, id: i64, slug: &str, headline: &str, status: &str) -> Value {
    json!({
        "id": id,
        "slug": slug,
        "url": article_payload_url(base_url, slug),
        "headline": headline,
        "status": status,
    })
}

fn envelope(name: &str, seq: i64, at: i64, body: Value) -> Value {
    let mut v = json!({
        "event": name,
        "id": seq,
        "occurred_at": bbn_core::time::rfc3339_utc(at),
    });
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), body) {
        obj.extend(extra);
    }
    v
}

impl Store {
    /// One step of turning the change log into deliveries (see the module
    /// doc). `base_url` makes the article links in payloads. Safe to run
    /// from several instances at once.
    #[tracing::instrument(skip_all)]
    pub async fn enqueue_webhook_events(&self, base_url: &str) -> Result<Enqueued> {
        // Two steps, of this instance or another, never run at once.
        let (begin, lock) = crate::dialect::exclusive_step(self.backend());
        let cursor_sql =
            format!("SELECT seq, open FROM change_cursors WHERE name = 'webhooks'{lock}");
        let create_sql = format!(
            "INSERT INTO change_cursors (name, seq, open) SELECT 'webhooks', COALESCE(MAX(seq), 0), {} FROM changes WHERE true
             ON CONFLICT (name) DO NOTHING",
            crate::dialect::running_transactions(self.backend())
        );
        let now = self.now();
        let _w = self.bookkeeper().await;
        crate::retrying!({
            with_pool!(&self.pool, p => {
                let mut tx = p.begin_with(begin).await?;
                // A database whose cursor went missing starts from here, like a new one.
                sqlx::query(&create_sql).execute(&mut *tx).await?;
                let (seq, open): (i64, String) = sqlx::query_as(&cursor_sql).fetch_one(&mut *tx).await?;
                let Some(cursor) = ChangeMark::parse(&format!("{seq} {open}")) else {
                    return Err(sqlx::Error::Decode(format!("webhooks cursor: {seq} {open}").into()).into());
                };
                let rows: Vec<crate::changes::LogRow> = sqlx::query_as(&self.changes_past_sql)
                    .bind(cursor.seq())
                    .bind(BATCH)
                    .bind(cursor.open_text())
                    .fetch_all(&mut *tx)
                    .await?;
                let (changes, running) = crate::changes::log_rows(rows)?;
                let Some(read) = cursor.batch(changes, running, BATCH) else {
                    return Ok(Enqueued::default());
                };
                let passed: &[Change] = &read.fresh;
                let batch = Batch::of(passed);
                let mut events: Vec<Event> = Vec::new();

                // What each article is now and what webhooks last knew of it: a
                // few statements for the whole batch, not a few per article (a
                // bulk load leaves a long log behind it).
                let article_ids: Vec<i64> = batch.articles.keys().copied().collect();
                let mut current_of: HashMap<i64, ArticleNow> = HashMap::new();
                let mut before_of: HashMap<i64, (bool, String, String)> = HashMap::new();
                for chunk in article_ids.chunks(rows_per_statement(1)) {
                    let marks = placeholders(1, chunk.len());
                    let sql = format!(
                        "SELECT id, slug, headline, status, published_at FROM articles WHERE id IN ({marks})"
                    );
                    let mut q = sqlx::query_as::<_, ArticleNow>(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    current_of.extend(q.fetch_all(&mut *tx).await?.into_iter().map(|a| (a.id, a)));
                    let sql = format!(
                        "SELECT article_id, published, slug, headline FROM webhook_article_state WHERE article_id IN ({marks})"
                    );
                    let mut q = sqlx::query_as::<_, (i64, bool, String, String)>(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    before_of.extend(
                        q.fetch_all(&mut *tx)
                            .await?
                            .into_iter()
                            .map(|(id, published, slug, headline)| (id, (published, slug, headline))),
                    );
                }
                let mut remembered: Vec<(i64, bool, &str, &str)> = Vec::new();
                let mut forgotten: Vec<i64> = Vec::new();
                for (&id, &(seq, at)) in &batch.articles {
                    let current = current_of.get(&id);
                    let before = before_of.get(&id);
                    let (event, remember) =
                        article_event(before.map(|b| b.0), current.map(|a| a.status.as_str()));
                    match (&remember, current) {
                        (Remember::Article { published }, Some(a)) => {
                            remembered.push((id, *published, &a.slug, &a.headline));
                        }
                        _ => forgotten.push(id),
                    }
                    let Some(name) = event else { continue };
                    let mut article = match (current, before) {
                        (Some(a), _) => article_json(base_url, id, &a.slug, &a.headline, &a.status),
                        (None, Some((_, slug, headline))) => article_json(base_url, id, slug, headline, "deleted"),
                        (None, None) => continue,
                    };
                    if let (Some(obj), Some(a)) = (article.as_object_mut(), current) {
                        obj.insert(
                            "published_at".into(),
                            a.published_at.map(bbn_core::time::rfc3339_utc).into(),
                        );
                    }
                    events.push(Event { seq, name, payload: envelope(name, seq, at, json!({ "article": article })) });
                }
                for chunk in remembered.chunks(rows_per_statement(4)) {
                    let sql = values_sql(
                        "INSERT INTO webhook_article_state (article_id, published, slug, headline) VALUES ",
                        4,
                        chunk.len(),
                        "",
                    ) + " ON CONFLICT (article_id) DO UPDATE SET published = excluded.published,
                             slug = excluded.slug, headline = excluded.headline";
                    let mut q = sqlx::query(&sql);
                    for (id, published, slug, headline) in chunk {
                        q = q.bind(*id).bind(*published).bind(*slug).bind(*headline);
                    }
                    q.execute(&mut *tx).await?;
                }
                for_ids!(tx, forgotten, |n| format!(
                    "DELETE FROM webhook_article_state WHERE article_id IN ({})",
                    placeholders(1, n)
                ));

                // The same for comments: an approval is announced once.
                let comment_ids: Vec<i64> = batch.comments.keys().copied().collect();
                let mut comment_of: HashMap<i64, CommentNow> = HashMap::new();
                let mut announced: HashSet<i64> = HashSet::new();
                for chunk in comment_ids.chunks(rows_per_statement(1)) {
                    let marks = placeholders(1, chunk.len());
                    let sql = format!(
                        "SELECT c.id, c.status, c.article_id, c.author_name, c.created_at, a.slug, a.headline,
                                a.status AS article_status
                         FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})"
                    );
                    let mut q = sqlx::query_as::<_, CommentNow>(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    comment_of.extend(q.fetch_all(&mut *tx).await?.into_iter().map(|c| (c.id, c)));
                    let sql = format!(
                        "SELECT comment_id FROM webhook_comment_state WHERE comment_id IN ({marks})"
                    );
                    let mut q = sqlx::query_scalar::<_, i64>(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    announced.extend(q.fetch_all(&mut *tx).await?);
                }
                let mut approved: Vec<i64> = Vec::new();
                let mut unapproved: Vec<i64> = Vec::new();
                for (&id, &(seq, at)) in &batch.comments {
                    match comment_of.get(&id) {
                        Some(c) if c.status == "approved" => {
                            let fresh = !announced.contains(&id);
                            if fresh {
                                approved.push(id);
                            }
                            // A comment on an article readers cannot see is not news
                            // (and its draft headline is not for receivers).
                            if fresh && c.article_status == "published" {
                                let body = json!({
                                    "comment": {
                                        "id": id,
                                        "author_name": c.author_name,
                                        "created_at": bbn_core::time::rfc3339_utc(c.created_at),
                                    },
                                    "article": article_json(base_url, c.article_id, &c.slug, &c.headline, &c.article_status),
                                });
                                events.push(Event { seq, name: "comment.approved", payload: envelope("comment.approved", seq, at, body) });
                            }
                        }
                        _ => {
                            if announced.contains(&id) {
                                unapproved.push(id);
                            }
                        }
                    }
                }
                for_ids!(tx, approved, |n| values_sql("INSERT INTO webhook_comment_state (comment_id) VALUES ", 1, n, "")
                    + " ON CONFLICT (comment_id) DO NOTHING");
                for_ids!(tx, unapproved, |n| format!(
                    "DELETE FROM webhook_comment_state WHERE comment_id IN ({})",
                    placeholders(1, n)
                ));

                if let Some((seq, at)) = batch.site_last {
                    let changed: Vec<Value> = batch
                        .site
                        .iter()
                        .map(|(entity, id)| json!({ "entity": entity, "id": id }))
                        .collect();
                    events.push(Event {
                        seq,
                        name: "site.changed",
                        payload: envelope("site.changed", seq, at, json!({ "changes": changed })),
                    });
                }

                let mut deliveries = 0;
                if !events.is_empty() {
                    let hooks: Vec<(i64, String, i64)> =
                        sqlx::query_as("SELECT id, events, from_seq FROM webhooks WHERE active ORDER BY id")
                            .fetch_all(&mut *tx)
                            .await?;
                    for e in &events {
                        let payload = e.payload.to_string();
                        for (hook, wanted, from_seq) in &hooks {
                            if e.seq <= *from_seq || !split_events(wanted).iter().any(|w| w == e.name) {
                                continue;
                            }
                            deliveries += sqlx::query(
                                "INSERT INTO webhook_deliveries
                                     (webhook_id, change_seq, event, payload, state, attempts, next_attempt_at, created_at)
                                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)
                                 ON CONFLICT (webhook_id, change_seq, event) DO NOTHING",
                            )
                            .bind(*hook)
                            .bind(e.seq)
                            .bind(e.name)
                            .bind(&payload)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected() as usize;
                        }
                    }
                }
                sqlx::query("UPDATE change_cursors SET seq = $1, open = $2 WHERE name = 'webhooks'")
                    .bind(read.mark().seq())
                    .bind(read.mark().open_text())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Enqueued {
                    changes: passed.len(),
                    deliveries,
                    more: read.full(),
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_article_events_apart() {
        assert_eq!(
            article_event(None, Some("published")).0,
            Some("article.published")
        );
        assert_eq!(
            article_event(Some(false), Some("published")).0,
            Some("article.published")
        );
        assert_eq!(
            article_event(Some(true), Some("published")).0,
            Some("article.updated")
        );
        assert_eq!(
            article_event(Some(true), Some("unpublished")).0,
            Some("article.unpublished")
        );
        assert_eq!(
            article_event(Some(true), Some("draft")).0,
            Some("article.unpublished")
        );
        assert_eq!(article_event(None, Some("draft")).0, None);
        assert_eq!(
            article_event(Some(true), None),
            (Some("article.deleted"), Remember::Forget)
        );
        // A draft that was never public goes quietly.
        assert_eq!(article_event(Some(false), None), (None, Remember::Forget));
    }
}
