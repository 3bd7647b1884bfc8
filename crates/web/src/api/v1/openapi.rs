//! The OpenAPI 3.1 description of `/api/v1`, served at
//! `/api/v1/openapi.json`. Written out by hand next to the handlers it
//! describes; a test walks it and calls every path it names.

use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn param(name: &str, place: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({ "name": name, "in": place, "description": description, "required": required, "schema": schema })
}

fn paging() -> Vec<Value> {
    vec![
        param(
            "page",
            "query",
            "Page number, from 1.",
            json!({ "type": "integer", "minimum": 1, "default": 1 }),
            false,
        ),
        param(
            "per_page",
            "query",
            "Items per page.",
            json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 20 }),
            false,
        ),
    ]
}

fn id_param() -> Value {
    param(
        "id",
        "path",
        "The article's id.",
        json!({ "type": "integer", "minimum": 1 }),
        true,
    )
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": schema_ref("Problem") } }
    })
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// A page of `item`s: the body, and the headers that say where it is.
fn ok_page(description: &str, item: &str) -> Value {
    json!({
        "description": description,
        "headers": {
            "X-Total-Count": { "description": "How many items the whole list has.", "schema": { "type": "integer" } },
            "Link": { "description": "first, prev, next and last pages (RFC 8288).", "schema": { "type": "string" } },
        },
        "content": { "application/json": { "schema": {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": { "type": "array", "items": schema_ref(item) },
                "meta": schema_ref("PageMeta"),
            },
        } } },
    })
}

fn read(summary: &str, parameters: Vec<Value>, ok: Value) -> Value {
    json!({
        "get": {
            "summary": summary,
            "parameters": parameters,
            "security": [{}, { "bearerAuth": [] }],
            "responses": {
                "200": ok,
                "400": problem("A parameter cannot be used; `parameter` names it."),
                "401": problem("The bearer token is unknown or revoked."),
                "404": problem("No such item (or not public)."),
                "429": problem("Too many requests for this token or address; see Retry-After."),
            },
        }
    })
}

pub fn spec(base_url: &str) -> Value {
    let string = json!({ "type": "string" });
    let mut list_params = paging();
    for (name, what) in [
        ("section", "section"),
        ("topic", "topic"),
        ("author", "author"),
    ] {
        list_params.push(param(
            name,
            "query",
            &format!(
                "Only this {what}'s articles (its slug). One of section, topic, author at a time."
            ),
            string.clone(),
            false,
        ));
    }
    let mut search_params = vec![
        param(
            "q",
            "query",
            "What to search for: words, \"phrases\", -excluded words.",
            json!({ "type": "string", "maxLength": 500 }),
            true,
        ),
        param(
            "sort",
            "query",
            "relevance (default) or newest.",
            json!({ "type": "string", "enum": ["relevance", "newest"] }),
            false,
        ),
    ];
    for name in ["section", "topic", "author"] {
        search_params.push(param(
            name,
            "query",
            &format!("Narrow to this {name} (slug)."),
            string.clone(),
            false,
        ));
    }
    search_params.extend(paging());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "bbn API",
            "version": "1",
            "description": "Read everything public on the site; with a staff token (created in the newsroom), write as that staff member. Lists page with page and per_page and carry X-Total-Count and Link headers. Errors are application/problem+json.",
        },
        "servers": [{ "url": format!("{base_url}/api/v1") }],
        "paths": {
            "/articles": read("Published articles, newest first", list_params, ok_page("A page of articles.", "ArticleSummary")),
            "/articles/{id}": read("One published article", vec![id_param()], ok_json("The article.", schema_ref("Article"))),
            "/articles/by-slug/{slug}": read("One published article by its current slug", vec![param("slug", "path", "The slug.", string.clone(), true)], ok_json("The article.", schema_ref("Article"))),
            "/articles/{id}/ninjs": read("One published article as IPTC ninjs 2.0", vec![id_param()], ok_json("The ninjs 2.0 object (schema: http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json).", json!({ "type": "object", "required": ["uri"] }))),
            "/articles/{id}/comments": read("The approved comments of a published article, oldest first", { let mut p = vec![id_param()]; p.extend(paging()); p }, ok_page("A page of comments.", "Comment")),
            "/search": read("Search published articles", search_params, ok_page("A page of hits.", "SearchHit")),
            "/sections": read("Sections", paging(), ok_page("A page of sections.", "Place")),
            "/topics": read("Topics", paging(), ok_page("A page of topics.", "Place")),
            "/authors": read("Authors (bylines)", paging(), ok_page("A page of authors.", "Place")),
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": { "type": "http", "scheme": "bearer", "description": "A staff API token from the newsroom (Settings → API keys)." },
            },
            "schemas": schemas(),
        },
    })
}

/// The shapes the paths return.
fn schemas() -> Value {
    let string = json!({ "type": "string" });
    let date = json!({ "type": "string", "format": "date-time" });
    let nullable_date = json!({ "type": ["string", "null"], "format": "date-time" });
    let mut all = serde_json::Map::new();
    for (name, schema) in schema_list(&string, &date, &nullable_date) {
        all.insert(name.to_string(), schema);
    }
    Value::Object(all)
}

