//! bbn's JSON API as a client meets it: lists with paging in the body and
//! in Link and X-Total-Count, one article by id and slug, ninjs, comments,
//! search, the OpenAPI document, and problem+json for every refusal — on
//! SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use bbn_core::{CommentStatus, FaqItem, Role, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{ApiKeyKind, NewApiKey, NewComment, NewMedia, NewUser, Store};
use bbn_web::{AppState, Theme, WebConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

mod fixtures;
use fixtures::published as draft;

const BASE: &str = "https://news.example";

struct Site {
    app: Router,
    store: Store,
    lead: i64,
    draft: i64,
    _db: TestDb,
}

async fn call(app: &Router, uri: &str) -> (StatusCode, HeaderMap, Value) {
    let response = app
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("{uri}: not JSON: {}", String::from_utf8_lossy(&bytes)));
    (status, headers, body)
}

/// 25 published articles (5 on a topic), the lead with an image, FAQ and
/// comments, and one draft.
async fn site(db: TestDb) -> Site {
    let store = db.store.clone();
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            copyright_holder: "Big Big News Inc.".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "World news.", Some(1))
        .await
        .unwrap();
    let sports = store
        .create_section("sports", "Sports", "", Some(2))
        .await
        .unwrap();
    let nadia = store
        .create_author("nadia-haddad", "Nadia Haddad", "Covers diplomacy.")
        .await
        .unwrap();
    let omar = store
        .create_author("omar-said", "Omar Said", "")
        .await
        .unwrap();
    let talks = store.create_topic("talks", "Talks", "").await.unwrap();
    let now = bbn_core::time::now();
    let mut drafts = Vec::new();
    for i in 0..24 {
        let topics = if i % 5 == 0 { vec![talks] } else { vec![] };
        let section = if i % 2 == 0 { world } else { sports };
        drafts.push(draft(
            section,
            vec![omar],
            topics,
            &format!("Story {i:02}"),
            now - 86_400 - i * 60,
        ));
    }
    store.create_articles(drafts).await.unwrap();
    let image = store
        .create_media(&NewMedia {
            url: "/media/2026/11/lead.jpg".into(),
            width: Some(1600),
            height: Some(900),
            alt: "Ministers shake hands".into(),
            caption: "The meeting.".into(),
            credit: "Photo: Staff".into(),
            srcset: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut d = draft(
        world,
        vec![nadia, omar],
        vec![talks],
        "Ministers meet",
        now - 60,
    );
    d.slug = "ministers-meet".into();
    d.kicker = "Diplomacy".into();
    d.image_id = Some(image);
    d.faq = vec![FaqItem {
        question: "Why?".into(),
        answer: "Because.".into(),
    }];
    let lead = store.create_article(d).await.unwrap();
    for (i, parent) in [(0, None), (1, Some(0))] {
        let parent_id = match parent {
            Some(_) => Some(store.approved_comments(lead).await.unwrap()[0].id),
            None => None,
        };
        store
            .add_comment(&NewComment {
                article_id: lead,
                parent_id,
                author_name: format!("Reader {i}"),
                author_email: "r@example.com".into(),
                body: format!("Comment {i}"),
                status: CommentStatus::Approved,
                created_at: now - 30 + i,
            })
            .await
            .unwrap();
    }
    let mut hidden = draft(world, vec![nadia], vec![], "Secret draft", now);
    hidden.status = Status::Draft;
    hidden.published_at = None;
    let draft_id = store.create_article(hidden).await.unwrap();
    let app = bbn_web::router(AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new(BASE),
    ));
    Site {
        app,
        store,
        lead,
        draft: draft_id,
        _db: db,
    }
}

fn problem(status: StatusCode, headers: &HeaderMap, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(body["status"], expected.as_u16());
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
}

