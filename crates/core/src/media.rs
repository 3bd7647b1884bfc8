//! What an article body says about the media library: which items it uses
//! (by library id in a document's image nodes, or by address in any body's
//! sanitized HTML), and a document brought up to date with an item's
//! details after the library changed them (alt text, caption, credit, a
//! replaced file).

use crate::BodyFormat;
use crate::document::{self, Node};
use serde_json::Value;

/// Where uploaded files are served from; only addresses under it can name
/// a library item.
pub const MEDIA_PREFIX: &str = "/media/";

/// The library items a body refers to: ids from document image nodes and
/// the addresses of images and links in its HTML (the store matches them
/// against items' addresses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaRefs {
    pub ids: Vec<i64>,
    pub addresses: Vec<String>,
}

/// At most this many references are kept of one body: a body of 100,000
/// images must not make a write of 100,000 rows.
pub const MAX_REFS: usize = 500;

impl MediaRefs {
    /// The references of a body in `format` whose sanitized HTML is `html`.
    pub fn of(format: BodyFormat, body: &str, html: &str) -> MediaRefs {
        let mut refs = MediaRefs::default();
        if format == BodyFormat::Document
            && let Ok(doc) = document::parse(body)
        {
            media_ids(&doc, &mut refs.ids);
        }
        refs.addresses = addresses_in_html(html);
        refs.ids.sort_unstable();
        refs.ids.dedup();
        refs.ids.truncate(MAX_REFS);
        refs
    }
}

fn media_ids(node: &Node, out: &mut Vec<i64>) {
    if node.kind == "image"
        && let Some(id) = node.attrs.get("media").and_then(Value::as_i64)
    {
        out.push(id);
    }
    for child in &node.content {
        media_ids(child, out);
    }
}

/// The distinct `/media/…` addresses of `src` and `href` attributes in
/// sanitized HTML (the sanitizer writes every attribute in double quotes;
/// an image's `src` is its original, the copies in `srcset` are not
/// items of their own), at most `MAX_REFS`.
pub fn addresses_in_html(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let needle = format!("{attribute}{MEDIA_PREFIX}");
        for (pos, _) in html.match_indices(&needle) {
            let rest = &html[pos + attribute.len()..];
            let end = rest.find(['"', '?', '#']).unwrap_or(rest.len());
            let address = &rest[..end];
            if out.len() < MAX_REFS && !out.iter().any(|a| a == address) {
                out.push(address.to_string());
            }
        }
    }
    out
}

/// What the library knows of an image's size: its own, and its resized
/// copies ("URL 480w, URL 960w", empty when there are none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageSize {
    pub width: i64,
    pub height: i64,
    pub srcset: String,
}

/// How wide a body image is shown, for the browser's choice among the
/// copies: the reading column's width on wide screens, else the screen's.
pub const BODY_IMAGE_SIZES: &str = "(min-width: 960px) 720px, 100vw";

