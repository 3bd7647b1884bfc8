//! The article body as the newsroom's editor writes it: a structured
//! document (the editor's JSON: nodes with a `type`, `attrs`, `content`,
//! and text with `marks`), rendered to HTML here, on the server.
//!
//! Nothing in the document is taken as HTML: text is escaped, addresses
//! go into attributes escaped, and a node or mark of a type this module does
//! not know renders its text only. The HTML made here still passes through
//! the sanitizer once when the body is written, like every body. The node
//! types and their attributes are those of `editor/src/schema.js`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt::Write;

mod from_html;
pub use from_html::from_html;

/// At most this many nodes (text runs included) in one document.
pub const MAX_NODES: usize = 100_000;
/// At most this deep (lists in lists in quotes …).
pub const MAX_DEPTH: usize = 32;

/// One node of a document. Written back as JSON the way the editor writes
/// it (`doc.toJSON()`: empty parts left out).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Node {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attrs: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
}

/// Emphasis or a link over a run of text.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Mark {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attrs: Map<String, Value>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    #[error("the body is not a document the editor wrote: {0}")]
    NotADocument(String),
    #[error("the body has more than {MAX_NODES} parts")]
    TooManyNodes,
    #[error("the body nests more than {MAX_DEPTH} levels deep")]
    TooDeep,
}

/// Reads a document from the editor's JSON, refusing one of a size or
/// depth past the limits (each checked before the document is rendered).
pub fn parse(json: &str) -> Result<Node, DocumentError> {
    // serde_json refuses nesting past 128 levels itself, before any of
    // it is built, so a hostile body cannot exhaust the stack here.
    let doc: Node =
        serde_json::from_str(json).map_err(|e| DocumentError::NotADocument(e.to_string()))?;
    if doc.kind != "doc" {
        return Err(DocumentError::NotADocument(format!(
            "it starts with {:?}, not a document",
            doc.kind
        )));
    }
    let mut nodes = 0usize;
    measure(&doc, 0, &mut nodes)?;
    Ok(doc)
}

fn measure(node: &Node, depth: usize, nodes: &mut usize) -> Result<(), DocumentError> {
    if depth > MAX_DEPTH {
        return Err(DocumentError::TooDeep);
    }
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Err(DocumentError::TooManyNodes);
    }
    node.content
        .iter()
        .try_for_each(|child| measure(child, depth + 1, nodes))
}

/// The document as HTML, every text and attribute escaped.
pub fn to_html(doc: &Node) -> String {
    let mut out = String::with_capacity(1024);
    children(&mut out, doc);
    out
}

/// The document's words without markup (search, summaries): each block on
/// a line of its own.
pub fn plain_text(doc: &Node) -> String {
    let mut out = String::new();
    words(&mut out, doc);
    out.trim_end().to_string()
}

/// The questions and answers of the document's FAQ blocks, as plain text
/// (for structured data), in order.
pub fn faq(doc: &Node) -> Vec<(String, String)> {
    let mut found = Vec::new();
    collect_faq(doc, &mut found);
    found
}

fn collect_faq(node: &Node, found: &mut Vec<(String, String)>) {
    if node.kind == "faq_item" {
        let text = |kind: &str| {
            node.content
                .iter()
                .filter(|c| c.kind == kind)
                .map(plain_text)
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string()
        };
        let (question, answer) = (text("faq_question"), text("faq_answer"));
        if !question.is_empty() && !answer.is_empty() {
            found.push((question, answer));
        }
        return;
    }
    for child in &node.content {
        collect_faq(child, found);
    }
}

/// How many of the document's images have no alt text.
pub fn images_without_alt(doc: &Node) -> usize {
    let own = usize::from(doc.kind == "image" && text_attr(doc, "alt").trim().is_empty());
    own + doc.content.iter().map(images_without_alt).sum::<usize>()
}

