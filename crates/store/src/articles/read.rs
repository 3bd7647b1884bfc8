//! Reading articles. Every list reads one index range newest first
//! (see the indexes of the first migration), so its cost does not grow
//! with the size of the archive.

use crate::{Result, Store, with_pool};
use bbn_core::{
    Article, ArticleSummary, Author, BodyFormat, Comment, FaqItem, Media, Section, Status, Topic,
};
use sqlx::FromRow;

/// One page of a list, and whether another follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleList {
    pub items: Vec<ArticleSummary>,
    pub has_more: bool,
}

pub(crate) const SUMMARY_COLUMNS: &str = "a.id, a.slug, a.headline, a.dek, a.kicker, s.slug AS section_slug, \
    s.name AS section_name, a.published_at, m.id AS image_id, m.url AS image_url, \
    m.width AS image_width, m.height AS image_height, m.alt AS image_alt, \
    m.caption AS image_caption, m.credit AS image_credit, m.srcset AS image_srcset, \
    m.focal_x AS image_focal_x, m.focal_y AS image_focal_y, \
    (SELECT COUNT(*) FROM comments cc WHERE cc.article_id = a.id AND cc.status = 'approved') AS comment_count";

pub(crate) const SUMMARY_JOINS: &str =
    "JOIN sections s ON s.id = a.section_id LEFT JOIN media m ON m.id = a.image_id";

/// "Published", for queries that name their articles by id. Written so that
/// no index can serve it: without statistics SQLite would otherwise read
/// every published article through the status index instead of looking the
/// ids up (20 ms instead of 0.1 ms at 100,000 articles).
pub(crate) const PUBLISHED_BY_ID: &str = "a.status || '' = 'published'";

/// Every column of an article and its section and image; `WHERE` follows.
const ARTICLE_SELECT: &str = "SELECT a.id, a.slug, a.headline, a.dek, a.kicker, a.body_markdown, a.body_format, a.body_html, a.body_sanitizer, a.status,
        a.seo_title, a.seo_description, a.comments_open, a.created_at, a.published_at,
        a.updated_at, a.scheduled_at, a.created_by, a.revision, s.id AS section_id, s.slug AS section_slug,
        s.name AS section_name, s.description AS section_description,
        s.nav_position AS section_nav_position, s.parent_id AS section_parent_id, m.id AS image_id, m.url AS image_url,
        m.width AS image_width, m.height AS image_height, m.alt AS image_alt,
        m.caption AS image_caption, m.credit AS image_credit, m.srcset AS image_srcset,
        m.focal_x AS image_focal_x, m.focal_y AS image_focal_y
     FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN media m ON m.id = a.image_id";

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: i64,
    slug: String,
    headline: String,
    dek: String,
    kicker: String,
    section_slug: String,
    section_name: String,
    published_at: Option<i64>,
    comment_count: i64,
    #[sqlx(flatten)]
    image: ImageCols,
}

/// The featured image's columns, as every article query selects them.
#[derive(sqlx::FromRow)]
struct ImageCols {
    image_id: Option<i64>,
    image_url: Option<String>,
    image_width: Option<i64>,
    image_height: Option<i64>,
    image_alt: Option<String>,
    image_caption: Option<String>,
    image_credit: Option<String>,
    image_srcset: Option<String>,
    image_focal_x: Option<i64>,
    image_focal_y: Option<i64>,
}

impl ImageCols {
    fn into_media(self) -> Option<Media> {
        Some(Media {
            id: self.image_id?,
            url: self.image_url?,
            width: self.image_width,
            height: self.image_height,
            alt: self.image_alt.unwrap_or_default(),
            caption: self.image_caption.unwrap_or_default(),
            credit: self.image_credit.unwrap_or_default(),
            srcset: self.image_srcset.unwrap_or_default(),
            focal: (
                self.image_focal_x.unwrap_or(50),
                self.image_focal_y.unwrap_or(50),
            ),
        })
    }
}

