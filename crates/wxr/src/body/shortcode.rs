//! WordPress shortcodes: reading `[name attr="v" …]`, and what the ones bbn
//! understands become — figures for captions and galleries, links for
//! embeds (bbn runs no third-party players), `<audio>` and `<video>`.

use super::escape::{decode_references, escape_attribute, escape_text};
use super::html::{self, Kind, Tokens};
use super::{AttachmentInfo, Attachments};

/// `[name attrs]` or `[name attrs /]`, starting at a `[`.
#[derive(Debug, PartialEq, Eq)]
pub struct Opening<'a> {
    pub name: &'a str,
    pub attrs: &'a str,
    pub self_closing: bool,
    /// Just after the `]`.
    pub end: usize,
}

/// The shortcode opening at `src[at]` (a `[`), if it is one: a name that
/// starts with a letter, followed by `]`, whitespace or `/`, and a `]`
/// before any further `[`. `[1]`, `[ ]` and `[note: …]` are not shortcodes.
pub fn opening(src: &str, at: usize) -> Option<Opening<'_>> {
    let bytes = src.as_bytes();
    let name_start = at + 1;
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = name_start
        + bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
    let next = *bytes.get(name_end)?;
    if !(next == b']' || next == b'/' || next.is_ascii_whitespace()) {
        return None;
    }
    let close = name_end
        + bytes[name_end..]
            .iter()
            .position(|&b| b == b']' || b == b'[')?;
    if bytes[close] != b']' {
        return None;
    }
    let inside = &src[name_end..close];
    let attrs = inside.trim_end();
    let (attrs, self_closing) = match attrs.strip_suffix('/') {
        Some(a) => (a, true),
        None => (attrs, false),
    };
    Some(Opening {
        name: &src[name_start..name_end],
        attrs,
        self_closing,
        end: close + 1,
    })
}

/// A shortcode's attributes: named ones (names lowercased) and positional
/// ones, values with references decoded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Attrs {
    pub named: Vec<(String, String)>,
    pub positional: Vec<String>,
}

