//! The text transforms: HTML to words (tags out, character references
//! decoded), Markdown to words, and free text to a slug.
#![no_main]

use bbn_core::markdown::{html_text, is_unwanted_control, plain_text};
use bbn_core::slug::{is_valid, slugify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    // HTML to words: no control character survives, raw or as a reference.
    let words = html_text(text);
    assert!(
        !words.contains(is_unwanted_control),
        "a control character came through: {words:?}"
    );
    // Text escaped as HTML comes back as it was (less control characters
    // and the outer white space).
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut expected: String = text.chars().filter(|c| !is_unwanted_control(*c)).collect();
    expected = expected.trim().to_string();
    assert_eq!(html_text(&escaped), expected, "escaped text did not decode back");

    // Markdown to words: never longer than the smart punctuation can make it.
    let plain = plain_text(text);
    assert!(
        plain.len() <= text.len() * 3 + 3,
        "{} bytes of Markdown gave {} bytes of text",
        text.len(),
        plain.len()
    );

    // A slug is empty or well formed, and making one of it changes nothing.
    let slug = slugify(text);
    assert!(slug.is_empty() || is_valid(&slug), "bad slug {slug:?}");
    assert_eq!(slugify(&slug), slug);
});
