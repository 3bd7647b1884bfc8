//! Webhooks: the URLs admins register for site events, and the log of each
//! delivery to them. Deliveries are made from the change log (`enqueue`),
//! so a write that rolled back sends nothing and a restart loses nothing;
//! the sending itself is the binary's (`bbn::webhooks`), which claims due
//! deliveries here (`delivery`) so that several instances never make the
//! same attempt twice.

mod delivery;
mod enqueue;

pub use delivery::{Attempt, DueDelivery};
pub use enqueue::Enqueued;

use crate::{Result, Store, StoreError, with_pool};
use bbn_core::ValidationError;

/// Every event a webhook can ask for.
pub const WEBHOOK_EVENTS: [&str; 6] = [
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.deleted",
    "comment.approved",
    "site.changed",
];

/// A registered webhook.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    /// The HMAC-SHA256 key deliveries are signed with.
    pub secret: String,
    pub active: bool,
    pub created_at: i64,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    url: String,
    events: String,
    secret: String,
    active: bool,
    created_at: i64,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Webhook {
        Webhook {
            id: r.id,
            url: r.url,
            events: split_events(&r.events),
            secret: r.secret,
            active: r.active,
            created_at: r.created_at,
        }
    }
}

fn split_events(events: &str) -> Vec<String> {
    events
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

/// One entry of a webhook's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// "pending", "delivered" or "failed" (given up)
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// Whether a receiver's address is one bbn can post to: http or https, with a host.
fn check_url(url: &str) -> std::result::Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("The address must start with http:// or https://.")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.contains('@') {
        return Err("The address needs a host name, like https://example.com/hook.");
    }
    if url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("The address must be one line without spaces, at most 2000 characters.");
    }
    Ok(())
}

/// The events as stored: known names only, in the fixed order, at least one.
fn check_events(events: &[String]) -> std::result::Result<String, &'static str> {
    if let Some(_unknown) = events
        .iter()
        .find(|e| !WEBHOOK_EVENTS.contains(&e.as_str()))
    {
        return Err("Unknown event.");
    }
    let chosen: Vec<&str> = WEBHOOK_EVENTS
        .iter()
        .copied()
        .filter(|e| events.iter().any(|c| c == e))
        .collect();
    if chosen.is_empty() {
        return Err("Choose at least one event.");
    }
    Ok(chosen.join(","))
}

const WEBHOOK_COLUMNS: &str = "id, url, events, secret, active, created_at";

impl Store {
    /// Registers a webhook. It receives events of changes made from now on,
    /// never the ones from before it existed.
    #[tracing::instrument(skip_all)]
    pub async fn create_webhook(&self, url: &str, events: &[String], secret: &str) -> Result<i64> {
        let url = url.trim();
        let mut errors = Vec::new();
        if let Err(m) = check_url(url) {
            errors.push(ValidationError::new("url", m));
        }
        let events = check_events(events).unwrap_or_else(|m| {
            errors.push(ValidationError::new("events", m));
            String::new()
        });
        if secret.len() < 16 {
            errors.push(ValidationError::new("secret", "The secret is too short."));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let _w = self.bookkeeper().await;
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar(
                "INSERT INTO webhooks (url, events, secret, active, created_at, from_seq)
                 SELECT $1, $2, $3, TRUE, $4, COALESCE(MAX(seq), 0) FROM changes
                 RETURNING id",
            )
            .bind(url)
            .bind(&events)
            .bind(secret)
            .bind(self.now())
            .fetch_one(p)
            .await?
        }))
    }

    /// Every webhook, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id");
        let rows: Vec<WebhookRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).fetch_all(p).await?
        });
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    pub async fn webhook(&self, id: i64) -> Result<Option<Webhook>> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1");
        let row: Option<WebhookRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(id).fetch_optional(p).await?
        });
        Ok(row.map(Webhook::from))
    }

    /// Pauses or resumes a webhook. While paused it gets no new events, and
    /// what is waiting for it is not sent (it is when it resumes, within the
    /// retry window).
    pub async fn set_webhook_active(&self, id: i64, active: bool) -> Result<()> {
        let _w = self.bookkeeper().await;
        let n = with_pool!(&self.pool, p => {
            sqlx::query("UPDATE webhooks SET active = $1 WHERE id = $2")
                .bind(active).bind(id).execute(p).await?.rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes a webhook and its delivery log.
    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        let _w = self.bookkeeper().await;
        let n = with_pool!(&self.pool, p => {
            sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(p).await?.rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// A webhook's newest deliveries, newest first.
    pub async fn webhook_deliveries(&self, webhook_id: i64, limit: i64) -> Result<Vec<Delivery>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as::<_, Delivery>(
                "SELECT id, webhook_id, event, state, attempts, next_attempt_at, last_status,
                        last_error, created_at, delivered_at
                 FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(webhook_id)
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }
}

/// The public address of an article, as payloads give it.
pub fn article_payload_url(base_url: &str, slug: &str) -> String {
    format!("{}/news/{slug}", base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_addresses_only() {
        assert!(check_url("https://example.com/hook").is_ok());
        assert!(check_url("http://127.0.0.1:9000").is_ok());
        assert!(check_url("ftp://example.com").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("https://:80/x").is_err());
        assert!(check_url("https://user@example.com/").is_err());
        assert!(check_url("https://example.com/a b").is_err());
    }

    #[test]
    fn keeps_known_events_in_a_fixed_order() {
        let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_events(&e(&["site.changed", "article.published"])),
            Ok("article.published,site.changed".to_string())
        );
        assert!(check_events(&e(&[])).is_err());
        assert!(check_events(&e(&["article.exploded"])).is_err());
    }
}