fn words(out: &mut String, node: &Node) {
    if let Some(text) = &node.text {
        out.push_str(text);
        return;
    }
    match node.kind.as_str() {
        "hard_break" => out.push('\n'),
        "image" => line(
            out,
            &[text_attr(node, "caption"), text_attr(node, "credit")],
        ),
        "read_more" => line(out, &[text_attr(node, "headline")]),
        "embed" => line(out, &[text_attr(node, "title")]),
        _ => {
            for child in &node.content {
                words(out, child);
            }
            if !node.content.is_empty() && !is_inline(node) && !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
}

fn line(out: &mut String, parts: &[&str]) {
    let parts: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if !parts.is_empty() {
        out.push_str(&parts.join(" "));
        out.push('\n');
    }
}

fn is_inline(node: &Node) -> bool {
    node.text.is_some() || node.kind == "hard_break"
}

fn text_attr<'a>(node: &'a Node, name: &str) -> &'a str {
    node.attrs.get(name).and_then(Value::as_str).unwrap_or("")
}

fn int_attr(node: &Node, name: &str) -> Option<i64> {
    node.attrs.get(name).and_then(Value::as_i64)
}

fn escape(out: &mut String, text: &str) {
    out.push_str(&htmlize::escape_text(text));
}

pub(crate) fn escape_attr(out: &mut String, value: &str) {
    out.push_str(&htmlize::escape_attribute(value));
}

fn children(out: &mut String, node: &Node) {
    // Text runs side by side share the marks they have in common: a link
    // over a bold word and a plain one stays one link.
    let mut open: Vec<&Mark> = Vec::new();
    for child in &node.content {
        let marks: Vec<&Mark> = if is_inline(child) {
            child.marks.iter().filter(|m| known_mark(m)).collect()
        } else {
            Vec::new()
        };
        let keep = open.iter().zip(&marks).take_while(|(a, b)| a == b).count();
        while open.len() > keep {
            if let Some(m) = open.pop() {
                close_mark(out, m);
            }
        }
        for m in &marks[keep..] {
            open_mark(out, m);
            open.push(m);
        }
        render(out, child);
    }
    while let Some(m) = open.pop() {
        close_mark(out, m);
    }
}

fn known_mark(mark: &Mark) -> bool {
    matches!(mark.kind.as_str(), "strong" | "em" | "code" | "link")
}

fn open_mark(out: &mut String, mark: &Mark) {
    match mark.kind.as_str() {
        "strong" => out.push_str("<strong>"),
        "em" => out.push_str("<em>"),
        "code" => out.push_str("<code>"),
        "link" => {
            out.push_str("<a href=\"");
            escape_attr(
                out,
                mark.attrs.get("href").and_then(Value::as_str).unwrap_or(""),
            );
            out.push('"');
            if let Some(title) = mark.attrs.get("title").and_then(Value::as_str) {
                out.push_str(" title=\"");
                escape_attr(out, title);
                out.push('"');
            }
            out.push('>');
        }
        _ => {}
    }
}

fn close_mark(out: &mut String, mark: &Mark) {
    out.push_str(match mark.kind.as_str() {
        "strong" => "</strong>",
        "em" => "</em>",
        "code" => "</code>",
        "link" => "</a>",
        _ => "",
    });
}

/// `<tag>` the node's children `</tag>`.
fn wrap(out: &mut String, tag: &str, node: &Node) {
    let _ = write!(out, "<{tag}>");
    children(out, node);
    let _ = write!(out, "</{tag}>");
}

