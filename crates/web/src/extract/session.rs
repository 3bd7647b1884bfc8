//! Who is signed in: the session cookie, checked against the sessions table
//! on every request (so a disabled account or a sign-out elsewhere takes
//! effect at once), with an inactivity timeout.

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use bbn_core::{Role, User};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "bbn_session";
/// The reader's own comments awaiting moderation (signed ids), set by the
/// comment form. Named here, beside the session cookie, because the page
/// cache below the handlers passes both requests by.
pub const PENDING_COOKIE: &str = "bbn_pending";
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 8 * 3600;

/// The value of one cookie of a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// What the sessions table stores of a token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh random token (256 bits, hex).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

impl CurrentUser {
    /// Refuses the request unless the user's role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.user.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

async fn load(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| t.len() == 64) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let now = state.store.now();
    let session = state
        .store
        .session(&hash, now, now + IDLE_TIMEOUT_SECS)
        .await?;
    Ok(session.map(|s| CurrentUser {
        user: s.user,
        csrf_token: s.csrf_token,
        token_hash: hash,
    }))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        match load(parts, state).await? {
            Some(user) => {
                parts.extensions.insert(user.clone());
                Ok(user)
            }
            None => Err(AppError::SignInRequired {
                next: parts.uri.path().to_string(),
            }),
        }
    }
}

/// The signed-in staff member, if any (pages that work either way).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(u) => Ok(MaybeUser(Some(u))),
            Err(AppError::SignInRequired { .. }) => Ok(MaybeUser(None)),
            Err(e) => Err(e),
        }
    }
}
