//! bbn's content in the shapes Ghost's Content API gives it: posts from
//! published articles, tags from topics, authors from bylines, with ids as
//! 24 hex digits, dates in ISO 8601 with the site's offset and absolute URLs.

use super::params::Params;
use bbn_core::{Article, Author, Topic};
use bbn_store::content_api::object_id;
use chrono_tz::Tz;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// What turning rows into objects needs to know about the site.
pub struct Site {
    pub base_url: String,
    pub zone: Tz,
}

impl Site {
    fn date(&self, unix: i64) -> String {
        bbn_core::time::rfc3339(unix, self.zone)
    }

    fn absolute(&self, url: &str) -> String {
        crate::views::absolute_url(&self.base_url, url)
    }
}

/// A stable UUID-shaped id for an article (Ghost posts carry one): made
/// from its id, so it never changes and needs no column.
fn uuid(id: i64) -> String {
    uuid_of("article", id)
}

fn uuid_of(kind: &str, id: i64) -> String {
    let d = Sha256::digest(format!("bbn-{kind}-{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn text_or_null(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Null
    } else {
        Value::String(s.to_string())
    }
}

/// Minutes to read at 275 words a minute (Ghost's rate), at least 1.
fn reading_time(plain: &str) -> i64 {
    let words = plain.split_whitespace().count() as i64;
    ((words + 137) / 275).max(1)
}

/// The first 500 characters of the text, as Ghost makes an excerpt.
fn excerpt(plain: &str) -> String {
    let flat = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(500).collect()
}

/// Keeps only the named fields of an object (unknown names are ignored).
pub fn project(object: Map<String, Value>, fields: Option<&[String]>) -> Value {
    match fields {
        None => Value::Object(object),
        Some(names) => Value::Object(
            object
                .into_iter()
                .filter(|(k, _)| names.iter().any(|n| n == k))
                .collect(),
        ),
    }
}

pub fn tag(site: &Site, t: &Topic, count: Option<i64>) -> Map<String, Value> {
    let mut m = json!({
        "id": object_id(t.id),
        "name": t.name,
        "slug": t.slug,
        "description": text_or_null(&t.description),
        "feature_image": null,
        "visibility": "public",
        "og_image": null,
        "og_title": null,
        "og_description": null,
        "twitter_image": null,
        "twitter_title": null,
        "twitter_description": null,
        "meta_title": null,
        "meta_description": null,
        "codeinjection_head": null,
        "codeinjection_foot": null,
        "canonical_url": null,
        "accent_color": null,
        "url": format!("{}/topic/{}", site.base_url, t.slug),
    });
    if let (Some(n), Some(obj)) = (count, m.as_object_mut()) {
        obj.insert("count".into(), json!({ "posts": n }));
    }
    into_map(m)
}

pub fn author(site: &Site, a: &Author, count: Option<i64>) -> Map<String, Value> {
    let mut m = json!({
        "id": object_id(a.id),
        "name": a.name,
        "slug": a.slug,
        "profile_image": null,
        "cover_image": null,
        "bio": text_or_null(&a.bio),
        "website": null,
        "location": null,
        "facebook": null,
        "twitter": null,
        "meta_title": null,
        "meta_description": null,
        "url": format!("{}/author/{}", site.base_url, a.slug),
    });
    if let (Some(n), Some(obj)) = (count, m.as_object_mut()) {
        obj.insert("count".into(), json!({ "posts": n }));
    }
    into_map(m)
}

fn into_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A published article as a Ghost post, with what `params` asks for.
pub fn post(site: &Site, a: &Article, featured: bool, params: &Params) -> Value {
    let plain = a.body_format.plain_text(&a.body_markdown);
    let published = a.published_at.unwrap_or(a.created_at);
    let updated = a.updated_at.unwrap_or(published).max(published);
    let image = a.image.as_ref();
    let seo_title = text_or_null(&a.seo_title);
    let seo_description = text_or_null(&a.seo_description);
    let custom_excerpt = text_or_null(&a.dek);
    let excerpt = if a.dek.trim().is_empty() {
        excerpt(&plain)
    } else {
        a.dek.clone()
    };
    let m = into_map(json!({
        "id": object_id(a.id),
        "uuid": uuid(a.id),
        "title": a.headline,
        "slug": a.slug,
        "comment_id": object_id(a.id),
        "feature_image": image.map(|i| site.absolute(&i.url)),
        "feature_image_alt": image.map(|i| text_or_null(&i.alt)),
        "feature_image_caption": image.map(|i| text_or_null(&i.caption)),
        "featured": featured,
        "visibility": "public",
        "created_at": site.date(a.created_at),
        "updated_at": site.date(updated),
        "published_at": site.date(published),
        "custom_excerpt": custom_excerpt,
        "codeinjection_head": null,
        "codeinjection_foot": null,
        "custom_template": null,
        "canonical_url": null,
        "url": format!("{}{}", site.base_url, crate::views::article_url(&a.slug)),
        "excerpt": excerpt,
        "reading_time": reading_time(&plain),
        "access": true,
        "comments": a.comments_open,
        "og_image": null,
        "og_title": seo_title,
        "og_description": seo_description,
        "twitter_image": null,
        "twitter_title": seo_title,
        "twitter_description": seo_description,
        "meta_title": seo_title,
        "meta_description": seo_description,
        "email_subject": null,
        "frontmatter": null,
    }));
    let mut out = with_bodies(m, site, &a.body_html, plain, params);
    // Relations asked for with `include` come whatever `fields` says.
    if params.includes("authors") {
        let authors: Vec<Value> = a
            .authors
            .iter()
            .map(|x| Value::Object(author(site, x, None)))
            .collect();
        out.insert(
            "primary_author".into(),
            authors.first().cloned().unwrap_or(Value::Null),
        );
        out.insert("authors".into(), Value::Array(authors));
    }
    if params.includes("tags") {
        let tags: Vec<Value> = a
            .topics
            .iter()
            .map(|t| Value::Object(tag(site, t, None)))
            .collect();
        out.insert(
            "primary_tag".into(),
            tags.first().cloned().unwrap_or(Value::Null),
        );
        out.insert("tags".into(), Value::Array(tags));
    }
    Value::Object(out)
}

/// A post's or page's object with the body formats asked for, cut to `fields`.
fn with_bodies(
    mut m: Map<String, Value>,
    site: &Site,
    body_html: &str,
    plain: String,
    params: &Params,
) -> Map<String, Value> {
    if params.formats.html {
        // Sanitized when written (bbn_store::bodies): front-ends insert this
        // HTML as it is, on another origin, so links are absolute.
        let html = crate::syndication::xml::absolute_links(body_html, &site.base_url);
        m.insert("html".into(), Value::String(html));
    }
    if params.formats.plaintext {
        m.insert("plaintext".into(), Value::String(plain));
    }
    match project(m, params.fields.as_deref()) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Page ids live in their own range so that no page shares an id with a post.
pub const PAGE_ID_BASE: i64 = 1 << 48;

/// A static page as a Ghost page.
pub fn page(site: &Site, p: &bbn_core::Page, params: &Params) -> Value {
    let plain = p.body_format.plain_text(&p.body);
    let published = p.published_at.unwrap_or(p.created_at);
    let description = text_or_null(&p.seo_description);
    let m = into_map(json!({
        "id": object_id(PAGE_ID_BASE + p.id),
        "uuid": uuid_of("page", p.id),
        "title": p.title,
        "slug": p.slug,
        "comment_id": object_id(PAGE_ID_BASE + p.id),
        "feature_image": null,
        "feature_image_alt": null,
        "feature_image_caption": null,
        "featured": false,
        "visibility": "public",
        "created_at": site.date(p.created_at),
        "updated_at": site.date(p.modified_at.max(published)),
        "published_at": site.date(published),
        "custom_excerpt": description,
        "codeinjection_head": null,
        "codeinjection_foot": null,
        "custom_template": null,
        "canonical_url": null,
        "url": format!("{}{}", site.base_url, crate::views::page_url(&p.slug)),
        "excerpt": if p.seo_description.trim().is_empty() { excerpt(&plain) } else { p.seo_description.clone() },
        "reading_time": reading_time(&plain),
        "access": true,
        "comments": false,
        "og_image": null,
        "og_title": null,
        "og_description": description,
        "twitter_image": null,
        "twitter_title": null,
        "twitter_description": description,
        "meta_title": null,
        "meta_description": description,
        "frontmatter": null,
    }));
    let mut out = with_bodies(m, site, &p.body_html, plain, params);
    // Pages have no bylines or topics in bbn.
    if params.includes("authors") {
        out.insert("primary_author".into(), Value::Null);
        out.insert("authors".into(), Value::Array(Vec::new()));
    }
    if params.includes("tags") {
        out.insert("primary_tag".into(), Value::Null);
        out.insert("tags".into(), Value::Array(Vec::new()));
    }
    Value::Object(out)
}

/// `meta.pagination` as Ghost computes it.
pub fn pagination(page: i64, limit: i64, total: i64) -> Value {
    let pages = ((total + limit - 1) / limit).max(1);
    json!({
        "page": page,
        "limit": limit,
        "pages": pages,
        "total": total,
        "next": if page < pages { Value::from(page + 1) } else { Value::Null },
        "prev": if page > 1 { Value::from(page - 1) } else { Value::Null },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_matches_ghost() {
        assert_eq!(
            pagination(1, 15, 0),
            json!({"page":1,"limit":15,"pages":1,"total":0,"next":null,"prev":null})
        );
        assert_eq!(
            pagination(2, 2, 5),
            json!({"page":2,"limit":2,"pages":3,"total":5,"next":3,"prev":1})
        );
        assert_eq!(pagination(3, 2, 5)["next"], Value::Null);
    }

    #[test]
    fn uuids_are_stable_and_shaped() {
        assert_eq!(uuid(7), uuid(7));
        assert_ne!(uuid(7), uuid(8));
        let u = uuid(7);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
    }
}
