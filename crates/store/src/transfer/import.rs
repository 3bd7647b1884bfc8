//! Reading an export into an empty site.
//!
//! A parser thread reads the file with serde_json, one record at a time,
//! checks each against `spec` (every field present, of its type, nothing
//! unknown; every id it names seen earlier in the file) and sends it over a
//! bounded channel. The writer inserts what arrives in batches inside one
//! transaction and commits only after the parser has read the whole file
//! without fault, so a bad file changes nothing. Memory holds the records
//! in flight, one batch, and the ids of the tables others refer to.
//!
//! Three kinds of reference can point forward in the file: a section's
//! parent, a comment's parent, and the site's logo (settings come before
//! media). Such a value is inserted as NULL and set once the file has shown
//! the record it names.

use super::backend::{after_import, check_schema};
use super::export::{add_count, zero_counts};
use super::spec::{
    Column, FORMAT_NAME, FORMAT_VERSION, Kind, Shape, TABLES, Table, Value, referenced_tables,
};
use super::{Counts, TransferError};
use crate::changes::log_created_rows;
use crate::{Store, with_pool};
use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};
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

/// What the parser hands the writer.
enum Item {
    /// A one-row table's row, or None (null in the file).
    Single(&'static Table, Option<Vec<Value>>),
    Record(&'static Table, Vec<Value>),
    /// An article and its parts, in the order of `ARTICLE_PARTS`.
    Article(Vec<Value>, Vec<Vec<Value>>, Vec<usize>),
    /// The file was read to its end without fault; the forward references to set.
    End(Vec<Fixup>),
}

/// A reference set after every record is in: `UPDATE table SET column = value WHERE id = id`.
struct Fixup {
    table: &'static Table,
    column: &'static str,
    id: i64,
    value: i64,
}

struct Parser {
    sender: mpsc::Sender<Item>,
    /// Ids seen so far of every table some column refers to.
    seen: HashMap<&'static str, HashSet<i64>>,
    /// Forward references, with who made them (for the message if they dangle).
    fixups: Vec<(Fixup, &'static str, String)>,
    /// An error with more to say than serde's message.
    failure: Option<TransferError>,
}

fn typed(c: &Column, v: Json) -> Option<Value> {
    match (c.kind, v) {
        (_, Json::Null) if c.nullable => Some(Value::Null),
        (Kind::Int, Json::Number(n)) => n.as_i64().map(Value::Int),
        (Kind::Real, Json::Number(n)) => n.as_f64().map(Value::Real),
        (Kind::Text, Json::String(s)) => Some(Value::Text(s)),
        (Kind::Bool, Json::Bool(b)) => Some(Value::Bool(b)),
        _ => None,
    }
}

/// How a message names a record: by id where it has one.
fn describe(table: &Table, row: &[Value]) -> String {
    match table.id_column().map(|i| &row[i]) {
        Some(Value::Int(id)) => format!("{} record {id}", table.key),
        _ => format!("a record of \"{}\"", table.key),
    }
}

impl Parser {
    /// Takes `table`'s columns out of `obj`, typed.
    fn columns(&self, table: &Table, obj: &mut Map<String, Json>) -> Result<Vec<Value>, String> {
        let mut row = Vec::with_capacity(table.columns.len());
        for c in table.columns {
            let v = obj
                .remove(c.name)
                .ok_or_else(|| format!("a record of \"{}\" lacks \"{}\"", table.key, c.name))?;
            row.push(typed(c, v).ok_or_else(|| {
                format!(
                    "\"{}\" in a record of \"{}\" must be {}{}",
                    c.name,
                    table.key,
                    c.kind.described(),
                    if c.nullable { " or null" } else { "" }
                )
            })?);
        }
        Ok(row)
    }

    fn nothing_else(table: &Table, obj: &Map<String, Json>) -> Result<(), String> {
        match obj.keys().next() {
            None => Ok(()),
            Some(k) => Err(format!(
                "a record of \"{}\" has the unknown field \"{k}\" (from a newer bbn?)",
                table.key
            )),
        }
    }

    /// Checks the ids `row` names; forward references (to the same table or
    /// a later one) become NULL now and a fixup for the end.
    fn references(&mut self, table: &'static Table, row: &mut [Value]) -> Result<(), String> {
        let here = Table::position(table.name);
        for (i, c) in table.columns.iter().enumerate() {
            let (Some(target), Value::Int(value)) = (c.refs, &row[i]) else {
                continue;
            };
            let value = *value;
            if self.seen.get(target).is_some_and(|s| s.contains(&value)) {
                continue;
            }
            let forward = matches!((here, Table::position(target)), (Some(h), Some(t)) if t >= h);
            let owner = match table.shape {
                Shape::Single => Some(1),
                Shape::List => table.id_column().and_then(|k| match row[k] {
                    Value::Int(id) => Some(id),
                    _ => None,
                }),
            };
            match owner {
                Some(id) if forward && c.nullable => {
                    self.fixups.push((
                        Fixup {
                            table,
                            column: c.name,
                            id,
                            value,
                        },
                        target,
                        describe(table, row),
                    ));
                    row[i] = Value::Null;
                }
                _ => {
                    return Err(format!(
                        "{}: {} {value} names no record of \"{target}\" before it in the file",
                        describe(table, row),
                        c.name
                    ));
                }
            }
        }
        Ok(())
    }

    /// Remembers the id of a record others may refer to; a second record
    /// with the same id is refused.
    fn remember(&mut self, table: &Table, row: &[Value]) -> Result<(), String> {
        let (Some(seen), Some(i)) = (self.seen.get_mut(table.name), table.id_column()) else {
            return Ok(());
        };
        if let Value::Int(id) = row[i]
            && !seen.insert(id)
        {
            return Err(format!("two records of \"{}\" have id {id}", table.key));
        }
        Ok(())
    }

    fn record(
        &mut self,
        table: &'static Table,
        mut obj: Map<String, Json>,
    ) -> Result<Item, String> {
        let mut row = self.columns(table, &mut obj)?;
        self.references(table, &mut row)?;
        let mut parts = Vec::with_capacity(table.parts.len());
        for part in table.parts {
            let Some(Json::Array(items)) = obj.remove(part.key) else {
                return Err(format!(
                    "{} lacks the array \"{}\"",
                    describe(table, &row),
                    part.key
                ));
            };
            let mut rows = Vec::with_capacity(items.len());
            for item in items {
                let Json::Object(mut o) = item else {
                    return Err(format!(
                        "\"{}\" of {} holds something other than objects",
                        part.key,
                        describe(table, &row)
                    ));
                };
                let mut r = self.columns(part, &mut o)?;
                Self::nothing_else(part, &o)?;
                self.references(part, &mut r)?;
                rows.push(r);
            }
            parts.push(rows);
        }
        Self::nothing_else(table, &obj)?;
        self.remember(table, &row)?;
        if table.parts.is_empty() {
            Ok(Item::Record(table, row))
        } else {
            let sizes = parts.iter().map(Vec::len).collect();
            Ok(Item::Article(
                row,
                parts.into_iter().flatten().collect(),
                sizes,
            ))
        }
    }

    fn send(&self, item: Item) -> Result<(), String> {
        // Fails only when the writer has stopped; its error is the one reported.
        self.sender
            .blocking_send(item)
            .map_err(|_| "the import stopped".to_string())
    }

    /// Every forward reference must have found its record by the end.
    fn fixups(&mut self) -> Result<Vec<Fixup>, String> {
        let mut out = Vec::with_capacity(self.fixups.len());
        for (f, target, who) in std::mem::take(&mut self.fixups) {
            if !self.seen.get(target).is_some_and(|s| s.contains(&f.value)) {
                return Err(format!(
                    "{who}: {} {} names no record of \"{target}\" in the file",
                    f.column, f.value
                ));
            }
            out.push(f);
        }
        Ok(out)
    }
}

/// The whole document: `format` and `version` first, then every table in order.
struct Document<'a>(&'a mut Parser);

impl<'de> Visitor<'de> for Document<'_> {
    type Value = Vec<Fixup>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a bbn export (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Fixup>, A::Error> {
        let p = self.0;
        let not_an_export = || {
            de::Error::custom("this is not a bbn export: it begins with \"format\": \"bbn-export\"")
        };
        if map.next_key::<String>()?.as_deref() != Some("format") {
            return Err(not_an_export());
        }
        if map.next_value::<String>()? != FORMAT_NAME {
            return Err(not_an_export());
        }
        if map.next_key::<String>()?.as_deref() != Some("version") {
            return Err(de::Error::custom("\"version\" must follow \"format\""));
        }
        let version: i64 = map.next_value()?;
        if version > FORMAT_VERSION {
            p.failure = Some(TransferError::TooNew {
                found: version,
                supported: FORMAT_VERSION,
            });
            return Err(de::Error::custom("newer version"));
        }
        if version < 1 {
            return Err(de::Error::custom(format!(
                "there is no export format version {version}"
            )));
        }
        for table in TABLES {
            match map.next_key::<String>()? {
                Some(k) if k == table.key => {}
                Some(k) if TABLES.iter().any(|t| t.key == k) => {
                    return Err(de::Error::custom(format!(
                        "\"{k}\" is out of place: the keys come in the documented order, \"{}\" next",
                        table.key
                    )));
                }
                Some(k) => {
                    return Err(de::Error::custom(format!(
                        "unknown key \"{k}\" where \"{}\" belongs",
                        table.key
                    )));
                }
                None => {
                    return Err(de::Error::custom(format!(
                        "the export ends without \"{}\"",
                        table.key
                    )));
                }
            }
            map.next_value_seed(TableSeed { p: &mut *p, table })?;
        }
        if let Some(k) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "unknown key \"{k}\" after the last table"
            )));
        }
        p.fixups().map_err(de::Error::custom)
    }
}

