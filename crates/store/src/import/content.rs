//! Articles and static pages, each written through the same rules as the
//! newsroom's saves, with a revision when something changed.

use super::{ImportSession, ImportedArticle, ImportedPage, Outcome};
use crate::changes::log_change;
use crate::db::values_sql;
use crate::with_tx;
use crate::{Result, StoreError};
use bbn_core::markdown::SANITIZER_VERSION;
use bbn_core::{PageStatus, Status};

impl ImportSession<'_> {
    /// An article. Its slug is made free if another article holds it; an
    /// article imported before is updated (with a new revision) only when
    /// something changed, and never when it was edited in bbn since.
    pub async fn article(
        &mut self,
        external_id: &str,
        a: ImportedArticle,
    ) -> Result<(i64, Outcome)> {
        let own = self.known("post", external_id);
        let recorded = self.version("post", external_id).await?;
        if let Some(id) = own
            && self.article_edited_since(id, recorded).await?
        {
            return Ok((id, Outcome::Kept));
        }
        let mut d = a.draft;
        let from = d.slug.clone();
        d.slug = self.free_slug("articles", &d.slug, &from, own).await?;
        // A body too tangled to parse safely keeps its words (not the record's end).
        (d.body_format, d.body_markdown) =
            bbn_core::markdown::within_shape(d.body_format, std::mem::take(&mut d.body_markdown));
        let mut d = d.normalize().map_err(StoreError::Invalid)?;
        let mut seen = std::collections::HashSet::new();
        d.author_ids.retain(|x| seen.insert(*x));
        let mut seen = std::collections::HashSet::new();
        d.topic_ids.retain(|x| seen.insert(*x));
        if d.status != Status::Scheduled {
            d.scheduled_at = None;
        }
        let html = crate::bodies::render(d.body_format, &d.body_markdown).await;
        let snapshot = serde_json::to_string(&d).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let live = (d.status == Status::Published)
            .then_some(d.published_at)
            .flatten();
        let updated_at = d
            .published_at
            .filter(|p| a.modified_at > *p)
            .map(|_| a.modified_at);
        let (id, revision, outcome) = match own {
            Some(id) => {
                let last: Option<(i64, Option<String>)> = with_tx!(&mut self.tx, t => {
                    sqlx::query_as(
                        "SELECT a.revision, (SELECT r.snapshot FROM article_revisions r WHERE r.article_id = a.id
                            ORDER BY r.revision DESC LIMIT 1) FROM articles a WHERE a.id = $1",
                    )
                    .bind(id).fetch_optional(&mut **t).await?
                });
                let Some((revision, last_snapshot)) = last else {
                    // Deleted in bbn since the last import: made again below.
                    self.ids.remove(&("post", external_id.to_string()));
                    return Box::pin(self.article(external_id, ImportedArticle { draft: d, ..a }))
                        .await;
                };
                if last_snapshot.as_deref() == Some(snapshot.as_str()) {
                    if recorded.is_none() {
                        self.remember_version("post", external_id, id, Some(revision))
                            .await?;
                    }
                    return Ok((id, Outcome::Unchanged));
                }
                with_tx!(&mut self.tx, t => {
                    sqlx::query(
                        "UPDATE articles SET slug = $1, headline = $2, dek = $3, kicker = $4, body_markdown = $5,
                            body_html = $6, section_id = $7, status = $8, image_id = $9, seo_title = $10,
                            seo_description = $11, comments_open = $12, published_at = $13, scheduled_at = $14,
                            updated_at = $15, modified_at = $16, revision = revision + 1, body_format = $17,
                            body_sanitizer = $19
                         WHERE id = $18",
                    )
                    .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(&html)
                    .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
                    .bind(&d.seo_description).bind(d.comments_open).bind(d.published_at).bind(d.scheduled_at)
                    .bind(updated_at).bind(bbn_core::time::now()).bind(d.body_format.as_str()).bind(id)
                    .bind(SANITIZER_VERSION)
                    .execute(&mut **t).await?;
                });
                (id, revision + 1, Outcome::Updated)
            }
            None => {
                let id = with_tx!(&mut self.tx, t => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO articles (slug, headline, dek, kicker, body_markdown, body_html, section_id, status,
                            image_id, seo_title, seo_description, comments_open, created_at, published_at, scheduled_at,
                            created_by, modified_at, updated_at, body_format, body_sanitizer)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                         RETURNING id",
                    )
                    .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(&html)
                    .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
                    .bind(&d.seo_description).bind(d.comments_open).bind(a.created_at).bind(d.published_at)
                    .bind(d.scheduled_at).bind(a.created_by).bind(a.modified_at).bind(updated_at)
                    .bind(d.body_format.as_str()).bind(SANITIZER_VERSION)
                    .fetch_one(&mut **t).await?;
                    id
                });
                (id, 1, Outcome::Created)
            }
        };
        let created = outcome == Outcome::Created;
        let authors = values_sql(
            "INSERT INTO article_authors (article_id, author_id, position, live_at) VALUES ",
            4,
            d.author_ids.len(),
            "",
        );
        let topics = values_sql(
            "INSERT INTO article_topics (article_id, topic_id, position, live_at) VALUES ",
            4,
            d.topic_ids.len(),
            "",
        );
        with_tx!(&mut self.tx, t => {
            if !created {
                sqlx::query("DELETE FROM article_authors WHERE article_id = $1").bind(id).execute(&mut **t).await?;
                sqlx::query("DELETE FROM article_topics WHERE article_id = $1").bind(id).execute(&mut **t).await?;
            }
            // One statement each for the bylines and the topics.
            let mut q = sqlx::query(&authors);
            for (pos, author) in d.author_ids.iter().enumerate() {
                q = q.bind(id).bind(*author).bind(pos as i64).bind(live);
            }
            q.execute(&mut **t).await?;
            if !d.topic_ids.is_empty() {
                let mut q = sqlx::query(&topics);
                for (pos, topic) in d.topic_ids.iter().enumerate() {
                    q = q.bind(id).bind(*topic).bind(pos as i64).bind(live);
                }
                q.execute(&mut **t).await?;
            }
            // An import is the operator's bulk command, not a newsroom save:
            // the site it brings keeps its addresses, even where one was
            // another article's old address (`articles::addresses`).
            sqlx::query("DELETE FROM slug_history WHERE slug = $1").bind(&d.slug).execute(&mut **t).await?;
            sqlx::query(
                "INSERT INTO article_revisions (article_id, revision, user_id, created_at, snapshot) VALUES ($1, $2, NULL, $3, $4)",
            )
            .bind(id).bind(revision).bind(bbn_core::time::now()).bind(&snapshot)
            .execute(&mut **t).await?;
            log_change!((*t), "article", id, if created { "create" } else { "update" })?;
        });
        self.remember_version("post", external_id, id, Some(revision))
            .await?;
        Ok((id, outcome))
    }

    /// Whether the article an import made was changed in bbn since: its
    /// revision is not the one the import left. Imports from before the
    /// import kept revisions are judged by the latest revision's author:
    /// the import saves without one, the newsroom with the editor's.
    async fn article_edited_since(&mut self, id: i64, recorded: Option<i64>) -> Result<bool> {
        let now: Option<(i64, Option<i64>)> = with_tx!(&mut self.tx, t => {
            sqlx::query_as(
                "SELECT a.revision, (SELECT r.user_id FROM article_revisions r WHERE r.article_id = a.id
                    ORDER BY r.revision DESC LIMIT 1) FROM articles a WHERE a.id = $1",
            )
            .bind(id).fetch_optional(&mut **t).await?
        });
        Ok(match (now, recorded) {
            // Deleted since: made again.
            (None, _) => false,
            (Some((revision, _)), Some(left_at)) => revision != left_at,
            (Some((_, last_by)), None) => last_by.is_some(),
        })
    }

    /// A static page; its slug is made free if another page holds it. A
    /// page edited in bbn since it was imported is kept as it is.
    pub async fn page(&mut self, external_id: &str, p: ImportedPage) -> Result<(i64, Outcome)> {
        let own = self.known("page", external_id);
        if let Some(id) = own
            && let Some(left_at) = self.version("page", external_id).await?
        {
            let modified: Option<i64> = with_tx!(&mut self.tx, t => {
                sqlx::query_scalar("SELECT modified_at FROM pages WHERE id = $1").bind(id).fetch_optional(&mut **t).await?
            });
            // The newsroom stamps its saves with the time; the import with the source's.
            if modified.is_some_and(|m| m != left_at) {
                return Ok((id, Outcome::Kept));
            }
        }
        let mut d = p.draft;
        let from = d.slug.clone();
        let mut wanted = d.slug.clone();
        if bbn_core::validate::RESERVED_PAGE_SLUGS.contains(&wanted.as_str()) {
            wanted.push_str("-page");
        }
        d.slug = self.free_slug("pages", &wanted, &from, own).await?;
        (d.body_format, d.body) =
            bbn_core::markdown::within_shape(d.body_format, std::mem::take(&mut d.body));
        let d = d.normalize().map_err(StoreError::Invalid)?;
        let html = crate::bodies::render(d.body_format, &d.body).await;
        let published_at = (d.status == PageStatus::Published).then_some(p.created_at);
        if let Some(id) = own {
            let n = with_tx!(&mut self.tx, t => {
                let n = sqlx::query(
                    "UPDATE pages SET slug = $1, title = $2, body_format = $3, body = $4, body_html = $5, status = $6,
                        footer_position = $7, seo_description = $8, published_at = $9, modified_at = $10,
                        body_sanitizer = $12
                     WHERE id = $11 AND (slug <> $1 OR title <> $2 OR body <> $4 OR status <> $6
                        OR footer_position IS DISTINCT FROM $7 OR seo_description <> $8)",
                )
                .bind(&d.slug).bind(&d.title).bind(d.body_format.as_str()).bind(&d.body).bind(&html)
                .bind(d.status.as_str()).bind(d.footer_position).bind(&d.seo_description).bind(published_at)
                .bind(p.modified_at).bind(id).bind(SANITIZER_VERSION)
                .execute(&mut **t).await?.rows_affected();
                if n > 0 { log_change!((*t), "page", id, "update")?; }
                n
            });
            let modified: Option<i64> = with_tx!(&mut self.tx, t => {
                sqlx::query_scalar("SELECT modified_at FROM pages WHERE id = $1").bind(id).fetch_optional(&mut **t).await?
            });
            if let Some(modified) = modified {
                self.remember_version("page", external_id, id, Some(modified))
                    .await?;
                return Ok((
                    id,
                    if n > 0 {
                        Outcome::Updated
                    } else {
                        Outcome::Unchanged
                    },
                ));
            }
        }
        let id = with_tx!(&mut self.tx, t => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO pages (slug, title, body_format, body, body_html, status, footer_position,
                    seo_description, created_at, published_at, modified_at, body_sanitizer)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(&d.slug).bind(&d.title).bind(d.body_format.as_str()).bind(&d.body).bind(&html)
            .bind(d.status.as_str()).bind(d.footer_position).bind(&d.seo_description).bind(p.created_at)
            .bind(published_at).bind(p.modified_at).bind(SANITIZER_VERSION)
            .fetch_one(&mut **t).await?;
            log_change!((*t), "page", id, "create")?;
            id
        });
        self.remember_version("page", external_id, id, Some(p.modified_at))
            .await?;
        Ok((id, Outcome::Created))
    }
}
