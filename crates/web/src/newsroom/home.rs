//! The newsroom's front page: what needs doing, by whom.

use super::articles::list::{rows, with_presence};
use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use axum::extract::{Query, State};
use axum::response::Html;
use bbn_core::{Role, Status, time};
use bbn_store::ArticleFilter;
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
    let settings = state.store.settings().await?;
    let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let me = &user.user;
    let store = &state.store;
    let mine = ArticleFilter {
        mine: Some((me.id, me.author_id)),
        status: Some(Status::Draft),
        ..Default::default()
    };
    let review = ArticleFilter {
        status: Some(Status::InReview),
        ..Default::default()
    };
    let scheduled = ArticleFilter {
        status: Some(Status::Scheduled),
        ..Default::default()
    };
    let (drafts, review, scheduled, counts) = tokio::try_join!(
        store.newsroom_articles(&mine, 10, 0),
        store.newsroom_articles(&review, 10, 0),
        store.newsroom_articles(&scheduled, 10, 0),
        store.status_counts(),
    )?;
    let counts: Vec<_> = counts
        .into_iter()
        .map(|(s, n)| minijinja::context! { status => s.as_str(), label => s.label(), n })
        .collect();
    let ctx = minijinja::context! {
        site => settings.name,
        notice,
        counts,
        drafts => with_presence(rows(drafts.0, me, zone), &state).await,
        review => with_presence(rows(review.0, me, zone), &state).await,
        scheduled => with_presence(rows(scheduled.0, me, zone), &state).await,
        reviewer => me.role >= Role::Editor,
    };
    super::page(&state, &user, "newsroom/home.html", ctx)
}
