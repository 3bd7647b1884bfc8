//! The workflow: submit for review, publish, schedule, unpublish, back to draft;
//! and corrections. Each change is a save (a revision) and checks the revision
//! the editor was looking at.

use super::edit::{findings, refused, show_with_notice};
use super::form::ArticleForm;
use super::{can_correct, can_edit, can_publish, can_submit};
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bbn_core::validate::ArticleDraft;
use bbn_core::{Status, time};
use bbn_store::{Edit, StoreError};
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
    let now = time::now();
    let mut draft = ArticleDraft::from(&a);
    match form.action.as_str() {
        "submit" => {
            if !can_submit(me, &a) {
                return Err(AppError::Forbidden);
            }
            draft.status = Status::InReview;
        }
        "to_draft" => {
            if !can_edit(me, &a) || a.status == Status::Draft {
                return Err(AppError::Forbidden);
            }
            if a.status == Status::Published && !can_publish(me, &a) {
                return Err(AppError::Forbidden);
            }
            draft.status = Status::Draft;
        }
        "publish" | "schedule" => {
            if !can_publish(me, &a) {
                return Err(AppError::Forbidden);
            }
            let settings = state.store.settings().await?;
            let picked = state.store.editors_pick_ids().await?.contains(&a.id);
            let blocking: Vec<String> =
                findings(&state, &ArticleForm::from_article(&a, picked), Some(&a))
                    .await?
                    .into_iter()
                    .filter(|f| {
                        settings
                            .blocking_checks
                            .iter()
                            .any(|c| c == f.check.as_str())
                    })
                    .map(|f| f.message)
                    .collect();
            if !blocking.is_empty() {
                let notice = format!("Not published: fix these first. {}", blocking.join(" "));
                return show_with_notice(
                    &state,
                    &user,
                    &a,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    notice,
                    None,
                )
                .await;
            }
            if form.action == "publish" {
                draft.status = Status::Published;
                draft.published_at = Some(a.published_at.unwrap_or(now));
                draft.scheduled_at = None;
            } else {
                let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
                let Some(at) = form
                    .scheduled_at
                    .as_deref()
                    .and_then(|t| time::parse_local(t, zone))
                else {
                    return show_with_notice(
                        &state,
                        &user,
                        &a,
                        StatusCode::BAD_REQUEST,
                        "Choose a date and time to publish at.".into(),
                        None,
                    )
                    .await;
                };
                if at <= now {
                    return show_with_notice(
                        &state,
                        &user,
                        &a,
                        StatusCode::BAD_REQUEST,
                        "That time has passed: choose a time in the future.".into(),
                        None,
                    )
                    .await;
                }
                draft.status = Status::Scheduled;
                draft.scheduled_at = Some(at);
            }
        }
        "unpublish" => {
            if !can_publish(me, &a) || a.status != Status::Published {
                return Err(AppError::Forbidden);
            }
            draft.status = Status::Unpublished;
        }
        _ => return Err(AppError::BadRequest("Unknown action.".into())),
    }
    let edit = Edit {
        expected_revision: form.revision,
        mark_updated: false,
        by: Some(me.id),
    };
    match state.store.save_article(id, draft, edit).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=status")).into_response())
        }
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_))) => {
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
        Err(e) => Err(e.into()),
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
    if !can_correct(&user.user) {
        return Err(AppError::Forbidden);
    }
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    match state
        .store
        .add_correction(a.id, &form.kind, &form.body, Some(user.user.id))
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=corrected")).into_response(),
        ),
        Err(StoreError::Invalid(errors)) => {
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
