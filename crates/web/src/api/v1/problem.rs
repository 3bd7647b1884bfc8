//! Errors as `application/problem+json` (RFC 9457): a status, a title, a
//! detail a developer can act on, and, where one parameter or field is at
//! fault, its name.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: String,
    /// The query parameter at fault.
    pub parameter: Option<&'static str>,
    /// Fields of a request body and what is wrong with each.
    pub errors: Vec<(String, String)>,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            detail: detail.into(),
            parameter: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "There is nothing at this address.")
    }

    pub fn forbidden() -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "This token's role does not allow that.",
        )
    }

    /// A query parameter that cannot be used.
    pub fn parameter(name: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            parameter: Some(name),
            ..Problem::new(StatusCode::BAD_REQUEST, detail)
        }
    }

    pub fn body(&self) -> Value {
        let mut v = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Some(p) = self.parameter {
            v["parameter"] = json!(p);
        }
        if !self.errors.is_empty() {
            v["errors"] = json!(
                self.errors
                    .iter()
                    .map(|(field, message)| json!({ "field": field, "message": message }))
                    .collect::<Vec<_>>()
            );
        }
        v
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body().to_string()).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"bbn\""),
            );
        }
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

impl From<bbn_store::StoreError> for Problem {
    fn from(e: bbn_store::StoreError) -> Problem {
        use bbn_store::StoreError;
        match e {
            StoreError::NotFound => Problem::not_found(),
            StoreError::Invalid(errors) => Problem {
                errors: errors
                    .into_iter()
                    .map(|e| (e.field.to_string(), e.message))
                    .collect(),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Some fields are not valid; see errors.",
                )
            },
            StoreError::Conflict { field: "revision" } => Problem::new(
                StatusCode::CONFLICT,
                "The article changed since the revision given; read it again and retry.",
            ),
            StoreError::Conflict { field } => Problem {
                errors: vec![(field.to_string(), format!("This {field} is taken."))],
                ..Problem::new(StatusCode::CONFLICT, format!("The {field} is taken."))
            },
            other => {
                tracing::error!(error = %other, "API request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server.",
                )
            }
        }
    }
}

impl From<crate::error::AppError> for Problem {
    fn from(e: crate::error::AppError) -> Problem {
        use crate::error::AppError;
        match e {
            AppError::NotFound => Problem::not_found(),
            AppError::Forbidden => Problem::forbidden(),
            AppError::BadRequest(m) => Problem::new(StatusCode::BAD_REQUEST, m),
            AppError::Store(e) => e.into(),
            other => {
                tracing::error!(error = %other, "API request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server.",
                )
            }
        }
    }
}
