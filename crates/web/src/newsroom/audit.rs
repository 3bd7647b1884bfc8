//! The audit log's two ends: the layers that record every write a staff
//! member asks of the newsroom or of the API (refused ones too, with their
//! status), sign-ins as they happen, and the admins' screen that reads it.
//!
//! A write's entry is added before the write runs and given its status
//! after it answers, outside the write's own transaction: a write cut
//! short by a crash is still in the log, as one whose outcome is not
//! known (status 0). Should the entry fail to be added first (the log's
//! own write failing), the write still runs and the entry is tried again
//! with its outcome.

use crate::AppState;
use crate::api::v1::auth::Caller;
use crate::error::AppError;
use crate::extract::client::ClientAddr;
use crate::extract::session::CurrentUser;
use crate::signing;
use axum::extract::{FromRequestParts, MatchedPath, OriginalUri, Query, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{Html, Response};
use bbn_core::Role;
use bbn_store::NewAuditEntry;
use serde::{Deserialize, Serialize};

/// Entries on one page of the screen.
const PAGE: i64 = 100;

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

/// What an action was, in words, for the screen.
fn describe(action: &str) -> &str {
    let Some((method, route)) = action.split_once(' ') else {
        return action;
    };
    let route = route.strip_prefix("/newsroom").unwrap_or(route);
    match (method, route) {
        ("POST", "/sign-in") => "Sign-in",
        ("POST", "/sign-out") => "Signed out everywhere",
        ("POST", "/setup/{token}") => "Set up the first account",
        ("POST", "/account/password") => "Changed own password",
        ("POST", "/articles/new") | ("POST", "/api/v1/articles") => "Created an article",
        ("POST", "/articles/{id}/edit") | ("PATCH", "/api/v1/articles/{id}") => "Saved an article",
        ("POST", "/articles/{id}/status") | ("POST", "/api/v1/articles/{id}/{step}") => {
            "Moved an article in the workflow"
        }
        ("POST", "/articles/{id}/corrections") => "Added a correction or update",
        ("POST", "/articles/{id}/revisions/{rev}/restore") => "Restored a revision",
        ("POST", "/articles/{id}/image") | ("POST", "/api/v1/media") => "Uploaded an image",
        ("POST", "/articles/{id}/image/details") => "Changed an image's details",
        ("POST", "/articles/{id}/image/remove") => "Removed an article's image",
        ("POST", "/comments") | ("POST", "/api/v1/comments/{id}/status") => "Moderated comments",
        ("POST", "/picks") => "Changed Editors' Picks",
        ("POST", "/pages") | ("POST", "/pages/{id}") => "Saved a page",
        ("POST", "/pages/{id}/delete") => "Deleted a page",
        ("POST", "/sections") | ("POST", "/sections/{id}") => "Changed sections",
        ("POST", "/topics") | ("POST", "/topics/{id}") => "Changed topics",
        ("POST", "/topics/{id}/merge") => "Merged topics",
        ("POST", "/settings") => "Changed site settings",
        ("POST", "/settings/logo") => "Changed the logo",
        ("POST", "/staff") => "Added a staff account",
        ("POST", "/staff/{id}") => "Changed a staff account",
        ("POST", "/webhooks") | ("POST", "/webhooks/{id}") => "Changed webhooks",
        ("POST", "/webhooks/{id}/deliveries/{delivery}/retry") => "Retried a webhook delivery",
        ("POST", "/api-keys") => "Made an API key",
        ("POST", "/api-keys/{id}/revoke") => "Revoked an API key",
        _ => action,
    }
}

#[derive(Deserialize)]
pub struct ScreenQuery {
    before: Option<i64>,
    user: Option<i64>,
}

#[derive(Serialize)]
struct Row {
    when: String,
    actor: String,
    user_id: Option<i64>,
    what: String,
    action: String,
    target: String,
    status: i64,
    refused: bool,
    cut_short: bool,
    address: String,
}

/// `/newsroom/audit`: admins only, newest first, a hundred at a time.
pub async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ScreenQuery>,
) -> Result<Html<String>, AppError> {
    me.require(Role::Admin)?;
    let settings = state.store.settings().await?;
    let zone = bbn_core::time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let entries = state.store.audit_log(q.before, q.user, PAGE).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let rows: Vec<Row> = entries
        .into_iter()
        .map(|e| Row {
            when: bbn_core::time::long_with_time(e.at, zone),
            what: describe(&e.action).to_string(),
            refused: e.status >= 400,
            cut_short: e.status == 0,
            address: e.address_hash.chars().take(8).collect(),
            actor: e.actor,
            user_id: e.user_id,
            action: e.action,
            target: e.target,
            status: e.status,
        })
        .collect();
    let people: Vec<(i64, String)> = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    super::page(
        &state,
        &me,
        "newsroom/audit.html",
        minijinja::context! { site => settings.name, rows, older, user => q.user, people },
    )
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

    #[test]
    fn known_actions_read_as_words_and_others_as_themselves() {
        assert_eq!(
            describe("POST /newsroom/articles/{id}/status"),
            "Moved an article in the workflow"
        );
        assert_eq!(describe("PATCH /api/v1/articles/{id}"), "Saved an article");
        assert_eq!(describe("DELETE /newsroom/x"), "DELETE /newsroom/x");
        assert_eq!(describe("odd"), "odd");
    }
}
