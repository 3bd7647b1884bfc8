//! The workflow's buttons: submit for review, publish, schedule, unpublish,
//! back to draft (the rules are in `bbn_newsroom::workflow`, shared with the
//! JSON API); and corrections. Each change is a save (a revision) and checks
//! the revision the editor was looking at.

use super::can_correct;
use super::edit::{refused, show_with_notice};
use super::form::ArticleForm;
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bbn_core::time;
use bbn_newsroom::workflow::{self, Action, Refusal};
use bbn_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct StatusForm {
    action: String,
    scheduled_at: Option<String>,
    revision: Option<i64>,
}

pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = &user.user;
    let zone = match form.action.as_str() {
        "schedule" => {
            let settings = state.store.settings().await?;
            time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC)
        }
        _ => chrono_tz::UTC,
    };
    let scheduled_at = form
        .scheduled_at
        .as_deref()
        .and_then(|t| time::parse_local(t, zone));
    let action = Action::parse(&form.action, scheduled_at)
        .ok_or_else(|| AppError::BadRequest("Unknown action.".into()))?;
    match workflow::take(&state.store, me, &a, action, form.revision).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=status")).into_response())
        }
        Err(Refusal::Forbidden) => Err(AppError::Forbidden),
        Err(Refusal::Blocked(blocking)) => {
            let notice = format!("Not published: fix these first. {}", blocking.join(" "));
            show_with_notice(
                &state,
                &user,
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice,
                None,
            )
            .await
        }
        Err(Refusal::Invalid(message)) => {
            show_with_notice(&state, &user, &a, StatusCode::BAD_REQUEST, message, None).await
        }
        Err(Refusal::Store(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_)))) => {
            let picked = state.store.editors_pick_ids().await?.contains(&a.id);
            refused(
                &state,
                &user,
                &ArticleForm::from_article(&a, picked),
                Some(&a),
                e,
            )
            .await
        }
        Err(Refusal::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    kind: String,
    body: String,
}

pub async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CorrectionForm>,
) -> Result<Response, AppError> {
    // Refused before the article is looked up: a 403 tells no one which ids exist.
    if !can_correct(&user.user) {
        return Err(AppError::Forbidden);
    }
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    match workflow::correct(&state.store, &user.user, &a, &form.kind, &form.body).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=corrected")).into_response(),
        ),
        Err(Refusal::Store(StoreError::Invalid(errors))) => {
            let message = errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" ");
            show_with_notice(
                &state,
                &user,
                &a,
                StatusCode::BAD_REQUEST,
                format!("The note was not added: {message}"),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
