//! A tolerant scan of HTML as WordPress bodies hold it: tags, text,
//! comments, and elements whose inside is left alone. Not a parser: it
//! never builds a tree, never fails, and reads each byte a bounded number of
//! times, whatever the input.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// `<p …>`
    Open,
    /// `</p>`
    Close,
    /// `<br/>`, `<img … />`
    SelfClosing,
    /// `<!-- … -->`
    Comment,
    /// `<!DOCTYPE …>`, `<?…>`, `<![CDATA[…]]>`
    Other,
    /// A whole element whose inside is not markup for this scan: `script`,
    /// `style`, `textarea` always; `pre` and `code` when protected.
    Raw,
}

/// A piece of the source: `start..end` in bytes, with the tag's name (in
/// the source's case) for tags and raw elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    name_start: usize,
    name_end: usize,
}

impl Token {
    pub fn name<'a>(&self, src: &'a str) -> &'a str {
        &src[self.name_start..self.name_end]
    }

    pub fn is(&self, src: &str, name: &str) -> bool {
        self.name(src).eq_ignore_ascii_case(name)
    }

    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

/// Elements whose content is text in HTML itself.
const RAW_TEXT: [&str; 3] = ["script", "style", "textarea"];
/// Elements whose content WordPress leaves alone: no paragraphs, no
/// shortcodes.
const PROTECTED: [&str; 2] = ["pre", "code"];

pub struct Tokens<'a> {
    src: &'a str,
    pos: usize,
    protect: bool,
    /// Searches that found nothing from some point on, so they are not
    /// repeated from a later one (which keeps the scan linear).
    none_after: NoneAfter,
}

#[derive(Default)]
struct NoneAfter {
    gt: Option<usize>,
    double_quote: Option<usize>,
    single_quote: Option<usize>,
    /// Per name in `RAW_TEXT` then `PROTECTED`.
    raw_close: [Option<usize>; 5],
}

impl<'a> Tokens<'a> {
    /// With `protect`, `pre` and `code` elements come whole, as [`Kind::Raw`].
    pub fn new(src: &'a str, protect: bool) -> Self {
        Tokens {
            src,
            pos: 0,
            protect,
            none_after: NoneAfter::default(),
        }
    }

    /// Goes on from byte `pos` (a char boundary) instead.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.src.len());
    }

    fn text_until_markup(&mut self, from: usize) -> Token {
        let bytes = self.src.as_bytes();
        let mut i = from;
        loop {
            match memchr(b'<', &bytes[i..]) {
                None => {
                    i = bytes.len();
                    break;
                }
                Some(k) => {
                    i += k;
                    if i > from && starts_markup(&bytes[i..]) {
                        break;
                    }
                    i += 1;
                }
            }
        }
        self.pos = i;
        plain(Kind::Text, from, i)
    }

    /// `pos` sits on `<` that starts markup.
    fn markup(&mut self, pos: usize) -> Token {
        let src = self.src;
        let rest = &src.as_bytes()[pos..];
        if rest.starts_with(b"<!--") {
            let end = src[pos + 4..]
                .find("-->")
                .map_or(src.len(), |k| pos + 4 + k + 3);
            self.pos = end;
            return plain(Kind::Comment, pos, end);
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            return match self.find_byte(b'>', pos + 2) {
                Some(gt) => {
                    self.pos = gt + 1;
                    plain(Kind::Other, pos, gt + 1)
                }
                None => self.text_until_markup_after(pos),
            };
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = pos + if closing { 2 } else { 1 };
        let name_end = name_start
            + src.as_bytes()[name_start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
                .count();
        let Some(gt) = self.tag_end(name_end) else {
            return self.text_until_markup_after(pos);
        };
        let end = gt + 1;
        self.pos = end;
        let name = &src[name_start..name_end];
        let token = |kind| Token {
            kind,
            start: pos,
            end,
            name_start,
            name_end,
        };
        if closing {
            return token(Kind::Close);
        }
        if src.as_bytes()[..gt].ends_with(b"/") {
            return token(Kind::SelfClosing);
        }
        let raw = RAW_TEXT
            .iter()
            .chain(if self.protect { &PROTECTED[..] } else { &[] })
            .position(|r| r.eq_ignore_ascii_case(name));
        if let Some(close_end) = raw.and_then(|which| self.raw_close(which, name, end)) {
            self.pos = close_end;
            return Token {
                kind: Kind::Raw,
                start: pos,
                end: close_end,
                name_start,
                name_end,
            };
        }
        token(Kind::Open)
    }

    fn text_until_markup_after(&mut self, pos: usize) -> Token {
        let mut t = self.text_until_markup(pos + 1);
        t.start = pos;
        t
    }

    /// The `>` ending a tag whose attributes start at `from`, skipping
    /// quoted attribute values.
    fn tag_end(&mut self, from: usize) -> Option<usize> {
        if self.none_after.gt.is_some_and(|p| p <= from) {
            return None;
        }
        let bytes = self.src.as_bytes();
        let mut i = from;
        let mut after_equals = false;
        while i < bytes.len() {
            match bytes[i] {
                b'>' => return Some(i),
                b'=' => after_equals = true,
                quote @ (b'"' | b'\'') if after_equals => {
                    after_equals = false;
                    if let Some(close) = self.find_byte(quote, i + 1) {
                        i = close;
                    }
                }
                b if b.is_ascii_whitespace() => {}
                _ => after_equals = false,
            }
            i += 1;
        }
        self.none_after.gt = Some(from);
        None
    }

    /// The end of `</name>` closing a raw element whose content starts at
    /// `from`.
    fn raw_close(&mut self, which: usize, name: &str, from: usize) -> Option<usize> {
        if self.none_after.raw_close[which].is_some_and(|p| p <= from) {
            return None;
        }
        let bytes = self.src.as_bytes();
        let mut i = from;
        while let Some(k) = memchr(b'<', &bytes[i..]) {
            i += k;
            let after = &bytes[i + 1..];
            if after.first() == Some(&b'/')
                && after.len() > name.len()
                && after[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
                && !after
                    .get(name.len() + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric())
            {
                return match self.find_byte(b'>', i) {
                    Some(gt) => Some(gt + 1),
                    None => Some(bytes.len()),
                };
            }
            i += 1;
        }
        self.none_after.raw_close[which] = Some(from);
        None
    }

    fn find_byte(&mut self, byte: u8, from: usize) -> Option<usize> {
        let cache = match byte {
            b'>' => &mut self.none_after.gt,
            b'"' => &mut self.none_after.double_quote,
            b'\'' => &mut self.none_after.single_quote,
            _ => return memchr(byte, &self.src.as_bytes()[from..]).map(|k| from + k),
        };
        if cache.is_some_and(|p| p <= from) {
            return None;
        }
        let found = memchr(byte, &self.src.as_bytes()[from..]).map(|k| from + k);
        if found.is_none() {
            *cache = Some(from);
        }
        found
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let pos = self.pos;
        let bytes = self.src.as_bytes();
        if pos >= bytes.len() {
            return None;
        }
        if starts_markup(&bytes[pos..]) {
            Some(self.markup(pos))
        } else {
            Some(self.text_until_markup(pos))
        }
    }
}

/// `<` followed by a letter, `/` and a letter, `!` or `?`.
fn starts_markup(rest: &[u8]) -> bool {
    match rest.get(1) {
        Some(b) if b.is_ascii_alphabetic() || *b == b'!' || *b == b'?' => rest[0] == b'<',
        Some(b'/') => rest[0] == b'<' && rest.get(2).is_some_and(u8::is_ascii_alphabetic),
        _ => false,
    }
}

fn plain(kind: Kind, start: usize, end: usize) -> Token {
    Token {
        kind,
        start,
        end,
        name_start: start,
        name_end: start,
    }
}

pub fn memchr(byte: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == byte)
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

/// HTML character references as WordPress writes them: the XML five,
/// `&nbsp;`, and numeric ones. Anything else stays as written.
pub fn decode_references(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest
            .bytes()
            .take(12)
            .position(|b| b == b';')
            .filter(|&e| e > 1);
        let decoded = end.and_then(|e| reference(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                    number.parse().ok()?
                }
                _ => return None,
            };
            char::from_u32(code).filter(|&c| c != '\0')
        }
    }
}

