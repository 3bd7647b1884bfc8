//! The elements that become nodes with a structure of their own: images
//! and their figures, pull quotes, "read more" cards, lists, tables and FAQ
//! blocks, read as the editor's parse rules read them.

use super::blocks::{self, Items, node, with_attrs};
use super::{Figure, Flow, Reader, collapse, safe_href, safe_image_src};
use crate::document::Node;
use crate::html_tree::NodeId;
use serde_json::Value;

impl Reader<'_> {
    pub(super) fn image(&self, img: NodeId) -> Option<Node> {
        let src = safe_image_src(self.tree.attr(img, "src")?)?;
        let alt = self.tree.attr(img, "alt").unwrap_or("").replace('\r', "\n");
        let (caption, credit, media) = match &self.figure {
            Some(f) if f.img == img => (f.caption.clone(), f.credit.clone(), f.media.clone()),
            _ => (String::new(), String::new(), Value::Null),
        };
        Some(with_attrs(
            "image",
            [
                ("src", src.into()),
                ("alt", alt.into()),
                ("caption", caption.into()),
                ("credit", credit.into()),
                ("media", media),
            ],
            Vec::new(),
        ))
    }

    /// A figure: its first image the editor takes (not one in a figure
    /// inside it) gets the caption and credit of its figcaption, as the
    /// renderer writes them (`.image-caption`, `.image-credit`; a caption
    /// without them is all caption). The rest of it (more images, text) is
    /// read as blocks, and so is a figure without such an image, its
    /// caption becoming a paragraph.
    pub(super) fn figure(&mut self, id: NodeId, flow: &mut Flow) {
        let tree = self.tree;
        let figcaption = self.figcaption(id);
        let img = self
            .below(
                id,
                |n| {
                    tree.html_name(n) == Some("img")
                        && tree.attr(n, "src").and_then(safe_image_src).is_some()
                },
                |n| tree.html_name(n) == Some("figure"),
            )
            .next();
        let outer = self.figure.take();
        if let Some(img) = img {
            let is_credit = |n| tree.has_class(n, "image-credit");
            let (caption, credit) = figcaption.map_or_else(Default::default, |c| {
                let credits: Vec<String> = self
                    .below(c, is_credit, |_| false)
                    .map(|n| self.text(n, |_| false))
                    .collect();
                (self.text(c, is_credit), collapse(&credits.join(" ")))
            });
            let media = tree
                .attr(id, "data-media")
                .and_then(|m| m.trim().parse::<i64>().ok())
                .map_or(Value::Null, Value::from);
            self.figure = Some(Figure {
                img,
                figcaption,
                caption,
                credit,
                media,
            });
        }
        self.block(id, flow);
        self.figure = outer;
    }

    /// The figure's caption: its `figcaption` child.
    fn figcaption(&self, figure: NodeId) -> Option<NodeId> {
        let tree = self.tree;
        tree.children(figure)
            .iter()
            .copied()
            .find(|&c| tree.html_name(c) == Some("figcaption"))
    }

    /// `figure.pull-quote`: the quote's words on one line (its paragraphs
    /// joined by line breaks), the figcaption its `cite`.
    pub(super) fn pull_quote(&mut self, id: NodeId) -> Node {
        let tree = self.tree;
        let figcaption = self.figcaption(id);
        let cite = figcaption.map_or_else(String::new, |c| self.text(c, |_| false));
        let mut flow = Flow::default();
        for &child in tree.children(id) {
            if Some(child) != figcaption {
                self.node(child, &mut flow);
            }
        }
        with_attrs(
            "pull_quote",
            [("cite", cite.into())],
            blocks::one_line(flow.finish()),
        )
    }

    /// `figure.embed` as the renderer writes it: the address of its link,
    /// and the link's words as its title unless they are the address.
    /// None for one without a link, which is read as a figure.
    pub(super) fn embed(&self, id: NodeId) -> Option<Node> {
        let tree = self.tree;
        let link = self
            .below(
                id,
                |n| tree.html_name(n) == Some("a") && tree.attr(n, "href").is_some(),
                |_| false,
            )
            .next()?;
        let url = safe_href(tree.attr(link, "href")?)?;
        let words = self.text(link, |_| false);
        let title = if words == url { String::new() } else { words };
        Some(with_attrs(
            "embed",
            [("url", url.into()), ("title", title.into())],
            Vec::new(),
        ))
    }

    /// `aside.read-more` holding a link and no words but the renderer's
    /// label; None for any other, which is read as blocks.
    pub(super) fn read_more(&self, id: NodeId) -> Option<Node> {
        let tree = self.tree;
        let link = self
            .below(
                id,
                |n| tree.html_name(n) == Some("a") && tree.attr(n, "href").is_some(),
                |_| false,
            )
            .next()?;
        let href = safe_href(tree.attr(link, "href")?)?;
        let others = self.text(id, |n| n == link || tree.has_class(n, "read-more-label"));
        if !others.is_empty() {
            return None;
        }
        let headline = self.text(link, |_| false);
        Some(with_attrs(
            "read_more",
            [("href", href.into()), ("headline", headline.into())],
            Vec::new(),
        ))
    }

    /// A list: each `<li>` an item; anything else in the list joins the
    /// item before it (a list nested straight in a list, as editors write
    /// it, belongs to the item above).
    pub(super) fn list(&mut self, id: NodeId, ordered: bool) -> Vec<Node> {
        let tree = self.tree;
        let start = if ordered {
            tree.attr(id, "start")
                .and_then(|s| s.trim().parse::<i64>().ok())
                .unwrap_or(1)
        } else {
            1
        };
        let mut items: Items = Vec::new();
        for &child in tree.children(id) {
            if tree.html_name(child) == Some("li") {
                items.push(self.contents(child));
                continue;
            }
            let mut flow = Flow::default();
            self.node(child, &mut flow);
            let blocks = flow.finish();
            match items.last_mut() {
                _ if blocks.is_empty() => {}
                Some(last) => last.extend(blocks),
                None => items.push(blocks),
            }
        }
        blocks::list(ordered, start, items)
    }

    /// A table: its rows (in `thead`, `tbody`, `tfoot` or not), with its
    /// caption and anything else in it as blocks before it.
    pub(super) fn table(&mut self, id: NodeId) -> Vec<Node> {
        let mut before = Flow::default();
        let mut rows = Vec::new();
        self.table_part(id, &mut rows, &mut before);
        let mut out = before.finish();
        if !rows.is_empty() {
            out.push(node("table", rows));
        }
        out
    }

    fn table_part(&mut self, id: NodeId, rows: &mut Vec<Node>, before: &mut Flow) {
        let tree = self.tree;
        for &child in tree.children(id) {
            match tree.html_name(child) {
                Some("thead" | "tbody" | "tfoot") => self.table_part(child, rows, before),
                Some("tr") => {
                    let row = self.row(child);
                    rows.push(row);
                }
                Some("colgroup" | "col") => {}
                _ => self.node(child, before),
            }
        }
    }

    fn row(&mut self, id: NodeId) -> Node {
        let tree = self.tree;
        let mut cells = Vec::new();
        for &cell in tree.children(id) {
            let kind = match tree.html_name(cell) {
                Some("td") => "table_cell",
                Some("th") => "table_header",
                // The parser leaves nothing else with words in a row.
                _ => continue,
            };
            let span = |name| {
                tree.attr(cell, name)
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .filter(|n| (1..=1000).contains(n))
                    .unwrap_or(1)
            };
            let attrs = [
                ("colspan", span("colspan").into()),
                ("rowspan", span("rowspan").into()),
                ("colwidth", Value::Null),
            ];
            let content = blocks::cell(self.contents(cell));
            cells.push(with_attrs(kind, attrs, content));
        }
        node("table_row", cells)
    }

    /// `dl.faq`: a question (`dt`) and its answer (`dd`) make an item, in a
    /// `div` or not. Anything else in it joins the answer before it.
    pub(super) fn faq(&mut self, id: NodeId) -> Vec<Node> {
        let mut items = Faq::default();
        self.faq_part(id, &mut items, false);
        items.close();
        if items.done.is_empty() {
            return Vec::new();
        }
        vec![node("faq", items.done)]
    }

    /// The items in `id`: the `dl`, or (`in_item`) one of its `div`s.
    fn faq_part(&mut self, id: NodeId, items: &mut Faq, in_item: bool) {
        let tree = self.tree;
        for &child in tree.children(id) {
            match tree.html_name(child) {
                Some("dt") => {
                    items.close();
                    let question = self.contents(child);
                    items.question = Some(blocks::one_line(question));
                }
                Some("dd") => {
                    let answer = self.contents(child);
                    items.answer.get_or_insert_default().extend(answer);
                }
                Some("div") if !in_item => {
                    items.close();
                    self.faq_part(child, items, true);
                    items.close();
                }
                _ => {
                    let mut flow = Flow::default();
                    self.node(child, &mut flow);
                    let blocks = flow.finish();
                    if !blocks.is_empty() {
                        items.answer.get_or_insert_default().extend(blocks);
                    }
                }
            }
        }
    }
}

/// FAQ items read so far, and the one being read.
#[derive(Default)]
struct Faq {
    done: Vec<Node>,
    question: Option<Vec<Node>>,
    answer: Option<Vec<Node>>,
}

impl Faq {
    fn close(&mut self) {
        if self.question.is_none() && self.answer.is_none() {
            return;
        }
        let question = node("faq_question", self.question.take().unwrap_or_default());
        let answer = node(
            "faq_answer",
            blocks::cell(self.answer.take().unwrap_or_default()),
        );
        self.done.push(node("faq_item", vec![question, answer]));
    }
}
