//! Storing readers' comments. (Reading them for an article page is in `articles::read`.)

use crate::changes::log_change;
use crate::error::OnMissingReference;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::{CommentStatus, ValidationError};

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

impl Store {
    pub async fn add_comment(&self, c: &NewComment) -> Result<i64> {
        let ids = self.add_comments(std::slice::from_ref(c)).await?;
        ids.first().copied().ok_or(StoreError::NotFound)
    }

    /// Stores many comments in one transaction (imports, benchmarks): all or none.
    #[tracing::instrument(skip_all)]
    pub async fn add_comments(&self, comments: &[NewComment]) -> Result<Vec<i64>> {
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
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let mut ids = Vec::with_capacity(comments.len());
            for c in comments {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, status, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(c.article_id).bind(c.parent_id).bind(c.author_name.trim()).bind(c.author_email.trim())
                .bind(&c.body).bind(c.status.as_str()).bind(c.created_at)
                .fetch_one(&mut *tx)
                .await
                .on_missing_reference("article")?;
                log_change!(tx, "comment", id, "create")?;
                ids.push(id);
            }
            tx.commit().await?;
            Ok(ids)
        })
    }
}