async fn lists_page_in_the_body_and_the_headers(db: TestDb) {
    let s = site(db).await;
    let (status, headers, body) = call(&s.app, "/api/v1/articles?per_page=10").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-total-count"], "25");
    assert_eq!(
        body["meta"],
        serde_json::json!({ "page": 1, "per_page": 10, "total": 25, "pages": 3 })
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 10);
    assert_eq!(
        body["data"][0]["headline"], "Ministers meet",
        "newest first"
    );
    assert_eq!(
        body["data"][0]["url"],
        "https://news.example/news/ministers-meet"
    );
    assert_eq!(body["data"][0]["comment_count"], 2);
    let link = headers[header::LINK].to_str().unwrap();
    assert!(
        link.contains("<https://news.example/api/v1/articles?page=2&per_page=10>; rel=\"next\""),
        "{link}"
    );
    assert!(link.contains("page=3&per_page=10>; rel=\"last\""), "{link}");
    assert!(!link.contains("rel=\"prev\""));

    let (_, headers, body) = call(&s.app, "/api/v1/articles?per_page=10&page=3").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 5);
    let link = headers[header::LINK].to_str().unwrap();
    assert!(
        link.contains("page=2&per_page=10>; rel=\"prev\"") && !link.contains("rel=\"next\""),
        "{link}"
    );
    let all: Vec<String> = {
        let mut all = Vec::new();
        for p in 1..=3 {
            let (_, _, body) =
                call(&s.app, &format!("/api/v1/articles?per_page=10&page={p}")).await;
            all.extend(
                body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["slug"].as_str().unwrap().to_string()),
            );
        }
        all
    };
    assert_eq!(all.len(), 25);
    assert!(
        !all.iter().any(|s| s.contains("secret")),
        "drafts never show"
    );

    // Filters keep their place in the links.
    let (_, headers, body) = call(&s.app, "/api/v1/articles?topic=talks&per_page=2").await;
    assert_eq!(headers["x-total-count"], "6");
    assert_eq!(body["meta"]["pages"], 3);
    assert!(
        headers[header::LINK]
            .to_str()
            .unwrap()
            .contains("topic=talks&page=2&per_page=2")
    );
    let (_, headers, _) = call(&s.app, "/api/v1/articles?section=sports").await;
    assert_eq!(headers["x-total-count"], "12");
    let (_, headers, _) = call(&s.app, "/api/v1/articles?author=nadia-haddad").await;
    assert_eq!(headers["x-total-count"], "1");

    // Sections, topics, authors.
    let (_, headers, body) = call(&s.app, "/api/v1/sections").await;
    assert_eq!(headers["x-total-count"], "2");
    assert_eq!(
        body["data"][0]["feed_url"],
        "https://news.example/section/world/feed.xml"
    );
    let (_, _, body) = call(&s.app, "/api/v1/authors?per_page=1&page=2").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    let (_, _, body) = call(&s.app, "/api/v1/topics").await;
    assert_eq!(body["data"][0]["slug"], "talks");
}

async fn bad_input_is_a_problem_naming_the_parameter(db: TestDb) {
    let s = site(db).await;
    for (uri, parameter) in [
        ("/api/v1/articles?page=0", "page"),
        ("/api/v1/articles?page=x", "page"),
        ("/api/v1/articles?per_page=101", "per_page"),
        ("/api/v1/articles?per_page=-5", "per_page"),
        ("/api/v1/articles?topic=nope", "topic"),
        ("/api/v1/articles?section=world&topic=talks", "topic"),
        ("/api/v1/articles/abc", "id"),
        ("/api/v1/articles/-1/ninjs", "id"),
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=x&sort=random", "sort"),
    ] {
        let (status, headers, body) = call(&s.app, uri).await;
        problem(status, &headers, &body, StatusCode::BAD_REQUEST);
        assert_eq!(body["parameter"], parameter, "{uri}: {body}");
    }
    for uri in [
        "/api/v1/articles/999999".to_string(),
        format!("/api/v1/articles/{}", s.draft),
        format!("/api/v1/articles/{}/ninjs", s.draft),
        "/api/v1/articles/by-slug/secret-draft".to_string(),
        "/api/v1/nothing-here".to_string(),
    ] {
        let (status, headers, body) = call(&s.app, &uri).await;
        problem(status, &headers, &body, StatusCode::NOT_FOUND);
    }
}

