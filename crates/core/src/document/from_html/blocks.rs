//! Blocks put where the schema allows them. A quote and a list item hold
//! paragraphs and lists: a heading in one becomes a paragraph, a quote in
//! one gives it its paragraphs, and any other block (an image, a table …)
//! ends it and follows it, the rest going into a new one after. A table
//! cell and an FAQ answer hold paragraphs only: everything in one becomes
//! paragraphs of its words.

use crate::document::{Mark, Node};
use serde_json::{Map, Value};

/// The blocks of each item of a list, in order.
pub(super) type Items = Vec<Vec<Node>>;

pub(super) fn node(kind: &str, content: Vec<Node>) -> Node {
    Node {
        kind: kind.to_string(),
        content,
        ..Node::default()
    }
}

pub(super) fn with_attrs<const N: usize>(
    kind: &str,
    attrs: [(&str, Value); N],
    content: Vec<Node>,
) -> Node {
    Node {
        kind: kind.to_string(),
        attrs: attrs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<_, _>>(),
        content,
        ..Node::default()
    }
}

pub(super) fn paragraph(content: Vec<Node>) -> Node {
    node("paragraph", content)
}

fn text(text: &str, marks: Vec<Mark>) -> Node {
    Node {
        kind: "text".into(),
        text: Some(text.to_string()),
        marks,
        ..Node::default()
    }
}

fn attr<'a>(node: &'a Node, name: &str) -> &'a str {
    node.attrs.get(name).and_then(Value::as_str).unwrap_or("")
}

/// A block where it may stay, or one moved out to follow it.
enum Part {
    In(Node),
    Out(Node),
}

/// Blocks fitted to a quote or a list item.
fn fit(blocks: Vec<Node>) -> Vec<Part> {
    let mut parts = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block.kind.as_str() {
            "paragraph" | "bullet_list" | "ordered_list" => parts.push(Part::In(block)),
            "heading" => parts.push(Part::In(paragraph(block.content))),
            // Already fitted: paragraphs and lists.
            "blockquote" => parts.extend(block.content.into_iter().map(Part::In)),
            _ => parts.push(Part::Out(block)),
        }
    }
    parts
}

/// Each run of blocks that stay made one container; the moved ones between.
fn runs(parts: Vec<Part>, mut make: impl FnMut(Vec<Node>) -> Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for part in parts {
        match part {
            Part::In(block) => run.push(block),
            Part::Out(block) => {
                if !run.is_empty() {
                    out.push(make(std::mem::take(&mut run)));
                }
                out.push(block);
            }
        }
    }
    if !run.is_empty() {
        out.push(make(run));
    }
    out
}

/// A blockquote of `blocks` (none when it has none).
pub(super) fn quote(blocks: Vec<Node>) -> Vec<Node> {
    runs(fit(blocks), |content| node("blockquote", content))
}

/// A list item starts with a paragraph, an empty one if need be.
fn item(mut content: Vec<Node>) -> Node {
    if content.first().is_none_or(|b| b.kind != "paragraph") {
        content.insert(0, paragraph(Vec::new()));
    }
    node("list_item", content)
}

/// A list of `items` (none when it has none). An ordered list split by a
/// block moved out of an item goes on counting after it.
pub(super) fn list(ordered: bool, start: i64, items: Items) -> Vec<Node> {
    let mut parts = Vec::with_capacity(items.len());
    for blocks in items {
        let fitted = fit(blocks);
        if fitted.is_empty() {
            parts.push(Part::In(item(Vec::new())));
            continue;
        }
        for made in runs(fitted, item) {
            parts.push(if made.kind == "list_item" {
                Part::In(made)
            } else {
                Part::Out(made)
            });
        }
    }
    let mut number = start;
    runs(parts, |items| {
        let list = if ordered {
            with_attrs("ordered_list", [("start", number.into())], items)
        } else {
            node("bullet_list", items)
        };
        number = number.saturating_add(i64::try_from(list.content.len()).unwrap_or(i64::MAX));
        list
    })
}

/// What a table cell or an FAQ answer holds: paragraphs, at least one.
pub(super) fn cell(blocks: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        lower(block, &mut out);
    }
    if out.is_empty() {
        out.push(paragraph(Vec::new()));
    }
    out
}

/// The inline content of `blocks` on one line, a line break where a block
/// ended (a pull quote's or an FAQ question's content).
pub(super) fn one_line(blocks: Vec<Node>) -> Vec<Node> {
    let mut line = Vec::new();
    for (i, p) in cell(blocks).into_iter().enumerate() {
        if i > 0 {
            line.push(node("hard_break", Vec::new()));
        }
        line.extend(p.content);
    }
    // A line of empty paragraphs is empty.
    if line.iter().all(|n| n.kind == "hard_break") {
        line.clear();
    }
    line
}

/// `block` as paragraphs of its words (none for a rule).
pub(super) fn lower(block: Node, out: &mut Vec<Node>) {
    match block.kind.as_str() {
        "paragraph" => out.push(block),
        "heading" | "faq_question" => out.push(paragraph(block.content)),
        "pull_quote" => {
            let cite = attr(&block, "cite").to_string();
            out.push(paragraph(block.content));
            if !cite.is_empty() {
                out.push(paragraph(vec![text(&cite, Vec::new())]));
            }
        }
        "image" => {
            let words: Vec<&str> = [attr(&block, "caption"), attr(&block, "credit")]
                .into_iter()
                .filter(|w| !w.is_empty())
                .collect();
            if !words.is_empty() {
                out.push(paragraph(vec![text(&words.join(" "), Vec::new())]));
            }
        }
        "read_more" => {
            let link = Mark {
                kind: "link".into(),
                attrs: Map::from_iter([
                    ("href".into(), attr(&block, "href").into()),
                    ("title".into(), Value::Null),
                ]),
            };
            let headline = attr(&block, "headline");
            let mut line = vec![text("Read more", Vec::new())];
            if !headline.is_empty() {
                line = vec![text("Read more ", Vec::new()), text(headline, vec![link])];
            }
            out.push(paragraph(line));
        }
        "embed" => {
            let url = attr(&block, "url").to_string();
            let title = attr(&block, "title");
            let words = if title.is_empty() {
                url.clone()
            } else {
                title.to_string()
            };
            let link = Mark {
                kind: "link".into(),
                attrs: Map::from_iter([("href".into(), url.into()), ("title".into(), Value::Null)]),
            };
            out.push(paragraph(vec![text(&words, vec![link])]));
        }
        "horizontal_rule" => {}
        _ => {
            for child in block.content {
                lower(child, out);
            }
        }
    }
}
