//! The change log: one row per content write, appended in the write's own
//! transaction. Caches, the search index and other instances follow it by
//! sequence number, so nothing that rolled back is ever seen and nothing
//! committed is ever missed.

use crate::{Result, Store, with_pool};

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Change {
    pub seq: i64,
    /// "article", "section", "topic", "author", "comment", "settings", "picks"
    pub entity: String,
    pub entity_id: i64,
    /// "create", "update", "delete"
    pub op: String,
    pub at: i64,
}

/// Appends to the change log inside the caller's transaction.
macro_rules! log_change {
    ($tx:expr, $entity:expr, $id:expr, $op:expr) => {
        sqlx::query("INSERT INTO changes (entity, entity_id, op, at) VALUES ($1, $2, $3, $4)")
            .bind($entity)
            .bind($id)
            .bind($op)
            .bind(bbn_core::time::now())
            .execute(&mut *$tx)
            .await
    };
}
pub(crate) use log_change;

/// Appends one change per id of `$ids` (a slice) inside the caller's
/// transaction, many rows per statement, for writes of many rows at once.
macro_rules! log_changes {
    ($tx:expr, $entity:expr, $ids:expr, $op:expr) => {{
        let ids: &[i64] = $ids;
        let now = bbn_core::time::now();
        let mut done: std::result::Result<(), sqlx::Error> = Ok(());
        for chunk in ids.chunks(crate::db::rows_per_statement(4)) {
            let sql = crate::db::values_sql(
                "INSERT INTO changes (entity, entity_id, op, at) VALUES ",
                4,
                chunk.len(),
                "",
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind($entity).bind(*id).bind($op).bind(now);
            }
            if let Err(e) = q.execute(&mut *$tx).await {
                done = Err(e);
                break;
            }
        }
        done
    }};
}
pub(crate) use log_changes;

/// Appends a "create" for every row of `$table` inside the caller's
/// transaction: for an import into an empty site, where every row is new.
macro_rules! log_created_rows {
    ($tx:expr, $entity:literal, $table:literal) => {
        sqlx::query(concat!(
            "INSERT INTO changes (entity, entity_id, op, at) SELECT '",
            $entity,
            "', id, 'create', $1 FROM ",
            $table,
            " ORDER BY id"
        ))
        .bind(bbn_core::time::now())
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use log_created_rows;

impl Store {
    /// Changes after `after`, oldest first, at most `limit`.
    #[tracing::instrument(skip_all)]
    pub async fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<Change>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as::<_, Change>(
                "SELECT seq, entity, entity_id, op, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }

    /// The newest entry of the change log: (sequence number, time), or
    /// (0, 0) on an empty log. Feeds and sitemaps change only with it, so it
    /// makes their ETag and Last-Modified.
    pub async fn last_change_mark(&self) -> Result<(i64, i64)> {
        let row: Option<(i64, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT seq, at FROM changes ORDER BY seq DESC LIMIT 1").fetch_optional(p).await?
        });
        Ok(row.unwrap_or((0, 0)))
    }

    /// The newest sequence number, or 0 on an empty log.
    pub async fn last_change(&self) -> Result<i64> {
        let seq: Option<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT MAX(seq) FROM changes").fetch_one(p).await?
        });
        Ok(seq.unwrap_or(0))
    }
}
