//! Writes through the API, with a staff token: create and update articles,
//! take workflow steps (publish, schedule, unpublish, submit, back to draft),
//! upload images, and moderate comments. Each goes through the rules the
//! newsroom's screens use (`bbn_newsroom::workflow`, the store's moderation
//! calls), so the same role rules, checks and change-log entries apply.

use super::articles::{article_id, article_out};
use super::auth::Caller;
use super::query::Query;
use super::{PageMeta, Problem, json, page};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bbn_core::{Article, BodyFormat, CommentStatus, FaqItem, Role, time};
use bbn_newsroom::workflow::{self, Action, ArticleWrite, Refusal};
use serde::Deserialize;

/// The fields of an article a client sends; each one left out keeps its
/// value (on create: its default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleIn {
    headline: Option<String>,
    dek: Option<String>,
    kicker: Option<String>,
    slug: Option<String>,
    /// The section by id or by slug.
    section_id: Option<i64>,
    section: Option<String>,
    author_ids: Option<Vec<i64>>,
    /// Topic names; unknown names become topics.
    topics: Option<Vec<String>>,
    body_markdown: Option<String>,
    /// A body written as HTML (from another system); it is sanitized like
    /// every body, and the article stays HTML until Markdown is sent.
    body_html: Option<String>,
    /// A body as the newsroom's editor writes it: the structured document
    /// (`bbn_core::document`), rendered to HTML on the server.
    body_document: Option<serde_json::Value>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    comments_open: Option<bool>,
    faq: Option<Vec<FaqIn>>,
    /// The featured image (a media id from `POST /media`); 0 removes it.
    image_id: Option<i64>,
    editors_pick: Option<bool>,
    /// The revision the client read; a save based on an older one is a 409.
    revision: Option<i64>,
    /// Show readers an "Updated" time (published articles).
    mark_updated: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaqIn {
    question: String,
    answer: String,
}

/// Reads a JSON body, or says precisely why it cannot.
pub(super) fn body<T: serde::de::DeserializeOwned + Default>(
    headers: &HeaderMap,
    bytes: &Bytes,
) -> Result<T, Problem> {
    if bytes.is_empty() {
        return Ok(T::default());
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as application/json.",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("The JSON body cannot be used: {e}."),
        )
    })
}

impl ArticleIn {
    /// Lays the fields sent over `w`.
    async fn apply(self, state: &AppState, w: &mut ArticleWrite) -> Result<(), Problem> {
        let f = &mut w.draft;
        if let Some(v) = self.headline {
            f.headline = v;
        }
        if let Some(v) = self.dek {
            f.dek = v;
        }
        if let Some(v) = self.kicker {
            f.kicker = v;
        }
        if let Some(v) = self.slug {
            f.slug = v;
        }
        if let Some(slug) = self.section {
            let s = state
                .store
                .section_by_slug(&slug)
                .await?
                .ok_or_else(|| Problem {
                    errors: vec![("section".into(), "No section has this slug.".into())],
                    ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Unknown section.")
                })?;
            f.section_id = s.id;
        }
        if let Some(id) = self.section_id {
            f.section_id = id;
        }
        if let Some(v) = self.author_ids {
            f.author_ids = v;
        }
        if let Some(v) = self.topics {
            w.topics = topic_names(&v);
        }
        let document = self.body_document.map(|d| d.to_string());
        let bodies = [
            (BodyFormat::Markdown, self.body_markdown),
            (BodyFormat::Html, self.body_html),
            (BodyFormat::Document, document),
        ];
        let mut sent = bodies
            .into_iter()
            .filter_map(|(format, b)| Some((format, b?)));
        if let Some((format, body)) = sent.next() {
            if sent.next().is_some() {
                return Err(Problem {
                    errors: vec![(
                        "body_html".into(),
                        "Send one of body_markdown, body_html and body_document.".into(),
                    )],
                    ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Two bodies were sent.")
                });
            }
            f.body_markdown = match format {
                BodyFormat::Document => body,
                _ => body.replace("\r\n", "\n"),
            };
            f.body_format = format;
        }
        if let Some(v) = self.seo_title {
            f.seo_title = v;
        }
        if let Some(v) = self.seo_description {
            f.seo_description = v;
        }
        if let Some(v) = self.comments_open {
            f.comments_open = v;
        }
        if let Some(v) = self.faq {
            f.faq = v
                .into_iter()
                .map(|q| FaqItem {
                    question: q.question,
                    answer: q.answer,
                })
                .collect();
        }
        if let Some(id) = self.image_id {
            f.image_id = (id > 0).then_some(id);
        }
        if let Some(v) = self.editors_pick {
            w.editors_pick = v;
        }
        if self.revision.is_some() {
            w.revision = self.revision;
        }
        Ok(())
    }
}

