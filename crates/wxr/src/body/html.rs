//! A tolerant scan of HTML as WordPress bodies hold it: tags, text,
//! comments, and elements whose inside is left alone. Not a parser: it
//! never builds a tree, never fails, and reads each byte a bounded number of
//! times, whatever the input.

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
}
