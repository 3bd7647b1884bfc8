//! Articles as JSON: lists (newest first, by section, topic or author), one
//! article by id or slug, its approved comments, and search.

use super::auth::Caller;
use super::query::Query;
use super::{PageMeta, Problem, json, page};
use crate::AppState;
use crate::syndication::xml::absolute_links;
use crate::views::{absolute_url as absolute, article_url, author_url, section_url, topic_url};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bbn_core::{Article, ArticleSummary, Comment, Media, Status, time};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Named {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub url: String,
}

/// A section as a list names it.
#[derive(Debug, Serialize)]
pub struct Place {
    pub slug: String,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct ImageOut {
    pub id: i64,
    pub url: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

pub fn image_out(m: &Media, base: &str) -> ImageOut {
    ImageOut {
        id: m.id,
        url: absolute(base, &m.url),
        width: m.width,
        height: m.height,
        alt: m.alt.clone(),
        caption: m.caption.clone(),
        credit: m.credit.clone(),
    }
}

/// An article in a list.
#[derive(Debug, Serialize)]
pub struct SummaryOut {
    pub id: i64,
    pub slug: String,
    pub url: String,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    pub section: Place,
    pub published_at: String,
    pub image: Option<ImageOut>,
    pub comment_count: i64,
}

fn summary_out(s: &ArticleSummary, base: &str) -> SummaryOut {
    SummaryOut {
        id: s.id,
        slug: s.slug.clone(),
        url: format!("{base}{}", article_url(&s.slug)),
        headline: s.headline.clone(),
        dek: s.dek.clone(),
        kicker: s.kicker.clone(),
        section: Place {
            slug: s.section_slug.clone(),
            name: s.section_name.clone(),
            url: format!("{base}{}", section_url(&s.section_slug)),
        },
        published_at: time::rfc3339_utc(s.published_at),
        image: s.image.as_ref().map(|m| image_out(m, base)),
        comment_count: s.comment_count,
    }
}

#[derive(Debug, Serialize)]
pub struct FaqOut {
    pub question: String,
    pub answer: String,
}

/// A whole article.
#[derive(Debug, Serialize)]
pub struct ArticleOut {
    pub id: i64,
    pub slug: String,
    pub url: String,
    pub status: &'static str,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    /// Sanitized HTML, links absolute.
    pub body_html: String,
    /// The body's source as written (Markdown, or HTML when
    /// `body_format` says so): for staff tokens only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_markdown: Option<String>,
    /// `markdown` or `html`: for staff tokens only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_format: Option<&'static str>,
    pub section: Named,
    pub authors: Vec<Named>,
    pub topics: Vec<Named>,
    pub faq: Vec<FaqOut>,
    pub image: Option<ImageOut>,
    pub seo_title: String,
    pub seo_description: String,
    pub comments_open: bool,
    pub created_at: String,
    pub published_at: Option<String>,
    pub updated_at: Option<String>,
    pub scheduled_at: Option<String>,
    /// Send it back as `revision` when saving, so that nobody's edit is lost.
    pub revision: i64,
}

pub fn article_out(a: &Article, base: &str, staff: bool) -> ArticleOut {
    ArticleOut {
        id: a.id,
        slug: a.slug.clone(),
        url: format!("{base}{}", article_url(&a.slug)),
        status: a.status.as_str(),
        headline: a.headline.clone(),
        dek: a.dek.clone(),
        kicker: a.kicker.clone(),
        body_html: absolute_links(&a.body_html, base),
        body_markdown: staff.then(|| a.body_markdown.clone()),
        body_format: staff.then(|| a.body_format.as_str()),
        section: Named {
            id: a.section.id,
            slug: a.section.slug.clone(),
            name: a.section.name.clone(),
            url: format!("{base}{}", section_url(&a.section.slug)),
        },
        authors: a
            .authors
            .iter()
            .map(|x| Named {
                id: x.id,
                slug: x.slug.clone(),
                name: x.name.clone(),
                url: format!("{base}{}", author_url(&x.slug)),
            })
            .collect(),
        topics: a
            .topics
            .iter()
            .map(|x| Named {
                id: x.id,
                slug: x.slug.clone(),
                name: x.name.clone(),
                url: format!("{base}{}", topic_url(&x.slug)),
            })
            .collect(),
        faq: a
            .faq
            .iter()
            .map(|f| FaqOut {
                question: f.question.clone(),
                answer: f.answer.clone(),
            })
            .collect(),
        image: a.image.as_ref().map(|m| image_out(m, base)),
        seo_title: a.seo_title.clone(),
        seo_description: a.seo_description.clone(),
        comments_open: a.comments_open,
        created_at: time::rfc3339_utc(a.created_at),
        published_at: a.published_at.map(time::rfc3339_utc),
        updated_at: a.updated_at.map(time::rfc3339_utc),
        scheduled_at: a.scheduled_at.map(time::rfc3339_utc),
        revision: a.revision,
    }
}

/// `GET /api/v1/articles`: published articles, newest first; `section`,
/// `topic` or `author` (a slug) narrows to one list.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let q = Query::parse(raw.as_deref())?;
    let (page_no, per_page) = q.paging()?;
    let store = &state.store;
    let offset = (page_no - 1) * per_page;
    let filters = [
        ("section", q.get("section")),
        ("topic", q.get("topic")),
        ("author", q.get("author")),
    ];
    let chosen: Vec<(&'static str, &str)> = filters
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v)))
        .collect();
    if chosen.len() > 1 {
        return Err(Problem::parameter(
            chosen[1].0,
            "Narrow by one of section, topic or author at a time.",
        ));
    }
    let (list, total) = match chosen.first() {
        None => (
            store.latest(per_page, offset).await?,
            store.count_published().await? as i64,
        ),
        Some(("section", slug)) => {
            let s = store
                .section_by_slug(slug)
                .await?
                .ok_or_else(|| Problem::parameter("section", "No section has this slug."))?;
            (
                store.section_articles(s.id, per_page, offset).await?,
                store.count_published_in("section", s.id).await?,
            )
        }
        Some(("topic", slug)) => {
            let t = store
                .public_topic_by_slug(slug)
                .await?
                .ok_or_else(|| Problem::parameter("topic", "No topic has this slug."))?;
            (
                store.topic_articles(t.id, per_page, offset).await?,
                store.count_published_in("topic", t.id).await?,
            )
        }
        Some((_, slug)) => {
            let a = store
                .author_by_slug(slug)
                .await?
                .ok_or_else(|| Problem::parameter("author", "No author has this slug."))?;
            (
                store.author_articles(a.id, per_page, offset).await?,
                store.count_published_in("author", a.id).await?,
            )
        }
    };
    let base = &state.config.base_url;
    let data: Vec<SummaryOut> = list.items.iter().map(|s| summary_out(s, base)).collect();
    Ok(page(
        base,
        "/api/v1/articles",
        &q,
        PageMeta::new(page_no, per_page, total),
        &data,
    ))
}

