//! The media library: every uploaded image (and, later, video and audio
//! file) with its details, found by words and filters, and what uses it.
//!
//! Which articles use an item is kept in `media_uses` by every article
//! write in its own transaction (`articles/write.rs`, from the body's
//! `MediaRefs` and the featured image); articles written before that table
//! existed, or brought in by a whole-site import, are read once by
//! `index_media_uses`. An item in use (by an article, as the site's logo,
//! as an author's photo, in a page's body) is never deleted.

use crate::changes::log_change;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::ValidationError;
use bbn_core::media::MediaRefs;

/// An item to record in the media library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMedia {
    pub url: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// Resized copies ("URL 480w, URL 960w").
    pub srcset: String,
    /// The file as stored: "image" (later "video", "audio"), its MIME type
    /// read from its content, its size in bytes.
    pub file: FileFacts,
    /// The name it was uploaded with (found by the library's search).
    pub file_name: String,
    pub uploaded_by: Option<i64>,
}

/// What the stored file is, read from its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub kind: String,
    pub mime: String,
    pub bytes: i64,
}

impl Default for FileFacts {
    fn default() -> Self {
        FileFacts {
            kind: "image".into(),
            mime: String::new(),
            bytes: 0,
        }
    }
}

/// One item as the library shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MediaItem {
    pub id: i64,
    pub url: String,
    pub kind: String,
    pub mime: String,
    pub file_name: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub srcset: String,
    pub focal_x: i64,
    pub focal_y: i64,
    pub created_at: i64,
    pub uploaded_by: Option<i64>,
    pub uploader: Option<String>,
    /// Articles using it.
    pub uses: i64,
}

/// An item whose WebP and AVIF copies are to be made.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VariantWork {
    pub id: i64,
    pub url: String,
    pub srcset: String,
    pub kind: String,
    /// What the column held when it was taken.
    #[sqlx(rename = "variants")]
    pub was: String,
}

/// A making of copies not finished within this long is taken again.
pub const VARIANT_LEASE_SECONDS: i64 = 600;

/// What the library's search asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaQuery {
    /// Words found in the file name, alt text, caption or credit.
    pub words: Option<String>,
    pub kind: Option<String>,
    pub uploaded_by: Option<i64>,
    /// Only items nothing uses.
    pub unused: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Details the newsroom edits; what readers are told and where crops look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDetails {
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// The point crops keep in view, in percent (0–100) of width and height.
    pub focal_x: i64,
    pub focal_y: i64,
}

/// An article using an item, as the library lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MediaUse {
    pub article_id: i64,
    pub headline: String,
    pub slug: String,
    pub status: String,
}

/// Longest alt text, caption or credit.
pub const MAX_DETAIL_CHARS: usize = 1_000;

const ITEM_COLUMNS: &str =
    "SELECT m.id, m.url, m.kind, m.mime, m.file_name, m.bytes, m.width, m.height,
    m.alt, m.caption, m.credit, m.srcset, m.focal_x, m.focal_y, m.created_at, m.uploaded_by,
    u.name AS uploader, (SELECT COUNT(*) FROM media_uses mu WHERE mu.media_id = m.id) AS uses
    FROM media m LEFT JOIN users u ON u.id = m.uploaded_by";

/// The library's filter as SQL over `m`, binding $1 (pattern), $2 (kind),
/// $3 (uploader), $4 (unused).
const FILTER: &str = "WHERE ($1 IS NULL OR LOWER(m.file_name) LIKE $1 ESCAPE '\\' OR LOWER(m.alt) LIKE $1 ESCAPE '\\'
        OR LOWER(m.caption) LIKE $1 ESCAPE '\\' OR LOWER(m.credit) LIKE $1 ESCAPE '\\')
    AND ($2 IS NULL OR m.kind = $2)
    AND ($3 IS NULL OR m.uploaded_by = $3)
    AND (NOT $4 OR (NOT EXISTS (SELECT 1 FROM media_uses mu WHERE mu.media_id = m.id)
        AND NOT EXISTS (SELECT 1 FROM site_settings s WHERE s.logo_id = m.id)
        AND NOT EXISTS (SELECT 1 FROM authors a WHERE a.photo_id = m.id)))";

