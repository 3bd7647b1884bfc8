//! Reading an export file: a thread of its own parses it with serde_json,
//! one record at a time, checks each against `spec` (every field present,
//! of its type, nothing unknown; every id it names seen earlier in the
//! file) and sends it over a bounded channel to the writer (`import`).
//! Errors carry serde_json's line and column.
//!
//! Three kinds of reference can point forward in the file: a section's
//! parent, a comment's parent, and the site's logo (settings come before
//! media). Such a value is sent as NULL, with a fixup the writer applies
//! once the file has shown the record it names.

use super::TransferError;
use super::spec::{
    Column, FORMAT_NAME, FORMAT_VERSION, Kind, Shape, TABLES, Table, Value, referenced_tables,
};
use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use tokio::sync::mpsc;

/// What the parser hands the writer.
pub(crate) enum Item {
    /// A one-row table's row, or None (null in the file).
    Single(&'static Table, Option<Vec<Value>>),
    Record(&'static Table, Vec<Value>),
    /// An article, the rows of its parts one after another, and how many
    /// rows each part has (in the order of `ARTICLE_PARTS`).
    Article(Vec<Value>, Vec<Vec<Value>>, Vec<usize>),
    /// The file was read to its end without fault; the forward references to set.
    End(Vec<Fixup>),
}

/// A reference set after every record is in: `UPDATE table SET column = value WHERE id = id`.
pub(crate) struct Fixup {
    pub table: &'static Table,
    pub column: &'static str,
    pub id: i64,
    pub value: i64,
}

struct Parser {
    sender: mpsc::Sender<Item>,
    /// Ids seen so far of every table some column refers to.
    seen: HashMap<&'static str, HashSet<i64>>,
    /// Forward references, with who made them (for the message if they dangle).
    fixups: Vec<(Fixup, &'static str, String)>,
    /// An error with more to say than serde's message.
    failure: Option<TransferError>,
    /// The file's format version.
    version: i64,
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
            let v = match obj.remove(c.name) {
                Some(v) => v,
                None => match super::spec::added_after(self.version, table.name, c.name) {
                    Some(v) => v,
                    None => {
                        return Err(format!(
                            "a record of \"{}\" lacks \"{}\"",
                            table.key, c.name
                        ));
                    }
                },
            };
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
        p.version = version;
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
pub(crate) fn parse<R: Read>(input: R, sender: mpsc::Sender<Item>) -> Result<(), TransferError> {
    let mut p = Parser {
        sender,
        seen: referenced_tables()
            .into_iter()
            .map(|t| (t, HashSet::new()))
            .collect(),
        fixups: Vec::new(),
        failure: None,
        version: FORMAT_VERSION,
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