fn render(out: &mut String, node: &Node) {
    if let Some(text) = &node.text {
        escape(out, text);
        return;
    }
    match node.kind.as_str() {
        "doc" => children(out, node),
        "paragraph" => wrap(out, "p", node),
        "heading" => {
            let level = int_attr(node, "level").unwrap_or(2).clamp(2, 4);
            wrap(out, &format!("h{level}"), node);
        }
        "blockquote" => wrap(out, "blockquote", node),
        "pull_quote" => {
            out.push_str("<figure class=\"pull-quote\"><blockquote>");
            children(out, node);
            out.push_str("</blockquote>");
            let cite = text_attr(node, "cite");
            if !cite.is_empty() {
                out.push_str("<figcaption>");
                escape(out, cite);
                out.push_str("</figcaption>");
            }
            out.push_str("</figure>");
        }
        "bullet_list" => wrap(out, "ul", node),
        "ordered_list" => match int_attr(node, "start") {
            Some(start) if start != 1 => {
                let _ = write!(out, "<ol start=\"{start}\">");
                children(out, node);
                out.push_str("</ol>");
            }
            _ => wrap(out, "ol", node),
        },
        "list_item" => wrap(out, "li", node),
        "horizontal_rule" => out.push_str("<hr>"),
        "hard_break" => out.push_str("<br>"),
        "image" => image(out, node),
        "embed" => embed(out, node),
        "table" => {
            out.push_str("<table><tbody>");
            children(out, node);
            out.push_str("</tbody></table>");
        }
        "table_row" => wrap(out, "tr", node),
        "table_cell" | "table_header" => {
            let tag = if node.kind == "table_cell" {
                "td"
            } else {
                "th"
            };
            let _ = write!(out, "<{tag}");
            for span in ["colspan", "rowspan"] {
                if let Some(n) = int_attr(node, span).filter(|n| (2..=1000).contains(n)) {
                    let _ = write!(out, " {span}=\"{n}\"");
                }
            }
            out.push('>');
            children(out, node);
            let _ = write!(out, "</{tag}>");
        }
        "read_more" => {
            out.push_str("<aside class=\"read-more\"><span class=\"read-more-label\">Read more</span> <a href=\"");
            escape_attr(out, text_attr(node, "href"));
            out.push_str("\">");
            escape(out, text_attr(node, "headline"));
            out.push_str("</a></aside>");
        }
        "faq" => {
            out.push_str("<dl class=\"faq\">");
            children(out, node);
            out.push_str("</dl>");
        }
        "faq_item" => {
            out.push_str("<div class=\"faq-item\">");
            children(out, node);
            out.push_str("</div>");
        }
        "faq_question" => wrap(out, "dt", node),
        "faq_answer" => wrap(out, "dd", node),
        // A node of a type this renderer does not know: its words only, in
        // a paragraph when it held inline text.
        _ => {
            if node.content.iter().any(is_inline) {
                wrap(out, "p", node);
            } else {
                children(out, node);
            }
        }
    }
}

/// An embed as stored: a figure naming its provider and its frame (which
/// the theme's script loads only when the reader asks), with a link to the
/// original and its title, which is all a feed, an API or a reader without
/// scripts gets. An address no provider takes is a link in a paragraph.
fn embed(out: &mut String, node: &Node) {
    let url = text_attr(node, "url");
    let title = text_attr(node, "title").trim();
    let Some(found) = crate::embed::recognize(url, &[]) else {
        // The sanitizer drops an address that is no link's.
        if !url.is_empty() {
            out.push_str("<p><a href=\"");
            escape_attr(out, url);
            out.push_str("\">");
            escape(out, if title.is_empty() { url } else { title });
            out.push_str("</a></p>");
        }
        return;
    };
    embed_figure(out, &found, title);
}

/// The figure an embed is stored as (the renderer's, and imports').
pub(crate) fn embed_figure(out: &mut String, found: &crate::embed::Embed, title: &str) {
    out.push_str("<figure class=\"embed\" data-provider=\"");
    out.push_str(found.provider.key());
    out.push_str("\" data-embed=\"");
    escape_attr(out, &found.frame);
    out.push_str("\"><figcaption><a href=\"");
    escape_attr(out, &found.url);
    out.push_str("\">");
    escape(out, if title.is_empty() { &found.url } else { title });
    out.push_str("</a> <span class=\"embed-provider\">");
    escape(out, &found.provider.name());
    out.push_str("</span></figcaption></figure>");
}

