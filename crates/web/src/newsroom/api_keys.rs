//! API keys, for admins: content keys for the Ghost-compatible Content API
//! and staff tokens for bbn's own API. A new key is shown once, on the page
//! that made it; afterwards only its name, kind, last characters and dates.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use bbn_core::Role;
use bbn_store::{ApiKeyKind, NewApiKey, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    kind: &'static str,
    hint: String,
    acts_for: Option<String>,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct Account {
    id: i64,
    label: String,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    extra: minijinja::Value,
) -> Result<Response, AppError> {
    let settings = state.store.settings().await?;
    let zone = bbn_core::time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let when = |t: i64| bbn_core::time::long_with_time(t, zone);
    let rows: Vec<Row> = state
        .store
        .api_keys()
        .await?
        .into_iter()
        .map(|k| Row {
            acts_for: match (&k.user, k.role) {
                (Some((_, name, _)), Some(role)) => Some(format!("{name}, as {}", role.label())),
                _ => None,
            },
            id: k.id,
            name: k.name,
            kind: k.kind.as_str(),
            hint: k.hint,
            created: when(k.created_at),
            last_used: k.last_used_at.map(when),
            revoked: k.revoked_at.map(when),
        })
        .collect();
    let accounts: Vec<Account> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| Account {
            id: u.id,
            label: format!("{} ({}, {})", u.name, u.email, u.role.label()),
        })
        .collect();
    let roles: Vec<(&str, &str)> = Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let content_url = format!("{}/ghost/api/content/", state.config.base_url);
    let body = super::render(
        state,
        me,
        "newsroom/api_keys.html",
        minijinja::context! { site => settings.name, rows, accounts, roles, content_url, ..extra },
    )?;
    Ok((status, Html(body)).into_response())
}

pub async fn list(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    render(&state, &me, StatusCode::OK, minijinja::context! {}).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
    kind: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let kind = ApiKeyKind::parse(&form.kind)
        .ok_or_else(|| AppError::BadRequest("Unknown kind of key.".into()))?;
    let (user_id, role) = match kind {
        ApiKeyKind::Content => (None, None),
        ApiKeyKind::Staff => (
            form.user_id.as_deref().and_then(|u| u.parse().ok()),
            form.role.as_deref().and_then(Role::parse),
        ),
    };
    let made = state
        .store
        .create_api_key(&NewApiKey {
            name: form.name.clone(),
            kind,
            user_id,
            role,
            created_by: Some(me.user.id),
        })
        .await;
    match made {
        Ok(issued) => {
            let issued = minijinja::context! { key => issued.key, kind => kind.as_str(), name => form.name.trim() };
            render(&state, &me, StatusCode::OK, minijinja::context! { issued }).await
        }
        Err(StoreError::Invalid(errors)) => {
            let errors: std::collections::BTreeMap<String, String> = errors
                .iter()
                .map(|e| (format!("{}_{}", kind.as_str(), e.field), e.message.clone()))
                .collect();
            let ctx =
                minijinja::context! { errors, form_name => form.name, form_kind => kind.as_str() };
            render(&state, &me, StatusCode::BAD_REQUEST, ctx).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    state.store.revoke_api_key(id).await?;
    let revoked = true;
    render(&state, &me, StatusCode::OK, minijinja::context! { revoked }).await
}
