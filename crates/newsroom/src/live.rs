//! The live editor's shared document: one Yjs document per article, which
//! staff edit together over the editor's socket. The article body is the
//! XML fragment "body" in the shape the editor's ProseMirror binding gives
//! it (editor/README.md, "Live editing"): an element per node, named by its
//! type, with the node's non-null attributes; text with each mark as a
//! formatting attribute holding the mark's attributes.
//!
//! This module holds the rules of a connection, with no I/O: who may change
//! the document (a reader of it gets the document and presence, never a
//! write), how large a message and a document may grow, and whose name
//! presence shows (the server's, never the one a client claims).

use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Awareness, Message, SyncMessage};
use yrs::types::Attrs;
use yrs::types::Delta;
use yrs::types::text::YChange;
use yrs::updates::decoder::{Decode, DecoderV1};
use yrs::updates::encoder::Encode;
use yrs::{
    Any, ClientID, Doc, Map as _, Out, ReadTxn, StateVector, Text, Transact, Update, Xml,
    XmlElementPrelim, XmlFragment, XmlOut, XmlTextPrelim,
};

/// The fragment of the shared document that holds the article body.
pub const BODY: &str = "body";
/// The map of the shared document that holds the article form's other
/// fields, each as the form sends it (a string), under the field's name.
pub const META: &str = "meta";

/// The form's shared fields: name → value as the form sends it.
pub type Meta = std::collections::BTreeMap<String, String>;
/// The largest message a connection may send.
pub const MAX_MESSAGE: usize = 1 << 20;
/// The most a document may hold, in encoded bytes of its updates since it
/// was last compacted; past it, writes are refused until it is saved and
/// compacted (a body of bbn's 1 MB limit takes far less).
pub const MAX_DOCUMENT: usize = 16 << 20;

/// What a connection may do with the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Change it.
    Write,
    /// See it and who is editing; anything it sends to change it is dropped.
    Read,
}

/// Why a message or a document was refused.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("the message is not one of the editor's ({0})")]
    Malformed(String),
    #[error("the message is larger than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("the document is larger than {MAX_DOCUMENT} bytes")]
    DocumentTooLarge,
    #[error("the body is not a document the editor can hold: {0}")]
    NotADocument(String),
}

/// What came of one message.
#[derive(Debug, Default)]
pub struct Handled {
    /// Messages for the connection that sent it.
    pub reply: Vec<Vec<u8>>,
    /// Messages for every other connection to the document.
    pub relay: Vec<Vec<u8>>,
    /// The document update it applied, to keep (the autosave).
    pub changed: Vec<Vec<u8>>,
    /// Presence clients the connection spoke for (to forget when it closes).
    pub clients: Vec<u64>,
}

/// One connection's side of the document: who it is.
#[derive(Debug, Clone)]
pub struct Writer {
    pub name: String,
    pub access: Access,
}

/// An article's shared document with its presence.
pub struct LiveDoc {
    awareness: Awareness,
    /// Encoded bytes of the updates applied since it was built or compacted.
    grown: usize,
}

impl LiveDoc {
    /// A document holding `doc` (the article body's document JSON) and the
    /// form's fields `meta`, and the update that makes it, which is kept as
    /// the document's first.
    pub fn seeded(doc: &Value, meta: &Meta) -> Result<(LiveDoc, Vec<u8>), LiveError> {
        let ydoc = Doc::new();
        let body = ydoc.get_or_insert_xml_fragment(BODY);
        let fields = ydoc.get_or_insert_map(META);
        {
            let mut txn = ydoc.transact_mut();
            let content = doc.get("content").and_then(Value::as_array);
            write_children(&mut txn, &body, content.map_or(&[][..], Vec::as_slice))?;
            write_meta(&mut txn, &fields, meta);
        }
        let seed = ydoc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let live = LiveDoc {
            awareness: Awareness::new(ydoc),
            grown: seed.len(),
        };
        Ok((live, seed))
    }

