//! `/tags/` (bbn's topics) and `/authors/` (bylines): those with at least
//! one published article, with `count.posts` for a whole page from one
//! grouped query when asked for.

use super::error::GhostError;
use super::params::{Params, authenticate};
use super::posts::{path_id, site};
use super::resource;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use bbn_store::ContentQuery;
use bbn_store::content_api::Exact;
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tags,
    Authors,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tags => "tags",
            Kind::Authors => "authors",
        }
    }

    fn not_found(self) -> GhostError {
        GhostError::NotFound(match self {
            Kind::Tags => "Tag not found.",
            Kind::Authors => "Author not found.",
        })
    }
}

async fn list(
    state: &AppState,
    kind: Kind,
    params: &Params,
    query: &ContentQuery<'_>,
) -> Result<(Vec<Value>, i64), GhostError> {
    let site = site(state).await?;
    let counted = params.includes("count.posts");
    let fields = params.fields.as_deref();
    match kind {
        Kind::Tags => {
            let page = state.store.content_topics(query).await?;
            let ids: Vec<i64> = page.items.iter().map(|t| t.id).collect();
            let counts = if counted {
                Some(state.store.topic_post_counts(&ids).await?)
            } else {
                None
            };
            let items = page
                .items
                .iter()
                .map(|t| {
                    let n = counts.as_ref().map(|c| c.get(&t.id).copied().unwrap_or(0));
                    resource::project(resource::tag(&site, t, n), fields)
                })
                .collect();
            Ok((items, page.total))
        }
        Kind::Authors => {
            let page = state.store.content_authors(query).await?;
            let ids: Vec<i64> = page.items.iter().map(|a| a.id).collect();
            let counts = if counted {
                Some(state.store.author_post_counts(&ids).await?)
            } else {
                None
            };
            let items = page
                .items
                .iter()
                .map(|a| {
                    let n = counts.as_ref().map(|c| c.get(&a.id).copied().unwrap_or(0));
                    resource::project(resource::author(&site, a, n), fields)
                })
                .collect();
            Ok((items, page.total))
        }
    }
}

async fn browse(state: AppState, kind: Kind, raw: Option<String>) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let params = Params::parse(raw.as_deref())?;
    let query = ContentQuery {
        filter: params.filter.as_deref(),
        order: params.order.as_deref(),
        limit: params.limit,
        offset: params.offset(),
        exact: None,
    };
    let (items, total) = list(&state, kind, &params, &query).await?;
    Ok(axum::Json(json!({
        kind.name(): items,
        "meta": { "pagination": resource::pagination(params.page, params.limit, total) },
    }))
    .into_response())
}

async fn read(
    state: AppState,
    kind: Kind,
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
    let (items, _) = list(&state, kind, &params, &query).await?;
    if items.is_empty() {
        return Err(kind.not_found());
    }
    Ok(axum::Json(json!({ kind.name(): items })).into_response())
}

async fn read_id(
    state: AppState,
    kind: Kind,
    id: String,
    raw: Option<String>,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let id = path_id(&id)?;
    read(state, kind, raw, Exact::Id(id)).await
}

async fn read_slug(
    state: AppState,
    kind: Kind,
    slug: String,
    raw: Option<String>,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    read(state, kind, raw, Exact::Slug(&slug)).await
}

pub async fn browse_tags(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    browse(s, Kind::Tags, raw).await
}

pub async fn tag_by_id(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    read_id(s, Kind::Tags, id, raw).await
}

pub async fn tag_by_slug(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    read_slug(s, Kind::Tags, slug, raw).await
}

pub async fn browse_authors(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    browse(s, Kind::Authors, raw).await
}

pub async fn author_by_id(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    read_id(s, Kind::Authors, id, raw).await
}

pub async fn author_by_slug(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    read_slug(s, Kind::Authors, slug, raw).await
}
