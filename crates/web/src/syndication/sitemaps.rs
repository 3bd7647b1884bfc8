//! Sitemaps: `/sitemap.xml`, an index of paginated sitemaps of articles
//! (with `lastmod` and their image), sections, topics, authors and the
//! site's own pages; and `/news-sitemap.xml` in the Google News format.
//! Article sitemap N covers the ids from (N-1)·50,000 + 1 to N·50,000 (at
//! most 50,000 URLs, fewer where some are not published): the index needs
//! no count, every file costs the same, and old files stay the same as news
//! is added. Each is written as it is read, a batch at a time, so a file of
//! 50,000 URLs never sits in memory.

use super::conditional::{Validators, for_document};
use super::xml::escape;
use crate::AppState;
use crate::error::AppError;
use crate::views::{Chrome, absolute_url, article_url, author_url, section_url, topic_url};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bbn_core::time;
use bbn_store::{SitemapArticle, Store};
use std::fmt::Write;

/// Articles read from the database per round trip while a sitemap streams.
const BATCH: i64 = 2_000;
/// The news sitemap covers this much time, and at most `NEWS_MAX` articles.
const NEWS_WINDOW: i64 = 2 * 24 * 3600;
const NEWS_MAX: i64 = 1_000;

const URLSET: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    "\n",
    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">"#,
    "\n"
);

fn xml_response(body: impl Into<Body>, validators: &Validators) -> Response {
    validators.apply(
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=utf-8"),
            )],
            body.into(),
        )
            .into_response(),
    )
}

fn pages(count: i64, per_page: i64) -> i64 {
    (count + per_page - 1) / per_page.max(1)
}

/// The sitemap index.
pub async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let store = &state.store;
    let validators = for_document(&state, "/sitemap.xml", 0).await?;
    if validators.matches(&headers) {
        return Ok(validators.not_modified());
    }
    let per_page = state.config.sitemap_page_size;
    let base = &state.config.base_url;
    let (max_id, topics, authors) = tokio::try_join!(
        store.max_article_id(),
        store.count_places("topic"),
        store.count_places("author"),
    )?;
    let mut files = vec!["pages.xml".to_string(), "sections.xml".to_string()];
    for (name, count) in [
        ("articles", max_id),
        ("topics", topics),
        ("authors", authors),
    ] {
        for n in 1..=pages(count, per_page) {
            files.push(format!("{name}-{n}.xml"));
        }
    }
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#,
        "\n"
    ));
    for f in files {
        let _ = writeln!(
            out,
            "<sitemap><loc>{}</loc></sitemap>",
            escape(&format!("{base}/sitemaps/{f}"))
        );
    }
    out.push_str("</sitemapindex>\n");
    Ok(xml_response(out, &validators))
}

/// A sitemap file's name read as its kind and page (0: not paged); one
/// address per file ("1", not "01" or "+1"), anything else not found.
fn sitemap_file(file: &str) -> Option<(&str, i64)> {
    let name = file.strip_suffix(".xml")?;
    let (kind, page) = match name.split_once('-') {
        Some((kind, n)) => {
            let page: i64 = n
                .parse()
                .ok()
                .filter(|p| *p >= 1 && n.starts_with(|c: char| c.is_ascii_digit() && c != '0'))?;
            (kind, page)
        }
        None => (name, 0),
    };
    matches!(
        (kind, page),
        ("articles" | "topics" | "authors", 1..) | ("sections" | "pages", 0)
    )
    .then_some((kind, page))
}

/// `/sitemaps/{file}`: `articles-N.xml`, `topics-N.xml`, `authors-N.xml`,
/// `sections.xml` or `pages.xml`.
pub async fn part(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (kind, page) = sitemap_file(&file).ok_or(AppError::NotFound)?;
    let store = state.store.clone();
    let validators = for_document(
        &state,
        &format!("/sitemaps/{file} {}", state.config.sitemap_page_size),
        0,
    )
    .await?;
    if validators.matches(&headers) {
        return Ok(validators.not_modified());
    }
    let base = state.config.base_url.clone();
    let per_page = state.config.sitemap_page_size;
    let body: Body = match kind {
        "articles" => {
            let first = (page - 1) * per_page;
            if first >= store.max_article_id().await? {
                return Err(AppError::NotFound);
            }
            article_stream(store, base, first, first + per_page)
        }
        "pages" => pages_urlset(&store, &base).await?.into(),
        _ => places_urlset(&store, &base, kind, page, per_page)
            .await?
            .ok_or(AppError::NotFound)?
            .into(),
    };
    Ok(xml_response(body, &validators))
}

/// `pages.xml`: the home page and the static pages.
async fn pages_urlset(store: &Store, base: &str) -> Result<String, AppError> {
    let mut out = String::from(URLSET);
    let _ = writeln!(out, "<url><loc>{}</loc></url>", escape(&format!("{base}/")));
    for p in store.published_pages().await? {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            escape(&format!("{base}{}", crate::views::page_url(&p.slug))),
            bbn_core::time::rfc3339_utc(p.modified_at)
        );
    }
    out.push_str("</urlset>\n");
    Ok(out)
}

