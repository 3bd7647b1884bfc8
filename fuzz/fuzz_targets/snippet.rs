//! Search result snippets: the words of a search marked in an article's
//! body. The first line of the input is the search, the rest the body.
#![no_main]

use bbn_search::body_snippet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (q, text) = input.split_once('\n').unwrap_or((input, input));
    let Some(html) = body_snippet(q, text) else {
        return;
    };
    assert!(html.contains("<mark>"), "a snippet with nothing marked: {html:?}");
    // Outside the marks, everything is text: no tag can open.
    let unmarked = html.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !unmarked.contains(['<', '>']),
        "markup came through: {html:?}"
    );
    // Unescaped, it is one stretch of the body, and a short one.
    let back = unmarked
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    assert!(text.contains(&back), "{back:?} is not part of the body");
    assert!(back.len() <= 240 * 4 + 64, "{} bytes of snippet", back.len());
});
