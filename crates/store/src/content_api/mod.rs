//! What the Ghost-compatible Content API reads: pages of published article
//! ids, topics and bylines chosen by a `filter` and sorted by an `order`,
//! their totals, and post counts for many topics or bylines in one grouped
//! query. Whole articles then come from `published_articles`, so a list
//! costs the same few queries whatever its length.

pub mod filter;
pub mod sql;

use crate::{Result, Store, StoreError, with_pool};
use bbn_core::{Author, Topic, ValidationError};
use sql::Bind;
use std::collections::HashMap;

pub use filter::FilterError;
pub use sql::{Resource, object_id, parse_object_id};

/// One page of a list: which rows, from where, and how many match in all.
#[derive(Debug, Clone)]
pub struct ContentQuery<'a> {
    /// The `filter` parameter as the client wrote it.
    pub filter: Option<&'a str>,
    /// The `order` parameter as the client wrote it.
    pub order: Option<&'a str>,
    pub limit: i64,
    pub offset: i64,
    /// Only the row with this id or slug (reading one resource).
    pub exact: Option<Exact<'a>>,
}

/// One row asked for by id or by slug.
#[derive(Debug, Clone, Copy)]
pub enum Exact<'a> {
    Id(i64),
    Slug(&'a str),
}

/// A page of rows and the number of rows the filter matches in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentPage<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A WHERE clause (with its binds) and an ORDER BY for one query, or the
/// reason the client's parameters cannot be answered (naming the parameter).
fn prepare(resource: Resource, q: &ContentQuery<'_>) -> Result<(String, Vec<Bind>, String)> {
    let invalid = |field: &'static str, message: String| {
        StoreError::Invalid(vec![ValidationError::new(field, message)])
    };
    let mut parts = Vec::new();
    if let Some(text) = q.filter {
        parts.push(filter::parse(text).map_err(|e| invalid("filter", e.to_string()))?);
    }
    // Reading one row by id or slug: a condition built as a tree, so the
    // slug from the URL is a bound value whatever it holds.
    if let Some(exact) = q.exact {
        let (field, value) = match exact {
            Exact::Id(id) => ("id", object_id(id)),
            Exact::Slug(slug) => ("slug", slug.to_string()),
        };
        parts.push(filter::Filter::Cond(filter::Condition {
            field: field.to_string(),
            op: filter::Op::Eq,
            value: filter::Rhs::One(filter::Value::Quoted(value)),
        }));
    }
    let (condition, binds) = if parts.is_empty() {
        ("1 = 1".to_string(), Vec::new())
    } else {
        let c = sql::compile(resource, &filter::Filter::And(parts), 1)
            .map_err(|e| invalid("filter", e.to_string()))?;
        (c.sql, c.binds)
    };
    let order = sql::order_by(resource, q.order).map_err(|m| invalid("order", m))?;
    Ok((condition, binds, order))
}

/// Runs `$sql` with `$binds` bound in order, then `$extra` values.
macro_rules! bound {
    ($q:expr, $binds:expr $(, $extra:expr)*) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(s) => q.bind(s.clone()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        $(q = q.bind($extra);)*
        q
    }};
}

#[derive(sqlx::FromRow)]
struct TaxonomyRow {
    id: i64,
    slug: String,
    name: String,
    text: String,
}

/// Checks a query's filter and order for `resource` without running it
/// (lists that are always empty still refuse what they cannot read).
pub fn check(resource: Resource, q: &ContentQuery<'_>) -> Result<()> {
    prepare(resource, q).map(|_| ())
}

/// The WHERE clause, the number of values it binds and the ORDER BY that a
/// client's `filter` and `order` become for `resource`. For the fuzz targets
/// in `fuzz/`, which check that nothing a client writes reaches SQL text.
#[doc(hidden)]
pub fn prepared_sql(
    resource: Resource,
    filter: Option<&str>,
    order: Option<&str>,
) -> Result<(String, usize, String)> {
    let q = ContentQuery {
        filter,
        order,
        limit: 1,
        offset: 0,
        exact: None,
    };
    prepare(resource, &q).map(|(sql, binds, order)| (sql, binds.len(), order))
}

/// Topics and bylines show only while they have a published article.
use crate::taxonomy::TOPIC_IS_PUBLIC as TOPIC_LIVE;
const AUTHOR_LIVE: &str =
    "EXISTS (SELECT 1 FROM article_authors x WHERE x.author_id = au.id AND x.live_at IS NOT NULL)";

