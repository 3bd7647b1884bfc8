//! A panic in a handler costs that one request, never the site: the
//! request's future is run under `catch_unwind`, the panic is logged with
//! the request it happened in, and the client gets the 500 it would get for
//! any internal error — the themed page for readers and staff, a
//! problem+json body on `/api/v1`, Ghost's error shape on the Content API.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

pub async fn contain(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(%method, path, panic = what, "request panicked");
            internal_error(&path)
        }
    }
}

/// The 500 of the part of the site `path` belongs to.
fn internal_error(path: &str) -> Response {
    if path.starts_with("/api/v1") {
        crate::api::v1::problem::Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed to answer this request; it has been logged.",
        )
        .into_response()
    } else if path.starts_with(crate::api::ghost::PREFIX) {
        crate::api::ghost::error::GhostError::Internal("a handler panicked".to_owned())
            .into_response()
    } else {
        crate::error::AppError::Internal.into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        async fn boom() -> &'static str {
            let text = "&quot; £";
            // Slicing through '£' panics, as the old entity decoder did.
            let cut = 8.min(text.len());
            text.get(..cut)
                .map_or_else(|| panic!("sliced through a character"), |_| "")
        }
        Router::new()
            .route("/news/boom", get(boom))
            .route("/api/v1/boom", get(boom))
            .route("/ghost/api/content/boom", get(boom))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(super::contain))
    }

    async fn get_status(app: &Router, path: &str) -> (StatusCode, String) {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (response.status(), kind)
    }

    #[tokio::test]
    async fn a_panicking_handler_costs_one_request() {
        let app = app();
        let (status, _) = get_status(&app, "/news/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let (status, kind) = get_status(&app, "/api/v1/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(kind, "application/problem+json");
        let (status, kind) = get_status(&app, "/ghost/api/content/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(kind.starts_with("application/json"), "{kind}");
        let (status, _) = get_status(&app, "/healthz").await;
        assert_eq!(status, StatusCode::OK, "the site goes on answering");
    }
}
