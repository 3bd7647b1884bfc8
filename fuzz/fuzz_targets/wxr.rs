//! WordPress exports: the reader takes any bytes without panicking, and
//! every post body it finds, converted and sanitized as the importer does,
//! holds nothing that can run script.
#![no_main]

use bbn_wxr::{Record, body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bodies = Vec::new();
    let _ = bbn_wxr::read(data, |record| {
        if let Record::Item(item) = record {
            bodies.push((item.content, item.post_id));
        }
        Ok::<_, std::io::Error>(())
    });
    for (content, post_id) in bodies {
        let converted = body::convert(&content, post_id, &body::NoAttachments);
        let html = bbn_core::markdown::sanitize(&converted.html);
        bbn_fuzz::assert_script_free(&html);
    }
});
