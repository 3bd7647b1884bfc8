//! Writing articles: every write validates through `bbn_core`, renders the
//! body to sanitized HTML, keeps the denormalized `live_at` of bylines and
//! topics in step with the article, keeps a revision, and logs the change,
//! all in one transaction.

use super::addresses::settle_addresses;
use crate::changes::{log_change, log_changes};
use crate::db::{rows_per_statement, values_sql};
use crate::error::{OnConflict, OnMissingReference};
use crate::media::write_media_uses;
use crate::{Result, Store, StoreError};
use bbn_core::markdown::SANITIZER_VERSION;
use bbn_core::media::MediaRefs;
use bbn_core::validate::ArticleDraft;
use bbn_core::{FaqItem, Status, ValidationError};

/// How a save relates to what is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Edit {
    /// The revision the editor started from; a save based on an older one
    /// is refused with `Conflict { field: "revision" }` and changes nothing.
    pub expected_revision: Option<i64>,
    /// Move the reader-visible "updated" time to now.
    pub mark_updated: bool,
    /// The staff account saving, for the revision history.
    pub by: Option<i64>,
    /// The save may take another article's old address (`addresses`): an
    /// editor publishing or scheduling. Without it, publishing or scheduling
    /// the article at such an address is refused; a draft there is saved and
    /// the address keeps leading to the other article either way.
    pub take_address: bool,
    /// The body comes from the live editor's shared document, which stays
    /// the article's working copy: it is reconciled with the saved body
    /// (`live`). Any other save of a different body starts it again.
    pub live: bool,
    /// The save brings back this earlier revision (the history's restore).
    pub restored_from: Option<i64>,
}

/// What a revision marks beyond a save, as `article_revisions.label` keeps it:
/// a change of status, or a restore. `old` is the status before (None: new).
pub fn revision_label(
    old: Option<&str>,
    new: Status,
    restored_from: Option<i64>,
) -> Option<String> {
    if let Some(rev) = restored_from {
        return Some(format!("restored:{rev}"));
    }
    if old == Some(new.as_str()) {
        return None;
    }
    match new {
        Status::InReview => Some("submitted".into()),
        Status::Published => Some("published".into()),
        Status::Scheduled => Some("scheduled".into()),
        Status::Unpublished => Some("unpublished".into()),
        Status::Draft => None,
    }
}

fn live_at(d: &ArticleDraft) -> Option<i64> {
    if d.status == Status::Published {
        d.published_at
    } else {
        None
    }
}

