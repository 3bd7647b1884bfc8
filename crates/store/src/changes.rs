//! The change log: one row per content write, appended in the write's own
//! transaction. Caches, the search index and other instances follow it by
//! sequence number, so nothing that rolled back is ever seen and nothing
//! committed is ever missed.

use crate::db::placeholders;
use crate::dialect;
use crate::{Result, Store, with_pool};
use std::collections::HashMap;

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Change {
    pub seq: i64,
    /// "article", "section", "topic", "author", "comment", "settings", "picks"
    pub entity: String,
    pub entity_id: i64,
    /// "create", "update", "delete"
    pub op: String,
    pub at: i64,
    /// What the change replaced, where a follower needs it: for an article
    /// that was published, its `Listing` before the change.
    #[sqlx(default)]
    pub detail: Option<String>,
}

/// Where a follower of the change log stands (the search index, the page
/// cache, the purge hook, webhooks): every change numbered up to `seq` is
/// applied, except those of the transactions in `open`.
///
/// PostgreSQL numbers a change when it is written, not when its transaction
/// commits, so a change may commit after a later-numbered one has been read.
/// A reader cannot see which transaction holds a missing number, but it can
/// see, in the same snapshot as the changes it read, which transactions
/// were still running: any change numbered up to `seq` that it did not see
/// belongs to one of them (or was rolled back). So the follower keeps those
/// transactions in `open` and next time reads, besides everything past
/// `seq`, whatever they committed. Nothing is guessed from time: a write
/// that commits after an hour is applied, and a rolled-back one holds
/// nobody back. SQLite numbers changes in commit order; `open` stays empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeMark {
    seq: i64,
    /// Transaction ids, ascending.
    open: Vec<i64>,
}

/// A batch of changes read past a follower's mark.
#[derive(Debug)]
pub struct Batch {
    /// The changes, oldest first, none handed over before.
    pub fresh: Vec<Change>,
    /// Where the follower stands once they are applied.
    then: ChangeMark,
    /// The batch stopped at its size: more may follow at once.
    full: bool,
}

impl Batch {
    /// Where the follower stands once this batch is applied.
    pub fn mark(&self) -> &ChangeMark {
        &self.then
    }

    /// Whether more changes may be waiting (the batch was cut at its size).
    pub fn full(&self) -> bool {
        self.full
    }
}

impl ChangeMark {
    /// A follower that has applied every change up to `seq`, with nothing
    /// running that could commit below it (a fresh index built from a
    /// snapshot uses `Store::change_mark`, which knows what was running).
    pub fn at(seq: i64) -> Self {
        ChangeMark {
            seq,
            open: Vec::new(),
        }
    }

    /// Every change up to here is applied, but those of `open()`.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// The transactions that may still commit changes numbered up to `seq()`.
    pub fn open(&self) -> &[i64] {
        &self.open
    }

    /// The open transactions as a cursor row keeps them.
    pub(crate) fn open_text(&self) -> String {
        let open: Vec<String> = self.open.iter().map(i64::to_string).collect();
        open.join(" ")
    }

    /// As it is kept (an index's commit payload, a shared cursor): `seq`,
    /// then the open transactions, space-separated: `"812 40177 40181"`.
    pub fn to_text(&self) -> String {
        let mut out = self.seq.to_string();
        for x in &self.open {
            out.push(' ');
            out.push_str(&x.to_string());
        }
        out
    }

    /// Reads `to_text`'s form back; None when it is not that.
    pub fn parse(text: &str) -> Option<ChangeMark> {
        let mut parts = text.split_whitespace();
        let seq = parts.next()?.parse().ok()?;
        let open = parts
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<i64>>>()?;
        Some(ChangeMark::with_open(seq, open))
    }

    pub(crate) fn with_open(seq: i64, mut open: Vec<i64>) -> ChangeMark {
        open.sort_unstable();
        open.dedup();
        ChangeMark { seq, open }
    }

    /// The changes past this mark, at most `size` of those numbered past
    /// `seq` (all that the open transactions committed come at once): None
    /// when there is nothing new and the mark would not move.
    pub async fn next(&self, store: &Store, size: i64) -> Result<Option<Batch>> {
        let (fresh, running) = store.changes_past(self, size).await?;
        Ok(self.batch(fresh, running, size))
    }

