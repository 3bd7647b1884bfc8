//! Markdown bodies to HTML: the output passes the sanitizer unchanged and
//! holds nothing that can run script.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let html = bbn_core::markdown::to_safe_html(text);
    assert_eq!(
        bbn_core::markdown::sanitize(&html),
        html,
        "sanitizing the output again changed it"
    );
    bbn_fuzz::assert_script_free(&html);
});
