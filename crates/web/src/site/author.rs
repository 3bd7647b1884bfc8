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
    let profile = state
        .store
        .author_profile_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = &profile.author;
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
        profile: Some(minijinja::context! {
            job_title => profile.author.job_title,
            photo => profile.photo_url,
            links => profile.links.iter().map(|l| (link_label(l), l.clone())).collect::<Vec<_>>(),
        }),
    };
    render(&state, chrome, list, page, heading)
}

/// A link's words on the author page: its host without "www.".
fn link_label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.trim_start_matches("www.").to_string()
}
