//! A run of HTML read into blocks: inline content gathers on a line until
//! a block ends it, white space collapsing as a browser collapses it.

use super::blocks::paragraph;
use super::is_space;
use crate::document::{Mark, Node};

/// Blocks being read from a run of HTML: those finished, and the line of
/// inline content (text, hard breaks) not yet put in a block.
#[derive(Default)]
pub(super) struct Flow {
    pub(super) blocks: Vec<Node>,
    line: Vec<Node>,
    /// What the line becomes when it ends: a paragraph, or the heading being
    /// read (kind and attributes, no content).
    pub(super) textblock: Option<Node>,
    /// Inside a `<p>` or a heading, where another one is only a block break.
    pub(super) in_textblock: bool,
}

impl Flow {
    /// Whether text starting here drops a leading space: at the start of a
    /// line, after a line break or after a space.
    fn at_line_start(&self) -> bool {
        match self.line.last() {
            None => true,
            Some(last) => last.text.as_deref().is_none_or(|t| t.ends_with(' ')),
        }
    }

    /// Adds text or a line break to the line; text joins the text before
    /// it when their marks are the same. Returns the nodes it added (0 or 1).
    pub(super) fn push_inline(&mut self, inline: Node) -> usize {
        if let (Some(last), Some(text)) = (self.line.last_mut(), inline.text.as_deref())
            && last.marks == inline.marks
            && let Some(before) = last.text.as_mut()
        {
            before.push_str(text);
            return 0;
        }
        self.line.push(inline);
        1
    }

    /// Text, its white space collapsed as a browser collapses it; in
    /// preformatted text each line end is a hard break (the schema has no
    /// code block, and the paragraph it becomes collapses spaces anyway).
    /// Returns the nodes it added.
    pub(super) fn push_text(&mut self, text: &str, marks: &[Mark], pre: bool) -> usize {
        if !pre {
            return self.push_collapsed(text, marks);
        }
        let mut added = 0;
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                added += self.push_inline(hard_break(marks));
            }
            added += self.push_collapsed(line, marks);
        }
        added
    }

    fn push_collapsed(&mut self, text: &str, marks: &[Mark]) -> usize {
        let mut out = String::with_capacity(text.len());
        let mut space = false;
        for c in text.chars() {
            if is_space(c) {
                space = true;
                continue;
            }
            if space && !(out.is_empty() && self.at_line_start()) {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
        if space && !(out.is_empty() && self.at_line_start()) {
            out.push(' ');
        }
        if out.is_empty() {
            return 0;
        }
        self.push_inline(Node {
            kind: "text".into(),
            text: Some(out),
            marks: marks.to_vec(),
            ..Node::default()
        })
    }

    /// Drops the line breaks (and spaces) the line ends with: the line end
    /// that closes preformatted text is no line of its own.
    pub(super) fn trim_trailing_breaks(&mut self) {
        while let Some(last) = self.line.last() {
            let blank = match &last.text {
                Some(text) => text.chars().all(is_space),
                None => last.kind == "hard_break",
            };
            if !blank {
                break;
            }
            self.line.pop();
        }
    }

    /// The line so far becomes a block, if it holds anything but spaces.
    pub(super) fn end_line(&mut self) {
        while let Some(last) = self.line.last_mut() {
            let Some(text) = last.text.as_mut() else {
                break;
            };
            text.truncate(text.trim_end_matches(' ').len());
            if !text.is_empty() {
                break;
            }
            self.line.pop();
        }
        if !self.line.is_empty() {
            let mut block = self
                .textblock
                .clone()
                .unwrap_or_else(|| paragraph(Vec::new()));
            block.content = std::mem::take(&mut self.line);
            self.blocks.push(block);
        }
    }

    pub(super) fn push_block(&mut self, block: Node) {
        self.end_line();
        self.blocks.push(block);
    }

    pub(super) fn extend(&mut self, blocks: Vec<Node>) {
        self.end_line();
        self.blocks.extend(blocks);
    }

    pub(super) fn finish(mut self) -> Vec<Node> {
        self.end_line();
        self.blocks
    }
}

pub(super) fn hard_break(marks: &[Mark]) -> Node {
    Node {
        kind: "hard_break".into(),
        marks: marks.to_vec(),
        ..Node::default()
    }
}
