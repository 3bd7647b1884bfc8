//! The article page, at its one canonical URL `/news/{slug}`.

use super::discussion::{form_token, open_for_comments, pending_ids};
use crate::AppState;
use crate::error::AppError;
use crate::extract::pagination::{self, PageNumber};
use crate::extract::session::{PENDING_COOKIE, cookie};
use crate::views::{Chrome, Crumb, article_url, article_view};
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use bbn_core::{Article, ArticleSummary, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many articles "You may also like" shows.
const RELATED: i64 = 4;

/// The comment form as sent back to its writer (after a refusal), or empty.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommentBox {
    pub name: String,
    pub email: String,
    pub comment: String,
    pub parent: Option<i64>,
    pub errors: BTreeMap<&'static str, String>,
    /// Thanks, shown above the comments.
    pub notice: Option<String>,
    /// Why the comment was not posted, shown at the form.
    pub problem: Option<String>,
    /// Which page of comments to show.
    #[serde(skip)]
    pub page: CommentPage,
}

/// Which page of a discussion an article page shows, oldest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CommentPage {
    /// The first, at the article's own address.
    #[default]
    First,
    /// The newest, where the form sits (a refused comment comes back to it).
    Newest,
    /// `?cpage=N` (N from 2): a 404 when the discussion has fewer pages.
    Number(usize),
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    reply: Option<String>,
    comment: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
    parts: Parts,
) -> Result<Response, AppError> {
    let page = match pagination::read(&parts.uri, pagination::COMMENT_PAGE) {
        Ok(PageNumber(1)) => CommentPage::First,
        Ok(PageNumber(n)) => CommentPage::Number(n as usize),
        Err(answer) => return Ok(answer.into_response()),
    };
    let store = &state.store;
    let live = store
        .article_by_slug(&slug)
        .await?
        .filter(|a| a.status == Status::Published);
    let Some(article) = live else {
        // An old slug moves permanently to the article's current URL, also
        // while an article not yet live is being written at it.
        return match store.slug_redirect(&slug).await? {
            Some(current) => Ok(super::moved_permanently(&article_url(&current))),
            None => Err(AppError::NotFound),
        };
    };
    let mut comment_box = CommentBox {
        parent: q.reply.as_deref().and_then(|r| r.parse().ok()),
        page,
        ..CommentBox::default()
    };
    if q.comment.as_deref() == Some("pending") {
        comment_box.notice = Some("Thank you. Your comment is awaiting moderation.".into());
    }
    let secret = crate::signing::secret(&state).await?;
    let pending = pending_ids(&secret, cookie(&parts.headers, PENDING_COOKIE));
    let reader = crate::extract::client::client_ip(
        &parts.extensions,
        &parts.headers,
        &state.config.trusted_proxies,
    );
    state.views.record(article.id, &parts.headers, reader);
    let id = article.id;
    let mut response = render_with(&state, article, false, Some(comment_box), &pending).await?;
    // Served again from the page cache, it still counts as a view.
    response
        .extensions_mut()
        .insert(crate::cache::http::ViewOf(id));
    Ok(response)
}

/// Renders an article page; `preview` marks it as a staff preview (not for
/// search engines, and shown whatever the article's status).
pub(crate) async fn render(
    state: &AppState,
    article: Article,
    preview: bool,
) -> Result<Response, AppError> {
    render_with(state, article, preview, None, &[]).await
}

/// "You may also like": the articles most similar in content (from the
/// search index), topped up with the newest on the same topic or section
/// when the index finds fewer. The page still renders if search fails.
async fn related(
    state: &AppState,
    article: &Article,
) -> Result<Vec<ArticleSummary>, bbn_store::StoreError> {
    let ids = match state.search.related(article.id, RELATED as usize).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "related articles from search failed");
            Vec::new()
        }
    };
    let mut picked = state.store.summaries_by_ids(&ids).await?;
    if (picked.len() as i64) < RELATED {
        for s in state.store.related(article, RELATED).await? {
            if (picked.len() as i64) < RELATED && !picked.iter().any(|p| p.id == s.id) {
                picked.push(s);
            }
        }
    }
    Ok(picked)
}