    /// The document that the kept `updates` make.
    pub fn from_updates<'a>(
        updates: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<LiveDoc, LiveError> {
        let ydoc = Doc::new();
        ydoc.get_or_insert_xml_fragment(BODY);
        let mut grown = 0;
        {
            let mut txn = ydoc.transact_mut();
            for bytes in updates {
                let update =
                    Update::decode_v1(bytes).map_err(|e| LiveError::Malformed(e.to_string()))?;
                txn.apply_update(update)
                    .map_err(|e| LiveError::Malformed(e.to_string()))?;
                grown += bytes.len();
            }
        }
        Ok(LiveDoc {
            awareness: Awareness::new(ydoc),
            grown,
        })
    }

    /// What the server says first to a new connection: its state vector
    /// (so the client sends what the server lacks) and who is here.
    pub fn greeting(&self) -> Vec<Vec<u8>> {
        let sv = self.awareness.doc().transact().state_vector();
        let mut out = vec![Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1()];
        if let Ok(update) = self.awareness.update()
            && !update.clients.is_empty()
        {
            out.push(Message::Awareness(update).encode_v1());
        }
        out
    }

    /// Applies one message from a connection, under its writer's rules.
    pub fn handle(&mut self, data: &[u8], writer: &Writer) -> Result<Handled, LiveError> {
        if data.len() > MAX_MESSAGE {
            return Err(LiveError::TooLarge);
        }
        let mut handled = Handled::default();
        let mut decoder = DecoderV1::from(data);
        let message =
            Message::decode(&mut decoder).map_err(|e| LiveError::Malformed(e.to_string()))?;
        match message {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                let update = self
                    .awareness
                    .doc()
                    .transact()
                    .encode_state_as_update_v1(&sv);
                handled
                    .reply
                    .push(Message::Sync(SyncMessage::SyncStep2(update)).encode_v1());
            }
            Message::Sync(SyncMessage::SyncStep2(bytes) | SyncMessage::Update(bytes)) => {
                if writer.access == Access::Write {
                    self.apply(&bytes)?;
                    handled
                        .relay
                        .push(Message::Sync(SyncMessage::Update(bytes.clone())).encode_v1());
                    handled.changed.push(bytes);
                }
            }
            Message::Awareness(update) => {
                let update = presence_as(update, &writer.name);
                handled.clients = update.clients.keys().map(|c| c.get()).collect();
                self.awareness
                    .apply_update(update.clone())
                    .map_err(|e| LiveError::Malformed(e.to_string()))?;
                handled.relay.push(Message::Awareness(update).encode_v1());
            }
            Message::AwarenessQuery => {
                if let Ok(update) = self.awareness.update() {
                    handled.reply.push(Message::Awareness(update).encode_v1());
                }
            }
            // Authentication is the socket's (the session cookie), and the
            // editor sends no messages of its own kinds.
            Message::Auth(_) | Message::Custom(..) => {}
        }
        Ok(handled)
    }

    /// Replaces the body by `doc` (the article's body, saved by another path
    /// than the live editor) as one change of this same document, so that
    /// every connected editor and any that comes back from offline move
    /// onto it; the update that does it.
    pub fn replace(&mut self, doc: &Value, meta: &Meta) -> Result<Vec<u8>, LiveError> {
        let ydoc = self.awareness.doc();
        let body = ydoc.get_or_insert_xml_fragment(BODY);
        let fields = ydoc.get_or_insert_map(META);
        let mut txn = ydoc.transact_mut();
        write_meta(&mut txn, &fields, meta);
        let len = body.len(&txn);
        if len > 0 {
            body.remove_range(&mut txn, 0, len);
        }
        let content = doc.get("content").and_then(Value::as_array);
        write_children(&mut txn, &body, content.map_or(&[][..], Vec::as_slice))?;
        let update = txn.encode_update_v1();
        self.grown += update.len();
        Ok(update)
    }

    /// Applies an update kept or relayed from elsewhere (another instance).
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), LiveError> {
        if self.grown + bytes.len() > MAX_DOCUMENT {
            return Err(LiveError::DocumentTooLarge);
        }
        let update = Update::decode_v1(bytes).map_err(|e| LiveError::Malformed(e.to_string()))?;
        self.awareness
            .doc()
            .transact_mut()
            .apply_update(update)
            .map_err(|e| LiveError::Malformed(e.to_string()))?;
        self.grown += bytes.len();
        Ok(())
    }

    /// The message that tells everyone `clients` (a closed connection's)
    /// are gone, or None when they had said nothing.
    pub fn forget(&mut self, clients: &[u64]) -> Option<Vec<u8>> {
        let known: Vec<ClientID> = clients
            .iter()
            .map(|c| ClientID::new(*c))
            .filter(|c| self.awareness.meta(*c).is_some())
            .collect();
        if known.is_empty() {
            return None;
        }
        for c in &known {
            self.awareness.remove_state(*c);
        }
        let update = self.awareness.update_with_clients(known).ok()?;
        Some(Message::Awareness(update).encode_v1())
    }

    /// The names of the writers present, each once, sorted.
    pub fn present(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .awareness
            .iter()
            .filter_map(|(_, state)| {
                let data = state.data.as_deref()?;
                let value: Value = serde_json::from_str(data).ok()?;
                Some(value.get("user")?.get("name")?.as_str()?.to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The whole state as one update (compaction keeps this instead of the
    /// updates that made it), and the size it now counts from.
    pub fn compacted(&mut self) -> Vec<u8> {
        let state = self
            .awareness
            .doc()
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        self.grown = state.len();
        state
    }

    /// What the document holds, as a state vector (to tell whether an
    /// update changed anything).
    pub fn state_vector(&self) -> StateVector {
        self.awareness.doc().transact().state_vector()
    }

    /// Encoded bytes applied since it was built or compacted.
    pub fn grown(&self) -> usize {
        self.grown
    }

    /// The form's shared fields as they stand (those that are strings).
    pub fn meta(&self) -> Meta {
        let doc = self.awareness.doc();
        let txn = doc.transact();
        let Some(fields) = txn.get_map(META) else {
            return Meta::new();
        };
        fields
            .iter(&txn)
            .filter_map(|(k, v)| match v {
                Out::Any(Any::String(s)) => Some((k.to_string(), s.to_string())),
                _ => None,
            })
            .collect()
    }

    /// The body as the editor's document JSON (what the server renders and
    /// a save stores), read from the fragment.
    pub fn document(&self) -> Value {
        let doc = self.awareness.doc();
        let txn = doc.transact();
        let content = match txn.get_xml_fragment(BODY) {
            Some(body) => read_children(&txn, &body),
            None => Vec::new(),
        };
        json!({"type": "doc", "content": content})
    }
}

/// Sets each field that differs (a field set to what it holds would still
/// be a change for every editor to apply).
fn write_meta(txn: &mut yrs::TransactionMut, fields: &yrs::MapRef, meta: &Meta) {
    for (key, value) in meta {
        let same =
            matches!(fields.get(txn, key), Some(Out::Any(Any::String(s))) if s.as_ref() == value);
        if !same {
            fields.insert(txn, key.as_str(), value.as_str());
        }
    }
}

/// The presence update as the server lets it stand: each state's user name
/// is the connection's (a client cannot appear as someone else).
fn presence_as(update: AwarenessUpdate, name: &str) -> AwarenessUpdate {
    let clients = update
        .clients
        .into_iter()
        .map(|(id, entry)| {
            let json: Arc<str> = match serde_json::from_str::<Value>(&entry.json) {
                // "null": the client left.
                Ok(Value::Object(mut state)) => {
                    let user = state
                        .entry("user")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !user.is_object() {
                        *user = Value::Object(Map::new());
                    }
                    if let Some(user) = user.as_object_mut() {
                        user.insert("name".into(), Value::String(name.to_string()));
                    }
                    Value::Object(state).to_string().into()
                }
                _ => "null".into(),
            };
            (
                id,
                AwarenessUpdateEntry {
                    clock: entry.clock,
                    json,
                },
            )
        })
        .collect::<HashMap<_, _>>();
    AwarenessUpdate { clients }
}

fn not_a_document(what: &str) -> LiveError {
    LiveError::NotADocument(what.to_string())
}

/// Writes document nodes as children of `parent`: runs of text nodes as
/// one XML text, every other node as an element.
fn write_children<P: XmlFragment>(
    txn: &mut yrs::TransactionMut,
    parent: &P,
    content: &[Value],
) -> Result<(), LiveError> {
    let mut run: Vec<(String, Attrs)> = Vec::new();
    for node in content {
        let kind = node
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| not_a_document("a node without a type"))?;
        if kind == "text" {
            let text = node
                .get("text")
                .and_then(Value::as_str)
                .ok_or_else(|| not_a_document("a text node without text"))?;
            run.push((text.to_string(), marks_to_attrs(node.get("marks"))?));
            continue;
        }
        flush_text(txn, parent, &mut run);
        let element = parent.push_back(txn, XmlElementPrelim::empty(kind));
        if let Some(attrs) = node.get("attrs").and_then(Value::as_object) {
            for (key, value) in attrs {
                if !value.is_null() {
                    element.insert_attribute(txn, key.as_str(), to_any(value)?);
                }
            }
        }
        let children = node.get("content").and_then(Value::as_array);
        write_children(txn, &element, children.map_or(&[][..], Vec::as_slice))?;
    }
    flush_text(txn, parent, &mut run);
    Ok(())
}

fn flush_text<P: XmlFragment>(
    txn: &mut yrs::TransactionMut,
    parent: &P,
    run: &mut Vec<(String, Attrs)>,
) {
    if run.is_empty() {
        return;
    }
    let text = parent.push_back(txn, XmlTextPrelim::new(""));
    let delta: Vec<Delta<String>> = run
        .drain(..)
        .map(|(chunk, attrs)| Delta::Inserted(chunk, Some(Box::new(attrs))))
        .collect();
    text.apply_delta(txn, delta);
}

fn marks_to_attrs(marks: Option<&Value>) -> Result<Attrs, LiveError> {
    let mut attrs = Attrs::new();
    for mark in marks
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let kind = mark
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| not_a_document("a mark without a type"))?;
        let value = match mark.get("attrs") {
            Some(a @ Value::Object(_)) => to_any(a)?,
            _ => Any::Map(Arc::new(HashMap::new())),
        };
        attrs.insert(kind.into(), value);
    }
    Ok(attrs)
}

fn to_any(value: &Value) -> Result<Any, LiveError> {
    serde_json::from_value(value.clone()).map_err(|e| LiveError::NotADocument(e.to_string()))
}

/// A value as document JSON: whole numbers as integers (the editor's
/// numbers are JavaScript's, and its attributes are counts and levels).
fn to_json(any: &Any) -> Value {
    match any {
        Any::Null | Any::Undefined => Value::Null,
        Any::Bool(b) => Value::Bool(*b),
        Any::Number(n) => match *n {
            yrs::any::Number::Int(i) => json!(i),
            yrs::any::Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
            yrs::any::Number::Float(f) => json!(f),
        },
        Any::String(s) => Value::String(s.to_string()),
        Any::Buffer(_) => Value::Null,
        Any::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Any::Map(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// A mark's place in the editor schema's order of marks.
fn mark_rank(kind: &str) -> usize {
    ["link", "em", "strong", "code"]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

/// An attribute's value; the editor only sets plain values, so a shared
/// type found there (from a hostile client) reads as nothing.
fn out_to_json(out: &Out) -> Value {
    match out {
        Out::Any(any) => to_json(any),
        _ => Value::Null,
    }
}

fn read_children<T: ReadTxn, P: XmlFragment>(txn: &T, parent: &P) -> Vec<Value> {
    let mut out = Vec::new();
    for child in parent.children(txn) {
        match child {
            XmlOut::Element(el) => {
                let mut node = Map::new();
                node.insert("type".into(), Value::String(el.tag().to_string()));
                let attrs: Map<String, Value> = el
                    .attributes(txn)
                    .map(|(k, v)| (k.to_string(), out_to_json(&v)))
                    .collect();
                if !attrs.is_empty() {
                    node.insert("attrs".into(), Value::Object(attrs));
                }
                let content = read_children(txn, &el);
                if !content.is_empty() {
                    node.insert("content".into(), Value::Array(content));
                }
                out.push(Value::Object(node));
            }
            XmlOut::Text(text) => {
                for chunk in text.diff(txn, YChange::identity) {
                    let Out::Any(Any::String(s)) = &chunk.insert else {
                        continue;
                    };
                    if s.is_empty() {
                        continue;
                    }
                    let mut node = Map::new();
                    node.insert("type".into(), json!("text"));
                    let mut marks: Vec<Value> = chunk
                        .attributes
                        .iter()
                        .flat_map(|attrs| attrs.iter())
                        .filter(|(_, v)| !matches!(v, Any::Null | Any::Undefined))
                        .map(|(name, v)| {
                            let mut mark = Map::new();
                            mark.insert("type".into(), Value::String(name.to_string()));
                            if let Value::Object(a) = to_json(v)
                                && !a.is_empty()
                            {
                                mark.insert("attrs".into(), Value::Object(a));
                            }
                            Value::Object(mark)
                        })
                        .collect();
                    // In the schema's order, as the editor writes them.
                    marks.sort_by_key(|m| mark_rank(m["type"].as_str().unwrap_or("")));
                    if !marks.is_empty() {
                        node.insert("marks".into(), Value::Array(marks));
                    }
                    node.insert("text".into(), Value::String(s.to_string()));
                    out.push(Value::Object(node));
                }
            }
            XmlOut::Fragment(f) => out.extend(read_children(txn, &f)),
        }
    }
    out
}

/// The article as it would be saved from the live document now: the saved
/// article with the document's body and the shared fields over it (a live
/// snapshot). Fields that do not parse keep the saved value; `topic_ids` are
/// the topics the shared list names that exist (None: keep the saved ones).
pub fn working_copy(
    saved: &bbn_core::validate::ArticleDraft,
    body: &Value,
    meta: &Meta,
    topic_ids: Option<Vec<i64>>,
) -> bbn_core::validate::ArticleDraft {
    let mut d = saved.clone();
    d.body_format = bbn_core::model::BodyFormat::Document;
    d.body_markdown = body.to_string();
    let text = |key: &str, into: &mut String| {
        if let Some(v) = meta.get(key) {
            into.clone_from(v);
        }
    };
    text("headline", &mut d.headline);
    text("dek", &mut d.dek);
    text("kicker", &mut d.kicker);
    text("slug", &mut d.slug);
    text("seo_title", &mut d.seo_title);
    text("seo_description", &mut d.seo_description);
    if let Some(Ok(section)) = meta.get("section_id").map(|s| s.parse()) {
        d.section_id = section;
    }
    if let Some(list) = meta.get("authors") {
        let ids: Result<Vec<i64>, _> = list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect();
        if let Ok(ids) = ids {
            d.author_ids = ids;
        }
    }
    if let Some(flag) = meta.get("comments_open") {
        d.comments_open = flag == "1";
    }
    if let Some(topics) = topic_ids {
        d.topic_ids = topics;
    }
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;

    fn every_block() -> Value {
        json!({"type": "doc", "content": [
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Harbour"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Ships "},
                {"type": "text", "marks": [{"type": "link", "attrs": {"href": "/news/a", "title": "A"}}, {"type": "strong"}], "text": "docked"},
                {"type": "hard_break"},
                {"type": "text", "marks": [{"type": "em"}], "text": "at dawn"}]},
            {"type": "image", "attrs": {"src": "/media/a.jpg", "alt": "A hall", "caption": "", "credit": "Ann", "media": 7}},
            {"type": "ordered_list", "attrs": {"start": 3}, "content": [
                {"type": "list_item", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]}]},
            {"type": "paragraph"}
        ]})
    }

    fn writer(access: Access) -> Writer {
        Writer {
            name: "Ann Editor".into(),
            access,
        }
    }

    /// An update typing `text` at the end of the first paragraph's first run, made on a
    /// client's copy of `seed`.
    fn typed(seed: &[u8], text: &str) -> Vec<u8> {
        let client = Doc::new();
        let body = client.get_or_insert_xml_fragment(BODY);
        client
            .transact_mut()
            .apply_update(Update::decode_v1(seed).unwrap())
            .unwrap();
        let mut txn = client.transact_mut();
        let Some(XmlOut::Element(p)) = body.get(&txn, 1) else {
            panic!("no paragraph")
        };
        let Some(XmlOut::Text(t)) = p.get(&txn, 0) else {
            panic!("no text")
        };
        t.insert(&mut txn, 0, text);
        txn.encode_update_v1()
    }

    #[test]
    fn a_document_goes_in_and_comes_back_the_same() {
        let (live, seed) = LiveDoc::seeded(&every_block(), &Meta::new()).unwrap();
        assert_eq!(live.document(), every_block());
        let again = LiveDoc::from_updates([seed.as_slice()]).unwrap();
        assert_eq!(again.document(), every_block());
    }

    #[test]
    fn writers_change_it_and_readers_do_not() {
        let (mut live, seed) = LiveDoc::seeded(&every_block(), &Meta::new()).unwrap();
        let update = typed(&seed, "Big ");
        let message = Message::Sync(SyncMessage::Update(update)).encode_v1();
        let read = live.handle(&message, &writer(Access::Read)).unwrap();
        assert!(read.relay.is_empty() && read.changed.is_empty());
        assert_eq!(live.document(), every_block());
        let wrote = live.handle(&message, &writer(Access::Write)).unwrap();
        assert_eq!((wrote.relay.len(), wrote.changed.len()), (1, 1));
        assert_eq!(
            live.document()["content"][1]["content"][0]["text"],
            "Big Ships "
        );
    }

    #[test]
    fn a_saved_body_replaces_the_text_for_everyone() {
        let (mut live, seed) = LiveDoc::seeded(&every_block(), &Meta::new()).unwrap();
        let replaced = json!({"type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "From the desk"}]}]});
        let update = live.replace(&replaced, &Meta::new()).unwrap();
        assert_eq!(live.document(), replaced);
        // A client that had the old document moves onto the new one.
        let client = LiveDoc::from_updates([seed.as_slice(), update.as_slice()]).unwrap();
        assert_eq!(client.document(), replaced);
    }

    #[test]
    fn presence_carries_the_servers_name_and_goes_when_the_writer_does() {
        let (mut live, _) = LiveDoc::seeded(&every_block(), &Meta::new()).unwrap();
        let mut clients = HashMap::new();
        clients.insert(
            ClientID::new(77),
            AwarenessUpdateEntry {
                clock: 1,
                json: r#"{"user":{"name":"The Editor in Chief","color":"red"}}"#.into(),
            },
        );
        let message = Message::Awareness(AwarenessUpdate { clients }).encode_v1();
        let handled = live.handle(&message, &writer(Access::Read)).unwrap();
        assert_eq!(handled.clients, vec![77]);
        assert_eq!(live.present(), vec!["Ann Editor".to_string()]);
        assert!(live.forget(&[77]).is_some());
        assert!(live.present().is_empty());
    }

    #[test]
    fn hostile_messages_are_refused() {
        let (mut live, _) = LiveDoc::seeded(&every_block(), &Meta::new()).unwrap();
        let w = writer(Access::Write);
        assert!(matches!(
            live.handle(&[0, 2, 200, 200, 200], &w),
            Err(LiveError::Malformed(_))
        ));
        assert!(matches!(
            live.handle(&vec![0; MAX_MESSAGE + 1], &w),
            Err(LiveError::TooLarge)
        ));
        assert!(live.handle(&[], &w).is_err());
    }
}

#[cfg(test)]
mod editor_fixture {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;

    /// The editor's own binding wrote this document into a Yjs update
    /// (`npm run fixtures` in editor/): the server reads the same document
    /// out of it, and writes one the editor's binding reads back the same.
    #[test]
    fn the_server_reads_and_writes_the_editors_shape() {
        let fixture: Value =
            serde_json::from_str(include_str!("../../../editor/test/fixtures/y-body.json"))
                .unwrap();
        let update = decode_base64(fixture["update"].as_str().unwrap());
        let live = LiveDoc::from_updates([update.as_slice()]).unwrap();
        // Null attributes are not kept (the schema's defaults stand for them).
        let expected = without_null_attrs(fixture["doc"].clone());
        assert_eq!(live.document(), expected);
        let (ours, _) = LiveDoc::seeded(&fixture["doc"], &Meta::new()).unwrap();
        assert_eq!(ours.document(), expected);
        // The document the server reads out is one the renderer takes.
        bbn_core::document::parse(&live.document().to_string()).unwrap();
    }

    fn without_null_attrs(mut node: Value) -> Value {
        if let Some(attrs) = node.get_mut("attrs").and_then(Value::as_object_mut) {
            attrs.retain(|_, v| !v.is_null());
        }
        if let Some(content) = node.get_mut("content").and_then(Value::as_array_mut) {
            for child in content.iter_mut() {
                *child = without_null_attrs(child.take());
            }
        }
        node
    }

    fn decode_base64(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        };
        let digits: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
        digits
            .chunks(4)
            .flat_map(|chunk| {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
                let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
                bytes[..chunk.len() - 1].to_vec()
            })
            .collect()
    }
}
