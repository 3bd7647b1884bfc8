//! The addresses a converted body points at, found by reading the
//! attributes of its tags.

use super::escape::decode_references;
use super::html::{Kind, Tokens, memchr};
use std::collections::HashSet;

/// Every address in `src`, `href`, `srcset` and `poster` attributes, once
/// each, in order of appearance.
pub fn links(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |url: &str| {
        let url = url.trim();
        if !url.is_empty() && seen.insert(url.to_owned()) {
            out.push(url.to_owned());
        }
    };
    for token in Tokens::new(html, false) {
        if !matches!(token.kind, Kind::Open | Kind::SelfClosing | Kind::Raw) {
            continue;
        }
        let tag = match token.kind {
            // A raw element's own start tag.
            Kind::Raw => {
                let text = token.text(html);
                &text[..text.find('>').map_or(text.len(), |i| i + 1)]
            }
            _ => token.text(html),
        };
        for (name, value) in attributes(tag) {
            let value = decode_references(value);
            if name.eq_ignore_ascii_case("srcset") {
                for candidate in value.split(',') {
                    if let Some(url) = candidate.split_whitespace().next() {
                        add(url);
                    }
                }
            } else if ["src", "href", "poster"]
                .iter()
                .any(|n| name.eq_ignore_ascii_case(n))
            {
                add(&value);
            }
        }
    }
    out
}

/// The attributes of a tag (`<img src="a" alt=b hidden>`), as names and
/// raw values (references not yet decoded). Tolerant: never fails.
pub fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let bytes = tag.as_bytes();
    // Past `<` and the name.
    let mut i = 1;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/'
    {
        i += 1;
    }
    let mut out = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return out;
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = &tag[name_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            out.push((name, ""));
            if name.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = memchr(q, &bytes[start..]).map_or(bytes.len(), |k| start + k);
                i = (end + 1).min(bytes.len());
                &tag[start..end]
            }
            _ => {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                &tag[start..i]
            }
        };
        out.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_of_all_kinds() {
        assert_eq!(
            attributes("<img src=\"a b\" alt='it\"s' width=300 hidden data-x = \"1\"/>"),
            vec![
                ("src", "a b"),
                ("alt", "it\"s"),
                ("width", "300"),
                ("hidden", ""),
                ("data-x", "1"),
            ]
        );
    }

    #[test]
    fn links_found_once_each() {
        let html = "<p><a href=\"/a?x=1&amp;y=2\">a</a><img src='/i.jpg' srcset=\"/i-300.jpg 300w, /i-600.jpg 600w\"></p>\
                    <video poster=/p.jpg><source src=\"/v.mp4\"></video><a href=\"/a?x=1&amp;y=2\">again</a>\
                    <pre><a href=\"/in-pre\">code</a></pre><script src=\"/s.js\">var a = '<a href=\"/no\">';</script>";
        assert_eq!(
            links(html),
            vec![
                "/a?x=1&y=2",
                "/i.jpg",
                "/i-300.jpg",
                "/i-600.jpg",
                "/p.jpg",
                "/v.mp4",
                "/in-pre",
                "/s.js"
            ]
        );
    }
}
