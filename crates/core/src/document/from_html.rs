//! HTML read into a document, on the server: what the editor's parse rules
//! (`editor/src/schema.js`) make of a body when a Markdown or HTML article
//! is opened in the browser, so that the live editing server can take such
//! an article without a browser having saved it first.
//!
//! It reads sanitized HTML (what `markdown::to_safe_html` and `sanitize`
//! write) and the renderer's own output, which reads back to the document
//! it came from. Every word of the HTML's text stays, in order: an element
//! the schema has no node for keeps its text (inside a paragraph when it is
//! inline, as paragraphs of its own when it is a block), and a block where
//! the schema does not allow it is made a paragraph (a heading in a quote,
//! anything in a table cell) or moved out after what comes before it (an
//! image in a list item ends the list; the rest of the items follow in a
//! new one). Whitespace collapses as a browser collapses it. The result
//! always fits the schema and the document limits ([`limits`]).

mod blocks;
mod elements;
mod flow;
mod limits;
#[cfg(test)]
mod tests;
mod urls;

use super::{Mark, Node};
use crate::html_tree::{Data, NodeId, Tree};
use blocks::{node, paragraph};
use flow::{Flow, hard_break};
use serde_json::{Map, Value};
use urls::{safe_href, safe_image_src};

/// The document `html` holds, within the schema and the limits. HTML the
/// sanitizer would not parse (`markdown::check_shape`) keeps its words, a
/// paragraph a line, as the sanitizer keeps them.
pub fn from_html(html: &str) -> Node {
    let blocks = if crate::markdown::check_shape(html).is_ok() {
        let tree = Tree::parse_fragment(html);
        let mut reader = Reader {
            tree: &tree,
            marks: Vec::new(),
            pre: false,
            figure: None,
            depth: 0,
            inline_left: super::MAX_NODES,
        };
        reader.contents(tree.root())
    } else {
        let mut flow = Flow::default();
        // A paragraph and its text are two nodes: lines past half the
        // limit would only be cut again.
        for line in crate::markdown::html_text(html).lines() {
            if flow.blocks.len() >= super::MAX_NODES / 2 {
                break;
            }
            flow.push_text(line, &[], false);
            flow.end_line();
        }
        flow.finish()
    };
    limits::within_limits(node("doc", blocks))
}

/// Elements that start a block of their own: text on either side of one is
/// not one line. Elements with rules of their own (lists, tables, figures …)
/// are blocks too; any other element is inline, as in a browser.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "xmp"
    )
}

/// Whether an element ends a word: a block, a line break, an image (which
/// the document holds as a block).
fn ends_word(name: &str) -> bool {
    is_block(name) || matches!(name, "br" | "img")
}