impl Attrs {
    /// Reads attributes as WordPress's `shortcode_parse_atts` does:
    /// `a="v"`, `a='v'`, `a=v`, `"v"`, `'v'` and `v`.
    pub fn parse(s: &str) -> Attrs {
        let mut attrs = Attrs::default();
        let bytes = s.as_bytes();
        let mut i = 0;
        let value_of = |raw: &str| decode_references(raw).into_owned();
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() {
                return attrs;
            }
            let start = i;
            if let Some(q @ (b'"' | b'\'')) = bytes.get(i).copied() {
                let end = html::memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |k| i + 1 + k);
                attrs.positional.push(value_of(&s[i + 1..end]));
                i = (end + 1).min(bytes.len());
                continue;
            }
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-'))
            {
                i += 1;
            }
            let name_end = i;
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if name_end > start && bytes.get(j) == Some(&b'=') {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                let (value, next) = match bytes.get(j).copied() {
                    Some(q @ (b'"' | b'\'')) => {
                        let end =
                            html::memchr(q, &bytes[j + 1..]).map_or(bytes.len(), |k| j + 1 + k);
                        (&s[j + 1..end], (end + 1).min(bytes.len()))
                    }
                    _ => {
                        let end = bytes[j..]
                            .iter()
                            .position(u8::is_ascii_whitespace)
                            .map_or(bytes.len(), |k| j + k);
                        (&s[j..end], end)
                    }
                };
                attrs
                    .named
                    .push((s[start..name_end].to_ascii_lowercase(), value_of(value)));
                i = next;
            } else {
                let end = bytes[start..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(bytes.len(), |k| start + k);
                attrs.positional.push(value_of(&s[start..end]));
                i = end;
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// `[caption …]<a><img></a> Text[/caption]` → a figure with the image and
/// a figcaption. The caption may instead be in a `caption` attribute. With
/// no image and no caption attribute, WordPress shows the content as it is,
/// and so does bbn.
pub fn caption(attrs: &Attrs, content: &str, out: &mut String) {
    let content = content.trim();
    let (image, text) = match attrs.get("caption") {
        Some(caption) => (content, caption.trim()),
        None => match image_prefix(content) {
            Some(end) => (content[..end].trim(), content[end..].trim()),
            None => {
                out.push_str(content);
                return;
            }
        },
    };
    // WordPress's alignment, which bbn's theme styles too.
    match attrs.get("align").map(str::trim) {
        Some(align @ ("alignleft" | "alignright" | "aligncenter")) => {
            out.push_str("<figure class=\"");
            out.push_str(align);
            out.push_str("\">");
        }
        _ => out.push_str("<figure>"),
    }
    out.push_str(image);
    if !text.is_empty() {
        out.push_str("<figcaption>");
        out.push_str(text);
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>");
}

/// Where a leading `<img>`, or `<a …><img></a>`, ends.
fn image_prefix(content: &str) -> Option<usize> {
    let mut tokens = Tokens::new(content, false)
        .filter(|t| !(t.kind == Kind::Text && t.text(content).trim().is_empty()));
    let first = tokens.next()?;
    if first.is(content, "img") {
        return Some(first.end);
    }
    if first.kind == Kind::Open && first.is(content, "a") {
        let img = tokens.next()?;
        let close = tokens.next()?;
        if img.is(content, "img") && close.kind == Kind::Close && close.is(content, "a") {
            return Some(close.end);
        }
    }
    None
}

/// `[gallery]`: the attachments named by `ids` (or `include`), else the
/// children of the post (or of the post named by `id`), less `exclude`.
/// Attachments bbn does not know are left out; an empty gallery is nothing.
pub fn gallery(attrs: &Attrs, post_id: i64, attachments: &dyn Attachments, out: &mut String) {
    let exclude = id_list(attrs.get("exclude").unwrap_or(""));
    let chosen: Vec<AttachmentInfo> = match attrs.get("ids").or_else(|| attrs.get("include")) {
        Some(ids) => id_list(ids)
            .into_iter()
            .filter_map(|id| attachments.attachment(id))
            .collect(),
        None => {
            let parent = attrs
                .get("id")
                .and_then(|id| id.trim().parse().ok())
                .unwrap_or(post_id);
            attachments.children(parent)
        }
    };
    let mut images = chosen
        .iter()
        .filter(|a| !exclude.contains(&a.id))
        .peekable();
    if images.peek().is_none() {
        return;
    }
    // WordPress's default is three columns; it allows one to nine.
    let columns = attrs
        .get("columns")
        .and_then(|c| c.trim().parse::<u8>().ok())
        .filter(|c| (1..=9).contains(c))
        .unwrap_or(3);
    out.push_str(&format!("<figure class=\"gallery columns-{columns}\">"));
    for image in images {
        out.push_str("<figure><img src=\"");
        escape_attribute(&image.url, out);
        out.push_str("\" alt=\"");
        escape_attribute(&image.alt, out);
        out.push_str("\">");
        if !image.caption.trim().is_empty() {
            out.push_str("<figcaption>");
            escape_text(image.caption.trim(), out);
            out.push_str("</figcaption>");
        }
        out.push_str("</figure>");
    }
    out.push_str("</figure>");
}

fn id_list(s: &str) -> Vec<i64> {
    s.split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect()
}

/// An address alone in a paragraph, linked: what bbn makes of embeds.
/// `false` when `url` is not one address.
pub fn link_paragraph(url: &str, out: &mut String) -> bool {
    let url = decode_references(url.trim());
    if url.is_empty() || url.contains(|c: char| c.is_whitespace() || c == '<' || c == '"') {
        return false;
    }
    out.push_str("<p><a href=\"");
    escape_attribute(&url, out);
    out.push_str("\">");
    escape_text(&url, out);
    out.push_str("</a></p>");
    true
}

const AUDIO_SOURCES: [(&str, &str); 7] = [
    ("src", ""),
    ("mp3", "audio/mpeg"),
    ("ogg", "audio/ogg"),
    ("flac", "audio/flac"),
    ("m4a", "audio/mp4"),
    ("wav", "audio/wav"),
    ("wma", "audio/x-ms-wma"),
];

const VIDEO_SOURCES: [(&str, &str); 7] = [
    ("src", ""),
    ("mp4", "video/mp4"),
    ("m4v", "video/mp4"),
    ("webm", "video/webm"),
    ("ogv", "video/ogg"),
    ("flv", "video/x-flv"),
    ("wmv", "video/x-ms-wmv"),
];

/// `[audio]` and `[video]` → `<audio controls>` / `<video controls>`, with
/// one `src` or, for several formats, one `<source>` each. The file may be
/// named by `src`, by its format (`mp3`, `mp4`, …) or alone (`[audio URL]`).
/// `false` when no file is named (WordPress would then look for one
/// attached to the post).
pub fn media(tag: &str, attrs: &Attrs, out: &mut String) -> bool {
    let formats = if tag == "audio" {
        &AUDIO_SOURCES
    } else {
        &VIDEO_SOURCES
    };
    let mut sources: Vec<(&str, &str)> = Vec::new();
    // `[audio https://…/a.mp3]`, as some exports have it.
    let positional = attrs
        .positional
        .iter()
        .map(|p| p.trim())
        .find(|p| p.contains("://") || p.starts_with('/'));
    for (attr, mime) in formats {
        let named = attrs.get(attr);
        let url = if *attr == "src" {
            named.or(positional)
        } else {
            named
        };
        if let Some(url) = url {
            let url = url.trim();
            if !sources.iter().any(|(u, _)| *u == url) {
                sources.push((url, mime));
            }
        }
    }
    if sources.is_empty() {
        return false;
    }
    out.push('<');
    out.push_str(tag);
    out.push_str(" controls");
    if tag == "video" {
        for dimension in ["width", "height"] {
            if let Some(v) = attrs.get(dimension) {
                let v = v.trim();
                if v.bytes().all(|b| b.is_ascii_digit()) {
                    out.push_str(&format!(" {dimension}=\"{v}\""));
                }
            }
        }
        if let Some(poster) = attrs.get("poster") {
            out.push_str(" poster=\"");
            escape_attribute(poster.trim(), out);
            out.push('"');
        }
    }
    if let [(url, _)] = sources[..] {
        out.push_str(" src=\"");
        escape_attribute(url, out);
        out.push_str("\">");
    } else {
        out.push('>');
        for (url, mime) in sources {
            out.push_str("<source src=\"");
            escape_attribute(url, out);
            out.push('"');
            if !mime.is_empty() {
                out.push_str(" type=\"");
                out.push_str(mime);
                out.push('"');
            }
            out.push('>');
        }
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings() {
        let o = |s: &'static str| opening(s, 0);
        assert_eq!(
            o("[gallery ids=\"1,2\"] x"),
            Some(Opening {
                name: "gallery",
                attrs: " ids=\"1,2\"",
                self_closing: false,
                end: 19
            })
        );
        assert_eq!(o("[x /]").map(|o| o.self_closing), Some(true));
        assert_eq!(
            o("[x/]").map(|o| (o.name, o.self_closing)),
            Some(("x", true))
        );
        assert_eq!(o("[embed]").map(|o| o.end), Some(7));
        for not in [
            "[1]",
            "[ ]",
            "[]",
            "[note: x]",
            "[a",
            "[a [b]",
            "[é]",
            "[",
            "[x.y]",
        ] {
            assert_eq!(o(not), None, "{not}");
        }
    }

    #[test]
    fn attributes_as_wordpress_reads_them() {
        let a = Attrs::parse(
            r#" ID="5" align='alignright' width=300 "first" 'second' third caption="A &amp; B" data-x = "y""#,
        );
        assert_eq!(a.get("id"), Some("5"));
        assert_eq!(a.get("align"), Some("alignright"));
        assert_eq!(a.get("width"), Some("300"));
        assert_eq!(a.get("caption"), Some("A & B"));
        assert_eq!(a.get("data-x"), Some("y"));
        assert_eq!(a.positional, vec!["first", "second", "third"]);
        // Unclosed quotes and stray signs never panic.
        for odd in ["a=\"", "='", "=", "\"", "a= ", "ü=ö 'x", "=x=y"] {
            Attrs::parse(odd);
        }
    }
}
