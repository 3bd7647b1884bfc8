//! Sections and topics, for editors: create, rename, describe, order the
//! navigation, merge topics.

use super::SearchedList;
use super::articles::edit::field_errors;
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Role, ValidationError, slug};
use bbn_store::StoreError;
use serde::Deserialize;
use std::collections::BTreeMap;

async fn sections_page(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    errors: BTreeMap<&'static str, String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let sections = state.store.all_sections().await?;
    let site = state.store.settings().await?.name;
    let body = super::render(
        state,
        me,
        "newsroom/sections.html",
        minijinja::context! { site, sections, errors, notice },
    )?;
    Ok((status, Html(body)).into_response())
}

pub async fn sections(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    sections_page(&state, &me, StatusCode::OK, BTreeMap::new(), None).await
}

#[derive(Deserialize)]
pub struct SectionForm {
    name: String,
    slug: Option<String>,
    description: Option<String>,
    /// Empty: not in the navigation.
    nav_position: Option<String>,
    /// The section this one is part of; empty: none. Absent: left as it is.
    parent_id: Option<String>,
}

fn parent(text: Option<&str>) -> Result<Option<Option<i64>>, AppError> {
    match text.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(t) => t
            .parse()
            .map(|id| Some(Some(id)))
            .map_err(|_| AppError::BadRequest("Unknown parent section.".into())),
    }
}

fn nav_position(text: Option<&str>) -> Result<Option<i64>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| {
            AppError::BadRequest("The navigation position must be a whole number.".into())
        }),
    }
}

fn slug_or_name(slug_value: Option<&str>, name: &str) -> String {
    match slug_value.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => slug::slugify(name),
    }
}

/// Which list screen a write came from.
#[derive(Clone, Copy)]
enum Screen {
    Sections,
    Topics,
}

impl Screen {
    fn path(self) -> &'static str {
        match self {
            Screen::Sections => "/newsroom/sections",
            Screen::Topics => "/newsroom/topics",
        }
    }
}

async fn after_write(
    state: &AppState,
    me: &CurrentUser,
    result: Result<(), StoreError>,
    ok: &str,
    screen: Screen,
) -> Result<Response, AppError> {
    let (status, errors) = match result {
        Ok(()) => return Ok(Redirect::to(&format!("{}?done={ok}", screen.path())).into_response()),
        Err(StoreError::Invalid(errors)) => (StatusCode::BAD_REQUEST, field_errors(errors)),
        Err(StoreError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            BTreeMap::from([("slug", "This slug is in use already.".to_string())]),
        ),
        Err(e) => return Err(e.into()),
    };
    match screen {
        Screen::Sections => sections_page(state, me, status, errors, Some("Not saved.")).await,
        Screen::Topics => {
            let first = SearchedList::default();
            topics_page(state, me, status, &first, errors, Some("Not saved.")).await
        }
    }
}

pub async fn create_section(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(f): CsrfForm<SectionForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let slug = slug_or_name(f.slug.as_deref(), &f.name);
    let nav = nav_position(f.nav_position.as_deref())?;
    let parent = parent(f.parent_id.as_deref())?;
    let mut result = state
        .store
        .create_section(&slug, &f.name, f.description.as_deref().unwrap_or(""), nav)
        .await;
    if let (Ok(id), Some(p)) = (&result, parent) {
        result = state.store.set_section_parent(*id, p).await.map(|_| *id);
    }
    let result = result.map(|_| ());
    after_write(&state, &me, result, "created", Screen::Sections).await
}

pub async fn update_section(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<SectionForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let slug = slug_or_name(f.slug.as_deref(), &f.name);
    let nav = nav_position(f.nav_position.as_deref())?;
    let parent = parent(f.parent_id.as_deref())?;
    let mut result = state
        .store
        .update_section(
            id,
            &slug,
            &f.name,
            f.description.as_deref().unwrap_or(""),
            nav,
        )
        .await;
    if let (Ok(()), Some(p)) = (&result, parent) {
        result = state.store.set_section_parent(id, p).await;
    }
    after_write(&state, &me, result, "saved", Screen::Sections).await
}

/// The topic list, a page at a time (a site may have thousands of
/// topics, say from an archive brought over; each row's merge field takes
/// the slug of the topic to keep rather than offering every other topic).
async fn topics_page(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    query: &SearchedList,
    errors: BTreeMap<&'static str, String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let (page, words) = (query.page(), query.words());
    let (found, more) = state
        .store
        .topic_list(words, SearchedList::ROWS, query.offset())
        .await?;
    let topics: Vec<_> = found
        .into_iter()
        .map(|(t, n)| {
            minijinja::context! { id => t.id, slug => t.slug, name => t.name, description => t.description, articles => n }
        })
        .collect();
    let link = |page: i64| query.link("/newsroom/topics", page);
    let site = state.store.settings().await?.name;
    let body = super::render(
        state,
        me,
        "newsroom/topics.html",
        minijinja::context! {
            site, topics, errors, notice, page,
            q => words,
            prev => (page > 1).then(|| link(page - 1)),
            next => more.then(|| link(page + 1)),
        },
    )?;
    Ok((status, Html(body)).into_response())
}

pub async fn topics(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<SearchedList>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    topics_page(&state, &me, StatusCode::OK, &query, BTreeMap::new(), None).await
}

#[derive(Deserialize)]
pub struct TopicForm {
    name: String,
    slug: Option<String>,
    description: Option<String>,
}

pub async fn create_topic(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(f): CsrfForm<TopicForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let slug = slug_or_name(f.slug.as_deref(), &f.name);
    let result = state
        .store
        .create_topic(&slug, &f.name, f.description.as_deref().unwrap_or(""))
        .await
        .map(|_| ());
    after_write(&state, &me, result, "created", Screen::Topics).await
}

pub async fn update_topic(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TopicForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let slug = slug_or_name(f.slug.as_deref(), &f.name);
    let result = state
        .store
        .update_topic(id, &slug, &f.name, f.description.as_deref().unwrap_or(""))
        .await;
    after_write(&state, &me, result, "saved", Screen::Topics).await
}

#[derive(Deserialize)]
pub struct MergeForm {
    /// The topic to keep: its slug (or its name, or its number).
    into: String,
}

pub async fn merge_topic(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MergeForm>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let named = f.into.trim();
    let mut into = state.store.topic_by_slug(named).await?;
    if into.is_none() {
        into = state.store.topic_by_slug(&slug::slugify(named)).await?;
    }
    let into = into.map(|t| t.id).or_else(|| named.parse::<i64>().ok());
    let result = match into {
        Some(into) => state.store.merge_topics(id, into).await,
        None => Err(StoreError::Invalid(vec![ValidationError::new(
            "into",
            "No topic has this slug.",
        )])),
    };
    after_write(&state, &me, result, "merged", Screen::Topics).await
}