async fn one_article_its_comments_and_search(db: TestDb) {
    let s = site(db).await;
    let (status, _, a) = call(&s.app, &format!("/api/v1/articles/{}", s.lead)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(a["slug"], "ministers-meet");
    assert_eq!(a["status"], "published");
    assert!(a["body_markdown"].is_null(), "the source is for staff");
    assert!(
        a["body_html"]
            .as_str()
            .unwrap()
            .contains("href=\"https://news.example/news/elsewhere\"")
    );
    assert_eq!(
        a["authors"][1]["url"],
        "https://news.example/author/omar-said"
    );
    assert_eq!(a["faq"][0]["question"], "Why?");
    assert_eq!(
        a["image"]["url"],
        "https://news.example/media/2026/11/lead.jpg"
    );
    assert!(a["published_at"].as_str().unwrap().ends_with('Z'));
    let (_, _, by_slug) = call(&s.app, "/api/v1/articles/by-slug/ministers-meet").await;
    assert_eq!(by_slug, a);

    let (_, headers, body) = call(&s.app, &format!("/api/v1/articles/{}/comments", s.lead)).await;
    assert_eq!(headers["x-total-count"], "2");
    assert_eq!(body["data"][1]["parent_id"], body["data"][0]["id"]);
    assert_eq!(body["data"][0]["author_name"], "Reader 0");
    assert!(
        body["data"][0].get("author_email").is_none(),
        "emails are never published"
    );

    let (status, headers, body) = call(&s.app, "/api/v1/search?q=ministers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-total-count"], "1");
    assert_eq!(body["data"][0]["slug"], "ministers-meet");
    assert!(
        body["data"][0]["headline_html"]
            .as_str()
            .unwrap()
            .contains("<mark>")
    );
    let _ = &s.store;
}

