//! Editors' Picks: choose which published articles the site highlights, and their order.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Role, Status};
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
    let mut ids = state.store.editors_pick_ids().await?;
    let target = |prefix: &str| {
        f.action
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<i64>().ok())
    };
    if f.action == "add" {
        let id = f
            .article
            .ok_or_else(|| AppError::BadRequest("Choose an article to add.".into()))?;
        let a = state
            .store
            .article_by_id(id)
            .await?
            .ok_or_else(|| AppError::BadRequest("That article does not exist.".into()))?;
        if a.status != Status::Published {
            return Err(AppError::BadRequest(
                "Only published articles can be picked.".into(),
            ));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    } else if let Some(id) = target("remove-") {
        ids.retain(|x| *x != id);
    } else if let Some(id) = target("up-") {
        if let Some(i) = ids.iter().position(|x| *x == id).filter(|i| *i > 0) {
            ids.swap(i, i - 1);
        }
    } else if let Some(id) = target("down-") {
        if let Some(i) = ids
            .iter()
            .position(|x| *x == id)
            .filter(|i| i + 1 < ids.len())
        {
            ids.swap(i, i + 1);
        }
    } else {
        return Err(AppError::BadRequest("Unknown action.".into()));
    }
    state.store.set_editors_picks(&ids).await?;
    Ok(Redirect::to("/newsroom/picks").into_response())
}
