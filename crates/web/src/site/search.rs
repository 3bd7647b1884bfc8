//! `/search`: full-text search with filters, facets and pages, and
//! `/search/suggest`, headlines for the search box's type-ahead. Whatever
//! the query string holds, the answer is a page (or JSON), never an error.

use crate::AppState;
use crate::error::AppError;
use crate::views::{Chrome, When, article_url};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use bbn_core::time;
use bbn_search::{SearchRequest, Sort};

const PER_PAGE: usize = 10;
/// The filters a search page carries in its links, in this order.
pub(crate) const KEYS: [&str; 7] = ["q", "sort", "section", "topic", "author", "from", "until"];

/// The query string's parameters, first value of each; anything unreadable is ignored.
pub(crate) fn params(raw: Option<&str>) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        if !out.iter().any(|(x, _)| *x == k) {
            out.push((k, v));
        }
    }
    out
}

pub(crate) fn get<'a>(p: &'a [(String, String)], key: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A link to this search with `key` set to `value` (or removed), back on page 1.
pub(crate) fn link(p: &[(String, String)], key: &str, value: Option<&str>) -> String {
    let mut kept: Vec<(&str, &str)> = KEYS
        .iter()
        .filter(|k| **k != key)
        .filter_map(|k| get(p, k).map(|v| (*k, v)))
        .collect();
    if let Some(v) = value {
        kept.push((key, v));
    }
    kept.sort_by_key(|(k, _)| KEYS.iter().position(|x| x == k));
    format!(
        "/search?{}",
        serde_urlencoded::to_string(&kept).unwrap_or_default()
    )
}

/// A day given as YYYY-MM-DD, as the Unix time its start has in the site's zone.
fn day(text: Option<&str>, zone: chrono_tz::Tz) -> Option<i64> {
    let t = text?;
    let valid = t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
    valid
        .then(|| time::parse_local(&format!("{t}T00:00"), zone))
        .flatten()
}

#[derive(serde::Serialize)]
struct HitView {
    url: String,
    headline_html: String,
    snippet_html: String,
    published: When,
}

#[derive(serde::Serialize)]
struct FacetView {
    name: String,
    count: u64,
    url: String,
    active: bool,
}

/// The search a page's query string asks for; anything odd reads as its default.
fn search_request(p: &[(String, String)], zone: chrono_tz::Tz) -> SearchRequest {
    let page: usize = get(p, "page")
        .and_then(|v| v.parse().ok())
        .filter(|n| (1..=1000).contains(n))
        .unwrap_or(1);
    let sort = if get(p, "sort") == Some("newest") {
        Sort::Newest
    } else {
        Sort::Relevance
    };
    SearchRequest {
        q: get(p, "q").unwrap_or("").to_string(),
        sort,
        section: get(p, "section").map(str::to_string),
        topic: get(p, "topic").map(str::to_string),
        author: get(p, "author").map(str::to_string),
        from: day(get(p, "from"), zone),
        until: day(get(p, "until"), zone).map(|t| t + 86_400),
        page,
        per_page: PER_PAGE,
    }
}

/// A facet's values as links that add the filter, or take it off again.
fn facet_views(p: &[(String, String)], key: &str, list: &[bbn_search::Facet]) -> Vec<FacetView> {
    let current = get(p, key);
    list.iter()
        .map(|f| {
            let active = current == Some(f.slug.as_str());
            FacetView {
                name: f.name.clone(),
                count: f.count,
                url: link(p, key, (!active).then_some(f.slug.as_str())),
                active,
            }
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let p = params(raw.as_deref());
    let chrome = Chrome::load(&state, None).await?;
    let zone = chrome.zone;
    let request = search_request(&p, zone);
    let (q, page, sort) = (request.q.clone(), request.page, request.sort);
    let results = state.search.search(&request).await?;
    let hits: Vec<HitView> = results
        .hits
        .iter()
        .map(|h| HitView {
            url: article_url(&h.slug),
            headline_html: crate::views::text::marked_html(&h.headline),
            snippet_html: crate::views::text::marked_html(&h.snippet),
            published: When::new(h.published_at, zone),
        })
        .collect();
    let facets = |key: &str, list: &[bbn_search::Facet]| facet_views(&p, key, list);
    let pages = results.total.div_ceil(PER_PAGE).clamp(1, 1000);
    let page_link = |n: usize| {
        let base = link(&p, "page", None);
        if n == 1 {
            base
        } else {
            format!("{base}&page={n}")
        }
    };
    let filtered = ["section", "topic", "author", "from", "until"]
        .iter()
        .any(|k| get(&p, k).is_some());
    let ctx = minijinja::context! {
        chrome, q, total => results.total, hits, page, pages,
        canonical => "/search",
        newest => sort == Sort::Newest,
        by_relevance => link(&p, "sort", None),
        by_newest => link(&p, "sort", Some("newest")),
        sections => facets("section", &results.sections),
        topics => facets("topic", &results.topics),
        authors => facets("author", &results.authors),
        facets_estimated => results.facets_estimated,
        from => get(&p, "from"), until => get(&p, "until"),
        section => get(&p, "section"), topic => get(&p, "topic"), author => get(&p, "author"),
        clear_filters => filtered.then(|| {
            let q_only: Vec<(String, String)> = p.iter().filter(|(k, _)| k == "q" || k == "sort").cloned().collect();
            link(&q_only, "page", None)
        }),
        fuzzy => results.fuzzy,
        suggestion => results.suggestion.as_ref().map(|s| minijinja::context! { text => s, url => link(&p, "q", Some(s)) }),
        prev => (page > 1).then(|| page_link(page - 1)),
        next => (page < pages).then(|| page_link(page + 1)),
    };
    // Results follow every publish and unpublish at once, so neither a
    // browser nor a CDN may answer from a copy without asking.
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-cache")],
        super::page(&state, "site/search.html", ctx)?,
    )
        .into_response())
}

#[derive(serde::Serialize)]
struct Suggestion {
    headline: String,
    url: String,
}

/// Type-ahead: up to 6 headlines for what is typed so far.
pub async fn suggest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let p = params(raw.as_deref());
    let q = get(&p, "q").unwrap_or("");
    let found = if q.chars().count() < 2 {
        Vec::new()
    } else {
        state.search.suggest(q, 6).await?
    };
    let list: Vec<Suggestion> = found
        .into_iter()
        .map(|(headline, slug)| Suggestion {
            headline,
            url: article_url(&slug),
        })
        .collect();
    Ok((
        [(axum::http::header::CACHE_CONTROL, "public, max-age=30")],
        Json(list),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_filters_and_drop_the_page() {
        let p = params(Some("q=lavrov+talks&page=3&section=world&q=ignored&junk=1"));
        assert_eq!(get(&p, "q"), Some("lavrov talks"));
        assert_eq!(
            link(&p, "topic", Some("diplomacy")),
            "/search?q=lavrov+talks&section=world&topic=diplomacy"
        );
        assert_eq!(link(&p, "section", None), "/search?q=lavrov+talks");
        assert!(
            params(Some("%FF%FE=%ZZ&q=%E2%82")).len() <= 2,
            "bad encodings do not fail"
        );
    }
}
