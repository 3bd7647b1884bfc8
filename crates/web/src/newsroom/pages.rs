//! Static pages, for editors: write About, Contact or Terms in Markdown (or
//! keep an imported page's HTML), publish, choose which appear in the
//! footer and in what order, delete.

use super::SearchedList;
use super::articles::edit::field_errors;
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::validate::PageDraft;
use bbn_core::{BodyFormat, PageStatus, Role, time};
use bbn_store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Row {
    id: i64,
    slug: String,
    title: String,
    published: bool,
    footer_position: Option<i64>,
    modified: String,
}

/// The page list, by title, a page at a time (an archive brought over may
/// hold hundreds of pages), with a search by title or slug.
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<SearchedList>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let settings = state.store.settings().await?;
    let zone = time::parse_zone(&settings.time_zone).unwrap_or_default();
    let (page, words) = (query.page(), query.words());
    let (found, more) = state
        .store
        .page_list(words, SearchedList::ROWS, query.offset())
        .await?;
    let pages: Vec<Row> = found
        .into_iter()
        .map(|p| Row {
            id: p.id,
            slug: p.slug,
            title: p.title,
            published: p.status == PageStatus::Published,
            footer_position: p.footer_position,
            modified: time::long_date(p.modified_at, zone),
        })
        .collect();
    let link = |page: i64| query.link("/newsroom/pages", page);
    let body = super::render(
        &state,
        &me,
        "newsroom/pages.html",
        minijinja::context! {
            site => settings.name, pages, page,
            q => words,
            prev => (page > 1).then(|| link(page - 1)),
            next => more.then(|| link(page + 1)),
        },
    )?;
    Ok(Html(body).into_response())
}

/// What the page form sends.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct PageForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    body_format: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    footer_position: String,
    #[serde(default)]
    seo_description: String,
}

impl PageForm {
    fn to_draft(&self) -> Result<PageDraft, BTreeMap<&'static str, String>> {
        let footer_position = match self.footer_position.trim() {
            "" => None,
            t => Some(t.parse().map_err(|_| {
                BTreeMap::from([(
                    "footer_position",
                    "The footer position must be a whole number.".to_string(),
                )])
            })?),
        };
        Ok(PageDraft {
            slug: self.slug.clone(),
            title: self.title.clone(),
            body_format: BodyFormat::parse(&self.body_format).unwrap_or_default(),
            body: self.body.replace("\r\n", "\n"),
            status: if self.published.is_some() {
                PageStatus::Published
            } else {
                PageStatus::Draft
            },
            footer_position,
            seo_description: self.seo_description.clone(),
        })
    }
}

async fn form_page(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    id: Option<i64>,
    form: &PageForm,
    errors: BTreeMap<&'static str, String>,
) -> Result<Response, AppError> {
    let site = state.store.settings().await?.name;
    let body = super::render(
        state,
        me,
        "newsroom/page_edit.html",
        minijinja::context! { site, id, form, errors, preview_html => BodyFormat::parse(&form.body_format).unwrap_or_default().render(&form.body) },
    )?;
    Ok((status, Html(body)).into_response())
}

pub async fn new(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let form = PageForm {
        body_format: "markdown".into(),
        ..PageForm::default()
    };
    form_page(&state, &me, StatusCode::OK, None, &form, BTreeMap::new()).await
}

pub async fn edit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let p = state.store.page(id).await?.ok_or(AppError::NotFound)?;
    let form = PageForm {
        title: p.title,
        slug: p.slug,
        body: p.body,
        body_format: p.body_format.as_str().into(),
        published: (p.status == PageStatus::Published).then(|| "on".into()),
        footer_position: p.footer_position.map(|n| n.to_string()).unwrap_or_default(),
        seo_description: p.seo_description,
    };
    form_page(
        &state,
        &me,
        StatusCode::OK,
        Some(id),
        &form,
        BTreeMap::new(),
    )
    .await
}

async fn after_save(
    state: &AppState,
    me: &CurrentUser,
    id: Option<i64>,
    form: &PageForm,
    result: Result<i64, StoreError>,
) -> Result<Response, AppError> {
    let errors = match result {
        Ok(id) => {
            return Ok(Redirect::to(&format!("/newsroom/pages/{id}?done=saved")).into_response());
        }
        Err(StoreError::Invalid(errors)) => field_errors(errors),
        Err(StoreError::Conflict { .. }) => {
            BTreeMap::from([("slug", "Another page has this slug already.".to_string())])
        }
        Err(e) => return Err(e.into()),
    };
    form_page(state, me, StatusCode::BAD_REQUEST, id, form, errors).await
}

pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(form): CsrfForm<PageForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let result = match form.to_draft() {
        Ok(d) => state.store.create_page(d).await,
        Err(errors) => {
            return form_page(&state, &me, StatusCode::BAD_REQUEST, None, &form, errors).await;
        }
    };
    after_save(&state, &me, None, &form, result).await
}

pub async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PageForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let result = match form.to_draft() {
        Ok(d) => state.store.save_page(id, d).await.map(|()| id),
        Err(errors) => {
            return form_page(
                &state,
                &me,
                StatusCode::BAD_REQUEST,
                Some(id),
                &form,
                errors,
            )
            .await;
        }
    };
    after_save(&state, &me, Some(id), &form, result).await
}

#[derive(Deserialize)]
pub struct Nothing {}

pub async fn delete(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    match state.store.delete_page(id).await {
        Ok(()) | Err(StoreError::NotFound) => {
            Ok(Redirect::to("/newsroom/pages?done=deleted").into_response())
        }
        Err(e) => Err(e.into()),
    }
}
