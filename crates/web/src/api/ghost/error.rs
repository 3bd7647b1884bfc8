//! Errors as the Content API's clients expect them: `{"errors": [{…}]}`
//! with Ghost's error types and status codes, so that the official client
//! raises an error of the same name and message as against Ghost itself.
//! Internal causes are logged once and never sent.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bbn_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub enum GhostError {
    /// No `key` at all (Ghost: 403 NoPermissionError).
    MissingKey,
    /// A key that is not a live content key (Ghost: 401 UnauthorizedError).
    UnknownKey,
    /// A parameter given twice, such as two keys (Ghost: 400 BadRequestError).
    InvalidRequest,
    /// A parameter that cannot be read; the message names it.
    Invalid {
        parameter: &'static str,
        message: String,
    },
    /// A resource or an id/slug that does not exist ("Post not found.").
    NotFound(&'static str),
    /// More requests than a key may make (429 TooManyRequestsError).
    TooManyRequests,
    Internal(String),
}

impl From<StoreError> for GhostError {
    fn from(e: StoreError) -> GhostError {
        match e {
            StoreError::Invalid(errors) => {
                let first = errors.into_iter().next();
                match first {
                    Some(v) => GhostError::Invalid {
                        parameter: match v.field {
                            "filter" => "filter",
                            "order" => "order",
                            _ => "request",
                        },
                        message: v.message,
                    },
                    None => GhostError::InvalidRequest,
                }
            }
            StoreError::NotFound => GhostError::NotFound("Resource not found."),
            other => GhostError::Internal(other.to_string()),
        }
    }
}

/// A random id for one error, as Ghost gives each (a UUID's shape).
fn error_id() -> String {
    let b: [u8; 16] = rand::random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl IntoResponse for GhostError {
    fn into_response(self) -> Response {
        let (status, kind, message, context, code, property) = match self {
            GhostError::MissingKey => (
                StatusCode::FORBIDDEN,
                "NoPermissionError",
                "Authorization failed".to_string(),
                Some("Unable to determine the authenticated member or integration. Check the supplied Content API Key.".to_string()),
                None,
                None,
            ),
            GhostError::UnknownKey => (
                StatusCode::UNAUTHORIZED,
                "UnauthorizedError",
                "Unknown Content API Key".to_string(),
                None,
                Some("UNKNOWN_CONTENT_API_KEY"),
                Some("key"),
            ),
            GhostError::InvalidRequest => (
                StatusCode::BAD_REQUEST,
                "BadRequestError",
                "Invalid Request".to_string(),
                Some("A parameter was given more than once.".to_string()),
                Some("INVALID_REQUEST"),
                None,
            ),
            GhostError::Invalid { parameter, message } => {
                let (kind, headline) = if parameter == "filter" {
                    ("BadRequestError", "Error parsing filter".to_string())
                } else {
                    ("ValidationError", format!("Validation (matches) failed for {parameter}"))
                };
                (
                    StatusCode::BAD_REQUEST,
                    kind,
                    headline,
                    Some(format!("{parameter}: {message}")),
                    None,
                    Some(parameter),
                )
            }
            GhostError::NotFound(message) => (
                StatusCode::NOT_FOUND,
                "NotFoundError",
                message.to_string(),
                None,
                None,
                None,
            ),
            GhostError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequestsError",
                "Too many requests.".to_string(),
                Some("This content key made more requests a minute than bbn allows; try again shortly.".to_string()),
                None,
                Some("key"),
            ),
            GhostError::Internal(cause) => {
                tracing::error!(error = %cause, "content API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    "The server has encountered an error.".to_string(),
                    None,
                    None,
                    None,
                )
            }
        };
        let body = json!({
            "errors": [{
                "message": message,
                "context": context,
                "type": kind,
                "details": null,
                "property": property,
                "help": null,
                "code": code,
                "id": error_id(),
                "ghostErrorCode": null,
            }]
        });
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache, private, no-store, must-revalidate"),
        );
        response
    }
}
