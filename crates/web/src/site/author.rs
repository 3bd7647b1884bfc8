//! An author's page: bio and bylines, newest first.

use super::section::pager_canonical;
use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, Pager, author_url, summaries};
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
    if list.items.is_empty() && page.0 > 1 {
        return Err(AppError::NotFound);
    }
    let url = author_url(&author.slug);
    let pager = Pager::new(&url, page.0, list.has_more);
    let articles = summaries(&list.items, chrome.zone);
    super::page(
        &state,
        "site/list.html",
        minijinja::context! {
            chrome, articles, pager, canonical => pager_canonical(&url, page),
            kind => "author", title => author.name, description => author.bio,
        },
    )
}
