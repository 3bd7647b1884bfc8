//! What templates receive: view structs made for the page, never database rows.
//! Dates are formatted here, in the site's time zone, and URLs are built here,
//! so templates only lay things out.

mod article;
mod chrome;
pub mod structured;
pub mod text;

pub use article::{article_view, comment_views};
pub use chrome::{Chrome, Crumb, LATEST_RAIL, Pager, SharedPartsMemo, most_read};

use crate::cache::tags::{Tag, shown};
use bbn_core::{ArticleSummary, Media, time};
use chrono_tz::Tz;
use serde::Serialize;

pub fn article_url(slug: &str) -> String {
    format!("/news/{slug}")
}
pub fn section_url(slug: &str) -> String {
    format!("/section/{slug}")
}
pub fn topic_url(slug: &str) -> String {
    format!("/topic/{slug}")
}
/// A static page's address: right under the root (`/about`).
pub fn page_url(slug: &str) -> String {
    format!("/{slug}")
}

pub fn author_url(slug: &str) -> String {
    format!("/author/{slug}")
}

/// `url` made absolute on the site at `base`, when it is root-relative
/// (`/media/…`); full and protocol-relative URLs stay as they are.
pub fn absolute_url(base: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{base}{url}")
    } else {
        url.to_string()
    }
}

/// A moment, both machine-readable and as a reader reads it.
#[derive(Debug, Clone, Serialize)]
pub struct When {
    pub iso: String,
    pub date: String,
    pub long: String,
}

impl When {
    pub fn new(unix: i64, zone: Tz) -> When {
        When {
            iso: time::rfc3339(unix, zone),
            date: time::long_date(unix, zone),
            long: time::long_with_time(unix, zone),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageView {
    pub url: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub srcset: String,
    /// The smallest copy, for small slots such as list cards.
    pub thumb: String,
}

impl From<&Media> for ImageView {
    fn from(m: &Media) -> ImageView {
        ImageView {
            url: m.url.clone(),
            alt: m.alt.clone(),
            caption: m.caption.clone(),
            credit: m.credit.clone(),
            width: m.width,
            height: m.height,
            srcset: m.srcset.clone(),
            thumb: m
                .srcset
                .split(',')
                .next()
                .and_then(|c| c.split_whitespace().next())
                .unwrap_or(&m.url)
                .to_string(),
        }
    }
}

/// An article in a list.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    pub url: String,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    pub section_name: String,
    pub section_url: String,
    pub published: When,
    pub image: Option<ImageView>,
    pub comment_count: i64,
}

/// One article as a card or a rail link; the page now shows it.
pub fn summary(s: &ArticleSummary, zone: Tz) -> SummaryView {
    shown(Tag::Card(s.id));
    SummaryView {
        url: article_url(&s.slug),
        headline: s.headline.clone(),
        dek: s.dek.clone(),
        kicker: s.kicker.clone(),
        section_name: s.section_name.clone(),
        section_url: section_url(&s.section_slug),
        published: When::new(s.published_at, zone),
        image: s.image.as_ref().map(ImageView::from),
        comment_count: s.comment_count,
    }
}

/// Articles as cards, which show their comment counts.
pub fn summaries(list: &[ArticleSummary], zone: Tz) -> Vec<SummaryView> {
    for s in list {
        shown(Tag::Comments(s.id));
    }
    rail(list, zone)
}

/// Articles recommended beside another ("You may also like"): cards without
/// comment counts, so that a comment on one story does not redo every page
/// that recommends it.
pub fn recommended(list: &[ArticleSummary], zone: Tz) -> Vec<SummaryView> {
    list.iter()
        .map(|s| SummaryView {
            comment_count: 0,
            ..summary(s, zone)
        })
        .collect()
}

/// Articles as rail links: headline and section (Editors' Picks, Latest News, Most Read).
pub fn rail(list: &[ArticleSummary], zone: Tz) -> Vec<SummaryView> {
    list.iter().map(|s| summary(s, zone)).collect()
}