/// Text made safe inside a double-quoted attribute value.
pub fn escape_attribute(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Text made safe between tags.
pub fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Every address in `src`, `href`, `srcset` and `poster` attributes, once
/// each, in order of appearance.
pub fn links(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |url: &str| {
        let url = url.trim();
        if !url.is_empty() && !out.iter().any(|u| u == url) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str, protect: bool) -> Vec<(Kind, &str)> {
        Tokens::new(src, protect)
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn tokens_cover_the_source() {
        let src = "a <b>bold</b> 1 < 2 <img src=\"x>y\" /><!-- c --> <3 </ >end";
        let tokens = kinds(src, true);
        assert_eq!(
            tokens,
            vec![
                (Kind::Text, "a "),
                (Kind::Open, "<b>"),
                (Kind::Text, "bold"),
                (Kind::Close, "</b>"),
                (Kind::Text, " 1 < 2 "),
                (Kind::SelfClosing, "<img src=\"x>y\" />"),
                (Kind::Comment, "<!-- c -->"),
                (Kind::Text, " <3 </ >end"),
            ]
        );
    }

    #[test]
    fn protected_elements_come_whole() {
        let src = "<pre>[x]\n<b>y</b></PRE>z<code>[y]</code>";
        assert_eq!(
            kinds(src, true),
            vec![
                (Kind::Raw, "<pre>[x]\n<b>y</b></PRE>"),
                (Kind::Text, "z"),
                (Kind::Raw, "<code>[y]</code>"),
            ]
        );
        assert_eq!(kinds(src, false)[0], (Kind::Open, "<pre>"));
        // Unclosed: just a tag.
        assert_eq!(kinds("<pre>x", true)[0], (Kind::Open, "<pre>"));
    }

    #[test]
    fn unfinished_markup_is_text() {
        assert_eq!(
            kinds("a <b", true),
            vec![(Kind::Text, "a "), (Kind::Text, "<b")]
        );
        assert_eq!(
            kinds("<a title=\"x>", true),
            vec![(Kind::Open, "<a title=\"x>")]
        );
        assert_eq!(kinds("<!-- open", true), vec![(Kind::Comment, "<!-- open")]);
    }

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
    fn references_decode_leniently() {
        assert_eq!(
            decode_references("a &amp; b &#8217; &#x2019; &nbsp;&bogus; &"),
            "a & b ’ ’ \u{a0}&bogus; &"
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
