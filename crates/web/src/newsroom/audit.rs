//! The audit log's screen for admins: who did what, newest first. What
//! writes the log is `crate::audit`.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use axum::extract::{Query, State};
use axum::response::Html;
use bbn_core::Role;
use serde::{Deserialize, Serialize};

/// Entries on one page of the screen.
const PAGE: i64 = 100;

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