/// Writes the bylines, topics and FAQ of `$articles` (`&[(id, &draft)]`) and
/// keeps a revision of each whole draft, many rows per statement. `$replace`
/// first removes what the articles had (a save; new articles have nothing).
macro_rules! write_parts {
    ($tx:expr, $articles:expr, $revision:expr, $by:expr, $now:expr, $replace:expr, $label:expr) => {{
        let articles: &[(i64, &ArticleDraft)] = $articles;
        if $replace {
            for (id, _) in articles {
                sqlx::query("DELETE FROM article_authors WHERE article_id = $1").bind(*id).execute(&mut *$tx).await?;
                sqlx::query("DELETE FROM article_topics WHERE article_id = $1").bind(*id).execute(&mut *$tx).await?;
                sqlx::query("DELETE FROM faq_items WHERE article_id = $1").bind(*id).execute(&mut *$tx).await?;
            }
        }
        let listed = |ids: fn(&ArticleDraft) -> &[i64]| -> Vec<(i64, i64, i64, Option<i64>)> {
            articles.iter().flat_map(|(id, d)| {
                ids(d).iter().enumerate().map(move |(pos, x)| (*id, *x, pos as i64, live_at(d)))
            }).collect()
        };
        for (table, column, rows) in [
            ("article_authors", "author_id", listed(|d| &d.author_ids)),
            ("article_topics", "topic_id", listed(|d| &d.topic_ids)),
        ] {
            for chunk in rows.chunks(rows_per_statement(4)) {
                let sql = values_sql(
                    &format!("INSERT INTO {table} (article_id, {column}, position, live_at) VALUES "),
                    4,
                    chunk.len(),
                    "",
                );
                let mut q = sqlx::query(&sql);
                for (id, x, pos, live) in chunk {
                    q = q.bind(*id).bind(*x).bind(*pos).bind(*live);
                }
                q.execute(&mut *$tx).await.on_missing_reference(if column == "author_id" { "authors" } else { "topics" })?;
            }
        }
        let faq: Vec<(i64, i64, &FaqItem)> = articles.iter().flat_map(|(id, d)| {
            d.faq.iter().enumerate().map(move |(pos, item)| (*id, pos as i64, item))
        }).collect();
        for chunk in faq.chunks(rows_per_statement(4)) {
            let sql = values_sql("INSERT INTO faq_items (article_id, position, question, answer) VALUES ", 4, chunk.len(), "");
            let mut q = sqlx::query(&sql);
            for (id, pos, item) in chunk {
                q = q.bind(*id).bind(*pos).bind(item.question.trim()).bind(item.answer.trim());
            }
            q.execute(&mut *$tx).await?;
        }
        for chunk in articles.chunks(rows_per_statement(6)) {
            let sql = values_sql(
                "INSERT INTO article_revisions (article_id, revision, user_id, created_at, snapshot, label) VALUES ",
                6,
                chunk.len(),
                "",
            );
            let mut q = sqlx::query(&sql);
            for (id, d) in chunk {
                let snapshot = serde_json::to_string(d).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                q = q.bind(*id).bind($revision).bind($by).bind($now).bind(snapshot).bind($label(d));
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

fn dedup(ids: &mut Vec<i64>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
}

/// A draft normalized, its body rendered, and the library items it uses.
fn prepare(draft: ArticleDraft) -> Result<(ArticleDraft, String, MediaRefs)> {
    let mut d = draft.normalize().map_err(StoreError::Invalid)?;
    dedup(&mut d.author_ids);
    dedup(&mut d.topic_ids);
    if d.status != Status::Scheduled {
        d.scheduled_at = None;
    }
    let html = d.body_format.render(&d.body_markdown);
    let refs = MediaRefs::of(d.body_format, &d.body_markdown, &html);
    Ok((d, html, refs))
}

impl Store {
    /// Creates an article and returns its id. For the operator's programs
    /// (demo content, bulk loads, tests): like the WordPress import, a
    /// published article takes its slug even where it is another article's
    /// old address.
    pub async fn create_article(&self, draft: ArticleDraft) -> Result<i64> {
        let ids = self
            .create_articles_by(vec![draft], None, true, false)
            .await?;
        ids.first().copied().ok_or(StoreError::NotFound)
    }

    /// Creates an article started by a staff account. It never takes another
    /// article's old address: created live there, it is refused.
    pub async fn create_article_by(&self, draft: ArticleDraft, by: Option<i64>) -> Result<i64> {
        let ids = self
            .create_articles_by(vec![draft], by, false, false)
            .await?;
        ids.first().copied().ok_or(StoreError::NotFound)
    }

    /// As `create_article_by`, and with `editors_pick` the new article
    /// joins the end of the editors' picks in the same transaction: an
    /// article is never created without the pick it was written with.
    pub async fn create_staff_article(
        &self,
        draft: ArticleDraft,
        by: i64,
        editors_pick: bool,
    ) -> Result<i64> {
        let ids = self
            .create_articles_by(vec![draft], Some(by), false, editors_pick)
            .await?;
        ids.first().copied().ok_or(StoreError::NotFound)
    }

    /// Creates many articles in one transaction (imports, benchmarks): all
    /// or none; old addresses as `create_article`.
    pub async fn create_articles(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<i64>> {
        self.create_articles_by(drafts, None, true, false).await
    }

    #[tracing::instrument(skip_all)]
    async fn create_articles_by(
        &self,
        drafts: Vec<ArticleDraft>,
        by: Option<i64>,
        take_address: bool,
        editors_picks: bool,
    ) -> Result<Vec<i64>> {
        // Rendering bodies is CPU work: off the request workers.
        let mut prepared = crate::bodies::off_the_workers(move || {
            drafts.into_iter().map(prepare).collect::<Result<Vec<_>>>()
        })
        .await?;
        // Library images keep their place on the page before they load.
        for (_, html, refs) in prepared.iter_mut() {
            let sizes = self.media_sizes(refs).await?;
            if !sizes.is_empty() {
                *html = bbn_core::media::with_dimensions(html, &sizes);
            }
        }
        let now = self.now();
        crate::write_tx!(self, tx => {
            let mut ids = Vec::with_capacity(prepared.len());
            for chunk in prepared.chunks(rows_per_statement(19)) {
                let sql = values_sql(
                    "INSERT INTO articles (slug, headline, dek, kicker, body_markdown, body_html, section_id, status,
                    image_id, seo_title, seo_description, comments_open, created_at, published_at, scheduled_at,
                    created_by, modified_at, body_format, body_sanitizer, media_indexed) VALUES ",
                    19,
                    chunk.len(),
                    ", 1",
                ) + " RETURNING id";
                let mut q = sqlx::query_scalar::<_, i64>(&sql);
                for (d, html, _) in chunk {
                    q = q.bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(html)
                        .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
                        .bind(&d.seo_description).bind(d.comments_open).bind(now).bind(d.published_at)
                        .bind(d.scheduled_at).bind(by).bind(now).bind(d.body_format.as_str())
                        .bind(SANITIZER_VERSION);
                }
                let mut new = q
                    .fetch_all(&mut *tx)
                    .await
                    .on_conflict("slug")
                    .or_else(|e| match e {
                        StoreError::Database(db) => Err(db).on_missing_reference("section"),
                        other => Err(other),
                    })?;
                // Ids are handed out in the order of the rows; RETURNING's order is not promised.
                new.sort_unstable();
                let written: Vec<(i64, &ArticleDraft)> = new.iter().copied().zip(chunk.iter().map(|(d, _, _)| d)).collect();
                let uses: Vec<(i64, &MediaRefs, Option<i64>)> =
                    new.iter().copied().zip(chunk.iter()).map(|(id, (d, _, r))| (id, r, d.image_id)).collect();
                write_media_uses!(tx, &uses, false);
                write_parts!(tx, &written, 1_i64, by, now, false, |d: &ArticleDraft| revision_label(None, d.status, None));
                let arrived: Vec<(i64, &ArticleDraft, bool)> =
                    written.iter().map(|(id, d)| (*id, *d, false)).collect();
                settle_addresses!(tx, &arrived, take_address);
                log_changes!(tx, "article", &new, "create")?;
                ids.extend(new);
            }
            if editors_picks {
                for id in &ids {
                    sqlx::query(
                        "INSERT INTO editors_picks (article_id, position)
                         SELECT $1, COALESCE(MAX(position) + 1, 0) FROM editors_picks",
                    )
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                }
                log_change!(tx, "picks", 0_i64, "update")?;
            }
            ids
        })
    }

    /// Replaces an article's content, status and dates. With
    /// `expected_revision`, a save based on an older revision is refused with
    /// `Conflict` and changes nothing. A changed slug keeps the old one as a
    /// redirect. For the operator's programs and tests (old addresses as
    /// `create_article`); staff saves go through `save_article`.
    pub async fn update_article(
        &self,
        id: i64,
        draft: ArticleDraft,
        expected_revision: Option<i64>,
        mark_updated: bool,
    ) -> Result<()> {
        self.save_article(
            id,
            draft,
            Edit {
                expected_revision,
                mark_updated,
                by: None,
                take_address: true,
                live: false,
                restored_from: None,
            },
        )
        .await
        .map(|_| ())
    }

    /// As `update_article`, with the editor's account; returns the new revision number.
    pub async fn save_article(&self, id: i64, draft: ArticleDraft, edit: Edit) -> Result<i64> {
        self.save_staff_article(id, draft, edit, None).await
    }

    /// As `save_article`, and with `editors_pick` the article joins the end
    /// of the editors' picks (`Some(true)`, unless it is one already) or
    /// leaves them (`Some(false)`) in the same transaction: a save and the
    /// pick it was written with land together or not at all.
    #[tracing::instrument(skip_all)]
    pub async fn save_staff_article(
        &self,
        id: i64,
        draft: ArticleDraft,
        edit: Edit,
        editors_pick: Option<bool>,
    ) -> Result<i64> {
        let (d, html, refs) = crate::bodies::off_the_workers(move || prepare(draft)).await?;
        // Library images keep their place on the page before they load.
        let html = bbn_core::media::with_dimensions(&html, &self.media_sizes(&refs).await?);
        let now = self.now();
        crate::write_tx!(self, tx => {
            type Current = (String, i64, String, i64, Option<i64>, String, String, String, Option<i64>);
            let current: Option<Current> = sqlx::query_as(
                "SELECT slug, revision, status, section_id, published_at, headline, dek, kicker, image_id
                 FROM articles WHERE id = $1",
            )
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((old_slug, revision, old_status, old_section, old_published_at, old_headline, old_dek, old_kicker, old_image)) = current else {
                return Err(StoreError::NotFound)
            };
            if edit.expected_revision.is_some_and(|r| r != revision) {
                return Err(StoreError::Conflict { field: "revision" });
            }
            // Where a published article was listed, for the change log: the
            // pages it leaves go stale as surely as the pages it joins.
            let former = if old_status == Status::Published.as_str() {
                let of = |table: &str, column: &str| {
                    format!("SELECT {column} FROM {table} WHERE article_id = $1 ORDER BY position")
                };
                let topic_ids: Vec<i64> = sqlx::query_scalar(&of("article_topics", "topic_id"))
                    .bind(id).fetch_all(&mut *tx).await?;
                let author_ids: Vec<i64> = sqlx::query_scalar(&of("article_authors", "author_id"))
                    .bind(id).fetch_all(&mut *tx).await?;
                Some(crate::Listing {
                    published_at: old_published_at.unwrap_or(0),
                    section_id: old_section,
                    topic_ids,
                    author_ids,
                    card: crate::changes::card_digest(&old_slug, &old_headline, &old_dek, &old_kicker, old_image),
                }.to_detail())
            } else {
                None
            };
            // The revision check above and this update agree even under concurrency:
            // the WHERE clause only matches the revision that was read.
            let updated = sqlx::query(
                "UPDATE articles SET slug = $1, headline = $2, dek = $3, kicker = $4, body_markdown = $5,
                body_html = $6, section_id = $7, status = $8, image_id = $9, seo_title = $10,
                seo_description = $11, comments_open = $12, published_at = $13, scheduled_at = $14,
                updated_at = CASE WHEN $15 THEN $16 ELSE updated_at END, modified_at = $16,
                revision = revision + 1, body_format = $19, body_sanitizer = $20, media_indexed = 1
             WHERE id = $17 AND revision = $18",
            )
            .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(&html)
            .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
            .bind(&d.seo_description).bind(d.comments_open).bind(d.published_at).bind(d.scheduled_at)
            .bind(edit.mark_updated).bind(now).bind(id).bind(revision).bind(d.body_format.as_str())
            .bind(SANITIZER_VERSION)
            .execute(&mut *tx)
            .await
            .on_conflict("slug")
            .or_else(|e| match e {
                StoreError::Database(db) => Err(db).on_missing_reference("section"),
                other => Err(other),
            })?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Conflict { field: "revision" });
            }
            if old_slug != d.slug {
                // Unless the old slug still leads to another article (this
                // one was a draft at that article's old address): leaving it
                // must not take that article's redirect with it.
                sqlx::query(
                    "INSERT INTO slug_history (slug, article_id) VALUES ($1, $2)
                     ON CONFLICT (slug) DO NOTHING",
                )
                .bind(&old_slug)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            write_parts!(tx, &[(id, &d)], revision + 1, edit.by, now, true, |d: &ArticleDraft| {
                revision_label(Some(old_status.as_str()), d.status, edit.restored_from)
            });
            write_media_uses!(tx, &[(id, &refs, d.image_id)], true);
            let settled = old_slug == d.slug && old_status == d.status.as_str();
            settle_addresses!(tx, &[(id, &d, settled)], edit.take_address);
            log_change!(tx, "article", id, "update", former)?;
            if edit.live {
                sqlx::query("UPDATE live_documents SET base_digest = $1 WHERE article_id = $2")
                    .bind(crate::live::live_digest(&d))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let picks_changed = match editors_pick {
                None => false,
                Some(true) => sqlx::query(
                    "INSERT INTO editors_picks (article_id, position)
                     SELECT $1, (SELECT COALESCE(MAX(position) + 1, 0) FROM editors_picks)
                     WHERE NOT EXISTS (SELECT 1 FROM editors_picks WHERE article_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected() > 0,
                Some(false) => sqlx::query("DELETE FROM editors_picks WHERE article_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected() > 0,
            };
            if picks_changed {
                log_change!(tx, "picks", 0_i64, "update")?;
            }
            revision + 1
        })
    }

    /// Publishes every scheduled article whose time has come; returns their
    /// ids. Safe to run on several instances at once: each article is
    /// published by exactly one of them (the UPDATE re-checks the status).
    #[tracing::instrument(skip_all)]
    pub async fn publish_due(&self, now: i64) -> Result<Vec<i64>> {
        crate::write_tx!(self, tx => {
            let due: Vec<(i64, i64)> = sqlx::query_as(
                "UPDATE articles SET status = 'published', published_at = COALESCE(published_at, scheduled_at),
                scheduled_at = NULL, modified_at = $1, revision = revision + 1
             WHERE status = 'scheduled' AND scheduled_at <= $1
             RETURNING id, published_at",
            )
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            for (id, published_at) in &due {
                // Live now at its address, it takes it from any article whose
                // old address it was: only a write allowed to take it could
                // have scheduled it there (`addresses`).
                sqlx::query("DELETE FROM slug_history WHERE slug = (SELECT slug FROM articles WHERE id = $1)")
                    .bind(*id).execute(&mut *tx).await?;
                sqlx::query("UPDATE article_authors SET live_at = $1 WHERE article_id = $2")
                    .bind(*published_at).bind(*id).execute(&mut *tx).await?;
                sqlx::query("UPDATE article_topics SET live_at = $1 WHERE article_id = $2")
                    .bind(*published_at).bind(*id).execute(&mut *tx).await?;
                // The revision history records the publication like any other save.
                let snapshot: Option<String> = sqlx::query_scalar(
                    "SELECT snapshot FROM article_revisions WHERE article_id = $1 ORDER BY revision DESC LIMIT 1",
                )
                .bind(*id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(Ok(mut d)) = snapshot.map(|s| serde_json::from_str::<ArticleDraft>(&s)) {
                    d.status = Status::Published;
                    d.published_at = Some(*published_at);
                    d.scheduled_at = None;
                    let json = serde_json::to_string(&d).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                    sqlx::query(
                        "INSERT INTO article_revisions (article_id, revision, user_id, created_at, snapshot, label)
                         SELECT $1, revision, NULL, $2, $3, 'published-on-schedule' FROM articles WHERE id = $1",
                    )
                    .bind(*id).bind(now).bind(json)
                    .execute(&mut *tx).await?;
                }
                log_change!(tx, "article", *id, "update")?;
            }
            due.into_iter().map(|(id, _)| id).collect()
        })
    }

    /// Appends a dated correction or update note; it moves the article's "updated" time.
    #[tracing::instrument(skip_all)]
    pub async fn add_correction(
        &self,
        article_id: i64,
        kind: &str,
        body: &str,
        by: Option<i64>,
    ) -> Result<i64> {
        let body = body.trim();
        let mut errors = Vec::new();
        if !matches!(kind, "correction" | "update") {
            errors.push(ValidationError::new("kind", "Choose correction or update."));
        }
        if body.is_empty() || body.chars().count() > 2_000 {
            errors.push(ValidationError::new(
                "body",
                "Write the note (up to 2,000 characters).",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let now = self.now();
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO corrections (article_id, kind, body, created_at, user_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(article_id).bind(kind).bind(body).bind(now).bind(by)
            .fetch_one(&mut *tx)
            .await
            .on_missing_reference("article")?;
            sqlx::query("UPDATE articles SET updated_at = $1, modified_at = $1 WHERE id = $2")
                .bind(now).bind(article_id).execute(&mut *tx).await?;
            log_change!(tx, "article", article_id, "update")?;
            id
        })
    }

    /// Sets the editors' picks, in order, replacing the previous list.
    #[tracing::instrument(skip_all)]
    pub async fn set_editors_picks(&self, article_ids: &[i64]) -> Result<()> {
        let mut ids = article_ids.to_vec();
        dedup(&mut ids);
        crate::write_tx!(self, tx => {
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
        })
    }
}
