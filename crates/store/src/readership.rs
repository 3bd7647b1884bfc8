//! "Most Read": article page views, counted per hour and nothing else.

use crate::articles::{SUMMARY_COLUMNS, SUMMARY_JOINS, SummaryRow};
use crate::{Result, Store, with_pool};
use bbn_core::ArticleSummary;

impl Store {
    /// Adds counted views: (article id, hour = Unix time / 3600, views).
    /// Views of an article deleted meanwhile are dropped.
    #[tracing::instrument(skip_all)]
    pub async fn add_views(&self, counts: &[(i64, i64, i64)]) -> Result<()> {
        if counts.is_empty() {
            return Ok(());
        }
        crate::write_tx!(self, tx => {
            for (article, hour, views) in counts {
                sqlx::query(
                    "INSERT INTO article_views (article_id, hour, views)
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1)
                 ON CONFLICT (article_id, hour) DO UPDATE SET views = article_views.views + excluded.views",
                )
                .bind(*article).bind(*hour).bind(*views)
                .execute(&mut *tx)
                .await?;
            }
        })
    }

    /// The published articles read most since `since_hour`, most first.
    /// (Read from the window's views by their hour, never from every
    /// published article nor every hour: the status test and the grouping
    /// are written so that no index serves them.)
    #[tracing::instrument(skip_all)]
    pub async fn most_read(&self, since_hour: i64, limit: i64) -> Result<Vec<ArticleSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM (
                 SELECT +w.article_id AS article_id, SUM(w.views) AS total FROM article_views w
                 JOIN articles p ON p.id = w.article_id AND p.status || '' = 'published'
                 WHERE w.hour >= $1
                 GROUP BY +w.article_id ORDER BY total DESC, article_id DESC LIMIT $2
             ) v JOIN articles a ON a.id = v.article_id {SUMMARY_JOINS}
             ORDER BY v.total DESC, a.id DESC"
        );
        let rows: Vec<SummaryRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(since_hour).bind(limit).fetch_all(p).await?
        });
        Ok(rows.into_iter().map(ArticleSummary::from).collect())
    }
}
