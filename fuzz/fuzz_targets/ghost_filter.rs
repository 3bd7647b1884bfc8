//! The Content API's `filter` and `order` (NQL): whatever a client writes,
//! parsing and compiling never panic, and no value of it reaches the SQL
//! text: values are bound parameters, one `$n` each.
#![no_main]

use bbn_store::content_api::{Resource, filter, prepared_sql};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (filter_text, order_text) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = filter::parse(filter_text);
    for resource in [Resource::Posts, Resource::Tags, Resource::Authors] {
        let Ok((sql, binds, order)) = prepared_sql(resource, Some(filter_text), Some(order_text))
        else {
            continue;
        };
        // The one literal the compiler writes itself: LIKE's escape character.
        let sql = sql.replace(" ESCAPE '\\'", "");
        for text in [&sql, &order] {
            assert!(
                !text.contains(['\'', '"', ';', '\\']) && !text.contains("--"),
                "client text in SQL: {text:?}"
            );
        }
        let placeholders = sql.matches('$').count();
        assert_eq!(placeholders, binds, "{sql:?}");
    }
});
