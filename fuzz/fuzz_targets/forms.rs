//! Form bodies and query strings as the site, the newsroom and the APIs
//! decode them. The first byte picks the decoder; the rest is the input.
#![no_main]

use bbn_web::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, input)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(input);
    match which % 5 {
        0 => fuzzing::comment_form(input),
        1 => fuzzing::article_form(input),
        2 => fuzzing::api_query(&text),
        3 => fuzzing::ghost_params(&text),
        _ => fuzzing::search_params(&text),
    }
});
