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

/// An operation that needs a staff token, with a JSON body when `body` names a schema.
fn write(summary: &str, parameters: Vec<Value>, body: Option<Value>, ok: Value) -> Value {
    let mut op = json!({
        "summary": summary,
        "parameters": parameters,
        "security": [{ "bearerAuth": [] }],
        "responses": {
            "400": problem("The request cannot be used (a parameter, the JSON, a time)."),
            "401": problem("No token, or the token is unknown or revoked."),
            "403": problem("The token's role does not allow this on this article."),
            "404": problem("No such article or comment."),
            "409": problem("A taken slug, or the article changed since the revision sent."),
            "415": problem("The body is not application/json."),
            "422": problem("Fields are not valid, or pre-publish checks failed; see errors."),
            "429": problem("Too many requests for this token; see Retry-After."),
        },
    });
    let code = if ok["description"]
        .as_str()
        .is_some_and(|d| d.starts_with("Created"))
    {
        "201"
    } else {
        "200"
    };
    op["responses"][code] = ok;
    if let Some(schema) = body {
        op["requestBody"] =
            json!({ "required": false, "content": { "application/json": { "schema": schema } } });
    }
    op
}

/// The operations that change things.
fn add_writes(paths: &mut Value) {
    let article = ok_json("The article as staff see it.", schema_ref("Article"));
    paths["/articles"]["post"] = write(
        "Create a draft (any staff role); the token's byline is the default author",
        vec![],
        Some(schema_ref("ArticleInput")),
        ok_json(
            "Created: the new draft (Location names it).",
            schema_ref("Article"),
        ),
    );
    paths["/articles/{id}"]["patch"] = write(
        "Change some fields of an article, keeping its status (the newsroom's edit rules)",
        vec![id_param()],
        Some(schema_ref("ArticleInput")),
        article.clone(),
    );
    paths["/articles/{id}/{step}"] = json!({ "post": write(
        "Take a workflow step: publish, schedule (with `at`), unpublish, submit (for review) or draft",
        vec![
            id_param(),
            param("step", "path", "The step.", json!({ "type": "string", "enum": ["publish", "schedule", "unpublish", "submit", "draft"] }), true),
        ],
        Some(json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "revision": { "type": "integer", "description": "The revision read; refused with 409 when the article changed since." },
                "at": { "type": "string", "format": "date-time", "description": "When to publish (schedule)." },
            },
        })),
        article,
    ) });
    paths["/media"] = json!({ "post": write(
        "Upload an image: the body is the image (JPEG, PNG, WebP or GIF, checked by content)",
        vec![
            param("alt", "query", "Alternative text.", json!({ "type": "string" }), false),
            param("caption", "query", "Caption.", json!({ "type": "string" }), false),
            param("credit", "query", "Credit.", json!({ "type": "string" }), false),
        ],
        None,
        ok_json("Created: the stored image; use its id as image_id.", schema_ref("Image")),
    ) });
    paths["/media"]["post"]["requestBody"] = json!({
        "required": true,
        "content": { "image/*": { "schema": { "type": "string", "contentMediaType": "image/*" } } },
    });
    let mut media_params = vec![
        param(
            "q",
            "query",
            "Words in the file name, alt text, caption or credit.",
            json!({ "type": "string" }),
            false,
        ),
        param(
            "kind",
            "query",
            "image, video or audio.",
            json!({ "type": "string", "enum": ["image", "video", "audio"] }),
            false,
        ),
        param(
            "unused",
            "query",
            "Only items nothing uses.",
            json!({ "type": "boolean" }),
            false,
        ),
        param(
            "uploaded_by",
            "query",
            "Only items this staff account uploaded (its id).",
            json!({ "type": "integer", "minimum": 1 }),
            false,
        ),
    ];
    media_params.extend(paging());
    paths["/media"]["get"] = write(
        "The media library, newest first, with how many articles use each item",
        media_params,
        None,
        ok_page("A page of media items.", "MediaItem"),
    );
    let media_id = || {
        vec![param(
            "id",
            "path",
            "The item's id.",
            json!({ "type": "integer", "minimum": 1 }),
            true,
        )]
    };
    paths["/media/{id}"] = json!({
        "get": write("One media item", media_id(), None, ok_json("The item.", schema_ref("MediaItem"))),
        "patch": write(
            "Change an item's details; every article showing it shows them (a new revision of each)",
            media_id(),
            Some(json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "alt": { "type": "string", "maxLength": 1000 },
                    "caption": { "type": "string", "maxLength": 1000 },
                    "credit": { "type": "string", "maxLength": 1000 },
                    "focal_point": {
                        "type": "object", "additionalProperties": false, "required": ["x", "y"],
                        "properties": { "x": { "type": "integer", "minimum": 0, "maximum": 100 }, "y": { "type": "integer", "minimum": 0, "maximum": 100 } },
                    },
                },
            })),
            ok_json("The item as changed.", schema_ref("MediaItem")),
        ),
        "delete": write(
            "Delete an item nothing uses (409 while an article, the logo, an author's photo or a page uses it)",
            media_id(),
            None,
            json!({ "description": "Deleted." }),
        ),
    });
    paths["/media/{id}"]["delete"]["responses"]["204"] =
        paths["/media/{id}"]["delete"]["responses"]["200"].take();
    if let Some(r) = paths["/media/{id}"]["delete"]["responses"].as_object_mut() {
        r.remove("200");
    }
    let mut queue_params = vec![
        param(
            "status",
            "query",
            "pending, approved, spam or trash.",
            json!({ "type": "string", "enum": ["pending", "approved", "spam", "trash"] }),
            false,
        ),
        param(
            "article",
            "query",
            "Only this article's comments (its id).",
            json!({ "type": "integer", "minimum": 1 }),
            false,
        ),
        param(
            "q",
            "query",
            "Words in the text, name or email.",
            json!({ "type": "string" }),
            false,
        ),
    ];
    queue_params.extend(paging());
    paths["/comments"] = json!({ "get": write(
        "The moderation queue, newest first (editors)",
        queue_params,
        None,
        ok_page("A page of comments with their email and spam score.", "ModeratedComment"),
    ) });
    paths["/comments/{id}/status"] = json!({ "post": write(
        "Moderate a comment (editors): approved, spam, trash or pending; teaches the spam filter",
        vec![param("id", "path", "The comment's id.", json!({ "type": "integer", "minimum": 1 }), true)],
        Some(json!({
            "type": "object",
            "required": ["status"],
            "additionalProperties": false,
            "properties": { "status": { "type": "string", "enum": ["pending", "approved", "spam", "trash"] } },
        })),
        ok_json("The comment's new status.", json!({
            "type": "object",
            "required": ["id", "status"],
            "properties": { "id": { "type": "integer" }, "status": { "type": "string" } },
        })),
    ) });
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
    let mut doc = json!({
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
    });
    add_writes(&mut doc["paths"]);
    doc
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
            "ArticleInput",
            json!({
                "type": "object",
                "additionalProperties": false,
                "description": "Fields left out keep their value (on create, their default).",
                "properties": {
                    "headline": string, "dek": string, "kicker": string,
                    "slug": { "type": "string", "description": "Made from the headline when empty." },
                    "section_id": { "type": "integer" },
                    "section": { "type": "string", "description": "The section by slug, instead of section_id." },
                    "author_ids": { "type": "array", "items": { "type": "integer" } },
                    "topics": { "type": "array", "items": { "type": "string" }, "description": "Topic names; unknown ones are created." },
                    "body_markdown": { "type": "string", "description": "The body in Markdown (raw HTML in it is sanitized)." },
                    "body_html": { "type": "string", "description": "The body as HTML, for stories from other systems; sanitized." },
                    "body_document": { "type": "object", "description": "The body as the newsroom's editor writes it (a document of nodes: docs/document-format.md); rendered to HTML and sanitized on the server. Send one of body_markdown, body_html and body_document." },
                    "seo_title": string, "seo_description": string,
                    "comments_open": { "type": "boolean" },
                    "faq": { "type": "array", "items": { "type": "object", "required": ["question", "answer"], "additionalProperties": false, "properties": { "question": string, "answer": string } } },
                    "image_id": { "type": "integer", "description": "A media id from POST /media; 0 removes the image." },
                    "editors_pick": { "type": "boolean", "description": "Editors and admins only; ignored for others." },
                    "revision": { "type": "integer", "description": "The revision read; a save based on an older one is refused with 409. Without it, the save is checked against the revision the server read before applying the fields sent." },
                    "mark_updated": { "type": "boolean", "description": "Show readers an Updated time (published articles)." },
                },
            }),
        ),
        (
            "ModeratedComment",
            json!({
                "type": "object",
                "required": ["id", "article_id", "article_headline", "author_name", "author_email", "body", "status", "created_at", "staff", "spam_score", "spam_reason"],
                "properties": {
                    "id": { "type": "integer" }, "article_id": { "type": "integer" }, "article_headline": string,
                    "author_name": string, "author_email": string, "body": string,
                    "status": { "type": "string", "enum": ["pending", "approved", "spam", "trash"] },
                    "created_at": date, "staff": { "type": "boolean" },
                    "spam_score": { "type": ["number", "null"] }, "spam_reason": string,
                },
            }),
        ),
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
            "MediaItem",
            json!({
                        "type": "object",
                        "required": ["id", "url", "kind", "mime", "file_name", "bytes", "alt", "caption", "credit", "focal_point", "sizes", "uploaded_at", "uses"],
                        "properties": {
                            "id": { "type": "integer" }, "url": { "type": "string", "format": "uri" },
                            "kind": { "type": "string", "enum": ["image", "video", "audio"] },
                            "mime": string, "file_name": string, "bytes": { "type": "integer" },
                            "width": { "type": ["integer", "null"] }, "height": { "type": ["integer", "null"] },
                            "alt": string, "caption": string, "credit": string,
                            "focal_point": {
                                "type": "object", "required": ["x", "y"],
                                "properties": { "x": { "type": "integer" }, "y": { "type": "integer" } },
                            },
                            "sizes": { "type": "array", "items": {
                                "type": "object", "required": ["url", "width"],
                                "properties": { "url": { "type": "string", "format": "uri" }, "width": { "type": "integer" } },
                            } },
                            "uploaded_at": date,
                            "uploaded_by": { "type": ["integer", "null"] },
                            "uses": { "type": "integer", "description": "How many articles use it." },
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
                            "body_markdown": { "type": "string", "description": "The body's source as written (HTML when body_format is html, the document's JSON when it is doc); only for staff tokens." },
                            "body_format": { "type": "string", "enum": ["markdown", "html", "doc"], "description": "Only for staff tokens." },
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
