//! Author profiles in the newsroom (`/newsroom/authors`): editors find and
//! edit anyone's; every account edits its own byline's. The name, bio,
//! job title, links and photo show on the author page and in bylines.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use crate::media::upload::store_file;
use crate::newsroom::articles::edit::field_errors;
use crate::newsroom::upload;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_newsroom::roles::can_edit_profile;
use bbn_store::{AuthorProfile, ProfileEdit, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
pub struct Find {
    q: Option<String>,
}

/// `GET /newsroom/authors`: editors search everyone; anyone else goes to
/// their own profile.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(find): Query<Find>,
) -> Result<Response, AppError> {
    if user.user.role < bbn_core::Role::Editor {
        return match user.user.author_id {
            Some(id) => Ok(Redirect::to(&format!("/newsroom/authors/{id}")).into_response()),
            None => Err(AppError::Forbidden),
        };
    }
    let words = find.q.clone().unwrap_or_default();
    let found = state.store.find_authors(&words, 200).await?;
    let authors: Vec<_> = found
        .iter()
        .map(|p| minijinja::context! { id => p.author.id, name => p.author.name, job_title => p.author.job_title, slug => p.author.slug, photo => p.photo_url })
        .collect();
    let settings = state.store.settings().await?;
    let ctx = minijinja::context! { site => settings.name, authors, q => words, capped => found.len() == 200 };
    Ok(super::page(&state, &user, "newsroom/authors.html", ctx)?.into_response())
}

async fn editable(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<AuthorProfile, AppError> {
    if !can_edit_profile(&user.user, id) {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .author_profile(id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn show(
    state: &AppState,
    user: &CurrentUser,
    p: &AuthorProfile,
    form: &ProfileEdit,
    status: StatusCode,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let settings = state.store.settings().await?;
    let ctx = minijinja::context! {
        site => settings.name,
        id => p.author.id,
        slug => p.author.slug,
        photo => p.photo_url,
        own => user.user.author_id == Some(p.author.id),
        form => minijinja::context! {
            name => form.name, bio => form.bio, job_title => form.job_title, links => form.links,
        },
        errors,
        notice,
        max_upload_mb => state.config.max_upload_bytes / (1024 * 1024),
    };
    let body = super::render(state, user, "newsroom/author_edit.html", ctx)?;
    Ok((status, Html(body)).into_response())
}

fn as_form(p: &AuthorProfile) -> ProfileEdit {
    ProfileEdit {
        name: p.author.name.clone(),
        bio: p.author.bio.clone(),
        job_title: p.author.job_title.clone(),
        links: p.links.join("\n"),
        photo_id: p.photo_id,
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /newsroom/authors/{id}`.
pub async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let p = editable(&state, &user, id).await?;
    let notice = q.saved.map(|_| "Profile saved.".to_string());
    show(
        &state,
        &user,
        &p,
        &as_form(&p),
        StatusCode::OK,
        BTreeMap::new(),
        notice,
    )
    .await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    links: String,
    remove_photo: Option<String>,
}

/// `POST /newsroom/authors/{id}`: a form that does not save comes back as sent.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ProfileForm>,
) -> Result<Response, AppError> {
    let p = editable(&state, &user, id).await?;
    let edit = ProfileEdit {
        name: f.name,
        bio: f.bio,
        job_title: f.job_title,
        links: f.links,
        photo_id: if f.remove_photo.is_some() {
            None
        } else {
            p.photo_id
        },
    };
    match state.store.save_author_profile(id, &edit).await {
        Ok(()) => Ok(Redirect::to(&format!("/newsroom/authors/{id}?saved=1")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            show(
                &state,
                &user,
                &p,
                &edit,
                StatusCode::BAD_REQUEST,
                field_errors(errors),
                Some("Not saved: fix the fields marked below.".into()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /newsroom/authors/{id}/photo` (multipart `file`): the photo,
/// checked by its content and resized like every image.
pub async fn photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let p = editable(&state, &user, id).await?;
    let refused = match upload::read(multipart, &user, state.config.max_upload_bytes).await {
        Ok(mut form) => match store_file(&state, std::mem::take(&mut form.file)).await {
            Ok(stored) => Ok((stored, form.file_name)),
            Err((status, message)) => Err((status, message)),
        },
        Err(upload::Refusal::TooLarge(m)) => Err((StatusCode::PAYLOAD_TOO_LARGE, m)),
        Err(upload::Refusal::Error(e)) => return Err(e),
    };
    let (stored, file_name) = match refused {
        Ok(stored) => stored,
        Err((status, message)) => {
            let errors = BTreeMap::from([("photo", message.clone())]);
            return show(
                &state,
                &user,
                &p,
                &as_form(&p),
                status,
                errors,
                Some(message),
            )
            .await;
        }
    };
    let media_id = state
        .record_media(&stored.record(crate::media::Described {
            alt: p.author.name.clone(),
            file_name,
            uploaded_by: Some(user.user.id),
            ..Default::default()
        }))
        .await?;
    let mut edit = as_form(&p);
    edit.photo_id = Some(media_id);
    state.store.save_author_profile(id, &edit).await?;
    Ok(Redirect::to(&format!("/newsroom/authors/{id}?saved=1")).into_response())
}

#[derive(Serialize)]
pub struct FoundAuthor {
    id: i64,
    name: String,
    job_title: String,
}

/// `GET /newsroom/authors/lookup?q=…`: bylines by name for the article
/// form's byline finder (JSON, at most 20; any staff account).
pub async fn lookup(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(find): Query<Find>,
) -> Result<axum::Json<Vec<FoundAuthor>>, AppError> {
    let words: String = find
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    if words.is_empty() {
        return Ok(axum::Json(Vec::new()));
    }
    let found = state.store.find_authors(&words, 20).await?;
    Ok(axum::Json(
        found
            .into_iter()
            .map(|p| FoundAuthor {
                id: p.author.id,
                job_title: p.author.job_title,
                name: p.author.name,
            })
            .collect(),
    ))
}
