//! What posts refer to: people (bylines and staff accounts), sections,
//! topics and images.

use super::{ImportSession, ImportedPerson, Outcome, clip, import_slug};
use crate::changes::log_change;
use crate::with_tx;
use crate::{NewMedia, Result};
use bbn_core::slug;

impl ImportSession<'_> {
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
                let s = self
                    .free_slug("authors", &author_slug, &author_slug, None)
                    .await?;
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
                "INSERT INTO media (url, width, height, alt, caption, credit, created_at, srcset,
                    kind, mime, file_name, bytes, uploaded_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&m.url).bind(m.width).bind(m.height).bind(&m.alt).bind(&m.caption).bind(&m.credit)
            .bind(bbn_core::time::now()).bind(&m.srcset).bind(&m.file.kind).bind(&m.file.mime)
            .bind(m.file_name.chars().take(255).collect::<String>()).bind(m.file.bytes).bind(m.uploaded_by)
            .fetch_one(&mut **t).await?;
            log_change!((*t), "media", id, "create")?;
            id
        });
        self.remember(kind, external_id, id).await?;
        Ok((id, Outcome::Created))
    }
}