fn check_details(d: &MediaDetails) -> Result<()> {
    let mut errors = Vec::new();
    if [&d.alt, &d.caption, &d.credit]
        .iter()
        .any(|t| t.chars().count() > MAX_DETAIL_CHARS)
    {
        errors.push(ValidationError::new(
            "media",
            "Alt text, caption and credit are limited to 1,000 characters.",
        ));
    }
    if !(0..=100).contains(&d.focal_x) || !(0..=100).contains(&d.focal_y) {
        errors.push(ValidationError::new(
            "focal",
            "The focal point is given in percent, from 0 to 100.",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// Keeps `media_uses` of the articles `$articles` (`&[(id, &MediaRefs,
/// featured image)]`) and marks them indexed; `$replace` first removes what
/// they had (a save; new articles have nothing).
macro_rules! write_media_uses {
    ($tx:expr, $articles:expr, $replace:expr) => {{
        let articles: &[(i64, &bbn_core::media::MediaRefs, Option<i64>)] = $articles;
        for (id, refs, image) in articles {
            if $replace {
                sqlx::query("DELETE FROM media_uses WHERE article_id = $1")
                    .bind(*id)
                    .execute(&mut *$tx)
                    .await?;
            }
            let mut ids: Vec<i64> = refs.ids.clone();
            ids.extend(*image);
            if ids.is_empty() && refs.addresses.is_empty() {
                continue;
            }
            let sql = format!(
                "INSERT INTO media_uses (media_id, article_id) SELECT id, $1 FROM media
                 WHERE id IN ({}) OR url IN ({})",
                if ids.is_empty() {
                    "NULL".to_string()
                } else {
                    $crate::db::placeholders(2, ids.len())
                },
                if refs.addresses.is_empty() {
                    "NULL".to_string()
                } else {
                    $crate::db::placeholders(2 + ids.len(), refs.addresses.len())
                },
            );
            let mut q = sqlx::query(&sql).bind(*id);
            for m in &ids {
                q = q.bind(*m);
            }
            for a in &refs.addresses {
                q = q.bind(a);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use write_media_uses;

impl Store {
    /// Records an item in the media library.
    #[tracing::instrument(skip_all)]
    pub async fn create_media(&self, m: &NewMedia) -> Result<i64> {
        if m.url.trim().is_empty() {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "url",
                "An image needs a URL.",
            )]));
        }
        let file_name: String = m.file_name.chars().take(255).collect();
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO media (url, width, height, alt, caption, credit, created_at, srcset,
                    kind, mime, file_name, bytes, uploaded_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&m.url).bind(m.width).bind(m.height).bind(&m.alt).bind(&m.caption).bind(&m.credit)
            .bind(self.now()).bind(&m.srcset).bind(&m.file.kind).bind(&m.file.mime).bind(&file_name)
            .bind(m.file.bytes).bind(m.uploaded_by)
            .fetch_one(&mut *tx)
            .await?;
            log_change!(tx, "media", id, "create")?;
            id
        })
    }

    /// Changes an item's details. Pages showing it as a featured image
    /// change with it; bodies showing it are brought up to date by the
    /// caller (`media_refresh`), article by article, as saves.
    #[tracing::instrument(skip_all)]
    pub async fn update_media(&self, id: i64, d: &MediaDetails) -> Result<()> {
        check_details(d)?;
        crate::write_tx!(self, tx => {
            let n = sqlx::query(
                "UPDATE media SET alt = $1, caption = $2, credit = $3, focal_x = $4, focal_y = $5 WHERE id = $6",
            )
            .bind(d.alt.trim()).bind(d.caption.trim()).bind(d.credit.trim())
            .bind(d.focal_x).bind(d.focal_y).bind(id)
            .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let articles: Vec<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE image_id = $1")
                .bind(id).fetch_all(&mut *tx).await?;
            for a in articles {
                log_change!(tx, "article", a, "update")?;
            }
            log_change!(tx, "media", id, "update")?;
        })
    }

    /// Puts another file in an item's place (its address, size, copies and
    /// type change; its details and uses stay). Returns the old address,
    /// whose files the caller removes once bodies no longer name it.
    #[tracing::instrument(skip_all)]
    pub async fn replace_media_file(&self, id: i64, m: &NewMedia) -> Result<String> {
        crate::write_tx!(self, tx => {
            let old: Option<String> = sqlx::query_scalar("SELECT url FROM media WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await?;
            let Some(old) = old else { return Err(StoreError::NotFound) };
            sqlx::query(
                "UPDATE media SET url = $1, width = $2, height = $3, srcset = $4, kind = $5, mime = $6,
                    bytes = $7, file_name = $8, variants = '' WHERE id = $9",
            )
            .bind(&m.url).bind(m.width).bind(m.height).bind(&m.srcset).bind(&m.file.kind)
            .bind(&m.file.mime).bind(m.file.bytes).bind(m.file_name.chars().take(255).collect::<String>())
            .bind(id)
            .execute(&mut *tx).await?;
            let articles: Vec<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE image_id = $1")
                .bind(id).fetch_all(&mut *tx).await?;
            for a in articles {
                log_change!(tx, "article", a, "update")?;
            }
            log_change!(tx, "media", id, "update")?;
            old
        })
    }

    /// Deletes an item nothing uses and returns its address (the caller
    /// removes the files). Refused with `Conflict { field: "media" }` while
    /// an article, the site's logo, an author's photo or a page uses it.
    #[tracing::instrument(skip_all)]
    pub async fn delete_media(&self, id: i64) -> Result<String> {
        crate::write_tx!(self, tx => {
            let url: Option<String> = sqlx::query_scalar("SELECT url FROM media WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await?;
            let Some(url) = url else { return Err(StoreError::NotFound) };
            let used: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM media_uses WHERE media_id = $1)
                    OR EXISTS (SELECT 1 FROM articles WHERE image_id = $1)
                    OR EXISTS (SELECT 1 FROM site_settings WHERE logo_id = $1)
                    OR EXISTS (SELECT 1 FROM authors WHERE photo_id = $1)
                    OR EXISTS (SELECT 1 FROM pages WHERE body_html LIKE $2 ESCAPE '\\')",
            )
            .bind(id)
            .bind(format!("%\"{}\"%", url.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
            .fetch_one(&mut *tx).await?;
            if used {
                return Err(StoreError::Conflict { field: "media" });
            }
            sqlx::query("DELETE FROM media WHERE id = $1").bind(id).execute(&mut *tx).await?;
            log_change!(tx, "media", id, "delete")?;
            url
        })
    }

    /// The width, height and resized copies of the library items a body
    /// uses, by address (items without a known size left out).
    pub(crate) async fn media_sizes(
        &self,
        refs: &MediaRefs,
    ) -> Result<std::collections::HashMap<String, bbn_core::media::ImageSize>> {
        if refs.ids.is_empty() && refs.addresses.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT url, width, height, srcset FROM media WHERE width IS NOT NULL AND height IS NOT NULL
             AND (id IN ({}) OR url IN ({}))",
            if refs.ids.is_empty() {
                "NULL".to_string()
            } else {
                crate::db::placeholders(1, refs.ids.len())
            },
            if refs.addresses.is_empty() {
                "NULL".to_string()
            } else {
                crate::db::placeholders(1 + refs.ids.len(), refs.addresses.len())
            },
        );
        let rows: Vec<(String, i64, i64, String)> = with_pool!(&self.pool, p => {
            let mut q = sqlx::query_as(&sql);
            for id in &refs.ids {
                q = q.bind(*id);
            }
            for a in &refs.addresses {
                q = q.bind(a);
            }
            q.fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|(url, width, height, srcset)| {
                (
                    url,
                    bbn_core::media::ImageSize {
                        width,
                        height,
                        srcset,
                    },
                )
            })
            .collect())
    }

    /// The focal point of the item stored at `url`, if one is.
    #[tracing::instrument(skip_all)]
    pub async fn media_focal(&self, url: &str) -> Result<Option<(i64, i64)>> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT focal_x, focal_y FROM media WHERE url = $1 ORDER BY id LIMIT 1",
        ).bind(url).fetch_optional(p).await?))
    }

    /// One item, with its uploader and use count.
    #[tracing::instrument(skip_all)]
    pub async fn media_item(&self, id: i64) -> Result<Option<MediaItem>> {
        let sql = format!("{ITEM_COLUMNS} WHERE m.id = $1");
        Ok(with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
    }

    /// One page of the library, newest first, and how many items match.
    #[tracing::instrument(skip_all)]
    pub async fn media_list(&self, q: &MediaQuery) -> Result<(Vec<MediaItem>, i64)> {
        let pattern = crate::contains_pattern(q.words.as_deref());
        let list = format!(
            "{ITEM_COLUMNS} {FILTER} ORDER BY m.created_at DESC, m.id DESC LIMIT $5 OFFSET $6"
        );
        let count = format!("SELECT COUNT(*) FROM media m {FILTER}");
        let kind = q.kind.clone();
        Ok(with_pool!(&self.pool, p => {
            let items: Vec<MediaItem> = sqlx::query_as(&list)
                .bind(&pattern).bind(&kind).bind(q.uploaded_by).bind(q.unused)
                .bind(q.limit.clamp(1, 200)).bind(q.offset.max(0))
                .fetch_all(p).await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(&pattern).bind(&kind).bind(q.uploaded_by).bind(q.unused)
                .fetch_one(p).await?;
            (items, total)
        }))
    }

    /// The staff who uploaded anything, by name: the library's filter.
    #[tracing::instrument(skip_all)]
    pub async fn media_uploaders(&self) -> Result<Vec<(i64, String)>> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, name FROM users WHERE id IN (SELECT uploaded_by FROM media WHERE uploaded_by IS NOT NULL)
             ORDER BY name, id",
        ).fetch_all(p).await?))
    }

    /// The articles using an item, newest first, at most `limit`.
    #[tracing::instrument(skip_all)]
    pub async fn media_used_in(&self, id: i64, limit: i64) -> Result<Vec<MediaUse>> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT a.id AS article_id, a.headline, a.slug, a.status FROM media_uses mu
             JOIN articles a ON a.id = mu.article_id WHERE mu.media_id = $1
             ORDER BY a.modified_at DESC, a.id DESC LIMIT $2",
        ).bind(id).bind(limit).fetch_all(p).await?))
    }

    /// Takes up to `limit` images whose WebP and AVIF copies are still to
    /// be made (or whose making another instance left more than ten minutes
    /// ago), marking each as being made by this caller. Two instances never
    /// take the same item at once.
    #[tracing::instrument(skip_all)]
    pub async fn take_variant_work(&self, limit: i64) -> Result<Vec<VariantWork>> {
        let now = self.now();
        let stale = format!("making:{}", now - VARIANT_LEASE_SECONDS);
        let candidates: Vec<VariantWork> = with_pool!(&self.pool, p => sqlx::query_as(
            "SELECT id, url, srcset, kind, variants FROM media
             WHERE variants <> 'made' AND variants <> 'none' AND variants <> 'failed'
               AND (variants = '' OR variants < $1)
             ORDER BY id LIMIT $2",
        ).bind(&stale).bind(limit).fetch_all(p).await?);
        let mut taken = Vec::with_capacity(candidates.len());
        let mark = format!("making:{now}");
        for c in candidates {
            let won = with_pool!(&self.pool, p => sqlx::query(
                "UPDATE media SET variants = $1 WHERE id = $2 AND variants = $3",
            ).bind(&mark).bind(c.id).bind(&c.was).execute(p).await?.rows_affected());
            if won == 1 {
                taken.push(c);
            }
        }
        Ok(taken)
    }

    /// How many images still wait for their WebP and AVIF copies (or are
    /// having them made).
    #[tracing::instrument(skip_all)]
    pub async fn media_copies_waiting(&self) -> Result<i64> {
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM media WHERE variants <> 'made' AND variants <> 'none' AND variants <> 'failed'",
        ).fetch_one(p).await?))
    }

    /// Records how the making of an item's copies ended (`made`, `none` or
    /// `failed`), unless its file was replaced meanwhile.
    #[tracing::instrument(skip_all)]
    pub async fn finish_variant_work(&self, id: i64, url: &str, outcome: &str) -> Result<()> {
        with_pool!(&self.pool, p => sqlx::query(
            "UPDATE media SET variants = $1 WHERE id = $2 AND url = $3 AND variants LIKE 'making:%'",
        ).bind(outcome).bind(id).bind(url).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Reads the bodies of articles whose uses are not known yet (written
    /// before the library kept them, or imported whole) and records their
    /// uses, in batches along the primary key. Returns how many it read.
    #[tracing::instrument(skip_all)]
    pub async fn index_media_uses(&self) -> Result<u64> {
        const BATCH: i64 = 200;
        let mut done = 0;
        loop {
            type Row = (i64, String, String, String, Option<i64>);
            let rows: Vec<Row> = with_pool!(&self.pool, p => sqlx::query_as(
                "SELECT id, body_format, body_markdown, body_html, image_id FROM articles
                 WHERE media_indexed = 0 ORDER BY id LIMIT $1",
            ).bind(BATCH).fetch_all(p).await?);
            if rows.is_empty() {
                break;
            }
            let refs = crate::bodies::off_the_workers(move || {
                rows.into_iter()
                    .map(|(id, format, body, html, image)| {
                        let format = bbn_core::BodyFormat::parse(&format).unwrap_or_default();
                        (id, MediaRefs::of(format, &body, &html), image)
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            crate::write_tx!(self, tx => {
                // An article saved since it was read keeps what its save wrote.
                let mut items: Vec<(i64, &MediaRefs, Option<i64>)> = Vec::new();
                for (id, r, image) in &refs {
                    let claimed = sqlx::query("UPDATE articles SET media_indexed = 1 WHERE id = $1 AND media_indexed = 0")
                        .bind(*id).execute(&mut *tx).await?.rows_affected();
                    if claimed > 0 {
                        items.push((*id, r, *image));
                    }
                }
                write_media_uses!(tx, &items, true);
            })?;
            done += refs.len() as u64;
        }
        Ok(done)
    }
}