/// An article id from the path: a positive whole number.
pub fn article_id(raw: &str) -> Result<i64, Problem> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Problem::parameter("id", "The article id must be a positive whole number."))
}

/// A published article (readers see nothing else).
pub async fn published(state: &AppState, id: i64) -> Result<Article, Problem> {
    match state.store.article_by_id(id).await? {
        Some(a) if a.status == Status::Published => Ok(a),
        _ => Err(Problem::not_found()),
    }
}

/// An article as the caller may see it: staff tokens see every article, with
/// its Markdown source; everyone else sees published ones.
fn visible(state: &AppState, caller: &Caller, a: Option<Article>) -> Result<Response, Problem> {
    match a {
        Some(a) if caller.is_staff() => Ok(json(&article_out(&a, &state.config.base_url, true))),
        Some(a) if a.status == Status::Published => {
            Ok(json(&article_out(&a, &state.config.base_url, false)))
        }
        _ => Err(Problem::not_found()),
    }
}

pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let a = state.store.article_by_id(article_id(&id)?).await?;
    visible(&state, &caller, a)
}

pub async fn by_slug(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    let a = state.store.article_by_slug(&slug).await?;
    visible(&state, &caller, a)
}

#[derive(Debug, Serialize)]
struct CommentOut {
    id: i64,
    parent_id: Option<i64>,
    author_name: String,
    body: String,
    created_at: String,
    staff: bool,
}

fn comment_out(c: &Comment) -> CommentOut {
    CommentOut {
        id: c.id,
        parent_id: c.parent_id,
        author_name: c.author_name.clone(),
        body: c.body.clone(),
        created_at: time::rfc3339_utc(c.created_at),
        staff: c.staff,
    }
}

/// `GET /api/v1/articles/{id}/comments`: the approved comments, oldest
/// first, each with the comment it answers.
pub async fn comments(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let q = Query::parse(raw.as_deref())?;
    let (page_no, per_page) = q.paging()?;
    let a = published(&state, article_id(&id)?).await?;
    let all = state.store.approved_comments(a.id).await?;
    let meta = PageMeta::new(page_no, per_page, all.len() as i64);
    let data: Vec<CommentOut> = all
        .iter()
        .skip(meta.offset() as usize)
        .take(per_page as usize)
        .map(comment_out)
        .collect();
    Ok(page(
        &state.config.base_url,
        &format!("/api/v1/articles/{}/comments", a.id),
        &q,
        meta,
        &data,
    ))
}

#[derive(Debug, Serialize)]
struct HitOut {
    id: i64,
    slug: String,
    url: String,
    /// Escaped HTML with the matching words in `<mark>`.
    headline_html: String,
    snippet_html: String,
    published_at: String,
}

/// `GET /api/v1/search?q=…`: the search the site's search page makes.
pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let q = Query::parse(raw.as_deref())?;
    let (page_no, per_page) = q.paging()?;
    let text = q
        .get("q")
        .ok_or_else(|| Problem::parameter("q", "Say what to search for in q."))?;
    if text.chars().count() > 500 {
        return Err(Problem::parameter("q", "q may be at most 500 characters."));
    }
    let sort = match q.get("sort") {
        None | Some("relevance") => bbn_search::Sort::Relevance,
        Some("newest") => bbn_search::Sort::Newest,
        Some(_) => return Err(Problem::parameter("sort", "sort is relevance or newest.")),
    };
    let request = bbn_search::SearchRequest {
        q: text.to_string(),
        sort,
        section: q.get("section").map(str::to_string),
        topic: q.get("topic").map(str::to_string),
        author: q.get("author").map(str::to_string),
        page: page_no as usize,
        per_page: per_page as usize,
        ..Default::default()
    };
    let results = state.search.search(&request).await.map_err(|e| {
        tracing::error!(error = %e, "API search failed");
        Problem::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "Search is not available right now.",
        )
    })?;
    let base = &state.config.base_url;
    let data: Vec<HitOut> = results
        .hits
        .iter()
        .map(|h| HitOut {
            id: h.id,
            slug: h.slug.clone(),
            url: format!("{base}{}", article_url(&h.slug)),
            headline_html: crate::views::text::marked_html(&h.headline),
            snippet_html: crate::views::text::marked_html(&h.snippet),
            published_at: time::rfc3339_utc(h.published_at),
        })
        .collect();
    Ok(page(
        base,
        "/api/v1/search",
        &q,
        PageMeta::new(page_no, per_page, results.total as i64),
        &data,
    ))
}
