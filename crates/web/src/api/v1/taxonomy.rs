//! Sections, topics and authors as JSON, with their pages and feeds.

use super::query::Query;
use super::{PageMeta, Problem, page};
use crate::AppState;
use crate::views::{author_url, section_url, topic_url};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct PlaceOut {
    id: i64,
    slug: String,
    name: String,
    description: String,
    url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_navigation: Option<bool>,
}

fn place(base: &str, id: i64, slug: &str, name: &str, description: &str, url: String) -> PlaceOut {
    PlaceOut {
        id,
        slug: slug.to_string(),
        name: name.to_string(),
        description: description.to_string(),
        feed_url: format!("{base}{url}/feed.xml"),
        url: format!("{base}{url}"),
        in_navigation: None,
    }
}

fn paged(
    state: &AppState,
    path: &str,
    raw: Option<&str>,
    all: Vec<PlaceOut>,
) -> Result<Response, Problem> {
    let q = Query::parse(raw)?;
    let (page_no, per_page) = q.paging()?;
    let meta = PageMeta::new(page_no, per_page, all.len() as i64);
    let data: Vec<PlaceOut> = all
        .into_iter()
        .skip(meta.offset() as usize)
        .take(per_page as usize)
        .collect();
    Ok(page(&state.config.base_url, path, &q, meta, &data))
}

pub async fn sections(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let base = &state.config.base_url;
    let all = state
        .store
        .all_sections()
        .await?
        .iter()
        .map(|s| PlaceOut {
            in_navigation: Some(s.nav_position.is_some()),
            ..place(
                base,
                s.id,
                &s.slug,
                &s.name,
                &s.description,
                section_url(&s.slug),
            )
        })
        .collect();
    paged(&state, "/api/v1/sections", raw.as_deref(), all)
}

pub async fn topics(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let base = &state.config.base_url;
    let all = state
        .store
        .public_topics()
        .await?
        .iter()
        .map(|t| {
            place(
                base,
                t.id,
                &t.slug,
                &t.name,
                &t.description,
                topic_url(&t.slug),
            )
        })
        .collect();
    paged(&state, "/api/v1/topics", raw.as_deref(), all)
}

pub async fn authors(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let base = &state.config.base_url;
    let all = state
        .store
        .all_authors()
        .await?
        .iter()
        .map(|a| place(base, a.id, &a.slug, &a.name, &a.bio, author_url(&a.slug)))
        .collect();
    paged(&state, "/api/v1/authors", raw.as_deref(), all)
}
