//! bbn's own JSON API under `/api/v1`, described by the OpenAPI 3.1 document
//! at `/api/v1/openapi.json`. Anyone may read what is public; staff tokens
//! write through the same code as the newsroom. Lists page with `page` and
//! `per_page`, and say so in the body and in `Link` and `X-Total-Count`
//! headers; errors are `application/problem+json`.

mod articles;
pub(crate) mod auth;
mod limits;
mod media;
mod ninjs;
mod openapi;
pub(crate) mod problem;
pub(crate) mod query;
mod taxonomy;
mod write;

pub use limits::{RateLimits, Verdict};
pub use problem::Problem;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

/// The largest JSON body the API reads (an article with a long body).
const MAX_JSON: usize = 2 * 1024 * 1024;

pub fn routes(state: AppState) -> Router<AppState> {
    let uploads = state.config.max_upload_bytes;
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route(
            "/articles",
            get(articles::list)
                .post(write::create)
                .layer(DefaultBodyLimit::max(MAX_JSON)),
        )
        .route(
            "/articles/{id}",
            get(articles::one)
                .patch(write::update)
                .layer(DefaultBodyLimit::max(MAX_JSON)),
        )
        .route("/articles/{id}/{step}", post(write::step))
        .route(
            "/media",
            post(write::upload)
                .layer(DefaultBodyLimit::max(uploads))
                .get(media::list),
        )
        .route(
            "/media/{id}",
            get(media::one)
                .patch(media::update)
                .delete(media::delete)
                .layer(DefaultBodyLimit::max(MAX_JSON)),
        )
        .route("/comments", get(write::queue))
        .route("/comments/{id}/status", post(write::moderate))
        .route("/articles/by-slug/{slug}", get(articles::by_slug))
        .route("/articles/{id}/ninjs", get(ninjs::article))
        .route("/articles/{id}/comments", get(articles::comments))
        .route("/search", get(articles::search))
        .route("/sections", get(taxonomy::sections))
        .route("/topics", get(taxonomy::topics))
        .route("/authors", get(taxonomy::authors))
        .fallback(|| async { Problem::not_found() })
        // Inside the guard, so the caller is known.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::audit::api_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(state, auth::guard))
}

/// A JSON answer.
pub fn json<T: Serialize>(value: &T) -> Response {
    let mut r = axum::Json(value).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// Where a page of a list is, and how long the list is.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PageMeta {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub pages: i64,
}

impl PageMeta {
    pub fn new(page: i64, per_page: i64, total: i64) -> PageMeta {
        PageMeta {
            page,
            per_page,
            total,
            pages: (total + per_page - 1) / per_page.max(1),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// A page of a list: `{"data": [...], "meta": {...}}` with `X-Total-Count`
/// and a `Link` header (first, prev, next, last) built from the request's
/// own query, so filters carry over.
pub fn page<T: Serialize>(
    base_url: &str,
    path: &str,
    query: &query::Query,
    meta: PageMeta,
    data: &[T],
) -> Response {
    let body = serde_json::json!({ "data": data, "meta": meta });
    let mut r = json(&body);
    let h: &mut HeaderMap = r.headers_mut();
    h.insert("x-total-count", HeaderValue::from(meta.total));
    let link = |p: i64, rel: &str| {
        format!(
            "<{base_url}{path}?{}>; rel=\"{rel}\"",
            query.with_page(p, meta.per_page)
        )
    };
    let last = meta.pages.max(1);
    let mut links = vec![link(1, "first")];
    if meta.page > 1 {
        links.push(link((meta.page - 1).min(last), "prev"));
    }
    if meta.page < meta.pages {
        links.push(link(meta.page + 1, "next"));
    }
    links.push(link(last, "last"));
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        h.insert(header::LINK, v);
    }
    r
}
