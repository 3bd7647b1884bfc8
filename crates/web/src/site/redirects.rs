//! Old addresses: an imported site's permalinks and `/?p=ID` links lead,
//! with a 301, to where their content is now; and `/section/world/` finds
//! `/section/world`. Only requests that would otherwise be a 404 (and the
//! home page's WordPress-style queries) ever look here.

use crate::AppState;
use crate::views::{article_url, page_url, section_url, topic_url};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use bbn_store::Destination;

/// The query keys that name content on a WordPress site's home page.
const CONTENT_KEYS: [&str; 5] = ["p", "page_id", "cat", "tag", "attachment_id"];

/// A 301 that caches may keep for an hour (old addresses do not move back).
fn moved(location: &str) -> Option<Response> {
    HeaderValue::from_str(location).ok()?;
    let mut r = super::moved_permanently(location);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Some(r)
}

/// Middleware: a GET or HEAD that found nothing (a 404 marked for the
/// error pages, which run outside this) is looked up among old addresses
/// and answered with a 301 when it names moved content.
pub(crate) async fn old_addresses(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let reads = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if reads
        && response.status() == axum::http::StatusCode::NOT_FOUND
        && response
            .extensions()
            .get::<crate::error::ErrorPage>()
            .is_some()
        && let Some(moved) = for_missing(&state, &uri).await
    {
        return moved;
    }
    response
}

async fn lookup(state: &AppState, path: &str) -> Option<Response> {
    let destination = match state.store.redirect_for(path).await {
        Ok(d) => d?,
        Err(e) => {
            tracing::warn!(error = %e, "redirect lookup failed");
            return None;
        }
    };
    let url = match destination {
        Destination::Article(slug) => article_url(&slug),
        Destination::Page(slug) => page_url(&slug),
        Destination::Section(slug) => section_url(&slug),
        Destination::Topic(slug) => topic_url(&slug),
        Destination::Url(url) => url,
    };
    moved(&url)
}

/// A redirect for a request that found nothing, if the address is an old one.
pub(crate) async fn for_missing(state: &AppState, uri: &Uri) -> Option<Response> {
    let path = uri.path();
    if let Some(r) = lookup(state, path).await {
        return Some(r);
    }
    // "/section/world/" → "/section/world", keeping the query.
    let trimmed = path.trim_end_matches('/');
    if path.len() > 1
        && !trimmed.is_empty()
        && trimmed.len() < path.len()
        && !trimmed.contains("//")
        && !trimmed.contains('\\')
    {
        let to = match uri.query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        return moved(&to);
    }
    None
}

/// What the home page does with `?p=12`, `?page_id=3`, `?cat=5` or `?s=words`
/// (a WordPress site's links): a redirect, a 404 for content that is not
/// here, or None to show the home page as usual.
pub(crate) async fn for_home_query(state: &AppState, query: &str) -> Option<Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    for (key, value) in &pairs {
        if key == "s" {
            let q = serde_urlencoded::to_string([("q", value)]).ok()?;
            return moved(&format!("/search?{q}"));
        }
        if CONTENT_KEYS.contains(&key.as_str()) {
            return Some(
                lookup(state, &format!("/?{key}={value}"))
                    .await
                    .unwrap_or_else(|| crate::error::AppError::NotFound.into_response()),
            );
        }
    }
    None
}
