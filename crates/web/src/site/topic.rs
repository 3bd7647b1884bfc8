//! A topic's page ("More about <topic>"): its description and articles, newest first.

use super::listing::{Heading, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, topic_url};
use axum::extract::{Path, State};
use axum::response::Html;

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    page: PageNumber,
) -> Result<Html<String>, AppError> {
    let topic = state
        .store
        .public_topic_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::load(&state, None).await?;
    let list = state
        .store
        .topic_articles(topic.id, chrome.page_size, page.offset(chrome.page_size))
        .await?;
    let heading = Heading {
        kind: "topic",
        list: crate::cache::Tag::TopicList(topic.id),
        title: &topic.name,
        description: &topic.description,
        url: topic_url(&topic.slug),
        parent: None,
        children: Vec::new(),
        profile: None,
    };
    render(&state, chrome, list, page, heading)
}
