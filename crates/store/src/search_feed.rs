//! What the search index needs of published articles, read in batches:
//! one query for the articles and one each for their bylines and topics.

use crate::db::placeholders;
use crate::{Result, Store, with_pool};
use std::collections::HashMap;

/// A published article as the search index stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    pub dek: String,
    /// The body as written; `body_format` says how to read it.
    pub body_markdown: String,
    pub body_format: bbn_core::BodyFormat,
    pub section_slug: String,
    pub section_name: String,
    pub published_at: i64,
    /// (slug, name), in the article's order.
    pub topics: Vec<(String, String)>,
    pub authors: Vec<(String, String)>,
}

/// (article id, slug, name) of a topic or author on an article.
type Named = (i64, String, String);
type SlugName = (String, String);

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    slug: String,
    headline: String,
    dek: String,
    body_markdown: String,
    body_format: String,
    section_slug: String,
    section_name: String,
    published_at: i64,
}

/// Published articles (by id: see `articles::PUBLISHED_BY_ID` for the `|| ''`).
const SELECT: &str =
    "SELECT a.id, a.slug, a.headline, a.dek, a.body_markdown, a.body_format, s.slug AS section_slug,
        s.name AS section_name, COALESCE(a.published_at, 0) AS published_at
     FROM articles a JOIN sections s ON s.id = a.section_id
     WHERE a.status || '' = 'published'";

impl Store {
    /// Published articles with an id above `after`, by id, at most `limit`
    /// (a full reindex pages through them).
    #[tracing::instrument(skip_all)]
    pub async fn search_docs_after(&self, after: i64, limit: i64) -> Result<Vec<SearchDoc>> {
        let sql = format!("{SELECT} AND a.id > $1 ORDER BY a.id LIMIT $2");
        let rows: Vec<Row> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(after).bind(limit).fetch_all(p).await?
        });
        self.with_names(rows).await
    }

    /// These articles, those of them that are published.
    #[tracing::instrument(skip_all)]
    pub async fn search_docs(&self, ids: &[i64]) -> Result<Vec<SearchDoc>> {
        let mut out = Vec::with_capacity(ids.len());
        for batch in ids.chunks(500) {
            let sql = format!(
                "{SELECT} AND a.id IN ({}) ORDER BY a.id",
                placeholders(1, batch.len())
            );
            let rows: Vec<Row> = with_pool!(&self.pool, p => {
                let mut q = sqlx::query_as(&sql);
                for id in batch {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            out.extend(self.with_names(rows).await?);
        }
        Ok(out)
    }

    /// How many articles are published.
    pub async fn count_published(&self) -> Result<u64> {
        let n: i64 = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published'").fetch_one(p).await?
        });
        Ok(n.max(0) as u64)
    }

    /// The articles a section, topic or author appears on (their documents
    /// change when it is renamed or merged).
    pub async fn article_ids_using(&self, entity: &str, id: i64) -> Result<Vec<i64>> {
        let sql = match entity {
            "section" => "SELECT id FROM articles WHERE section_id = $1",
            "topic" => "SELECT article_id FROM article_topics WHERE topic_id = $1",
            "author" => "SELECT article_id FROM article_authors WHERE author_id = $1",
            _ => return Ok(Vec::new()),
        };
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar(sql).bind(id).fetch_all(p).await?
        }))
    }

    async fn with_names(&self, rows: Vec<Row>) -> Result<Vec<SearchDoc>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut topics: Vec<Named> = Vec::new();
        let mut authors: Vec<Named> = Vec::new();
        // A bounded number of bind parameters per statement, whatever the caller asked for.
        for chunk in rows.chunks(500) {
            let ids = placeholders(1, chunk.len());
            let topics_sql = format!(
                "SELECT at.article_id, t.slug, t.name FROM article_topics at JOIN topics t ON t.id = at.topic_id
                 WHERE at.article_id IN ({ids}) ORDER BY at.article_id, at.position"
            );
            let authors_sql = format!(
                "SELECT aa.article_id, u.slug, u.name FROM article_authors aa JOIN authors u ON u.id = aa.author_id
                 WHERE aa.article_id IN ({ids}) ORDER BY aa.article_id, aa.position"
            );
            let (t, a): (Vec<Named>, Vec<Named>) = with_pool!(&self.pool, p => {
                let mut tq = sqlx::query_as(&topics_sql);
                let mut aq = sqlx::query_as(&authors_sql);
                for r in chunk {
                    tq = tq.bind(r.id);
                    aq = aq.bind(r.id);
                }
                (tq.fetch_all(p).await?, aq.fetch_all(p).await?)
            });
            topics.extend(t);
            authors.extend(a);
        }
        let mut by_article: HashMap<i64, (Vec<SlugName>, Vec<SlugName>)> = HashMap::new();
        for (id, slug, name) in topics {
            by_article.entry(id).or_default().0.push((slug, name));
        }
        for (id, slug, name) in authors {
            by_article.entry(id).or_default().1.push((slug, name));
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let (topics, authors) = by_article.remove(&r.id).unwrap_or_default();
                SearchDoc {
                    id: r.id,
                    slug: r.slug,
                    headline: r.headline,
                    dek: r.dek,
                    body_markdown: r.body_markdown,
                    body_format: bbn_core::BodyFormat::parse(&r.body_format).unwrap_or_default(),
                    section_slug: r.section_slug,
                    section_name: r.section_name,
                    published_at: r.published_at,
                    topics,
                    authors,
                }
            })
            .collect())
    }
}
