//! Writing articles: every write validates through `bbn_core`, renders the
//! body to sanitized HTML, keeps the denormalized `live_at` of bylines and
//! topics in step with the article, and logs the change, all in one transaction.

use crate::changes::log_change;
use crate::error::{OnConflict, OnMissingReference};
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::validate::ArticleDraft;
use bbn_core::{Status, ValidationError, markdown};

/// An image to record in the media library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMedia {
    pub url: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

fn live_at(d: &ArticleDraft) -> Option<i64> {
    if d.status == Status::Published {
        d.published_at
    } else {
        None
    }
}

/// Writes an article's bylines, topics and FAQ, replacing what it had.
macro_rules! write_parts {
    ($tx:expr, $id:expr, $d:expr) => {{
        let live = live_at(&$d);
        sqlx::query("DELETE FROM article_authors WHERE article_id = $1").bind($id).execute(&mut *$tx).await?;
        sqlx::query("DELETE FROM article_topics WHERE article_id = $1").bind($id).execute(&mut *$tx).await?;
        sqlx::query("DELETE FROM faq_items WHERE article_id = $1").bind($id).execute(&mut *$tx).await?;
        for (pos, author) in $d.author_ids.iter().enumerate() {
            sqlx::query("INSERT INTO article_authors (article_id, author_id, position, live_at) VALUES ($1, $2, $3, $4)")
                .bind($id).bind(*author).bind(pos as i64).bind(live)
                .execute(&mut *$tx).await.on_missing_reference("authors")?;
        }
        for (pos, topic) in $d.topic_ids.iter().enumerate() {
            sqlx::query("INSERT INTO article_topics (article_id, topic_id, position, live_at) VALUES ($1, $2, $3, $4)")
                .bind($id).bind(*topic).bind(pos as i64).bind(live)
                .execute(&mut *$tx).await.on_missing_reference("topics")?;
        }
        for (pos, item) in $d.faq.iter().enumerate() {
            sqlx::query("INSERT INTO faq_items (article_id, position, question, answer) VALUES ($1, $2, $3, $4)")
                .bind($id).bind(pos as i64).bind(item.question.trim()).bind(item.answer.trim())
                .execute(&mut *$tx).await?;
        }
        // A slug now in use no longer redirects elsewhere.
        sqlx::query("DELETE FROM slug_history WHERE slug = $1").bind(&$d.slug).execute(&mut *$tx).await?;
    }};
}

fn dedup(ids: &mut Vec<i64>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
}

fn prepare(draft: ArticleDraft) -> Result<(ArticleDraft, String)> {
    let mut d = draft.normalize().map_err(StoreError::Invalid)?;
    dedup(&mut d.author_ids);
    dedup(&mut d.topic_ids);
    let html = markdown::to_safe_html(&d.body_markdown);
    Ok((d, html))
}

impl Store {
    /// Creates an article and returns its id.
    pub async fn create_article(&self, draft: ArticleDraft) -> Result<i64> {
        let ids = self.create_articles(vec![draft]).await?;
        ids.first().copied().ok_or(StoreError::NotFound)
    }

    /// Creates many articles in one transaction (imports, benchmarks): all or none.
    #[tracing::instrument(skip_all)]
    pub async fn create_articles(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<i64>> {
        let prepared = drafts
            .into_iter()
            .map(prepare)
            .collect::<Result<Vec<_>>>()?;
        let now = bbn_core::time::now();
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let mut ids = Vec::with_capacity(prepared.len());
            for (d, html) in &prepared {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO articles (slug, headline, dek, kicker, body_markdown, body_html, section_id, status,
                        image_id, seo_title, seo_description, comments_open, created_at, published_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                )
                .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(html)
                .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
                .bind(&d.seo_description).bind(d.comments_open).bind(now).bind(d.published_at)
                .fetch_one(&mut *tx)
                .await
                .on_conflict("slug")
                .or_else(|e| match e {
                    StoreError::Database(db) => Err(db).on_missing_reference("section"),
                    other => Err(other),
                })?;
                write_parts!(tx, id, d);
                log_change!(tx, "article", id, "create")?;
                ids.push(id);
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Replaces an article's content. With `expected_revision`, a save based
    /// on an older revision is refused with `Conflict` and changes nothing.
    /// A changed slug keeps the old one as a redirect.
    #[tracing::instrument(skip_all)]
    pub async fn update_article(
        &self,
        id: i64,
        draft: ArticleDraft,
        expected_revision: Option<i64>,
        mark_updated: bool,
    ) -> Result<()> {
        let (d, html) = prepare(draft)?;
        let now = bbn_core::time::now();
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let current: Option<(String, i64)> =
                sqlx::query_as("SELECT slug, revision FROM articles WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((old_slug, revision)) = current else { return Err(StoreError::NotFound) };
            if expected_revision.is_some_and(|r| r != revision) {
                return Err(StoreError::Conflict { field: "revision" });
            }
            sqlx::query(
                "UPDATE articles SET slug = $1, headline = $2, dek = $3, kicker = $4, body_markdown = $5,
                    body_html = $6, section_id = $7, status = $8, image_id = $9, seo_title = $10,
                    seo_description = $11, comments_open = $12, published_at = $13,
                    updated_at = CASE WHEN $14 THEN $15 ELSE updated_at END, revision = revision + 1
                 WHERE id = $16",
            )
            .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(&html)
            .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
            .bind(&d.seo_description).bind(d.comments_open).bind(d.published_at)
            .bind(mark_updated).bind(now).bind(id)
            .execute(&mut *tx)
            .await
            .on_conflict("slug")?;
            if old_slug != d.slug {
                sqlx::query(
                    "INSERT INTO slug_history (slug, article_id) VALUES ($1, $2)
                     ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id",
                )
                .bind(&old_slug)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            write_parts!(tx, id, d);
            log_change!(tx, "article", id, "update")?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Sets the editors' picks, in order, replacing the previous list.
    #[tracing::instrument(skip_all)]
    pub async fn set_editors_picks(&self, article_ids: &[i64]) -> Result<()> {
        let mut ids = article_ids.to_vec();
        dedup(&mut ids);
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM editors_picks").execute(&mut *tx).await?;
            for (pos, id) in ids.iter().enumerate() {
                sqlx::query("INSERT INTO editors_picks (article_id, position) VALUES ($1, $2)")
                    .bind(*id)
                    .bind(pos as i64)
                    .execute(&mut *tx)
                    .await
                    .on_missing_reference("article")?;
            }
            log_change!(tx, "picks", 0_i64, "update")?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records an image in the media library.
    #[tracing::instrument(skip_all)]
    pub async fn create_media(&self, m: &NewMedia) -> Result<i64> {
        if m.url.trim().is_empty() {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "url",
                "An image needs a URL.",
            )]));
        }
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO media (url, width, height, alt, caption, credit, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&m.url).bind(m.width).bind(m.height).bind(&m.alt).bind(&m.caption).bind(&m.credit)
            .bind(bbn_core::time::now())
            .fetch_one(&mut *tx)
            .await?;
            log_change!(tx, "media", id, "create")?;
            tx.commit().await?;
            Ok(id)
        })
    }
}
