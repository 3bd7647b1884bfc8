//! The front page: the lead story, Latest News, Editors' Picks and a block per section.

use crate::AppState;
use crate::cache::tags::{Tag, shown};
use crate::error::AppError;
use crate::views::{Chrome, SummaryView, section_url, summaries};
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize)]
struct SectionBlock {
    name: String,
    url: String,
    articles: Vec<SummaryView>,
}

pub async fn show(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    if let Some(q) = query.as_deref()
        && let Some(answer) = super::redirects::for_home_query(&state, q).await
    {
        return Ok(answer);
    }
    Ok(front_page(state).await?.into_response())
}

async fn front_page(state: AppState) -> Result<Html<String>, AppError> {
    let chrome = Chrome::load(&state, None).await?;
    shown(Tag::Home);
    shown(Tag::MostRead);
    for s in &chrome.nav_sections {
        shown(Tag::SectionList(s.id));
    }
    let zone = chrome.zone;
    let store = &state.store;
    let section_ids: Vec<i64> = chrome.nav_sections.iter().map(|s| s.id).collect();
    let (front, fronts) =
        tokio::try_join!(store.latest(11, 0), store.section_fronts(&section_ids, 4))?;
    let mut stories = summaries(&front.items, zone);
    let lead = (!stories.is_empty()).then(|| stories.remove(0));
    let blocks: Vec<SectionBlock> = chrome
        .nav_sections
        .iter()
        .zip(fronts)
        .map(|(section, (_, articles))| SectionBlock {
            url: section_url(&section.slug),
            name: section.name.clone(),
            articles: summaries(&articles, zone),
        })
        .collect();
    let structured =
        crate::views::structured::home_ld(&chrome.description, &super::publisher(&state, &chrome));
    super::page(
        &state,
        "site/home.html",
        minijinja::context! {
            chrome, lead, stories, blocks, structured, canonical => "/", show_most_read => true,
        },
    )
}
