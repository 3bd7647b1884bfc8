//! Search result snippets: the words of a search marked in an article's
//! body. The first line of the input is the search, the rest the body.
#![no_main]

use bbn_search::body_snippet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (q, text) = input.split_once('\n').unwrap_or((input, input));
    let Some(m) = body_snippet(q, text) else {
        return;
    };
    assert!(!m.marks.is_empty(), "a snippet with nothing marked: {m:?}");
    // The marks are in order, apart, never empty, on character boundaries
    // (slicing by them cannot panic).
    let mut at = 0;
    for r in &m.marks {
        assert!(at <= r.start && r.start < r.end && r.end <= m.text.len(), "{m:?}");
        assert!(m.text.is_char_boundary(r.start) && m.text.is_char_boundary(r.end), "{m:?}");
        at = r.end;
    }
    // The pieces put back together are the text, and the text is one
    // stretch of the body, and a short one.
    let whole: String = m.pieces().map(|(s, _)| s).collect();
    assert_eq!(whole, m.text);
    assert!(text.contains(&m.text), "{:?} is not part of the body", m.text);
    assert!(m.text.len() <= 240 * 4 + 64, "{} bytes of snippet", m.text.len());
    // Shown on a page, it is text with marks and nothing else.
    let html = bbn_web::fuzzing::marked_html(&m);
    let unmarked = html.replace("<mark>", "").replace("</mark>", "");
    assert!(!unmarked.contains(['<', '>']), "markup came through: {html:?}");
});
