//! Forms that change anything carry a CSRF token that the server checks
//! before it reads the form: the session's token when signed in, otherwise
//! a token bound to a cookie (double submit) for the sign-in and setup forms.

use super::session::{CurrentUser, cookie};
use crate::AppState;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;

pub const CSRF_COOKIE: &str = "bbn_csrf";
pub const CSRF_FIELD: &str = "_csrf";

/// A form body whose CSRF token matched; `T` is the form without the token.
pub struct CsrfForm<T>(pub T);

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let expected = match CurrentUser::from_request_parts(&mut parts, state).await {
            Ok(user) => user.csrf_token,
            Err(AppError::SignInRequired { .. }) => cookie(&parts.headers, CSRF_COOKIE)
                .filter(|t| t.len() == 64)
                .ok_or(AppError::CsrfRejected)?
                .to_string(),
            Err(e) => return Err(e),
        };
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
        // Read strictly first: serde_urlencoded would replace bytes that are
        // not UTF-8, so past this check its reading is exact.
        let fields = super::form::decode(&bytes).map_err(|_| {
            AppError::BadRequest("The form could not be read: it is not valid UTF-8.".into())
        })?;
        let sent = fields
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !same(sent, &expected) {
            return Err(AppError::CsrfRejected);
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("The form is incomplete: {e}")))?;
        Ok(CsrfForm(form))
    }
}
