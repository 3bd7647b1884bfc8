//! A Content API compatible with Ghost's, under `/ghost/api/content/`, so
//! that front-ends written for Ghost and the official `@tryghost/content-api`
//! client read bbn's published content unchanged: posts (published
//! articles), pages (static pages), tags (topics), authors (bylines) and
//! settings, with Ghost's parameters, envelopes, error shapes and status
//! codes. Every request carries a content key (`?key=`) made in the newsroom
//! or with `bbn apikey add`. Any origin may read it (browsers call it).

pub(crate) mod error;
pub(crate) mod params;
mod posts;
mod resource;
mod settings;
mod taxonomy;

use crate::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};

pub(crate) const PREFIX: &str = "/ghost/api/content";

/// A GET route answering both with and without the trailing slash Ghost's
/// URLs end with.
fn both(router: Router<AppState>, path: &str, route: MethodRouter<AppState>) -> Router<AppState> {
    router
        .route(&format!("{PREFIX}{path}/"), route.clone())
        .route(&format!("{PREFIX}{path}"), route)
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    r = both(r, "/posts", get(posts::browse));
    r = both(r, "/posts/{id}", get(posts::read_by_id));
    r = both(r, "/posts/slug/{slug}", get(posts::read_by_slug));
    r = both(r, "/pages", get(posts::browse_pages));
    r = both(r, "/pages/{id}", get(posts::read_page_by_id));
    r = both(r, "/pages/slug/{slug}", get(posts::read_page_by_slug));
    r = both(r, "/tags", get(taxonomy::browse_tags));
    r = both(r, "/tags/{id}", get(taxonomy::tag_by_id));
    r = both(r, "/tags/slug/{slug}", get(taxonomy::tag_by_slug));
    r = both(r, "/authors", get(taxonomy::browse_authors));
    r = both(r, "/authors/{id}", get(taxonomy::author_by_id));
    r = both(r, "/authors/slug/{slug}", get(taxonomy::author_by_slug));
    r = both(r, "/settings", get(settings::browse));
    r.route(
        &format!("{PREFIX}/{{*rest}}"),
        get(|| async { error::GhostError::NotFound("Resource not found.") }),
    )
    .layer(axum::middleware::from_fn(cors_and_version))
}

/// Lets pages on any origin read the API (preflight included, since the
/// client sends `Accept-Version`), and answers `Accept-Version` with the
/// API version bbn follows.
async fn cors_and_version(request: Request, next: Next) -> Response {
    let versioned = request.headers().contains_key("accept-version");
    let mut response = if request.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("accept-version, content-type, authorization"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        r
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if versioned {
        h.insert("content-version", HeaderValue::from_static("v5.0"));
    }
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("public, max-age=0"));
    h.append(header::VARY, HeaderValue::from_static("Accept-Version"));
    response
}
