//! Structured data for search engines and social networks: JSON-LD
//! (`NewsArticle`, `FAQPage`, `BreadcrumbList` on articles; `WebSite` with a
//! `SearchAction` and the publisher on the home page) and the OpenGraph and
//! Twitter card tags of an article. Built here as data, serialized by
//! serde_json, and made safe to sit inside a `<script>` element.

use super::{absolute_url as absolute, article_url, author_url, section_url};
use crate::media::{CROPS, crop_size, crop_url};
use bbn_core::{Article, Media, time};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{Value, json};

/// What the publisher is called and looks like, for every JSON-LD object.
pub struct Publisher<'a> {
    pub name: &'a str,
    pub base_url: &'a str,
    /// Absolute URL of the logo.
    pub logo: String,
    pub language: &'a str,
    pub zone: Tz,
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` are
/// written as \u escapes, so no text in it can close the element.
pub fn script_json(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// An image as social cards and structured data offer it: each crop with its size.
#[derive(Debug, Clone, Serialize)]
pub struct CardImage {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub alt: String,
}

/// The 1:1, 4:3 and 16:9 crops of a featured image (bbn's own images), or
/// the image itself when it is not one of bbn's.
pub fn card_images(m: &Media, base: &str) -> Vec<CardImage> {
    let size = m
        .width
        .zip(m.height)
        .and_then(|(w, h)| Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?)));
    let crops: Vec<CardImage> = CROPS
        .iter()
        .filter_map(|(shape, rw, rh)| {
            let url = crop_url(&m.url, shape, m.focal)?;
            let (w, h) = size.map_or((None, None), |(w, h)| {
                let (cw, ch) = crop_size(w, h, *rw, *rh);
                (Some(cw), Some(ch))
            });
            Some(CardImage {
                url: absolute(base, &url),
                width: w,
                height: h,
                alt: m.alt.clone(),
            })
        })
        .collect();
    if crops.is_empty() {
        vec![CardImage {
            url: absolute(base, &m.url),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            alt: m.alt.clone(),
        }]
    } else {
        crops
    }
}

fn organization(p: &Publisher<'_>) -> Value {
    json!({
        "@type": "Organization",
        "name": p.name,
        "url": format!("{}/", p.base_url),
        "logo": { "@type": "ImageObject", "url": p.logo },
    })
}

/// The JSON-LD objects of an article page, each for its own script element.
pub fn article_ld(a: &Article, description: &str, p: &Publisher<'_>) -> Vec<String> {
    let base = p.base_url;
    let url = format!("{base}{}", article_url(&a.slug));
    let published = a.published_at.unwrap_or(a.created_at);
    let modified = a.updated_at.unwrap_or(published).max(published);
    let mut article = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.headline,
        "description": description,
        "url": url,
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "datePublished": time::rfc3339(published, p.zone),
        "dateModified": time::rfc3339(modified, p.zone),
        "inLanguage": p.language,
        "articleSection": a.section.name,
        "isAccessibleForFree": true,
        "author": a.authors.iter().map(|x| {
            let mut person = json!({
                "@type": "Person",
                "name": x.name,
                "url": format!("{base}{}", author_url(&x.slug)),
            });
            if !x.job_title.is_empty() {
                person["jobTitle"] = json!(x.job_title);
            }
            person
        }).collect::<Vec<_>>(),
        "publisher": organization(p),
    });
    if !a.topics.is_empty() {
        article["keywords"] = json!(a.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>());
    }
    // Videos embedded in the body, as schema.org describes them (what a
    // video's own address says; its upload date is not known offline, so
    // the article's publication stands for it).
    let videos: Vec<serde_json::Value> = bbn_core::embed::embeds_in_html(&a.body_html)
        .into_iter()
        .filter(|(e, _)| e.provider.kind() == bbn_core::embed::Kind::Video)
        .map(|(e, title)| {
            let mut v = json!({
                "@type": "VideoObject",
                "name": if title.trim().is_empty() { a.headline.clone() } else { title },
                "description": description,
                "embedUrl": e.frame.replace("autoplay=1&", "").replace("?autoplay=1", "").replace("&autoplay=1", ""),
                "url": e.url,
                "uploadDate": time::rfc3339(published, p.zone),
            });
            if let Some(thumbnail) = e.thumbnail() {
                v["thumbnailUrl"] = json!(thumbnail);
            }
            v
        })
        .collect();
    if !videos.is_empty() {
        article["video"] = json!(videos);
    }
    if let Some(m) = &a.image {
        article["image"] = json!(
            card_images(m, base)
                .into_iter()
                .map(|i| i.url)
                .collect::<Vec<_>>()
        );
    }
    let crumbs = json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            { "@type": "ListItem", "position": 1, "name": "Home", "item": format!("{base}/") },
            { "@type": "ListItem", "position": 2, "name": a.section.name,
              "item": format!("{base}{}", section_url(&a.section.slug)) },
            { "@type": "ListItem", "position": 3, "name": a.headline, "item": url },
        ],
    });
    let mut out = vec![script_json(&article), script_json(&crumbs)];
    // The article's FAQ, then those written as FAQ blocks in its body.
    let mut questions: Vec<(String, String)> = a
        .faq
        .iter()
        .map(|f| (f.question.clone(), f.answer.clone()))
        .collect();
    if a.body_format == bbn_core::BodyFormat::Document
        && a.body_markdown.contains("\"faq_item\"")
        && let Ok(doc) = bbn_core::document::parse(&a.body_markdown)
    {
        questions.extend(bbn_core::document::faq(&doc));
    }
    if !questions.is_empty() {
        let faq = json!({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": questions.iter().map(|(question, answer)| json!({
                "@type": "Question",
                "name": question,
                "acceptedAnswer": { "@type": "Answer", "text": answer },
            })).collect::<Vec<_>>(),
        });
        out.push(script_json(&faq));
    }
    out
}

/// The home page's JSON-LD: the site with its search, and the publisher.
pub fn home_ld(description: &str, p: &Publisher<'_>) -> Vec<String> {
    let base = p.base_url;
    let site = json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": p.name,
        "description": description,
        "url": format!("{base}/"),
        "inLanguage": p.language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": format!("{base}/search?q={{search_term_string}}"),
            },
            "query-input": "required name=search_term_string",
        },
    });
    let mut org = organization(p);
    org["@context"] = json!("https://schema.org");
    vec![script_json(&site), script_json(&org)]
}

/// What an article's OpenGraph and Twitter tags say.
#[derive(Debug, Clone, Serialize)]
pub struct SocialCard {
    pub url: String,
    pub image: Option<CardImage>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub tags: Vec<String>,
}

pub fn social_card(a: &Article, base: &str, zone: Tz) -> SocialCard {
    let published = a.published_at.map(|t| time::rfc3339(t, zone));
    let modified = match (a.published_at, a.updated_at) {
        (Some(p), Some(u)) if u > p => Some(time::rfc3339(u, zone)),
        _ => None,
    };
    SocialCard {
        url: format!("{base}{}", article_url(&a.slug)),
        // The wide crop suits the large cards of social networks.
        image: a.image.as_ref().and_then(|m| card_images(m, base).pop()),
        published,
        modified,
        tags: a.topics.iter().map(|t| t.name.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let v = json!({ "headline": "</script><script>alert(1)</script> & <!--" });
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
