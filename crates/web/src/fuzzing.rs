//! The decoders that read what a client sends, callable without a server,
//! for the fuzz targets in `fuzz/`. Each takes raw bytes or text as they
//! arrive, runs the same code a request runs, and panics when a property
//! that code promises does not hold. Not part of bbn's API.

use crate::api::ghost::params::{MAX_LIMIT, Params};
use crate::api::v1::query::{MAX_PER_PAGE, Query};
use crate::newsroom::articles::form::ArticleForm;
use crate::site::search;
use bbn_newsroom::admission;

/// A reader's comment form: decoded, each value cleaned as a one-line and
/// as a multi-line field. What cleaning accepts holds no control character
/// but line breaks and tabs (in multi-line fields) and no outer whitespace.
pub fn comment_form(body: &[u8]) {
    let Ok(fields) = crate::extract::form::decode(body) else {
        return;
    };
    for (_, value) in fields {
        for multiline in [false, true] {
            if let Ok(text) = admission::clean(&value, multiline) {
                let bad = text
                    .chars()
                    .find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t')));
                assert!(bad.is_none(), "control character {bad:?} kept in {text:?}");
                assert_eq!(text, text.trim(), "outer whitespace kept");
            }
        }
    }
}

/// The newsroom's article form as a save reads it: fields, FAQ buttons,
/// topics, then the draft's own checks. A slug that passes is safe to put
/// in a path and an attribute as it is.
pub fn article_form(body: &[u8]) {
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return;
    };
    let Ok(mut form) = ArticleForm::parse(fields) else {
        return;
    };
    form.apply_faq_action();
    let topics = form.topic_names();
    assert!(
        topics
            .iter()
            .all(|t| !t.is_empty() && t.trim() == t && !t.contains(','))
    );
    if let Ok(draft) = form.to_write().draft.normalize() {
        assert!(
            !draft.slug.is_empty()
                && draft
                    .slug
                    .chars()
                    .all(|c| c == '-' || c.is_alphanumeric() && !c.is_uppercase()),
            "slug {:?} accepted",
            draft.slug
        );
    }
}

/// `/api/v1`'s query string: paging stays in its bounds, and the links to
/// other pages keep every other parameter as it was.
pub fn api_query(raw: &str) {
    let Ok(query) = Query::parse(Some(raw)) else {
        return;
    };
    let Ok((page, per_page)) = query.paging() else {
        return;
    };
    assert!(page >= 1 && (1..=MAX_PER_PAGE).contains(&per_page));
    let next = query.with_page(page + 1, per_page);
    let Ok(again) = Query::parse(Some(&next)) else {
        panic!("a page link that cannot be read: {next:?}");
    };
    assert_eq!(again.paging().ok(), Some((page + 1, per_page)), "{next:?}");
    for name in ["q", "status", "section", "topic", "author", "sort", "since"] {
        assert_eq!(again.get(name), query.get(name), "{name} lost in {next:?}");
    }
}

/// The Ghost Content API's shared parameters: a page size in bounds, a page
/// from one, and no empty names in the lists.
pub fn ghost_params(raw: &str) {
    let Ok(p) = Params::parse(Some(raw)) else {
        return;
    };
    assert!((1..=MAX_LIMIT).contains(&p.limit) && p.page >= 1);
    assert!(p.include.iter().all(|s| !s.is_empty()));
    assert!(p.fields.iter().flatten().all(|s| !s.is_empty()));
}

/// The search page's query string: every facet and page link keeps the
/// other filters exactly and sets only its own.
pub fn search_params(raw: &str) {
    let p = search::params(Some(raw));
    for key in search::KEYS {
        for value in [Some("x y&z=1"), None] {
            let link = search::link(&p, key, value);
            let Some(query) = link.strip_prefix("/search?") else {
                panic!("a search link elsewhere: {link:?}");
            };
            let back = search::params(Some(query));
            assert_eq!(search::get(&back, key), value, "{key} in {link:?}");
            for other in search::KEYS.iter().filter(|k| **k != key) {
                assert_eq!(
                    search::get(&back, other),
                    search::get(&p, other),
                    "{other} in {link:?}"
                );
            }
        }
    }
}

/// A search result's marked text as the search page and the API show it.
pub fn marked_html(m: &bbn_search::Marked) -> String {
    crate::views::text::marked_html(m)
}
