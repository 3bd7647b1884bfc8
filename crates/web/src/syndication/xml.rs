//! Writing XML by hand, safely: every piece of text goes through `escape`,
//! which also drops the characters XML 1.0 cannot carry at all (a headline
//! pasted with a stray control character must not break a feed).

use crate::views::absolute_url;
use std::fmt::Write;

/// Text or an attribute value, escaped for XML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `<name>text</name>`.
pub fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape(text));
}

/// Makes the root-relative links of sanitized body HTML absolute, as feed
/// readers and partners need them (`src="/media/…"`, `href="/news/…"`, srcset).
pub fn absolute_links(html: &str, base: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = next_attribute(rest) {
        let (before, after) = rest.split_at(at.start);
        out.push_str(before);
        out.push_str(&after[..at.name_len]);
        let value_start = at.name_len;
        let Some(end) = after[value_start..].find('"') else {
            out.push_str(&after[value_start..]);
            return out;
        };
        let value = &after[value_start..value_start + end];
        if at.srcset {
            let parts: Vec<String> = value
                .split(',')
                .map(|candidate| absolute_url(base, candidate.trim_start()))
                .collect();
            out.push_str(&parts.join(", "));
        } else {
            out.push_str(&absolute_url(base, value));
        }
        rest = &after[value_start + end..];
    }
    out.push_str(rest);
    out
}

struct Attribute {
    start: usize,
    /// Length of ` name="`.
    name_len: usize,
    srcset: bool,
}

fn next_attribute(html: &str) -> Option<Attribute> {
    [
        (" href=\"", false),
        (" src=\"", false),
        (" srcset=\"", true),
    ]
    .iter()
    .filter_map(|(name, srcset)| {
        html.find(name).map(|start| Attribute {
            start,
            name_len: name.len(),
            srcset: *srcset,
        })
    })
    .min_by_key(|a| a.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("Tom & \"Jerry\" <b>'s</b>\u{1}\u{b}"),
            "Tom &amp; &quot;Jerry&quot; &lt;b&gt;&apos;s&lt;/b&gt;"
        );
        assert_eq!(escape("]]> ünïcødé ✓"), "]]&gt; ünïcødé ✓");
    }

    #[test]
    fn root_relative_links_become_absolute_and_others_stay() {
        let html = r#"<p><a href="/news/a">a</a> <a href="https://x.test/b">b</a> <a href="//cdn.test/c">c</a></p><img src="/media/1.jpg" srcset="/media/1-480.jpg 480w, /media/1-960.jpg 960w" alt="x">"#;
        assert_eq!(
            absolute_links(html, "https://news.test"),
            r#"<p><a href="https://news.test/news/a">a</a> <a href="https://x.test/b">b</a> <a href="//cdn.test/c">c</a></p><img src="https://news.test/media/1.jpg" srcset="https://news.test/media/1-480.jpg 480w, https://news.test/media/1-960.jpg 960w" alt="x">"#
        );
    }
}
