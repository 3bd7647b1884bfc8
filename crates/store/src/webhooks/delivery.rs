//! Making delivery attempts safe with several senders: a due delivery is
//! claimed by one conditional UPDATE that moves its next attempt a lease
//! ahead, so only one sender gets it; if that sender dies mid-attempt, the
//! lease runs out and another attempt is made. Deliveries are therefore
//! at least once, and receivers tell repeats apart by the delivery id.

use crate::{Result, Store, StoreError, with_pool};
use serde_json::json;

/// A delivery claimed for one attempt, with what sending it needs.
#[derive(Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub created_at: i64,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("event", &self.event)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    webhook_id: i64,
    event: String,
    payload: String,
    attempts: i64,
    created_at: i64,
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// Anything else; `retry_at` None gives the delivery up.
    Failed {
        status: Option<u16>,
        error: String,
        retry_at: Option<i64>,
    },
}

impl Store {
    /// Claims up to `limit` deliveries due at `now` for one attempt each:
    /// their next attempt moves to `lease_until` (when a sender that died
    /// meanwhile is given up on) and their attempts go up by one. Two
    /// claimers never get the same delivery. Deliveries of paused webhooks
    /// wait.
    #[tracing::instrument(skip_all)]
    pub async fn claim_webhook_deliveries(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>> {
        let candidates: Vec<(i64, String, String)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT d.id, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND w.active
                 ORDER BY d.next_attempt_at, d.id LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let _w = self.bookkeeper().await;
        let mut claimed = Vec::with_capacity(candidates.len());
        for (id, url, secret) in candidates {
            // The conditions again: whoever changed the row first wins it.
            let row: Option<Claimed> = with_pool!(&self.pool, p => {
                sqlx::query_as(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $2
                     WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $3
                     RETURNING id, webhook_id, event, payload, attempts, created_at",
                )
                .bind(id)
                .bind(lease_until)
                .bind(now)
                .fetch_optional(p)
                .await?
            });
            if let Some(c) = row {
                claimed.push(DueDelivery {
                    id: c.id,
                    webhook_id: c.webhook_id,
                    url,
                    secret,
                    event: c.event,
                    payload: c.payload,
                    attempts: c.attempts,
                    created_at: c.created_at,
                });
            }
        }
        Ok(claimed)
    }

    /// Records how a claimed attempt went.
    #[tracing::instrument(skip_all)]
    pub async fn record_webhook_attempt(&self, id: i64, attempt: &Attempt) -> Result<()> {
        let now = self.now();
        let (state, status, error, next) = match attempt {
            Attempt::Delivered { status } => ("delivered", Some(*status), "", now),
            Attempt::Failed {
                status,
                error,
                retry_at: Some(at),
            } => ("pending", *status, error.as_str(), *at),
            Attempt::Failed {
                status,
                error,
                retry_at: None,
            } => ("failed", *status, error.as_str(), now),
        };
        let delivered_at = (state == "delivered").then_some(now);
        let _w = self.bookkeeper().await;
        with_pool!(&self.pool, p => {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = $2, last_status = $3, last_error = $4,
                     next_attempt_at = $5, delivered_at = $6
                 WHERE id = $1 AND state = 'pending'",
            )
            .bind(id)
            .bind(state)
            .bind(status.map(i64::from))
            .bind(error)
            .bind(next)
            .bind(delivered_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Puts a given-up delivery back in line for one attempt now.
    pub async fn retry_webhook_delivery(&self, webhook_id: i64, delivery_id: i64) -> Result<()> {
        let _w = self.bookkeeper().await;
        let n = with_pool!(&self.pool, p => {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3
                 WHERE id = $1 AND webhook_id = $2 AND state = 'failed'",
            )
            .bind(delivery_id)
            .bind(webhook_id)
            .bind(self.now())
            .execute(p)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Queues a `ping` delivery to a webhook, due now, to test the receiver.
    pub async fn queue_webhook_ping(&self, webhook_id: i64) -> Result<i64> {
        let hook = self
            .webhook(webhook_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = self.now();
        let payload = json!({
            "event": "ping",
            "id": 0,
            "occurred_at": bbn_core::time::rfc3339_utc(now),
            "webhook": { "id": hook.id, "url": hook.url, "events": hook.events },
        })
        .to_string();
        // Pings belong to no change: each gets its own negative number.
        let tag = -std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(now * 1000, |d| d.as_micros() as i64);
        let _w = self.bookkeeper().await;
        let id: Option<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar(
                "INSERT INTO webhook_deliveries
                     (webhook_id, change_seq, event, payload, state, attempts, next_attempt_at, created_at)
                 VALUES ($1, $2, 'ping', $3, 'pending', 0, $4, $4)
                 ON CONFLICT (webhook_id, change_seq, event) DO NOTHING
                 RETURNING id",
            )
            .bind(webhook_id)
            .bind(tag)
            .bind(payload)
            .bind(now)
            .fetch_optional(p)
            .await?
        });
        id.ok_or(StoreError::Conflict { field: "ping" })
    }

    /// Deletes finished deliveries created before `before` (the log is for
    /// recent trouble, not an archive); returns how many.
    pub async fn prune_webhook_deliveries(&self, before: i64) -> Result<u64> {
        let _w = self.bookkeeper().await;
        Ok(with_pool!(&self.pool, p => {
            sqlx::query("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < $1")
                .bind(before)
                .execute(p)
                .await?
                .rows_affected()
        }))
    }
}
