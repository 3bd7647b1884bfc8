//! Bringing another site's content in: one transaction for the whole
//! import (a failure anywhere leaves the database as it was, and a dry run
//! rolls back), with a record of which source record became which bbn
//! record, so that importing the same source again updates instead of
//! duplicating. The importers (`bbn import wordpress`) decide what maps to
//! what; this module only writes, through the same rules as every other
//! write (`ArticleDraft::normalize`, sanitized bodies, the change log).
//!
//! - `mod.rs`: the session, its transaction and its memory of source ids;
//!   old addresses, picks, navigation, commit or roll back;
//! - `records.rs`: people, sections, topics, images;
//! - `content.rs`: articles and pages;
//! - `comments.rs`: a thread at a time, in multi-row statements.

use crate::changes::log_change;
use crate::{RedirectTarget, Result, Store, StoreError, normalize_path};
use bbn_core::validate::{ArticleDraft, PageDraft};
use bbn_core::{CommentStatus, SiteSettings, slug};
use std::collections::HashMap;

use crate::db::Tx;
use crate::with_tx;

mod comments;
mod content;
mod records;

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
    /// Imported before, then edited in bbn: the edit is kept and the
    /// source's version is not written over it.
    Kept,
}

/// A record that could not keep its source's slug, because something else
/// on the site holds it (or the slug is not one bbn accepts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// `article`, `page`, `author`.
    pub kind: &'static str,
    pub from: String,
    pub to: String,
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
    _write: crate::WriteGuard<'a>,
    tx: Tx,
    source: String,
    ids: HashMap<(&'static str, String), i64>,
    renames: Vec<Rename>,
}

impl Store {
    /// Starts importing from `source` (e.g. "wordpress https://example.com"),
    /// with what earlier imports from it made. On SQLite other writers wait
    /// until the import finishes.
    pub async fn begin_import(&self, source: &str) -> Result<ImportSession<'_>> {
        let write = self.writer().await;
        let mut tx = self.pool.begin_owned().await?;
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
            _write: write,
            tx,
            source: source.to_string(),
            ids,
            renames: Vec::new(),
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

    pub(super) async fn remember(
        &mut self,
        kind: &'static str,
        external_id: &str,
        local: i64,
    ) -> Result<()> {
        self.remember_version(kind, external_id, local, None).await
    }

    /// `remember`, with what the import left the record at (see
    /// `import_ids.local_version`).
    pub(super) async fn remember_version(
        &mut self,
        kind: &'static str,
        external_id: &str,
        local: i64,
        version: Option<i64>,
    ) -> Result<()> {
        let source = self.source.clone();
        with_tx!(&mut self.tx, t => {
            sqlx::query(
                "INSERT INTO import_ids (source, kind, external_id, local_id, local_version) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (source, kind, external_id)
                 DO UPDATE SET local_id = excluded.local_id, local_version = excluded.local_version",
            )
            .bind(&source).bind(kind).bind(external_id).bind(local).bind(version)
            .execute(&mut **t)
            .await?;
        });
        self.ids.insert((kind, external_id.to_string()), local);
        Ok(())
    }

    /// What an earlier import left a record at, if it noted it.
    pub(super) async fn version(
        &mut self,
        kind: &'static str,
        external_id: &str,
    ) -> Result<Option<i64>> {
        let source = self.source.clone();
        Ok(with_tx!(&mut self.tx, t => {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT local_version FROM import_ids WHERE source = $1 AND kind = $2 AND external_id = $3",
            )
            .bind(&source).bind(kind).bind(external_id)
            .fetch_optional(&mut **t)
            .await?
            .flatten()
        }))
    }

    /// The slugs changed since the last call: the operator is told of
    /// every one, since links to the old slug will not find the record.
    pub fn take_renames(&mut self) -> Vec<Rename> {
        std::mem::take(&mut self.renames)
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
    /// When it differs from `from` (the source's slug) it is noted as a
    /// rename.
    pub(super) async fn free_slug(
        &mut self,
        table: &'static str,
        wanted: &str,
        from: &str,
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
                if candidate != from {
                    self.renames.push(Rename {
                        kind: table.trim_end_matches('s'),
                        from: from.to_string(),
                        to: candidate.clone(),
                    });
                }
                return Ok(candidate);
            }
        }
        Err(StoreError::Conflict { field: "slug" })
    }

    /// Makes an old address lead to `target`, unless it already leads
    /// somewhere else (see `redirects`).
    pub async fn redirect(&mut self, path: &str, target: &RedirectTarget) -> Result<Vec<String>> {
        self.redirects(&[path.to_string()], target).await
    }

    /// Makes each of several old addresses lead to `target`. An address
    /// that already leads to something else the site still has (another
    /// import's post, a redirect the newsroom set) is left as it is: an
    /// import never takes an address over. Returns those addresses.
    pub async fn redirects(
        &mut self,
        paths: &[String],
        target: &RedirectTarget,
    ) -> Result<Vec<String>> {
        let mut paths: Vec<String> = paths.iter().map(|p| normalize_path(p)).collect();
        paths.sort();
        paths.dedup();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let (kind, id, url) = target.parts();
        let placeholders: Vec<String> = (0..paths.len()).map(|i| format!("${}", i + 4)).collect();
        let taken_sql = format!(
            "SELECT r.path FROM redirects r WHERE r.path IN ({})
                AND NOT (r.target_kind = $1 AND r.target_id IS NOT DISTINCT FROM $2
                    AND r.target_url IS NOT DISTINCT FROM $3)
                AND CASE r.target_kind
                    WHEN 'article' THEN EXISTS (SELECT 1 FROM articles x WHERE x.id = r.target_id)
                    WHEN 'page' THEN EXISTS (SELECT 1 FROM pages x WHERE x.id = r.target_id)
                    WHEN 'section' THEN EXISTS (SELECT 1 FROM sections x WHERE x.id = r.target_id)
                    WHEN 'topic' THEN EXISTS (SELECT 1 FROM topics x WHERE x.id = r.target_id)
                    ELSE TRUE END
             ORDER BY r.path",
            placeholders.join(", ")
        );
        let taken: Vec<String> = with_tx!(&mut self.tx, t => {
            let mut q = sqlx::query_scalar(&taken_sql).bind(kind).bind(id).bind(url);
            for path in &paths {
                q = q.bind(path);
            }
            q.fetch_all(&mut **t).await?
        });
        paths.retain(|p| !taken.contains(p));
        if paths.is_empty() {
            return Ok(taken);
        }
        let sql = crate::redirects::upsert_sql(paths.len());
        let now = bbn_core::time::now();
        with_tx!(&mut self.tx, t => {
            let mut q = sqlx::query(&sql);
            for path in &paths {
                q = q.bind(path).bind(kind).bind(id).bind(url).bind(now);
            }
            q.execute(&mut **t).await?;
        });
        Ok(taken)
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

pub(super) fn clip(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
