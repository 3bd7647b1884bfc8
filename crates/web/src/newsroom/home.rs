//! The newsroom's front page.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let notice = match q.notice.as_deref() {
        Some("password-changed") => {
            Some("Your password was changed. Your other sessions were signed out.")
        }
        _ => None,
    };
    let site = state.store.settings().await?.name;
    super::page(
        &state,
        &user,
        "newsroom/home.html",
        minijinja::context! { site, notice },
    )
}
