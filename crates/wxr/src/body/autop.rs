//! Paragraphs for bodies written in WordPress's classic editor, which
//! stores them without `<p>`: WordPress adds them on display (`wpautop`), so
//! bbn adds them on import. A blank line ends a paragraph, a single line
//! break becomes `<br>`, and block-level elements (`div`, `figure`, `table`,
//! lists, `blockquote`, `pre`, headings, `hr`, `iframe`, `audio`, `video`,
//! …) are neither wrapped nor touched inside.

use super::html::{Kind, Token, Tokens};

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "audio",
    "blockquote",
    "canvas",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "iframe",
    "legend",
    "li",
    "main",
    "map",
    "math",
    "menu",
    "nav",
    "noscript",
    "object",
    "ol",
    "p",
    "pre",
    "script",
    "section",
    "style",
    "summary",
    "svg",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "video",
];

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

fn block_index(name: &str) -> Option<usize> {
    BLOCKS.iter().position(|b| b.eq_ignore_ascii_case(name))
}

fn is_void(name: &str) -> bool {
    VOID.iter().any(|v| v.eq_ignore_ascii_case(name))
}

pub fn autop(src: &str) -> String {
    let tokens: Vec<Token> = Tokens::new(src, true).collect();
    let (closes, opened) = matching_closes(src, &tokens);
    let mut out = String::with_capacity(src.len() + src.len() / 16);
    let mut para = Paragraph::default();
    // Inline elements open at this point; a blank line inside one does not
    // end the paragraph, which would cut the element in two.
    let mut inline_depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let name = token.name(src);
        let is_block = matches!(
            token.kind,
            Kind::Open | Kind::Close | Kind::SelfClosing | Kind::Raw
        ) && block_index(name).is_some();
        if is_block && name.eq_ignore_ascii_case("p") && inline_depth == 0 {
            let unmatched = match token.kind {
                Kind::Open => closes[i].is_none(),
                Kind::Close => !opened[i],
                _ => false,
            };
            if unmatched {
                // A `<p>` never closed, or a `</p>` that closes nothing,
                // marks where a paragraph ends; the paragraphs made here
                // take its place.
                para.finish(&mut out);
                i += 1;
                continue;
            }
        }
        if is_block {
            let last = if token.kind == Kind::Open {
                closes[i].unwrap_or(i)
            } else {
                i
            };
            let whole = &src[token.start..tokens[last].end];
            if inline_depth == 0 {
                para.finish(&mut out);
                out.push_str(whole);
            } else {
                para.push_block(whole);
            }
            i = last + 1;
            continue;
        }
        match token.kind {
            Kind::Text => para.push_text(token.text(src), inline_depth == 0, &mut out),
            Kind::Open if !is_void(name) => {
                inline_depth += 1;
                para.push_inline(token.text(src), false);
            }
            Kind::Close => {
                inline_depth = inline_depth.saturating_sub(1);
                para.push_inline(token.text(src), false);
            }
            Kind::Comment | Kind::Other => para.push_markup(token.text(src)),
            _ => para.push_inline(token.text(src), token.is(src, "br")),
        }
        i += 1;
    }
    para.finish(&mut out);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// For each block element's start tag, the token of its end tag, and for
/// each end tag whether it closes one; matched by name with one stack per
/// element (linear, whatever the nesting).
fn matching_closes(src: &str, tokens: &[Token]) -> (Vec<Option<usize>>, Vec<bool>) {
    let mut closes = vec![None; tokens.len()];
    let mut opened = vec![false; tokens.len()];
    let mut open: Vec<Vec<usize>> = vec![Vec::new(); BLOCKS.len()];
    for (i, token) in tokens.iter().enumerate() {
        let Some(b) = block_index(token.name(src)) else {
            continue;
        };
        match token.kind {
            Kind::Open => open[b].push(i),
            Kind::Close => {
                if let Some(start) = open[b].pop() {
                    closes[start] = Some(i);
                    opened[i] = true;
                }
            }
            _ => {}
        }
    }
    (closes, opened)
}

/// The paragraph being gathered.
#[derive(Default)]
struct Paragraph {
    text: String,
    /// Where line breaks in text (not inside tags) stand in `text`.
    breaks: Vec<usize>,
    /// Whether anything a reader sees is in it (not only spaces and
    /// comments).
    has_content: bool,
    /// A block inside an inline element: such a paragraph is left unwrapped.
    has_block: bool,
    /// Just after a `<br>`: the line break that follows it adds no other.
    after_br: Option<usize>,
}

impl Paragraph {
    fn push_text(&mut self, s: &str, may_end: bool, out: &mut String) {
        let mut rest = s;
        while let Some((blank_start, blank_end)) = blank_line(rest) {
            if may_end {
                self.push_lines(&rest[..blank_start]);
                self.finish(out);
            } else {
                self.push_lines(&rest[..blank_end]);
            }
            rest = &rest[blank_end..];
        }
        self.push_lines(rest);
    }

    fn push_lines(&mut self, s: &str) {
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                let follows_br = self
                    .after_br
                    .is_some_and(|p| self.text[p..].trim().is_empty());
                if !follows_br {
                    self.breaks.push(self.text.len());
                }
                self.text.push('\n');
            }
            if !line.trim().is_empty() {
                self.has_content = true;
                self.after_br = None;
            }
            self.text.push_str(line);
        }
    }

    fn push_inline(&mut self, tag: &str, is_br: bool) {
        self.text.push_str(tag);
        self.has_content = true;
        self.after_br = is_br.then_some(self.text.len());
    }

    fn push_markup(&mut self, markup: &str) {
        self.text.push_str(markup);
    }

    fn push_block(&mut self, block: &str) {
        self.text.push_str(block);
        self.has_content = true;
        self.has_block = true;
    }

    fn finish(&mut self, out: &mut String) {
        let text = &self.text;
        let start = text.len() - text.trim_start().len();
        let end = text.trim_end().len();
        if start < end {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if self.has_content && !self.has_block {
                out.push_str("<p>");
                let mut from = start;
                for &b in self.breaks.iter().filter(|&&b| b > start && b < end) {
                    out.push_str(text[from..b].trim_end_matches([' ', '\t']));
                    out.push_str("<br>");
                    from = b;
                }
                out.push_str(&text[from..end]);
                out.push_str("</p>\n");
            } else {
                out.push_str(&text[start..end]);
                out.push('\n');
            }
        } else if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        // Cleared rather than replaced, to keep the buffers.
        self.text.clear();
        self.breaks.clear();
        self.has_content = false;
        self.has_block = false;
        self.after_br = None;
    }
}

/// The first blank line in `s`: from the line break before it to just
/// after the last line break of the run of blank lines.
fn blank_line(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(k) = bytes[from..].iter().position(|&b| b == b'\n') {
        let first = from + k;
        let mut j = first + 1;
        let mut last = None;
        loop {
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                j += 1;
            }
            if bytes.get(j) == Some(&b'\n') {
                last = Some(j);
                j += 1;
            } else {
                break;
            }
        }
        if let Some(last) = last {
            return Some((first, last + 1));
        }
        from = first + 1;
    }
    None
}
