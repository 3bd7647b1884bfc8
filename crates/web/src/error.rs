//! The web layer's one error type. Handlers return `AppError`; it becomes a
//! status code with a marker, and `render_error_pages` (a middleware with
//! access to the theme) turns the marker into a page in the site's look.
//! Internal causes are logged once and never shown to the reader.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use bbn_store::StoreError;

use crate::AppState;
use crate::views::Chrome;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A newsroom page asked for without a session: go sign in, then come back.
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("forbidden")]
    Forbidden,
    #[error("the form's security token did not match")]
    CsrfRejected,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many attempts")]
    TooManyRequests,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0:#}")]
    Render(#[from] minijinja::Error),
    #[error(transparent)]
    Search(#[from] bbn_search::SearchError),
    /// A failure already logged where it happened (a panic, a task that died).
    #[error("internal error")]
    Internal,
}

/// A workflow refusal where the caller has no better words for it: a
/// refused role is a 403, the rest a 400 with the rule's own message.
impl From<bbn_newsroom::workflow::Refusal> for AppError {
    fn from(r: bbn_newsroom::workflow::Refusal) -> AppError {
        use bbn_newsroom::workflow::Refusal;
        match r {
            Refusal::Forbidden => AppError::Forbidden,
            Refusal::Blocked(messages) => AppError::BadRequest(messages.join(" ")),
            Refusal::Invalid(message) => AppError::BadRequest(message),
            Refusal::Store(e) => AppError::Store(e),
        }
    }
}

/// Percent-encodes a path for a query parameter.
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Marks a response whose body the error-page middleware should render.
#[derive(Debug, Clone)]
pub struct ErrorPage(pub StatusCode, pub Option<String>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignInRequired { next } = &self {
            let target: String = url_escape(next);
            return axum::response::Redirect::to(&format!("/newsroom/sign-in?next={target}"))
                .into_response();
        }
        let status = match &self {
            AppError::NotFound | AppError::Store(StoreError::NotFound) => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Store(StoreError::Invalid(_)) => StatusCode::BAD_REQUEST,
            AppError::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => {
                tracing::error!(error = %self, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &self {
            AppError::CsrfRejected => {
                Some("The form expired or came from another site. Go back, reload the page and try again.".to_string())
            }
            AppError::Forbidden => Some("Your account is not allowed to do that.".to_string()),
            AppError::BadRequest(m) => Some(m.clone()),
            AppError::TooManyRequests => Some("Too many attempts. Wait a few minutes, then try again.".to_string()),
            _ => None,
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage(status, message));
        response
    }
}

/// Renders the themed page for responses marked with `ErrorPage`.
pub async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let Some(ErrorPage(status, message)) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    let template = if status == StatusCode::NOT_FOUND {
        "errors/404.html"
    } else {
        "errors/error.html"
    };
    // The site's look needs the database; when that is what failed, a plain page still answers.
    let chrome = Chrome::load(&state, None).await.ok();
    let body = state
        .theme
        .render(
            template,
            minijinja::context! { chrome, status => status.as_u16(), reason => status.canonical_reason(), message },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            format!("<!doctype html><title>{status}</title><h1>{status}</h1>")
        });
    let mut page = (status, Html(body)).into_response();
    page.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    page
}
