//! The change log: one row per content write, appended in the write's own
//! transaction. Caches, the search index and other instances follow it by
//! sequence number, so nothing that rolled back is ever seen and nothing
//! committed is ever missed.

use crate::db::placeholders;
use crate::{Result, Store, with_pool};
use std::collections::{BTreeSet, HashMap};

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

/// A gap in the change log younger than this may be a transaction still
/// committing (PostgreSQL hands out sequence numbers before commit), so a
/// follower's mark waits before it; an older gap is a rolled-back write. (A
/// transaction committing later than this after a newer one is missed.)
pub const GAP_GRACE_SECONDS: i64 = 60;

/// How far a follower's mark may move over `changes` (sorted by seq) from
/// `mark`: up to the last change with no gap before it, or past a gap older
/// than the grace period.
pub fn applied_through(mark: i64, changes: &[Change], now: i64) -> i64 {
    let mut mark = mark;
    for c in changes {
        if c.seq != mark + 1 && now - c.at < GAP_GRACE_SECONDS {
            break;
        }
        mark = c.seq;
    }
    mark
}

/// Where a follower of the change log stands (the search index, the page
/// cache): every change up to `mark` is applied, and so are the changes in
/// `beyond`, read past a young gap the mark waits at in case the write
/// behind it still commits. Those are not applied again while it waits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeMark {
    mark: i64,
    beyond: BTreeSet<i64>,
}

/// One round of reading the log past a follower's mark, to its end.
#[derive(Debug)]
pub struct Round {
    cursor: i64,
    ended: bool,
}

impl Round {
    /// The last change read so far (at or past the mark).
    pub fn read_to(&self) -> i64 {
        self.cursor
    }
}

/// A batch of changes read in a round.
#[derive(Debug)]
pub struct Batch {
    /// Its changes not handed over before, oldest first.
    pub fresh: Vec<Change>,
    /// Where the follower's mark stands once they are applied (held at the
    /// first gap younger than `GAP_GRACE_SECONDS`).
    pub mark: i64,
    /// Every change read, fresh or not.
    read: Vec<i64>,
}

impl ChangeMark {
    /// A follower that has applied every change up to `mark`.
    pub fn at(mark: i64) -> Self {
        ChangeMark {
            mark,
            beyond: BTreeSet::new(),
        }
    }

    /// Every change up to here is applied.
    pub fn mark(&self) -> i64 {
        self.mark
    }

    /// A round from the mark to the end of the log.
    pub fn round(&self) -> Round {
        Round {
            cursor: self.mark,
            ended: false,
        }
    }

    /// The round's next batch of at most `size` changes; None at the end
    /// of the log. Once applied, the batch goes to `applied`; one that is
    /// not (an error) is read again next round.
    pub async fn next(&self, round: &mut Round, store: &Store, size: i64) -> Result<Option<Batch>> {
        if round.ended {
            return Ok(None);
        }
        let changes = store.changes_since(round.cursor, size).await?;
        let Some(last) = changes.last() else {
            round.ended = true;
            return Ok(None);
        };
        // Once held at a gap, the mark stays there this round: a change
        // that commits late fills it and is read from there next round.
        let held = self.mark != round.cursor;
        round.cursor = last.seq;
        round.ended = (changes.len() as i64) < size;
        let mark = if held {
            self.mark
        } else {
            applied_through(self.mark, &changes, bbn_core::time::now())
        };
        let read = changes.iter().map(|c| c.seq).collect();
        let fresh = changes
            .into_iter()
            .filter(|c| !self.beyond.contains(&c.seq))
            .collect();
        Ok(Some(Batch { fresh, mark, read }))
    }

    /// The batch is applied: the mark moves to where it allows, and its
    /// changes past the mark are not handed over again.
    pub fn applied(&mut self, batch: &Batch) {
        let mark = batch.mark;
        self.mark = mark;
        self.beyond
            .extend(batch.read.iter().copied().filter(|s| *s > mark));
        self.beyond.retain(|s| *s > mark);
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
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for field in [slug, headline, dek, kicker, &image] {
        for b in field.bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    // Never 0, which means "not known".
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
    /// Changes after `after`, oldest first, at most `limit`.
    #[tracing::instrument(skip_all)]
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

    /// The newest entry of the change log: (sequence number, time), or
    /// (0, 0) on an empty log. Feeds and sitemaps change only with it, so it
    /// makes their ETag and Last-Modified.
    pub async fn last_change_mark(&self) -> Result<(i64, i64)> {
        let row: Option<(i64, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT seq, at FROM changes ORDER BY seq DESC LIMIT 1").fetch_optional(p).await?
        });
        Ok(row.unwrap_or((0, 0)))
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
    pub async fn change_cursor(&self, name: &str) -> Result<i64> {
        let _w = self.bookkeeper().await;
        Ok(with_pool!(&self.pool, p => {
            sqlx::query(
                "INSERT INTO change_cursors (name, seq) SELECT $1, COALESCE(MAX(seq), 0) FROM changes WHERE true
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .execute(p)
            .await?;
            sqlx::query_scalar("SELECT seq FROM change_cursors WHERE name = $1")
                .bind(name)
                .fetch_one(p)
                .await?
        }))
    }

    /// Moves the shared cursor `name` from `from` to `to`, unless another
    /// instance moved it first; whether this call did (and so owns the
    /// changes in between).
    pub async fn claim_changes(&self, name: &str, from: i64, to: i64) -> Result<bool> {
        let _w = self.bookkeeper().await;
        let moved = with_pool!(&self.pool, p => {
            sqlx::query("UPDATE change_cursors SET seq = $1 WHERE name = $2 AND seq = $3")
                .bind(to)
                .bind(name)
                .bind(from)
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
    use super::{Change, Listing, applied_through};

    fn change(seq: i64, at: i64) -> Change {
        Change {
            seq,
            entity: "article".into(),
            entity_id: 1,
            op: "update".into(),
            at,
            detail: None,
        }
    }

    #[test]
    fn the_mark_waits_at_young_gaps_only() {
        let now = 1_000;
        assert_eq!(
            applied_through(0, &[change(1, now), change(2, now)], now),
            2
        );
        // 3 may still be committing: stop before it.
        assert_eq!(applied_through(2, &[change(4, now)], now), 2);
        assert_eq!(
            applied_through(2, &[change(3, now), change(5, now)], now),
            3
        );
        // A minute on, the missing ones rolled back: move past them.
        assert_eq!(applied_through(2, &[change(4, now - 61)], now), 4);
        assert_eq!(
            applied_through(2, &[change(3, now - 60), change(5, now - 60)], now),
            5
        );
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
