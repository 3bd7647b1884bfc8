//! The first pass over a body: shortcodes made into HTML, block comments
//! removed, and addresses standing alone on a line made into links (where
//! WordPress would have embedded a player). The inside of `pre`, `code`,
//! `script`, `style`, `textarea`, HTML comments and tags is copied as it is.

use super::Attachments;
use super::html::{Kind, Tokens};
use super::shortcode::{self, Attrs};
use std::collections::HashSet;

pub struct Expanded {
    pub html: String,
    pub unknown_shortcodes: Vec<String>,
}

pub fn expand(src: &str, post_id: i64, attachments: &dyn Attachments) -> Expanded {
    let mut pass = Pass {
        src,
        out: String::with_capacity(src.len() + src.len() / 8),
        unknown: Vec::new(),
        unknown_seen: HashSet::new(),
        closings: Vec::new(),
        link_depth: 0,
        post_id,
        attachments,
    };
    let mut tokens = Tokens::new(src, true);
    while let Some(token) = tokens.next() {
        match token.kind {
            Kind::Text => {
                let end = pass.text(token.start, token.end);
                if end > token.end {
                    tokens.seek(end);
                }
            }
            Kind::Comment if is_block_comment(token.text(src)) => {
                // A block comment alone on its line takes the line with it.
                let at_line_start = pass.out.is_empty() || pass.out.ends_with('\n');
                if at_line_start && src[token.end..].starts_with('\n') {
                    tokens.seek(token.end + 1);
                }
            }
            kind => {
                if token.is(src, "a") {
                    match kind {
                        Kind::Open => pass.link_depth += 1,
                        Kind::Close => pass.link_depth = pass.link_depth.saturating_sub(1),
                        _ => {}
                    }
                }
                pass.out.push_str(token.text(src));
            }
        }
    }
    Expanded {
        html: pass.out,
        unknown_shortcodes: pass.unknown,
    }
}

/// The shortcodes bbn reads that may enclose content. Only their closing
/// tags are ever searched for, which keeps the scan linear.
const ENCLOSING: [&str; 5] = ["caption", "wp_caption", "embed", "audio", "video"];

/// `<!-- wp:paragraph {…} -->`, `<!-- /wp:paragraph -->`, `<!-- wp:x /-->`.
pub fn is_block_comment(comment: &str) -> bool {
    let inside = comment.trim_start_matches("<!--").trim_start();
    inside.starts_with("wp:") || inside.starts_with("/wp:")
}

struct Pass<'a> {
    src: &'a str,
    out: String,
    unknown: Vec<String>,
    unknown_seen: HashSet<&'a str>,
    /// The last search for each closing tag: name, where it started, where
    /// it found the tag.
    closings: Vec<(&'a str, usize, Option<usize>)>,
    /// Inside `<a>`, an address is already a link.
    link_depth: usize,
    post_id: i64,
    attachments: &'a dyn Attachments,
}

impl<'a> Pass<'a> {
    /// Text from `start` to `end`; returns where the scan goes on, which is
    /// past `end` when an enclosing shortcode closed further on.
    fn text(&mut self, start: usize, end: usize) -> usize {
        let src = self.src;
        let mut i = start;
        while let Some(k) = src[i..end].find('[') {
            let at = i + k;
            self.plain(i, at);
            match self.shortcode(at) {
                Some(next) if next > end => return next,
                Some(next) => i = next,
                None => {
                    self.out.push('[');
                    i = at + 1;
                }
            }
        }
        self.plain(i, end);
        end
    }

