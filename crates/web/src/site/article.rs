//! The article page, at its one canonical URL `/news/{slug}`.

use crate::AppState;
use crate::error::AppError;
use crate::views::{Chrome, Crumb, article_url, article_view};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bbn_core::{Article, Status};

/// A 301: what search engines and old links expect of a moved article.
fn moved_permanently(to: &str) -> Response {
    match axum::http::HeaderValue::from_str(to) {
        Ok(location) => (
            axum::http::StatusCode::MOVED_PERMANENTLY,
            [(axum::http::header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => AppError::NotFound.into_response(),
    }
}

/// How many articles "You may also like" shows.
const RELATED: i64 = 4;

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let store = &state.store;
    let Some(article) = store.article_by_slug(&slug).await? else {
        // An old slug moves permanently to the article's current URL.
        return match store.slug_redirect(&slug).await? {
            Some(current) => Ok(moved_permanently(&article_url(&current))),
            None => Err(AppError::NotFound),
        };
    };
    if article.status != Status::Published {
        return Err(AppError::NotFound);
    }
    render(&state, article, false).await
}

/// Renders an article page; `preview` marks it as a staff preview (not for
/// search engines, and shown whatever the article's status).
pub(crate) async fn render(
    state: &AppState,
    article: Article,
    preview: bool,
) -> Result<Response, AppError> {
    let store = &state.store;
    let chrome = Chrome::load(state, Some(&article.section.slug)).await?;
    let (related, comments, corrections) = tokio::try_join!(
        store.related(&article, RELATED),
        store.approved_comments(article.id),
        store.corrections(article.id)
    )?;
    let view = article_view(&article, &related, &comments, &corrections, chrome.zone);
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
    let status = preview.then(|| crate::newsroom::articles::edit::status_label(article.status));
    Ok(super::page(
        state,
        "site/article.html",
        minijinja::context! { chrome, article => view, crumbs, canonical, preview => status },
    )?
    .into_response())
}
