//! What the newsroom reads of articles: filtered lists of every status, the
//! revision history, and corrections.

use crate::{Result, Store, with_pool};
use bbn_core::validate::ArticleDraft;
use bbn_core::{Correction, RevisionInfo, Status};

/// Which articles a newsroom list shows. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    pub status: Option<Status>,
    pub section_id: Option<i64>,
    pub author_id: Option<i64>,
    pub topic_id: Option<i64>,
    /// Words the headline contains (any case).
    pub headline: Option<String>,
    /// Articles started by this account or carrying its byline.
    pub mine: Option<(i64, Option<i64>)>,
    /// The trash's articles instead of everyone else's.
    pub trash: bool,
}

/// One row of a newsroom list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsroomItem {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    pub status: Status,
    pub section_name: String,
    pub modified_at: i64,
    pub published_at: Option<i64>,
    pub scheduled_at: Option<i64>,
    pub authors: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    slug: String,
    headline: String,
    status: String,
    section_name: String,
    modified_at: Option<i64>,
    created_at: i64,
    published_at: Option<i64>,
    scheduled_at: Option<i64>,
}

/// A bound value of a dynamically built query.
enum Arg {
    Int(i64),
    Text(String),
}

impl Store {
    /// Articles of every status, most recently changed first.
    #[tracing::instrument(skip_all)]
    pub async fn newsroom_articles(
        &self,
        f: &ArticleFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<NewsroomItem>, bool)> {
        let mut conditions = Vec::new();
        let mut args = Vec::new();
        let next = |arg: Arg, args: &mut Vec<Arg>| {
            args.push(arg);
            format!("${}", args.len())
        };
        if let Some(s) = f.status {
            conditions.push(format!(
                "a.status = {}",
                next(Arg::Text(s.as_str().into()), &mut args)
            ));
        }
        if let Some(id) = f.section_id {
            conditions.push(format!("a.section_id = {}", next(Arg::Int(id), &mut args)));
        }
        if let Some(id) = f.author_id {
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = {})",
                next(Arg::Int(id), &mut args)
            ));
        }
        if let Some(id) = f.topic_id {
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM article_topics x WHERE x.article_id = a.id AND x.topic_id = {})",
                next(Arg::Int(id), &mut args)
            ));
        }
        if let Some(words) = f
            .headline
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            // LIKE's wildcards in the words are matched literally.
            let escaped = words
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            conditions.push(format!(
                "LOWER(a.headline) LIKE {} ESCAPE '\\'",
                next(Arg::Text(format!("%{escaped}%")), &mut args)
            ));
        }
        if let Some((user_id, author_id)) = f.mine {
            let user = next(Arg::Int(user_id), &mut args);
            let author = next(Arg::Int(author_id.unwrap_or(-1)), &mut args);
            conditions.push(format!(
                "(a.created_by = {user} OR EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = {author}))"
            ));
        }
        conditions.push(format!(
            "{} EXISTS (SELECT 1 FROM article_trash t WHERE t.article_id = a.id)",
            if f.trash { "" } else { "NOT" }
        ));
        let limit_arg = next(Arg::Int(limit + 1), &mut args);
        let offset_arg = next(Arg::Int(offset), &mut args);
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT a.id, a.slug, a.headline, a.status, s.name AS section_name, a.modified_at, a.created_at,
                    a.published_at, a.scheduled_at
             FROM articles a JOIN sections s ON s.id = a.section_id {filter}
             ORDER BY COALESCE(a.modified_at, a.created_at) DESC, a.id DESC LIMIT {limit_arg} OFFSET {offset_arg}"
        );
        let rows: Vec<ItemRow> = with_pool!(&self.pool, p => {
            let mut q = sqlx::query_as::<_, ItemRow>(&sql);
            for a in &args {
                q = match a {
                    Arg::Int(v) => q.bind(*v),
                    Arg::Text(v) => q.bind(v.clone()),
                };
            }
            q.fetch_all(p).await?
        });
        let (rows, has_more): (Vec<ItemRow>, bool) = crate::one_page(rows, limit);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let bylines = self.bylines_of(&ids).await?;
        let items = rows
            .into_iter()
            .map(|r| NewsroomItem {
                authors: bylines
                    .iter()
                    .filter(|(id, _)| *id == r.id)
                    .map(|(_, n)| n.clone())
                    .collect(),
                id: r.id,
                slug: r.slug,
                headline: r.headline,
                status: Status::parse(&r.status).unwrap_or(Status::Draft),
                section_name: r.section_name,
                modified_at: r.modified_at.unwrap_or(r.created_at),
                published_at: r.published_at,
                scheduled_at: r.scheduled_at,
            })
            .collect();
        Ok((items, has_more))
    }

    /// (article id, author name) for the given articles, in byline order.
    async fn bylines_of(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT x.article_id, au.name FROM article_authors x JOIN authors au ON au.id = x.author_id
             WHERE x.article_id IN ({}) ORDER BY x.article_id, x.position",
            placeholders.join(", ")
        );
        Ok(with_pool!(&self.pool, p => {
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        }))
    }

    /// How many articles each status has (the trash's left out).
    pub async fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        let rows: Vec<(String, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT status, COUNT(*) FROM articles a
                 WHERE NOT EXISTS (SELECT 1 FROM article_trash t WHERE t.article_id = a.id) GROUP BY status",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| Some((Status::parse(&s)?, n)))
            .collect())
    }

    /// The saved states of an article, newest first.
    pub async fn revisions(&self, article_id: i64) -> Result<Vec<RevisionInfo>> {
        let rows: Vec<(i64, i64, Option<String>, Option<String>)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT r.revision, r.created_at, u.name, r.label FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
                 WHERE r.article_id = $1 ORDER BY r.revision DESC",
            )
            .bind(article_id)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(revision, created_at, user_name, label)| RevisionInfo {
                revision,
                created_at,
                user_name,
                label,
            })
            .collect())
    }

    /// The article as it was saved at `revision`.
    pub async fn revision(&self, article_id: i64, revision: i64) -> Result<Option<ArticleDraft>> {
        let snapshot: Option<String> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT snapshot FROM article_revisions WHERE article_id = $1 AND revision = $2")
                .bind(article_id)
                .bind(revision)
                .fetch_optional(p)
                .await?
        });
        Ok(snapshot.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Corrections and updates of an article, oldest first.
    pub async fn corrections(&self, article_id: i64) -> Result<Vec<Correction>> {
        let rows: Vec<(i64, String, String, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT id, kind, body, created_at FROM corrections WHERE article_id = $1 ORDER BY created_at, id")
                .bind(article_id)
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, kind, body, created_at)| Correction {
                id,
                kind,
                body,
                created_at,
            })
            .collect())
    }
}
