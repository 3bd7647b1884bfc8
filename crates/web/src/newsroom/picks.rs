//! Editors' Picks: choose which published articles the site highlights, and their order.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Role, Status};
use bbn_newsroom::workflow::{self, PickChange};
use bbn_store::ArticleFilter;
use serde::Deserialize;

pub async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Html<String>, AppError> {
    me.require(Role::Editor)?;
    let ids = state.store.editors_pick_ids().await?;
    let mut picks = Vec::new();
    for id in &ids {
        if let Some(a) = state.store.article_by_id(*id).await? {
            picks.push(minijinja::context! { id => a.id, headline => a.headline, live => a.status == Status::Published });
        }
    }
    let published = ArticleFilter {
        status: Some(Status::Published),
        ..Default::default()
    };
    let candidates: Vec<_> = state
        .store
        .newsroom_articles(&published, 100, 0)
        .await?
        .0
        .into_iter()
        .filter(|a| !ids.contains(&a.id))
        .map(|a| (a.id, a.headline))
        .collect();
    let site = state.store.settings().await?.name;
    super::page(
        &state,
        &me,
        "newsroom/picks.html",
        minijinja::context! { site, picks, candidates },
    )
}

#[derive(Deserialize)]
pub struct PickAction {
    /// "add", "remove-ID", "up-ID", "down-ID"
    action: String,
    article: Option<i64>,
}

pub async fn change(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(f): CsrfForm<PickAction>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let target = |prefix: &str| {
        f.action
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<i64>().ok())
    };
    let change = if f.action == "add" {
        PickChange::Add(
            f.article
                .ok_or_else(|| AppError::BadRequest("Choose an article to add.".into()))?,
        )
    } else if let Some(id) = target("remove-") {
        PickChange::Remove(id)
    } else if let Some(id) = target("up-") {
        PickChange::Up(id)
    } else if let Some(id) = target("down-") {
        PickChange::Down(id)
    } else {
        return Err(AppError::BadRequest("Unknown action.".into()));
    };
    workflow::change_picks(&state.store, &me.user, change).await?;
    Ok(Redirect::to("/newsroom/picks").into_response())
}
