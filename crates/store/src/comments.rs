//! Storing readers' comments and moderating them. (Reading the approved
//! ones for an article page is in `articles::read`.)

use crate::changes::{log_change, log_changes};
use crate::db::{placeholders, rows_per_statement, values_sql};
use crate::error::OnMissingReference;
use crate::spam_filter::{Lesson, Lessons, apply_lessons};
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::spam;
use bbn_core::{Comment, CommentStatus, ValidationError};

/// A comment as submitted, before moderation assigns it a fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: i64,
}

/// Where a comment came from and what the spam defence said of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin<'a> {
    /// The salted hash of the client address ("" for staff and imports).
    pub ip_hash: &'a str,
    /// The staff account, for replies written in the newsroom.
    pub staff_user_id: Option<i64>,
    /// The learning filter's score, when it was trained enough to judge.
    pub spam_score: Option<f64>,
    /// Why the comment went to spam on arrival ("" when it did not).
    pub spam_reason: &'a str,
}

/// A comment as moderators see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeratedComment {
    pub id: i64,
    pub article_id: i64,
    pub article_headline: String,
    pub article_slug: String,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: i64,
    pub staff: bool,
    pub spam_score: Option<f64>,
    pub spam_reason: String,
}

#[derive(sqlx::FromRow)]
struct ModeratedRow {
    id: i64,
    article_id: i64,
    headline: String,
    slug: String,
    author_name: String,
    author_email: String,
    body: String,
    status: String,
    created_at: i64,
    staff_user_id: Option<i64>,
    spam_score: Option<f64>,
    spam_reason: String,
}

/// A comment a moderator decided on, as the filter learns from it.
#[derive(sqlx::FromRow)]
struct Decided {
    id: i64,
    author_name: String,
    author_email: String,
    body: String,
    trained_as: Option<String>,
    staff_user_id: Option<i64>,
}

/// A change to comments made by moderators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Status(CommentStatus),
    /// Delete; with `forget`, the filter unlearns what they taught it.
    Delete {
        forget: bool,
    },
}