impl Store {
    /// A page of published article ids (newest first unless ordered
    /// otherwise) and how many published articles match the filter.
    #[tracing::instrument(skip_all)]
    pub async fn content_post_ids(&self, q: &ContentQuery<'_>) -> Result<ContentPage<i64>> {
        let (condition, binds, order) = prepare(Resource::Posts, q)?;
        let n = binds.len();
        let page_sql = format!(
            "SELECT a.id FROM articles a WHERE a.status = 'published' AND ({condition})
             ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM articles a WHERE a.status = 'published' AND ({condition})"
        );
        let (items, total) = with_pool!(&self.pool, p => {
            let items: Vec<i64> = bound!(sqlx::query_scalar(&page_sql), &binds, q.limit, q.offset).fetch_all(p).await?;
            let total: i64 = bound!(sqlx::query_scalar(&count_sql), &binds).fetch_one(p).await?;
            (items, total)
        });
        Ok(ContentPage { items, total })
    }

    /// A page of topics (by name unless ordered otherwise) and how many match.
    #[tracing::instrument(skip_all)]
    pub async fn content_topics(&self, q: &ContentQuery<'_>) -> Result<ContentPage<Topic>> {
        let page = self
            .taxonomy_page(
                Resource::Tags,
                "topics t",
                "t",
                "description",
                TOPIC_LIVE,
                q,
            )
            .await?;
        Ok(ContentPage {
            items: page
                .items
                .into_iter()
                .map(|r| Topic {
                    id: r.id,
                    slug: r.slug,
                    name: r.name,
                    description: r.text,
                })
                .collect(),
            total: page.total,
        })
    }

    /// A page of bylines (by name unless ordered otherwise) and how many match.
    #[tracing::instrument(skip_all)]
    pub async fn content_authors(&self, q: &ContentQuery<'_>) -> Result<ContentPage<Author>> {
        let page = self
            .taxonomy_page(Resource::Authors, "authors au", "au", "bio", AUTHOR_LIVE, q)
            .await?;
        Ok(ContentPage {
            items: page
                .items
                .into_iter()
                .map(|r| Author {
                    id: r.id,
                    slug: r.slug,
                    name: r.name,
                    bio: r.text,
                    // The Content API's authors carry no job title.
                    job_title: String::new(),
                })
                .collect(),
            total: page.total,
        })
    }

    async fn taxonomy_page(
        &self,
        resource: Resource,
        table: &str,
        alias: &str,
        text_column: &str,
        live: &str,
        q: &ContentQuery<'_>,
    ) -> Result<ContentPage<TaxonomyRow>> {
        let (condition, binds, order) = prepare(resource, q)?;
        let n = binds.len();
        let page_sql = format!(
            "SELECT {alias}.id, {alias}.slug, {alias}.name, {alias}.{text_column} AS text FROM {table}
             WHERE {live} AND ({condition}) ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count_sql = format!("SELECT COUNT(*) FROM {table} WHERE {live} AND ({condition})");
        let (items, total) = with_pool!(&self.pool, p => {
            let items: Vec<TaxonomyRow> = bound!(sqlx::query_as(&page_sql), &binds, q.limit, q.offset).fetch_all(p).await?;
            let total: i64 = bound!(sqlx::query_scalar(&count_sql), &binds).fetch_one(p).await?;
            (items, total)
        });
        Ok(ContentPage { items, total })
    }

    /// Published articles per topic, for these topics, in one grouped query.
    #[tracing::instrument(skip_all)]
    pub async fn topic_post_counts(&self, topic_ids: &[i64]) -> Result<HashMap<i64, i64>> {
        self.live_counts("article_topics", "topic_id", topic_ids)
            .await
    }

    /// Published articles per byline, for these bylines, in one grouped query.
    #[tracing::instrument(skip_all)]
    pub async fn author_post_counts(&self, author_ids: &[i64]) -> Result<HashMap<i64, i64>> {
        self.live_counts("article_authors", "author_id", author_ids)
            .await
    }

    /// Counts rows with `live_at` set (the article is published) per `key`,
    /// reading the `(key, live_at …)` index.
    async fn live_counts(&self, table: &str, key: &str, ids: &[i64]) -> Result<HashMap<i64, i64>> {
        let mut counts = HashMap::new();
        for batch in ids.chunks(500) {
            let marks = (1..=batch.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT {key}, COUNT(*) FROM {table} WHERE {key} IN ({marks}) AND live_at IS NOT NULL GROUP BY {key}"
            );
            let rows: Vec<(i64, i64)> = with_pool!(&self.pool, p => {
                let mut q = sqlx::query_as(&sql);
                for id in batch {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            counts.extend(rows);
        }
        Ok(counts)
    }
}