fn schema_list(string: &Value, date: &Value, nullable_date: &Value) -> Vec<(&'static str, Value)> {
    let (string, date) = (string.clone(), date.clone());
    vec![
        (
            "Problem",
            json!({
                        "type": "object",
                        "required": ["type", "title", "status", "detail"],
                        "properties": {
                            "type": string, "title": string, "status": { "type": "integer" }, "detail": string,
                            "parameter": { "type": "string", "description": "The query parameter at fault." },
                            "errors": { "type": "array", "items": { "type": "object", "required": ["field", "message"], "properties": { "field": string, "message": string } } },
                        },
            }),
        ),
        (
            "PageMeta",
            json!({
                        "type": "object",
                        "required": ["page", "per_page", "total", "pages"],
                        "properties": { "page": { "type": "integer" }, "per_page": { "type": "integer" }, "total": { "type": "integer" }, "pages": { "type": "integer" } },
            }),
        ),
        (
            "Named",
            json!({
                        "type": "object",
                        "required": ["id", "slug", "name", "url"],
                        "properties": { "id": { "type": "integer" }, "slug": string, "name": string, "url": { "type": "string", "format": "uri" } },
            }),
        ),
        (
            "Place",
            json!({
                        "type": "object",
                        "required": ["id", "slug", "name", "description", "url", "feed_url"],
                        "properties": {
                            "id": { "type": "integer" }, "slug": string, "name": string, "description": string,
                            "url": { "type": "string", "format": "uri" }, "feed_url": { "type": "string", "format": "uri" },
                            "in_navigation": { "type": "boolean" },
                        },
            }),
        ),
        (
            "Image",
            json!({
                        "type": "object",
                        "required": ["id", "url", "alt", "caption", "credit"],
                        "properties": {
                            "id": { "type": "integer" }, "url": { "type": "string", "format": "uri" },
                            "width": { "type": ["integer", "null"] }, "height": { "type": ["integer", "null"] },
                            "alt": string, "caption": string, "credit": string,
                        },
            }),
        ),
        (
            "ArticleSummary",
            json!({
                        "type": "object",
                        "required": ["id", "slug", "url", "headline", "dek", "kicker", "section", "published_at", "comment_count"],
                        "properties": {
                            "id": { "type": "integer" }, "slug": string, "url": { "type": "string", "format": "uri" },
                            "headline": string, "dek": string, "kicker": string,
                            "section": { "type": "object", "required": ["slug", "name", "url"], "properties": { "slug": string, "name": string, "url": string } },
                            "published_at": date,
                            "image": { "oneOf": [schema_ref("Image"), { "type": "null" }] },
                            "comment_count": { "type": "integer" },
                        },
            }),
        ),
        (
            "Article",
            json!({
                        "type": "object",
                        "required": ["id", "slug", "url", "status", "headline", "dek", "kicker", "body_html", "section", "authors", "topics", "faq", "seo_title", "seo_description", "comments_open", "created_at", "revision"],
                        "properties": {
                            "id": { "type": "integer" }, "slug": string, "url": { "type": "string", "format": "uri" },
                            "status": { "type": "string", "enum": ["draft", "in_review", "scheduled", "published", "unpublished"] },
                            "headline": string, "dek": string, "kicker": string,
                            "body_html": { "type": "string", "description": "Sanitized HTML with absolute links." },
                            "body_markdown": { "type": "string", "description": "The Markdown source; only for staff tokens." },
                            "section": schema_ref("Named"),
                            "authors": { "type": "array", "items": schema_ref("Named") },
                            "topics": { "type": "array", "items": schema_ref("Named") },
                            "faq": { "type": "array", "items": { "type": "object", "required": ["question", "answer"], "properties": { "question": string, "answer": string } } },
                            "image": { "oneOf": [schema_ref("Image"), { "type": "null" }] },
                            "seo_title": string, "seo_description": string, "comments_open": { "type": "boolean" },
                            "created_at": date, "published_at": nullable_date.clone(), "updated_at": nullable_date.clone(), "scheduled_at": nullable_date.clone(),
                            "revision": { "type": "integer", "description": "Send it back when saving; a save based on an older revision is refused with 409." },
                        },
            }),
        ),
        (
            "Comment",
            json!({
                        "type": "object",
                        "required": ["id", "parent_id", "author_name", "body", "created_at", "staff"],
                        "properties": {
                            "id": { "type": "integer" }, "parent_id": { "type": ["integer", "null"] },
                            "author_name": string, "body": string, "created_at": date, "staff": { "type": "boolean" },
                        },
            }),
        ),
        (
            "SearchHit",
            json!({
                        "type": "object",
                        "required": ["id", "slug", "url", "headline_html", "snippet_html", "published_at"],
                        "properties": {
                            "id": { "type": "integer" }, "slug": string, "url": { "type": "string", "format": "uri" },
                            "headline_html": string, "snippet_html": string, "published_at": date,
                        },
            }),
        ),
    ]
}

pub async fn document(State(state): State<AppState>) -> Response {
    super::json(&spec(&state.config.base_url))
}