/// The key duplicate detection looks comments up by.
pub(crate) fn body_hash(body: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    pub async fn add_comment(&self, c: &NewComment) -> Result<i64> {
        self.post_comment(c, &Origin::default()).await
    }

    /// Stores one comment with where it came from.
    pub async fn post_comment(&self, c: &NewComment, origin: &Origin<'_>) -> Result<i64> {
        let ids = self
            .insert_comments(std::slice::from_ref(c), origin)
            .await?;
        ids.first().copied().ok_or(StoreError::NotFound)
    }

    /// Stores many comments in one transaction (imports, benchmarks): all or none.
    pub async fn add_comments(&self, comments: &[NewComment]) -> Result<Vec<i64>> {
        self.insert_comments(comments, &Origin::default()).await
    }

    #[tracing::instrument(skip_all)]
    async fn insert_comments(
        &self,
        comments: &[NewComment],
        origin: &Origin<'_>,
    ) -> Result<Vec<i64>> {
        let mut errors = Vec::new();
        for c in comments {
            if c.author_name.trim().is_empty() {
                errors.push(ValidationError::new("name", "A name is required."));
            }
            if c.body.trim().is_empty() {
                errors.push(ValidationError::new("comment", "A comment is required."));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        crate::write_tx!(self, tx => {
            let mut ids = Vec::with_capacity(comments.len());
            for chunk in comments.chunks(rows_per_statement(12)) {
                let sql = values_sql(
                    "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, status, created_at,
                        ip_hash, staff_user_id, spam_score, spam_reason, body_hash) VALUES ",
                    12,
                    chunk.len(),
                    "",
                ) + " RETURNING id";
                let mut q = sqlx::query_scalar::<_, i64>(&sql);
                for c in chunk {
                    q = q.bind(c.article_id).bind(c.parent_id).bind(c.author_name.trim()).bind(c.author_email.trim())
                        .bind(&c.body).bind(c.status.as_str()).bind(c.created_at).bind(origin.ip_hash)
                        .bind(origin.staff_user_id).bind(origin.spam_score).bind(origin.spam_reason)
                        .bind(body_hash(&c.body));
                }
                let mut new = q.fetch_all(&mut *tx).await.on_missing_reference("article")?;
                // Ids are handed out in the order of the rows; RETURNING's order is not promised.
                new.sort_unstable();
                log_changes!(tx, "comment", &new, "create")?;
                ids.extend(new);
            }
            ids
        })
    }

    /// Whether this email address already has an approved comment (the "trusted" moderation mode).
    pub async fn has_approved_comment(&self, email: &str) -> Result<bool> {
        let n: i64 = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE author_email = $1 AND status = 'approved'")
                .bind(email.trim())
                .fetch_one(p)
                .await?
        });
        Ok(n > 0)
    }

    /// Whether anyone posted exactly this text since `since`.
    pub async fn same_comment_since(&self, body: &str, since: i64) -> Result<bool> {
        let n: i64 = with_pool!(&self.pool, p => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM comments WHERE body_hash = $1 AND created_at >= $2 AND body = $3",
            )
            .bind(body_hash(body))
            .bind(since)
            .bind(body)
            .fetch_one(p)
            .await?
        });
        Ok(n > 0)
    }

    /// Comments since `since` from one address (by hash) and on one article,
    /// each counted up to `cap` (the limit being enforced), so that a flood
    /// costs no more to count than the limit.
    pub async fn recent_comment_counts(
        &self,
        ip_hash: &str,
        article_id: i64,
        since: i64,
        cap: i64,
    ) -> Result<(i64, i64)> {
        Ok(with_pool!(&self.pool, p => {
            let by_ip: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip_hash = $1 AND created_at >= $2 LIMIT $3) AS recent",
            )
            .bind(ip_hash).bind(since).bind(cap).fetch_one(p).await?;
            let on_article: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE article_id = $1 AND created_at >= $2 LIMIT $3) AS recent",
            )
            .bind(article_id).bind(since).bind(cap).fetch_one(p).await?;
            (by_ip, on_article)
        }))
    }

    /// How deep a reply to `parent_id` would sit (1 for a reply to a top-level
    /// comment), or None when the parent is not an approved comment of `article_id`.
    pub async fn reply_depth(&self, parent_id: i64, article_id: i64) -> Result<Option<i64>> {
        // The parent and its ancestors in one statement, nearest first; a
        // hundred at most, whatever the rows say.
        let chain: Vec<(i64, i64, Option<i64>, String)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "WITH RECURSIVE chain(depth, article_id, parent_id, status) AS (
                     SELECT CAST(1 AS BIGINT), article_id, parent_id, status FROM comments WHERE id = $1
                     UNION ALL
                     SELECT chain.depth + 1, c.article_id, c.parent_id, c.status
                     FROM comments c JOIN chain ON c.id = chain.parent_id
                     WHERE chain.depth < 100
                 )
                 SELECT depth, article_id, parent_id, status FROM chain ORDER BY depth",
            )
            .bind(parent_id)
            .fetch_all(p)
            .await?
        });
        let (Some(parent), Some(last)) = (chain.first(), chain.last()) else {
            return Ok(None);
        };
        let whole = last.2.is_none() || last.0 >= 100;
        let here = chain
            .iter()
            .all(|(_, article, _, _)| *article == article_id);
        Ok((parent.3 == "approved" && here && whole).then_some(last.0))
    }

    /// These comments of an article, whatever their status (a reader's own pending ones).
    pub async fn comments_by_ids(&self, article_id: i64, ids: &[i64]) -> Result<Vec<Comment>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, parent_id, author_name, body, created_at FROM comments
             WHERE article_id = $1 AND status = 'pending' AND id IN ({}) ORDER BY created_at, id",
            placeholders(2, ids.len())
        );
        let rows: Vec<(i64, Option<i64>, String, String, i64)> = with_pool!(&self.pool, p => {
            let mut q = sqlx::query_as(&sql).bind(article_id);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, parent_id, author_name, body, created_at)| Comment {
                id,
                parent_id,
                author_name,
                body,
                created_at,
                staff: false,
            })
            .collect())
    }

    /// How many comments each status has.
    pub async fn comment_counts(&self) -> Result<Vec<(CommentStatus, i64)>> {
        let rows: Vec<(String, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT status, COUNT(*) FROM comments GROUP BY status").fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| Some((CommentStatus::parse(&s)?, n)))
            .collect())
    }

    /// The moderation queue: newest first, by status, article and words in the text, name or email.
    #[tracing::instrument(skip_all)]
    pub async fn moderation_queue(
        &self,
        status: Option<CommentStatus>,
        article_id: Option<i64>,
        words: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ModeratedComment>, bool)> {
        let pattern = crate::contains_pattern(words);
        let rows: Vec<ModeratedRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT c.id, c.article_id, a.headline, a.slug, c.author_name, c.author_email, c.body, c.status,
                        c.created_at, c.staff_user_id, c.spam_score, c.spam_reason
                 FROM comments c JOIN articles a ON a.id = c.article_id
                 WHERE ($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR c.article_id = $2)
                   AND ($3 IS NULL OR LOWER(c.body) LIKE $3 ESCAPE '\\' OR LOWER(c.author_name) LIKE $3 ESCAPE '\\'
                        OR LOWER(c.author_email) LIKE $3 ESCAPE '\\')
                 ORDER BY c.created_at DESC, c.id DESC LIMIT $4 OFFSET $5",
            )
            .bind(status.map(|s| s.as_str()))
            .bind(article_id)
            .bind(pattern)
            .bind(limit + 1)
            .bind(offset)
            .fetch_all(p)
            .await?
        });
        let (rows, has_more) = crate::one_page(rows, limit);
        let items = rows
            .into_iter()
            .map(|r| ModeratedComment {
                id: r.id,
                article_id: r.article_id,
                article_headline: r.headline,
                article_slug: r.slug,
                author_name: r.author_name,
                author_email: r.author_email,
                body: r.body,
                status: CommentStatus::parse(&r.status).unwrap_or(CommentStatus::Pending),
                created_at: r.created_at,
                staff: r.staff_user_id.is_some(),
                spam_score: r.spam_score,
                spam_reason: r.spam_reason,
            })
            .collect();
        Ok((items, has_more))
    }

    /// Moves comments to a status; returns how many changed. Approving
    /// teaches the spam filter "ham", marking spam teaches it "spam", moving
    /// back to pending takes the lesson back; trash teaches nothing.
    #[tracing::instrument(skip_all)]
    pub async fn set_comments_status(&self, ids: &[i64], status: CommentStatus) -> Result<u64> {
        self.change_comments(ids, Change::Status(status)).await
    }

    /// Deletes comments for good (their replies go with them). What they
    /// taught the spam filter stays learned.
    pub async fn delete_comments(&self, ids: &[i64]) -> Result<u64> {
        self.change_comments(ids, Change::Delete { forget: false })
            .await
    }

    async fn change_comments(&self, ids: &[i64], change: Change) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "SELECT id, author_name, author_email, body, trained_as, staff_user_id FROM comments WHERE id IN ({})",
            placeholders(1, ids.len())
        );
        crate::write_tx!(self, tx => {
            // What the filter must learn or unlearn, summed over the comments.
            let rows: Vec<Decided> = {
                let mut q = sqlx::query_as(&sql);
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *tx).await?
            };
            let mut lessons = Lessons::default();
            for Decided { id, author_name, author_email, body, trained_as, staff_user_id } in rows {
                let before = Lesson::parse(trained_as.as_deref());
                let reader = staff_user_id.is_none();
                let after = match change {
                    Change::Status(CommentStatus::Approved) if reader => Some(Lesson::Ham),
                    Change::Status(CommentStatus::Spam) if reader => Some(Lesson::Spam),
                    Change::Status(CommentStatus::Pending) => None,
                    Change::Delete { forget: true } => None,
                    _ => before,
                };
                if before == after {
                    continue;
                }
                // Relabel only if nobody else did meanwhile; their lesson stands.
                let moved = sqlx::query("UPDATE comments SET trained_as = $1 WHERE id = $2 AND COALESCE(trained_as, '') = $3")
                    .bind(after.map(Lesson::as_str))
                    .bind(id)
                    .bind(before.map_or("", Lesson::as_str))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved == 1 {
                    let tokens = spam::tokens(&author_name, &author_email, &body);
                    lessons.add(&tokens, before, -1);
                    lessons.add(&tokens, after, 1);
                }
            }
            apply_lessons!(tx, lessons);
            // One statement for the whole batch; the ids it touched are logged.
            let (statement, verb) = match change {
                Change::Status(_) => ("UPDATE comments SET status = $1 WHERE id IN", "update"),
                Change::Delete { .. } => ("DELETE FROM comments WHERE id IN", "delete"),
            };
            let first = if matches!(change, Change::Status(_)) { 2 } else { 1 };
            let sql = format!("{statement} ({}) RETURNING id", placeholders(first, ids.len()));
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            if let Change::Status(s) = change {
                q = q.bind(s.as_str());
            }
            for id in ids {
                q = q.bind(*id);
            }
            let mut changed: Vec<i64> = q.fetch_all(&mut *tx).await?;
            changed.sort_unstable();
            log_changes!(tx, "comment", &changed, verb)?;
            changed.len() as u64
        })
    }

    /// Deletes every comment written under an email address (a reader's
    /// privacy request), and what they taught the spam filter; returns how
    /// many. Replies to them go too.
    #[tracing::instrument(skip_all)]
    pub async fn erase_comments_of(&self, email: &str) -> Result<u64> {
        let email = email.trim().to_lowercase();
        if email.is_empty() {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "email",
                "Which email address?",
            )]));
        }
        let ids: Vec<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT id FROM comments WHERE LOWER(author_email) = $1").bind(&email).fetch_all(p).await?
        });
        self.change_comments(&ids, Change::Delete { forget: true })
            .await
    }

    /// Replaces a comment's text (moderators fixing a typo or removing a
    /// phone number). What the comment taught the spam filter is retaught
    /// from the new text, and duplicate detection sees the new text.
    pub async fn edit_comment(&self, id: i64, body: &str) -> Result<()> {
        if body.trim().is_empty() {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "comment",
                "A comment is required.",
            )]));
        }
        crate::write_tx!(self, tx => {
            let old: Option<(String, String, String, Option<String>)> = sqlx::query_as(
                "SELECT author_name, author_email, body, trained_as FROM comments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((name, email, old_body, trained_as)) = old else {
                return Err(StoreError::NotFound);
            };
            sqlx::query("UPDATE comments SET body = $1, body_hash = $2 WHERE id = $3")
                .bind(body).bind(body_hash(body)).bind(id).execute(&mut *tx).await?;
            let lesson = Lesson::parse(trained_as.as_deref());
            let mut lessons = Lessons::default();
            lessons.add(&spam::tokens(&name, &email, &old_body), lesson, -1);
            lessons.add(&spam::tokens(&name, &email, body), lesson, 1);
            // The corpus counts comments, not texts: the two adds cancel there.
            apply_lessons!(tx, lessons);
            log_change!(tx, "comment", id, "update")?;
        })
    }
}