    /// The batch of `fresh` (read past this mark, at most `size` past its
    /// seq) with the transactions that were `running` as they were read.
    pub(crate) fn batch(&self, fresh: Vec<Change>, running: Vec<i64>, size: i64) -> Option<Batch> {
        let past_seq = fresh.iter().filter(|c| c.seq > self.seq).count() as i64;
        let last = fresh.last().map_or(self.seq, |c| c.seq.max(self.seq));
        let then = ChangeMark::with_open(last, running);
        if fresh.is_empty() && then == *self {
            return None;
        }
        Some(Batch {
            fresh,
            then,
            full: past_seq >= size,
        })
    }

    /// The batch is applied: the mark moves to where it allows.
    pub fn applied(&mut self, batch: &Batch) {
        *self = batch.then.clone();
    }
}

impl Change {
    /// The lists a published article stood in before this change, if it was published.
    pub fn former_listing(&self) -> Option<Listing> {
        self.detail.as_deref().and_then(Listing::from_detail)
    }
}

/// Where a published article stands in lists: its place in time (lists run
/// newest first) and its section's, topics' and authors' lists (the home
/// page and Latest News take every published article).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub published_at: i64,
    pub section_id: i64,
    pub topic_ids: Vec<i64>,
    pub author_ids: Vec<i64>,
    /// A digest of what the article's card shows wherever it is listed
    /// (address, headline, dek, kicker, image): a change that leaves it and
    /// the lists alone concerns the article's own page only. 0: not known.
    pub card: i64,
}

/// The digest `Listing::card` holds (64-bit FNV-1a of the fields).
pub(crate) fn card_digest(
    slug: &str,
    headline: &str,
    dek: &str,
    kicker: &str,
    image_id: Option<i64>,
) -> i64 {
    let image = image_id.map_or(String::new(), |i| i.to_string());
    digest(
        [slug, headline, dek, kicker, &image]
            .into_iter()
            .flat_map(|field| field.bytes().chain(std::iter::once(0x1f))),
    )
}

/// 64-bit FNV-1a of `bytes`, never 0 (which means "not known").
fn digest(bytes: impl IntoIterator<Item = u8>) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash as i64) | 1
}

impl Listing {
    /// As the change log keeps it: `at:1700000000 section:3 topic:5 topic:9 author:2 card:-817…`.
    pub(crate) fn to_detail(&self) -> String {
        let mut out = format!("at:{} section:{}", self.published_at, self.section_id);
        for t in &self.topic_ids {
            out.push_str(&format!(" topic:{t}"));
        }
        for a in &self.author_ids {
            out.push_str(&format!(" author:{a}"));
        }
        if self.card != 0 {
            out.push_str(&format!(" card:{}", self.card));
        }
        out
    }

    pub(crate) fn from_detail(detail: &str) -> Option<Listing> {
        let mut listing = Listing::default();
        let mut section = None;
        for part in detail.split_whitespace() {
            let (kind, id) = part.split_once(':')?;
            let id: i64 = id.parse().ok()?;
            match kind {
                "at" => listing.published_at = id,
                "section" => section = Some(id),
                "topic" => listing.topic_ids.push(id),
                "author" => listing.author_ids.push(id),
                "card" => listing.card = id,
                _ => return None,
            }
        }
        listing.section_id = section?;
        Some(listing)
    }
}

/// (id, status, published_at, section_id, slug, headline, dek, kicker, image_id) of an article.
type ArticleRow = (
    i64,
    String,
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
);
/// (article id, topic or author id).
type Pair = (i64, i64);
/// A change read with the snapshot's running transactions (all None but
/// the last when nothing was read).
pub(crate) type LogRow = (
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
);

/// Reads the changes past a mark ($1 its seq, $2 how many past it at
/// most, $3 its open transactions as text) and the transactions running in
/// the same snapshot, as `LogRow`s: one statement, so both are of one moment.
pub(crate) fn changes_past_sql(backend: crate::Backend) -> String {
    format!(
        "WITH snap AS (SELECT {running} AS running),
         found AS (
            SELECT seq, entity, entity_id, op, at, detail FROM changes WHERE {late} AND seq <= $1
            UNION ALL
            SELECT * FROM (SELECT seq, entity, entity_id, op, at, detail FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2) AS next)
         SELECT f.seq, f.entity, f.entity_id, f.op, f.at, f.detail, snap.running
         FROM snap LEFT JOIN found f ON true ORDER BY f.seq",
        running = dialect::running_transactions(backend),
        late = dialect::xid_listed_in("$3", backend),
    )
}