    /// Text without shortcodes, where a line holding only an address
    /// becomes a link paragraph.
    fn plain(&mut self, start: usize, end: usize) {
        let src = self.src;
        let mut line_start = start;
        for line in src[start..end].split_inclusive('\n') {
            let line_end = line_start + line.len();
            let content_end = line_end - usize::from(line.ends_with('\n'));
            let whole_line = (line_start == 0 || src.as_bytes()[line_start - 1] == b'\n')
                && (content_end == src.len() || src.as_bytes()[content_end] == b'\n');
            let url = line.trim();
            let converted = whole_line
                && self.link_depth == 0
                && is_address(url)
                && shortcode::link_paragraph(url, &mut self.out);
            if converted {
                if line.ends_with('\n') {
                    self.out.push('\n');
                }
            } else {
                self.out.push_str(line);
            }
            line_start = line_end;
        }
    }

    /// The shortcode at `src[at]` (a `[`) written out, and where it ends;
    /// `None` when there is no shortcode there.
    fn shortcode(&mut self, at: usize) -> Option<usize> {
        let src = self.src;
        if src.as_bytes().get(at + 1) == Some(&b'[') {
            // `[[x]]` and `[[x]…[/x]]` are how one writes `[x]` and
            // `[x]…[/x]` in WordPress.
            let inner = shortcode::opening(src, at + 1)?;
            let end = if src.as_bytes().get(inner.end) == Some(&b']') {
                inner.end
            } else if !ENCLOSING.contains(&inner.name) {
                return None;
            } else {
                self.closing(inner.name, inner.end, inner.self_closing)
                    .map(|(_, after)| after)
                    .filter(|&after| src.as_bytes().get(after) == Some(&b']'))?
            };
            self.out.push_str(&src[at + 1..end]);
            return Some(end + 1);
        }
        let opening = shortcode::opening(src, at)?;
        let attrs = || Attrs::parse(opening.attrs);
        let name = opening.name;
        let converted = match name {
            "caption" | "wp_caption" => match self.closing(name, opening.end, opening.self_closing)
            {
                Some((content_end, after)) => {
                    shortcode::caption(&attrs(), &src[opening.end..content_end], &mut self.out);
                    Some(after)
                }
                None => None,
            },
            "embed" => self
                .closing(name, opening.end, opening.self_closing)
                .and_then(|(content_end, after)| {
                    let url = src[opening.end..content_end].trim();
                    (is_address(url) && shortcode::link_paragraph(url, &mut self.out))
                        .then_some(after)
                }),
            "audio" | "video" => shortcode::media(name, &attrs(), &mut self.out).then(|| {
                // Content is a fallback for old browsers: dropped.
                self.closing(name, opening.end, opening.self_closing)
                    .map_or(opening.end, |(_, after)| after)
            }),
            "gallery" => {
                shortcode::gallery(&attrs(), self.post_id, self.attachments, &mut self.out);
                Some(opening.end)
            }
            _ => None,
        };
        if converted.is_none() {
            // Left as written; whatever it encloses is read on as usual.
            self.out.push_str(&src[at..opening.end]);
            if self.unknown_seen.insert(name) {
                self.unknown.push(name.to_owned());
            }
        }
        Some(converted.unwrap_or(opening.end))
    }

    /// The `[/name]` after `from`: where its content ends and where the
    /// closing tag ends.
    fn closing(
        &mut self,
        name: &'a str,
        from: usize,
        self_closing: bool,
    ) -> Option<(usize, usize)> {
        if self_closing {
            return None;
        }
        let tag_len = name.len() + 3;
        // The last answer for this name holds for any later start up to
        // where it found the tag.
        if let Some(&(_, searched_from, found)) = self.closings.iter().find(|(n, _, _)| *n == name)
            && searched_from <= from
            && found.is_none_or(|at| from <= at)
        {
            return found.map(|at| (at, at + tag_len));
        }
        let tag = format!("[/{name}]");
        let found = self.src[from..].find(&tag).map(|k| from + k);
        self.closings.retain(|(n, _, _)| *n != name);
        self.closings.push((name, from, found));
        found.map(|at| (at, at + tag_len))
    }
}

/// An http(s) address and nothing else.
fn is_address(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return false;
    };
    !rest.is_empty()
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '[' | ']'))
}
