//! The reader site: pages anyone can see.

pub mod article;
pub mod author;
pub mod comments;
mod discussion;
pub mod home;
mod listing;
pub mod page;
pub(crate) mod redirects;
pub mod search;
pub mod section;
pub mod topic;

use crate::AppState;
use crate::error::AppError;
use axum::response::{Html, IntoResponse, Response};

/// The publisher as structured data names it: the site, with its logo (or,
/// without one, the theme's icon).
pub(crate) fn publisher<'a>(
    state: &'a AppState,
    chrome: &'a crate::views::Chrome,
) -> crate::views::structured::Publisher<'a> {
    let base = state.config.base_url.as_str();
    let logo = chrome
        .logo_url
        .as_deref()
        .or_else(|| state.theme.asset_url("favicon.svg"))
        .unwrap_or("/favicon.svg");
    crate::views::structured::Publisher {
        name: &chrome.site_name,
        base_url: base,
        logo: if logo.starts_with('/') {
            format!("{base}{logo}")
        } else {
            logo.to_string()
        },
        language: &chrome.language,
        zone: chrome.zone,
    }
}

/// A 301: what search engines and old links expect of moved content.
pub(crate) fn moved_permanently(to: &str) -> Response {
    match axum::http::HeaderValue::from_str(to) {
        Ok(location) => (
            axum::http::StatusCode::MOVED_PERMANENTLY,
            [(axum::http::header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => AppError::NotFound.into_response(),
    }
}

/// Renders a template of the theme into a page.
pub(crate) fn page(
    state: &AppState,
    template: &str,
    ctx: minijinja::Value,
) -> Result<Html<String>, AppError> {
    Ok(Html(state.theme.render(template, ctx)?))
}