pub(crate) async fn render_with(
    state: &AppState,
    article: Article,
    preview: bool,
    comment_box: Option<CommentBox>,
    pending_ids: &[i64],
) -> Result<Response, AppError> {
    let store = &state.store;
    let chrome = Chrome::load(state, Some(&article.section.slug)).await?;
    let (related, comments, corrections, pending) = tokio::try_join!(
        related(state, &article),
        store.approved_comments(article.id),
        store.corrections(article.id),
        store.comments_by_ids(article.id, pending_ids),
    )?;
    let comment_settings = chrome.comments.clone();
    let now = store.now();
    let mut view = article_view(&article, &related, &comments, &corrections, chrome.zone);
    // Long discussions come a page at a time, in thread order; the newest page is a link away.
    let per_page = comment_settings.per_page.max(1) as usize;
    let comment_total = view.comments.len();
    let pages = comment_total.div_ceil(per_page).max(1);
    let page = match comment_box.as_ref().map_or(CommentPage::First, |b| b.page) {
        CommentPage::First => 1,
        CommentPage::Newest => pages,
        CommentPage::Number(n) if n <= pages => n,
        // Past the end is not a page: kept by no cache, whatever the number.
        CommentPage::Number(_) => return Err(AppError::NotFound),
    };
    view.comments = view
        .comments
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    // The first page's address is the article's own (see `extract::pagination`).
    let link = |p: usize| {
        let url = crate::views::article_url(&article.slug);
        if p == 1 {
            format!("{url}#comments")
        } else {
            format!("{url}?{}={p}#comments", pagination::COMMENT_PAGE)
        }
    };
    let comment_pages = minijinja::context! {
        page, pages,
        prev => (page > 1).then(|| link(page - 1)),
        next => (page < pages).then(|| link(page + 1)),
        newest => (page < pages).then(|| link(pages)),
    };
    let pending = crate::views::comment_views(&pending, chrome.zone);
    let mut comment_box = comment_box.unwrap_or_default();
    // A reply names the comment it answers; one that cannot be answered is ignored.
    let replying_to = comment_box
        .parent
        .and_then(|id| {
            view.comments
                .iter()
                .find(|c| c.id == id && c.depth + 1 < comment_settings.max_depth)
        })
        .map(|c| c.name.clone());
    if replying_to.is_none() {
        comment_box.parent = None;
    }
    let open = !preview && open_for_comments(&article, &comment_settings, now);
    if let (true, Some(days), Some(published)) = (
        open,
        comment_settings.close_after_days,
        article.published_at,
    ) {
        // The form goes when comments close: the page is right until then.
        crate::cache::tags::until(published + days * 86_400);
    }
    if !preview {
        crate::cache::tags::shown(crate::cache::Tag::MostRead);
    }
    let secret = crate::signing::secret(state).await?;
    let token = form_token(&secret, article.id, now);
    let crumbs = vec![
        Crumb {
            name: "Home".into(),
            url: "/".into(),
        },
        Crumb {
            name: view.section.name.clone(),
            url: view.section.url.clone(),
        },
    ];
    let canonical = view.url.clone();
    // Previews are for staff only: nothing in them is for search engines.
    let structured = if preview {
        Vec::new()
    } else {
        crate::views::structured::article_ld(
            &article,
            &view.description,
            &super::publisher(state, &chrome),
        )
    };
    let card = crate::views::structured::social_card(&article, &state.config.base_url, chrome.zone);
    let page_feeds = crate::syndication::feeds::discovery(
        &crate::views::section_url(&article.section.slug),
        &format!("{} – {}", article.section.name, chrome.site_name),
    );
    let status = preview.then(|| article.status.label());
    // Embeds: frames from exactly their providers, once a reader asks.
    let frames = bbn_core::embed::frame_hosts_in_html(&article.body_html, &[]);
    let csp = crate::middleware::csp_with_frames(&frames);
    let mut response = super::page(
        state,
        "site/article.html",
        minijinja::context! {
            chrome, article => view, crumbs, canonical, preview => status, structured, social => card,
            page_feeds,
            comment_form => minijinja::context! {
                open, token, replying_to, max_chars => comment_settings.max_chars,
                can_reply => comment_settings.max_depth > 1,
                max_depth => comment_settings.max_depth,
                ..minijinja::Value::from_serialize(&comment_box)
            },
            pending, comment_total, comment_pages,
            show_most_read => !preview,
            embeds => csp.is_some(),
        },
    )?
    .into_response();
    if let Some(csp) = csp {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(response)
}
