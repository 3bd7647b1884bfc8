//! What feeds and sitemaps read: published articles by ranges of ids, in
//! bounded batches, the newest for news sitemaps, recent approved comments,
//! and when each section, topic and author last changed.

use crate::articles::PUBLISHED_BY_ID;
use crate::taxonomy::TOPIC_IS_PUBLIC;
use crate::{Result, Store, with_pool};

/// One article's line in a sitemap.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SitemapArticle {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    pub published_at: i64,
    /// The later of publication and the last reader-visible update.
    pub modified_at: i64,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
}

/// A section, topic or author with the time its newest article went live.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SitemapPlace {
    pub slug: String,
    pub last_live: Option<i64>,
}

/// An approved comment with the article it is on (the comments feed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecentComment {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    pub article_slug: String,
    pub article_headline: String,
}

const SITEMAP_COLUMNS: &str = "a.id, a.slug, a.headline, a.published_at,
    CASE WHEN a.updated_at IS NOT NULL AND a.updated_at > a.published_at THEN a.updated_at ELSE a.published_at END AS modified_at,
    m.url AS image_url, m.caption AS image_caption";

impl Store {
    /// The highest article id (0 when there are none). Sitemap files cover
    /// fixed ranges of ids, so their number comes from this, not from a count.
    pub async fn max_article_id(&self) -> Result<i64> {
        let id: Option<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT MAX(id) FROM articles").fetch_one(p).await?
        });
        Ok(id.unwrap_or(0))
    }

    /// Up to `limit` published articles with `after < id <= up_to`, by id.
    /// A sitemap file is one such range, read a batch at a time along the
    /// primary key: the same cost for the first file and the last, and old
    /// files do not change as news is added.
    #[tracing::instrument(skip_all)]
    pub async fn sitemap_articles(
        &self,
        after: i64,
        up_to: i64,
        limit: i64,
    ) -> Result<Vec<SitemapArticle>> {
        // Only columns of the `articles_sitemap` index (no headline: a sitemap line has none).
        let sql = format!(
            "SELECT a.id, a.slug, '' AS headline, a.published_at,
                CASE WHEN a.updated_at IS NOT NULL AND a.updated_at > a.published_at THEN a.updated_at ELSE a.published_at END AS modified_at,
                m.url AS image_url, m.caption AS image_caption
             FROM articles a LEFT JOIN media m ON m.id = a.image_id
             WHERE a.id > $1 AND a.id <= $2 AND {PUBLISHED_BY_ID}
             ORDER BY a.id LIMIT $3"
        );
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(after).bind(up_to).bind(limit).fetch_all(p).await?
        }))
    }

    /// Articles published at or after `since`, newest first, at most `limit`
    /// (the news sitemap: the last two days, at most 1,000).
    #[tracing::instrument(skip_all)]
    pub async fn published_since(&self, since: i64, limit: i64) -> Result<Vec<SitemapArticle>> {
        let sql = format!(
            "SELECT {SITEMAP_COLUMNS} FROM articles a LEFT JOIN media m ON m.id = a.image_id
             WHERE a.status = 'published' AND a.published_at >= $1
             ORDER BY a.published_at DESC, a.id DESC LIMIT $2"
        );
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(since).bind(limit).fetch_all(p).await?
        }))
    }

    /// Sections, topics or authors (`kind`) that have a live article, with
    /// the time the newest went live, by slug; a page of at most `limit`.
    #[tracing::instrument(skip_all)]
    pub async fn sitemap_places(
        &self,
        kind: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SitemapPlace>> {
        let sql = match kind {
            "section" => {
                "SELECT s.slug, (SELECT MAX(a.published_at) FROM articles a
                   WHERE a.section_id = s.id AND a.status = 'published') AS last_live
                 FROM sections s ORDER BY s.slug LIMIT $1 OFFSET $2"
            }
            // Only public topics: pages are counted and cut by `count_places`,
            // so topics named only on drafts must not take rows here either.
            "topic" => &format!(
                "SELECT t.slug, (SELECT MAX(x.live_at) FROM article_topics x WHERE x.topic_id = t.id) AS last_live
                 FROM topics t WHERE {TOPIC_IS_PUBLIC} ORDER BY t.slug LIMIT $1 OFFSET $2"
            ),
            "author" => {
                "SELECT au.slug, (SELECT MAX(x.live_at) FROM article_authors x WHERE x.author_id = au.id) AS last_live
                 FROM authors au ORDER BY au.slug LIMIT $1 OFFSET $2"
            }
            _ => return Ok(Vec::new()),
        };
        let rows: Vec<SitemapPlace> = with_pool!(&self.pool, p => {
            sqlx::query_as(sql).bind(limit).bind(offset).fetch_all(p).await?
        });
        // A place with nothing live is not worth a crawler's visit.
        Ok(rows.into_iter().filter(|r| r.last_live.is_some()).collect())
    }

    /// How many published articles a section, topic or author (`kind`) has
    /// (API paging); each count reads the list's own index range.
    pub async fn count_published_in(&self, kind: &str, id: i64) -> Result<i64> {
        let sql = match kind {
            "section" => {
                "SELECT COUNT(*) FROM articles WHERE section_id = $1 AND status = 'published'"
            }
            "topic" => {
                "SELECT COUNT(*) FROM article_topics WHERE topic_id = $1 AND live_at IS NOT NULL"
            }
            "author" => {
                "SELECT COUNT(*) FROM article_authors WHERE author_id = $1 AND live_at IS NOT NULL"
            }
            _ => return Ok(0),
        };
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar(sql).bind(id).fetch_one(p).await?))
    }

    /// How many sections, public topics or authors there are (sitemap paging).
    pub async fn count_places(&self, kind: &str) -> Result<i64> {
        let sql = match kind {
            "section" => "SELECT COUNT(*) FROM sections",
            "topic" => &format!("SELECT COUNT(*) FROM topics t WHERE {TOPIC_IS_PUBLIC}"),
            "author" => "SELECT COUNT(*) FROM authors",
            _ => return Ok(0),
        };
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar(sql).fetch_one(p).await?))
    }

    /// The newest approved comments on published articles, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn recent_comments(&self, limit: i64) -> Result<Vec<RecentComment>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT c.id, c.author_name, c.body, c.created_at, a.slug AS article_slug,
                        a.headline AS article_headline
                 FROM comments c JOIN articles a ON a.id = c.article_id
                 WHERE c.status = 'approved' AND a.status = 'published'
                 ORDER BY c.created_at DESC, c.id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }
}
