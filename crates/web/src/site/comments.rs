//! "Leave a Comment": a reader's comment from the form on an article page.
//!
//! Works without JavaScript: a normal POST, then a redirect back to the
//! article, at the comment or at a notice. With it (`Accept:
//! application/json`), the answer is JSON: the rendered comment to insert, or
//! the problems to show at the form. A comment is acknowledged only after it
//! is committed. Spam defence, in order: the honeypot field, a
//! signed form token (too fast, too old, or forged), rate limits per address
//! and per article, links, the blocklist, the same text twice in a day, and
//! the learning filter once moderators have taught it enough.

use super::article::{CommentBox, CommentPage, render_with};
use super::discussion::{open_for_comments, pending_ids};
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
use bbn_core::{Article, Comment, CommentStatus, Moderation, Status, spam, time};
use bbn_store::{NewComment, Origin};
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

/// A form older than this must be reloaded.
const MAX_FORM_AGE: i64 = 24 * 3600;
/// The rate limits count comments over this many seconds.
const WINDOW: i64 = 600;
const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;

/// Unicode-normalized, trimmed text; control characters refused (line breaks and tabs allowed where `multiline`).
pub(crate) fn clean(text: &str, multiline: bool) -> Result<String, ()> {
    let t: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    if t.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(());
    }
    Ok(t.trim().to_string())
}

