//! RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole site, each section,
//! topic and author, and the recent approved comments. One feed model, three
//! writers; absolute URLs everywhere; ids made from the article's id, so they
//! survive a change of slug.

use super::conditional::{Validators, for_document};
use super::stable_id;
use super::xml::{absolute_links, element, escape};
use crate::AppState;
use crate::error::AppError;
use crate::views::{Chrome, absolute_url, article_url, author_url, section_url, topic_url};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bbn_core::{Article, time};
use chrono_tz::Tz;
use serde_json::json;
use std::fmt::Write;

/// The three formats, by the file name that asks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    fn from_file(file: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.file() == file)
    }

    pub fn file(self) -> &'static str {
        match self {
            Format::Rss => "feed.xml",
            Format::Atom => "feed.atom",
            Format::Json => "feed.json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::Json => "JSON Feed",
        }
    }
}

/// The address of a feed: `prefix` is "" for the whole site, or a list's path.
pub fn feed_url(prefix: &str, format: Format) -> String {
    format!("{prefix}/{}", format.file())
}

/// A `<link rel="alternate">` that lets browsers and feed readers find a feed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedLink {
    pub media_type: &'static str,
    pub title: String,
    pub href: String,
}

/// The three feeds of the list at `prefix` ("" for the whole site), titled after `name`.
pub fn discovery(prefix: &str, name: &str) -> Vec<FeedLink> {
    Format::ALL
        .into_iter()
        .map(|f| FeedLink {
            media_type: f.media_type(),
            title: format!("{name} ({})", f.label()),
            href: feed_url(prefix, f),
        })
        .collect()
}

/// One entry of a feed.
struct Item {
    id: String,
    url: String,
    title: String,
    summary: String,
    /// Whole HTML, links absolute; None in summary feeds.
    content_html: Option<String>,
    published: i64,
    modified: i64,
    /// (name, absolute URL)
    authors: Vec<(String, Option<String>)>,
    categories: Vec<String>,
    /// (absolute URL, width, height, alt)
    image: Option<(String, Option<i64>, Option<i64>, String)>,
}

struct Feed {
    title: String,
    description: String,
    /// Absolute URL of the page the feed follows.
    home: String,
    /// Absolute URL of this feed, without the file name's format.
    prefix: String,
    language: String,
    site_name: String,
    updated: i64,
    zone: Tz,
    items: Vec<Item>,
}

fn article_item(a: &Article, base: &str, full_text: bool) -> Item {
    let summary = if a.seo_description.is_empty() {
        a.dek.clone()
    } else {
        a.seo_description.clone()
    };
    let published = a.published_at.unwrap_or(a.created_at);
    let modified = a.updated_at.unwrap_or(published).max(published);
    let mut categories = vec![a.section.name.clone()];
    categories.extend(a.topics.iter().map(|t| t.name.clone()));
    Item {
        id: stable_id(base, "article", a.id),
        url: format!("{base}{}", article_url(&a.slug)),
        title: a.headline.clone(),
        summary,
        content_html: full_text.then(|| absolute_links(&a.body_html, base)),
        published,
        modified,
        authors: a
            .authors
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    Some(format!("{base}{}", author_url(&p.slug))),
                )
            })
            .collect(),
        categories,
        image: a
            .image
            .as_ref()
            .map(|m| (absolute_url(base, &m.url), m.width, m.height, m.alt.clone())),
    }
}