/// `sections.xml` (all of them) or a page of `topics-N.xml` and
/// `authors-N.xml`; None past the last page.
async fn places_urlset(
    store: &Store,
    base: &str,
    kind: &str,
    page: i64,
    per_page: i64,
) -> Result<Option<String>, AppError> {
    let (entity, url): (&str, fn(&str) -> String) = match kind {
        "sections" => ("section", section_url),
        "topics" => ("topic", topic_url),
        _ => ("author", author_url),
    };
    let offset = (page.max(1) - 1) * per_page;
    let limit = if kind == "sections" {
        i64::MAX
    } else {
        per_page
    };
    if page > 1 && offset >= store.count_places(entity).await? {
        return Ok(None);
    }
    let places = store.sitemap_places(entity, limit, offset).await?;
    let mut out = String::from(URLSET);
    for p in places {
        let _ = write!(
            out,
            "<url><loc>{}</loc>",
            escape(&format!("{base}{}", url(&p.slug)))
        );
        if let Some(t) = p.last_live {
            let _ = write!(out, "<lastmod>{}</lastmod>", time::rfc3339_utc(t));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    Ok(Some(out))
}

fn article_entry(out: &mut String, base: &str, a: &SitemapArticle) {
    let _ = write!(
        out,
        "<url><loc>{}</loc><lastmod>{}</lastmod>",
        escape(&format!("{base}{}", article_url(&a.slug))),
        time::rfc3339_utc(a.modified_at)
    );
    if let Some(url) = &a.image_url {
        let _ = write!(
            out,
            "<image:image><image:loc>{}</image:loc></image:image>",
            escape(&absolute_url(base, url))
        );
    }
    out.push_str("</url>\n");
}

struct Reading {
    store: Store,
    base: String,
    /// The last id written; the range ends at `up_to`.
    after: i64,
    up_to: i64,
    stage: Stage,
}

#[derive(PartialEq)]
enum Stage {
    Head,
    Rows,
    Done,
}

/// The published articles with `after < id <= up_to`, written a batch at a time.
fn article_stream(store: Store, base: String, after: i64, up_to: i64) -> Body {
    let first = Reading {
        store,
        base,
        after,
        up_to,
        stage: Stage::Head,
    };
    let stream = futures_util::stream::try_unfold(first, |mut r| async move {
        match r.stage {
            Stage::Done => Ok::<_, bbn_store::StoreError>(None),
            Stage::Head => {
                r.stage = Stage::Rows;
                Ok(Some((URLSET.to_string(), r)))
            }
            Stage::Rows => {
                let rows = r.store.sitemap_articles(r.after, r.up_to, BATCH).await?;
                let mut chunk = String::with_capacity(rows.len() * 160 + 16);
                for a in &rows {
                    article_entry(&mut chunk, &r.base, a);
                    r.after = a.id;
                }
                if (rows.len() as i64) < BATCH || r.after >= r.up_to {
                    chunk.push_str("</urlset>\n");
                    r.stage = Stage::Done;
                }
                Ok(Some((chunk, r)))
            }
        }
    });
    Body::from_stream(stream)
}

/// Google News wants an ISO 639 language code; Chinese is told apart by script.
fn news_language(tag: &str) -> String {
    let tag = tag.to_ascii_lowercase();
    match tag.as_str() {
        "zh-cn" | "zh-hans" | "zh-sg" => "zh-cn".into(),
        "zh-tw" | "zh-hant" | "zh-hk" => "zh-tw".into(),
        _ => tag
            .split(['-', '_'])
            .next()
            .filter(|p| !p.is_empty())
            .unwrap_or("en")
            .to_string(),
    }
}

/// The Google News sitemap: articles of the last two days, at most 1,000.
pub async fn news(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let store = &state.store;
    // The window moves by the hour, so one hour's copies are all the same.
    let hour = time::now() / 3600;
    // Articles leave the window as the hours pass: that is a change too.
    let validators =
        for_document(&state, &format!("/news-sitemap.xml {hour}"), hour * 3600).await?;
    if validators.matches(&headers) {
        return Ok(validators.not_modified());
    }
    let chrome = Chrome::load(&state, None).await?;
    let base = &state.config.base_url;
    let articles = store
        .published_since(hour * 3600 - NEWS_WINDOW, NEWS_MAX)
        .await?;
    let name = escape(&chrome.site_name);
    let language = escape(&news_language(&chrome.language));
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">"#,
        "\n"
    ));
    for a in &articles {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{name}</news:name><news:language>{language}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            escape(&format!("{base}{}", article_url(&a.slug))),
            time::rfc3339(a.published_at, chrome.zone),
            escape(&a.headline),
        );
    }
    out.push_str("</urlset>\n");
    Ok(xml_response(out, &validators))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_languages_are_iso_639_codes() {
        assert_eq!(news_language("en"), "en");
        assert_eq!(news_language("en-GB"), "en");
        assert_eq!(news_language("pt_BR"), "pt");
        assert_eq!(news_language("zh-Hant"), "zh-tw");
        assert_eq!(news_language("zh-CN"), "zh-cn");
        assert_eq!(news_language(""), "en");
    }

    #[test]
    fn page_counts_round_up() {
        assert_eq!(pages(0, 50_000), 0);
        assert_eq!(pages(1, 50_000), 1);
        assert_eq!(pages(50_000, 50_000), 1);
        assert_eq!(pages(50_001, 50_000), 2);
    }
}
