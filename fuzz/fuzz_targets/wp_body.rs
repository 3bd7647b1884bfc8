//! WordPress post bodies (blocks, shortcodes, classic text with automatic
//! paragraphs) converted as the importer converts them: never a panic, and
//! once sanitized, nothing that can run script and nothing a second
//! sanitizing pass would change.
#![no_main]

use bbn_wxr::body;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|content: &str| {
    let converted = body::convert(content, 7, &body::NoAttachments);
    let html = bbn_core::markdown::sanitize(&converted.html);
    assert_eq!(
        bbn_core::markdown::sanitize(&html),
        html,
        "sanitizing the converted body again changed it"
    );
    bbn_fuzz::assert_script_free(&html);
});
