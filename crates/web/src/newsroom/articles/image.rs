//! The featured image of an article: upload (checked by content, resized),
//! or an item chosen from the media library; what readers are told about
//! it (alt text, caption, credit: the library item's, changed everywhere it
//! shows); removal.

use super::can_edit;
use super::edit::show_with_notice;
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use crate::media::Described;
use crate::media::upload::store_file;
use crate::newsroom::upload;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bbn_core::Article;
use bbn_core::validate::ArticleDraft;
use bbn_newsroom::workflow;
use serde::Deserialize;

async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> Result<Article, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_edit(&user.user, &a) {
        return Err(AppError::Forbidden);
    }
    Ok(a)
}

async fn set_image(
    state: &AppState,
    user: &CurrentUser,
    a: &Article,
    image_id: Option<i64>,
    revision: Option<i64>,
) -> Result<(), AppError> {
    let mut draft = ArticleDraft::from(a);
    draft.image_id = image_id;
    workflow::resave(&state.store, &user.user, a, draft, revision, None).await?;
    Ok(())
}

/// An item of the media library made the featured image of article `id`.
pub(crate) async fn choose(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    media_id: i64,
    revision: Option<i64>,
) -> Result<(), AppError> {
    let a = editable(state, user, id).await?;
    set_image(state, user, &a, Some(media_id), revision).await
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let a = editable(&state, &user, id).await?;
    let mut form = match upload::read(multipart, &user, state.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(upload::Refusal::TooLarge(m)) => {
            return show_with_notice(
                &state,
                &user,
                &a,
                StatusCode::PAYLOAD_TOO_LARGE,
                m,
                Some("image"),
            )
            .await;
        }
        Err(upload::Refusal::Error(e)) => return Err(e),
    };
    let file_name = std::mem::take(&mut form.file_name);
    let stored = match store_file(&state, std::mem::take(&mut form.file)).await {
        Ok(s) => s,
        Err((status, message)) => {
            return show_with_notice(&state, &user, &a, status, message, Some("image")).await;
        }
    };
    let get = |k: &str| form.field(k);
    let media_id = state
        .record_media(&stored.record(Described {
            alt: get("alt"),
            caption: get("caption"),
            credit: get("credit"),
            file_name,
            uploaded_by: Some(user.user.id),
        }))
        .await?;
    set_image(
        &state,
        &user,
        &a,
        Some(media_id),
        get("revision").parse().ok(),
    )
    .await?;
    Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct Details {
    alt: String,
    caption: String,
    credit: String,
}

pub async fn details(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Details>,
) -> Result<Response, AppError> {
    let a = editable(&state, &user, id).await?;
    let image = a.image.as_ref().ok_or(AppError::NotFound)?;
    // The featured image is a library item: its details change everywhere
    // it is shown, which the library's rule allows or refuses.
    let item = state
        .store
        .media_item(image.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !bbn_newsroom::media::may_change(&state.store, &user.user, &item).await? {
        return Err(AppError::Forbidden);
    }
    let details = bbn_store::MediaDetails {
        alt: f.alt,
        caption: f.caption,
        credit: f.credit,
        focal_x: item.focal_x,
        focal_y: item.focal_y,
    };
    crate::newsroom::media::change_details(&state, &user, image.id, &details).await?;
    Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct Remove {
    revision: Option<i64>,
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Remove>,
) -> Result<Response, AppError> {
    let a = editable(&state, &user, id).await?;
    set_image(&state, &user, &a, None, f.revision).await?;
    Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=1")).into_response())
}
