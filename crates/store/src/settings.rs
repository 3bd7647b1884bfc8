//! Site settings: one row, edited by admins.

use crate::changes::log_change;
use crate::error::OnMissingReference;
use crate::{Result, Store, with_pool};
use bbn_core::{CommentSettings, FeedSettings, Moderation, SiteSettings, ValidationError};

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
    comment_moderation: String,
    comments_close_days: Option<i64>,
    comment_max_chars: i64,
    comment_max_depth: i64,
    comment_max_links: i64,
    comment_blocklist: String,
    comments_per_page: i64,
    comment_filter_after: i64,
    comment_filter_threshold: i64,
    most_read_days: i64,
    feed_items: i64,
    feed_full_text: bool,
    robots_txt: String,
}

fn lines(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

impl From<Row> for SiteSettings {
    fn from(r: Row) -> SiteSettings {
        SiteSettings {
            name: r.name,
            description: r.description,
            copyright_holder: r.copyright_holder,
            time_zone: r.time_zone,
            page_size: r.page_size,
            language: r.language,
            blocking_checks: lines(&r.blocking_checks, ','),
            logo_id: r.logo_id,
            logo_url: r.logo_url,
            comments: CommentSettings {
                moderation: Moderation::parse(&r.comment_moderation).unwrap_or(Moderation::Hold),
                close_after_days: r.comments_close_days,
                max_chars: r.comment_max_chars,
                max_depth: r.comment_max_depth,
                max_links: r.comment_max_links,
                blocklist: lines(&r.comment_blocklist, '\n'),
                per_page: r.comments_per_page,
                filter_after: r.comment_filter_after,
                filter_threshold: r.comment_filter_threshold,
            },
            most_read_days: r.most_read_days,
            feeds: FeedSettings {
                items: r.feed_items,
                full_text: r.feed_full_text,
            },
            robots_txt: r.robots_txt,
        }
    }
}

fn check(s: &SiteSettings) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if s.name.trim().is_empty() {
        errors.push(ValidationError::new("name", "The site needs a name."));
    }
    if bbn_core::time::parse_zone(&s.time_zone).is_none() {
        errors.push(ValidationError::new("time_zone", "Unknown time zone."));
    }
    if s.blocking_checks
        .iter()
        .any(|c| bbn_core::checks::Check::parse(c).is_none())
    {
        errors.push(ValidationError::new("blocking_checks", "Unknown check."));
    }
    if !(1..=200).contains(&s.page_size) {
        errors.push(ValidationError::new(
            "page_size",
            "Page size must be 1 to 200.",
        ));
    }
    if !(1..=30).contains(&s.most_read_days) {
        errors.push(ValidationError::new(
            "most_read_days",
            "Most Read covers 1 to 30 days.",
        ));
    }
    if !(1..=100).contains(&s.feeds.items) {
        errors.push(ValidationError::new(
            "feed_items",
            "A feed carries 1 to 100 articles.",
        ));
    }
    if s.robots_txt.len() > 20_000 {
        errors.push(ValidationError::new(
            "robots_txt",
            "robots.txt may be at most 20,000 characters.",
        ));
    }
    let c = &s.comments;
    if !(1..=100_000).contains(&c.max_chars) {
        errors.push(ValidationError::new(
            "comment_max_chars",
            "The comment length limit must be 1 to 100,000 characters.",
        ));
    }
    if !(1..=10).contains(&c.max_depth) {
        errors.push(ValidationError::new(
            "comment_max_depth",
            "Reply depth must be 1 to 10.",
        ));
    }
    if !(0..=100).contains(&c.max_links) {
        errors.push(ValidationError::new(
            "comment_max_links",
            "The link limit must be 0 to 100.",
        ));
    }
    if !(1..=500).contains(&c.per_page) {
        errors.push(ValidationError::new(
            "comments_per_page",
            "Show 1 to 500 comments per page.",
        ));
    }
    if !(0..=1_000_000).contains(&c.filter_after) {
        errors.push(ValidationError::new(
            "comment_filter_after",
            "The filter can start after 0 to 1,000,000 decisions.",
        ));
    }
    if !(50..=100).contains(&c.filter_threshold) {
        errors.push(ValidationError::new(
            "comment_filter_threshold",
            "The spam score must be 50 to 100 percent.",
        ));
    }
    if c.close_after_days
        .is_some_and(|d| !(1..=36_500).contains(&d))
    {
        errors.push(ValidationError::new(
            "comments_close_days",
            "Close comments after 1 to 36,500 days, or never.",
        ));
    }
    errors
}

