//! The trash and the article list's bulk actions: one article at a time
//! through `bbn_newsroom::workflow`, so each keeps its own role rules,
//! pre-publish checks and revision; the list then says how many were done.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use bbn_core::validate::ArticleDraft;
use bbn_newsroom::workflow::{self, Action, Refusal};

/// The most articles one bulk action takes (a page of the list).
const MOST: usize = 100;

/// What a bulk action does to each article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Publish,
    Unpublish,
    Move(i64),
    Trash,
    Restore,
}

impl Bulk {
    fn parse(action: &str, section: Option<i64>) -> Option<Bulk> {
        Some(match action {
            "publish" => Bulk::Publish,
            "unpublish" => Bulk::Unpublish,
            "move" => Bulk::Move(section?),
            "trash" => Bulk::Trash,
            "restore" => Bulk::Restore,
            _ => return None,
        })
    }

    fn done(self) -> &'static str {
        match self {
            Bulk::Publish => "published",
            Bulk::Unpublish => "unpublished",
            Bulk::Move(_) => "moved",
            Bulk::Trash => "trashed",
            Bulk::Restore => "restored",
        }
    }
}

async fn apply(state: &AppState, user: &CurrentUser, id: i64, what: Bulk) -> Result<bool, Refusal> {
    let store = &state.store;
    let me = &user.user;
    let Some(a) = store.article_by_id(id).await? else {
        return Ok(false);
    };
    let in_trash = store.trashed_at(id).await?.is_some();
    match what {
        // An article in the trash only comes out of it.
        _ if in_trash && what != Bulk::Restore => Ok(false),
        Bulk::Publish => workflow::take(store, me, &a, Action::Publish, None)
            .await
            .map(|_| true),
        Bulk::Unpublish => workflow::take(store, me, &a, Action::Unpublish, None)
            .await
            .map(|_| true),
        Bulk::Move(section) => {
            if a.section.id == section {
                return Ok(false);
            }
            let mut draft = ArticleDraft::from(&a);
            draft.section_id = section;
            workflow::resave(store, me, &a, draft, None, None)
                .await
                .map(|_| true)
        }
        Bulk::Trash => workflow::trash(store, me, &a).await,
        Bulk::Restore => workflow::untrash(store, me, &a).await,
    }
}

/// `POST /newsroom/articles/bulk`: `ids` (repeated), `action` (publish,
/// unpublish, move with `section_id`, trash, restore), `back` (the list's
/// query to return to).
pub async fn bulk(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .take(MOST)
        .collect();
    let section = field("section_id").and_then(|s| s.parse().ok());
    let what = Bulk::parse(field("action").unwrap_or(""), section).ok_or_else(|| {
        AppError::BadRequest(
            "Choose what to do with the chosen articles (and, to move them, a section).".into(),
        )
    })?;
    let (mut done, mut refused) = (0, 0);
    for id in &ids {
        match apply(&state, &user, *id, what).await {
            Ok(true) => done += 1,
            Ok(false) | Err(Refusal::Forbidden | Refusal::Blocked(_) | Refusal::Invalid(_)) => {
                refused += 1
            }
            Err(Refusal::Store(
                bbn_store::StoreError::Invalid(_) | bbn_store::StoreError::Conflict { .. },
            )) => refused += 1,
            Err(Refusal::Store(e)) => return Err(e.into()),
        }
    }
    let back = list_query(field("back").unwrap_or(""));
    Ok(Redirect::to(&format!(
        "/newsroom/articles?{back}{}done={done}&refused={refused}&did={}",
        if back.is_empty() { "" } else { "&" },
        what.done()
    ))
    .into_response())
}

/// A list query sent back from the form, kept only as the list's own
/// filters (never an address elsewhere).
fn list_query(back: &str) -> String {
    let kept: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(back)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "status" | "section" | "author" | "topic" | "q" | "mine" | "trash"
            )
        })
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `POST /newsroom/articles/{id}/trash` from the editor.
pub async fn trash(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    workflow::trash(&state.store, &user.user, &a).await?;
    Ok(Redirect::to("/newsroom/articles?done=1&refused=0&did=trashed").into_response())
}

/// `POST /newsroom/articles/{id}/untrash` from the editor.
pub async fn untrash(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    workflow::untrash(&state.store, &user.user, &a).await?;
    Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=restored")).into_response())
}

/// `POST /newsroom/articles/trash/empty`: deletes everything in the trash for good.
pub async fn empty(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let gone = workflow::empty_trash(&state.store, &user.user, 0).await?;
    Ok(Redirect::to(&format!(
        "/newsroom/articles?trash=1&done={}&refused=0&did=deleted",
        gone.len()
    ))
    .into_response())
}