fn links_in(text: &str) -> i64 {
    let lower = text.to_lowercase();
    (lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count()) as i64
}

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
    let now = time::now();
    if !open_for_comments(&article, &settings.comments, now) {
        return Err(AppError::BadRequest(
            "Comments are closed for this article.".into(),
        ));
    }
    if !same_origin(&headers, &state.config.base_url) {
        return Err(AppError::CsrfRejected);
    }
    let fields = crate::extract::form::decode(&body).map_err(|_| {
        AppError::BadRequest("The comment could not be read: it is not valid UTF-8 text.".into())
    })?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let secret = signing::secret(&state).await?;

    let mut errors: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut field =
        |name: &'static str, value: &str, multiline: bool, max: usize, required: &str| -> String {
            match clean(value, multiline) {
                Err(()) => {
                    errors.insert(name, "This field contains control characters.".into());
                    String::new()
                }
                Ok(v) if v.is_empty() => {
                    errors.insert(name, required.into());
                    v
                }
                Ok(v) if v.chars().count() > max => {
                    errors.insert(name, format!("Use at most {max} characters."));
                    v
                }
                Ok(v) => v,
            }
        };
    let name = field("name", get("name"), false, MAX_NAME, "Please give a name.");
    let email = field(
        "email",
        get("email"),
        false,
        MAX_EMAIL,
        "Please give your email address (it is never shown).",
    );
    let text = field(
        "comment",
        get("comment"),
        true,
        settings.comments.max_chars as usize,
        "Please write a comment.",
    );
    if !email.is_empty()
        && !errors.contains_key("email")
        && bbn_store::normalize_email(&email).is_err()
    {
        errors.insert(
            "email",
            "Enter an email address like name@example.com.".into(),
        );
    }
    let parent_id: Option<i64> = get("parent").parse().ok();
    if let Some(parent) = parent_id {
        match state.store.reply_depth(parent, article.id).await? {
            Some(depth) if depth < settings.comments.max_depth => {}
            Some(_) => {
                errors.insert(
                    "comment",
                    "Replies cannot nest deeper here; reply to the comment above instead.".into(),
                );
            }
            None => {
                errors.insert(
                    "comment",
                    "The comment you replied to is not available.".into(),
                );
            }
        }
    }
    let json = wants_json(&headers);
    let back = |errors: BTreeMap<&'static str, String>,
                notice: Option<String>,
                status: StatusCode| {
        let state = state.clone();
        let article = article.clone();
        let (name, email, text) = (name.clone(), email.clone(), text.clone());
        async move {
            if json {
                let body = serde_json::json!({ "message": notice, "errors": errors });
                return Ok::<Response, AppError>((status, Json(body)).into_response());
            }
            let comment_box = CommentBox {
                name,
                email,
                comment: text,
                parent: parent_id,
                errors,
                notice: None,
                problem: notice,
                // The form sits under the newest comments.
                page: CommentPage::Newest,
            };
            let mut response = render_with(&state, article, false, Some(comment_box), &[]).await?;
            *response.status_mut() = status;
            Ok::<Response, AppError>(response)
        }
    };
    if !errors.is_empty() {
        return back(
            errors,
            Some("Your comment was not posted: see below.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }

    // The honeypot: people never see the field, scripts fill it. They are told what a person would be told.
    if !get("website").is_empty() {
        return Ok(acknowledged(&article, None, &secret, None, None));
    }
    let issued = signing::verify(&secret, get("token"))
        .and_then(|m| m.split_once(':'))
        .and_then(|(a, t)| Some((a.parse::<i64>().ok()?, t.parse::<i64>().ok()?)))
        .filter(|(a, _)| *a == article.id);
    let Some((_, issued_at)) = issued else {
        return back(BTreeMap::new(), Some("The form was not recognised. Reload the page and post again; your text is kept below.".into()), StatusCode::BAD_REQUEST).await;
    };
    if now - issued_at > MAX_FORM_AGE {
        return back(
            BTreeMap::new(),
            Some("The form is more than a day old. Post again; your text is kept below.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let ip_hash = signing::address_hash(&secret, &address);
    let (by_address, on_article) = state
        .store
        .recent_comment_counts(
            &ip_hash,
            article.id,
            now - WINDOW,
            state
                .config
                .comments_per_address
                .max(state.config.comments_per_article),
        )
        .await?;
    if by_address >= state.config.comments_per_address
        || on_article >= state.config.comments_per_article
    {
        return back(BTreeMap::new(), Some("You are commenting faster than we allow. Wait a few minutes, then post again; your text is kept below.".into()), StatusCode::TOO_MANY_REQUESTS).await;
    }
    if state.store.same_comment_since(&text, now - 86_400).await? {
        return back(
            BTreeMap::new(),
            Some("This exact comment was already posted today.".into()),
            StatusCode::CONFLICT,
        )
        .await;
    }

    let lower = format!("{name}\n{email}\n{text}").to_lowercase();
    let c = &settings.comments;
    let mut reason = if now - issued_at < state.config.comment_min_seconds {
        "posted sooner after the form was shown than a person types"
    } else if links_in(&text) > c.max_links {
        "more links than the site allows"
    } else if c
        .blocklist
        .iter()
        .any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
    {
        "a blocked word or address"
    } else {
        ""
    };
    // The learning filter judges what the rules let through, once it has learned enough.
    let mut spam_score = None;
    if reason.is_empty() {
        let tokens = spam::tokens(&name, &email, &text);
        let (corpus, counts) = state.store.spam_knowledge(&tokens).await?;
        if corpus.ready(c.filter_after) {
            spam_score = Some(spam::score(&tokens, &counts, corpus));
        }
    }
    let status = match spam_score {
        _ if !reason.is_empty() => CommentStatus::Spam,
        Some(score) if score * 100.0 >= c.filter_threshold as f64 => {
            reason = "the learning filter";
            CommentStatus::Spam
        }
        // Doubtful: a moderator decides, whatever the moderation mode.
        Some(score) if score >= 0.5 => CommentStatus::Pending,
        _ => match c.moderation {
            Moderation::Open => CommentStatus::Approved,
            Moderation::Trusted
                if state
                    .store
                    .has_approved_comment(&email.to_lowercase())
                    .await? =>
            {
                CommentStatus::Approved
            }
            _ => CommentStatus::Pending,
        },
    };
    let id = state
        .store
        .post_comment(
            &NewComment {
                article_id: article.id,
                parent_id,
                author_name: name.clone(),
                author_email: email.to_lowercase(),
                body: text.clone(),
                status,
                created_at: now,
            },
            &Origin {
                ip_hash: &ip_hash,
                staff_user_id: None,
                spam_score,
                spam_reason: reason,
            },
        )
        .await?;
    let previous = cookie(&headers, PENDING_COOKIE).map(str::to_string);
    // With JavaScript, the comment comes back as the list item to show.
    let html = if json {
        let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
        let c = Comment {
            id,
            parent_id,
            author_name: name,
            body: text,
            created_at: now,
            staff: false,
        };
        let view = crate::views::comment_views(std::slice::from_ref(&c), zone);
        let ctx = minijinja::context! { c => view.first(), own_pending => status != CommentStatus::Approved };
        // The comment is committed: a template problem must not turn that into an error.
        Some(
            state
                .theme
                .render("site/comment.html", ctx)
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "could not render a posted comment");
                    String::new()
                }),
        )
    } else {
        None
    };
    Ok(acknowledged(
        &article,
        Some((id, status)),
        &secret,
        previous.as_deref(),
        html,
    ))
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
    fn cleans_text() {
        assert_eq!(clean("  Cafe\u{301}\r\nok ", true).unwrap(), "Café\nok");
        assert!(clean("bell\u{7}", true).is_err());
        assert!(clean("line\nbreak", false).is_err());
        assert_eq!(links_in("see http://a.example and www.b.example"), 2);
    }

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
