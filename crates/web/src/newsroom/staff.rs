//! Staff accounts, for admins: invite (create with a one-time password),
//! change role, disable or enable, reset a password.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use bbn_core::Role;
use bbn_store::{NewUser, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
    disabled: bool,
    is_me: bool,
}

/// A password to hand over once; the person changes it after signing in.
fn temporary_password() -> String {
    let alphabet = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes: [u8; 16] = rand::random();
    bytes
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect()
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    extra: minijinja::Value,
) -> Result<Response, AppError> {
    let rows: Vec<Row> = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| Row {
            is_me: u.id == me.user.id,
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role.as_str(),
            role_label: u.role.label(),
            disabled: u.disabled,
        })
        .collect();
    let roles: Vec<(&str, &str)> = Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let site = state.store.settings().await?.name;
    let body = super::render(
        state,
        me,
        "newsroom/staff.html",
        minijinja::context! { site, rows, roles, ..extra },
    )?;
    Ok((status, Html(body)).into_response())
}

pub async fn list(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    render(&state, &me, StatusCode::OK, minijinja::context! {}).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    name: String,
    email: String,
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let role =
        Role::parse(&form.role).ok_or_else(|| AppError::BadRequest("Unknown role.".into()))?;
    let temporary = temporary_password();
    let hash = super::auth::hash_password(&temporary, "The password could not be made.").await?;
    let created = state
        .store
        .create_user(&NewUser {
            email: form.email.clone(),
            name: form.name.clone(),
            role,
            password_hash: Some(hash),
        })
        .await;
    match created {
        Ok(_) => {
            let invited = minijinja::context! { email => form.email.trim().to_lowercase(), password => temporary };
            render(&state, &me, StatusCode::OK, minijinja::context! { invited }).await
        }
        Err(StoreError::Invalid(errors)) => {
            let errors: std::collections::BTreeMap<&str, String> = errors
                .iter()
                .map(|e| (e.field, e.message.clone()))
                .collect();
            let ctx =
                minijinja::context! { errors, form_name => form.name, form_email => form.email };
            render(&state, &me, StatusCode::BAD_REQUEST, ctx).await
        }
        Err(StoreError::Conflict { .. }) => {
            let errors = std::collections::BTreeMap::from([(
                "email",
                "Someone on the staff already has this email.",
            )]);
            let ctx =
                minijinja::context! { errors, form_name => form.name, form_email => form.email };
            render(&state, &me, StatusCode::CONFLICT, ctx).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct AccountAction {
    action: String,
    role: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountAction>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.id == me.user.id && form.action != "reset-password" {
        return Err(AppError::BadRequest(
            "You cannot disable yourself or change your own role.".into(),
        ));
    }
    let mut extra = minijinja::context! {};
    match form.action.as_str() {
        "disable" => state.store.set_user_disabled(id, true).await?,
        "enable" => state.store.set_user_disabled(id, false).await?,
        "role" => {
            let role = form
                .role
                .as_deref()
                .and_then(Role::parse)
                .ok_or_else(|| AppError::BadRequest("Unknown role.".into()))?;
            state.store.set_user_role(id, role).await?;
        }
        "reset-password" => {
            let temporary = temporary_password();
            let hash =
                super::auth::hash_password(&temporary, "The password could not be made.").await?;
            let keep = (user.id == me.user.id).then_some(me.token_hash.as_str());
            state.store.set_password(id, &hash, keep).await?;
            extra = minijinja::context! { invited => minijinja::context! { email => user.email, password => temporary } };
        }
        _ => return Err(AppError::BadRequest("Unknown action.".into())),
    }
    render(&state, &me, StatusCode::OK, extra).await
}