/// The changes and the running transactions of `changes_past_sql`'s rows.
pub(crate) fn log_rows(rows: Vec<LogRow>) -> Result<(Vec<Change>, Vec<i64>)> {
    let running = match rows.first() {
        Some(r) => ids(&r.6)?,
        None => Vec::new(),
    };
    let changes = rows
        .into_iter()
        .filter_map(|(seq, entity, entity_id, op, at, detail, _)| {
            Some(Change {
                seq: seq?,
                entity: entity?,
                entity_id: entity_id?,
                op: op?,
                at: at?,
                detail,
            })
        })
        .collect();
    Ok((changes, running))
}

/// Space-separated transaction ids, as the dialect's SQL lists them.
fn ids(text: &str) -> Result<Vec<i64>> {
    let mut out = text
        .split_whitespace()
        .map(|x| {
            x.parse().map_err(|_| {
                sqlx::Error::Decode(format!("not a transaction id: {x}").into()).into()
            })
        })
        .collect::<Result<Vec<i64>>>()?;
    out.sort_unstable();
    Ok(out)
}

/// What the change log looks like to someone making validators for a
/// document built from the database alone (feeds, sitemaps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogState {
    /// The newest change seen and when it was written.
    pub seq: i64,
    pub at: i64,
    /// 0 when every change numbered up to `seq` has committed or never
    /// will; otherwise a digest of what may still commit under `seq` (the
    /// writers still running, the numbers handed out and not yet seen):
    /// when one of them commits, the digest changes, so a validator that
    /// carries it changes with the document. The time `at` does not (a
    /// late change is older than `at`), so no Last-Modified is sent then.
    pub in_flight: i64,
}

/// Where an article stands now, as a cache needs it after the article changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub article_id: i64,
    /// Published and so in lists; `listing` is where it would be listed.
    pub published: bool,
    pub listing: Listing,
}

