//! The audit log: what staff did, added to and never rewritten (an entry's
//! status is filled in once, when its write answers). The web layer
//! records each newsroom and API write a signed-in account asks for (and
//! each sign-in, failed or not); admins read it newest first.

use crate::{Result, Store, with_pool};

/// One thing a staff member did, or tried to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// The account, while it exists.
    pub user_id: Option<i64>,
    /// Who it was, as they were called then (for a failed sign-in, the
    /// address typed).
    pub actor: String,
    /// What was asked: the route, e.g. `POST /newsroom/articles/{id}/status`.
    pub action: String,
    /// The address it was asked of, e.g. `/newsroom/articles/42/status`.
    pub target: String,
    /// The answer's HTTP status: 2xx and 3xx were done, 4xx and 5xx
    /// refused; 0 when the write was cut short (by a crash) before it
    /// answered, so it may or may not have been done.
    pub status: i64,
    /// A salted hash of the client's address.
    pub address_hash: String,
}

/// An entry to add.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry<'a> {
    pub user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub status: u16,
    pub address_hash: &'a str,
}

/// Longest text kept in one field: an address typed at sign-in or a path
/// can be anything a client sends.
const FIELD_CHARS: usize = 500;

fn bounded(s: &str) -> &str {
    match s.char_indices().nth(FIELD_CHARS) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

impl Store {
    /// Adds an entry. Changes no content, so it leaves page memos alone.
    #[tracing::instrument(skip_all)]
    pub async fn record_audit(&self, entry: &NewAuditEntry<'_>) -> Result<()> {
        self.insert_audit(entry, entry.status).await.map(|_| ())
    }

    /// Adds the entry of a write about to run, its status not yet known
    /// (0); `settle_audit` gives it the answer's. An entry left at 0 names
    /// a write that a crash cut short: done or not, it was asked for.
    #[tracing::instrument(skip_all)]
    pub async fn begin_audit(&self, entry: &NewAuditEntry<'_>) -> Result<i64> {
        self.insert_audit(entry, 0).await
    }

    /// Gives a begun entry the status its write answered with.
    #[tracing::instrument(skip_all)]
    pub async fn settle_audit(&self, id: i64, status: u16) -> Result<()> {
        let _w = self.bookkeeper().await;
        with_pool!(&self.pool, p => {
            sqlx::query("UPDATE audit_log SET status = $1 WHERE id = $2 AND status = 0")
                .bind(i64::from(status))
                .bind(id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn insert_audit(&self, entry: &NewAuditEntry<'_>, status: u16) -> Result<i64> {
        let now = self.now();
        let _w = self.bookkeeper().await;
        let id: i64 = with_pool!(&self.pool, p => {
            sqlx::query_scalar(
                "INSERT INTO audit_log (at, user_id, actor, action, target, status, address_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(now)
            .bind(entry.user_id)
            .bind(bounded(entry.actor))
            .bind(bounded(entry.action))
            .bind(bounded(entry.target))
            .bind(i64::from(status))
            .bind(bounded(entry.address_hash))
            .fetch_one(p)
            .await?
        });
        Ok(id)
    }

    /// Up to `limit` entries older than `before` (an id; none: the newest),
    /// newest first, of one account or of all.
    pub async fn audit_log(
        &self,
        before: Option<i64>,
        user_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let (sql, by_user) = match user_id {
            Some(_) => (
                "SELECT id, at, user_id, actor, action, target, status, address_hash FROM audit_log
                 WHERE id < $1 AND user_id = $2 ORDER BY id DESC LIMIT $3",
                true,
            ),
            None => (
                "SELECT id, at, user_id, actor, action, target, status, address_hash FROM audit_log
                 WHERE id < $1 ORDER BY id DESC LIMIT $2",
                false,
            ),
        };
        let before = before.unwrap_or(i64::MAX);
        let rows = with_pool!(&self.pool, p => {
            let mut q = sqlx::query_as::<_, AuditEntry>(sql).bind(before);
            if by_user {
                q = q.bind(user_id);
            }
            q.bind(limit.clamp(1, 1000)).fetch_all(p).await?
        });
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_fields_are_cut_on_a_character() {
        let long = "é".repeat(FIELD_CHARS + 10);
        assert_eq!(bounded(&long).chars().count(), FIELD_CHARS);
        assert_eq!(bounded("short"), "short");
    }
}