/// Topic names as the newsroom's form reads them: trimmed, blanks dropped,
/// a comma inside a name splitting it.
fn topic_names(names: &[String]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| n.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

pub(super) fn refusal(r: Refusal) -> Problem {
    match r {
        Refusal::Forbidden => Problem::forbidden(),
        Refusal::Blocked(messages) => Problem {
            errors: messages
                .into_iter()
                .map(|m| ("checks".to_string(), m))
                .collect(),
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Pre-publish checks this site requires failed; see errors.",
            )
        },
        Refusal::Invalid(m) => Problem::new(StatusCode::BAD_REQUEST, m),
        Refusal::Store(e) => e.into(),
    }
}

async fn load(state: &AppState, id: &str) -> Result<Article, Problem> {
    state
        .store
        .article_by_id(article_id(id)?)
        .await?
        .ok_or_else(Problem::not_found)
}

async fn staff_view(state: &AppState, id: i64, status: StatusCode) -> Result<Response, Problem> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let mut r = json(&article_out(&a, &state.config.base_url, true));
    *r.status_mut() = status;
    if status == StatusCode::CREATED
        && let Ok(v) =
            HeaderValue::from_str(&format!("{}/api/v1/articles/{id}", state.config.base_url))
    {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// `POST /api/v1/articles`: a new draft.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let me = caller.staff(Role::Contributor)?;
    let input: ArticleIn = body(&headers, &bytes)?;
    let mut write = ArticleWrite::new_by(me);
    input.apply(&state, &mut write).await?;
    let id = workflow::create(&state.store, me, &write).await?;
    staff_view(&state, id, StatusCode::CREATED).await
}

/// `PATCH /api/v1/articles/{id}`: change some fields, keeping the status.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let me = caller.staff(Role::Contributor)?;
    let a = load(&state, &id).await?;
    let input: ArticleIn = body(&headers, &bytes)?;
    let mark_updated = input.mark_updated.unwrap_or(false);
    let picked = state.store.editors_pick_ids().await?.contains(&a.id);
    // The fields the client did not send come from this read, so the save is
    // checked against its revision (or the one the client sent): a write
    // made in between is never undone by them; the client gets a 409 instead.
    let mut write = ArticleWrite::from_article(&a, picked);
    input.apply(&state, &mut write).await?;
    workflow::update(&state.store, me, &a, &write, mark_updated)
        .await
        .map_err(refusal)?;
    staff_view(&state, a.id, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepIn {
    revision: Option<i64>,
    /// When to publish (`schedule`): RFC 3339.
    at: Option<String>,
}

/// `POST /api/v1/articles/{id}/{step}`: publish, schedule, unpublish,
/// submit, draft.
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let me = caller.staff(Role::Contributor)?;
    let input: StepIn = body(&headers, &bytes)?;
    let at = match input.at.as_deref() {
        None => None,
        Some(text) => Some(time::parse_rfc3339(text).ok_or_else(|| Problem {
            errors: vec![(
                "at".into(),
                "Give the time as RFC 3339, e.g. 2026-12-01T09:00:00Z.".into(),
            )],
            ..Problem::new(StatusCode::BAD_REQUEST, "The time cannot be read.")
        })?),
    };
    let name = if step == "draft" {
        "to_draft"
    } else {
        step.as_str()
    };
    let action = Action::parse(name, at)
        .filter(|_| step != "to_draft")
        .ok_or_else(Problem::not_found)?;
    let a = load(&state, &id).await?;
    workflow::take(&state.store, me, &a, action, input.revision)
        .await
        .map_err(refusal)?;
    staff_view(&state, a.id, StatusCode::OK).await
}