/// Elements whose content is not text a reader sees.
fn is_hidden(name: &str) -> bool {
    matches!(name, "script" | "style" | "template" | "head" | "title")
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// `text` with runs of HTML white space made one space and none at either end.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The schema's order of marks, which is the order a text node lists them in.
fn mark_rank(kind: &str) -> usize {
    ["link", "em", "strong", "code"]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

fn mark(kind: &str, attrs: Map<String, Value>) -> Mark {
    Mark {
        kind: kind.to_string(),
        attrs,
    }
}

/// The figure being read whose image takes its caption.
struct Figure {
    img: NodeId,
    figcaption: Option<NodeId>,
    caption: String,
    credit: String,
    media: Value,
}

/// Elements nested deeper than this are read for their words only, a line
/// a block. The document holds 32 levels at most, so structure this deep
/// could not be kept anyway; reading it one call deeper per element would
/// only use up the stack (the shape check lets 200 tables nest, each four
/// elements deep).
const MAX_HTML_DEPTH: usize = 64;

/// Walks the tree, carrying what applies to the text below: its marks,
/// whether it is preformatted, the figure it is in, how deep it is.
struct Reader<'t> {
    tree: &'t Tree,
    marks: Vec<Mark>,
    pre: bool,
    figure: Option<Figure>,
    depth: usize,
    /// Text runs and line breaks still to read. Reading stops when there
    /// are more than a document may hold: the limits keep what comes first,
    /// so the rest would be cut (and a preformatted body of line ends could
    /// otherwise make a node of each).
    inline_left: usize,
}

impl Reader<'_> {
    /// The blocks the children of `id` make.
    fn contents(&mut self, id: NodeId) -> Vec<Node> {
        let mut flow = Flow::default();
        self.children(id, &mut flow);
        flow.finish()
    }

    fn children(&mut self, id: NodeId, flow: &mut Flow) {
        let tree = self.tree;
        for &child in tree.children(id) {
            self.node(child, flow);
        }
    }

    fn node(&mut self, id: NodeId, flow: &mut Flow) {
        let tree = self.tree;
        if self.inline_left == 0 {
            return;
        }
        match tree.data(id) {
            Some(Data::Text(text)) => {
                let added = flow.push_text(text, &self.marks, self.pre);
                self.inline_left = self.inline_left.saturating_sub(added);
            }
            Some(Data::Element { .. }) if self.depth >= MAX_HTML_DEPTH => self.words(id, flow),
            Some(Data::Element { .. }) => {
                self.depth += 1;
                match tree.html_name(id) {
                    Some(name) => self.element(id, name, flow),
                    // SVG or MathML: its words only.
                    None => self.children(id, flow),
                }
                self.depth -= 1;
            }
            _ => {}
        }
    }

    /// The words of `id` and what it holds, a line a block, walked without
    /// recursion.
    fn words(&mut self, id: NodeId, flow: &mut Flow) {
        // Some(node) to read, None where a block ends.
        let mut stack = vec![Some(id)];
        while let Some(step) = stack.pop() {
            let Some(at) = step else {
                flow.end_line();
                continue;
            };
            match self.tree.data(at) {
                Some(Data::Text(text)) => {
                    let added = flow.push_text(text, &self.marks, false);
                    self.inline_left = self.inline_left.saturating_sub(added);
                }
                Some(Data::Element { .. }) => {
                    let name = self.tree.html_name(at).unwrap_or("");
                    if is_hidden(name) {
                        continue;
                    }
                    if ends_word(name) {
                        flow.end_line();
                        stack.push(None);
                    }
                    stack.extend(self.tree.children(at).iter().rev().map(|&c| Some(c)));
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, id: NodeId, name: &str, flow: &mut Flow) {
        let tree = self.tree;
        match name {
            _ if is_hidden(name) => {}
            "br" => {
                let added = flow.push_inline(hard_break(&self.marks));
                self.inline_left = self.inline_left.saturating_sub(added);
            }
            "p" => self.textblock(id, paragraph(Vec::new()), flow),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                // The headline is the page's one h1; the schema has levels 2 to 4.
                let level = match name {
                    "h1" | "h2" => 2,
                    "h3" => 3,
                    _ => 4,
                };
                let heading = blocks::with_attrs("heading", [("level", level.into())], Vec::new());
                self.textblock(id, heading, flow);
            }
            "pre" | "listing" | "xmp" | "plaintext" => {
                let outer = std::mem::replace(&mut self.pre, true);
                self.textblock(id, paragraph(Vec::new()), flow);
                self.pre = outer;
            }
            "strong" | "b" => self.marked(id, mark("strong", Map::new()), flow),
            "em" | "i" => self.marked(id, mark("em", Map::new()), flow),
            "code" => self.marked(id, mark("code", Map::new()), flow),
            "a" => match tree.attr(id, "href").and_then(safe_href) {
                Some(href) => {
                    let title = tree
                        .attr(id, "title")
                        .filter(|t| !t.is_empty())
                        .map_or(Value::Null, |t| Value::String(t.replace('\r', "\n")));
                    let attrs =
                        Map::from_iter([("href".into(), href.into()), ("title".into(), title)]);
                    self.marked(id, mark("link", attrs), flow);
                }
                None => self.children(id, flow),
            },
            "img" => {
                if let Some(image) = self.image(id) {
                    flow.push_block(image);
                }
            }
            "hr" => flow.push_block(node("horizontal_rule", Vec::new())),
            "figure" if tree.has_class(id, "pull-quote") => {
                let quote = self.pull_quote(id);
                flow.push_block(quote);
            }
            "figure" if tree.has_class(id, "embed") => match self.embed(id) {
                Some(embed) => flow.push_block(embed),
                None => self.figure(id, flow),
            },
            "figure" => self.figure(id, flow),
            "figcaption"
                if self
                    .figure
                    .as_ref()
                    .is_some_and(|f| f.figcaption == Some(id)) => {}
            "blockquote" => {
                let quoted = self.contents(id);
                flow.extend(blocks::quote(quoted));
            }
            "ul" | "ol" | "menu" | "dir" => {
                let list = self.list(id, name == "ol");
                flow.extend(list);
            }
            // An item outside any list: a list of its own.
            "li" => {
                let item = self.contents(id);
                flow.extend(blocks::list(false, 1, vec![item]));
            }
            "table" => {
                let table = self.table(id);
                flow.extend(table);
            }
            "aside" if tree.has_class(id, "read-more") => match self.read_more(id) {
                Some(card) => flow.push_block(card),
                None => self.block(id, flow),
            },
            "dl" if tree.has_class(id, "faq") => {
                let faq = self.faq(id);
                flow.extend(faq);
            }
            _ if is_block(name) => self.block(id, flow),
            _ => self.children(id, flow),
        }
    }

    /// A block element without a node of its own: its content, as blocks.
    fn block(&mut self, id: NodeId, flow: &mut Flow) {
        flow.end_line();
        self.children(id, flow);
        flow.end_line();
    }

    /// A paragraph or heading: its inline content on lines of `textblock`'s
    /// kind (blocks inside it break it into several). Inside another one it
    /// is only a block break, as a browser shows `<h2><p>…</p></h2>`.
    fn textblock(&mut self, id: NodeId, textblock: Node, flow: &mut Flow) {
        if flow.in_textblock {
            return self.block(id, flow);
        }
        flow.end_line();
        let outer = flow.textblock.replace(textblock.clone());
        flow.in_textblock = true;
        let before = flow.blocks.len();
        self.children(id, flow);
        if self.pre {
            flow.trim_trailing_breaks();
        }
        flow.end_line();
        // `<p></p>` is an empty paragraph, as in the editor.
        if flow.blocks.len() == before {
            flow.blocks.push(textblock);
        }
        flow.in_textblock = false;
        flow.textblock = outer;
    }

    fn marked(&mut self, id: NodeId, mark: Mark, flow: &mut Flow) {
        let outer = self.marks.clone();
        // A link inside a link replaces it; other marks apply once.
        self.marks.retain(|m| m.kind != mark.kind);
        let at = self
            .marks
            .iter()
            .position(|m| mark_rank(&m.kind) > mark_rank(&mark.kind))
            .unwrap_or(self.marks.len());
        self.marks.insert(at, mark);
        self.children(id, flow);
        self.marks = outer;
    }

    /// The words of `id` and its descendants, one line (block ends and line
    /// breaks are spaces), leaving out the elements `skip` names.
    fn text(&self, id: NodeId, skip: impl Fn(NodeId) -> bool) -> String {
        let mut out = String::new();
        let mut stack = vec![id];
        while let Some(at) = stack.pop() {
            match self.tree.data(at) {
                Some(Data::Text(t)) => out.push_str(t),
                Some(Data::Element { .. }) if at == id || !skip(at) => {
                    let name = self.tree.html_name(at).unwrap_or("");
                    if is_hidden(name) {
                        continue;
                    }
                    if ends_word(name) {
                        out.push(' ');
                    }
                    stack.extend(self.tree.children(at).iter().rev());
                }
                _ => {}
            }
        }
        collapse(&out)
    }

    /// The elements below `id` in document order that `found` accepts,
    /// not looking inside those nor inside the elements `skip` names.
    fn below<'a>(
        &'a self,
        id: NodeId,
        found: impl Fn(NodeId) -> bool + 'a,
        skip: impl Fn(NodeId) -> bool + 'a,
    ) -> impl Iterator<Item = NodeId> + 'a {
        let mut stack: Vec<NodeId> = self.tree.children(id).iter().rev().copied().collect();
        std::iter::from_fn(move || {
            while let Some(at) = stack.pop() {
                if found(at) {
                    return Some(at);
                }
                if !skip(at) {
                    stack.extend(self.tree.children(at).iter().rev());
                }
            }
            None
        })
    }
}