/// `html` (a sanitized body) with each `<img>` whose address is a library
/// item's in `sizes` given what it lacks of `width` and `height` (so the
/// page keeps its place for the picture before it arrives) and of `srcset`
/// and `sizes` (so a phone loads a copy its size, not the original).
pub fn with_dimensions(html: &str, sizes: &std::collections::HashMap<String, ImageSize>) -> String {
    if sizes.is_empty() {
        return html.to_string();
    }
    const OPEN: &str = "<img src=\"";
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[at..tag_end];
        let src = tag[OPEN.len()..].split('"').next().unwrap_or("");
        out.push_str(&rest[..at]);
        match sizes.get(src) {
            Some(size) => {
                out.push_str("<img");
                if !tag.contains(" width=") && !tag.contains(" height=") {
                    out.push_str(&format!(
                        " width=\"{}\" height=\"{}\"",
                        size.width, size.height
                    ));
                }
                if !size.srcset.is_empty() && !tag.contains(" srcset=") {
                    out.push_str(" srcset=\"");
                    crate::document::escape_attr(&mut out, &size.srcset);
                    out.push_str(", ");
                    crate::document::escape_attr(&mut out, src);
                    out.push_str(&format!(" {}w\" sizes=\"{BODY_IMAGE_SIZES}\"", size.width));
                }
                out.push_str(&tag[4..]);
            }
            None => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

/// What an image node shows of its library item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    pub src: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// The document `body` with every image node of item `id` showing `facts`;
/// None when no node changed (or the body is not a document).
pub fn refresh_document(body: &str, id: i64, facts: &ItemFacts) -> Option<String> {
    let mut doc = document::parse(body).ok()?;
    if !refresh(&mut doc, id, facts) {
        return None;
    }
    serde_json::to_string(&doc).ok()
}

fn refresh(node: &mut Node, id: i64, facts: &ItemFacts) -> bool {
    let mut changed = false;
    if node.kind == "image" && node.attrs.get("media").and_then(Value::as_i64) == Some(id) {
        let mut set = |name: &str, value: Value| {
            if node.attrs.get(name) != Some(&value) {
                node.attrs.insert(name.to_string(), value);
                changed = true;
            }
        };
        set("src", Value::from(facts.src.as_str()));
        set("alt", Value::from(facts.alt.as_str()));
        set("caption", Value::from(facts.caption.as_str()));
        set("credit", Value::from(facts.credit.as_str()));
        if let (Some(w), Some(h)) = (facts.width, facts.height) {
            set("width", Value::from(w));
            set("height", Value::from(h));
        }
    }
    for child in &mut node.content {
        changed |= refresh(child, id, facts);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_images_and_their_copies_are_the_originals() {
        let html = r#"<p><a href="/media/x.pdf">a link to an item uses it too</a></p><figure><img src="/media/2026/11/ab12.jpg" srcset="/media/2026/11/ab12-480.jpg 480w, /media/2026/11/ab12-960.jpg 960w" alt=""></figure><img src="https://elsewhere.example/media/zz.png"><img src="/media/2026/11/cd34.png?v=2">"#;
        assert_eq!(
            addresses_in_html(html),
            vec![
                "/media/2026/11/ab12.jpg",
                "/media/2026/11/cd34.png",
                "/media/x.pdf"
            ]
        );
    }

    #[test]
    fn library_images_get_their_size_and_others_are_left_alone() {
        let sizes = std::collections::HashMap::from([
            (
                "/media/a.jpg".to_string(),
                ImageSize {
                    width: 1200,
                    height: 800,
                    srcset: String::new(),
                },
            ),
            (
                "/media/c.jpg".to_string(),
                ImageSize {
                    width: 2000,
                    height: 1000,
                    srcset: "/media/c-480.jpg 480w, /media/c-960.jpg 960w".into(),
                },
            ),
        ]);
        let html = r#"<figure><img src="/media/a.jpg" alt="x" loading="lazy"></figure><img src="/media/b.jpg"><img src="/media/a.jpg" width="10" height="5"><p>img src</p>"#;
        assert_eq!(
            with_dimensions(html, &sizes),
            r#"<figure><img width="1200" height="800" src="/media/a.jpg" alt="x" loading="lazy"></figure><img src="/media/b.jpg"><img src="/media/a.jpg" width="10" height="5"><p>img src</p>"#
        );
        assert_eq!(
            with_dimensions("<img src=\"/media/a.jpg", &sizes),
            "<img width=\"1200\" height=\"800\" src=\"/media/a.jpg"
        );
        // Copies: the original is the widest choice; a srcset the body
        // already has is its own.
        assert_eq!(
            with_dimensions(
                r#"<img src="/media/c.jpg" alt=""><img src="/media/c.jpg" srcset="/x.jpg 1w">"#,
                &sizes
            ),
            format!(
                r#"<img width="2000" height="1000" srcset="/media/c-480.jpg 480w, /media/c-960.jpg 960w, /media/c.jpg 2000w" sizes="{BODY_IMAGE_SIZES}" src="/media/c.jpg" alt=""><img width="2000" height="1000" src="/media/c.jpg" srcset="/x.jpg 1w">"#
            )
        );
    }

    #[test]
    fn a_document_names_its_items_and_takes_their_new_details() {
        let body = r#"{"type":"doc","content":[{"type":"image","attrs":{"src":"/media/a.jpg","alt":"old","caption":"","credit":"","media":7}},{"type":"image","attrs":{"src":"/media/b.jpg","alt":"other","media":8}}]}"#;
        let refs = MediaRefs::of(BodyFormat::Document, body, "");
        assert_eq!(refs.ids, vec![7, 8]);
        let facts = ItemFacts {
            src: "/media/c.jpg".into(),
            width: Some(800),
            height: Some(600),
            alt: "new words".into(),
            caption: "Cap".into(),
            credit: "Cred".into(),
        };
        let new = refresh_document(body, 7, &facts).expect("changed");
        assert!(new.contains(r#""alt":"new words""#) && new.contains("/media/c.jpg"));
        assert!(
            new.contains(r#""alt":"other""#),
            "another item's node is left alone"
        );
        assert_eq!(
            refresh_document(&new, 7, &facts),
            None,
            "nothing left to change"
        );
        assert_eq!(refresh_document("not json", 7, &facts), None);
    }
}
