//! "Leave a Comment": a reader's comment from the form on an article page.
//!
//! Works without JavaScript: a normal POST, then a redirect back to the
//! article, at the comment or at a notice. With it (`Accept:
//! application/json`), the answer is JSON: the rendered comment to insert, or
//! the problems to show at the form. A comment is acknowledged only after it
//! is committed. What a comment becomes is `bbn_newsroom::admission`'s
//! decision; this handler reads the request, gathers what only the request
//! shows (origin, signed form token, address), and words the answer.

use super::article::{CommentBox, CommentPage, render_with};
use super::discussion::pending_ids;
use crate::AppState;
use crate::error::AppError;
use crate::extract::client::ClientAddr;
use crate::extract::session::{PENDING_COOKIE, cookie};
use crate::signing;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bbn_core::{Article, Comment, CommentStatus, SiteSettings, Status, time};
use bbn_newsroom::admission::{self, Decision, Refusal, Rules, Sender, Submission};
use std::collections::BTreeMap;

fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let origin_of =
        |url: &str| -> String { url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/") };
    let ours = origin_of(base_url);
    if let Some(o) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return o == ours;
    }
    match headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
        Some(r) => origin_of(r) == ours,
        // Old clients send neither; the signed form token still stands.
        None => true,
    }
}

/// Decode → gather the facts → admit → store → answer.
pub async fn post(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let article = state
        .store
        .article_by_slug(&slug)
        .await?
        .filter(|a| a.status == Status::Published)
        .ok_or(AppError::NotFound)?;
    let settings = state.store.settings().await?;
    let secret = signing::secret(&state).await?;
    let now = state.store.now();
    let submission = match crate::extract::form::decode(&body) {
        Ok(fields) => Submission::read(&fields, settings.comments.max_chars as usize),
        Err(_) => Submission::unreadable(),
    };
    let sender = sender(&state, &headers, &secret, &address, &submission, article.id);
    let rules = rules(&state, &settings);
    let facts =
        admission::gather(&state.store, &article, &submission, &rules, &sender, now).await?;
    match admission::admit(&submission, &facts, &rules, now) {
        Decision::Refuse(why) => refused(&state, article, &headers, &submission, why).await,
        Decision::Discard => Ok(acknowledged(&article, None, &secret, None, None)),
        Decision::Accept(verdict) => {
            let id = admission::save(
                &state.store,
                article.id,
                &submission,
                &verdict,
                &sender.ip_hash,
                now,
            )
            .await?;
            let posted = (id, verdict.status);
            // With JavaScript, the comment comes back as the list item to show.
            let html =
                wants_json(&headers).then(|| rendered(&state, &settings, &submission, posted, now));
            let previous = cookie(&headers, PENDING_COOKIE);
            Ok(acknowledged(
                &article,
                Some(posted),
                &secret,
                previous,
                html,
            ))
        }
    }
}

/// The site's rules for comments, with the operator's limits.
fn rules<'a>(state: &AppState, settings: &'a SiteSettings) -> Rules<'a> {
    Rules {
        comments: &settings.comments,
        min_seconds: state.config.comment_min_seconds,
        per_address: state.config.comments_per_address,
        per_article: state.config.comments_per_article,
    }
}

/// What the request shows of its sender: where the form was, when it was
/// shown (its signed token), the address's salted hash.
fn sender(
    state: &AppState,
    headers: &HeaderMap,
    secret: &str,
    address: &str,
    submission: &Submission,
    article_id: i64,
) -> Sender {
    Sender {
        same_origin: same_origin(headers, &state.config.base_url),
        form_issued_at: admission::form_issued_at(
            signing::verify(secret, &submission.token),
            article_id,
        ),
        ip_hash: signing::address_hash(secret, address),
    }
}