impl From<SummaryRow> for ArticleSummary {
    fn from(r: SummaryRow) -> ArticleSummary {
        ArticleSummary {
            image: r.image.into_media(),
            id: r.id,
            slug: r.slug,
            headline: r.headline,
            dek: r.dek,
            kicker: r.kicker,
            section_slug: r.section_slug,
            section_name: r.section_name,
            published_at: r.published_at.unwrap_or_default(),
            comment_count: r.comment_count,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    slug: String,
    headline: String,
    dek: String,
    kicker: String,
    body_markdown: String,
    body_format: String,
    body_html: String,
    body_sanitizer: i64,
    status: String,
    seo_title: String,
    seo_description: String,
    comments_open: bool,
    created_at: i64,
    published_at: Option<i64>,
    updated_at: Option<i64>,
    scheduled_at: Option<i64>,
    created_by: Option<i64>,
    revision: i64,
    section_id: i64,
    section_slug: String,
    section_name: String,
    section_description: String,
    section_nav_position: Option<i64>,
    section_parent_id: Option<i64>,
    #[sqlx(flatten)]
    image: ImageCols,
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    parent_id: Option<i64>,
    author_name: String,
    body: String,
    created_at: i64,
    staff_user_id: Option<i64>,
}

/// (kind, position, id, slug, name, text, job title) of a byline, topic or
/// FAQ item (only a byline has a job title).
type Part = (String, i64, i64, String, String, String, String);
/// A part with the article it belongs to, as a row.
type PartRow = (i64, String, i64, i64, String, String, String, String);

/// Bylines, topics and FAQ items of the articles matched by `articles`
/// (e.g. "= $1"), each kind in the writer's order.
fn parts_sql(articles: &str) -> String {
    format!(
        "SELECT x.article_id, 'author', x.position, au.id, au.slug, au.name, au.bio, COALESCE(au.job_title, '') FROM article_authors x
           JOIN authors au ON au.id = x.author_id WHERE x.article_id {articles}
         UNION ALL
         SELECT x.article_id, 'topic', x.position, t.id, t.slug, t.name, t.description, '' FROM article_topics x
           JOIN topics t ON t.id = x.topic_id WHERE x.article_id {articles}
         UNION ALL
         SELECT f.article_id, 'faq', f.position, 0, '', f.question, f.answer, '' FROM faq_items f
           WHERE f.article_id {articles}
         ORDER BY 1, 2, 3"
    )
}

fn part((_, kind, position, id, slug, name, text, job_title): PartRow) -> Part {
    (kind, position, id, slug, name, text, job_title)
}

fn split_parts(parts: impl IntoIterator<Item = Part>) -> (Vec<Author>, Vec<Topic>, Vec<FaqItem>) {
    let mut authors = Vec::new();
    let mut topics = Vec::new();
    let mut faq = Vec::new();
    for (kind, _, id, slug, name, text, job_title) in parts {
        match kind.as_str() {
            "author" => authors.push(Author {
                id,
                slug,
                name,
                bio: text,
                job_title,
            }),
            "topic" => topics.push(Topic {
                id,
                slug,
                name,
                description: text,
            }),
            _ => faq.push(FaqItem {
                question: name,
                answer: text,
            }),
        }
    }
    (authors, topics, faq)
}

fn assemble(r: ArticleRow, authors: Vec<Author>, topics: Vec<Topic>, faq: Vec<FaqItem>) -> Article {
    Article {
        image: r.image.into_media(),
        id: r.id,
        slug: r.slug,
        headline: r.headline,
        dek: r.dek,
        kicker: r.kicker,
        body_markdown: r.body_markdown,
        body_format: BodyFormat::parse(&r.body_format).unwrap_or_default(),
        body_html: crate::bodies::trusted(r.body_html, r.body_sanitizer),
        section: Section {
            id: r.section_id,
            slug: r.section_slug,
            name: r.section_name,
            description: r.section_description,
            nav_position: r.section_nav_position,
            parent_id: r.section_parent_id,
        },
        status: Status::parse(&r.status).unwrap_or(Status::Draft),
        seo_title: r.seo_title,
        seo_description: r.seo_description,
        comments_open: r.comments_open,
        created_at: r.created_at,
        published_at: r.published_at,
        updated_at: r.updated_at,
        scheduled_at: r.scheduled_at,
        created_by: r.created_by,
        revision: r.revision,
        authors,
        topics,
        faq: faq
            .into_iter()
            .map(|f| FaqItem {
                question: f.question,
                answer: f.answer,
            })
            .collect(),
    }
}

/// Runs a summary query that selects `limit + 1` rows, so the page knows whether another follows.
macro_rules! summary_page {
    ($store:expr, $sql:expr, $limit:expr, [$($arg:expr),*]) => {{
        let rows: Vec<SummaryRow> = with_pool!(&$store.pool, p => {
            sqlx::query_as(&$sql)$(.bind($arg))*.fetch_all(p).await?
        });
        let (rows, has_more) = crate::one_page(rows, $limit);
        let items = rows.into_iter().map(ArticleSummary::from).collect();
        Ok(ArticleList { items, has_more })
    }};
}

impl Store {
    /// A published or unpublished article by its current slug (readers' pages
    /// check the status; the newsroom previews drafts).
    #[tracing::instrument(skip_all)]
    pub async fn article_by_slug(&self, slug: &str) -> Result<Option<Article>> {
        self.article_where(
            "a.slug = $1",
            "= (SELECT id FROM articles WHERE slug = $1)",
            slug.to_owned(),
        )
        .await
    }

    #[tracing::instrument(skip_all)]
    pub async fn article_by_id(&self, id: i64) -> Result<Option<Article>> {
        self.article_where("a.id = $1", "= $1", id).await
    }

    /// The article matching `condition`, with its bylines, topics and FAQ
    /// (`parts_of`: the same article as a condition on an article id). The
    /// two queries run at once, on two connections: a page waits for one
    /// round trip, not two. An edit landing between them is rendered from
    /// both sides at worst, and the page cache refuses a render its
    /// article changed during.
    async fn article_where<T>(
        &self,
        condition: &str,
        parts_of: &str,
        key: T,
    ) -> Result<Option<Article>>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + for<'q> sqlx::Encode<'q, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>
            + Send
            + Clone,
    {
        let sql = format!("{ARTICLE_SELECT} WHERE {condition}");
        // Bylines, topics and FAQ in one query, each in the writer's order.
        let parts_sql = parts_sql(parts_of);
        let (row, parts) = with_pool!(&self.pool, p => {
            let (row, parts) = futures_util::future::join(
                sqlx::query_as::<_, ArticleRow>(&sql).bind(key.clone()).fetch_optional(p),
                sqlx::query_as::<_, PartRow>(&parts_sql).bind(key).fetch_all(p),
            )
            .await;
            let Some(row) = row? else { return Ok(None) };
            (row, parts?)
        });
        let (authors, topics, faq) = split_parts(parts.into_iter().map(part));
        Ok(Some(assemble(row, authors, topics, faq)))
    }

    /// Whole published articles, in the order asked for (feeds and APIs):
    /// one query for the articles and one for all their bylines, topics and FAQs.
    #[tracing::instrument(skip_all)]
    pub async fn published_articles(&self, ids: &[i64]) -> Result<Vec<Article>> {
        let mut out = Vec::with_capacity(ids.len());
        for batch in ids.chunks(200) {
            let marks = (1..=batch.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("{ARTICLE_SELECT} WHERE {PUBLISHED_BY_ID} AND a.id IN ({marks})");
            let parts_sql = parts_sql(&format!("IN ({marks})"));
            let (rows, parts) = with_pool!(&self.pool, p => {
                let mut q = sqlx::query_as::<_, ArticleRow>(&sql);
                for id in batch {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(p).await?;
                let mut q = sqlx::query_as::<_, PartRow>(&parts_sql);
                for id in batch {
                    q = q.bind(*id);
                }
                (rows, q.fetch_all(p).await?)
            });
            let mut by_article: std::collections::HashMap<i64, Vec<Part>> = Default::default();
            for row in parts {
                by_article.entry(row.0).or_default().push(part(row));
            }
            let mut found: Vec<Article> = rows
                .into_iter()
                .map(|row| {
                    let (authors, topics, faq) =
                        split_parts(by_article.remove(&row.id).unwrap_or_default());
                    assemble(row, authors, topics, faq)
                })
                .collect();
            found.sort_by_key(|a| batch.iter().position(|id| *id == a.id));
            out.extend(found);
        }
        Ok(out)
    }

    /// The current slug of the article that once had `old_slug`.
    #[tracing::instrument(skip_all)]
    pub async fn slug_redirect(&self, old_slug: &str) -> Result<Option<String>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar(
                "SELECT a.slug FROM slug_history h JOIN articles a ON a.id = h.article_id WHERE h.slug = $1",
            )
            .bind(old_slug)
            .fetch_optional(p)
            .await?
        }))
    }

