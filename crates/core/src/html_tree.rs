//! HTML read into a tree the way a browser builds it (html5ever's tree
//! builder, the parser the sanitizer uses), for code that needs a body's
//! structure rather than its text: implied end tags, misnested formatting
//! and table content moved out of tables all come out as a browser shows
//! them. The tree is an arena of nodes numbered in creation order; it is
//! read, never changed, once parsing is done.

use html5ever::interface::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};
use std::borrow::Cow;
use std::cell::RefCell;

/// A node's place in its [`Tree`].
pub(crate) type NodeId = usize;

/// What a node of the tree is.
#[derive(Debug)]
pub(crate) enum Data {
    /// The document, or the contents of a `<template>`, which are no part of
    /// what the page shows.
    Document,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
    },
    Text(StrTendril),
    /// Comments, doctypes and processing instructions.
    Other,
}

#[derive(Debug)]
struct Entry {
    parent: Option<NodeId>,
    children: Vec<NodeId>,
    data: Data,
    /// A `<template>`'s contents, kept apart from its children.
    template: Option<NodeId>,
}

/// A parsed HTML fragment.
#[derive(Debug)]
pub(crate) struct Tree {
    nodes: Vec<Entry>,
    root: NodeId,
}

impl Tree {
    /// Parses `html` as the content of a `<div>`, as the sanitizer does.
    pub(crate) fn parse_fragment(html: &str) -> Tree {
        let sink = Sink {
            nodes: RefCell::new(vec![Entry {
                parent: None,
                children: Vec::new(),
                data: Data::Document,
                template: None,
            }]),
        };
        let nodes = html5ever::parse_fragment(
            sink,
            html5ever::ParseOpts::default(),
            QualName::new(None, ns!(html), local_name!("div")),
            Vec::new(),
            false,
        )
        .one(html);
        // The fragment's nodes are the children of an <html> element the
        // parser puts under the document.
        let root = nodes[0].children.first().copied().unwrap_or(0);
        Tree { nodes, root }
    }

    /// The node whose children are the fragment's top-level nodes.
    pub(crate) fn root(&self) -> NodeId {
        self.root
    }

    pub(crate) fn children(&self, id: NodeId) -> &[NodeId] {
        self.nodes.get(id).map_or(&[], |e| e.children.as_slice())
    }

    pub(crate) fn data(&self, id: NodeId) -> Option<&Data> {
        self.nodes.get(id).map(|e| &e.data)
    }

    /// The local name of an HTML element (None for text, or an SVG or
    /// MathML element, whose names mean something else).
    pub(crate) fn html_name(&self, id: NodeId) -> Option<&str> {
        match self.data(id) {
            Some(Data::Element { name, .. }) if name.ns == ns!(html) => Some(&name.local),
            _ => None,
        }
    }

    /// The value of the element's attribute `name` (no namespace).
    pub(crate) fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        match self.data(id) {
            Some(Data::Element { attrs, .. }) => attrs
                .iter()
                .find(|a| a.name.ns == ns!() && &*a.name.local == name)
                .map(|a| &*a.value),
            _ => None,
        }
    }

    /// Whether the element's `class` attribute lists `class`.
    pub(crate) fn has_class(&self, id: NodeId, class: &str) -> bool {
        self.attr(id, "class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
    }
}

/// Builds the arena as the tree builder asks. Every handle it gives out is
/// an index it made, so lookups cannot miss; they are checked all the same.
struct Sink {
    nodes: RefCell<Vec<Entry>>,
}

/// An element's name, owned: the arena sits behind a `RefCell`, so a name
/// cannot be lent out of it.
#[derive(Debug)]
struct Name(QualName);

impl ElemName for Name {
    fn ns(&self) -> &Namespace {
        &self.0.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

impl Sink {
    fn push(&self, data: Data) -> NodeId {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Entry {
            parent: None,
            children: Vec::new(),
            data,
            template: None,
        });
        nodes.len() - 1
    }

    fn detach(nodes: &mut [Entry], id: NodeId) {
        let Some(parent) = nodes.get_mut(id).and_then(|e| e.parent.take()) else {
            return;
        };
        if let Some(p) = nodes.get_mut(parent) {
            p.children.retain(|c| *c != id);
        }
    }

    /// Puts `child` into `parent`, before its child `before` or last. Text
    /// joins the text node just before that place when there is one (the
    /// tree builder expects adjacent text joined).
    fn insert(&self, parent: NodeId, before: Option<NodeId>, child: NodeOrText<NodeId>) {
        let mut nodes = self.nodes.borrow_mut();
        let id = match child {
            NodeOrText::AppendText(text) => {
                let at = Self::place(&nodes, parent, before);
                let previous = at
                    .checked_sub(1)
                    .and_then(|i| nodes.get(parent)?.children.get(i).copied());
                if let Some(Entry {
                    data: Data::Text(existing),
                    ..
                }) = previous.and_then(|p| nodes.get_mut(p))
                {
                    existing.push_tendril(&text);
                    return;
                }
                nodes.push(Entry {
                    parent: None,
                    children: Vec::new(),
                    data: Data::Text(text),
                    template: None,
                });
                nodes.len() - 1
            }
            NodeOrText::AppendNode(id) => {
                Self::detach(&mut nodes, id);
                id
            }
        };
        // Found after detaching, which may have moved `before` up by one.
        let at = Self::place(&nodes, parent, before);
        if let Some(e) = nodes.get_mut(id) {
            e.parent = Some(parent);
        }
        if let Some(p) = nodes.get_mut(parent) {
            p.children.insert(at, id);
        }
    }

    /// The index in `parent`'s children of `before`, or their end.
    fn place(nodes: &[Entry], parent: NodeId, before: Option<NodeId>) -> usize {
        let children = nodes.get(parent).map_or(&[][..], |p| p.children.as_slice());
        before
            .and_then(|b| children.iter().position(|c| *c == b))
            .unwrap_or(children.len())
    }

    fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.borrow().get(id)?.parent
    }
}

