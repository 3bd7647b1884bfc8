//! A post's comments, a thread at a time: ids allocated up front so that
//! replies can name their parents, rows written with multi-row statements.

use super::{ImportSession, ImportedComment, Outcome, Tx, clip};
use crate::Result;
use crate::changes::log_change;
use crate::comments::body_hash;
use crate::db::values_sql;
use crate::with_tx;
use std::collections::HashMap;

impl ImportSession<'_> {
    /// One article's comments, parents before their replies; each names its
    /// parent by its id in the source. New comments are written with a few
    /// multi-row statements (a thread of 500 costs a handful of round trips);
    /// comments imported before are compared with what is stored and updated
    /// only where they differ.
    pub async fn comments(
        &mut self,
        article_id: i64,
        batch: &[ImportedComment],
    ) -> Result<Vec<Outcome>> {
        type Stored = (i64, String, String, String, String, Option<i64>);
        let stored: Vec<Stored> = with_tx!(&mut self.tx, t => {
            sqlx::query_as(
                "SELECT id, author_name, author_email, body, status, parent_id FROM comments WHERE article_id = $1",
            )
            .bind(article_id)
            .fetch_all(&mut **t)
            .await?
        });
        let stored: HashMap<i64, Stored> = stored.into_iter().map(|r| (r.0, r)).collect();
        let mut local: HashMap<&str, i64> = HashMap::new();
        let mut fresh = Vec::new();
        let mut is_fresh = std::collections::HashSet::new();
        for (i, c) in batch.iter().enumerate() {
            match self
                .known("comment", &c.external_id)
                .filter(|id| stored.contains_key(id))
            {
                Some(id) => {
                    local.insert(&c.external_id, id);
                }
                None => {
                    fresh.push(i);
                    is_fresh.insert(i);
                }
            }
        }
        let ids: Vec<i64> = if fresh.is_empty() {
            Vec::new()
        } else {
            match &mut self.tx {
                Tx::Sqlite(t) => {
                    let top: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM comments")
                        .fetch_one(&mut **t)
                        .await?;
                    (1..=fresh.len() as i64).map(|n| top + n).collect()
                }
                Tx::Postgres(t) => {
                    let mut ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT nextval(pg_get_serial_sequence('comments', 'id')) FROM generate_series(1, $1)",
                    )
                    .bind(fresh.len() as i64)
                    .fetch_all(&mut **t)
                    .await?;
                    ids.sort_unstable();
                    ids
                }
            }
        };
        for (i, id) in fresh.iter().zip(&ids) {
            local.insert(&batch[*i].external_id, *id);
        }
        let parent_of = |c: &ImportedComment| {
            c.parent_external
                .as_deref()
                .and_then(|p| local.get(p).copied().or_else(|| self.known("comment", p)))
        };
        let mut outcomes = vec![Outcome::Unchanged; batch.len()];
        let mut updates = Vec::new();
        let mut rows = Vec::with_capacity(fresh.len());
        for (i, c) in batch.iter().enumerate() {
            let id = local
                .get(c.external_id.as_str())
                .copied()
                .unwrap_or_default();
            let parent = parent_of(c);
            let name = clip(c.author_name.trim(), 200).to_string();
            let email = clip(c.author_email.trim(), 320).to_string();
            match stored.get(&id) {
                Some((_, n, e, b, st, p)) if !is_fresh.contains(&i) => {
                    if (n, e, b, st.as_str(), *p)
                        != (&name, &email, &c.body, c.status.as_str(), parent)
                    {
                        updates.push((id, parent, name, email, c));
                        outcomes[i] = Outcome::Updated;
                    }
                }
                _ => {
                    rows.push((id, parent, name, email, c));
                    outcomes[i] = Outcome::Created;
                }
            }
        }
        for (id, parent, name, email, c) in &updates {
            with_tx!(&mut self.tx, t => {
                sqlx::query(
                    "UPDATE comments SET author_name = $1, author_email = $2, body = $3, status = $4, parent_id = $5,
                        body_hash = $6 WHERE id = $7",
                )
                .bind(name).bind(email).bind(&c.body).bind(c.status.as_str()).bind(*parent)
                .bind(body_hash(&c.body)).bind(*id)
                .execute(&mut **t).await?;
                log_change!((*t), "comment", *id, "update")?;
            });
        }
        let now = bbn_core::time::now();
        for chunk in rows.chunks(200) {
            let insert = values_sql(
                "INSERT INTO comments (id, article_id, parent_id, author_name, author_email, body, status, created_at,
                    staff_user_id, body_hash, spam_reason) VALUES ",
                10,
                chunk.len(),
                ", 'imported'",
            );
            let ids = values_sql(
                "INSERT INTO import_ids (source, kind, external_id, local_id) VALUES ",
                4,
                chunk.len(),
                "",
            );
            let ids = format!(
                "{ids} ON CONFLICT (source, kind, external_id) DO UPDATE SET local_id = excluded.local_id"
            );
            let changes = values_sql(
                "INSERT INTO changes (entity, entity_id, op, at) VALUES ",
                4,
                chunk.len(),
                "",
            );
            let source = self.source.clone();
            with_tx!(&mut self.tx, t => {
                let mut q = sqlx::query(&insert);
                for (id, parent, name, email, c) in chunk {
                    q = q.bind(*id).bind(article_id).bind(*parent).bind(name).bind(email).bind(&c.body)
                        .bind(c.status.as_str()).bind(c.created_at).bind(c.staff_user_id).bind(body_hash(&c.body));
                }
                q.execute(&mut **t).await?;
                let mut q = sqlx::query(&ids);
                for (id, _, _, _, c) in chunk {
                    q = q.bind(&source).bind("comment").bind(&c.external_id).bind(*id);
                }
                q.execute(&mut **t).await?;
                let mut q = sqlx::query(&changes);
                for (id, ..) in chunk {
                    q = q.bind("comment").bind(*id).bind("create").bind(now);
                }
                q.execute(&mut **t).await?;
            });
            for (id, _, _, _, c) in chunk {
                self.ids.insert(("comment", c.external_id.clone()), *id);
            }
        }
        Ok(outcomes)
    }
}
