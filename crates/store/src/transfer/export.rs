//! Writing an export: one read transaction (one moment of the site, however
//! long the writing takes), tables in the file's order, each record written
//! as soon as it is read. Articles come in batches by id with their parts
//! read for the same range of ids; other tables keyed by one integer in
//! batches along it; the few keyed by text (redirects, import records,
//! spam tokens) as one ordered query whose rows stream through.
//!
//! The bytes depend on the data alone: keys in `spec`'s order, records in
//! primary-key order (text sorted by bytes on both backends), no time of
//! export, so two exports of the same site are identical.

use super::schema::check_schema;
use super::spec::{Column, FORMAT_NAME, FORMAT_VERSION, Kind, Shape, TABLES, Table, Value};
use super::{Counts, TransferError};
use crate::dialect::{begin_snapshot, text_order};
use crate::{Store, with_pool};
use futures_util::TryStreamExt;
use std::io::{self, Write};

/// Articles read per batch, with their parts.
const ARTICLE_BATCH: i64 = 200;
/// Rows of other tables with an integer key read per batch.
const ROW_BATCH: i64 = 2_000;

/// Reads `$columns` from `$row`, the first at index `$offset`, as values;
/// booleans come out as booleans on both backends.
macro_rules! read_values {
    ($row:expr, $columns:expr, $offset:expr) => {{
        use sqlx::Row as _;
        let mut values = Vec::with_capacity($columns.len());
        for (i, c) in $columns.iter().enumerate() {
            let at = i + $offset;
            values.push(match c.kind {
                Kind::Int => $row
                    .try_get::<Option<i64>, _>(at)?
                    .map_or(Value::Null, Value::Int),
                Kind::Text => $row
                    .try_get::<Option<String>, _>(at)?
                    .map_or(Value::Null, Value::Text),
                Kind::Bool => $row
                    .try_get::<Option<bool>, _>(at)?
                    .map_or(Value::Null, Value::Bool),
                Kind::Real => $row
                    .try_get::<Option<f64>, _>(at)?
                    .map_or(Value::Null, Value::Real),
            });
        }
        values
    }};
}

pub(crate) fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The primary key, when it is one integer column (read in batches along it).
fn integer_key(table: &Table) -> Option<&'static str> {
    match table.order {
        [key]
            if table
                .columns
                .iter()
                .any(|c| c.name == *key && c.kind == Kind::Int) =>
        {
            Some(key)
        }
        _ => None,
    }
}

