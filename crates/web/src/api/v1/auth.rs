//! Who is calling the API, and how often. Without an `Authorization` header
//! a call reads what is public; with `Bearer <staff token>` it acts for the
//! token's account, with the token's role lowered to the account's current
//! one. An unknown, revoked or malformed token is a 401 — never silently
//! public. Every call takes one request from its rate-limit bucket.

use super::Problem;
use super::limits::Verdict;
use crate::AppState;
use crate::extract::client::ClientAddr;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bbn_core::{Role, User};
use bbn_store::ApiKeyKind;

/// The caller of an API request (put in the request's extensions by `guard`).
#[derive(Debug, Clone)]
pub enum Caller {
    Public,
    Staff { user: Box<User>, token_id: i64 },
}

impl Caller {
    /// The staff account behind the token, with at least `role`.
    pub fn staff(&self, role: Role) -> Result<&User, Problem> {
        match self {
            Caller::Public => Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "This needs a staff token: Authorization: Bearer <token>.",
            )),
            Caller::Staff { user, .. } if user.role >= role => Ok(user),
            Caller::Staff { .. } => Err(Problem::forbidden()),
        }
    }

    /// The staff account's id, when a staff token called.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::Public => None,
            Caller::Staff { user, .. } => Some(user.id),
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self, Caller::Staff { .. })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or(Caller::Public))
    }
}

fn unauthorized(detail: &str) -> Response {
    Problem::new(StatusCode::UNAUTHORIZED, detail).into_response()
}

/// Finds the caller and applies the rate limit, before any handler runs.
pub async fn guard(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    mut req: Request,
    next: Next,
) -> Response {
    let caller = match req.headers().get(header::AUTHORIZATION) {
        None => Caller::Public,
        Some(value) => match staff_caller(&state, &addr, value).await {
            Ok(caller) => caller,
            Err(refused) => return refused,
        },
    };
    let (bucket, per_minute) = match &caller {
        Caller::Public => (
            format!("address {addr}"),
            state.config.api_public_per_minute,
        ),
        Caller::Staff { token_id, .. } => (
            format!("token {token_id}"),
            state.config.api_token_per_minute,
        ),
    };
    let remaining = match state.api_limits.take(&bucket, per_minute) {
        Verdict::Allowed { remaining } => remaining,
        Verdict::Refused { retry_after } => {
            let mut problem = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("More than {per_minute} requests a minute; try again in {retry_after} s."),
            );
            problem.retry_after = Some(retry_after);
            let mut r = problem.into_response();
            r.headers_mut()
                .insert("ratelimit-limit", HeaderValue::from(per_minute));
            r.headers_mut()
                .insert("ratelimit-remaining", HeaderValue::from(0));
            return r;
        }
    };
    req.extensions_mut().insert(caller);
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from(per_minute));
    h.insert("ratelimit-remaining", HeaderValue::from(remaining));
    response
}

/// The staff member an `Authorization` header's token names, or the answer
/// that refuses it.
async fn staff_caller(
    state: &AppState,
    addr: &str,
    value: &HeaderValue,
) -> Result<Caller, Response> {
    // Looking a token up costs a query: each address may try only so
    // many, so a flood of made-up tokens is refused before the database.
    let lookups = state
        .config
        .api_token_per_minute
        .max(state.config.api_public_per_minute)
        * 2;
    if let Verdict::Refused { retry_after } =
        state.api_limits.take(&format!("lookups {addr}"), lookups)
    {
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many token checks from this address; try again in {retry_after} s."),
        );
        problem.retry_after = Some(retry_after);
        return Err(problem.into_response());
    }
    let Some(token) = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
    else {
        return Err(unauthorized(
            "The Authorization header must be `Bearer <token>`.",
        ));
    };
    let key = match state.store.api_key_for(token, ApiKeyKind::Staff).await {
        Ok(Some(key)) => key,
        Ok(None) => return Err(unauthorized("This token is unknown or revoked.")),
        Err(e) => return Err(Problem::from(e).into_response()),
    };
    let (Some(role), Some((user_id, ..))) = (key.effective_role(), key.user.as_ref()) else {
        return Err(unauthorized("This token is unknown or revoked."));
    };
    match state.store.user_by_id(*user_id).await {
        Ok(Some(mut user)) if !user.disabled => {
            user.role = role;
            Ok(Caller::Staff {
                user: Box::new(user),
                token_id: key.id,
            })
        }
        Ok(_) => Err(unauthorized("This token's account is disabled.")),
        Err(e) => Err(Problem::from(e).into_response()),
    }
}