/// `POST /api/v1/media?alt=…&caption=…&credit=…`: the body is the image
/// itself, checked by its content like every upload.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> Result<Response, Problem> {
    caller.staff(Role::Contributor)?;
    let q = Query::parse(raw.as_deref())?;
    let text = |k: &str| q.get(k).unwrap_or("").to_string();
    let stored = crate::media::upload::store_file(&state, bytes.to_vec())
        .await
        .map_err(|(status, message)| Problem::new(status, message))?;
    let id = state
        .record_media(&stored.clone().record(crate::media::Described {
            alt: text("alt"),
            caption: text("caption"),
            credit: text("credit"),
            file_name: text("file_name"),
            uploaded_by: caller.user_id(),
        }))
        .await?;
    let base = &state.config.base_url;
    let mut r = json(&serde_json::json!({
        "id": id,
        "url": format!("{base}{}", stored.url),
        "width": stored.width,
        "height": stored.height,
        "alt": text("alt"),
        "caption": text("caption"),
        "credit": text("credit"),
    }));
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

/// `GET /api/v1/comments?status=pending&article=ID`: the moderation queue (editors).
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.staff(Role::Editor)?;
    let q = Query::parse(raw.as_deref())?;
    let (page_no, per_page) = q.paging()?;
    let status = match q.get("status") {
        None => None,
        Some(s) => Some(CommentStatus::parse(s).ok_or_else(|| {
            Problem::parameter("status", "status is pending, approved, spam or trash.")
        })?),
    };
    let article = match q.get("article") {
        None => None,
        Some(_) => Some(q.int("article", 1..=i64::MAX, 0)?),
    };
    let (items, has_more) = state
        .store
        .moderation_queue(
            status,
            article,
            q.get("q"),
            per_page,
            (page_no - 1) * per_page,
        )
        .await?;
    let data: Vec<serde_json::Value> = items
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "article_id": c.article_id,
                "article_headline": c.article_headline,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "body": c.body,
                "status": c.status.as_str(),
                "created_at": time::rfc3339_utc(c.created_at),
                "staff": c.staff,
                "spam_score": c.spam_score,
                "spam_reason": c.spam_reason,
            })
        })
        .collect();
    // The queue is read a page ahead, not counted: the total is what is known.
    let known = (page_no - 1) * per_page + data.len() as i64 + i64::from(has_more);
    Ok(page(
        &state.config.base_url,
        "/api/v1/comments",
        &q,
        PageMeta::new(page_no, per_page, known),
        &data,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModerationIn {
    status: Option<String>,
}

/// `POST /api/v1/comments/{id}/status` with `{"status": "approved"}`: the
/// newsroom's moderation, which also teaches the spam filter.
pub async fn moderate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    caller.staff(Role::Editor)?;
    let id: i64 = id.parse().ok().filter(|id| *id > 0).ok_or_else(|| {
        Problem::parameter("id", "The comment id must be a positive whole number.")
    })?;
    let input: ModerationIn = body(&headers, &bytes)?;
    let status = input
        .status
        .as_deref()
        .and_then(CommentStatus::parse)
        .ok_or_else(|| Problem {
            errors: vec![("status".into(), "pending, approved, spam or trash".into())],
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Say which status to give the comment.",
            )
        })?;
    if state.store.set_comments_status(&[id], status).await? == 0 {
        return Err(Problem::not_found());
    }
    Ok(json(&serde_json::json!({ "id": id, "status": status.as_str() })).into_response())
}
