//! Site settings: one row, edited by admins.

use crate::changes::log_change;
use crate::error::OnMissingReference;
use crate::{Result, Store, with_pool};
use bbn_core::SiteSettings;

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    description: String,
    copyright_holder: String,
    time_zone: String,
    page_size: i64,
    language: String,
    blocking_checks: String,
    logo_id: Option<i64>,
    logo_url: Option<String>,
}

impl Store {
    /// The site's settings; defaults until someone saves them.
    #[tracing::instrument(skip_all)]
    pub async fn settings(&self) -> Result<SiteSettings> {
        let row: Option<Row> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT s.name, s.description, s.copyright_holder, s.time_zone, s.page_size, s.language,
                        s.blocking_checks, s.logo_id, m.url AS logo_url
                 FROM site_settings s LEFT JOIN media m ON m.id = s.logo_id WHERE s.id = 1",
            )
            .fetch_optional(p)
            .await?
        });
        Ok(row
            .map(|r| SiteSettings {
                name: r.name,
                description: r.description,
                copyright_holder: r.copyright_holder,
                time_zone: r.time_zone,
                page_size: r.page_size,
                language: r.language,
                blocking_checks: r
                    .blocking_checks
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                logo_id: r.logo_id,
                logo_url: r.logo_url,
            })
            .unwrap_or_default())
    }

    /// Whether nobody has set this site up yet (no settings saved).
    pub async fn is_new_site(&self) -> Result<bool> {
        let n: i64 = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM site_settings").fetch_one(p).await?
        });
        Ok(n == 0)
    }

    #[tracing::instrument(skip_all)]
    pub async fn save_settings(&self, s: &SiteSettings) -> Result<()> {
        let mut errors = Vec::new();
        if s.name.trim().is_empty() {
            errors.push(bbn_core::ValidationError::new(
                "name",
                "The site needs a name.",
            ));
        }
        if bbn_core::time::parse_zone(&s.time_zone).is_none() {
            errors.push(bbn_core::ValidationError::new(
                "time_zone",
                "Unknown time zone.",
            ));
        }
        if s.blocking_checks
            .iter()
            .any(|c| bbn_core::checks::Check::parse(c).is_none())
        {
            errors.push(bbn_core::ValidationError::new(
                "blocking_checks",
                "Unknown check.",
            ));
        }
        if !(1..=200).contains(&s.page_size) {
            errors.push(bbn_core::ValidationError::new(
                "page_size",
                "Page size must be 1 to 200.",
            ));
        }
        if !errors.is_empty() {
            return Err(crate::StoreError::Invalid(errors));
        }
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO site_settings (id, name, description, copyright_holder, time_zone, page_size, language,
                   blocking_checks, logo_id)
                 VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                   copyright_holder = excluded.copyright_holder, time_zone = excluded.time_zone,
                   page_size = excluded.page_size, language = excluded.language,
                   blocking_checks = excluded.blocking_checks, logo_id = excluded.logo_id",
            )
            .bind(&s.name)
            .bind(&s.description)
            .bind(&s.copyright_holder)
            .bind(&s.time_zone)
            .bind(s.page_size)
            .bind(&s.language)
            .bind(s.blocking_checks.join(","))
            .bind(s.logo_id)
            .execute(&mut *tx)
            .await
            .on_missing_reference("logo")?;
            log_change!(tx, "settings", 1_i64, "update")?;
            tx.commit().await?;
        });
        Ok(())
    }
}
