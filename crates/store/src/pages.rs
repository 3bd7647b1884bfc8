//! Static pages (About, Contact, Terms): written in the newsroom or brought
//! in by an import, shown at `/{slug}`, some of them in the footer.

use crate::changes::log_change;
use crate::error::OnConflict;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::markdown::SANITIZER_VERSION;
use bbn_core::validate::PageDraft;
use bbn_core::{BodyFormat, Page, PageStatus};

#[derive(sqlx::FromRow)]
struct PageRow {
    id: i64,
    slug: String,
    title: String,
    body_format: String,
    body: String,
    body_html: String,
    body_sanitizer: i64,
    status: String,
    footer_position: Option<i64>,
    seo_description: String,
    created_at: i64,
    published_at: Option<i64>,
    modified_at: i64,
}

impl From<PageRow> for Page {
    fn from(r: PageRow) -> Page {
        Page {
            id: r.id,
            slug: r.slug,
            title: r.title,
            body_format: BodyFormat::parse(&r.body_format).unwrap_or_default(),
            body: r.body,
            body_html: crate::bodies::trusted(r.body_html, r.body_sanitizer),
            status: PageStatus::parse(&r.status).unwrap_or(PageStatus::Draft),
            footer_position: r.footer_position,
            seo_description: r.seo_description,
            created_at: r.created_at,
            published_at: r.published_at,
            modified_at: r.modified_at,
        }
    }
}

const PAGE_COLUMNS: &str =
    "SELECT id, slug, title, body_format, body, body_html, body_sanitizer, status, footer_position,
    seo_description, created_at, published_at, modified_at FROM pages";

/// A page in a list: what the footer and the newsroom's list show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: PageStatus,
    pub footer_position: Option<i64>,
    pub modified_at: i64,
}

impl Store {
    /// Creates a page and returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn create_page(&self, draft: PageDraft) -> Result<i64> {
        let d = draft.normalize().map_err(StoreError::Invalid)?;
        let html = crate::bodies::render(d.body_format, &d.body).await;
        let now = self.now();
        let published_at = (d.status == PageStatus::Published).then_some(now);
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO pages (slug, title, body_format, body, body_html, status, footer_position,
                seo_description, created_at, published_at, modified_at, body_sanitizer)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11) RETURNING id",
            )
            .bind(&d.slug).bind(&d.title).bind(d.body_format.as_str()).bind(&d.body).bind(&html)
            .bind(d.status.as_str()).bind(d.footer_position).bind(&d.seo_description).bind(now)
            .bind(published_at).bind(SANITIZER_VERSION)
            .fetch_one(&mut *tx)
            .await
            .on_conflict("slug")?;
            log_change!(tx, "page", id, "create")?;
            id
        })
    }

    /// Replaces a page. The first publication keeps its date through later edits.
    #[tracing::instrument(skip_all)]
    pub async fn save_page(&self, id: i64, draft: PageDraft) -> Result<()> {
        let d = draft.normalize().map_err(StoreError::Invalid)?;
        let html = crate::bodies::render(d.body_format, &d.body).await;
        let now = self.now();
        let published = d.status == PageStatus::Published;
        crate::write_tx!(self, tx => {
            let n = sqlx::query(
                "UPDATE pages SET slug = $1, title = $2, body_format = $3, body = $4, body_html = $5,
                status = $6, footer_position = $7, seo_description = $8, modified_at = $9,
                published_at = CASE WHEN $10 THEN COALESCE(published_at, $9) ELSE published_at END,
                body_sanitizer = $12
             WHERE id = $11",
            )
            .bind(&d.slug).bind(&d.title).bind(d.body_format.as_str()).bind(&d.body).bind(&html)
            .bind(d.status.as_str()).bind(d.footer_position).bind(&d.seo_description).bind(now)
            .bind(published).bind(id).bind(SANITIZER_VERSION)
            .execute(&mut *tx)
            .await
            .on_conflict("slug")?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            log_change!(tx, "page", id, "update")?;
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn delete_page(&self, id: i64) -> Result<()> {
        crate::write_tx!(self, tx => {
            sqlx::query("DELETE FROM redirects WHERE target_kind = 'page' AND target_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM pages WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            log_change!(tx, "page", id, "delete")?;
        })
    }

    /// Any page, for the newsroom.
    #[tracing::instrument(skip_all)]
    pub async fn page(&self, id: i64) -> Result<Option<Page>> {
        let sql = format!("{PAGE_COLUMNS} WHERE id = $1");
        let row: Option<PageRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        Ok(row.map(Page::from))
    }

    /// A page by its slug, whatever its status (readers' handlers check it).
    #[tracing::instrument(skip_all)]
    pub async fn page_by_slug(&self, slug: &str) -> Result<Option<Page>> {
        let sql = format!("{PAGE_COLUMNS} WHERE slug = $1");
        let row: Option<PageRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(slug).fetch_optional(p).await?);
        Ok(row.map(Page::from))
    }

    /// One page of the newsroom's list, by title: pages whose title or
    /// slug holds `words` (all pages without), `limit` from `offset`, and
    /// whether more follow.
    #[tracing::instrument(skip_all)]
    pub async fn page_list(
        &self,
        words: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<PageLink>, bool)> {
        let pattern = crate::contains_pattern(words);
        let rows: Vec<LinkRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT id, slug, title, status, footer_position, modified_at FROM pages
                 WHERE $1 IS NULL OR LOWER(title) LIKE $1 ESCAPE '\\' OR slug LIKE $1 ESCAPE '\\'
                 ORDER BY title, id LIMIT $2 OFFSET $3",
            )
            .bind(pattern)
            .bind(limit + 1)
            .bind(offset)
            .fetch_all(p)
            .await?
        });
        let (rows, more) = crate::one_page(rows, limit);
        Ok((rows.into_iter().map(PageLink::from).collect(), more))
    }

    /// Published pages in the footer, in their order.
    #[tracing::instrument(skip_all)]
    pub async fn footer_pages(&self) -> Result<Vec<PageLink>> {
        self.page_links(
            "SELECT id, slug, title, status, footer_position, modified_at FROM pages
             WHERE footer_position IS NOT NULL AND status = 'published' ORDER BY footer_position, id",
        )
        .await
    }

    /// Published pages, for sitemaps and APIs: (slug, title, last modified).
    #[tracing::instrument(skip_all)]
    pub async fn published_pages(&self) -> Result<Vec<Page>> {
        let sql = format!("{PAGE_COLUMNS} WHERE status = 'published' ORDER BY id");
        let rows: Vec<PageRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(Page::from).collect())
    }

    async fn page_links(&self, sql: &str) -> Result<Vec<PageLink>> {
        let rows: Vec<LinkRow> =
            with_pool!(&self.pool, p => sqlx::query_as(sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(PageLink::from).collect())
    }
}

/// A page link's columns: id, slug, title, status, footer position, last change.
type LinkRow = (i64, String, String, String, Option<i64>, i64);

impl From<LinkRow> for PageLink {
    fn from((id, slug, title, status, footer_position, modified_at): LinkRow) -> Self {
        PageLink {
            id,
            slug,
            title,
            status: PageStatus::parse(&status).unwrap_or(PageStatus::Draft),
            footer_position,
            modified_at,
        }
    }
}