/// A refusal in the reader's words: an error page for what a person at the
/// form did not cause, else the form again with their text kept (or JSON
/// for the page's script).
async fn refused(
    state: &AppState,
    article: Article,
    headers: &HeaderMap,
    s: &Submission,
    why: Refusal,
) -> Result<Response, AppError> {
    let (errors, notice, status) = match why {
        Refusal::Closed => {
            return Err(AppError::BadRequest(
                "Comments are closed for this article.".into(),
            ));
        }
        Refusal::CrossOrigin => return Err(AppError::CsrfRejected),
        Refusal::Unreadable => {
            return Err(AppError::BadRequest(
                "The comment could not be read: it is not valid UTF-8 text.".into(),
            ));
        }
        Refusal::Fields(errors) => (
            errors,
            "Your comment was not posted: see below.",
            StatusCode::BAD_REQUEST,
        ),
        Refusal::UnknownForm => (
            BTreeMap::new(),
            "The form was not recognised. Reload the page and post again; your text is kept below.",
            StatusCode::BAD_REQUEST,
        ),
        Refusal::StaleForm => (
            BTreeMap::new(),
            "The form is more than a day old. Post again; your text is kept below.",
            StatusCode::BAD_REQUEST,
        ),
        Refusal::TooMany => (
            BTreeMap::new(),
            "You are commenting faster than we allow. Wait a few minutes, then post again; your text is kept below.",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Refusal::Duplicate => (
            BTreeMap::new(),
            "This exact comment was already posted today.",
            StatusCode::CONFLICT,
        ),
    };
    if wants_json(headers) {
        let body = serde_json::json!({ "message": notice, "errors": errors });
        return Ok((status, Json(body)).into_response());
    }
    let comment_box = CommentBox {
        name: s.name.clone(),
        email: s.email.clone(),
        comment: s.text.clone(),
        parent: s.parent_id,
        errors,
        notice: None,
        problem: Some(notice.to_string()),
        // The form sits under the newest comments.
        page: CommentPage::Newest,
    };
    let mut response = render_with(state, article, false, Some(comment_box), &[]).await?;
    *response.status_mut() = status;
    Ok(response)
}

/// The posted comment as the list item the page's script inserts. It is
/// committed: a template problem must not turn that into an error.
fn rendered(
    state: &AppState,
    settings: &SiteSettings,
    s: &Submission,
    (id, status): (i64, CommentStatus),
    now: i64,
) -> String {
    let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let c = Comment {
        id,
        parent_id: s.parent_id,
        author_name: s.name.clone(),
        body: s.text.clone(),
        created_at: now,
        staff: false,
    };
    let view = crate::views::comment_views(std::slice::from_ref(&c), zone);
    let ctx =
        minijinja::context! { c => view.first(), own_pending => status != CommentStatus::Approved };
    state
        .theme
        .render("site/comment.html", ctx)
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not render a posted comment");
            String::new()
        })
}

/// Whether the form was posted by the page's script, which wants JSON back.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// The answer to a committed comment: without JavaScript a redirect to the
/// comment when it is live, otherwise to the notice; with it (`html`, the
/// rendered comment) JSON. The reader's pending comments are remembered in
/// a signed cookie either way.
fn acknowledged(
    article: &Article,
    posted: Option<(i64, CommentStatus)>,
    secret: &str,
    previous: Option<&str>,
    html: Option<String>,
) -> Response {
    let url = crate::views::article_url(&article.slug);
    let cookie = match posted {
        Some((id, status)) if status != CommentStatus::Approved => {
            let mut ids = pending_ids(secret, previous);
            ids.push(id);
            let keep: Vec<String> = ids
                .iter()
                .rev()
                .take(20)
                .rev()
                .map(|i| i.to_string())
                .collect();
            let value = signing::sign(secret, &keep.join("-"));
            Some(format!(
                "{PENDING_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000"
            ))
        }
        _ => None,
    };
    if let Some(html) = html {
        let approved = matches!(posted, Some((_, CommentStatus::Approved)));
        let body = serde_json::json!({
            "status": if approved { "approved" } else { "pending" },
            "id": posted.map(|(id, _)| id),
            "html": html,
            "message": if approved { "Thank you: your comment is published." } else { "Thank you. Your comment is awaiting moderation; until a moderator approves it, only you can see it." },
        });
        let mut response = (StatusCode::CREATED, Json(body)).into_response();
        if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(header::SET_COOKIE, c);
        }
        return response;
    }
    match posted {
        Some((id, CommentStatus::Approved)) => see_other(&format!("{url}#comment-{id}"), None),
        _ => see_other(&format!("{url}?comment=pending#comments"), cookie),
    }
}

fn see_other(to: &str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_be_ours_when_sent() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h, "https://news.example"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://news.example"),
        );
        assert!(same_origin(&h, "https://news.example"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h, "https://news.example"));
    }
}
