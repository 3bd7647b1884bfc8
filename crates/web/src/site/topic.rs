//! A topic's page ("More about <topic>"): its description and articles, newest first.

use super::section::pager_canonical;
use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, Pager, summaries, topic_url};
use axum::extract::{Path, State};
use axum::response::Html;

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    page: PageNumber,
) -> Result<Html<String>, AppError> {
    let topic = state
        .store
        .topic_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::load(&state, None).await?;
    let list = state
        .store
        .topic_articles(topic.id, chrome.page_size, page.offset(chrome.page_size))
        .await?;
    if list.items.is_empty() && page.0 > 1 {
        return Err(AppError::NotFound);
    }
    let url = topic_url(&topic.slug);
    let pager = Pager::new(&url, page.0, list.has_more);
    let articles = summaries(&list.items, chrome.zone);
    super::page(
        &state,
        "site/list.html",
        minijinja::context! {
            chrome, articles, pager, canonical => pager_canonical(&url, page),
            kind => "topic", title => topic.name, description => topic.description,
        },
    )
}
