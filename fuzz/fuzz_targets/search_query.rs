//! The search box's query language: anything typed becomes at most 32
//! words and phrases, each with a letter or digit, words without spaces or
//! quotes, phrases without quotes.
#![no_main]

use bbn_search::query::{Part, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let parsed = parse(text);
    assert!(parsed.required.len() + parsed.excluded.len() <= 32);
    for part in parsed.required.iter().chain(&parsed.excluded) {
        match part {
            Part::Word(w) => {
                assert!(
                    !w.contains(char::is_whitespace) && !w.contains('"'),
                    "{w:?}"
                );
                assert!(w.chars().any(char::is_alphanumeric), "{w:?}");
            }
            Part::Phrase(p) => {
                assert!(!p.contains('"'), "{p:?}");
                assert!(p.chars().any(char::is_alphanumeric), "{p:?}");
            }
        }
    }
    if parsed.open_ended {
        assert!(matches!(parsed.required.last(), Some(Part::Word(_))));
    }
});