fn rss(feed: &Feed) -> String {
    let mut out = String::with_capacity(4096 + feed.items.len() * 2048);
    out.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">"#,
        "\n<channel>\n"
    ));
    element(&mut out, "title", &feed.title);
    element(&mut out, "link", &feed.home);
    element(&mut out, "description", &feed.description);
    element(&mut out, "language", &feed.language);
    element(&mut out, "generator", "bbn");
    element(
        &mut out,
        "lastBuildDate",
        &time::rfc2822(feed.updated, feed.zone),
    );
    let _ = writeln!(
        out,
        r#"<atom:link href="{}" rel="self" type="application/rss+xml"/>"#,
        escape(&format!("{}/{}", feed.prefix, Format::Rss.file()))
    );
    for item in &feed.items {
        out.push_str("<item>");
        element(&mut out, "title", &item.title);
        element(&mut out, "link", &item.url);
        let _ = write!(
            out,
            r#"<guid isPermaLink="false">{}</guid>"#,
            escape(&item.id)
        );
        element(
            &mut out,
            "pubDate",
            &time::rfc2822(item.published, feed.zone),
        );
        if !item.summary.is_empty() {
            element(&mut out, "description", &item.summary);
        }
        if let Some(html) = &item.content_html {
            element(&mut out, "content:encoded", html);
        }
        for (name, _) in &item.authors {
            element(&mut out, "dc:creator", name);
        }
        for c in &item.categories {
            element(&mut out, "category", c);
        }
        if let Some((url, width, height, alt)) = &item.image {
            let _ = write!(
                out,
                r#"<media:content url="{}" medium="image""#,
                escape(url)
            );
            if let (Some(w), Some(h)) = (width, height) {
                let _ = write!(out, r#" width="{w}" height="{h}""#);
            }
            out.push('>');
            if !alt.is_empty() {
                let _ = write!(
                    out,
                    r#"<media:description type="plain">{}</media:description>"#,
                    escape(alt)
                );
            }
            out.push_str("</media:content>");
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn atom(feed: &Feed) -> String {
    let mut out = String::with_capacity(4096 + feed.items.len() * 2048);
    let _ = writeln!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{}">"#,
        escape(&feed.language)
    );
    let self_url = format!("{}/{}", feed.prefix, Format::Atom.file());
    element(&mut out, "id", &self_url);
    element(&mut out, "title", &feed.title);
    if !feed.description.is_empty() {
        element(&mut out, "subtitle", &feed.description);
    }
    element(&mut out, "updated", &time::rfc3339(feed.updated, feed.zone));
    let _ = write!(
        out,
        r#"<link rel="self" type="application/atom+xml" href="{}"/><link rel="alternate" type="text/html" href="{}"/>"#,
        escape(&self_url),
        escape(&feed.home)
    );
    out.push_str("<author>");
    element(&mut out, "name", &feed.site_name);
    out.push_str("</author>");
    element(&mut out, "generator", "bbn");
    out.push('\n');
    for item in &feed.items {
        out.push_str("<entry>");
        element(&mut out, "id", &item.id);
        element(&mut out, "title", &item.title);
        let _ = write!(
            out,
            r#"<link rel="alternate" type="text/html" href="{}"/>"#,
            escape(&item.url)
        );
        element(
            &mut out,
            "published",
            &time::rfc3339(item.published, feed.zone),
        );
        element(
            &mut out,
            "updated",
            &time::rfc3339(item.modified, feed.zone),
        );
        for (name, url) in &item.authors {
            out.push_str("<author>");
            element(&mut out, "name", name);
            if let Some(url) = url {
                element(&mut out, "uri", url);
            }
            out.push_str("</author>");
        }
        for c in &item.categories {
            let _ = write!(out, r#"<category term="{}"/>"#, escape(c));
        }
        if !item.summary.is_empty() {
            element(&mut out, "summary", &item.summary);
        }
        if let Some(html) = &item.content_html {
            let _ = write!(out, r#"<content type="html">{}</content>"#, escape(html));
        }
        if let Some((url, ..)) = &item.image {
            let _ = write!(out, r#"<link rel="enclosure" href="{}"/>"#, escape(url));
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn json_feed(feed: &Feed) -> String {
    let items: Vec<serde_json::Value> = feed
        .items
        .iter()
        .map(|item| {
            let mut v = json!({
                "id": item.id,
                "url": item.url,
                "title": item.title,
                "date_published": time::rfc3339(item.published, feed.zone),
                "date_modified": time::rfc3339(item.modified, feed.zone),
                "tags": item.categories,
                "authors": item.authors.iter().map(|(name, url)| {
                    let mut a = json!({ "name": name });
                    if let Some(url) = url {
                        a["url"] = json!(url);
                    }
                    a
                }).collect::<Vec<_>>(),
            });
            if !item.summary.is_empty() {
                v["summary"] = json!(item.summary);
            }
            // Every item needs content: the whole article, or its summary.
            match &item.content_html {
                Some(html) => v["content_html"] = json!(html),
                None => {
                    v["content_text"] = json!(if item.summary.is_empty() {
                        &item.title
                    } else {
                        &item.summary
                    })
                }
            }
            if let Some((url, ..)) = &item.image {
                v["image"] = json!(url);
            }
            v
        })
        .collect();
    let doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": format!("{}/{}", feed.prefix, Format::Json.file()),
        "description": feed.description,
        "language": feed.language,
        "authors": [{ "name": feed.site_name }],
        "items": items,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn respond(feed: &Feed, format: Format, validators: &Validators) -> Response {
    let body = match format {
        Format::Rss => rss(feed),
        Format::Atom => atom(feed),
        Format::Json => json_feed(feed),
    };
    let content_type = format!("{}; charset=utf-8", format.media_type());
    validators.apply(
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type)
                    .unwrap_or(HeaderValue::from_static("application/xml")),
            )],
            body,
        )
            .into_response(),
    )
}

/// Which list a feed follows.
enum Scope {
    Site,
    Section(String),
    Topic(String),
    Author(String),
}

/// A feed's title, description and newest articles, as its scope names them.
async fn scope_list(
    store: &bbn_store::Store,
    scope: &Scope,
    chrome: &Chrome,
) -> Result<(String, String, bbn_store::ArticleList), AppError> {
    let n = chrome.feeds.items.clamp(1, 100);
    Ok(match scope {
        Scope::Site => (
            chrome.site_name.clone(),
            chrome.description.clone(),
            store.latest(n, 0).await?,
        ),
        Scope::Section(slug) => {
            let s = store
                .section_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let list = store.section_articles(s.id, n, 0).await?;
            (
                format!("{} – {}", s.name, chrome.site_name),
                s.description,
                list,
            )
        }
        Scope::Topic(slug) => {
            let t = store
                .public_topic_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let list = store.topic_articles(t.id, n, 0).await?;
            (
                format!("{} – {}", t.name, chrome.site_name),
                t.description,
                list,
            )
        }
        Scope::Author(slug) => {
            let a = store
                .author_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let list = store.author_articles(a.id, n, 0).await?;
            (format!("{} – {}", a.name, chrome.site_name), a.bio, list)
        }
    })
}

async fn article_feed(
    state: &AppState,
    scope: Scope,
    format: Format,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let store = &state.store;
    let path = match &scope {
        Scope::Site => String::new(),
        Scope::Section(s) => section_url(s),
        Scope::Topic(s) => topic_url(s),
        Scope::Author(s) => author_url(s),
    };
    let validators = for_document(state, &feed_url(&path, format), 0).await?;
    if validators.matches(headers) {
        return Ok(validators.not_modified());
    }
    let chrome = Chrome::load(state, None).await?;
    let (title, description, list) = scope_list(store, &scope, &chrome).await?;
    let ids: Vec<i64> = list.items.iter().map(|s| s.id).collect();
    let articles = store.published_articles(&ids).await?;
    let base = &state.config.base_url;
    let items: Vec<Item> = articles
        .iter()
        .map(|a| article_item(a, base, chrome.feeds.full_text))
        .collect();
    let feed = Feed {
        updated: items
            .iter()
            .map(|i| i.modified)
            .max()
            .unwrap_or_else(time::now),
        title,
        description: if description.is_empty() {
            chrome.description.clone()
        } else {
            description
        },
        home: format!("{base}{}", if path.is_empty() { "/" } else { &path }),
        prefix: format!("{base}{path}"),
        language: chrome.language.clone(),
        site_name: chrome.site_name.clone(),
        zone: chrome.zone,
        items,
    };
    Ok(respond(&feed, format, &validators))
}

fn format_of(file: &str) -> Result<Format, AppError> {
    Format::from_file(file).ok_or(AppError::NotFound)
}

/// `/feed.xml`, and `/feed`, where many sites keep their RSS feed.
pub async fn site_rss(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    article_feed(&state, Scope::Site, Format::Rss, &headers).await
}

pub async fn site_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    article_feed(&state, Scope::Site, Format::Atom, &headers).await
}

pub async fn site_json(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    article_feed(&state, Scope::Site, Format::Json, &headers).await
}

pub async fn section(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    article_feed(&state, Scope::Section(slug), format_of(&file)?, &headers).await
}

pub async fn topic(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    article_feed(&state, Scope::Topic(slug), format_of(&file)?, &headers).await
}

pub async fn author(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    article_feed(&state, Scope::Author(slug), format_of(&file)?, &headers).await
}

/// The newest approved comments, site-wide.
pub async fn comments(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = format_of(&file)?;
    let store = &state.store;
    let validators = for_document(&state, &feed_url("/comments", format), 0).await?;
    if validators.matches(&headers) {
        return Ok(validators.not_modified());
    }
    let chrome = Chrome::load(&state, None).await?;
    let base = &state.config.base_url;
    let comments = store
        .recent_comments(chrome.feeds.items.clamp(1, 100))
        .await?;
    let items: Vec<Item> = comments
        .into_iter()
        .map(|c| {
            let paragraphs: String = c
                .body
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| format!("<p>{}</p>", crate::views::text::escape(p)))
                .collect();
            Item {
                id: stable_id(base, "comment", c.id),
                url: format!("{base}{}#comment-{}", article_url(&c.article_slug), c.id),
                title: format!("{} on “{}”", c.author_name, c.article_headline),
                summary: String::new(),
                content_html: Some(paragraphs),
                published: c.created_at,
                modified: c.created_at,
                authors: vec![(c.author_name, None)],
                categories: Vec::new(),
                image: None,
            }
        })
        .collect();
    let feed = Feed {
        updated: items.first().map_or_else(time::now, |i| i.published),
        title: format!("Comments – {}", chrome.site_name),
        description: format!("The newest reader comments on {}", chrome.site_name),
        home: format!("{base}/"),
        prefix: format!("{base}/comments"),
        language: chrome.language.clone(),
        site_name: chrome.site_name.clone(),
        zone: chrome.zone,
        items,
    };
    Ok(respond(&feed, format, &validators))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_ids_are_uuid_urns_stable_per_site_and_article() {
        let a = stable_id("https://news.test", "article", 7);
        assert_eq!(a, stable_id("https://news.test", "article", 7));
        assert_ne!(a, stable_id("https://news.test", "article", 8));
        assert_ne!(a, stable_id("https://news.test", "comment", 7));
        assert_ne!(a, stable_id("https://other.test", "article", 7));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(a.as_bytes()["urn:uuid:".len() + 14], b'8', "version 8");
        let variant = a.as_bytes()["urn:uuid:".len() + 19];
        assert!(b"89ab".contains(&variant), "RFC 9562 variant: {a}");
    }
}