async fn ninjs_is_complete(db: TestDb) {
    let s = site(db).await;
    let (status, headers, n) = call(&s.app, &format!("/api/v1/articles/{}/ninjs", s.lead)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // Only the properties ninjs 2.0 defines (its schema allows no others).
    let allowed = [
        "uri",
        "type",
        "representationtype",
        "profile",
        "version",
        "firstcreated",
        "versioncreated",
        "contentcreated",
        "embargoed",
        "pubstatus",
        "urgency",
        "copyrightholder",
        "copyrightnotice",
        "usageterms",
        "ednote",
        "language",
        "descriptions",
        "bodies",
        "headlines",
        "people",
        "organisations",
        "places",
        "subjects",
        "events",
        "objects",
        "infosources",
        "title",
        "by",
        "slugline",
        "located",
        "renditions",
        "associations",
        "altids",
        "trustindicators",
        "standard",
        "genres",
        "rightsinfo",
    ];
    for key in n.as_object().unwrap().keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{key} is not a ninjs 2.0 property"
        );
    }
    assert!(n["uri"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(n["standard"]["version"], "2.0");
    assert_eq!(n["type"], "text");
    assert_eq!(n["pubstatus"], "usable");
    assert_eq!(
        n["headlines"][0],
        serde_json::json!({ "role": "main", "contenttype": "text/plain", "value": "Ministers meet" })
    );
    assert_eq!(n["headlines"][1]["value"], "Diplomacy");
    assert_eq!(n["descriptions"][0]["value"], "Dek of Ministers meet");
    assert_eq!(n["bodies"][0]["contenttype"], "text/html");
    assert!(n["bodies"][0]["wordcount"].as_u64().unwrap() >= 5);
    assert_eq!(n["by"], "Nadia Haddad and Omar Said");
    assert_eq!(n["copyrightholder"], "Big Big News Inc.");
    assert_eq!(n["subjects"][0]["rel"], "section");
    assert_eq!(n["subjects"][1]["name"], "Talks");
    for t in ["firstcreated", "versioncreated", "contentcreated"] {
        assert!(n[t].as_str().unwrap().ends_with('Z'), "{t}");
    }
    let picture = &n["associations"][0];
    assert_eq!(picture["type"], "picture");
    assert_eq!(picture["by"], "Photo: Staff");
    let names: Vec<&str> = picture["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["original", "crop-1x1", "crop-4x3", "crop-16x9"]);
    assert_eq!(picture["renditions"][3]["width"], 1200);
    assert_eq!(picture["renditions"][3]["height"], 675);

    // The same id as the article's feed entry.
    let response = s
        .app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/feed.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let feed: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(feed["items"][0]["id"], n["uri"]);
}

async fn the_openapi_document_names_every_path(db: TestDb) {
    let s = site(db).await;
    let (status, _, doc) = call(&s.app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "https://news.example/api/v1");
    let (_, editor) = token(&s.store, "eve@example.com", Role::Editor).await;
    let map = s
        .store
        .create_media(&NewMedia {
            url: "/media/map.png".into(),
            alt: "A map".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let codes: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            assert!(
                codes.iter().all(|c| [
                    "200", "201", "204", "400", "401", "403", "404", "409", "415", "422", "429"
                ]
                .contains(&c.as_str())),
                "{method} {path}: {codes:?}"
            );
            if method != "get" {
                continue;
            }
            let id = if path.starts_with("/media/") {
                map
            } else {
                s.lead
            };
            let uri = format!("/api/v1{path}")
                .replace("{id}", &id.to_string())
                .replace("{slug}", "ministers-meet");
            let needs_q = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["required"] == true && p["in"] == "query");
            let uri = if needs_q {
                format!("{uri}?q=ministers")
            } else {
                uri
            };
            let public = op["security"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s.as_object().unwrap().is_empty());
            let (status, ..) = send(
                &s.app,
                "GET",
                &uri,
                (!public).then_some(editor.as_str()),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            if !public {
                assert_eq!(
                    call(&s.app, &uri).await.0,
                    StatusCode::UNAUTHORIZED,
                    "{uri} needs a token"
                );
            }
        }
    }
    assert_eq!(operations, 19, "every route of the API is described");
}

/// A staff account (with its byline, made with it) and a token of `role` for it.
async fn token(store: &Store, email: &str, role: Role) -> (i64, String) {
    let user = store
        .create_user(&NewUser {
            email: email.into(),
            name: email.into(),
            role,
            password_hash: None,
        })
        .await
        .unwrap();
    let issued = store
        .create_api_key(&NewApiKey {
            name: format!("{email} token"),
            kind: ApiKeyKind::Staff,
            user_id: Some(user),
            role: Some(role),
            created_by: None,
        })
        .await
        .unwrap();
    (issued.id, issued.key)
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> (StatusCode, HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match body {
        Some((content_type, bytes)) => {
            req = req.header(header::CONTENT_TYPE, content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let response = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, value)
}

fn json_body(v: Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", serde_json::to_vec(&v).unwrap()))
}

async fn staff_tokens_write_through_the_newsrooms_rules(db: TestDb) {
    let s = site(db).await;
    let (_, writer) = token(&s.store, "cora@example.com", Role::Contributor).await;
    let (_, editor) = token(&s.store, "eve@example.com", Role::Editor).await;
    // A contributor names topics the site has; naming a new one is refused.
    s.store.create_topic("geneva", "Geneva", "").await.unwrap();
    let (status, _, refused) = send(
        &s.app,
        "POST",
        "/api/v1/articles",
        Some(&writer),
        json_body(serde_json::json!({
            "headline": "Talks resume", "section": "world", "topics": ["Geneva", "Made Up"],
            "body_markdown": "Text.",
        })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let before = s.store.last_change().await.unwrap();

    // A contributor drafts; the draft carries their byline and is not public.
    let (status, headers, a) = send(
        &s.app,
        "POST",
        "/api/v1/articles",
        Some(&writer),
        json_body(serde_json::json!({
            "headline": "Talks resume in Geneva",
            "dek": "Negotiators return.",
            "section": "world",
            "topics": ["Talks", "Geneva"],
            "body_markdown": "Negotiators **returned** on Monday.",
            "faq": [{ "question": "Who?", "answer": "Both sides." }],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    assert_eq!(
        headers[header::LOCATION],
        format!("https://news.example/api/v1/articles/{id}").as_str()
    );
    assert_eq!(a["status"], "draft");
    assert_eq!(a["body_markdown"], "Negotiators **returned** on Monday.");
    assert_eq!(a["authors"][0]["name"], "cora@example.com");
    assert_eq!(a["topics"].as_array().unwrap().len(), 2);
    assert!(
        s.store.last_change().await.unwrap() > before,
        "the write is in the change log"
    );
    assert_eq!(
        call(&s.app, &format!("/api/v1/articles/{id}")).await.0,
        StatusCode::NOT_FOUND,
        "not public"
    );
    let (status, _, seen) = send(
        &s.app,
        "GET",
        &format!("/api/v1/articles/{id}"),
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(
        (status, seen["status"].as_str()),
        (StatusCode::OK, Some("draft"))
    );

    // Contributors may not publish; editors may.
    let (status, headers, body) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&writer),
        None,
    )
    .await;
    problem(status, &headers, &body, StatusCode::FORBIDDEN);
    let (status, _, a) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{id}/submit"),
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(
        (status, a["status"].as_str()),
        (StatusCode::OK, Some("in_review"))
    );
    let revision = a["revision"].as_i64().unwrap();
    let (status, _, a) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&editor),
        json_body(serde_json::json!({ "revision": revision })),
    )
    .await;
    assert_eq!(
        (status, a["status"].as_str()),
        (StatusCode::OK, Some("published")),
        "{a}"
    );
    assert_eq!(
        call(&s.app, &format!("/api/v1/articles/{id}")).await.0,
        StatusCode::OK,
        "public now"
    );

    // Edits keep the status; a stale revision is refused and changes nothing.
    let (status, headers, body) = send(
        &s.app,
        "PATCH",
        &format!("/api/v1/articles/{id}"),
        Some(&editor),
        json_body(serde_json::json!({ "headline": "Old view", "revision": revision })),
    )
    .await;
    problem(status, &headers, &body, StatusCode::CONFLICT);
    let current = a["revision"].as_i64().unwrap();
    let (status, _, a) = send(&s.app, "PATCH", &format!("/api/v1/articles/{id}"), Some(&editor), json_body(serde_json::json!({ "dek": "Negotiators are back.", "revision": current, "mark_updated": true }))).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(
        (
            a["dek"].as_str(),
            a["status"].as_str(),
            a["headline"].as_str()
        ),
        (
            Some("Negotiators are back."),
            Some("published"),
            Some("Talks resume in Geneva")
        )
    );
    // Once published, a contributor's own article is no longer theirs to edit.
    let (status, ..) = send(
        &s.app,
        "PATCH",
        &format!("/api/v1/articles/{id}"),
        Some(&writer),
        json_body(serde_json::json!({ "dek": "x" })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Scheduling needs a future time; unpublishing takes it down.
    let (status, _, body) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{}/schedule", s.draft),
        Some(&editor),
        json_body(serde_json::json!({ "at": "2001-01-01T00:00:00Z" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, body) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{}/schedule", s.draft),
        Some(&editor),
        json_body(serde_json::json!({ "at": "yesterday" })),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("at"))
    );
    let (status, _, a2) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{}/schedule", s.draft),
        Some(&editor),
        json_body(serde_json::json!({ "at": "2099-01-01T09:00:00Z" })),
    )
    .await;
    assert_eq!(
        (status, a2["status"].as_str(), a2["scheduled_at"].as_str()),
        (
            StatusCode::OK,
            Some("scheduled"),
            Some("2099-01-01T09:00:00Z")
        )
    );
    let (status, _, a) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{id}/unpublish"),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(
        (status, a["status"].as_str()),
        (StatusCode::OK, Some("unpublished"))
    );
    assert_eq!(
        call(&s.app, &format!("/api/v1/articles/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, ..) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{id}/fly"),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Blocking pre-publish checks hold an API publish as they hold the newsroom's button.
    let mut settings = s.store.settings().await.unwrap();
    settings.blocking_checks = vec!["missing_description".into()];
    s.store.save_settings(&settings).await.unwrap();
    let (_, _, bare) = send(&s.app, "POST", "/api/v1/articles", Some(&editor), json_body(serde_json::json!({ "headline": "Bare", "section_id": a["section"]["id"], "body_markdown": "Text." }))).await;
    let (status, headers, body) = send(
        &s.app,
        "POST",
        &format!("/api/v1/articles/{}/publish", bare["id"]),
        Some(&editor),
        None,
    )
    .await;
    problem(status, &headers, &body, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "checks");

    // Every write a token asked for is in the audit log, refused ones too; reads are not.
    let log = s.store.audit_log(None, None, 1000).await.unwrap();
    let publish = format!("/api/v1/articles/{id}/publish");
    let refused = log
        .iter()
        .find(|e| e.target == publish && e.status == 403)
        .expect("the contributor's refused publish");
    assert_eq!(refused.action, "POST /api/v1/articles/{id}/{step}");
    assert!(refused.actor.starts_with("cora@example.com (API token "));
    assert!(
        log.iter().any(|e| e.target == publish
            && e.status == 200
            && e.actor.starts_with("eve@example.com"))
    );
    assert!(log.iter().all(|e| !e.action.starts_with("GET ")));
}

async fn bad_writes_and_bad_tokens_are_refused_in_problem_json(db: TestDb) {
    let s = site(db).await;
    let (id, editor) = token(&s.store, "eve@example.com", Role::Editor).await;
    let (_, writer) = token(&s.store, "cora@example.com", Role::Contributor).await;
    for (t, detail) in [(Some("bbn_nope"), "unknown"), (None, "")] {
        let (status, headers, body) = send(
            &s.app,
            "POST",
            "/api/v1/articles",
            t,
            json_body(serde_json::json!({ "headline": "x" })),
        )
        .await;
        problem(status, &headers, &body, StatusCode::UNAUTHORIZED);
        assert!(headers.contains_key(header::WWW_AUTHENTICATE));
        assert!(body["detail"].as_str().unwrap().contains(detail));
    }
    // A malformed header is never treated as "no token".
    let response = s
        .app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/api/v1/articles")
                .header(header::AUTHORIZATION, "Basic eDp5")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    for (body, expected, field) in [
        (
            Some(("application/json", b"{not json".to_vec())),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            Some(("text/plain", b"headline=x".to_vec())),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
        ),
        (
            json_body(serde_json::json!({ "headline": "x", "colour": "red" })),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            json_body(serde_json::json!({ "headline": "", "section": "world" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        (
            json_body(serde_json::json!({ "headline": "x", "section": "nowhere" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("section"),
        ),
    ] {
        let (status, headers, problem_body) =
            send(&s.app, "POST", "/api/v1/articles", Some(&editor), body).await;
        problem(status, &headers, &problem_body, expected);
        if let Some(field) = field {
            assert!(
                problem_body["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field),
                "{problem_body}"
            );
        }
    }
    // Moderation is for editors.
    let (status, ..) = send(
        &s.app,
        "GET",
        "/api/v1/comments?status=pending",
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = send(
        &s.app,
        "GET",
        "/api/v1/comments?status=odd",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("status"))
    );
    let (status, ..) = send(
        &s.app,
        "POST",
        "/api/v1/comments/999999/status",
        Some(&editor),
        json_body(serde_json::json!({ "status": "approved" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A revoked token stops at once.
    s.store.revoke_api_key(id).await.unwrap();
    let (status, ..) = send(&s.app, "GET", "/api/v1/comments", Some(&editor), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn comments_are_moderated_and_images_uploaded(db: TestDb) {
    let media = std::env::temp_dir().join(format!("bbn-api-media-{}", rand::random::<u64>()));
    let s = site(db).await;
    let app = bbn_web::router(AppState::new(
        s.store.clone(),
        bbn_search::Search::in_memory(s.store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new(BASE).with_media(media.clone(), 5_000_000),
    ));
    let (_, editor) = token(&s.store, "eve@example.com", Role::Editor).await;
    let pending = s
        .store
        .add_comment(&NewComment {
            article_id: s.lead,
            parent_id: None,
            author_name: "Waiting".into(),
            author_email: "w@example.com".into(),
            body: "Please approve me.".into(),
            status: CommentStatus::Pending,
            created_at: bbn_core::time::now(),
        })
        .await
        .unwrap();
    let (status, _, queue) = send(
        &app,
        "GET",
        "/api/v1/comments?status=pending",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue["data"][0]["id"], pending);
    assert_eq!(queue["data"][0]["author_email"], "w@example.com");
    let (status, _, body) = send(
        &app,
        "POST",
        &format!("/api/v1/comments/{pending}/status"),
        Some(&editor),
        json_body(serde_json::json!({ "status": "approved" })),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );
    let (_, headers, _) = call(&app, &format!("/api/v1/articles/{}/comments", s.lead)).await;
    assert_eq!(
        headers["x-total-count"], "3",
        "approved comments are public at once"
    );
    let corpus = s.store.spam_corpus().await.unwrap();
    assert_eq!(
        corpus.ham, 1,
        "the decision taught the spam filter, as in the newsroom"
    );

    // Images: checked by content, stored with their text, usable as image_id.
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(1200, 800)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let (status, _, img) = send(
        &app,
        "POST",
        "/api/v1/media?alt=A%20map&credit=Staff",
        Some(&editor),
        Some(("image/png", png)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{img}");
    assert_eq!(
        (img["width"].as_i64(), img["alt"].as_str()),
        (Some(1200), Some("A map"))
    );
    assert!(
        img["url"]
            .as_str()
            .unwrap()
            .starts_with("https://news.example/media/")
    );
    let (status, _, body) = send(
        &app,
        "POST",
        "/api/v1/media",
        Some(&editor),
        Some(("image/png", b"<svg onload=alert(1)>".to_vec())),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, a) = send(
        &app,
        "PATCH",
        &format!("/api/v1/articles/{}", s.lead),
        Some(&editor),
        json_body(serde_json::json!({ "image_id": img["id"] })),
    )
    .await;
    assert_eq!(
        (status, a["image"]["alt"].as_str()),
        (StatusCode::OK, Some("A map"))
    );

    // The library: listed and found with its uses, details changed
    // everywhere, deletion refused while used.
    let (status, headers, list) = send(
        &app,
        "GET",
        "/api/v1/media?q=map&kind=image",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(headers["x-total-count"], "1");
    let item = &list["data"][0];
    assert_eq!(
        (
            item["id"].clone(),
            item["uses"].as_i64(),
            item["mime"].as_str()
        ),
        (img["id"].clone(), Some(1), Some("image/png"))
    );
    assert_eq!(
        item["sizes"].as_array().unwrap().len(),
        2,
        "480 and 960 wide copies: {item}"
    );
    let (status, ..) = send(
        &app,
        "GET",
        "/api/v1/media?kind=poster",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, ..) = send(&app, "GET", "/api/v1/media", None, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the library is the newsroom's"
    );
    let one = format!("/api/v1/media/{}", img["id"]);
    let (status, _, changed) = send(
        &app,
        "PATCH",
        &one,
        Some(&editor),
        json_body(
            serde_json::json!({ "alt": "A map of the coast", "focal_point": { "x": 20, "y": 70 } }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (
            changed["alt"].as_str(),
            changed["credit"].as_str(),
            changed["focal_point"]["x"].as_i64()
        ),
        (Some("A map of the coast"), Some("Staff"), Some(20))
    );
    let (_, _, a) = call(&app, &format!("/api/v1/articles/{}", s.lead)).await;
    assert_eq!(
        a["image"]["alt"], "A map of the coast",
        "the article shows the new details"
    );
    let (status, ..) = send(
        &app,
        "PATCH",
        &one,
        Some(&editor),
        json_body(serde_json::json!({ "focal_point": { "x": 200, "y": 0 } })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, ..) = send(
        &app,
        "PATCH",
        &one,
        Some(&editor),
        json_body(serde_json::json!({ "colour": "red" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, body) = send(&app, "DELETE", &one, Some(&editor), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    send(
        &app,
        "PATCH",
        &format!("/api/v1/articles/{}", s.lead),
        Some(&editor),
        json_body(serde_json::json!({ "image_id": 0 })),
    )
    .await;
    let file = media.join(
        img["url"]
            .as_str()
            .unwrap()
            .trim_start_matches("https://news.example/media/"),
    );
    assert!(file.is_file());
    let (status, ..) = send(&app, "DELETE", &one, Some(&editor), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!file.exists(), "the files go with the item");
    let (status, ..) = send(&app, "GET", &one, Some(&editor), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(media);
}

async fn tokens_and_addresses_are_rate_limited(db: TestDb) {
    let s = site(db).await;
    let mut config = WebConfig::new(BASE);
    config.api_token_per_minute = 3;
    config.api_public_per_minute = 2;
    let app = bbn_web::router(AppState::new(
        s.store.clone(),
        bbn_search::Search::in_memory(s.store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        config,
    ));
    let (_, editor) = token(&s.store, "eve@example.com", Role::Editor).await;
    for remaining in [2, 1, 0] {
        let (status, headers, _) = send(&app, "GET", "/api/v1/sections", Some(&editor), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["ratelimit-limit"], "3");
        assert_eq!(
            headers["ratelimit-remaining"],
            remaining.to_string().as_str()
        );
    }
    let (status, headers, body) = send(&app, "GET", "/api/v1/sections", Some(&editor), None).await;
    problem(status, &headers, &body, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Callers without a token have their own, smaller bucket.
    assert_eq!(
        send(&app, "GET", "/api/v1/sections", None, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, "GET", "/api/v1/sections", None, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, "GET", "/api/v1/sections", None, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A body from another system arrives as HTML: it is kept as written for
/// staff, sanitized for readers, and Markdown sent later makes it Markdown again.
async fn bodies_may_be_sent_as_html(db: TestDb) {
    let s = site(db).await;
    let (_, editor) = token(&s.store, "hal@example.com", Role::Editor).await;
    let html = r#"<p onclick="steal()">Ships <b>docked</b></p><script>alert(1)</script>"#;
    let (status, _, a) = send(
        &s.app,
        "POST",
        "/api/v1/articles",
        Some(&editor),
        json_body(serde_json::json!({
            "headline": "Ships dock at dawn",
            "section": "world",
            "body_html": html,
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["body_format"], "html");
    assert_eq!(a["body_markdown"], html, "staff see the source as sent");
    assert_eq!(a["body_html"], "<p>Ships <b>docked</b></p>");
    let id = a["id"].as_i64().unwrap();
    let (status, _, both) = send(
        &s.app,
        "PATCH",
        &format!("/api/v1/articles/{id}"),
        Some(&editor),
        json_body(serde_json::json!({ "body_html": "<p>x</p>", "body_markdown": "x" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{both}");
    assert_eq!(both["errors"][0]["field"], "body_html", "{both}");
    let (status, _, a) = send(
        &s.app,
        "PATCH",
        &format!("/api/v1/articles/{id}"),
        Some(&editor),
        json_body(serde_json::json!({ "body_markdown": "Ships **docked**." })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["body_format"], "markdown");
    assert_eq!(a["body_html"], "<p>Ships <strong>docked</strong>.</p>\n");

    // The editor's document: rendered on the server, its text never markup.
    let document = serde_json::json!({"type": "doc", "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "At dawn"}]},
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Ships "},
            {"type": "text", "marks": [{"type": "strong"}], "text": "<script>docked</script>"}]},
        {"type": "image", "attrs": {"src": "javascript:alert(1)", "alt": "x", "caption": "", "credit": "", "media": null}}
    ]});
    let (status, _, a) = send(
        &s.app,
        "PATCH",
        &format!("/api/v1/articles/{id}"),
        Some(&editor),
        json_body(serde_json::json!({ "body_document": document })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["body_format"], "doc");
    let source: Value = serde_json::from_str(a["body_markdown"].as_str().unwrap()).unwrap();
    assert_eq!(source, document, "staff get the document back as sent");
    let html = a["body_html"].as_str().unwrap();
    assert!(
        html.starts_with(
            "<h2>At dawn</h2><p>Ships <strong>&lt;script&gt;docked&lt;/script&gt;</strong></p>"
        ),
        "{html}"
    );
    assert!(
        !html.contains("javascript:"),
        "the sanitizer still runs: {html}"
    );
    // Not a document: refused with the reason, and the article is unchanged.
    for bad in [
        serde_json::json!("<p>x</p>"),
        serde_json::json!({"type": "paragraph"}),
    ] {
        let (status, _, p) = send(
            &s.app,
            "PATCH",
            &format!("/api/v1/articles/{id}"),
            Some(&editor),
            json_body(serde_json::json!({ "body_document": bad })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["errors"][0]["field"], "body", "{p}");
    }
}

bbn_store::on_both_backends!(
    staff_tokens_write_through_the_newsrooms_rules,
    bodies_may_be_sent_as_html,
    bad_writes_and_bad_tokens_are_refused_in_problem_json,
    comments_are_moderated_and_images_uploaded,
    tokens_and_addresses_are_rate_limited,
    lists_page_in_the_body_and_the_headers,
    bad_input_is_a_problem_naming_the_parameter,
    one_article_its_comments_and_search,
    ninjs_is_complete,
    the_openapi_document_names_every_path,
);
