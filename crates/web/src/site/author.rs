//! An author's page: bio and bylines, newest first.

use super::listing::{Heading, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, author_url};
use axum::extract::{Path, State};
use axum::response::Html;

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    page: PageNumber,
) -> Result<Html<String>, AppError> {
    let author = state
        .store
        .author_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::load(&state, None).await?;
    let list = state
        .store
        .author_articles(author.id, chrome.page_size, page.offset(chrome.page_size))
        .await?;
    let heading = Heading {
        kind: "author",
        list: crate::cache::Tag::AuthorList(author.id),
        title: &author.name,
        description: &author.bio,
        url: author_url(&author.slug),
        parent: None,
        children: Vec::new(),
    };
    render(&state, chrome, list, page, heading)
}
