//! `/posts/` and `/pages/`. Posts are bbn's published articles (drafts and
//! every other status never show); pages are its published static pages,
//! newest first. A site has a handful of pages, so they are read whole and
//! paged here; `filter` and `order` are for posts and are refused on pages.

use super::error::GhostError;
use super::params::{Params, authenticate};
use super::resource::{self, Site};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use bbn_store::ContentQuery;
use bbn_store::content_api::{Exact, parse_object_id};
use serde_json::{Value, json};
use std::collections::HashSet;

/// Reads a path id the way Ghost checks ids: 24 hex digits.
pub fn path_id(id: &str) -> Result<i64, GhostError> {
    parse_object_id(id).ok_or_else(|| GhostError::Invalid {
        parameter: "id",
        message: format!("'{id}' is not an id of 24 hex digits"),
    })
}

pub async fn site(state: &AppState) -> Result<Site, GhostError> {
    let settings = state.store.settings().await?;
    Ok(Site {
        base_url: state.config.base_url.clone(),
        zone: bbn_core::time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC),
    })
}

/// The posts matching `query`, whole, as JSON, and the total.
async fn posts(
    state: &AppState,
    params: &Params,
    query: &ContentQuery<'_>,
) -> Result<(Vec<Value>, i64), GhostError> {
    let page = state.store.content_post_ids(query).await?;
    let articles = if page.items.is_empty() {
        Vec::new()
    } else {
        state.store.published_articles(&page.items).await?
    };
    let picks: HashSet<i64> = state.store.editors_pick_ids().await?.into_iter().collect();
    let site = site(state).await?;
    let items = articles
        .iter()
        .map(|a| resource::post(&site, a, picks.contains(&a.id), params))
        .collect();
    Ok((items, page.total))
}

pub async fn browse(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let params = Params::parse(raw.as_deref())?;
    let query = ContentQuery {
        filter: params.filter.as_deref(),
        order: params.order.as_deref(),
        limit: params.limit,
        offset: params.offset(),
        exact: None,
    };
    let (items, total) = posts(&state, &params, &query).await?;
    Ok(axum::Json(json!({
        "posts": items,
        "meta": { "pagination": resource::pagination(params.page, params.limit, total) },
    }))
    .into_response())
}

async fn read(
    state: AppState,
    raw: Option<String>,
    exact: Exact<'_>,
) -> Result<Response, GhostError> {
    let params = Params::parse(raw.as_deref())?;
    let query = ContentQuery {
        filter: None,
        order: None,
        limit: 1,
        offset: 0,
        exact: Some(exact),
    };
    let (items, _) = posts(&state, &params, &query).await?;
    if items.is_empty() {
        return Err(GhostError::NotFound("Post not found."));
    }
    Ok(axum::Json(json!({ "posts": items })).into_response())
}

pub async fn read_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let id = path_id(&id)?;
    read(state, raw, Exact::Id(id)).await
}

pub async fn read_by_slug(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    read(state, raw, Exact::Slug(&slug)).await
}

pub async fn browse_pages(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let params = Params::parse(raw.as_deref())?;
    for (parameter, given) in [("filter", &params.filter), ("order", &params.order)] {
        if given.is_some() {
            return Err(GhostError::Invalid {
                parameter,
                message: format!("{parameter} is not supported on pages"),
            });
        }
    }
    let mut pages = state.store.published_pages().await?;
    pages.sort_by_key(|p| std::cmp::Reverse((p.published_at.unwrap_or(p.created_at), p.id)));
    let total = pages.len() as i64;
    let site = site(&state).await?;
    let items: Vec<Value> = pages
        .iter()
        .skip(usize::try_from(params.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(params.limit).unwrap_or(0))
        .map(|p| resource::page(&site, p, &params))
        .collect();
    Ok(axum::Json(json!({
        "pages": items,
        "meta": { "pagination": resource::pagination(params.page, params.limit, total) },
    }))
    .into_response())
}

async fn one_page(
    state: &AppState,
    raw: Option<String>,
    page: Option<bbn_core::Page>,
) -> Result<Response, GhostError> {
    let params = Params::parse(raw.as_deref())?;
    let page = page
        .filter(|p| p.status == bbn_core::PageStatus::Published)
        .ok_or(GhostError::NotFound("Page not found."))?;
    let site = site(state).await?;
    Ok(axum::Json(json!({ "pages": [resource::page(&site, &page, &params)] })).into_response())
}

pub async fn read_page_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let id = path_id(&id)? - resource::PAGE_ID_BASE;
    let page = if id > 0 {
        state.store.page(id).await?
    } else {
        None
    };
    one_page(&state, raw, page).await
}

pub async fn read_page_by_slug(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let page = state.store.page_by_slug(&slug).await?;
    one_page(&state, raw, page).await
}
