//! The front page: the lead story, Latest News, Editors' Picks and a block per section.

use crate::AppState;
use crate::error::AppError;
use crate::views::{Chrome, SummaryView, section_url, summaries};
use axum::extract::State;
use axum::response::Html;
use serde::Serialize;

#[derive(Serialize)]
struct SectionBlock {
    name: String,
    url: String,
    articles: Vec<SummaryView>,
}

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let chrome = Chrome::load(&state, None).await?;
    let zone = chrome.zone;
    let store = &state.store;
    let front = store.latest(11, 0).await?;
    let mut stories = summaries(&front.items, zone);
    let lead = (!stories.is_empty()).then(|| stories.remove(0));
    let mut blocks = Vec::new();
    for section in &chrome.nav_sections {
        let list = store.section_articles(section.id, 4, 0).await?;
        blocks.push(SectionBlock {
            url: section_url(&section.slug),
            name: section.name.clone(),
            articles: summaries(&list.items, zone),
        });
    }
    super::page(
        &state,
        "site/home.html",
        minijinja::context! { chrome, lead, stories, blocks, canonical => "/" },
    )
}