    /// Published articles, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn latest(&self, limit: i64, offset: i64) -> Result<ArticleList> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a {SUMMARY_JOINS}
             WHERE a.status = 'published' ORDER BY a.published_at DESC, a.id DESC LIMIT $1 OFFSET $2"
        );
        summary_page!(self, sql, limit, [limit + 1, offset])
    }

    #[tracing::instrument(skip_all)]
    pub async fn section_articles(
        &self,
        section_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<ArticleList> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a {SUMMARY_JOINS}
             WHERE a.section_id = $1 AND a.status = 'published'
             ORDER BY a.published_at DESC, a.id DESC LIMIT $2 OFFSET $3"
        );
        summary_page!(self, sql, limit, [section_id, limit + 1, offset])
    }

    #[tracing::instrument(skip_all)]
    pub async fn topic_articles(
        &self,
        topic_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<ArticleList> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM article_topics x JOIN articles a ON a.id = x.article_id {SUMMARY_JOINS}
             WHERE x.topic_id = $1 AND x.live_at IS NOT NULL
             ORDER BY x.live_at DESC, x.article_id DESC LIMIT $2 OFFSET $3"
        );
        summary_page!(self, sql, limit, [topic_id, limit + 1, offset])
    }

    #[tracing::instrument(skip_all)]
    pub async fn author_articles(
        &self,
        author_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<ArticleList> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM article_authors x JOIN articles a ON a.id = x.article_id {SUMMARY_JOINS}
             WHERE x.author_id = $1 AND x.live_at IS NOT NULL
             ORDER BY x.live_at DESC, x.article_id DESC LIMIT $2 OFFSET $3"
        );
        summary_page!(self, sql, limit, [author_id, limit + 1, offset])
    }

    /// The newest `per_section` articles of each section, in one round trip
    /// (each part reads its own index range). Grouped by section, in the order given.
    #[tracing::instrument(skip_all)]
    pub async fn section_fronts(
        &self,
        section_ids: &[i64],
        per_section: i64,
    ) -> Result<Vec<(i64, Vec<ArticleSummary>)>> {
        if section_ids.is_empty() {
            return Ok(Vec::new());
        }
        let limit = section_ids.len() + 1;
        let parts: Vec<String> = (1..=section_ids.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT {SUMMARY_COLUMNS}, a.section_id AS front_section FROM articles a {SUMMARY_JOINS}
                     WHERE a.section_id = ${i} AND a.status = 'published'
                     ORDER BY a.published_at DESC, a.id DESC LIMIT ${limit}) AS front{i}"
                )
            })
            .collect();
        let sql = parts.join(" UNION ALL ");
        let rows: Vec<(SummaryRow, i64)> = with_pool!(&self.pool, p => {
            let mut q = sqlx::query(&sql);
            for id in section_ids {
                q = q.bind(*id);
            }
            q.bind(per_section)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| Ok((SummaryRow::from_row(r)?, sqlx::Row::try_get::<i64, _>(r, "front_section")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let mut fronts: Vec<(i64, Vec<ArticleSummary>)> =
            section_ids.iter().map(|id| (*id, Vec::new())).collect();
        for (row, section) in rows {
            if let Some((_, list)) = fronts.iter_mut().find(|(id, _)| *id == section) {
                list.push(ArticleSummary::from(row));
            }
        }
        Ok(fronts)
    }

    /// The editors' picks that are live, in the editors' order.
    #[tracing::instrument(skip_all)]
    pub async fn editors_picks(&self, limit: i64) -> Result<Vec<ArticleSummary>> {
        // The picks first (a few rows), then their articles by id: joined in
        // one query, SQLite would read every published article.
        let ids: Vec<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT article_id FROM editors_picks ORDER BY position, article_id")
                .fetch_all(p)
                .await?
        });
        let mut picks = self.summaries_by_ids(&ids).await?;
        picks.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(picks)
    }

    /// These articles, those that are published, in the order asked for.
    #[tracing::instrument(skip_all)]
    pub async fn summaries_by_ids(&self, ids: &[i64]) -> Result<Vec<ArticleSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = crate::db::placeholders(1, ids.len());
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a {SUMMARY_JOINS}
             WHERE {PUBLISHED_BY_ID} AND a.id IN ({marks})"
        );
        let rows: Vec<SummaryRow> = with_pool!(&self.pool, p => {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        let mut found: Vec<ArticleSummary> = rows.into_iter().map(ArticleSummary::from).collect();
        found.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
        Ok(found)
    }

    /// "You may also like": the newest articles on the article's main topic,
    /// then the newest in its section, never the article itself.
    #[tracing::instrument(skip_all)]
    pub async fn related(&self, article: &Article, limit: i64) -> Result<Vec<ArticleSummary>> {
        let mut picked: Vec<ArticleSummary> = Vec::new();
        if let Some(topic) = article.topics.first() {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM article_topics x JOIN articles a ON a.id = x.article_id {SUMMARY_JOINS}
                 WHERE x.topic_id = $1 AND x.live_at IS NOT NULL AND x.article_id <> $2
                 ORDER BY x.live_at DESC, x.article_id DESC LIMIT $3"
            );
            let rows: Vec<SummaryRow> = with_pool!(&self.pool, p => {
                sqlx::query_as(&sql).bind(topic.id).bind(article.id).bind(limit).fetch_all(p).await?
            });
            picked.extend(rows.into_iter().map(ArticleSummary::from));
        }
        if (picked.len() as i64) < limit {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM articles a {SUMMARY_JOINS}
                 WHERE a.section_id = $1 AND a.status = 'published' AND a.id <> $2
                 ORDER BY a.published_at DESC, a.id DESC LIMIT $3"
            );
            let rows: Vec<SummaryRow> = with_pool!(&self.pool, p => {
                sqlx::query_as(&sql).bind(article.section.id).bind(article.id).bind(limit * 2).fetch_all(p).await?
            });
            for s in rows.into_iter().map(ArticleSummary::from) {
                if (picked.len() as i64) < limit && !picked.iter().any(|x| x.id == s.id) {
                    picked.push(s);
                }
            }
        }
        Ok(picked)
    }

    /// The approved comments of an article, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn approved_comments(&self, article_id: i64) -> Result<Vec<Comment>> {
        let rows: Vec<CommentRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT id, parent_id, author_name, body, created_at, staff_user_id FROM comments
                 WHERE article_id = $1 AND status = 'approved' ORDER BY created_at, id",
            )
            .bind(article_id)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Comment {
                id: r.id,
                parent_id: r.parent_id,
                author_name: r.author_name,
                body: r.body,
                created_at: r.created_at,
                staff: r.staff_user_id.is_some(),
            })
            .collect())
    }
}
