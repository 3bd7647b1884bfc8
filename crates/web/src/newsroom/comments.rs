//! Comment moderation, for editors: the queue with counts, filters and
//! search, bulk approve / spam / trash / delete, editing a comment's text,
//! and replying as staff. Every change shows on the article at once.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use crate::views::When;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{CommentStatus, Role, time};
use bbn_store::{NewComment, Origin};
use serde::{Deserialize, Serialize};

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    article: Option<String>,
    q: Option<String>,
    page: Option<String>,
    erased: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    article_id: i64,
    article: String,
    article_url: String,
    name: String,
    email: String,
    body: String,
    /// The start of the text, for the collapsed view.
    excerpt: String,
    status: &'static str,
    posted: When,
    staff: bool,
    /// The learning filter's score in percent, when it judged the comment.
    score: Option<i64>,
    /// Why it went to spam on arrival.
    reason: String,
}

fn label(s: CommentStatus) -> &'static str {
    match s {
        CommentStatus::Pending => "Pending",
        CommentStatus::Approved => "Approved",
        CommentStatus::Spam => "Spam",
        CommentStatus::Trash => "Trash",
    }
}

pub async fn queue(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, AppError> {
    me.require(Role::Editor)?;
    let settings = state.store.settings().await?;
    let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    // The queue opens on what needs a decision. An empty field (from the
    // queue's own links and forms) means "not chosen".
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => Some(CommentStatus::Pending),
        Some("all") => None,
        Some(s) => Some(
            CommentStatus::parse(s)
                .ok_or_else(|| AppError::BadRequest("Unknown status.".into()))?,
        ),
    };
    let article = q.article.as_deref().and_then(|a| a.parse::<i64>().ok());
    let page = super::page_number(q.page.as_deref());
    let (items, has_more) = state
        .store
        .moderation_queue(status, article, q.q.as_deref(), PAGE, (page - 1) * PAGE)
        .await?;
    let rows: Vec<Row> = items
        .into_iter()
        .map(|c| Row {
            id: c.id,
            article_id: c.article_id,
            article: c.article_headline,
            article_url: crate::views::article_url(&c.article_slug),
            name: c.author_name,
            email: c.author_email,
            excerpt: if c.body.chars().count() > 240 {
                format!("{}…", c.body.chars().take(240).collect::<String>())
            } else {
                c.body.clone()
            },
            body: c.body,
            status: label(c.status),
            posted: When::new(c.created_at, zone),
            staff: c.staff,
            score: c.spam_score.map(|s| (s * 100.0).round() as i64),
            reason: c.spam_reason,
        })
        .collect();
    let counts: Vec<_> = {
        let found = state.store.comment_counts().await?;
        CommentStatus::ALL
            .iter()
            .map(|s| minijinja::context! { status => s.as_str(), label => label(*s), n => found.iter().find(|(x, _)| x == s).map_or(0, |(_, n)| *n) })
            .collect()
    };
    let base = serde_urlencoded::to_string([
        ("status", q.status.clone().unwrap_or_default()),
        ("article", q.article.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let corpus = state.store.spam_corpus().await?;
    let filter = minijinja::context! {
        spam => corpus.spam, ham => corpus.ham,
        after => settings.comments.filter_after,
        threshold => settings.comments.filter_threshold,
        ready => corpus.ready(settings.comments.filter_after),
    };
    let ctx = minijinja::context! {
        site => settings.name,
        rows, counts, page, filter,
        erased => q.erased.as_deref().and_then(|n| n.parse::<u64>().ok()),
        current => status.map(|s| s.as_str()).unwrap_or("all"),
        article, q => q.q,
        prev => (page > 1).then(|| format!("/newsroom/comments?{base}&page={}", page - 1)),
        next => has_more.then(|| format!("/newsroom/comments?{base}&page={}", page + 1)),
        back => format!("/newsroom/comments?{base}&page={page}"),
    };
    super::page(&state, &me, "newsroom/comments.html", ctx)
}

/// Where to go after an action: back to the queue as it was.
fn back_to(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.clone())
        .filter(|v| v.starts_with("/newsroom/comments") && !v.contains("//"))
        .unwrap_or_else(|| "/newsroom/comments".into())
}

/// The first value of a form field, or "".
fn field(fields: &[(String, String)], k: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A moderator's action on the queue: a status for the ticked comments,
/// deleting them, editing or answering one, or (admins) erasing a person's.
pub async fn act(
    State(state): State<AppState>,
    me: CurrentUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    me.require(Role::Editor)?;
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let action = field(&fields, "action");
    match action.as_str() {
        "approve" | "spam" | "trash" | "pending" => {
            let status = match action.as_str() {
                "approve" => CommentStatus::Approved,
                "spam" => CommentStatus::Spam,
                "trash" => CommentStatus::Trash,
                _ => CommentStatus::Pending,
            };
            state.store.set_comments_status(&ids, status).await?;
        }
        "delete" => drop(state.store.delete_comments(&ids).await?),
        "erase" => return erase(&state, &me, &field(&fields, "email")).await,
        "edit" => {
            let id = which(&fields, "id", "Which comment?")?;
            state
                .store
                .edit_comment(id, field(&fields, "body").trim())
                .await?;
        }
        "reply" => reply(&state, &me, &fields).await?,
        _ => return Err(AppError::BadRequest("Choose an action.".into())),
    }
    Ok(Redirect::to(&back_to(&fields)).into_response())
}

/// A number the form must carry, or the question to ask.
fn which(fields: &[(String, String)], k: &str, ask: &str) -> Result<i64, AppError> {
    field(fields, k)
        .parse()
        .map_err(|_| AppError::BadRequest(ask.into()))
}

/// A privacy request removes everything a person wrote: admins only.
async fn erase(state: &AppState, me: &CurrentUser, email: &str) -> Result<Response, AppError> {
    me.require(Role::Admin)?;
    let n = state.store.erase_comments_of(email).await?;
    tracing::info!(erased = n, by = me.user.id, "erased a commenter's comments");
    Ok(Redirect::to(&format!("/newsroom/comments?status=all&erased={n}")).into_response())
}

/// A staff reply, approved as it is posted, to an approved comment.
async fn reply(
    state: &AppState,
    me: &CurrentUser,
    fields: &[(String, String)],
) -> Result<(), AppError> {
    let parent = which(fields, "id", "Which comment?")?;
    let article = which(fields, "article", "Which article?")?;
    let text = field(fields, "body");
    if text.trim().is_empty() {
        return Err(AppError::BadRequest("Write the reply first.".into()));
    }
    if state.store.reply_depth(parent, article).await?.is_none() {
        return Err(AppError::BadRequest(
            "Only approved comments of that article can be answered.".into(),
        ));
    }
    state
        .store
        .post_comment(
            &NewComment {
                article_id: article,
                parent_id: Some(parent),
                author_name: me.user.name.clone(),
                author_email: me.user.email.clone(),
                body: text.trim().to_string(),
                status: CommentStatus::Approved,
                created_at: time::now(),
            },
            &Origin {
                staff_user_id: Some(me.user.id),
                ..Origin::default()
            },
        )
        .await?;
    Ok(())
}
