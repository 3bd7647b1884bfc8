//! Site settings, for admins: name, description, copyright holder, time zone,
//! page size, which pre-publish checks block publishing, and how comments
//! are taken in (moderation, limits, blocklist, the learning filter).

use super::articles::edit::field_errors;
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::checks::Check;
use bbn_core::{Role, SiteSettings};
use bbn_store::StoreError;
use std::collections::BTreeMap;

async fn page(
    state: &AppState,
    me: &CurrentUser,
    s: &SiteSettings,
    status: StatusCode,
    errors: BTreeMap<&'static str, String>,
    saved: bool,
) -> Result<Response, AppError> {
    let checks: Vec<_> = Check::ALL
        .iter()
        .map(|c| minijinja::context! { name => c.as_str(), label => c.label(), on => s.blocking_checks.iter().any(|b| b == c.as_str()) })
        .collect();
    let zones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    let ctx =
        minijinja::context! { site => s.name.clone(), settings => s, checks, zones, errors, saved };
    let body = super::render(state, me, "newsroom/settings.html", ctx)?;
    Ok((status, Html(body)).into_response())
}

#[derive(serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let s = state.store.settings().await?;
    page(
        &state,
        &me,
        &s,
        StatusCode::OK,
        BTreeMap::new(),
        q.saved.is_some(),
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let mut s = state.store.settings().await?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    s.name = get("name").unwrap_or_default();
    s.description = get("description").unwrap_or_default();
    s.copyright_holder = get("copyright_holder").unwrap_or_default();
    s.time_zone = get("time_zone").unwrap_or_default();
    s.page_size = get("page_size").and_then(|v| v.parse().ok()).unwrap_or(0);
    s.blocking_checks = fields
        .iter()
        .filter(|(k, _)| k == "blocking")
        .map(|(_, v)| v.clone())
        .collect();
    // Comment settings; a field the form does not send keeps its value, a
    // number that is not one is refused by the range checks.
    let number = |k: &str, keep: i64| get(k).map_or(keep, |v| v.parse().unwrap_or(-1));
    s.most_read_days = number("most_read_days", s.most_read_days);
    s.feeds.items = number("feed_items", s.feeds.items);
    if let Some(carry) = get("feed_full_text") {
        s.feeds.full_text = carry != "summary";
    }
    if let Some(robots) = fields.iter().find(|(n, _)| n == "robots_txt") {
        // Kept as written, line ends normalized; only surrounding blank space goes.
        s.robots_txt = robots.1.replace("\r\n", "\n").trim().to_string();
    }
    let c = &mut s.comments;
    if let Some(m) = get("comment_moderation") {
        c.moderation = bbn_core::Moderation::parse(&m).unwrap_or(c.moderation);
    }
    if let Some(days) = get("comments_close_days") {
        c.close_after_days = (!days.is_empty()).then(|| days.parse().unwrap_or(-1));
    }
    c.max_chars = number("comment_max_chars", c.max_chars);
    c.max_depth = number("comment_max_depth", c.max_depth);
    c.max_links = number("comment_max_links", c.max_links);
    c.per_page = number("comments_per_page", c.per_page);
    c.filter_after = number("comment_filter_after", c.filter_after);
    c.filter_threshold = number("comment_filter_threshold", c.filter_threshold);
    if let Some(list) = get("comment_blocklist") {
        c.blocklist = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    match state.store.save_settings(&s).await {
        Ok(()) => Ok(Redirect::to("/newsroom/settings?saved=1").into_response()),
        Err(StoreError::Invalid(errors)) => {
            page(
                &state,
                &me,
                &s,
                StatusCode::BAD_REQUEST,
                field_errors(errors),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Uploads a new logo (or, with `remove`, goes back to the name in type).
pub async fn logo(
    State(state): State<AppState>,
    me: CurrentUser,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let mut s = state.store.settings().await?;
    let form = match super::upload::read(multipart, &me, state.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(super::upload::Refusal::TooLarge(m)) => {
            return page(
                &state,
                &me,
                &s,
                StatusCode::PAYLOAD_TOO_LARGE,
                BTreeMap::from([("logo", m)]),
                false,
            )
            .await;
        }
        Err(super::upload::Refusal::Error(e)) => return Err(e),
    };
    if form.field("action") == "remove" {
        s.logo_id = None;
    } else {
        let file_name = form.file_name;
        let stored = match crate::media::upload::store_file(&state, form.file).await {
            Ok(stored) => stored,
            Err((status, message)) => {
                return page(
                    &state,
                    &me,
                    &s,
                    status,
                    BTreeMap::from([("logo", message)]),
                    false,
                )
                .await;
            }
        };
        let id = state
            .record_media(&stored.record(crate::media::Described {
                alt: s.name.clone(),
                file_name,
                uploaded_by: Some(me.user.id),
                ..Default::default()
            }))
            .await?;
        s.logo_id = Some(id);
    }
    state.store.save_settings(&s).await?;
    Ok(Redirect::to("/newsroom/settings?saved=1").into_response())
}
