//! The newsroom's trash: an article put there leaves every list but the
//! trash's and can be taken out again until it is deleted for good (30 days
//! on, or when an editor empties the trash). Nothing in it is live: the
//! rules unpublish an article before it goes in (`bbn_newsroom::workflow`).

use crate::changes::log_change;
use crate::{Result, Store, with_pool};

/// How long an article waits in the trash before it is deleted for good.
pub const TRASH_DAYS: i64 = 30;

impl Store {
    /// Puts an article in the trash; false when it was there already (or
    /// is live, which the caller must change first).
    #[tracing::instrument(skip_all)]
    pub async fn trash_article(&self, id: i64, by: Option<i64>) -> Result<bool> {
        let now = self.now();
        crate::write_tx!(self, tx => {
            let put = sqlx::query(
                "INSERT INTO article_trash (article_id, trashed_at, trashed_by)
                 SELECT id, $2, $3 FROM articles WHERE id = $1 AND status NOT IN ('published', 'scheduled')
                 ON CONFLICT (article_id) DO NOTHING",
            )
            .bind(id)
            .bind(now)
            .bind(by)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if put {
                log_change!(tx, "article", id, "update")?;
            }
            put
        })
    }

    /// Takes an article out of the trash, as it was; false when it was not there.
    #[tracing::instrument(skip_all)]
    pub async fn restore_from_trash(&self, id: i64) -> Result<bool> {
        crate::write_tx!(self, tx => {
            let out = sqlx::query("DELETE FROM article_trash WHERE article_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if out {
                log_change!(tx, "article", id, "update")?;
            }
            out
        })
    }

    /// When the article went into the trash, None when it is not there.
    pub async fn trashed_at(&self, id: i64) -> Result<Option<i64>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT trashed_at FROM article_trash WHERE article_id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// How many articles wait in the trash.
    pub async fn trash_count(&self) -> Result<i64> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM article_trash").fetch_one(p).await?
        }))
    }

    /// Deletes for good every article put in the trash at or before
    /// `until`, with everything that belongs to it; their ids. At most
    /// 500 a call (the scheduler calls again while there are more).
    #[tracing::instrument(skip_all)]
    pub async fn empty_trash(&self, until: i64) -> Result<Vec<i64>> {
        crate::write_tx!(self, tx => {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT t.article_id FROM article_trash t JOIN articles a ON a.id = t.article_id
                 WHERE t.trashed_at <= $1 AND a.status NOT IN ('published', 'scheduled')
                 ORDER BY t.trashed_at LIMIT 500",
            )
            .bind(until)
            .fetch_all(&mut *tx)
            .await?;
            for id in &ids {
                sqlx::query("DELETE FROM articles WHERE id = $1").bind(*id).execute(&mut *tx).await?;
                log_change!(tx, "article", *id, "delete")?;
            }
            ids
        })
    }
}
