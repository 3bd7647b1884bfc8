//! Reading a WordPress export as a stream: one record at a time, so that a
//! 500 MB export with fifty thousand posts never sits in memory at once.
//! Only the record being read is held, plus the bytes of the XML event being
//! parsed.
//!
//! Two ways in: [`Reader::next_record`] pulls records one by one (for an
//! importer that does other work between them), and [`read`] pushes every
//! record into a closure and returns the [`Channel`].
//!
//! The export must be well-formed XML, with three lenient exceptions real
//! exports need: a bare `&` reads as a literal `&`, an unknown entity such as
//! `&nbsp;` is kept as written, and whitespace that pretty-printers put
//! around CDATA sections is not content. Each lenience leaves a
//! [`Warning`](crate::Warning) in [`Channel::warnings`]. Control characters
//! other than tab, newline and carriage return are dropped from text (with a
//! warning); a NUL character, raw or as `&#0;`, is refused.
//!
//! What one record costs in memory is bounded by [`Limits`]: an element's
//! text past `Limits::text` is not kept (the item names it in
//! [`Item::oversized`]), and a single piece of XML past `Limits::event`
//! stops the reading, since the parser would have to hold it whole.

mod error;
mod fields;
mod position;
mod text;

use crate::model::{
    Author, Category, Channel, Comment, Item, ItemTerm, Limits, MAX_WARNINGS, Meta, Record, Tag,
    Term, Warning,
};
pub use error::ReadError;
pub use position::Position;
use position::{Stop, Tracked};
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use std::io::{self, BufRead};
use std::sync::Arc;
use text::ElementText;
pub(crate) use text::resolve_reference;

/// Reads a whole export, handing each record to `sink` as soon as it is
/// complete, and returns the channel with every warning.
pub fn read<R: BufRead, E>(
    input: R,
    sink: impl FnMut(Record) -> Result<(), E>,
) -> Result<Channel, ReadError<E>> {
    read_with_limits(input, Limits::default(), sink)
}

/// [`read`] with other bounds on what one record may cost in memory.
pub fn read_with_limits<R: BufRead, E>(
    input: R,
    limits: Limits,
    mut sink: impl FnMut(Record) -> Result<(), E>,
) -> Result<Channel, ReadError<E>> {
    let mut reader = Reader::with_limits(input, limits);
    while let Some(record) = reader.next_record().map_err(ReadError::widen)? {
        sink(record).map_err(ReadError::Sink)?;
    }
    Ok(reader.into_channel())
}

/// Pulls records from an export one at a time.
pub struct Reader<R> {
    xml: quick_xml::Reader<Tracked<R>>,
    buf: Vec<u8>,
    started: bool,
    finished: bool,
    channel: Channel,
    warnings_left_out: u64,
    open: Vec<Open>,
    text: ElementText,
    record: Partial,
    meta: Option<Meta>,
    comment: Option<Comment>,
    wordpress_seen: bool,
    channel_seen: bool,
    root_closed: bool,
}

/// An element whose end tag is still to come.
struct Open {
    name: String,
    at: Position,
}