struct TableSeed<'a> {
    p: &'a mut Parser,
    table: &'static Table,
}

impl<'de> DeserializeSeed<'de> for TableSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.table.shape {
            Shape::Single => {
                let obj: Option<Map<String, Json>> = serde::Deserialize::deserialize(d)?;
                let row = match obj {
                    None => None,
                    Some(mut obj) => {
                        let row = self
                            .p
                            .columns(self.table, &mut obj)
                            .map_err(de::Error::custom)?;
                        Parser::nothing_else(self.table, &obj).map_err(de::Error::custom)?;
                        let mut row = row;
                        self.p
                            .references(self.table, &mut row)
                            .map_err(de::Error::custom)?;
                        Some(row)
                    }
                };
                self.p
                    .send(Item::Single(self.table, row))
                    .map_err(de::Error::custom)
            }
            Shape::List => d.deserialize_seq(self),
        }
    }
}

impl<'de> Visitor<'de> for TableSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an array of \"{}\" records", self.table.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(obj) = seq.next_element::<Map<String, Json>>()? {
            let item = self.p.record(self.table, obj).map_err(de::Error::custom)?;
            self.p.send(item).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// Reads the whole file on the calling thread, sending records to the writer.
fn parse<R: Read>(input: R, sender: mpsc::Sender<Item>) -> Result<(), TransferError> {
    let mut p = Parser {
        sender,
        seen: referenced_tables()
            .into_iter()
            .map(|t| (t, HashSet::new()))
            .collect(),
        fixups: Vec::new(),
        failure: None,
    };
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, input));
    let read = de
        .deserialize_map(Document(&mut p))
        .and_then(|fixups| de.end().map(|()| fixups));
    match read {
        Ok(fixups) => p
            .sender
            .blocking_send(Item::End(fixups))
            .map_err(|_| std::io::Error::other("the import stopped").into()),
        Err(e) => Err(p.failure.take().unwrap_or_else(|| file_error(e))),
    }
}

fn file_error(e: serde_json::Error) -> TransferError {
    if e.is_io() {
        return TransferError::Io(e.into());
    }
    let position = format!(" at line {} column {}", e.line(), e.column());
    let text = e.to_string();
    TransferError::File {
        line: e.line(),
        column: e.column(),
        message: text.strip_suffix(&position).unwrap_or(&text).to_string(),
    }
}

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
                    Item::Single(table, row) => {
                        sqlx::query(&format!("DELETE FROM {}", table.name)).execute(&mut *tx).await?;
                        if let Some(row) = row {
                            insert_rows!(tx, table, [(None::<i64>, row)]);
                            add_count(&mut counts, table.key, 1);
                        }
                    }
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
                            add_count(&mut counts, part.key, n as u64);
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
