//! What the fuzz targets check of HTML that bbn puts on a reader's page:
//! tokenized the way a browser tokenizes it, it holds no element
//! that can run or load script, no event-handler or style attribute, and
//! no address with a scheme other than http, https or mailto.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use std::cell::RefCell;

/// Elements that run script, load documents or plugins, change how the
/// page around them is read, or switch the parser to another language.
const SCRIPT_CAPABLE: [&str; 27] = [
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "meta",
    "link",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "template",
    "noscript",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "portal",
    "title",
    "dialog",
];

/// Attributes whose value is an address.
const URL_ATTRIBUTES: [&str; 10] = [
    "href",
    "src",
    "cite",
    "poster",
    "action",
    "formaction",
    "background",
    "longdesc",
    "data",
    "xlink:href",
];

/// Start tags with their attributes, as the HTML tokenizer reads them.
struct StartTags(RefCell<Vec<(String, Vec<(String, String)>)>>);

impl TokenSink for StartTags {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(tag) = token
            && tag.kind == TagKind::StartTag
        {
            let attrs = tag
                .attrs
                .iter()
                .map(|a| {
                    (
                        a.name.local.to_ascii_lowercase().to_string(),
                        a.value.to_string(),
                    )
                })
                .collect();
            self.0
                .borrow_mut()
                .push((tag.name.to_ascii_lowercase().to_string(), attrs));
        }
        TokenSinkResult::Continue
    }
}

/// Panics, naming what it found, unless `html` is free of script.
pub fn assert_script_free(html: &str) {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(StartTags(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    for (tag, attrs) in tokenizer.sink.0.borrow().iter() {
        assert!(
            !SCRIPT_CAPABLE.contains(&tag.as_str()),
            "element <{tag}> in {html:?}"
        );
        for (key, value) in attrs {
            assert!(
                !key.starts_with("on")
                    && !matches!(
                        key.as_str(),
                        "style" | "srcdoc" | "http-equiv" | "srcset" | "xmlns"
                    ),
                "attribute {key} on <{tag}> in {html:?}"
            );
            if URL_ATTRIBUTES.contains(&key.as_str()) {
                assert!(
                    safe_address(value),
                    "address {value:?} in {key} on <{tag}> in {html:?}"
                );
            }
        }
    }
}

/// True when `value`, read as the URL standard reads an address (leading
/// and trailing controls and spaces dropped, tabs and line breaks dropped
/// anywhere, the scheme being letters, digits, `+`, `-` and `.` after a
/// letter, in any case), is relative or has the scheme http, https or mailto.
pub fn safe_address(value: &str) -> bool {
    let squeezed: String = value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let starts_with_letter = squeezed.starts_with(|c: char| c.is_ascii_alphabetic());
    let end = squeezed.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')));
    match end {
        Some(i) if starts_with_letter && squeezed[i..].starts_with(':') => matches!(
            squeezed[..i].to_ascii_lowercase().as_str(),
            "http" | "https" | "mailto"
        ),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(safe_address("/a/b?c:d"));
        assert!(safe_address("https://example.com/x"));
        assert!(!safe_address(" java\tscript:alert(1)"));
        assert!(!safe_address("JAVASCRIPT:x"));
        assert!(!safe_address("data:text/html,x"));
        assert!(!safe_address("\u{1}javascript:x"));
        // Not schemes: a browser reads these as paths on the site.
        assert!(safe_address("javasc$ript:alert(1)"));
        assert!(safe_address("javascriptLvoid(<!x:y"));
    }

    #[test]
    #[should_panic(expected = "attribute onerror")]
    fn handlers_are_found() {
        assert_script_free(r#"<img src="/x" onerror="alert(1)">"#);
    }

    #[test]
    #[should_panic(expected = "element <script>")]
    fn scripts_are_found() {
        assert_script_free("<p>a</p><script>alert(1)</script>");
    }

    #[test]
    fn clean_markup_passes() {
        assert_script_free(r#"<p><a href="https://x.test/" rel="noopener">x</a> 1 &lt; 2</p>"#);
    }
}
