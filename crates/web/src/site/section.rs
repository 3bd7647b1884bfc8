//! A section's page: its articles, newest first, a page at a time.

use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, Pager, section_url, summaries};
use axum::extract::{Path, State};
use axum::response::Html;

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    page: PageNumber,
) -> Result<Html<String>, AppError> {
    let section = state
        .store
        .section_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::load(&state, Some(&section.slug)).await?;
    let list = state
        .store
        .section_articles(section.id, chrome.page_size, page.offset(chrome.page_size))
        .await?;
    if list.items.is_empty() && page.0 > 1 {
        return Err(AppError::NotFound);
    }
    let url = section_url(&section.slug);
    let pager = Pager::new(&url, page.0, list.has_more);
    let articles = summaries(&list.items, chrome.zone);
    super::page(
        &state,
        "site/list.html",
        minijinja::context! {
            chrome, articles, pager, canonical => pager_canonical(&url, page),
            kind => "section", title => section.name, description => section.description,
        },
    )
}

/// The canonical URL of a list page: page 1 has no `?page=`.
pub(crate) fn pager_canonical(base: &str, page: PageNumber) -> String {
    if page.0 == 1 {
        base.to_string()
    } else {
        format!("{base}?page={}", page.0)
    }
}
