//! A section's page: its articles, newest first, a page at a time.

use super::listing::{Heading, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, section_url};
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
    let (parent, children) = state.store.section_family(&section).await?;
    let chrome = Chrome::load(
        &state,
        parent
            .as_ref()
            .map_or(Some(section.slug.as_str()), |p| Some(p.slug.as_str())),
    )
    .await?;
    let list = state
        .store
        .section_articles(section.id, chrome.page_size, page.offset(chrome.page_size))
        .await?;
    let heading = Heading {
        kind: "section",
        list: crate::cache::Tag::SectionList(section.id),
        title: &section.name,
        description: &section.description,
        url: section_url(&section.slug),
        parent: parent.map(|p| (p.name, section_url(&p.slug))),
        children: children
            .into_iter()
            .map(|c| (c.name, section_url(&c.slug)))
            .collect(),
        profile: None,
    };
    render(&state, chrome, list, page, heading)
}