impl Store {
    /// The site's settings; defaults until someone saves them.
    #[tracing::instrument(skip_all)]
    pub async fn settings(&self) -> Result<SiteSettings> {
        let row: Option<Row> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT s.name, s.description, s.copyright_holder, s.time_zone, s.page_size, s.language,
                        s.blocking_checks, s.logo_id, m.url AS logo_url, s.comment_moderation,
                        s.comments_close_days, s.comment_max_chars, s.comment_max_depth,
                        s.comment_max_links, s.comment_blocklist, s.comments_per_page,
                        s.comment_filter_after, s.comment_filter_threshold, s.most_read_days,
                        s.feed_items, s.feed_full_text, s.robots_txt
                 FROM site_settings s LEFT JOIN media m ON m.id = s.logo_id WHERE s.id = 1",
            )
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(SiteSettings::from).unwrap_or_default())
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
        let errors = check(s);
        if !errors.is_empty() {
            return Err(crate::StoreError::Invalid(errors));
        }
        let c = &s.comments;
        crate::write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO site_settings (id, name, description, copyright_holder, time_zone, page_size, language,
               blocking_checks, logo_id, comment_moderation, comments_close_days, comment_max_chars,
               comment_max_depth, comment_max_links, comment_blocklist, comments_per_page,
               comment_filter_after, comment_filter_threshold, most_read_days, feed_items,
               feed_full_text, robots_txt)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
               $19, $20, $21)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
               copyright_holder = excluded.copyright_holder, time_zone = excluded.time_zone,
               page_size = excluded.page_size, language = excluded.language,
               blocking_checks = excluded.blocking_checks, logo_id = excluded.logo_id,
               comment_moderation = excluded.comment_moderation,
               comments_close_days = excluded.comments_close_days,
               comment_max_chars = excluded.comment_max_chars, comment_max_depth = excluded.comment_max_depth,
               comment_max_links = excluded.comment_max_links, comment_blocklist = excluded.comment_blocklist,
               comments_per_page = excluded.comments_per_page,
               comment_filter_after = excluded.comment_filter_after,
               comment_filter_threshold = excluded.comment_filter_threshold,
               most_read_days = excluded.most_read_days, feed_items = excluded.feed_items,
               feed_full_text = excluded.feed_full_text, robots_txt = excluded.robots_txt",
            )
            .bind(&s.name)
            .bind(&s.description)
            .bind(&s.copyright_holder)
            .bind(&s.time_zone)
            .bind(s.page_size)
            .bind(&s.language)
            .bind(s.blocking_checks.join(","))
            .bind(s.logo_id)
            .bind(c.moderation.as_str())
            .bind(c.close_after_days)
            .bind(c.max_chars)
            .bind(c.max_depth)
            .bind(c.max_links)
            .bind(c.blocklist.join("\n"))
            .bind(c.per_page)
            .bind(c.filter_after)
            .bind(c.filter_threshold)
            .bind(s.most_read_days)
            .bind(s.feeds.items)
            .bind(s.feeds.full_text)
            .bind(&s.robots_txt)
            .execute(&mut *tx)
            .await
            .on_missing_reference("logo")?;
            log_change!(tx, "settings", 1_i64, "update")?;
        })?;
        Ok(())
    }
}
