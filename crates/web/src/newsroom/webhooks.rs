//! Webhooks, for admins: register a receiver's URL for chosen events (its
//! signing secret is made here and shown once), pause, resume, delete, send
//! a test event, and read the delivery log with "retry now" for given-up
//! deliveries. The sending is the binary's background task.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Role, time};
use bbn_store::{StoreError, WEBHOOK_EVENTS};
use serde::Serialize;

/// How many deliveries the log shows.
const LOG_LENGTH: i64 = 50;

#[derive(Serialize)]
struct Hook {
    id: i64,
    url: String,
    events: Vec<String>,
    active: bool,
    created: String,
}

#[derive(Serialize)]
struct LogRow {
    id: i64,
    event: String,
    state: String,
    attempts: i64,
    last_status: Option<i64>,
    last_error: String,
    created: String,
    /// When the next attempt is due (pending only).
    next: Option<String>,
    delivered: Option<String>,
}

/// What each event means, for the checkboxes.
fn event_choices() -> Vec<(&'static str, &'static str)> {
    WEBHOOK_EVENTS
        .iter()
        .map(|e| {
            let label = match *e {
                "article.published" => "An article is published",
                "article.updated" => "A published article changes",
                "article.unpublished" => "An article is unpublished",
                "article.deleted" => "A published article is deleted",
                "comment.approved" => "A comment is approved",
                _ => "Site settings, sections, topics, authors or picks change",
            };
            (*e, label)
        })
        .collect()
}

/// A signing secret: 32 random bytes in hex.
fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn zone(state: &AppState) -> Result<chrono_tz::Tz, AppError> {
    let settings = state.store.settings().await?;
    Ok(time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC))
}

async fn render_list(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    extra: minijinja::Value,
) -> Result<Response, AppError> {
    let zone = zone(state).await?;
    let hooks: Vec<Hook> = state
        .store
        .webhooks()
        .await?
        .into_iter()
        .map(|h| Hook {
            id: h.id,
            url: h.url,
            events: h.events,
            active: h.active,
            created: time::long_with_time(h.created_at, zone),
        })
        .collect();
    let site = state.store.settings().await?.name;
    let body = super::render(
        state,
        me,
        "newsroom/webhooks.html",
        minijinja::context! { site, hooks, choices => event_choices(), ..extra },
    )?;
    Ok((status, Html(body)).into_response())
}

pub async fn list(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    render_list(&state, &me, StatusCode::OK, minijinja::context! {}).await
}

pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let url = fields
        .iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let events: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "events")
        .map(|(_, v)| v.clone())
        .collect();
    let secret = new_secret();
    // The sender refuses internal addresses when it connects; this only
    // says so on the form for a URL that names one outright.
    if !state.config.webhook_allow_private
        && let Err(message) = bbn_core::address::check_webhook_url(&url)
    {
        let errors = std::collections::BTreeMap::from([("url", message)]);
        let ctx = minijinja::context! { errors, form_url => url, form_events => events };
        return render_list(&state, &me, StatusCode::BAD_REQUEST, ctx).await;
    }
    match state.store.create_webhook(&url, &events, &secret).await {
        Ok(id) => {
            let created = minijinja::context! { id, url, secret };
            render_list(&state, &me, StatusCode::OK, minijinja::context! { created }).await
        }
        Err(StoreError::Invalid(errors)) => {
            let errors: std::collections::BTreeMap<&str, String> = errors
                .iter()
                .map(|e| (e.field, e.message.clone()))
                .collect();
            let ctx = minijinja::context! { errors, form_url => url, form_events => events };
            render_list(&state, &me, StatusCode::BAD_REQUEST, ctx).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let hook = state.store.webhook(id).await?.ok_or(AppError::NotFound)?;
    let zone = zone(&state).await?;
    let when = |t: i64| time::long_with_time(t, zone);
    let log: Vec<LogRow> = state
        .store
        .webhook_deliveries(id, LOG_LENGTH)
        .await?
        .into_iter()
        .map(|d| LogRow {
            next: (d.state == "pending").then(|| when(d.next_attempt_at)),
            delivered: d.delivered_at.map(when),
            created: when(d.created_at),
            id: d.id,
            event: d.event,
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
        })
        .collect();
    let hook = Hook {
        id: hook.id,
        url: hook.url,
        events: hook.events,
        active: hook.active,
        created: when(hook.created_at),
    };
    let site = state.store.settings().await?.name;
    let body = super::render(
        &state,
        &me,
        "newsroom/webhook.html",
        minijinja::context! { site, hook, log, log_length => LOG_LENGTH },
    )?;
    Ok(Html(body).into_response())
}

#[derive(serde::Deserialize)]
pub struct HookAction {
    action: String,
}

pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HookAction>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let back = format!("/newsroom/webhooks/{id}");
    match form.action.as_str() {
        "disable" => state.store.set_webhook_active(id, false).await?,
        "enable" => state.store.set_webhook_active(id, true).await?,
        "ping" => drop(state.store.queue_webhook_ping(id).await?),
        "delete" => {
            state.store.delete_webhook(id).await?;
            return Ok(Redirect::to("/newsroom/webhooks").into_response());
        }
        _ => return Err(AppError::BadRequest("Unknown action.".into())),
    }
    Ok(Redirect::to(&back).into_response())
}

pub async fn retry(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, delivery)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    state.store.retry_webhook_delivery(id, delivery).await?;
    Ok(Redirect::to(&format!("/newsroom/webhooks/{id}")).into_response())
}
