//! What must hold of every document `from_html` reads, checked apart from
//! the code under test: words counted on the HTML tokenizer's output, not
//! on the tree `from_html` builds; the schema as `editor/src/schema.js`
//! writes it.

use super::super::{ends_word, from_html, mark_rank};
use super::json_of;
use crate::document::{Node, parse, to_html};
use crate::markdown;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};
use std::cell::RefCell;

/// The words of `html` as a reader sees them, tokenized apart from the
/// tree builder `from_html` reads with: text, split at white space and
/// wherever a block starts or ends, a line breaks or an image stands.
pub(super) fn words(html: &str) -> Vec<String> {
    struct Text(RefCell<String>);
    impl TokenSink for Text {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::CharacterTokens(t) => self.0.borrow_mut().push_str(&t),
                Token::TagToken(tag) if ends_word(&tag.name) => self.0.borrow_mut().push(' '),
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Text(RefCell::new(String::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let text = tokenizer.sink.0.borrow();
    text.split_whitespace().map(str::to_string).collect()
}

/// An element's name and its attributes' names and values.
type StartTag = (String, Vec<(String, String)>);

/// Start tags with their attributes (less the `rel` the sanitizer adds to
/// links), to compare HTML before and after sanitizing.
pub(super) fn start_tags(html: &str) -> Vec<StartTag> {
    struct Tags(RefCell<Vec<StartTag>>);
    impl TokenSink for Tags {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == html5ever::tokenizer::TagKind::StartTag
            {
                let mut attrs: Vec<(String, String)> = tag
                    .attrs
                    .iter()
                    .filter(|a| &*a.name.local != "rel")
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                attrs.sort();
                self.0.borrow_mut().push((tag.name.to_string(), attrs));
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Tags(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Why `node` breaks the editor's schema (`editor/src/schema.js`), if it does.
pub(super) fn schema_fault(node: &Node) -> Option<String> {
    const BLOCK: &[&str] = &[
        "paragraph",
        "heading",
        "blockquote",
        "pull_quote",
        "bullet_list",
        "ordered_list",
        "horizontal_rule",
        "image",
        "table",
        "read_more",
        "faq",
    ];
    let kinds: Vec<&str> = node.content.iter().map(|c| c.kind.as_str()).collect();
    let all = |allowed: &[&str]| kinds.iter().all(|k| allowed.contains(k));
    let inline = all(&["text", "hard_break"]);
    let paragraphs = !kinds.is_empty() && all(&["paragraph"]);
    let flow = !kinds.is_empty() && all(&["paragraph", "bullet_list", "ordered_list"]);
    let has = |names: &[&str]| names.iter().all(|n| node.attrs.contains_key(*n));
    let fits = match node.kind.as_str() {
        "doc" => !kinds.is_empty() && all(BLOCK),
        "paragraph" | "faq_question" => inline,
        "heading" => {
            inline
                && node
                    .attrs
                    .get("level")
                    .and_then(serde_json::Value::as_i64)
                    .is_some_and(|l| (2..=4).contains(&l))
        }
        "pull_quote" => inline && has(&["cite"]),
        "blockquote" => flow,
        "bullet_list" => !kinds.is_empty() && all(&["list_item"]),
        "ordered_list" => !kinds.is_empty() && all(&["list_item"]) && has(&["start"]),
        "list_item" => flow && kinds[0] == "paragraph",
        "table" => !kinds.is_empty() && all(&["table_row"]),
        "table_row" => all(&["table_cell", "table_header"]),
        "table_cell" | "table_header" => paragraphs && has(&["colspan", "rowspan", "colwidth"]),
        "faq" => !kinds.is_empty() && all(&["faq_item"]),
        "faq_item" => kinds == ["faq_question", "faq_answer"],
        "faq_answer" => paragraphs,
        "image" => kinds.is_empty() && has(&["src", "alt", "caption", "credit", "media"]),
        "read_more" => kinds.is_empty() && has(&["href", "headline"]),
        "horizontal_rule" | "hard_break" => kinds.is_empty(),
        "text" => kinds.is_empty() && node.text.as_deref().is_some_and(|t| !t.is_empty()),
        _ => false,
    };
    let ranks: Vec<usize> = node.marks.iter().map(|m| mark_rank(&m.kind)).collect();
    let marks_fit = ranks.windows(2).all(|w| w[0] < w[1]) && ranks.iter().all(|r| *r < 4);
    if !fits || !marks_fit {
        return Some(format!(
            "{} holding {kinds:?} with marks {:?}",
            node.kind, node.marks
        ));
    }
    node.content.iter().find_map(schema_fault)
}

/// What must hold of the document `from_html` reads from `html`: it fits
/// the schema and the limits, its HTML has every word of `html` and nothing
/// the sanitizer would take out, and reading that HTML gives it back.
pub(super) fn check(html: &str) -> Result<(), String> {
    let doc = from_html(html);
    if let Some(fault) = schema_fault(&doc) {
        return Err(format!("not the editor's schema: {fault}"));
    }
    let json = serde_json::to_string(&doc).unwrap();
    match parse(&json) {
        Ok(parsed) if parsed == doc => {}
        other => return Err(format!("not a document within the limits: {other:?}")),
    }
    if let Err(e) = markdown::check_body(crate::BodyFormat::Document, &json) {
        return Err(format!("a body the newsroom refuses: {e}"));
    }
    let out = to_html(&doc);
    let (before, after) = (words(html), words(&out));
    if before != after {
        let same = before
            .iter()
            .zip(&after)
            .take_while(|(a, b)| a == b)
            .count();
        let differ = before.len().max(after.len()) - same;
        return Err(format!(
            "{differ} words differ from word {same}: {:?} became {:?}",
            &before[same..(same + 8).min(before.len())],
            &after[same..(same + 8).min(after.len())],
        ));
    }
    if start_tags(&out) != start_tags(&markdown::sanitize(&out)) {
        return Err(format!("the sanitizer takes something out of {out}"));
    }
    let again = from_html(&out);
    if again != doc {
        return Err(format!(
            "its HTML reads back otherwise:\n{}\n{}",
            json_of(&doc),
            json_of(&again)
        ));
    }
    Ok(())
}

/// How many words one of `a` and `b` has that the other has not (as
/// many times), whatever their order.
pub(super) fn words_apart(a: &[String], b: &[String]) -> usize {
    let mut counts = std::collections::HashMap::<&str, i64>::new();
    for w in a {
        *counts.entry(w).or_default() += 1;
    }
    for w in b {
        *counts.entry(w).or_default() -= 1;
    }
    counts.values().map(|n| n.unsigned_abs() as usize).sum()
}

pub(super) fn assert_holds(html: &str) {
    if let Err(why) = check(html) {
        panic!("{why}\nin {html}");
    }
}
