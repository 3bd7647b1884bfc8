//! Bringing another site's content in: one transaction for the whole
//! import (a failure anywhere leaves the database as it was, and a dry run
//! rolls back), with a record of which source record became which bbn
//! record, so that importing the same source again updates instead of
//! duplicating. The importers (`bbn import wordpress`) decide what maps to
//! what; this module only writes, through the same rules as every other
//! write (`ArticleDraft::normalize`, sanitized bodies, the change log).

use crate::changes::log_change;
use crate::comments::body_hash;
use crate::{NewMedia, RedirectTarget, Result, Store, StoreError, normalize_path};
use bbn_core::validate::{ArticleDraft, PageDraft};
use bbn_core::{CommentStatus, PageStatus, SiteSettings, Status, slug};
use std::collections::HashMap;

enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// `with_pool!` for the import's one transaction.
macro_rules! with_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite($t) => $body,
            Tx::Postgres($t) => $body,
        }
    };
}

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Created,
    Updated,
    /// Imported before and the same now.
    Unchanged,
    /// Matched a record the site already had (same slug or email), which is
    /// left as it was and used from now on.
    Linked,
}

/// A person from the source: a byline and a staff account that cannot sign
/// in until an admin enables it and sets a password.
#[derive(Debug, Clone)]
pub struct ImportedPerson {
    pub email: String,
    pub name: String,
}

/// An article with the dates it had in its source.
#[derive(Debug, Clone)]
pub struct ImportedArticle {
    pub draft: ArticleDraft,
    pub created_at: i64,
    /// Its source's last modification (the reader-visible "updated" when
    /// later than publication).
    pub modified_at: i64,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ImportedPage {
    pub draft: PageDraft,
    pub created_at: i64,
    pub modified_at: i64,
}

/// A comment, known by its id in the source; `parent_external` is its
/// parent's id there.
#[derive(Debug, Clone)]
pub struct ImportedComment {
    pub external_id: String,
    pub parent_external: Option<String>,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: i64,
    pub staff_user_id: Option<i64>,
}

/// An import in progress. Nothing it writes is visible to anyone else until
/// `finish(true)`; dropping it, or `finish(false)`, leaves the database as it was.
pub struct ImportSession<'a> {
    store: &'a Store,
    _write: crate::WriteGuard<'a>,
    tx: Tx,
    source: String,
    ids: HashMap<(&'static str, String), i64>,
}

impl Store {
    /// Starts importing from `source` (e.g. "wordpress https://example.com"),
    /// with what earlier imports from it made. On SQLite other writers wait
    /// until the import finishes.
    pub async fn begin_import(&self, source: &str) -> Result<ImportSession<'_>> {
        let write = self.writer().await;
        let mut tx = match &self.pool {
            crate::db::Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            crate::db::Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        };
        let rows: Vec<(String, String, i64)> = with_tx!(&mut tx, t => {
            sqlx::query_as("SELECT kind, external_id, local_id FROM import_ids WHERE source = $1")
                .bind(source)
                .fetch_all(&mut **t)
                .await?
        });
        let ids = rows
            .into_iter()
            .filter_map(|(kind, ext, local)| Some(((kind_name(&kind)?, ext), local)))
            .collect();
        Ok(ImportSession {
            store: self,
            _write: write,
            tx,
            source: source.to_string(),
            ids,
        })
    }
}

/// The kinds of record an import keeps track of.
pub const IMPORT_KINDS: [&str; 10] = [
    "author",
    "user",
    "category",
    "category_topic",
    "tag",
    "attachment",
    "file",
    "post",
    "page",
    "comment",
];

fn kind_name(kind: &str) -> Option<&'static str> {
    IMPORT_KINDS.into_iter().find(|k| *k == kind)
}

