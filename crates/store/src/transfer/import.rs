//! Writing an export into an empty site: what the parser (`parse`) sends
//! is inserted in batches inside one transaction, committed only after the
//! whole file has been read without fault, so a bad file changes nothing.
//! Memory holds the records in flight, one batch, and the ids of the
//! tables others refer to.

use super::export::{add_count, zero_counts};
use super::parse::{Item, parse};
use super::schema::{after_import, check_schema};
use super::spec::{Kind, Shape, TABLES, Table, Value};
use super::{Counts, TransferError};
use crate::changes::log_created_rows;
use crate::{Store, with_pool};
use std::io::Read;
use tokio::sync::{mpsc, oneshot};

/// Records in flight between the parser and the writer.
const IN_FLIGHT: usize = 256;
/// Articles inserted per batch (with their parts).
const ARTICLE_BATCH: usize = 100;
/// Other records inserted per batch.
const ROW_BATCH: usize = 1_000;
/// Bind parameters per statement, well under both backends' limits.
const MAX_PARAMS: usize = 10_000;

/// The INSERT for `n` rows of `table`: the article's id first for parts,
/// `id` (always 1) for one-row tables, then the columns.
fn insert_sql(table: &Table, n: usize) -> String {
    let mut names: Vec<&str> = Vec::new();
    names.extend(table.parent);
    if table.shape == Shape::Single {
        names.push("id");
    }
    names.extend(table.columns.iter().map(|c| c.name));
    let width = names.len();
    let rows = (0..n)
        .map(|r| {
            let row = (1..=width)
                .map(|i| format!("${}", r * width + i))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({row})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES {rows}",
        table.name,
        names.join(", ")
    )
}

fn rows_per_statement(table: &Table) -> usize {
    (MAX_PARAMS / (table.columns.len() + 2)).clamp(1, 500)
}

/// Binds one value with its column's type (a NULL too: PostgreSQL wants to know).
macro_rules! bind_value {
    ($q:expr, $kind:expr, $v:expr) => {
        match ($v, $kind) {
            (Value::Null, Kind::Int) => $q.bind(None::<i64>),
            (Value::Null, Kind::Text) => $q.bind(None::<&str>),
            (Value::Null, Kind::Bool) => $q.bind(None::<bool>),
            (Value::Null, Kind::Real) => $q.bind(None::<f64>),
            (Value::Int(i), _) => $q.bind(*i),
            (Value::Text(s), _) => $q.bind(s.as_str()),
            (Value::Bool(b), _) => $q.bind(*b),
            (Value::Real(f), _) => $q.bind(*f),
        }
    };
}

/// Inserts `$rows` ((parent id, values) pairs) of `$table` in as few statements as the limits allow.
macro_rules! insert_rows {
    ($tx:expr, $table:expr, $rows:expr) => {{
        let table: &Table = $table;
        for chunk in $rows.chunks(rows_per_statement(table)) {
            let sql = insert_sql(table, chunk.len());
            let mut q = sqlx::query(&sql);
            for (parent, row) in chunk {
                if let Some(parent) = parent {
                    q = q.bind(*parent);
                }
                if table.shape == Shape::Single {
                    q = q.bind(1_i64);
                }
                for (c, v) in table.columns.iter().zip(row.iter()) {
                    q = bind_value!(q, c.kind, v);
                }
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Records waiting to be inserted: all of one table (for articles, with their parts).
#[derive(Default)]
struct Pending {
    table: Option<&'static Table>,
    rows: Vec<(Option<i64>, Vec<Value>)>,
    parts: Vec<Vec<(Option<i64>, Vec<Value>)>>,
}

impl Pending {
    fn full(&self) -> bool {
        let limit = if self.parts.is_empty() {
            ROW_BATCH
        } else {
            ARTICLE_BATCH
        };
        self.rows.len() >= limit
    }
}

/// Inserts what is pending and empties it.
macro_rules! flush {
    ($tx:expr, $pending:expr) => {{
        if let Some(table) = $pending.table.take() {
            insert_rows!($tx, table, $pending.rows);
            for (part, rows) in table.parts.iter().zip(&$pending.parts) {
                insert_rows!($tx, part, rows);
            }
        }
        $pending.rows.clear();
        $pending.parts.clear();
    }};
}

/// "what is in it" for a site that is not empty, or None.
macro_rules! contents {
    ($tx:expr) => {{
        let mut found = Vec::new();
        // (An article's parts cannot be there without articles.)
        for table in TABLES {
            let sql = match table.name {
                // Settings are replaced; a new database has its spam totals at zero.
                "site_settings" => continue,
                "spam_corpus" => {
                    "SELECT COUNT(*) FROM spam_corpus WHERE spam <> 0 OR ham <> 0".to_string()
                }
                name => format!("SELECT COUNT(*) FROM (SELECT 1 FROM {name} LIMIT 1) AS t"),
            };
            let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *$tx).await?;
            if n > 0 {
                found.push(table.key);
            }
        }
        (!found.is_empty()).then(|| found.join(", "))
    }};
}

impl Store {
    /// Reads a file written by `export_site` into this site, which must be
    /// empty (new: no content; its settings, if any, are replaced). One
    /// transaction: a file that is bad anywhere changes nothing. Staff
    /// accounts come without passwords. Imported articles, pages and
    /// comments are logged as created, so the search index and other
    /// followers of the change log take them in.
    #[tracing::instrument(skip_all)]
    pub async fn import_site<R: Read + Send + 'static>(
        &self,
        input: R,
    ) -> Result<Counts, TransferError> {
        check_schema(self).await?;
        let (sender, mut receiver) = mpsc::channel(IN_FLIGHT);
        let (parsed, parse_result) = oneshot::channel();
        std::thread::Builder::new()
            .name("bbn-import-reader".into())
            .spawn(move || {
                let _ = parsed.send(parse(input, sender));
            })?;
        let backend = self.backend();
        let mut counts = zero_counts();
        let _w = self.writer().await;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin().await?;
            if let Some(what) = contents!(tx) {
                return Err(TransferError::NotEmpty(what));
            }
            let mut pending = Pending::default();
            let fixups = loop {
                let Some(item) = receiver.recv().await else {
                    // The reader stopped before the end: its error says why.
                    return Err(match parse_result.await {
                        Ok(Err(e)) => e,
                        _ => TransferError::Io(std::io::Error::other("the file reader stopped")),
                    });
                };
                let table = match &item {
                    Item::Single(t, _) | Item::Record(t, _) => Some(*t),
                    Item::Article(..) => TABLES.iter().find(|t| !t.parts.is_empty()),
                    Item::End(_) => None,
                };
                if pending.table.is_some() && (pending.table.map(|t| t.name) != table.map(|t| t.name) || pending.full()) {
                    flush!(tx, pending);
                }
                match item {
                    Item::End(fixups) => break fixups,
                    // The file's row replaces the new site's; null keeps the new site's
                    // own (settings bbn serve saved, the spam filter's zero totals).
                    Item::Single(table, Some(row)) => {
                        sqlx::query(&format!("DELETE FROM {}", table.name)).execute(&mut *tx).await?;
                        insert_rows!(tx, table, [(None::<i64>, row)]);
                        add_count(&mut counts, table.key, 1);
                    }
                    Item::Single(_, None) => {}
                    Item::Record(table, row) => {
                        pending.table = Some(table);
                        pending.rows.push((None, row));
                        add_count(&mut counts, table.key, 1);
                    }
                    Item::Article(row, parts, sizes) => {
                        let Some(table) = table else { continue };
                        let id = table.id_column().and_then(|i| match row[i] {
                            Value::Int(id) => Some(id),
                            _ => None,
                        });
                        if pending.parts.is_empty() {
                            pending.parts = table.parts.iter().map(|_| Vec::new()).collect();
                        }
                        pending.table = Some(table);
                        pending.rows.push((None, row));
                        add_count(&mut counts, table.key, 1);
                        let mut parts = parts.into_iter();
                        for ((part, n), list) in table.parts.iter().zip(sizes).zip(pending.parts.iter_mut()) {
                            list.extend(parts.by_ref().take(n).map(|r| (id, r)));
                            add_count(&mut counts, part.name, n as u64);
                        }
                    }
                }
            };
            flush!(tx, pending);
            for f in &fixups {
                sqlx::query(&format!("UPDATE {} SET {} = $1 WHERE id = $2", f.table.name, f.column))
                    .bind(f.value)
                    .bind(f.id)
                    .execute(&mut *tx)
                    .await?;
            }
            log_created_rows!(tx, "article", "articles")?;
            log_created_rows!(tx, "page", "pages")?;
            log_created_rows!(tx, "comment", "comments")?;
            for sql in after_import(backend) {
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(counts)
    }
}
