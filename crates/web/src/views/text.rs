//! Readers' plain text on a page: escaped, line breaks kept, and web
//! addresses turned into links that pass no reputation (`nofollow ugc`).

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A search result's text as HTML: escaped, the words the search matched
/// in `<mark>`.
pub fn marked_html(m: &bbn_search::Marked) -> String {
    let mut out = String::with_capacity(m.text.len() + m.marks.len() * 13 + 16);
    for (piece, on) in m.pieces() {
        if on {
            out.push_str("<mark>");
            out.push_str(&escape(piece));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(piece));
        }
    }
    out
}

/// Where a web address starting at `i` ends: at white space or a character
/// that cannot be in a URL, without trailing punctuation.
fn url_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
        .unwrap_or(rest.len());
    while end > 0 && rest[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']']) {
        end -= 1;
    }
    start + end
}

/// One paragraph of a reader's text as safe HTML: escaped, single line breaks
/// as `<br>`, `http://`, `https://` and `www.` addresses as links.
pub fn paragraph_html(text: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    let lower = text.to_ascii_lowercase();
    while i < text.len() {
        let next = ["https://", "http://", "www."]
            .iter()
            .filter_map(|p| lower[i..].find(p).map(|at| i + at))
            .min();
        let Some(start) = next else {
            out.push_str(&escape(&text[i..]));
            break;
        };
        // "www." only counts at the start of a word.
        let at_word_start = start == 0
            || !text[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.');
        let end = url_end(text, start);
        let candidate = &text[start..end];
        let has_host = candidate
            .split("//")
            .last()
            .is_some_and(|h| h.len() > 4 && h.contains('.'));
        if !at_word_start || !has_host {
            let skip = start + 1;
            out.push_str(&escape(&text[i..skip]));
            i = skip;
            continue;
        }
        out.push_str(&escape(&text[i..start]));
        let href = if candidate.to_ascii_lowercase().starts_with("www.") {
            format!("https://{candidate}")
        } else {
            candidate.to_string()
        };
        out.push_str(&format!(
            "<a href=\"{}\" rel=\"nofollow ugc noopener\">{}</a>",
            escape(&href),
            escape(candidate)
        ));
        i = end;
    }
    out.replace('\n', "<br>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_text_is_escaped_around_and_inside_its_marks() {
        let m = bbn_search::Marked {
            text: "<b>Zürich</b> & \"more\"".to_string(),
            marks: vec![3..10, 18..22],
        };
        assert_eq!(
            marked_html(&m),
            "&lt;b&gt;<mark>Zürich</mark>&lt;/b&gt; &amp; &quot;<mark>more</mark>&quot;"
        );
    }

    #[test]
    fn links_addresses_and_escapes_everything_else() {
        assert_eq!(
            paragraph_html("See https://news.example/a?b=1&c=2. Or www.example.org!"),
            "See <a href=\"https://news.example/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://news.example/a?b=1&amp;c=2</a>. \
             Or <a href=\"https://www.example.org\" rel=\"nofollow ugc noopener\">www.example.org</a>!"
        );
        assert_eq!(
            paragraph_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            paragraph_html("line one\nline two"),
            "line one<br>\nline two"
        );
    }

    #[test]
    fn only_web_addresses_become_links() {
        for text in [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://",
            "awww.example",
            "mailto:a@b.example",
        ] {
            assert!(!paragraph_html(text).contains("<a "), "{text}");
        }
        let quoted = paragraph_html("https://x.example/\"onmouseover=alert(1)");
        assert!(!quoted.contains("\"onmouseover"), "{quoted}");
    }
}