impl ImportSession<'_> {
    /// The bbn id an earlier import (or this one) gave to a source record.
    pub fn known(&self, kind: &'static str, external_id: &str) -> Option<i64> {
        self.ids.get(&(kind, external_id.to_string())).copied()
    }

    async fn remember(&mut self, kind: &'static str, external_id: &str, local: i64) -> Result<()> {
        let source = self.source.clone();
        with_tx!(&mut self.tx, t => {
            sqlx::query(
                "INSERT INTO import_ids (source, kind, external_id, local_id) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (source, kind, external_id) DO UPDATE SET local_id = excluded.local_id",
            )
            .bind(&source).bind(kind).bind(external_id).bind(local)
            .execute(&mut **t)
            .await?;
        });
        self.ids.insert((kind, external_id.to_string()), local);
        Ok(())
    }

    /// Gives a new site its first settings (name, description, language);
    /// a site that has settings keeps them. Returns whether it wrote them.
    pub async fn settings_for_new_site(
        &mut self,
        name: &str,
        description: &str,
        language: &str,
    ) -> Result<bool> {
        let d = SiteSettings::default();
        let name = if name.trim().is_empty() {
            d.name.as_str()
        } else {
            name.trim()
        };
        let language = if language.trim().is_empty() {
            d.language.as_str()
        } else {
            language.trim()
        };
        let n = with_tx!(&mut self.tx, t => {
            sqlx::query(
                "INSERT INTO site_settings (id, name, description, copyright_holder, time_zone, page_size, language)
                 VALUES (1, $1, $2, $1, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(name).bind(description.trim()).bind(&d.time_zone).bind(d.page_size).bind(language)
            .execute(&mut **t)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// A free slug in `table` based on `wanted`: itself, or with -2, -3…
    async fn free_slug(
        &mut self,
        table: &'static str,
        wanted: &str,
        own_id: Option<i64>,
    ) -> Result<String> {
        let base = if slug::is_valid(wanted) {
            wanted.to_string()
        } else {
            "untitled".to_string()
        };
        let sql = format!("SELECT id FROM {table} WHERE slug = $1");
        for n in 1..10_000 {
            let candidate = if n == 1 {
                base.clone()
            } else {
                let suffix = format!("-{n}");
                let keep = slug::MAX_LEN.saturating_sub(suffix.len()).min(base.len());
                format!("{}{suffix}", base[..keep].trim_end_matches('-'))
            };
            let holder: Option<i64> = with_tx!(&mut self.tx, t => {
                sqlx::query_scalar(&sql).bind(&candidate).fetch_optional(&mut **t).await?
            });
            if holder.is_none() || holder == own_id {
                return Ok(candidate);
            }
        }
        Err(StoreError::Conflict { field: "slug" })
    }

    /// A byline and a disabled staff account without a password for a
    /// person of the source. An account or byline the site already has with
    /// the same email or name is used instead. Returns (author id, user id).
    pub async fn person(
        &mut self,
        external_id: &str,
        p: &ImportedPerson,
    ) -> Result<(i64, i64, Outcome)> {
        if let (Some(author), Some(user)) = (
            self.known("author", external_id),
            self.known("user", external_id),
        ) {
            let n = with_tx!(&mut self.tx, t => {
                sqlx::query("UPDATE authors SET name = $1 WHERE id = $2 AND name <> $1")
                    .bind(p.name.trim()).bind(author)
                    .execute(&mut **t).await?.rows_affected()
            });
            return Ok((
                author,
                user,
                if n > 0 {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                },
            ));
        }
        // Sources without an email for someone still need a unique sign-in name.
        let email = crate::normalize_email(&p.email)
            .unwrap_or_else(|_| format!("{}@imported.invalid", import_slug(external_id, &p.name)));
        let existing: Option<(i64, Option<i64>)> = with_tx!(&mut self.tx, t => {
            sqlx::query_as("SELECT id, author_id FROM users WHERE email = $1").bind(&email).fetch_optional(&mut **t).await?
        });
        let name = p.name.trim();
        let author_slug = {
            let s = slug::slugify(name);
            if s.is_empty() {
                slug::slugify(&email)
            } else {
                s
            }
        };
        let existing_author: Option<i64> = match existing {
            Some((_, Some(a))) => Some(a),
            _ => with_tx!(&mut self.tx, t => {
                sqlx::query_scalar("SELECT id FROM authors WHERE slug = $1").bind(&author_slug).fetch_optional(&mut **t).await?
            }),
        };
        let mut outcome = Outcome::Linked;
        let author = match existing_author {
            Some(a) => a,
            None => {
                outcome = Outcome::Created;
                let s = self.free_slug("authors", &author_slug, None).await?;
                with_tx!(&mut self.tx, t => {
                    let id: i64 = sqlx::query_scalar("INSERT INTO authors (slug, name) VALUES ($1, $2) RETURNING id")
                        .bind(&s).bind(name).fetch_one(&mut **t).await?;
                    log_change!((*t), "author", id, "create")?;
                    id
                })
            }
        };
        let user = match existing {
            Some((id, _)) => id,
            None => {
                outcome = Outcome::Created;
                with_tx!(&mut self.tx, t => {
                    sqlx::query_scalar(
                        "INSERT INTO users (email, name, role, password_hash, disabled, author_id, created_at)
                         VALUES ($1, $2, 'author', NULL, TRUE, $3, $4) RETURNING id",
                    )
                    .bind(&email).bind(name).bind(author).bind(bbn_core::time::now())
                    .fetch_one(&mut **t).await?
                })
            }
        };
        self.remember("author", external_id, author).await?;
        self.remember("user", external_id, user).await?;
        Ok((author, user, outcome))
    }

    /// A section (from a category). A section with the same slug that the
    /// site already had is used as it is.
    pub async fn section(
        &mut self,
        external_id: &str,
        slug_hint: &str,
        name: &str,
        description: &str,
        parent: Option<i64>,
    ) -> Result<(i64, Outcome)> {
        let name = clip(name.trim(), 200);
        if let Some(id) = self.known("category", external_id) {
            let n = with_tx!(&mut self.tx, t => {
                let n = sqlx::query(
                    "UPDATE sections SET name = $1, description = $2, parent_id = $3
                     WHERE id = $4 AND (name <> $1 OR description <> $2 OR parent_id IS DISTINCT FROM $3)",
                )
                .bind(name).bind(description.trim()).bind(parent).bind(id)
                .execute(&mut **t).await?.rows_affected();
                if n > 0 { log_change!((*t), "section", id, "update")?; }
                n
            });
            return Ok((
                id,
                if n > 0 {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                },
            ));
        }
        let wanted = import_slug(slug_hint, name);
        let existing: Option<i64> = with_tx!(&mut self.tx, t => {
            sqlx::query_scalar("SELECT id FROM sections WHERE slug = $1").bind(&wanted).fetch_optional(&mut **t).await?
        });
        let (id, outcome) = match existing {
            Some(id) => (id, Outcome::Linked),
            None => with_tx!(&mut self.tx, t => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO sections (slug, name, description, parent_id) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&wanted).bind(name).bind(description.trim()).bind(parent)
                .fetch_one(&mut **t).await?;
                log_change!((*t), "section", id, "create")?;
                (id, Outcome::Created)
            }),
        };
        self.remember("category", external_id, id).await?;
        Ok((id, outcome))
    }

    /// A topic (from a tag, or a post's further categories).
    pub async fn topic(
        &mut self,
        kind: &'static str,
        external_id: &str,
        slug_hint: &str,
        name: &str,
        description: &str,
    ) -> Result<(i64, Outcome)> {
        let name = clip(name.trim(), 200);
        if let Some(id) = self.known(kind, external_id) {
            return Ok((id, Outcome::Unchanged));
        }
        let wanted = import_slug(slug_hint, name);
        let existing: Option<i64> = with_tx!(&mut self.tx, t => {
            sqlx::query_scalar("SELECT id FROM topics WHERE slug = $1").bind(&wanted).fetch_optional(&mut **t).await?
        });
        let (id, outcome) = match existing {
            Some(id) => (id, Outcome::Linked),
            None => with_tx!(&mut self.tx, t => {
                let id: i64 = sqlx::query_scalar("INSERT INTO topics (slug, name, description) VALUES ($1, $2, $3) RETURNING id")
                    .bind(&wanted).bind(name).bind(description.trim())
                    .fetch_one(&mut **t).await?;
                log_change!((*t), "topic", id, "create")?;
                (id, Outcome::Created)
            }),
        };
        self.remember(kind, external_id, id).await?;
        Ok((id, outcome))
    }

    /// An image in the media library as stored: (url, width, height, srcset).
    pub async fn media_file(
        &mut self,
        id: i64,
    ) -> Result<Option<(String, Option<i64>, Option<i64>, String)>> {
        Ok(with_tx!(&mut self.tx, t => {
            sqlx::query_as("SELECT url, width, height, srcset FROM media WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **t)
                .await?
        }))
    }

    /// An image in the media library (from an attachment).
    pub async fn media(&mut self, external_id: &str, m: &NewMedia) -> Result<(i64, Outcome)> {
        self.media_as("attachment", external_id, m).await
    }

    /// An image in the media library, from an attachment or (`kind` "file")
    /// a file a body links to.
    pub async fn media_as(
        &mut self,
        kind: &'static str,
        external_id: &str,
        m: &NewMedia,
    ) -> Result<(i64, Outcome)> {
        if let Some(id) = self.known(kind, external_id) {
            let n = with_tx!(&mut self.tx, t => {
                let n = sqlx::query(
                    "UPDATE media SET url = $1, width = $2, height = $3, alt = $4, caption = $5, credit = $6, srcset = $7
                     WHERE id = $8 AND (url <> $1 OR alt <> $4 OR caption <> $5 OR credit <> $6 OR srcset <> $7
                        OR width IS DISTINCT FROM $2 OR height IS DISTINCT FROM $3)",
                )
                .bind(&m.url).bind(m.width).bind(m.height).bind(&m.alt).bind(&m.caption).bind(&m.credit)
                .bind(&m.srcset).bind(id)
                .execute(&mut **t).await?.rows_affected();
                if n > 0 { log_change!((*t), "media", id, "update")?; }
                n
            });
            return Ok((
                id,
                if n > 0 {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                },
            ));
        }
        let id = with_tx!(&mut self.tx, t => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO media (url, width, height, alt, caption, credit, created_at, srcset)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&m.url).bind(m.width).bind(m.height).bind(&m.alt).bind(&m.caption).bind(&m.credit)
            .bind(bbn_core::time::now()).bind(&m.srcset)
            .fetch_one(&mut **t).await?;
            log_change!((*t), "media", id, "create")?;
            id
        });
        self.remember(kind, external_id, id).await?;
        Ok((id, Outcome::Created))
    }

    /// An article. Its slug is made free if another article holds it; an
    /// article imported before is updated (with a new revision) only when
    /// something changed.
    pub async fn article(
        &mut self,
        external_id: &str,
        a: ImportedArticle,
    ) -> Result<(i64, Outcome)> {
        let own = self.known("post", external_id);
        let mut d = a.draft;
        d.slug = self.free_slug("articles", &d.slug, own).await?;
        let mut d = d.normalize().map_err(StoreError::Invalid)?;
        let mut seen = std::collections::HashSet::new();
        d.author_ids.retain(|x| seen.insert(*x));
        let mut seen = std::collections::HashSet::new();
        d.topic_ids.retain(|x| seen.insert(*x));
        if d.status != Status::Scheduled {
            d.scheduled_at = None;
        }
        let html = d.body_format.render(&d.body_markdown);
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
                    return Ok((id, Outcome::Unchanged));
                }
                with_tx!(&mut self.tx, t => {
                    sqlx::query(
                        "UPDATE articles SET slug = $1, headline = $2, dek = $3, kicker = $4, body_markdown = $5,
                            body_html = $6, section_id = $7, status = $8, image_id = $9, seo_title = $10,
                            seo_description = $11, comments_open = $12, published_at = $13, scheduled_at = $14,
                            updated_at = $15, modified_at = $16, revision = revision + 1, body_format = $17
                         WHERE id = $18",
                    )
                    .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(&html)
                    .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
                    .bind(&d.seo_description).bind(d.comments_open).bind(d.published_at).bind(d.scheduled_at)
                    .bind(updated_at).bind(bbn_core::time::now()).bind(d.body_format.as_str()).bind(id)
                    .execute(&mut **t).await?;
                });
                (id, revision + 1, Outcome::Updated)
            }
            None => {
                let id = with_tx!(&mut self.tx, t => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO articles (slug, headline, dek, kicker, body_markdown, body_html, section_id, status,
                            image_id, seo_title, seo_description, comments_open, created_at, published_at, scheduled_at,
                            created_by, modified_at, updated_at, body_format)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                         RETURNING id",
                    )
                    .bind(&d.slug).bind(&d.headline).bind(&d.dek).bind(&d.kicker).bind(&d.body_markdown).bind(&html)
                    .bind(d.section_id).bind(d.status.as_str()).bind(d.image_id).bind(&d.seo_title)
                    .bind(&d.seo_description).bind(d.comments_open).bind(a.created_at).bind(d.published_at)
                    .bind(d.scheduled_at).bind(a.created_by).bind(a.modified_at).bind(updated_at)
                    .bind(d.body_format.as_str())
                    .fetch_one(&mut **t).await?;
                    id
                });
                self.remember("post", external_id, id).await?;
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
            sqlx::query("DELETE FROM slug_history WHERE slug = $1").bind(&d.slug).execute(&mut **t).await?;
            sqlx::query(
                "INSERT INTO article_revisions (article_id, revision, user_id, created_at, snapshot) VALUES ($1, $2, NULL, $3, $4)",
            )
            .bind(id).bind(revision).bind(bbn_core::time::now()).bind(&snapshot)
            .execute(&mut **t).await?;
            log_change!((*t), "article", id, if created { "create" } else { "update" })?;
        });
        Ok((id, outcome))
    }

    /// A static page; its slug is made free if another page holds it.
    pub async fn page(&mut self, external_id: &str, p: ImportedPage) -> Result<(i64, Outcome)> {
        let own = self.known("page", external_id);
        let mut d = p.draft;
        let mut wanted = d.slug.clone();
        if bbn_core::validate::RESERVED_PAGE_SLUGS.contains(&wanted.as_str()) {
            wanted.push_str("-page");
        }
        d.slug = self.free_slug("pages", &wanted, own).await?;
        let d = d.normalize().map_err(StoreError::Invalid)?;
        let html = d.body_format.render(&d.body);
        let published_at = (d.status == PageStatus::Published).then_some(p.created_at);
        if let Some(id) = own {
            let n = with_tx!(&mut self.tx, t => {
                let n = sqlx::query(
                    "UPDATE pages SET slug = $1, title = $2, body_format = $3, body = $4, body_html = $5, status = $6,
                        footer_position = $7, seo_description = $8, published_at = $9, modified_at = $10
                     WHERE id = $11 AND (slug <> $1 OR title <> $2 OR body <> $4 OR status <> $6
                        OR footer_position IS DISTINCT FROM $7 OR seo_description <> $8)",
                )
                .bind(&d.slug).bind(&d.title).bind(d.body_format.as_str()).bind(&d.body).bind(&html)
                .bind(d.status.as_str()).bind(d.footer_position).bind(&d.seo_description).bind(published_at)
                .bind(p.modified_at).bind(id)
                .execute(&mut **t).await?.rows_affected();
                if n > 0 { log_change!((*t), "page", id, "update")?; }
                n
            });
            let exists: Option<i64> = with_tx!(&mut self.tx, t => {
                sqlx::query_scalar("SELECT id FROM pages WHERE id = $1").bind(id).fetch_optional(&mut **t).await?
            });
            if exists.is_some() {
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
                    seo_description, created_at, published_at, modified_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(&d.slug).bind(&d.title).bind(d.body_format.as_str()).bind(&d.body).bind(&html)
            .bind(d.status.as_str()).bind(d.footer_position).bind(&d.seo_description).bind(p.created_at)
            .bind(published_at).bind(p.modified_at)
            .fetch_one(&mut **t).await?;
            log_change!((*t), "page", id, "create")?;
            id
        });
        self.remember("page", external_id, id).await?;
        Ok((id, Outcome::Created))
    }

    /// One article's comments, parents before their replies; each names its
    /// parent by its id in the source. New comments are written with a few
    /// multi-row statements (a thread of 500 costs a handful of round trips);
    /// comments imported before are compared with what is stored and updated
    /// only where they differ.
    pub async fn comments(
        &mut self,
        article_id: i64,
        batch: &[ImportedComment],
    ) -> Result<Vec<Outcome>> {
        type Stored = (i64, String, String, String, String, Option<i64>);
        let stored: Vec<Stored> = with_tx!(&mut self.tx, t => {
            sqlx::query_as(
                "SELECT id, author_name, author_email, body, status, parent_id FROM comments WHERE article_id = $1",
            )
            .bind(article_id)
            .fetch_all(&mut **t)
            .await?
        });
        let stored: HashMap<i64, Stored> = stored.into_iter().map(|r| (r.0, r)).collect();
        let mut local: HashMap<&str, i64> = HashMap::new();
        let mut fresh = Vec::new();
        let mut is_fresh = std::collections::HashSet::new();
        for (i, c) in batch.iter().enumerate() {
            match self
                .known("comment", &c.external_id)
                .filter(|id| stored.contains_key(id))
            {
                Some(id) => {
                    local.insert(&c.external_id, id);
                }
                None => {
                    fresh.push(i);
                    is_fresh.insert(i);
                }
            }
        }
        let ids: Vec<i64> = if fresh.is_empty() {
            Vec::new()
        } else {
            match &mut self.tx {
                Tx::Sqlite(t) => {
                    let top: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM comments")
                        .fetch_one(&mut **t)
                        .await?;
                    (1..=fresh.len() as i64).map(|n| top + n).collect()
                }
                Tx::Postgres(t) => {
                    let mut ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT nextval(pg_get_serial_sequence('comments', 'id')) FROM generate_series(1, $1)",
                    )
                    .bind(fresh.len() as i64)
                    .fetch_all(&mut **t)
                    .await?;
                    ids.sort_unstable();
                    ids
                }
            }
        };
        for (i, id) in fresh.iter().zip(&ids) {
            local.insert(&batch[*i].external_id, *id);
        }
        let parent_of = |c: &ImportedComment| {
            c.parent_external
                .as_deref()
                .and_then(|p| local.get(p).copied().or_else(|| self.known("comment", p)))
        };
        let mut outcomes = vec![Outcome::Unchanged; batch.len()];
        let mut updates = Vec::new();
        let mut rows = Vec::with_capacity(fresh.len());
        for (i, c) in batch.iter().enumerate() {
            let id = local
                .get(c.external_id.as_str())
                .copied()
                .unwrap_or_default();
            let parent = parent_of(c);
            let name = clip(c.author_name.trim(), 200).to_string();
            let email = clip(c.author_email.trim(), 320).to_string();
            match stored.get(&id) {
                Some((_, n, e, b, st, p)) if !is_fresh.contains(&i) => {
                    if (n, e, b, st.as_str(), *p)
                        != (&name, &email, &c.body, c.status.as_str(), parent)
                    {
                        updates.push((id, parent, name, email, c));
                        outcomes[i] = Outcome::Updated;
                    }
                }
                _ => {
                    rows.push((id, parent, name, email, c));
                    outcomes[i] = Outcome::Created;
                }
            }
        }
        for (id, parent, name, email, c) in &updates {
            with_tx!(&mut self.tx, t => {
                sqlx::query(
                    "UPDATE comments SET author_name = $1, author_email = $2, body = $3, status = $4, parent_id = $5,
                        body_hash = $6 WHERE id = $7",
                )
                .bind(name).bind(email).bind(&c.body).bind(c.status.as_str()).bind(*parent)
                .bind(body_hash(&c.body)).bind(*id)
                .execute(&mut **t).await?;
                log_change!((*t), "comment", *id, "update")?;
            });
        }
        let now = bbn_core::time::now();
        for chunk in rows.chunks(200) {
            let insert = values_sql(
                "INSERT INTO comments (id, article_id, parent_id, author_name, author_email, body, status, created_at,
                    staff_user_id, body_hash, spam_reason) VALUES ",
                10,
                chunk.len(),
                ", 'imported'",
            );
            let ids = values_sql(
                "INSERT INTO import_ids (source, kind, external_id, local_id) VALUES ",
                4,
                chunk.len(),
                "",
            );
            let ids = format!(
                "{ids} ON CONFLICT (source, kind, external_id) DO UPDATE SET local_id = excluded.local_id"
            );
            let changes = values_sql(
                "INSERT INTO changes (entity, entity_id, op, at) VALUES ",
                4,
                chunk.len(),
                "",
            );
            let source = self.source.clone();
            with_tx!(&mut self.tx, t => {
                let mut q = sqlx::query(&insert);
                for (id, parent, name, email, c) in chunk {
                    q = q.bind(*id).bind(article_id).bind(*parent).bind(name).bind(email).bind(&c.body)
                        .bind(c.status.as_str()).bind(c.created_at).bind(c.staff_user_id).bind(body_hash(&c.body));
                }
                q.execute(&mut **t).await?;
                let mut q = sqlx::query(&ids);
                for (id, _, _, _, c) in chunk {
                    q = q.bind(&source).bind("comment").bind(&c.external_id).bind(*id);
                }
                q.execute(&mut **t).await?;
                let mut q = sqlx::query(&changes);
                for (id, ..) in chunk {
                    q = q.bind("comment").bind(*id).bind("create").bind(now);
                }
                q.execute(&mut **t).await?;
            });
            for (id, _, _, _, c) in chunk {
                self.ids.insert(("comment", c.external_id.clone()), *id);
            }
        }
        Ok(outcomes)
    }

    /// Makes an old address lead to `target`.
    pub async fn redirect(&mut self, path: &str, target: &RedirectTarget) -> Result<()> {
        self.redirects(&[path.to_string()], target).await
    }

    /// Makes each of several old addresses lead to `target`, in one statement.
    pub async fn redirects(&mut self, paths: &[String], target: &RedirectTarget) -> Result<()> {
        let mut paths: Vec<String> = paths.iter().map(|p| normalize_path(p)).collect();
        paths.sort();
        paths.dedup();
        if paths.is_empty() {
            return Ok(());
        }
        let (kind, id, url) = target.parts();
        let sql = format!(
            "{} ON CONFLICT (path) DO UPDATE SET target_kind = excluded.target_kind,
                target_id = excluded.target_id, target_url = excluded.target_url",
            values_sql(
                "INSERT INTO redirects (path, target_kind, target_id, target_url, created_at) VALUES ",
                5,
                paths.len(),
                ""
            )
        );
        let now = bbn_core::time::now();
        with_tx!(&mut self.tx, t => {
            let mut q = sqlx::query(&sql);
            for path in &paths {
                q = q.bind(path).bind(kind).bind(id).bind(url).bind(now);
            }
            q.execute(&mut **t).await?;
        });
        Ok(())
    }

    /// Adds articles to the end of Editors' Picks (those already there stay where they are).
    pub async fn add_picks(&mut self, article_ids: &[i64]) -> Result<usize> {
        let mut added = 0;
        for id in article_ids {
            let n = with_tx!(&mut self.tx, t => {
                let n = sqlx::query(
                    "INSERT INTO editors_picks (article_id, position)
                     SELECT $1, COALESCE(MAX(position), -1) + 1 FROM editors_picks WHERE true
                     ON CONFLICT (article_id) DO NOTHING",
                )
                .bind(*id).execute(&mut **t).await?.rows_affected();
                if n > 0 { log_change!((*t), "picks", *id, "update")?; }
                n
            });
            added += n as usize;
        }
        Ok(added)
    }

    /// On a site whose navigation is empty, puts the top-level sections with
    /// the most published articles in it (at most `max`). Returns how many.
    pub async fn fill_empty_navigation(&mut self, max: i64) -> Result<u64> {
        let ids: Vec<i64> = with_tx!(&mut self.tx, t => {
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sections WHERE nav_position IS NOT NULL")
                .fetch_one(&mut **t).await?;
            if taken > 0 {
                return Ok(0);
            }
            sqlx::query_scalar(
                "SELECT s.id FROM sections s LEFT JOIN articles a ON a.section_id = s.id AND a.status = 'published'
                 WHERE s.parent_id IS NULL GROUP BY s.id HAVING COUNT(a.id) > 0
                 ORDER BY COUNT(a.id) DESC, s.id LIMIT $1",
            )
            .bind(max)
            .fetch_all(&mut **t)
            .await?
        });
        for (position, id) in ids.iter().enumerate() {
            with_tx!(&mut self.tx, t => {
                sqlx::query("UPDATE sections SET nav_position = $1 WHERE id = $2")
                    .bind(position as i64 + 1).bind(*id).execute(&mut **t).await?;
                log_change!((*t), "section", *id, "update")?;
            });
        }
        Ok(ids.len() as u64)
    }

    /// Commits everything (`true`) or rolls it all back (`false`, a dry run).
    pub async fn finish(self, commit: bool) -> Result<()> {
        let _ = self.store;
        match (self.tx, commit) {
            (Tx::Sqlite(t), true) => t.commit().await?,
            (Tx::Postgres(t), true) => t.commit().await?,
            (Tx::Sqlite(t), false) => t.rollback().await?,
            (Tx::Postgres(t), false) => t.rollback().await?,
        }
        Ok(())
    }
}

/// A slug for an imported name: the source's own when bbn accepts it, else one made from the name.
pub fn import_slug(slug_hint: &str, name: &str) -> String {
    let hint = slug::slugify(slug_hint);
    if !hint.is_empty() {
        return hint;
    }
    let from_name = slug::slugify(name);
    if from_name.is_empty() {
        "untitled".to_string()
    } else {
        from_name
    }
}

/// `head` followed by `rows` groups of `columns` numbered placeholders, each
/// group ending with `tail` (constant columns).
fn values_sql(head: &str, columns: usize, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + rows * columns * 5);
    sql.push_str(head);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * columns + c + 1));
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

fn clip(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
