//! Article and page bodies are sanitized once, when they are written, and
//! stored with the sanitizer's version (`body_sanitizer`): reads hand out
//! a body cleaned by the running version as it is, and clean any other
//! again (rows from before the version column, an import or a restore). A
//! pass rewrites such rows so that their reads stop paying for it.
//!
//! Rendering and sanitizing are CPU work of up to a few milliseconds per
//! body: they run through `cpu`, never on the request workers.

use crate::changes::log_change;
use crate::{Result, Store, with_pool};
use bbn_core::BodyFormat;
use bbn_core::markdown::{SANITIZER_VERSION, sanitize};

/// A stored body as readers may get it.
pub(crate) fn trusted(html: String, version: i64) -> String {
    if version == SANITIZER_VERSION {
        html
    } else {
        sanitize(&html)
    }
}

/// Runs CPU-bound body work off the request workers (`cpu::Work::Markup`).
pub async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    crate::cpu::run(crate::cpu::Work::Markup, work).await
}

/// A body rendered to sanitized HTML, off the request workers.
pub async fn render(format: BodyFormat, body: &str) -> String {
    let body = body.to_owned();
    off_the_workers(move || format.render(&body)).await
}

/// A body as a preview shows it: checked as a save checks it (length and
/// shape; Markdown is rendered to be checked), then rendered to sanitized
/// HTML, all off the request workers. The error says why it is refused.
pub async fn checked_render(format: BodyFormat, body: &str) -> std::result::Result<String, String> {
    if body.len() > bbn_core::validate::MAX_BODY {
        return Err("The body is too long.".to_string());
    }
    let body = body.to_owned();
    off_the_workers(move || {
        bbn_core::markdown::check_body(format, &body).map_err(|e| format!("{e}; simplify it."))?;
        Ok(format.render(&body))
    })
    .await
}

/// Rows cleaned by each round of the pass.
const BATCH: i64 = 200;

impl Store {
    /// Cleans again every body stored by another sanitizer version (or by
    /// none), in batches along the primary key, and stores it with this
    /// version; a body that changed is logged as changed, so that caches
    /// drop what showed it. Returns how many rows it rewrote.
    #[tracing::instrument(skip_all)]
    pub async fn sanitize_stale_bodies(&self) -> Result<u64> {
        let mut done = 0;
        for (table, entity) in [("articles", "article"), ("pages", "page")] {
            let mut after = 0i64;
            loop {
                let sql = format!(
                    "SELECT id, body_html FROM {table} WHERE id > $1 AND body_sanitizer <> $2 ORDER BY id LIMIT $3"
                );
                let rows: Vec<(i64, String)> = with_pool!(&self.pool, p => {
                    sqlx::query_as(&sql).bind(after).bind(SANITIZER_VERSION).bind(BATCH).fetch_all(p).await?
                });
                let Some(last) = rows.last() else { break };
                after = last.0;
                let cleaned = off_the_workers(move || {
                    rows.into_iter()
                        .map(|(id, html)| {
                            let clean = sanitize(&html);
                            let changed = clean != html;
                            (id, clean, changed)
                        })
                        .collect::<Vec<_>>()
                })
                .await;
                let update = format!(
                    "UPDATE {table} SET body_html = $1, body_sanitizer = $2 WHERE id = $3 AND body_sanitizer <> $2"
                );
                done += crate::write_tx!(self, tx => {
                    let mut rewritten = 0;
                    for (id, html, changed) in &cleaned {
                        let n = sqlx::query(&update)
                            .bind(html).bind(SANITIZER_VERSION).bind(id)
                            .execute(&mut *tx).await?.rows_affected();
                        if n > 0 && *changed {
                            log_change!(tx, entity, *id, "update")?;
                        }
                        rewritten += n;
                    }
                    rewritten
                })?;
            }
        }
        Ok(done)
    }

    /// Marks every stored body as cleaned by no known version, for a
    /// database that came from elsewhere whole (a restore): what it says
    /// of itself is not trusted. `sanitize_stale_bodies` cleans them.
    #[tracing::instrument(skip_all)]
    pub async fn distrust_bodies(&self) -> Result<()> {
        crate::write_tx!(self, tx => {
            sqlx::query("UPDATE articles SET body_sanitizer = 0").execute(&mut *tx).await?;
            sqlx::query("UPDATE pages SET body_sanitizer = 0").execute(&mut *tx).await?;
        })?;
        Ok(())
    }
}