/// The record being read.
enum Partial {
    None,
    Author(Author),
    Category(Category),
    Tag(Tag),
    Term(Term),
    Item(Box<Item>),
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader::with_limits(input, Limits::default())
    }

    pub fn with_limits(input: R, limits: Limits) -> Self {
        let mut xml = quick_xml::Reader::from_reader(Tracked::new(input, limits.event));
        let config = xml.config_mut();
        config.expand_empty_elements = true;
        config.allow_dangling_amp = true;
        config.check_end_names = true;
        Reader {
            xml,
            buf: Vec::new(),
            started: false,
            finished: false,
            channel: Channel::default(),
            warnings_left_out: 0,
            open: Vec::new(),
            text: ElementText::new(limits.text),
            record: Partial::None,
            meta: None,
            comment: None,
            wordpress_seen: false,
            channel_seen: false,
            root_closed: false,
        }
    }

    /// The channel as far as it has been read. WordPress writes the site's
    /// title, addresses and version before any record.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// The channel, with every warning once the last record has been read.
    pub fn into_channel(self) -> Channel {
        self.channel
    }

    /// The next record, or `None` at the end of the export. After an error
    /// the reader is not to be used again.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        if self.finished {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.skip_byte_order_mark()?;
        }
        loop {
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let event = self.xml.read_event_into(&mut buf);
            // A NUL byte can end up inside an event the parser completed
            // without asking for more input: checked after every event.
            let outcome = match (event, self.xml.get_ref().stopped()) {
                (_, Some(stop)) => Err(self.stop_error(stop)),
                (Ok(event), None) => self.handle(event),
                (Err(e), None) => Err(self.xml_error(e)),
            };
            // One long event must not keep its buffer's size for the rest
            // of the file.
            if buf.capacity() > BUF_KEPT {
                buf = Vec::new();
            }
            self.buf = buf;
            self.xml.get_mut().mark();
            match outcome? {
                Step::Continue => {}
                Step::Record(record) => return Ok(Some(record)),
                Step::End => {
                    self.finished = true;
                    if self.warnings_left_out > 0 {
                        let end = self.xml.get_ref().end_position();
                        self.channel.warnings.push(Warning {
                            line: end.line,
                            column: end.column,
                            message: format!(
                                "{} more warnings were not listed",
                                self.warnings_left_out
                            ),
                        });
                    }
                    return Ok(None);
                }
            }
        }
    }

    /// A UTF-8 byte order mark is not part of the text: dropped before the
    /// parser counts positions.
    fn skip_byte_order_mark(&mut self) -> Result<(), ReadError> {
        let input = self.xml.get_mut().inner_mut();
        let starts_with_bom = input
            .fill_buf()
            .map_err(ReadError::Io)?
            .starts_with(b"\xEF\xBB\xBF");
        if starts_with_bom {
            input.consume(3);
        }
        Ok(())
    }

    fn handle(&mut self, event: Event<'_>) -> Result<Step, ReadError> {
        match event {
            Event::Start(e) => self.start(&e).map(|()| Step::Continue),
            Event::End(e) => {
                let name = e.name().as_ref().to_owned();
                self.end(&name)
            }
            Event::Text(t) => self.character_data(&t.into_inner()).map(|()| Step::Continue),
            Event::CData(c) => {
                self.outside_root_check("a CDATA section")?;
                self.text.push_cdata(&c.into_inner());
                Ok(Step::Continue)
            }
            Event::GeneralRef(r) => {
                self.outside_root_check("a reference")?;
                let name = r.into_inner();
                if text::names_nul(&name) {
                    return Err(self.syntax(
                        self.here(),
                        format!("&{name}; stands for the NUL character, which XML allows nowhere"),
                    ));
                }
                match text::resolve_reference(&name) {
                    Some(c) => self.text.push_char(c),
                    None => {
                        self.warn(
                            self.xml.get_ref().mark_offset(),
                            format!("unknown reference &{name}; kept as written"),
                        );
                        self.text.push_content(&format!("&{name};"));
                    }
                }
                Ok(Step::Continue)
            }
            Event::Eof => self.eof(),
            Event::Empty(_) // expanded into Start and End
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => Ok(Step::Continue),
        }
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), ReadError> {
        let name = e.name().as_ref().to_owned();
        let at = self.here();
        if let Some(attribute_error) = e.attributes().find_map(Result::err) {
            return Err(self.syntax(at, format!("in <{name}>: {attribute_error}")));
        }
        if self.root_closed {
            return Err(self.syntax(
                at,
                format!("<{name}> after the end of the root element: only one is allowed"),
            ));
        }
        if name.starts_with("wp:") {
            self.wordpress_seen = true;
        }
        let depth = self.open.len();
        match depth {
            0 if name != "rss" => {
                return Err(not_wxr(
                    at,
                    format!("the root element is <{name}>, where a WordPress export has <rss>"),
                ));
            }
            0 => {
                let declares_wp = e
                    .attributes()
                    .flatten()
                    .any(|a| a.key.as_ref() == "xmlns:wp");
                self.wordpress_seen |= declares_wp;
            }
            1 if name == "channel" => self.channel_seen = true,
            2 if self.open[1].name == "channel" => {
                self.record = match name.as_str() {
                    "wp:author" => Partial::Author(Author::default()),
                    "wp:category" => Partial::Category(Category::default()),
                    "wp:tag" => Partial::Tag(Tag::default()),
                    "wp:term" => Partial::Term(Term::default()),
                    "item" => Partial::Item(Box::new(Item {
                        line: at.line,
                        ..Item::default()
                    })),
                    _ => Partial::None,
                }
            }
            3 => {
                let is_item = matches!(self.record, Partial::Item(_));
                match name.as_str() {
                    "wp:postmeta" if is_item => self.meta = Some(Meta::default()),
                    "wp:termmeta" if !is_item => self.meta = Some(Meta::default()),
                    "wp:comment" if is_item => self.comment = Some(Comment::default()),
                    "category" if is_item => {
                        let term = ItemTerm {
                            domain: self.attribute(e, "domain", at),
                            nicename: self.attribute(e, "nicename", at),
                            name: String::new(),
                        };
                        if let Partial::Item(item) = &mut self.record {
                            item.terms.push(term);
                        }
                    }
                    "guid" if is_item => {
                        let permalink = self.attribute(e, "isPermaLink", at);
                        if let Partial::Item(item) = &mut self.record {
                            item.guid_is_permalink = permalink.trim() == "true";
                        }
                    }
                    _ => {}
                }
            }
            4 if name == "wp:commentmeta" && self.comment.is_some() => {
                self.meta = Some(Meta::default());
            }
            _ => {}
        }
        self.open.push(Open { name, at });
        self.text.clear();
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<Step, ReadError> {
        // The parser has checked that the end tag matches.
        self.open.pop();
        self.text_notes(name);
        let step = self.end_element(name);
        // The text belonged to this element; what follows its end tag is
        // not its text, nor does its overflow carry over to its parent.
        self.text.clear();
        step
    }

    fn end_element(&mut self, name: &str) -> Result<Step, ReadError> {
        let depth = self.open.len();
        let parent = self.open.last().map_or("", |o| o.name.as_str());
        match depth {
            0 => {
                self.root_closed = true;
                if !self.channel_seen {
                    return Err(not_wxr(
                        self.here(),
                        "the <rss> element has no <channel>".into(),
                    ));
                }
                self.check_wordpress()?;
            }
            1 if name == "channel" => self.check_wordpress()?,
            2 if parent == "channel" => {
                let record = std::mem::replace(&mut self.record, Partial::None);
                let record = match record {
                    Partial::None => {
                        fields::channel(&mut self.channel, name, &mut self.text);
                        return Ok(Step::Continue);
                    }
                    Partial::Author(a) => Record::Author(a),
                    Partial::Category(c) => Record::Category(c),
                    Partial::Tag(t) => Record::Tag(t),
                    Partial::Term(t) => Record::Term(t),
                    Partial::Item(i) => {
                        self.check_wordpress()?;
                        Record::Item(i)
                    }
                };
                return Ok(Step::Record(record));
            }
            3 => {
                let text = &mut self.text;
                match &mut self.record {
                    Partial::None => {}
                    Partial::Author(a) => fields::author(a, name, text),
                    Partial::Category(c) => {
                        fields::category(c, name, text);
                        push_meta(&mut c.meta, &mut self.meta, name);
                    }
                    Partial::Tag(t) => {
                        fields::tag(t, name, text);
                        push_meta(&mut t.meta, &mut self.meta, name);
                    }
                    Partial::Term(t) => {
                        fields::term(t, name, text);
                        push_meta(&mut t.meta, &mut self.meta, name);
                    }
                    Partial::Item(item) => match name {
                        "wp:postmeta" => push_meta(&mut item.meta, &mut self.meta, name),
                        "wp:comment" => item.comments.extend(self.comment.take()),
                        "category" => {
                            if let Some(term) = item.terms.last_mut() {
                                term.name = text.take_trimmed();
                            }
                        }
                        _ => fields::item(item, name, text),
                    },
                }
            }
            4 => match parent {
                "wp:comment" => {
                    if let Some(comment) = &mut self.comment {
                        fields::comment(comment, name, &mut self.text);
                        push_meta(&mut comment.meta, &mut self.meta, name);
                    }
                }
                "wp:postmeta" | "wp:termmeta" => {
                    if let Some(meta) = &mut self.meta {
                        fields::meta(meta, name, &mut self.text);
                    }
                }
                _ => {}
            },
            5 if parent == "wp:commentmeta" => {
                if let Some(meta) = &mut self.meta {
                    fields::meta(meta, name, &mut self.text);
                }
            }
            _ => {}
        }
        Ok(Step::Continue)
    }

    /// Text between markup: a bare `&` is accepted with a warning, `]]>` is
    /// refused (it cannot appear outside a CDATA section, and where it does
    /// a CDATA section has ended early), and outside the root only
    /// whitespace may stand.
    fn character_data(&mut self, raw: &str) -> Result<(), ReadError> {
        let start = self.xml.get_ref().mark_offset();
        if self.open.is_empty() {
            if let Some(i) = raw.find(|c: char| !c.is_ascii_whitespace()) {
                let at = self.position(start + i as u64);
                let message = if self.root_closed {
                    "text after the end of the root element".to_owned()
                } else {
                    "text before the first element: this is not an XML file".to_owned()
                };
                return Err(self.syntax(at, message));
            }
            return Ok(());
        }
        if let Some(i) = raw.find("]]>") {
            let at = self.position(start + i as u64);
            return Err(self.syntax(
                at,
                "]]> outside a CDATA section (a CDATA section inside another ends the outer one early)"
                    .into(),
            ));
        }
        for (i, _) in raw.match_indices('&') {
            self.warn(start + i as u64, text::bare_ampersand());
        }
        let mut normalized = String::new();
        text::push_normalized(&mut normalized, raw);
        self.text.push_text(&normalized);
        Ok(())
    }

    /// Warnings for what the text of the element `name` lost, and the
    /// item's note of a text too long to keep.
    fn text_notes(&mut self, name: &str) {
        let at = self.here();
        if self.text.overflowed() {
            if let Partial::Item(item) = &mut self.record {
                item.oversized.push(name.to_owned());
            }
            self.warn_at(
                at,
                format!(
                    "the text of <{name}> is longer than {} bytes: left out",
                    self.text.limit()
                ),
            );
        }
        let controls = self.text.dropped_controls();
        if controls > 0 {
            self.warn_at(
                at,
                format!("{controls} control characters left out of <{name}>"),
            );
        }
    }

    fn eof(&mut self) -> Result<Step, ReadError> {
        let end = self.xml.get_ref().end_position();
        if let Some(innermost) = self.open.last() {
            let message = format!(
                "the file ends before </{}> (opened at line {}, column {}): it is cut short",
                innermost.name, innermost.at.line, innermost.at.column
            );
            return Err(self.syntax(end, message));
        }
        if !self.root_closed {
            return Err(self.syntax(end, "the file has no XML element: it is empty".into()));
        }
        Ok(Step::End)
    }

    fn check_wordpress(&self) -> Result<(), ReadError> {
        if self.wordpress_seen {
            Ok(())
        } else {
            Err(not_wxr(
                self.here(),
                "nothing in it uses WordPress's wp: elements (is it an ordinary RSS feed?)".into(),
            ))
        }
    }

    fn outside_root_check(&self, what: &str) -> Result<(), ReadError> {
        if self.open.is_empty() {
            Err(self.syntax(self.here(), format!("{what} outside the root element")))
        } else {
            Ok(())
        }
    }

    /// An attribute's value, decoded leniently; empty when missing.
    fn attribute(&mut self, e: &BytesStart<'_>, key: &str, at: Position) -> String {
        let Some(attribute) = e.attributes().flatten().find(|a| a.key.as_ref() == key) else {
            return String::new();
        };
        let raw = attribute.value;
        let mut notes = Vec::new();
        let value = text::decode_attribute(&raw, |_, message| notes.push(message));
        for message in notes {
            self.warn_at(at, message);
        }
        value
    }

    /// Where the event being read begins.
    fn here(&self) -> Position {
        let tracked = self.xml.get_ref();
        tracked.position(tracked.mark_offset())
    }

    fn position(&self, offset: u64) -> Position {
        self.xml.get_ref().position(offset)
    }

    fn warn(&mut self, offset: u64, message: String) {
        let at = self.position(offset);
        self.warn_at(at, message);
    }

    fn warn_at(&mut self, at: Position, message: String) {
        if self.channel.warnings.len() < MAX_WARNINGS {
            self.channel.warnings.push(Warning {
                line: at.line,
                column: at.column,
                message,
            });
        } else {
            self.warnings_left_out += 1;
        }
    }

    fn syntax(&self, at: Position, message: String) -> ReadError {
        ReadError::Syntax {
            line: at.line,
            column: at.column,
            message,
        }
    }

    /// The input broke a rule the parser does not check.
    fn stop_error(&self, stop: Stop) -> ReadError {
        let tracked = self.xml.get_ref();
        match stop {
            Stop::Nul(offset) => self.syntax(
                tracked.position(offset),
                "a NUL character, which XML allows nowhere (the file is damaged)".into(),
            ),
            Stop::TooLong => self.syntax(
                self.here(),
                format!(
                    "a piece of XML (a text, a CDATA section or a tag) longer than {} bytes \
                     starts here: the reader holds at most that much at once",
                    tracked.event_limit()
                ),
            ),
        }
    }

    fn xml_error(&self, e: XmlError) -> ReadError {
        let at = self.position(self.xml.error_position());
        let message = match e {
            XmlError::Io(e) => {
                return ReadError::Io(
                    Arc::try_unwrap(e).unwrap_or_else(|e| io::Error::new(e.kind(), e.to_string())),
                );
            }
            XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                let opened = self
                    .open
                    .last()
                    .map(|o| format!(" (opened at line {}, column {})", o.at.line, o.at.column))
                    .unwrap_or_default();
                format!("</{found}> where </{expected}> was expected to close <{expected}>{opened}")
            }
            XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
                format!("</{name}> closes no element")
            }
            XmlError::Encoding(e) => format!("not UTF-8 text: {e}"),
            XmlError::Syntax(SyntaxError::InvalidBangMarkup) => {
                "<! that starts neither a comment nor a CDATA section".to_owned()
            }
            // The others all mean the input ended inside some markup.
            XmlError::Syntax(e) => format!("{e}: the file is cut short"),
            other => other.to_string(),
        };
        self.syntax(at, message)
    }
}

/// The capacity of the event buffer kept between events: the largest of
/// the usual events (a long post) fits, and one exceptional event's
/// buffer is let go.
const BUF_KEPT: usize = 4 << 20;

enum Step {
    Continue,
    Record(Record),
    End,
}

/// Moves a finished meta pair into its list when `name` closes it.
fn push_meta(list: &mut Vec<Meta>, meta: &mut Option<Meta>, name: &str) {
    if matches!(name, "wp:postmeta" | "wp:termmeta" | "wp:commentmeta") {
        list.extend(meta.take());
    }
}

fn not_wxr(at: Position, message: String) -> ReadError {
    ReadError::NotWxr {
        line: at.line,
        column: at.column,
        message,
    }
}

#[cfg(test)]
mod tests;
