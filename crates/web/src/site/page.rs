//! Static pages (About, Contact, Terms) at `/{slug}`.

use crate::AppState;
use crate::error::AppError;
use crate::views::{Chrome, page_url};
use axum::extract::{Path, State};
use axum::response::Html;
use bbn_core::{PageStatus, time};

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let page = state
        .store
        .page_by_slug(&slug)
        .await?
        .filter(|p| p.status == PageStatus::Published)
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::load(&state, None).await?;
    let updated = time::long_date(page.modified_at, chrome.zone);
    let updated_iso = time::rfc3339(page.modified_at, chrome.zone);
    let canonical = page_url(&page.slug);
    super::page(
        &state,
        "site/page.html",
        minijinja::context! {
            chrome,
            page => minijinja::context! {
                title => page.title,
                body_html => page.body_html,
                description => page.seo_description,
                updated,
                updated_iso,
            },
            canonical,
        },
    )
}
