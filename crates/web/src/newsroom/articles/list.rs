//! Newsroom lists: every article with filters, and the home page's queues.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use crate::views::When;
use axum::extract::{Query, State};
use axum::response::Html;
use bbn_core::{Status, time};
use bbn_store::{ArticleFilter, NewsroomItem};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    author: Option<String>,
    topic: Option<String>,
    q: Option<String>,
    mine: Option<String>,
    page: Option<String>,
    /// "1": the trash.
    trash: Option<String>,
    /// What a bulk action just did: how many, how many were refused, and the verb.
    done: Option<usize>,
    refused: Option<usize>,
    did: Option<String>,
}

#[derive(Serialize)]
pub struct Row {
    id: i64,
    headline: String,
    status: &'static str,
    status_label: &'static str,
    section: String,
    authors: String,
    modified: When,
    scheduled: Option<When>,
    edit_url: Option<String>,
    preview_url: String,
    /// "Ann Editor is editing": who has it open in the live editor now.
    editing: Option<String>,
}

/// Notes on each row who has it open in the live editor (on any instance).
pub async fn with_presence(mut rows: Vec<Row>, state: &crate::AppState) -> Vec<Row> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let editing = state.live.editing_anywhere(&state.store, &ids).await;
    for row in &mut rows {
        if let Some(names) = editing.get(&row.id) {
            row.editing = Some(crate::newsroom::live::presence_sentence(names));
        }
    }
    rows
}

pub fn rows(items: Vec<NewsroomItem>, user: &bbn_core::User, zone: Tz) -> Vec<Row> {
    items
        .into_iter()
        .map(|i| {
            // The list knows bylines by name only; ownership is checked again on the edit page.
            let editable = user.role >= bbn_core::Role::Author
                || matches!(i.status, Status::Draft | Status::InReview);
            Row {
                edit_url: editable.then(|| format!("/newsroom/articles/{}/edit", i.id)),
                preview_url: format!("/newsroom/articles/{}/preview", i.id),
                id: i.id,
                headline: i.headline,
                status: i.status.as_str(),
                status_label: i.status.label(),
                section: i.section_name,
                authors: i.authors.join(", "),
                modified: When::new(i.modified_at, zone),
                scheduled: i.scheduled_at.map(|t| When::new(t, zone)),
                editing: None,
            }
        })
        .collect()
}

fn number(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|s| s.parse().ok())
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let settings = state.store.settings().await?;
    let zone = time::parse_zone(&settings.time_zone).unwrap_or(Tz::UTC);
    let page = crate::newsroom::page_number(q.page.as_deref());
    let filter = ArticleFilter {
        status: q.status.as_deref().and_then(Status::parse),
        section_id: number(&q.section),
        author_id: number(&q.author),
        topic_id: number(&q.topic),
        headline: q.q.clone().filter(|s| !s.trim().is_empty()),
        mine: q
            .mine
            .as_deref()
            .filter(|m| *m == "1")
            .map(|_| (user.user.id, user.user.author_id)),
        trash: q.trash.as_deref() == Some("1"),
    };
    let (items, has_more) = state
        .store
        .newsroom_articles(&filter, PAGE, (page - 1) * PAGE)
        .await?;
    let rows = with_presence(rows(items, &user.user, zone), &state).await;
    let sections = state.store.all_sections().await?;
    let authors = state.store.all_authors().await?;
    let topics = state.store.all_topics().await?;
    let statuses: Vec<(&str, &str)> = [
        Status::Draft,
        Status::InReview,
        Status::Scheduled,
        Status::Published,
        Status::Unpublished,
    ]
    .iter()
    .map(|s| (s.as_str(), s.label()))
    .collect();
    let query_without_page = serde_urlencoded::to_string([
        ("status", q.status.clone().unwrap_or_default()),
        ("section", q.section.clone().unwrap_or_default()),
        ("author", q.author.clone().unwrap_or_default()),
        ("topic", q.topic.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
        ("mine", q.mine.clone().unwrap_or_default()),
        ("trash", q.trash.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let did = q.did.as_deref().filter(|d| {
        matches!(
            *d,
            "published" | "unpublished" | "moved" | "trashed" | "restored" | "deleted"
        )
    });
    let notice = did.map(|did| {
        let done = q.done.unwrap_or(0);
        let refused = q.refused.unwrap_or(0);
        let mut text = format!(
            "{done} article{} {did}.",
            if done == 1 { "" } else { "s" }
        );
        if refused > 0 {
            text.push_str(&format!(
                " {refused} not: not yours to change, already so, or stopped by the pre-publish checks (open each to see why)."
            ));
        }
        text
    });
    let ctx = minijinja::context! {
        site => settings.name,
        notice,
        trash => filter.trash,
        trash_count => state.store.trash_count().await?,
        can_empty_trash => bbn_newsroom::roles::can_empty_trash(&user.user),
        back => query_without_page.clone(),
        rows,
        statuses,
        sections => sections.iter().map(|s| (s.id, s.name.clone())).collect::<Vec<_>>(),
        authors => authors.iter().map(|a| (a.id, a.name.clone())).collect::<Vec<_>>(),
        topics => topics.iter().map(|t| (t.id, t.name.clone())).collect::<Vec<_>>(),
        filter => minijinja::context! {
            status => q.status, section => number(&q.section), author => number(&q.author),
            topic => number(&q.topic), q => q.q, mine => q.mine.as_deref() == Some("1"),
        },
        prev => (page > 1).then(|| format!("/newsroom/articles?{query_without_page}&page={}", page - 1)),
        next => has_more.then(|| format!("/newsroom/articles?{query_without_page}&page={}", page + 1)),
        page,
    };
    super::super::page(&state, &user, "newsroom/articles.html", ctx)
}
