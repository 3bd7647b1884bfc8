//! Text going into HTML, and character references coming out of it.

use std::borrow::Cow;

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
        "nbsp" => Some('\u{a0}'),
        _ => crate::read::resolve_reference(name),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_decode_leniently() {
        assert_eq!(
            decode_references("a &amp; b &#8217; &#x2019; &nbsp;&bogus; &"),
            "a & b ’ ’ \u{a0}&bogus; &"
        );
    }

    #[test]
    fn escaping_leaves_no_markup() {
        let mut out = String::new();
        escape_attribute("a&b\"c<d>'", &mut out);
        assert_eq!(out, "a&amp;b&quot;c&lt;d&gt;'");
        out.clear();
        escape_text("1 < 2 & \"ok\"", &mut out);
        assert_eq!(out, "1 &lt; 2 &amp; \"ok\"");
    }
}