fn image(out: &mut String, node: &Node) {
    let src = text_attr(node, "src");
    if src.is_empty() {
        return;
    }
    out.push_str("<figure><img src=\"");
    escape_attr(out, src);
    out.push_str("\" alt=\"");
    escape_attr(out, text_attr(node, "alt"));
    out.push_str("\" loading=\"lazy\">");
    let (caption, credit) = (text_attr(node, "caption"), text_attr(node, "credit"));
    if !caption.is_empty() || !credit.is_empty() {
        out.push_str("<figcaption>");
        if !caption.is_empty() {
            out.push_str("<span class=\"image-caption\">");
            escape(out, caption);
            out.push_str("</span>");
        }
        if !credit.is_empty() {
            if !caption.is_empty() {
                out.push(' ');
            }
            out.push_str("<span class=\"image-credit\">");
            escape(out, credit);
            out.push_str("</span>");
        }
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    // The documents below are also read back from their HTML
    // (`from_html`'s tests).
    pub(super) const EVERY_BLOCK: &str = r#"{"type":"doc","content":[
            {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Talks"}]},
            {"type":"paragraph","content":[
                {"type":"text","text":"The "},
                {"type":"text","marks":[{"type":"strong"}],"text":"envoys"},
                {"type":"text","text":" met "},
                {"type":"text","marks":[{"type":"link","attrs":{"href":"/news/earlier","title":null}}],"text":"again"},
                {"type":"hard_break"},
                {"type":"text","marks":[{"type":"em"}],"text":"late"}]},
            {"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"Quoted"}]}]},
            {"type":"pull_quote","attrs":{"cite":"A minister"},"content":[{"type":"text","text":"We agree"}]},
            {"type":"bullet_list","content":[{"type":"list_item","content":[{"type":"paragraph","content":[{"type":"text","text":"one"}]}]}]},
            {"type":"ordered_list","attrs":{"start":3},"content":[{"type":"list_item","content":[{"type":"paragraph","content":[{"type":"text","text":"three"}]}]}]},
            {"type":"horizontal_rule"},
            {"type":"image","attrs":{"src":"/media/1/photo.jpg","alt":"The hall","caption":"Delegates","credit":"Photo: A. Lens","media":1}},
            {"type":"table","content":[{"type":"table_row","content":[
                {"type":"table_header","attrs":{"colspan":1,"rowspan":1,"colwidth":null},"content":[{"type":"paragraph","content":[{"type":"text","text":"Year"}]}]},
                {"type":"table_cell","attrs":{"colspan":2,"rowspan":1,"colwidth":null},"content":[{"type":"paragraph","content":[{"type":"text","text":"2026"}]}]}]}]},
            {"type":"read_more","attrs":{"href":"/news/background","headline":"The background"}},
            {"type":"faq","content":[{"type":"faq_item","content":[
                {"type":"faq_question","content":[{"type":"text","text":"Why?"}]},
                {"type":"faq_answer","content":[{"type":"paragraph","content":[{"type":"text","text":"Because."}]}]}]}]}
        ]}"#;
    pub(super) const FAQ_BLOCKS: &str = r#"{"type":"doc","content":[
            {"type":"paragraph","content":[{"type":"text","text":"Intro"}]},
            {"type":"faq","content":[
              {"type":"faq_item","content":[
                {"type":"faq_question","content":[{"type":"text","text":"Why now?"}]},
                {"type":"faq_answer","content":[{"type":"paragraph","content":[{"type":"text","text":"The "},{"type":"text","marks":[{"type":"strong"}],"text":"summit"}]}]}]},
              {"type":"faq_item","content":[
                {"type":"faq_question","content":[{"type":"text","text":"Unanswered?"}]},
                {"type":"faq_answer","content":[]}]}]}
        ]}"#;
    pub(super) const NEIGHBOURING_RUNS: &str = r#"{"type":"doc","content":[{"type":"paragraph","content":[
            {"type":"text","marks":[{"type":"link","attrs":{"href":"/a"}}],"text":"one "},
            {"type":"text","marks":[{"type":"link","attrs":{"href":"/a"}},{"type":"strong"}],"text":"two"},
            {"type":"text","marks":[{"type":"strong"}],"text":" three"}]}]}"#;
    pub(super) const BLOCKS_WITH_WORDS: &str = r#"{"type":"doc","content":[
            {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Title"}]},
            {"type":"paragraph","content":[{"type":"text","text":"One "},{"type":"text","marks":[{"type":"em"}],"text":"two"}]},
            {"type":"image","attrs":{"src":"/x.jpg","caption":"A cap","credit":"Cred"}},
            {"type":"bullet_list","content":[{"type":"list_item","content":[{"type":"paragraph","content":[{"type":"text","text":"item"}]}]}]}]}"#;

    fn html(json: &str) -> String {
        to_html(&parse(json).unwrap())
    }

    #[test]
    fn renders_every_block() {
        assert_eq!(
            html(EVERY_BLOCK),
            concat!(
                "<h2>Talks</h2>",
                "<p>The <strong>envoys</strong> met <a href=\"/news/earlier\">again</a><br><em>late</em></p>",
                "<blockquote><p>Quoted</p></blockquote>",
                "<figure class=\"pull-quote\"><blockquote>We agree</blockquote><figcaption>A minister</figcaption></figure>",
                "<ul><li><p>one</p></li></ul>",
                "<ol start=\"3\"><li><p>three</p></li></ol>",
                "<hr>",
                "<figure><img src=\"/media/1/photo.jpg\" alt=\"The hall\" loading=\"lazy\"><figcaption><span class=\"image-caption\">Delegates</span> <span class=\"image-credit\">Photo: A. Lens</span></figcaption></figure>",
                "<table><tbody><tr><th><p>Year</p></th><td colspan=\"2\"><p>2026</p></td></tr></tbody></table>",
                "<aside class=\"read-more\"><span class=\"read-more-label\">Read more</span> <a href=\"/news/background\">The background</a></aside>",
                "<dl class=\"faq\"><div class=\"faq-item\"><dt>Why?</dt><dd><p>Because.</p></dd></div></dl>",
            )
        );
    }

    #[test]
    fn faq_blocks_give_their_questions_and_answers() {
        let doc = parse(FAQ_BLOCKS).unwrap();
        assert_eq!(
            faq(&doc),
            [("Why now?".to_string(), "The summit".to_string())]
        );
    }

    #[test]
    fn text_and_attributes_are_never_markup() {
        let doc = r#"{"type":"doc","content":[
            {"type":"paragraph","content":[{"type":"text","text":"<script>alert(1)</script> & co"}]},
            {"type":"paragraph","content":[{"type":"text","marks":[{"type":"link","attrs":{"href":"\" onclick=\"x"}}],"text":"a"}]},
            {"type":"image","attrs":{"src":"x\"><script>","alt":"<b>"}},
            {"type":"heading","attrs":{"level":"<h1>"},"content":[{"type":"text","text":"h"}]},
            {"type":"script","content":[{"type":"text","text":"alert(2)"}]},
            {"type":"paragraph","content":[{"type":"text","marks":[{"type":"onclick"}],"text":"b"}]}
        ]}"#;
        let out = html(doc);
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<b>"), "{out}");
        assert!(!out.contains("\" onclick"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assert!(
            out.contains("<h2>h</h2>"),
            "a level that is not a number is 2"
        );
        assert!(
            out.contains("<p>alert(2)</p>"),
            "unknown nodes keep their words"
        );
        assert!(out.ends_with("<p>b</p>"), "unknown marks render nothing");
    }

    #[test]
    fn neighbouring_runs_share_their_marks() {
        assert_eq!(
            html(NEIGHBOURING_RUNS),
            "<p><a href=\"/a\">one <strong>two</strong></a><strong> three</strong></p>"
        );
    }

    #[test]
    fn refuses_what_is_not_a_document_or_too_big() {
        assert!(matches!(
            parse("<p>hi</p>"),
            Err(DocumentError::NotADocument(_))
        ));
        assert!(matches!(
            parse(r#"{"type":"paragraph"}"#),
            Err(DocumentError::NotADocument(_))
        ));
        let deep = format!(
            r#"{{"type":"doc","content":[{}{}]}}"#,
            r#"{"type":"blockquote","content":["#.repeat(40),
            "]}".repeat(40)
        );
        assert_eq!(parse(&deep), Err(DocumentError::TooDeep));
        let deeper = "[".repeat(100_000);
        assert!(matches!(
            parse(&deeper),
            Err(DocumentError::NotADocument(_))
        ));
        let wide = format!(
            r#"{{"type":"doc","content":[{}]}}"#,
            vec![r#"{"type":"horizontal_rule"}"#; MAX_NODES + 1].join(",")
        );
        assert_eq!(parse(&wide), Err(DocumentError::TooManyNodes));
    }

    #[test]
    fn plain_text_has_a_line_per_block() {
        let doc = parse(BLOCKS_WITH_WORDS).unwrap();
        assert_eq!(plain_text(&doc), "Title\nOne two\nA cap Cred\nitem");
        assert_eq!(
            images_without_alt(&doc),
            1,
            "the image has no alt attribute"
        );
    }
}
