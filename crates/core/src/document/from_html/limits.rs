//! A document read from HTML made to fit the limits a body is held to: at
//! most `MAX_DEPTH` levels and `MAX_NODES` nodes (`document::parse`), and
//! HTML of at most `markdown::MAX_ELEMENTS` elements when rendered
//! (`markdown::check_body`), so that it can be saved as it is.
//!
//! Depth is mended without losing words: a list or quote too deep to hold
//! a paragraph becomes the paragraphs of its words. Size is cut: the
//! document keeps what comes first, up to where the budget ends.

use super::blocks::{lower, paragraph};
use crate::document::{MAX_DEPTH, MAX_NODES, Node};
use crate::markdown::MAX_ELEMENTS;

pub(super) fn within_limits(mut doc: Node) -> Node {
    doc.content = std::mem::take(&mut doc.content)
        .into_iter()
        .flat_map(|block| shallow(block, 1))
        .collect();
    let room = Cost {
        nodes: MAX_NODES - 1,
        elements: MAX_ELEMENTS - 1,
    };
    let mut doc = cut(doc, room).unwrap_or_default();
    doc.kind = "doc".into();
    // The schema's document holds a block, like the editor's empty one.
    if doc.content.is_empty() {
        doc.content.push(paragraph(Vec::new()));
    }
    doc
}

/// How many levels `node` and what it holds take.
fn height(node: &Node) -> usize {
    1 + node.content.iter().map(height).max().unwrap_or(0)
}

/// `node`, at `depth`, with every level within `MAX_DEPTH`.
fn shallow(mut node: Node, depth: usize) -> Vec<Node> {
    if depth + height(&node) - 1 <= MAX_DEPTH {
        return vec![node];
    }
    // The fewest levels each takes: a list, its item, a paragraph, text.
    let least = match node.kind.as_str() {
        "bullet_list" | "ordered_list" => Some(4),
        "blockquote" => Some(3),
        _ => None,
    };
    if least.is_some_and(|least| depth + least - 1 > MAX_DEPTH) {
        let mut paragraphs = Vec::new();
        lower(node, &mut paragraphs);
        return paragraphs;
    }
    node.content = std::mem::take(&mut node.content)
        .into_iter()
        .flat_map(|child| shallow(child, depth + 1))
        .collect();
    vec![node]
}

/// What a node and what it holds count against the limits.
#[derive(Debug, Clone, Copy)]
struct Cost {
    nodes: usize,
    elements: usize,
}

impl Cost {
    fn within(self, room: Cost) -> bool {
        self.nodes <= room.nodes && self.elements <= room.elements
    }

    fn less(self, spent: Cost) -> Cost {
        Cost {
            nodes: self.nodes.saturating_sub(spent.nodes),
            elements: self.elements.saturating_sub(spent.elements),
        }
    }
}

/// The node's own share: one node, and at most as many elements as the
/// renderer writes for it (`document::render`; a text writes a mark's
/// element only where the mark starts, so its marks bound it).
fn own(node: &Node) -> Cost {
    let elements = match node.kind.as_str() {
        "doc" => 0,
        "text" => node.marks.len(),
        "hard_break" => 1 + node.marks.len(),
        // figure, img, figcaption, two spans
        "image" => 5,
        "pull_quote" | "read_more" => 3,
        // figure, figcaption, link, provider's name
        "embed" => 4,
        "table" => 2,
        _ => 1,
    };
    Cost { nodes: 1, elements }
}

fn cost(node: &Node) -> Cost {
    node.content.iter().fold(own(node), |sum, child| {
        let c = cost(child);
        Cost {
            nodes: sum.nodes + c.nodes,
            elements: sum.elements + c.elements,
        }
    })
}

/// `node` cut to what fits in `room`, keeping what comes first; None when
/// not even a part of it the schema allows fits.
fn cut(mut node: Node, room: Cost) -> Option<Node> {
    if cost(&node).within(room) {
        return Some(node);
    }
    let mine = own(&node);
    // An FAQ item needs its question and its answer whole.
    if !mine.within(room) || node.kind == "faq_item" {
        return None;
    }
    let mut left = room.less(mine);
    let mut kept = Vec::new();
    for child in std::mem::take(&mut node.content) {
        let c = cost(&child);
        if c.within(left) {
            left = left.less(c);
            kept.push(child);
            continue;
        }
        if let Some(part) = cut(child, left) {
            kept.push(part);
        }
        break;
    }
    node.content = kept;
    // Lines may be cut to nothing, and a row's cells; other parts need
    // something in them (a list item keeps its first paragraph first).
    let may_be_empty = matches!(
        node.kind.as_str(),
        "doc" | "paragraph" | "heading" | "pull_quote" | "faq_question" | "table_row"
    );
    (may_be_empty || !node.content.is_empty()).then_some(node)
}