fn order_by(table: &Table, collate: &str) -> String {
    table
        .order
        .iter()
        .map(|name| {
            let text = table
                .columns
                .iter()
                .any(|c| c.name == *name && c.kind == Kind::Text);
            if text {
                format!("{name}{collate}")
            } else {
                (*name).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every key of the file with a zero count, in the file's order.
pub(crate) fn zero_counts() -> Counts {
    let mut counts = Counts::new();
    for t in TABLES {
        counts.push((t.key, 0));
        for p in t.parts {
            counts.push((p.name, 0));
        }
    }
    counts
}

pub(crate) fn add_count(counts: &mut Counts, key: &str, n: u64) {
    if let Some(c) = counts.iter_mut().find(|(k, _)| *k == key) {
        c.1 += n;
    }
}

/// The JSON writer: compact records, one per line, in a fixed layout.
struct Out<W: Write> {
    w: W,
}

impl<W: Write> Out<W> {
    fn raw(&mut self, s: &str) -> io::Result<()> {
        self.w.write_all(s.as_bytes())
    }

    fn value(&mut self, v: &Value) -> io::Result<()> {
        match v {
            Value::Null => self.raw("null"),
            Value::Int(i) => write!(self.w, "{i}"),
            Value::Bool(b) => self.raw(if *b { "true" } else { "false" }),
            Value::Text(s) => serde_json::to_writer(&mut self.w, s).map_err(io::Error::from),
            Value::Real(f) => serde_json::to_writer(&mut self.w, f).map_err(io::Error::from),
        }
    }

    /// An object's opening brace and fields, left open for nested parts.
    fn open(&mut self, columns: &[Column], values: &[Value]) -> io::Result<()> {
        self.raw("{")?;
        for (i, (c, v)) in columns.iter().zip(values).enumerate() {
            if i > 0 {
                self.raw(",")?;
            }
            write!(self.w, "\"{}\":", c.name)?;
            self.value(v)?;
        }
        Ok(())
    }

    /// Before the `n`th element of a top-level array.
    fn element(&mut self, n: u64) -> io::Result<()> {
        self.raw(if n == 0 { "\n    " } else { ",\n    " })
    }

    fn close_array(&mut self, n: u64) -> io::Result<()> {
        self.raw(if n == 0 { "]" } else { "\n  ]" })
    }
}

impl Store {
    /// Writes the whole site to `out` in bbn's export format
    /// (docs/export-format.md), from one consistent snapshot, while the site
    /// goes on serving. Returns how many records of each kind it wrote.
    #[tracing::instrument(skip_all)]
    pub async fn export_site<W: Write + Send>(&self, out: W) -> Result<Counts, TransferError> {
        check_schema(self).await?;
        let backend = self.backend();
        let collate = text_order(backend);
        let mut out = Out { w: out };
        let mut counts = zero_counts();
        out.raw(&format!(
            "{{\n  \"format\": \"{FORMAT_NAME}\",\n  \"version\": {FORMAT_VERSION}"
        ))?;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_with(begin_snapshot(backend)).await?;
            for table in TABLES {
                out.raw(&format!(",\n  \"{}\": ", table.key))?;
                match table.shape {
                    Shape::Single => {
                        let sql = format!("SELECT {} FROM {} WHERE id = 1", column_list(table), table.name);
                        match sqlx::query(&sql).fetch_optional(&mut *tx).await? {
                            Some(row) => {
                                let values = read_values!(row, table.columns, 0);
                                out.open(table.columns, &values)?;
                                out.raw("}")?;
                                add_count(&mut counts, table.key, 1);
                            }
                            None => out.raw("null")?,
                        }
                    }
                    Shape::List if table.parts.is_empty() => {
                        out.raw("[")?;
                        let mut n = 0;
                        if let Some(key) = integer_key(table) {
                            // Batches along the primary key: no statement runs long.
                            let sql = format!(
                                "SELECT {} FROM {} WHERE {key} > $1 ORDER BY {key} LIMIT {ROW_BATCH}",
                                column_list(table), table.name
                            );
                            let at = table.columns.iter().position(|c| c.name == key).unwrap_or(0);
                            let mut after = i64::MIN;
                            loop {
                                let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *tx).await?;
                                if rows.is_empty() {
                                    break;
                                }
                                for row in &rows {
                                    let values = read_values!(row, table.columns, 0);
                                    if let Value::Int(k) = values[at] {
                                        after = k;
                                    }
                                    out.element(n)?;
                                    out.open(table.columns, &values)?;
                                    out.raw("}")?;
                                    n += 1;
                                }
                            }
                        } else {
                            // Text keys, sorted by bytes: one ordered query, streamed.
                            let sql = format!(
                                "SELECT {} FROM {} ORDER BY {}",
                                column_list(table), table.name, order_by(table, collate)
                            );
                            let mut rows = sqlx::query(&sql).fetch(&mut *tx);
                            while let Some(row) = rows.try_next().await? {
                                let values = read_values!(row, table.columns, 0);
                                out.element(n)?;
                                out.open(table.columns, &values)?;
                                out.raw("}")?;
                                n += 1;
                            }
                        }
                        out.close_array(n)?;
                        add_count(&mut counts, table.key, n);
                    }
                    Shape::List => {
                        // Articles: a batch by id, then each part for that range of ids.
                        let id_at = table.id_column().unwrap_or(0);
                        let sql = format!(
                            "SELECT {} FROM {} WHERE id > $1 ORDER BY id LIMIT {ARTICLE_BATCH}",
                            column_list(table), table.name
                        );
                        let part_sql: Vec<String> = table.parts.iter().map(|part| {
                            let parent = part.parent.unwrap_or("article_id");
                            format!(
                                "SELECT {parent}, {} FROM {} WHERE {parent} >= $1 AND {parent} <= $2 ORDER BY {parent}, {}",
                                column_list(part), part.name, order_by(part, collate)
                            )
                        }).collect();
                        out.raw("[")?;
                        let mut n = 0;
                        let mut after = i64::MIN;
                        loop {
                            let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *tx).await?;
                            let mut articles = Vec::with_capacity(rows.len());
                            for row in &rows {
                                let values = read_values!(row, table.columns, 0);
                                let Value::Int(id) = values[id_at] else { continue };
                                articles.push((id, values));
                            }
                            let (Some((first, _)), Some((last, _))) = (articles.first(), articles.last()) else {
                                break;
                            };
                            let (first, last) = (*first, *last);
                            let mut parts = Vec::with_capacity(table.parts.len());
                            for (part, sql) in table.parts.iter().zip(&part_sql) {
                                let rows = sqlx::query(sql).bind(first).bind(last).fetch_all(&mut *tx).await?;
                                let mut list = Vec::with_capacity(rows.len());
                                for row in &rows {
                                    let parent: i64 = sqlx::Row::try_get(row, 0)?;
                                    list.push((parent, read_values!(row, part.columns, 1)));
                                }
                                parts.push(list.into_iter().peekable());
                            }
                            for (id, values) in &articles {
                                out.element(n)?;
                                out.open(table.columns, values)?;
                                for (part, rows) in table.parts.iter().zip(parts.iter_mut()) {
                                    write!(out.w, ",\"{}\":[", part.key)?;
                                    let mut k = 0;
                                    while let Some((parent, values)) = rows.next_if(|(parent, _)| parent <= id) {
                                        if parent < *id {
                                            continue;
                                        }
                                        if k > 0 {
                                            out.raw(",")?;
                                        }
                                        out.open(part.columns, &values)?;
                                        out.raw("}")?;
                                        k += 1;
                                    }
                                    out.raw("]")?;
                                    add_count(&mut counts, part.name, k);
                                }
                                out.raw("}")?;
                                n += 1;
                            }
                            after = last;
                        }
                        out.close_array(n)?;
                        add_count(&mut counts, table.key, n);
                    }
                }
            }
            tx.rollback().await?;
        });
        out.raw("\n}\n")?;
        out.w.flush()?;
        Ok(counts)
    }
}
