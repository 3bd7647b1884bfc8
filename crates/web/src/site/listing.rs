//! What section, topic and author pages share: one page of a list, newest
//! first, with prev/next links, and a 404 past the last page.

use crate::AppState;
use crate::cache::tags::{Tag, shown};
use crate::error::AppError;
use crate::extract::pagination::PageNumber;
use crate::views::{Chrome, Pager, summaries};
use axum::response::Html;
use bbn_store::ArticleList;

/// The page's heading and what kind of list it is.
pub(crate) struct Heading<'a> {
    /// "section", "topic" or "author"
    pub kind: &'static str,
    /// Which list this is, for the page cache.
    pub list: Tag,
    pub title: &'a str,
    pub description: &'a str,
    /// The list's address without `?page=`.
    pub url: String,
    /// A section's parent and subsections: (name, address).
    pub parent: Option<(String, String)>,
    pub children: Vec<(String, String)>,
    /// An author page's profile: job title, photo, links.
    pub profile: Option<minijinja::Value>,
}

pub(crate) fn render(
    state: &AppState,
    chrome: Chrome,
    list: ArticleList,
    page: PageNumber,
    h: Heading<'_>,
) -> Result<Html<String>, AppError> {
    if list.items.is_empty() && page.0 > 1 {
        return Err(AppError::NotFound);
    }
    shown(h.list);
    let pager = Pager::new(&h.url, page.0, list.has_more);
    let canonical = if page.0 == 1 {
        h.url.clone()
    } else {
        format!("{}?page={}", h.url, page.0)
    };
    let articles = summaries(&list.items, chrome.zone);
    let page_feeds = crate::syndication::feeds::discovery(
        &h.url,
        &format!("{} – {}", h.title, chrome.site_name),
    );
    let feed_url = page_feeds.first().map(|f| f.href.clone());
    super::page(
        state,
        "site/list.html",
        minijinja::context! {
            chrome, articles, pager, canonical, page_feeds, feed_url,
            kind => h.kind, title => h.title, description => h.description,
            parent => h.parent, children => h.children, profile => h.profile,
        },
    )
}
