//! The audit log's writing end: the layers that record every write a staff
//! member asks of the newsroom or of the API (refused ones too, with their
//! status), and sign-ins as their handler reports them. The admins' screen
//! that reads the log is `newsroom::audit`.
//!
//! A write's entry is added before the write runs and given its status
//! after it answers, outside the write's own transaction: a write cut
//! short by a crash is still in the log, as one whose outcome is not
//! known (status 0). Should the entry fail to be added first (the log's
//! own write failing), the write still runs and the entry is tried again
//! with its outcome.

use crate::AppState;
use crate::api::v1::auth::Caller;
use crate::extract::client::ClientAddr;
use crate::extract::session::CurrentUser;
use crate::signing;
use axum::extract::{FromRequestParts, MatchedPath, OriginalUri, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use bbn_store::NewAuditEntry;

/// Who did something, as the log names them.
struct Actor {
    user_id: i64,
    name: String,
}

/// Whether a request can change anything: reads and previews are not
/// logged, nor sign-ins, which their handler records (with or without an
/// account).
fn is_write(method: &Method, route: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        && !route.ends_with("/preview")
        && route != SIGN_IN
}

/// The sign-in form's route, as actions name it.
pub(crate) const SIGN_IN: &str = "/newsroom/sign-in";

fn route_of(request: &Request) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string())
}

/// The salted hash of a client's address that entries keep.
async fn hashed(state: &AppState, address: &str) -> String {
    match signing::secret(state).await {
        Ok(secret) => signing::address_hash(&secret, address),
        Err(_) => String::new(),
    }
}

/// Adds an entry; a failure to record is logged, not shown to the person
/// whose write already happened.
pub(crate) async fn record(
    state: &AppState,
    user_id: Option<i64>,
    actor: &str,
    action: &str,
    target: &str,
    status: u16,
    address: &str,
) {
    let hash = hashed(state, address).await;
    let entry = NewAuditEntry {
        user_id,
        actor,
        action,
        target,
        status,
        address_hash: &hash,
    };
    if let Err(e) = state.store.record_audit(&entry).await {
        tracing::error!(error = %e, action, target, "the audit log could not record a staff action");
    }
}

async fn around(
    state: &AppState,
    address: &str,
    route: &str,
    request: Request,
    next: Next,
    actor: Option<Actor>,
) -> Response {
    let Some(actor) = actor else {
        return next.run(request).await;
    };
    let action = format!("{} {route}", request.method());
    // Inside a nested router the URI has lost its prefix; the original has not.
    let target = request
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let hash = hashed(state, address).await;
    let entry = NewAuditEntry {
        user_id: Some(actor.user_id),
        actor: &actor.name,
        action: &action,
        target: &target,
        status: 0,
        address_hash: &hash,
    };
    let begun = state.store.begin_audit(&entry).await.inspect_err(|e| {
        tracing::error!(error = %e, action, target, "the audit log could not record a staff action");
    });
    let response = next.run(request).await;
    let status = response.status().as_u16();
    match begun {
        Ok(id) => {
            if let Err(e) = state.store.settle_audit(id, status).await {
                tracing::error!(error = %e, action, target, "the audit log could not record a staff action's outcome");
            }
        }
        // Once more, now that the outcome is known.
        Err(_) => {
            record(
                state,
                Some(actor.user_id),
                &actor.name,
                &action,
                &target,
                status,
                address,
            )
            .await
        }
    }
    response
}

/// Newsroom writes by a signed-in account. The account is looked up here
/// once and left in the request for the handler.
pub async fn newsroom_writes(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    request: Request,
    next: Next,
) -> Response {
    let route = route_of(&request);
    if !is_write(request.method(), &route) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let actor = CurrentUser::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .map(|u| Actor {
            user_id: u.user.id,
            name: u.user.name,
        });
    around(
        &state,
        &address,
        &route,
        Request::from_parts(parts, body),
        next,
        actor,
    )
    .await
}

/// API writes by a staff token (the API's guard has put the caller in the request).
pub async fn api_writes(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    request: Request,
    next: Next,
) -> Response {
    let route = route_of(&request);
    if !is_write(request.method(), &route) {
        return next.run(request).await;
    }
    let actor = match request.extensions().get::<Caller>() {
        Some(Caller::Staff { user, token_id }) => Some(Actor {
            user_id: user.id,
            name: format!("{} (API token {token_id})", user.name),
        }),
        _ => None,
    };
    around(&state, &address, &route, request, next, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_previews_are_not_writes() {
        assert!(!is_write(&Method::GET, "/newsroom/articles"));
        assert!(!is_write(&Method::HEAD, "/newsroom/articles"));
        assert!(!is_write(&Method::POST, "/newsroom/preview"));
        assert!(!is_write(&Method::POST, SIGN_IN));
        assert!(is_write(&Method::POST, "/newsroom/articles/{id}/status"));
        assert!(is_write(&Method::PATCH, "/api/v1/articles/{id}"));
    }
}
