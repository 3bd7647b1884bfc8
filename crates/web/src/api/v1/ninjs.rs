//! A published article as IPTC ninjs 2.0, the JSON that news agencies and
//! partners exchange: headlines, descriptions and bodies with their roles,
//! subjects from the topics, the featured image as an associated picture
//! with its renditions, and the same stable id as the feeds.

use super::Problem;
use super::articles::{article_id, published};
use crate::AppState;
use crate::media::{CROPS, crop_size, crop_url};
use crate::syndication::stable_id;
use crate::syndication::xml::absolute_links;
use crate::views::{absolute_url as absolute, article_url, section_url, topic_url};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bbn_core::{Article, SiteSettings, time};
use serde_json::{Value, json};

pub const SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json";

fn content_type_of(url: &str) -> &'static str {
    match url.rsplit('.').next().unwrap_or("") {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "image/jpeg",
    }
}

/// "Nadia Haddad", "A and B", "A, B and C".
fn byline(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The ninjs 2.0 object for an article.
pub fn ninjs(a: &Article, s: &SiteSettings, base: &str) -> Value {
    let published = a.published_at.unwrap_or(a.created_at);
    let modified = a.updated_at.unwrap_or(published).max(published);
    let body = absolute_links(&a.body_html, base);
    let text = a.body_format.plain_text(&a.body_markdown);
    let mut headlines =
        vec![json!({ "role": "main", "contenttype": "text/plain", "value": a.headline })];
    if !a.kicker.is_empty() {
        headlines.push(json!({ "role": "kicker", "contenttype": "text/plain", "value": a.kicker }));
    }
    if !a.seo_title.is_empty() && a.seo_title != a.headline {
        headlines.push(json!({ "role": "seo", "contenttype": "text/plain", "value": a.seo_title }));
    }
    let mut descriptions = Vec::new();
    if !a.dek.is_empty() {
        descriptions
            .push(json!({ "role": "summary", "contenttype": "text/plain", "value": a.dek }));
    }
    if !a.seo_description.is_empty() {
        descriptions.push(
            json!({ "role": "seo", "contenttype": "text/plain", "value": a.seo_description }),
        );
    }
    let mut subjects: Vec<Value> = vec![json!({
        "name": a.section.name,
        "rel": "section",
        "uri": format!("{base}{}", section_url(&a.section.slug)),
        "literal": a.section.slug,
    })];
    subjects.extend(a.topics.iter().map(|t| {
        json!({
            "name": t.name,
            "rel": "about",
            "uri": format!("{base}{}", topic_url(&t.slug)),
            "literal": t.slug,
        })
    }));
    let names: Vec<&str> = a.authors.iter().map(|x| x.name.as_str()).collect();
    let year = time::year(published, chrono_tz::UTC);
    let mut doc = json!({
        "uri": stable_id(base, "article", a.id),
        "standard": { "name": "ninjs", "version": "2.0", "schema": SCHEMA },
        "type": "text",
        "representationtype": "full",
        "profile": "bbn-article",
        "version": a.revision.to_string(),
        "firstcreated": time::rfc3339_utc(a.created_at),
        "versioncreated": time::rfc3339_utc(modified),
        "contentcreated": time::rfc3339_utc(published),
        "pubstatus": "usable",
        "copyrightholder": s.copyright_holder,
        "copyrightnotice": format!("© {year} {}", s.copyright_holder),
        "language": s.language,
        "title": a.headline,
        "slugline": a.slug,
        "headlines": headlines,
        "bodies": [{
            "role": "main",
            "contenttype": "text/html",
            "charcount": text.chars().count(),
            "wordcount": text.split_whitespace().count(),
            "value": body,
        }],
        "subjects": subjects,
        "renditions": [{
            "name": "web",
            "href": format!("{base}{}", article_url(&a.slug)),
            "contenttype": "text/html",
            "title": a.headline,
        }],
        "altids": [
            { "role": "bbn-id", "value": a.id.to_string() },
            { "role": "bbn-slug", "value": a.slug },
        ],
    });
    if !descriptions.is_empty() {
        doc["descriptions"] = json!(descriptions);
    }
    if !names.is_empty() {
        doc["by"] = json!(byline(&names));
        doc["infosources"] = json!(
            a.authors
                .iter()
                .map(|x| json!({ "name": x.name, "uri": format!("{base}{}", crate::views::author_url(&x.slug)) }))
                .collect::<Vec<_>>()
        );
    }
    if let Some(m) = &a.image {
        let mut renditions = vec![{
            let mut r = json!({
                "name": "original",
                "href": absolute(base, &m.url),
                "contenttype": content_type_of(&m.url),
            });
            if let (Some(w), Some(h)) = (m.width, m.height) {
                r["width"] = json!(w);
                r["height"] = json!(h);
            }
            r
        }];
        let size = m
            .width
            .zip(m.height)
            .and_then(|(w, h)| Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?)));
        for (shape, rw, rh) in CROPS {
            if let Some(url) = crop_url(&m.url, shape, m.focal) {
                let mut r = json!({
                    "name": format!("crop-{shape}"),
                    "href": absolute(base, &url),
                    "contenttype": "image/jpeg",
                });
                if let Some((w, h)) = size {
                    let (cw, ch) = crop_size(w, h, rw, rh);
                    r["width"] = json!(cw);
                    r["height"] = json!(ch);
                }
                renditions.push(r);
            }
        }
        let mut picture = json!({
            "name": "featureimage",
            "uri": stable_id(base, "media", m.id),
            "type": "picture",
            "renditions": renditions,
        });
        if !m.alt.is_empty() {
            picture["headlines"] = json!([{ "role": "alt", "value": m.alt }]);
        }
        if !m.caption.is_empty() {
            picture["descriptions"] = json!([{ "role": "caption", "value": m.caption }]);
        }
        if !m.credit.is_empty() {
            picture["by"] = json!(m.credit);
        }
        doc["associations"] = json!([picture]);
    }
    doc
}

/// `GET /api/v1/articles/{id}/ninjs`
pub async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let a = published(&state, article_id(&id)?).await?;
    let settings = state.store.settings().await?;
    let doc = ninjs(&a, &settings, &state.config.base_url);
    let mut r = axum::Json(doc).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_read_naturally() {
        assert_eq!(byline(&[]), "");
        assert_eq!(byline(&["A"]), "A");
        assert_eq!(byline(&["A", "B"]), "A and B");
        assert_eq!(byline(&["A", "B", "C"]), "A, B and C");
    }
}
