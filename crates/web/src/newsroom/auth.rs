//! Getting into the newsroom: the one-time setup of the first admin, signing
//! in and out, and changing one's own password.

use super::limiter::Verdict;
use crate::AppState;
use crate::error::AppError;
use crate::extract::client::ClientAddr;
use crate::extract::csrf::{CSRF_COOKIE, CsrfForm};
use crate::extract::session::{
    CurrentUser, IDLE_TIMEOUT_SECS, SESSION_COOKIE, cookie, random_token, token_hash,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Role, ValidationError, password};
use bbn_store::{NewUser, StoreError};
use serde::Deserialize;

/// Renders a newsroom form page, making sure the browser holds a CSRF cookie
/// for forms that are sent before anyone is signed in.
fn anonymous_form(
    state: &AppState,
    headers: &HeaderMap,
    template: &str,
    ctx: minijinja::Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let existing = cookie(headers, CSRF_COOKIE)
        .filter(|v| v.len() == 64)
        .map(str::to_string);
    let token = existing.clone().unwrap_or_else(random_token);
    let ctx = minijinja::context! { csrf => token, ..ctx };
    let body = state.theme.render(template, ctx)?;
    let mut response = (status, Html(body)).into_response();
    if existing.is_none() {
        let cookie = format!(
            "{CSRF_COOKIE}={token}; Path=/newsroom; HttpOnly; SameSite=Strict{}",
            secure(state)
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn secure(state: &AppState) -> &'static str {
    if state.config.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// Starts a session for `user_id` (always a new token: a session id known
/// before sign-in is never reused) and sends the browser to `next`.
async fn sign_in_as(state: &AppState, user_id: i64, next: &str) -> Result<Response, AppError> {
    let token = random_token();
    let now = state.store.now();
    state
        .store
        .create_session(
            &token_hash(&token),
            user_id,
            &random_token(),
            now + IDLE_TIMEOUT_SECS,
        )
        .await?;
    let mut response = Redirect::to(next).into_response();
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        secure(state)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// Only newsroom addresses are followed after sign-in (no open redirects).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/newsroom") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/newsroom".to_string(),
    }
}

fn field_errors(errors: &[ValidationError]) -> minijinja::Value {
    let map: std::collections::BTreeMap<&str, &str> = errors
        .iter()
        .map(|e| (e.field, e.message.as_str()))
        .collect();
    minijinja::Value::from_serialize(map)
}

// ---- first admin ----

#[derive(Deserialize)]
pub struct SetupForm {
    name: String,
    email: String,
    password: String,
    confirm: String,
}

fn setup_token_matches(state: &AppState, token: &str) -> bool {
    state.setup_token().is_some_and(|t| t == token)
}

pub async fn setup_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if !setup_token_matches(&state, &token) || state.store.count_users().await? > 0 {
        return Err(AppError::NotFound);
    }
    let site = state.store.settings().await?.name;
    anonymous_form(
        &state,
        &headers,
        "newsroom/setup.html",
        minijinja::context! { site, token },
        StatusCode::OK,
    )
}

pub async fn setup(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Result<Response, AppError> {
    if !setup_token_matches(&state, &token) || state.store.count_users().await? > 0 {
        return Err(AppError::NotFound);
    }
    let mut errors = Vec::new();
    if let Err(m) = password::check_strength(&form.password, &form.email) {
        errors.push(ValidationError::new("password", m));
    } else if form.password != form.confirm {
        errors.push(ValidationError::new("confirm", "The two passwords differ."));
    }
    let result = if errors.is_empty() {
        let hash = hash_password(&form.password, "The password could not be used.").await?;
        state
            .store
            .create_user(&NewUser {
                email: form.email.clone(),
                name: form.name.clone(),
                role: Role::Admin,
                password_hash: Some(hash),
            })
            .await
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(id) => {
            state.clear_setup_token();
            tracing::info!(user = id, "first admin created");
            sign_in_as(&state, id, "/newsroom").await
        }
        Err(StoreError::Invalid(errors)) => {
            let site = state.store.settings().await?.name;
            let ctx = minijinja::context! { site, token, errors => field_errors(&errors), name => form.name, email => form.email };
            anonymous_form(
                &state,
                &headers,
                "newsroom/setup.html",
                ctx,
                StatusCode::BAD_REQUEST,
            )
        }
        Err(e) => Err(e.into()),
    }
}

// ---- sign in / out ----

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn sign_in_page(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
    user: crate::extract::session::MaybeUser,
) -> Result<Response, AppError> {
    if user.0.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let site = state.store.settings().await?.name;
    let ctx = minijinja::context! { site, next => safe_next(q.next.as_deref()) };
    anonymous_form(
        &state,
        &headers,
        "newsroom/sign_in.html",
        ctx,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, AppError> {
    let account = form.email.trim().to_lowercase();
    // Counted as it begins, before the hash: parallel guesses get no more.
    match state.sign_in_limiter.attempt(&address, &account) {
        Verdict::Refuse => return Err(AppError::TooManyRequests),
        Verdict::Wait(d) => tokio::time::sleep(d).await,
        Verdict::Go => {}
    }
    let found = state.store.user_for_sign_in(&form.email).await?;
    // The same work whether or not the email exists, and the same answer;
    // Argon2 runs off the request workers, two at once.
    let (typed, stored, disabled) = match &found {
        Some((user, Some(hash))) => (form.password.clone(), Some(hash.clone()), user.disabled),
        _ => (form.password.clone(), None, true),
    };
    let ok = bbn_store::cpu::run(bbn_store::cpu::Work::Password, move || match stored {
        Some(hash) => password::verify(&typed, &hash) && !disabled,
        None => {
            password::verify(&typed, password::decoy_hash());
            false
        }
    })
    .await;
    let next = safe_next(form.next.as_deref());
    match found {
        Some((user, _)) if ok => {
            state.sign_in_limiter.succeeded(&address, &account);
            tracing::info!(user = user.id, "signed in");
            let response = sign_in_as(&state, user.id, &next).await?;
            let status = response.status().as_u16();
            audit_sign_in(&state, Some(user.id), &user.name, status, &address).await;
            Ok(response)
        }
        _ => {
            // Who was tried: the account if there is one, and what was typed.
            let tried: String = form.email.trim().chars().take(200).collect();
            let account = found.as_ref().map(|(u, _)| u.id);
            audit_sign_in(&state, account, &tried, 401, &address).await;
            let site = state.store.settings().await?.name;
            let ctx = minijinja::context! { site, next, email => form.email, failed => true };
            anonymous_form(
                &state,
                &headers,
                "newsroom/sign_in.html",
                ctx,
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

async fn audit_sign_in(
    state: &AppState,
    user_id: Option<i64>,
    actor: &str,
    status: u16,
    address: &str,
) {
    let action = format!("POST {}", crate::audit::SIGN_IN);
    crate::audit::record(
        state,
        user_id,
        actor,
        &action,
        crate::audit::SIGN_IN,
        status,
        address,
    )
    .await;
}

#[derive(Deserialize)]
pub struct Empty {}

/// Signing out ends the account's sessions on every device, not only this
/// one: a session left open on a shared or lost machine ends with it.
pub async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, AppError> {
    let ended = state.store.end_sessions(user.user.id).await?;
    tracing::info!(
        user = user.user.id,
        sessions = ended,
        "signed out everywhere"
    );
    let mut response = Redirect::to("/newsroom/sign-in").into_response();
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        secure(&state)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

// ---- own password ----

pub async fn password_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, AppError> {
    super::page(
        &state,
        &user,
        "newsroom/password.html",
        minijinja::context! {},
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let stored = state
        .store
        .user_for_sign_in(&user.user.email)
        .await?
        .and_then(|(_, h)| h);
    let mut errors = Vec::new();
    let current = form.current.clone();
    let matches = match stored {
        Some(h) => {
            bbn_store::cpu::run(bbn_store::cpu::Work::Password, move || {
                password::verify(&current, &h)
            })
            .await
        }
        None => false,
    };
    if !matches {
        errors.push(ValidationError::new(
            "current",
            "That is not your current password.",
        ));
    }
    if let Err(m) = password::check_strength(&form.password, &user.user.email) {
        errors.push(ValidationError::new("password", m));
    } else if form.password != form.confirm {
        errors.push(ValidationError::new("confirm", "The two passwords differ."));
    }
    if !errors.is_empty() {
        let body = super::render(
            &state,
            &user,
            "newsroom/password.html",
            minijinja::context! { errors => field_errors(&errors) },
        )?;
        return Ok((StatusCode::BAD_REQUEST, Html(body)).into_response());
    }
    let hash = hash_password(&form.password, "The password could not be used.").await?;
    state
        .store
        .set_password(user.user.id, &hash, Some(&user.token_hash))
        .await?;
    Ok(Redirect::to("/newsroom?notice=password-changed").into_response())
}

/// An Argon2 hash of a new password, made off the request workers.
pub(super) async fn hash_password(typed: &str, refusal: &str) -> Result<String, AppError> {
    let typed = typed.to_owned();
    bbn_store::cpu::run(bbn_store::cpu::Work::Password, move || {
        password::hash(&typed)
    })
    .await
    .map_err(|_| AppError::BadRequest(refusal.to_owned()))
}
