//! The reader site: pages anyone can see.

pub mod article;
pub mod author;
pub mod comments;
pub mod home;
mod listing;
pub mod search;
pub mod section;
pub mod topic;

use crate::AppState;
use crate::error::AppError;
use axum::response::Html;

/// Renders a template of the theme into a page.
pub(crate) fn page(
    state: &AppState,
    template: &str,
    ctx: minijinja::Value,
) -> Result<Html<String>, AppError> {
    Ok(Html(state.theme.render(template, ctx)?))
}