/// Appends to the change log inside the caller's transaction; a fifth
/// argument is the entry's `detail`.
macro_rules! log_change {
    ($tx:expr, $entity:expr, $id:expr, $op:expr) => {
        $crate::changes::log_change!($tx, $entity, $id, $op, None::<String>)
    };
    ($tx:expr, $entity:expr, $id:expr, $op:expr, $detail:expr) => {
        sqlx::query(
            "INSERT INTO changes (entity, entity_id, op, at, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($entity)
        .bind($id)
        .bind($op)
        .bind(bbn_core::time::now())
        .bind($detail)
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use log_change;

/// Appends one change per id of `$ids` (a slice) inside the caller's
/// transaction, many rows per statement, for writes of many rows at once.
macro_rules! log_changes {
    ($tx:expr, $entity:expr, $ids:expr, $op:expr) => {{
        let ids: &[i64] = $ids;
        let now = bbn_core::time::now();
        let mut done: std::result::Result<(), sqlx::Error> = Ok(());
        for chunk in ids.chunks(crate::db::rows_per_statement(4)) {
            let sql = crate::db::values_sql(
                "INSERT INTO changes (entity, entity_id, op, at) VALUES ",
                4,
                chunk.len(),
                "",
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind($entity).bind(*id).bind($op).bind(now);
            }
            if let Err(e) = q.execute(&mut *$tx).await {
                done = Err(e);
                break;
            }
        }
        done
    }};
}
pub(crate) use log_changes;

/// Appends a "create" for every row of `$table` inside the caller's
/// transaction: for an import into an empty site, where every row is new.
macro_rules! log_created_rows {
    ($tx:expr, $entity:literal, $table:literal) => {
        sqlx::query(concat!(
            "INSERT INTO changes (entity, entity_id, op, at) SELECT '",
            $entity,
            "', id, 'create', $1 FROM ",
            $table,
            " ORDER BY id"
        ))
        .bind(bbn_core::time::now())
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use log_created_rows;

impl Store {
    /// The changes past `mark`, oldest first: whatever its open
    /// transactions committed, and at most `limit` numbered past its seq;
    /// with the transactions running when they were read (one snapshot).
    #[tracing::instrument(skip_all)]
    pub(crate) async fn changes_past(
        &self,
        mark: &ChangeMark,
        limit: i64,
    ) -> Result<(Vec<Change>, Vec<i64>)> {
        let rows: Vec<LogRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&self.changes_past_sql)
                .bind(mark.seq())
                .bind(limit)
                .bind(mark.open_text())
                .fetch_all(p)
                .await?
        });
        log_rows(rows)
    }

    /// The committed changes numbered after `after`, oldest first, at most
    /// `limit`: a plain read for tools and checks (followers use `ChangeMark`).
    pub async fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<Change>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as::<_, Change>(
                "SELECT seq, entity, entity_id, op, at, detail FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }

    /// Where a follower that starts from what the database holds now
    /// stands: at the newest change, with the transactions still running.
    pub async fn change_mark(&self) -> Result<ChangeMark> {
        let sql = format!(
            "SELECT COALESCE(MAX(seq), 0), {} FROM changes",
            dialect::running_transactions(self.backend())
        );
        let (seq, open): (i64, String) = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).fetch_one(p).await?
        });
        Ok(ChangeMark::with_open(seq, ids(&open)?))
    }

    /// What feeds' and sitemaps' validators are made from (see `LogState`).
    pub async fn log_state(&self) -> Result<LogState> {
        let newest = "SELECT COALESCE(MAX(seq), 0), COALESCE((SELECT at FROM changes ORDER BY seq DESC LIMIT 1), 0) FROM changes";
        let Some(log_writers) = dialect::log_writers(self.backend()) else {
            // Changes commit in number order: the newest is all there is.
            let (seq, at): (i64, i64) =
                with_pool!(&self.pool, p => sqlx::query_as(newest).fetch_one(p).await?);
            return Ok(LogState {
                seq,
                at,
                in_flight: 0,
            });
        };
        let sql = format!(
            "SELECT s.seq, s.at, {running}, (SELECT COUNT(*) FROM changes WHERE seq > $1)
             FROM ({newest}) AS s (seq, at)",
            running = dialect::RUNNING_TRANSACTIONS_32
        );
        // First, before the snapshot of the second statement: the last number
        // handed out, and the transactions that have written to the log and
        // not yet ended.
        let ((allocated, writing), (seq, at, running, past)): (
            (i64, String),
            (i64, i64, String, i64),
        ) = with_pool!(&self.pool, p => {
            let writers: (i64, String) = sqlx::query_as(log_writers).fetch_one(p).await?;
            let newest: (i64, i64, String, i64) = sqlx::query_as(&sql).bind(writers.0).fetch_one(p).await?;
            (writers, newest)
        });
        let running = ids(&running)?;
        // Which of those writers the snapshot still saw running: a change of
        // theirs may commit under `seq`. A number handed out between the two
        // statements may be one too.
        let mut pending: Vec<i64> = ids(&writing)?
            .into_iter()
            .filter(|x| running.binary_search(x).is_ok())
            .collect();
        pending.sort_unstable();
        let unseen = (seq - allocated).max(0) - past;
        let in_flight = if pending.is_empty() && unseen == 0 {
            0
        } else {
            digest(
                std::iter::once(allocated)
                    .chain(std::iter::once(past))
                    .chain(pending)
                    .flat_map(i64::to_le_bytes),
            )
        };
        Ok(LogState { seq, at, in_flight })
    }

    /// Where these articles stand now (unknown ids are left out).
    #[tracing::instrument(skip_all)]
    pub async fn placements(&self, ids: &[i64]) -> Result<Vec<Placement>> {
        let mut out = Vec::new();
        // A bounded number of bind parameters per statement.
        for chunk in ids.chunks(500) {
            let marks = placeholders(1, chunk.len());
            let articles = format!(
                "SELECT id, status, COALESCE(published_at, 0), section_id, slug, headline, dek, kicker, image_id
                 FROM articles WHERE id IN ({marks})"
            );
            let topics = format!(
                "SELECT article_id, topic_id FROM article_topics WHERE article_id IN ({marks}) ORDER BY article_id, position"
            );
            let authors = format!(
                "SELECT article_id, author_id FROM article_authors WHERE article_id IN ({marks}) ORDER BY article_id, position"
            );
            let (rows, topic_rows, author_rows): (Vec<ArticleRow>, Vec<Pair>, Vec<Pair>) = with_pool!(&self.pool, p => {
                let mut a = sqlx::query_as(&articles);
                let mut t = sqlx::query_as(&topics);
                let mut u = sqlx::query_as(&authors);
                for id in chunk {
                    a = a.bind(*id);
                    t = t.bind(*id);
                    u = u.bind(*id);
                }
                (a.fetch_all(p).await?, t.fetch_all(p).await?, u.fetch_all(p).await?)
            });
            let group = |pairs: Vec<(i64, i64)>| {
                let mut by_article: HashMap<i64, Vec<i64>> = HashMap::new();
                for (article, x) in pairs {
                    by_article.entry(article).or_default().push(x);
                }
                by_article
            };
            let (mut topics, mut authors) = (group(topic_rows), group(author_rows));
            for (id, status, published_at, section_id, slug, headline, dek, kicker, image_id) in
                rows
            {
                out.push(Placement {
                    article_id: id,
                    published: status == "published",
                    listing: Listing {
                        published_at,
                        section_id,
                        topic_ids: topics.remove(&id).unwrap_or_default(),
                        author_ids: authors.remove(&id).unwrap_or_default(),
                        card: card_digest(&slug, &headline, &dek, &kicker, image_id),
                    },
                });
            }
        }
        Ok(out)
    }

    /// The article each of these comments belongs to: (comment, article).
    #[tracing::instrument(skip_all)]
    pub async fn comment_articles(&self, comment_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        let mut out = Vec::new();
        for chunk in comment_ids.chunks(500) {
            let sql = format!(
                "SELECT id, article_id FROM comments WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(i64, i64)> = with_pool!(&self.pool, p => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Where the follower `name`, shared by every instance, stands in the
    /// log; on first use, at its end.
    pub async fn change_cursor(&self, name: &str) -> Result<ChangeMark> {
        let _w = self.bookkeeper().await;
        let create = format!(
            "INSERT INTO change_cursors (name, seq, open) SELECT $1, COALESCE(MAX(seq), 0), {} FROM changes WHERE true
             ON CONFLICT (name) DO NOTHING",
            dialect::running_transactions(self.backend())
        );
        let (seq, open): (i64, String) = with_pool!(&self.pool, p => {
            sqlx::query(&create).bind(name).execute(p).await?;
            sqlx::query_as("SELECT seq, open FROM change_cursors WHERE name = $1")
                .bind(name)
                .fetch_one(p)
                .await?
        });
        Ok(ChangeMark::with_open(seq, ids(&open)?))
    }

    /// Moves the shared cursor `name` from `from` to `to`, unless another
    /// instance moved it first; whether this call did (and so owns the
    /// changes in between).
    pub async fn claim_changes(
        &self,
        name: &str,
        from: &ChangeMark,
        to: &ChangeMark,
    ) -> Result<bool> {
        let _w = self.bookkeeper().await;
        let moved = with_pool!(&self.pool, p => {
            sqlx::query(
                "UPDATE change_cursors SET seq = $1, open = $2 WHERE name = $3 AND seq = $4 AND open = $5",
            )
            .bind(to.seq())
            .bind(to.open_text())
            .bind(name)
            .bind(from.seq())
            .bind(from.open_text())
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(moved == 1)
    }

    /// The newest sequence number, or 0 on an empty log.
    pub async fn last_change(&self) -> Result<i64> {
        let seq: Option<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT MAX(seq) FROM changes").fetch_one(p).await?
        });
        Ok(seq.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::{ChangeMark, Listing};

    #[test]
    fn marks_read_back_as_kept() {
        let m = ChangeMark::with_open(812, vec![40181, 40177, 40181]);
        assert_eq!(m.to_text(), "812 40177 40181");
        assert_eq!(ChangeMark::parse(&m.to_text()), Some(m));
        assert_eq!(ChangeMark::parse("77"), Some(ChangeMark::at(77)));
        assert_eq!(ChangeMark::parse(""), None);
        assert_eq!(ChangeMark::parse("7 x"), None);
    }

    #[test]
    fn listings_read_back_as_written() {
        let l = Listing {
            published_at: 1_700_000_000,
            section_id: 3,
            topic_ids: vec![5, 9],
            author_ids: vec![2],
            card: 0,
        };
        assert_eq!(
            l.to_detail(),
            "at:1700000000 section:3 topic:5 topic:9 author:2"
        );
        assert_eq!(Listing::from_detail(&l.to_detail()), Some(l.clone()));
        let carded = Listing {
            card: super::card_digest("a", "Headline", "", "", Some(4)),
            ..l
        };
        assert!(carded.to_detail().contains(" card:"));
        assert_eq!(
            Listing::from_detail(&carded.to_detail()),
            Some(carded.clone())
        );
        assert_ne!(
            carded.card,
            super::card_digest("a", "Headline!", "", "", Some(4)),
            "a changed headline changes the card"
        );
        assert_eq!(
            Listing::from_detail("topic:5"),
            None,
            "a listing names its section"
        );
        assert_eq!(Listing::from_detail("section:x"), None);
        assert_eq!(Listing::from_detail("shelf:1 section:2"), None);
    }
}
