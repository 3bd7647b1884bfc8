//! An element's text as WordPress meant it: text, CDATA sections and
//! references joined in order, with the whitespace that pretty-printing
//! puts around CDATA sections left out.

/// What a reference stands for: `amp`, `#38`, `#x26` (without `&` and `;`).
/// `None` for names XML does not predefine and for numbers that are not
/// characters.
pub fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
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

/// Decodes an attribute value as written (references and all), accepting a
/// bare `&` or an unknown reference as literal text and telling `note` the
/// byte offset in `raw` and what was accepted.
pub fn decode_attribute(raw: &str, mut note: impl FnMut(usize, String)) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let at = raw.len() - rest.len() + amp;
        let after = &rest[amp + 1..];
        let name_end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '#' || c == '_' || c == '-' || c == '.'))
            .unwrap_or(after.len());
        if after[name_end..].starts_with(';') && name_end > 0 {
            let name = &after[..name_end];
            if let Some(c) = resolve_reference(name) {
                out.push(c);
            } else {
                note(at, format!("unknown reference &{name}; kept as written"));
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
            rest = &after[name_end + 1..];
        } else {
            note(at, bare_ampersand());
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

pub fn bare_ampersand() -> String {
    "a bare & (it should be written &amp;) read as a literal &".to_owned()
}

/// XML's end-of-line rule: `\r\n` and a lone `\r` read as `\n`.
pub fn push_normalized(out: &mut String, s: &str) {
    if !s.contains('\r') {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

/// Whether `c` is a control character XML 1.0 does not allow in text
/// (all but tab, newline and carriage return) or one that means nothing in
/// a title or a body (DEL, the C1 range). Real exports carry them, pasted
/// from word processors; they are dropped rather than refused.
pub fn is_unwanted_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether a character reference (`#0`, `#x00`) names the NUL character,
/// which XML allows nowhere.
pub fn names_nul(name: &str) -> bool {
    let Some(number) = name.strip_prefix('#') else {
        return false;
    };
    let digits = number.strip_prefix(['x', 'X']).unwrap_or(number);
    !digits.is_empty() && digits.bytes().all(|b| b == b'0')
}

/// The text of the element being read.
pub struct ElementText {
    text: String,
    /// Whitespace-only text not yet known to be content: kept if more text
    /// follows, dropped if it only pads a CDATA section.
    pending_space: String,
    has_cdata: bool,
    /// The most bytes kept (`Limits::text`).
    limit: usize,
    /// The text passed the limit: what was read of it is dropped, and the
    /// rest is not kept.
    overflowed: bool,
    /// Control characters left out of the text.
    dropped_controls: u64,
}

impl Default for ElementText {
    fn default() -> Self {
        ElementText::new(usize::MAX)
    }
}

impl ElementText {
    pub fn new(limit: usize) -> Self {
        ElementText {
            text: String::new(),
            pending_space: String::new(),
            has_cdata: false,
            limit,
            overflowed: false,
            dropped_controls: 0,
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.pending_space.clear();
        self.has_cdata = false;
        self.overflowed = false;
        self.dropped_controls = 0;
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether the text passed the limit (and is therefore empty).
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// How many control characters were left out of the text.
    pub fn dropped_controls(&self) -> u64 {
        self.dropped_controls
    }

    /// Appends `s` without its unwanted control characters, unless that
    /// would pass the limit.
    fn append(&mut self, s: &str) {
        if self.overflowed {
            return;
        }
        if self.text.len() + self.pending_space.len() + s.len() > self.limit {
            self.overflowed = true;
            self.text = String::new();
            self.pending_space = String::new();
            return;
        }
        self.text.push_str(&self.pending_space);
        self.pending_space.clear();
        if s.contains(is_unwanted_control) {
            let mut dropped = 0;
            self.text.extend(s.chars().filter(|&c| {
                let unwanted = is_unwanted_control(c);
                dropped += u64::from(unwanted);
                !unwanted
            }));
            self.dropped_controls += dropped;
        } else {
            self.text.push_str(s);
        }
    }

    /// Character data between markup, already decoded and normalized.
    pub fn push_text(&mut self, s: &str) {
        if s.bytes().all(|b| b.is_ascii_whitespace()) {
            if !self.overflowed && self.pending_space.len() + s.len() <= self.limit {
                self.pending_space.push_str(s);
            }
        } else {
            self.push_content(s);
        }
    }

    /// What a reference stood for: content even when it is a space.
    pub fn push_content(&mut self, s: &str) {
        self.append(s);
    }

    pub fn push_char(&mut self, c: char) {
        self.push_content(c.encode_utf8(&mut [0; 4]));
    }

    pub fn push_cdata(&mut self, s: &str) {
        self.pending_space.clear();
        self.has_cdata = true;
        if s.contains('\r') {
            let mut normalized = String::with_capacity(s.len());
            push_normalized(&mut normalized, s);
            self.append(&normalized);
        } else {
            self.append(s);
        }
    }

    /// The element's text, as written between its tags.
    pub fn take(&mut self) -> String {
        if !self.has_cdata {
            self.text.push_str(&self.pending_space);
        }
        self.pending_space.clear();
        self.has_cdata = false;
        self.overflowed = false;
        self.dropped_controls = 0;
        std::mem::take(&mut self.text)
    }

    /// The element's text without surrounding whitespace, for names, ids,
    /// slugs and the like.
    pub fn take_trimmed(&mut self) -> String {
        let text = self.take();
        let trimmed = text.trim();
        if trimmed.len() == text.len() {
            text
        } else {
            trimmed.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(resolve_reference("amp"), Some('&'));
        assert_eq!(resolve_reference("#039"), Some('\''));
        assert_eq!(resolve_reference("#x1F600"), Some('😀'));
        assert_eq!(resolve_reference("#X41"), Some('A'));
        assert_eq!(resolve_reference("#xD800"), None);
        assert_eq!(resolve_reference("#0"), None);
        assert_eq!(resolve_reference("#+5"), None);
        assert_eq!(resolve_reference("#x+5"), None);
        assert_eq!(resolve_reference("#99999999999"), None);
        assert_eq!(resolve_reference("nbsp"), None);
        assert_eq!(resolve_reference("#"), None);
    }

    #[test]
    fn attribute_values_are_read_leniently() {
        let mut notes = Vec::new();
        let value = decode_attribute("a&amp;b & c&nbsp;d&#233;&", |at, _| notes.push(at));
        assert_eq!(value, "a&b & c&nbsp;dé&");
        assert_eq!(notes, vec![8, 11, 24]);
    }

    #[test]
    fn padding_around_cdata_is_not_content() {
        let mut t = ElementText::default();
        t.push_text("\n   ");
        t.push_cdata("one");
        t.push_text("\n");
        t.push_cdata("two");
        t.push_text("\n  ");
        assert_eq!(t.take(), "onetwo");

        t.push_text("  a ");
        t.push_content("&");
        t.push_text(" ");
        assert_eq!(t.take(), "  a & ");

        t.push_cdata("x\r\ny\rz");
        assert_eq!(t.take(), "x\ny\nz");
    }
}