impl TreeSink for Sink {
    type Handle = NodeId;
    type Output = Vec<Entry>;
    type ElemName<'a>
        = Name
    where
        Self: 'a;

    fn finish(self) -> Vec<Entry> {
        self.nodes.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Name {
        match self.nodes.borrow().get(*target).map(|e| &e.data) {
            Some(Data::Element { name, .. }) => Name(name.clone()),
            // The tree builder asks only of elements.
            _ => Name(QualName::new(None, ns!(), local_name!(""))),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        let id = self.push(Data::Element { name, attrs });
        if flags.template {
            let contents = self.push(Data::Document);
            if let Some(e) = self.nodes.borrow_mut().get_mut(id) {
                e.template = Some(contents);
            }
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> NodeId {
        self.push(Data::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> NodeId {
        self.push(Data::Other)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.insert(*parent, None, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        match self.parent(*element) {
            Some(parent) => self.insert(parent, Some(*element), child),
            None => self.insert(*prev_element, None, child),
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        let contents = self.nodes.borrow().get(*target).and_then(|e| e.template);
        // Asked only of templates; anything else gets a node of its own.
        contents.unwrap_or_else(|| self.push(Data::Document))
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        if let Some(parent) = self.parent(*sibling) {
            self.insert(parent, Some(*sibling), new_node);
        }
    }

    fn add_attrs_if_missing(&self, target: &NodeId, new: Vec<Attribute>) {
        if let Some(Entry {
            data: Data::Element { attrs, .. },
            ..
        }) = self.nodes.borrow_mut().get_mut(*target)
        {
            for attr in new {
                if !attrs.iter().any(|a| a.name == attr.name) {
                    attrs.push(attr);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &NodeId) {
        Self::detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        let mut nodes = self.nodes.borrow_mut();
        let children = nodes
            .get_mut(*node)
            .map(|e| std::mem::take(&mut e.children))
            .unwrap_or_default();
        for child in &children {
            if let Some(e) = nodes.get_mut(*child) {
                e.parent = Some(*new_parent);
            }
        }
        if let Some(p) = nodes.get_mut(*new_parent) {
            p.children.extend(children);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(tree: &Tree, id: NodeId, out: &mut String) {
        for &child in tree.children(id) {
            match tree.data(child) {
                Some(Data::Text(t)) => out.push_str(t),
                Some(Data::Element { name, .. }) => {
                    out.push('<');
                    out.push_str(&name.local);
                    out.push('>');
                    outline(tree, child, out);
                    out.push_str("</");
                    out.push_str(&name.local);
                    out.push('>');
                }
                _ => {}
            }
        }
    }

    fn tree_of(html: &str) -> String {
        let tree = Tree::parse_fragment(html);
        let mut out = String::new();
        outline(&tree, tree.root(), &mut out);
        out
    }

    #[test]
    fn builds_the_tree_a_browser_builds() {
        // Implied end tags.
        assert_eq!(
            tree_of("<p>a<p>b<ul><li>c<li>d</ul>"),
            "<p>a</p><p>b</p><ul><li>c</li><li>d</li></ul>"
        );
        // Misnested formatting (the adoption agency: nodes moved between parents).
        assert_eq!(tree_of("<b>1<p>2</b>3</p>"), "<b>1</b><p><b>2</b>3</p>");
        // Text in a table where cells belong goes before the table.
        assert_eq!(
            tree_of("<table>x<tr><td>y</table>"),
            "x<table><tbody><tr><td>y</td></tr></tbody></table>"
        );
        // A template's contents are not its children.
        assert_eq!(
            tree_of("<template><p>t</p></template>z"),
            "<template></template>z"
        );
    }

    #[test]
    fn reads_names_attributes_and_classes() {
        let tree = Tree::parse_fragment(
            r#"<figure class="a pull-quote" data-x=1><svg><a/></svg></figure>"#,
        );
        let figure = tree.children(tree.root())[0];
        assert_eq!(tree.html_name(figure), Some("figure"));
        assert!(tree.has_class(figure, "pull-quote"));
        assert!(!tree.has_class(figure, "pull"));
        assert_eq!(tree.attr(figure, "data-x"), Some("1"));
        let svg = tree.children(figure)[0];
        assert_eq!(tree.html_name(svg), None, "not an HTML element");
    }
}
