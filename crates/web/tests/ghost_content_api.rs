//! The Ghost-compatible Content API as a client sees it: envelopes and
//! pagination, include/fields/formats/filter/order/limit/page, reads by id
//! and slug, Ghost's error shapes and status codes, keys made and revoked.
//! SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::SiteSettings;
use bbn_core::validate::ArticleDraft;
use bbn_store::testing::TestDb;
use bbn_store::{ApiKeyKind, NewApiKey};
use browser_like::{Client, app};
use serde_json::Value;

const BASE: &str = "https://news.example";

struct Site {
    client: Client,
    key: String,
    key_id: i64,
    /// Article ids: oldest (sport, picked), middle (news, two bylines), newest (news), and a draft.
    ids: [i64; 4],
}

fn draft(
    slug: &str,
    headline: &str,
    section: i64,
    authors: Vec<i64>,
    topics: Vec<i64>,
    at: Option<i64>,
) -> ArticleDraft {
    let d = ArticleDraft::new(slug, headline, section)
        .dek(if slug == "middle" {
            "The middle one."
        } else {
            ""
        })
        .body(format!(
            "Words of **{headline}** here.\n\nA second paragraph, [linked](/news/elsewhere)."
        ))
        .authors(authors)
        .topics(topics);
    match at {
        Some(at) => d.published(at),
        None => d,
    }
}

async fn setup(db: &TestDb) -> Site {
    let store = &db.store;
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            time_zone: "Europe/Paris".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    store
        .create_section("hidden", "Hidden", "", None)
        .await
        .unwrap();
    let news = store
        .create_topic("news", "News", "All the news")
        .await
        .unwrap();
    let sport = store.create_topic("sport", "Sport", "").await.unwrap();
    store.create_topic("empty", "Empty", "").await.unwrap();
    let ann = store
        .create_author("ann-lee", "Ann Lee", "Writes.")
        .await
        .unwrap();
    let bob = store.create_author("bob-ray", "Bob Ray", "").await.unwrap();
    store.create_author("nobody", "Nobody", "").await.unwrap();
    // 2024-01-01T00:00:00Z, then a day apart.
    let t0 = 1_704_067_200;
    let oldest = store
        .create_article(draft(
            "oldest",
            "Alpha oldest",
            world,
            vec![bob],
            vec![sport],
            Some(t0),
        ))
        .await
        .unwrap();
    let middle = store
        .create_article(draft(
            "middle",
            "Charlie middle",
            world,
            vec![ann, bob],
            vec![news, sport],
            Some(t0 + 86_400),
        ))
        .await
        .unwrap();
    let newest = store
        .create_article(draft(
            "newest",
            "Bravo newest",
            world,
            vec![ann],
            vec![news],
            Some(t0 + 2 * 86_400),
        ))
        .await
        .unwrap();
    let hidden = store
        .create_article(draft(
            "secret-draft",
            "Secret draft",
            world,
            vec![ann],
            vec![news],
            None,
        ))
        .await
        .unwrap();
    store.set_editors_picks(&[oldest]).await.unwrap();
    let issued = store
        .create_api_key(&NewApiKey {
            name: "Front-end".into(),
            kind: ApiKeyKind::Content,
            user_id: None,
            role: None,
            created_by: None,
        })
        .await
        .unwrap();
    let (router, _) = app(store, BASE);
    Site {
        client: Client::new(router),
        key: issued.key,
        key_id: issued.id,
        ids: [oldest, middle, newest, hidden],
    }
}

impl Site {
    async fn get(&mut self, path_and_query: &str) -> (StatusCode, Value) {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let uri = format!("/ghost/api/content{path_and_query}{sep}key={}", self.key);
        self.raw(&uri).await
    }

    async fn raw(&mut self, uri: &str) -> (StatusCode, Value) {
        let page = self.client.get(uri).await;
        let json = serde_json::from_str(&page.body)
            .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", page.body));
        (page.status, json)
    }
}

fn slugs(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {v}"))
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect()
}

fn hex(id: i64) -> String {
    format!("{id:024x}")
}

/// The one error of a Ghost error body, after checking the shape.
fn error_of(v: &Value) -> &Value {
    let errors = v["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("not an error body: {v}"));
    assert_eq!(errors.len(), 1, "{v}");
    let e = &errors[0];
    for k in [
        "message", "context", "type", "details", "property", "help", "code", "id",
    ] {
        assert!(e.get(k).is_some(), "{k} missing from {e}");
    }
    e
}

async fn posts_come_in_ghosts_envelope(db: TestDb) {
    let mut s = setup(&db).await;
    let (status, v) = s.get("/posts/").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        slugs(&v, "posts"),
        ["newest", "middle", "oldest"],
        "drafts never show"
    );
    assert_eq!(
        v["meta"]["pagination"],
        serde_json::json!({"page": 1, "limit": 15, "pages": 1, "total": 3, "next": null, "prev": null})
    );
    let newest = &v["posts"][0];
    assert_eq!(newest["id"], hex(s.ids[2]));
    assert_eq!(newest["title"], "Bravo newest");
    assert_eq!(newest["url"], format!("{BASE}/news/newest"));
    assert_eq!(
        newest["published_at"], "2024-01-03T01:00:00+01:00",
        "ISO 8601 in the site's zone"
    );
    assert_eq!(newest["featured"], false);
    assert_eq!(newest["visibility"], "public");
    assert_eq!(newest["access"], true);
    assert!(
        newest["html"]
            .as_str()
            .unwrap()
            .contains("<strong>Bravo newest</strong>")
    );
    assert!(
        newest["html"].as_str().unwrap().contains("href=\"http"),
        "links are absolute for front-ends on other origins: {}",
        newest["html"]
    );
    assert!(
        newest.get("plaintext").is_none(),
        "plaintext only when asked for"
    );
    assert!(newest.get("tags").is_none() && newest.get("authors").is_none());
    assert_eq!(newest["custom_excerpt"], Value::Null);
    assert!(
        newest["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("Words of Bravo newest here.")
    );
    assert_eq!(v["posts"][1]["custom_excerpt"], "The middle one.");
    assert_eq!(
        v["posts"][2]["featured"], true,
        "editors' picks are featured"
    );
    assert_eq!(newest["uuid"].as_str().unwrap().len(), 36);

    // Pages of a list.
    let (_, v) = s.get("/posts/?limit=2&page=2").await;
    assert_eq!(slugs(&v, "posts"), ["oldest"]);
    assert_eq!(
        v["meta"]["pagination"],
        serde_json::json!({"page": 2, "limit": 2, "pages": 2, "total": 3, "next": null, "prev": 1})
    );
    let (_, v) = s.get("/posts/?limit=2").await;
    assert_eq!(v["meta"]["pagination"]["next"], 2);
    let (_, v) = s.get("/posts/?page=9").await;
    assert_eq!(slugs(&v, "posts"), Vec::<String>::new());
    assert_eq!(v["meta"]["pagination"]["total"], 3);
    let (_, v) = s.get("/posts/?limit=all").await;
    assert_eq!(v["meta"]["pagination"]["limit"], 100);
    let (_, v) = s.get("/posts/?limit=1000").await;
    assert_eq!(v["meta"]["pagination"]["limit"], 100);

    // include, fields, formats.
    let (_, v) = s
        .get("/posts/slug/middle/?include=tags,authors&formats=plaintext")
        .await;
    let p = &v["posts"][0];
    assert!(v.get("meta").is_none(), "reads have no meta");
    assert_eq!(p["primary_tag"]["slug"], "news");
    assert_eq!(p["tags"].as_array().unwrap().len(), 2);
    assert_eq!(p["primary_author"]["slug"], "ann-lee");
    assert_eq!(p["primary_author"]["url"], format!("{BASE}/author/ann-lee"));
    assert_eq!(p["tags"][1]["url"], format!("{BASE}/topic/sport"));
    assert_eq!(p["authors"][1]["name"], "Bob Ray");
    assert!(p.get("html").is_none());
    assert_eq!(
        p["plaintext"],
        "Words of Charlie middle here.\nA second paragraph, linked."
    );
    let (_, v) = s.get("/posts/?fields=title,url&limit=1").await;
    let keys: Vec<&String> = v["posts"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["title", "url"]);
    let (_, v) = s.get("/posts/?fields=id,slug&include=tags&limit=1").await;
    assert!(
        v["posts"][0]["tags"].is_array(),
        "included relations come with fields"
    );
}

async fn filters_and_orders_choose_posts(db: TestDb) {
    let mut s = setup(&db).await;
    for (filter, expected) in [
        ("tag:news", vec!["newest", "middle"]),
        ("tags.slug:sport", vec!["middle", "oldest"]),
        ("tag:-news", vec!["oldest"]),
        ("tag:[news,sport]", vec!["newest", "middle", "oldest"]),
        ("author:bob-ray", vec!["middle", "oldest"]),
        ("authors.slug:-bob-ray", vec!["newest"]),
        ("primary_author:bob-ray", vec!["oldest"]),
        ("primary_tag:news", vec!["newest", "middle"]),
        ("featured:true", vec!["oldest"]),
        ("featured:false", vec!["newest", "middle"]),
        (
            "published_at:>='2024-01-02 00:00:00'",
            vec!["newest", "middle"],
        ),
        ("published_at:>'2024-01-02 00:00:00'", vec!["newest"]),
        ("published_at:<=2024-01-02", vec!["middle", "oldest"]),
        ("tag:news+author:bob-ray", vec!["middle"]),
        (
            "featured:true,tag:news+author:ann-lee",
            vec!["newest", "middle", "oldest"],
        ),
        (
            "(featured:true,tag:news)+author:bob-ray",
            vec!["middle", "oldest"],
        ),
        ("slug:[newest,oldest]", vec!["newest", "oldest"]),
        ("title:~'ALPHA'", vec!["oldest"]),
        ("tag:nothing-here", vec![]),
        ("visibility:public+tag:sport", vec!["middle", "oldest"]),
    ] {
        let q = urlencode(filter);
        let (status, v) = s.get(&format!("/posts/?filter={q}")).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {v}");
        assert_eq!(slugs(&v, "posts"), expected, "{filter}");
        assert_eq!(v["meta"]["pagination"]["total"], expected.len(), "{filter}");
    }
    let id = hex(s.ids[1]);
    let (_, v) = s.get(&format!("/posts/?filter=id:{id}")).await;
    assert_eq!(slugs(&v, "posts"), ["middle"]);
    let (_, v) = s.get(&format!("/posts/?filter=id:-{id}")).await;
    assert_eq!(slugs(&v, "posts"), ["newest", "oldest"]);
    // A + typed into a URL unencoded arrives as a space and still means "and".
    let (_, v) = s
        .raw(&format!(
            "/ghost/api/content/posts/?filter=tag:news+author:bob-ray&key={}",
            s.key
        ))
        .await;
    assert_eq!(slugs(&v, "posts"), ["middle"]);

    for (order, expected) in [
        ("published_at%20asc", vec!["oldest", "middle", "newest"]),
        ("title%20asc", vec!["oldest", "newest", "middle"]),
        ("title%20DESC", vec!["middle", "newest", "oldest"]),
    ] {
        let (_, v) = s.get(&format!("/posts/?order={order}")).await;
        assert_eq!(slugs(&v, "posts"), expected, "{order}");
    }

    for bad in [
        "tag:",
        "tag:[a,b",
        "(tag:a",
        "nonsense:1",
        "published_at:>tomorrow",
        "tag:'x",
        "featured:maybe",
    ] {
        let (status, v) = s.get(&format!("/posts/?filter={}", urlencode(bad))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {v}");
        let e = error_of(&v);
        assert_eq!(e["type"], "BadRequestError", "{bad}");
        assert_eq!(e["property"], "filter");
        assert!(e["message"].as_str().unwrap().contains("filter"), "{e}");
        assert!(
            e["context"].as_str().unwrap().starts_with("filter: "),
            "{e}"
        );
    }
    let deep = format!("{}tag:a{}", "(".repeat(5000), ")".repeat(5000));
    let (status, _) = s.get(&format!("/posts/?filter={}", urlencode(&deep))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, v) = s.get("/posts/?order=body%20asc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_of(&v)["message"].as_str().unwrap().contains("order"));
}

async fn bad_parameters_are_refused_by_name(db: TestDb) {
    let mut s = setup(&db).await;
    for (query, parameter) in [
        ("/posts/?limit=ten", "limit"),
        ("/posts/?limit=0", "limit"),
        ("/posts/?limit=-5", "limit"),
        ("/posts/?page=0", "page"),
        ("/posts/?page=abc", "page"),
        ("/posts/?formats=mobiledoc", "formats"),
        ("/tags/?limit=1.5", "limit"),
        ("/posts/not-an-id/", "id"),
        ("/posts/12345/", "id"),
        ("/tags/zzzzzzzzzzzzzzzzzzzzzzzz/", "id"),
        ("/authors/abc/", "id"),
        ("/pages/abc/", "id"),
    ] {
        let (status, v) = s.get(query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {v}");
        let e = error_of(&v);
        assert_eq!(e["property"], parameter, "{query}");
        assert!(
            e["message"].as_str().unwrap().contains(parameter),
            "{query}: {e}"
        );
    }
}

async fn reads_by_id_and_slug_and_not_found(db: TestDb) {
    let mut s = setup(&db).await;
    let (status, v) = s.get(&format!("/posts/{}/", hex(s.ids[0]))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(slugs(&v, "posts"), ["oldest"]);
    let (_, v) = s.get("/posts/slug/newest/").await;
    assert_eq!(v["posts"][0]["id"], hex(s.ids[2]));
    let (_, v) = s.get("/posts/slug/newest").await;
    assert_eq!(
        slugs(&v, "posts"),
        ["newest"],
        "the trailing slash is optional"
    );
    for missing in [
        format!("/posts/{}/", hex(s.ids[3])),
        "/posts/slug/secret-draft/".to_string(),
        "/posts/slug/no-such-post/".to_string(),
        "/posts/ffffffffffffffffffffffff/".to_string(),
    ] {
        let (status, v) = s.get(&missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        let e = error_of(&v);
        assert_eq!(e["type"], "NotFoundError");
        assert_eq!(e["message"], "Post not found.");
    }
    let (_, v) = s.get("/tags/slug/news/?include=count.posts").await;
    assert_eq!(v["tags"][0]["count"]["posts"], 2);
    assert_eq!(v["tags"][0]["description"], "All the news");
    let tag_id = v["tags"][0]["id"].as_str().unwrap().to_string();
    let (_, v) = s.get(&format!("/tags/{tag_id}/")).await;
    assert_eq!(slugs(&v, "tags"), ["news"]);
    let (_, v) = s.get("/authors/slug/bob-ray/?include=count.posts").await;
    assert_eq!(v["authors"][0]["count"]["posts"], 2);
    let author_id = v["authors"][0]["id"].as_str().unwrap().to_string();
    let (_, v) = s.get(&format!("/authors/{author_id}/")).await;
    assert_eq!(slugs(&v, "authors"), ["bob-ray"]);
    for (missing, message) in [
        ("/tags/slug/empty/", "Tag not found."),
        ("/authors/slug/nobody/", "Author not found."),
        ("/pages/slug/about/", "Page not found."),
        ("/pages/000000000000000000000001/", "Page not found."),
        ("/nothing-here/", "Resource not found."),
    ] {
        let (status, v) = s.get(missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(error_of(&v)["message"], message, "{missing}");
    }
}

async fn tags_authors_pages_and_settings(db: TestDb) {
    let mut s = setup(&db).await;
    let (_, v) = s.get("/tags/?include=count.posts").await;
    assert_eq!(
        slugs(&v, "tags"),
        ["news", "sport"],
        "topics without published articles stay out"
    );
    assert_eq!(v["tags"][1]["count"]["posts"], 2);
    assert_eq!(v["meta"]["pagination"]["total"], 2);
    let (_, v) = s
        .get("/tags/?order=slug%20desc&limit=1&fields=slug,name")
        .await;
    assert_eq!(
        v["tags"],
        serde_json::json!([{"slug": "sport", "name": "Sport"}])
    );
    let (_, v) = s.get("/tags/?filter=slug:-news").await;
    assert_eq!(slugs(&v, "tags"), ["sport"]);
    let (_, v) = s
        .get("/authors/?include=count.posts&order=count.posts%20desc")
        .await;
    assert_eq!(slugs(&v, "authors"), ["bob-ray", "ann-lee"]);
    assert_eq!(v["authors"][1]["count"]["posts"], 2);
    assert_eq!(v["authors"][1]["bio"], "Writes.");
    let (status, v) = s.get("/authors/?filter=tag:news").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "authors have no tags: {v}");

    let (status, v) = s.get("/pages/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["pages"], serde_json::json!([]));
    assert_eq!(
        v["meta"]["pagination"],
        serde_json::json!({"page": 1, "limit": 15, "pages": 1, "total": 0, "next": null, "prev": null})
    );
    let (status, _) = s.get("/pages/?filter=bogus:1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for (slug, status) in [
        ("terms", bbn_core::PageStatus::Published),
        ("plans", bbn_core::PageStatus::Draft),
    ] {
        db.store
            .create_page(bbn_core::validate::PageDraft {
                slug: slug.into(),
                title: slug.to_uppercase(),
                body_format: bbn_core::BodyFormat::Markdown,
                body: "See [the news](/news/x).".into(),
                status,
                footer_position: None,
                seo_description: String::new(),
            })
            .await
            .unwrap();
    }
    let (_, v) = s.get("/pages/?formats=html,plaintext").await;
    assert_eq!(slugs(&v, "pages"), ["terms"], "drafts stay out");
    assert_eq!(v["pages"][0]["url"], format!("{BASE}/terms"));
    assert!(
        v["pages"][0]["html"]
            .as_str()
            .unwrap()
            .contains(&format!("href=\"{BASE}/news/x\""))
    );
    let id = v["pages"][0]["id"].as_str().unwrap().to_string();
    let (status, v) = s.get(&format!("/pages/{id}/")).await;
    assert_eq!(
        (status, slugs(&v, "pages")),
        (StatusCode::OK, vec!["terms".to_string()])
    );
    let (status, _) = s.get(&format!("/posts/{id}/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a page's id is no post's");
    let (status, _) = s.get("/pages/slug/plans/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, v) = s.get("/settings/").await;
    assert_eq!(status, StatusCode::OK);
    let st = &v["settings"];
    assert_eq!(st["title"], "Big Big News");
    assert_eq!(st["timezone"], "Europe/Paris");
    assert_eq!(st["lang"], "en");
    assert_eq!(st["url"], format!("{BASE}/"));
    assert_eq!(
        st["navigation"],
        serde_json::json!([{"label": "World", "url": format!("{BASE}/section/world")}])
    );
    assert_eq!(st["secondary_navigation"], serde_json::json!([]));
    assert_eq!(v["meta"], serde_json::json!({}));
}

async fn keys_are_required_and_checked(db: TestDb) {
    let mut s = setup(&db).await;
    let (status, v) = s.raw("/ghost/api/content/posts/").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no key: Ghost's 403");
    let e = error_of(&v);
    assert_eq!(e["type"], "NoPermissionError");
    assert_eq!(e["message"], "Authorization failed");
    for path in [
        "posts/",
        "tags/",
        "authors/",
        "pages/",
        "settings/",
        "posts/slug/newest/",
    ] {
        let (status, v) = s
            .raw(&format!(
                "/ghost/api/content/{path}?key=0123456789abcdef0123456789"
            ))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let e = error_of(&v);
        assert_eq!(e["type"], "UnauthorizedError");
        assert_eq!(e["message"], "Unknown Content API Key");
        assert_eq!(e["code"], "UNKNOWN_CONTENT_API_KEY");
    }
    // Authentication comes before validation, as in Ghost.
    let (status, _) = s.raw("/ghost/api/content/posts/?limit=ten&key=nope").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, v) = s
        .raw(&format!("/ghost/api/content/posts/?key={0}&key={0}", s.key))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["code"], "INVALID_REQUEST");

    // Browsers on other sites may read it.
    let page = s
        .client
        .get(&format!("/ghost/api/content/posts/?key={}", s.key))
        .await;
    assert_eq!(page.header("access-control-allow-origin"), Some("*"));
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let preflight = s
        .client
        .router()
        .oneshot(
            axum::http::Request::builder()
                .method("OPTIONS")
                .uri("/ghost/api/content/posts/")
                .header("origin", "https://elsewhere.example")
                .header("access-control-request-headers", "accept-version")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("accept-version")
    );

    // Revoked: stops working at once.
    let used = db.store.api_keys().await.unwrap();
    assert!(used[0].last_used_at.is_some(), "use is recorded");
    db.store.revoke_api_key(s.key_id).await.unwrap();
    let (status, v) = s.get("/posts/").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&v)["code"], "UNKNOWN_CONTENT_API_KEY");
    // A staff token is not a content key.
    let admin = db
        .store
        .create_user(&bbn_store::NewUser {
            email: "admin@example.com".into(),
            name: "Admin".into(),
            role: bbn_core::Role::Admin,
            password_hash: None,
        })
        .await
        .unwrap();
    let staff = db
        .store
        .create_api_key(&NewApiKey {
            name: "Robot".into(),
            kind: ApiKeyKind::Staff,
            user_id: Some(admin),
            role: Some(bbn_core::Role::Editor),
            created_by: None,
        })
        .await
        .unwrap();
    let (status, _) = s
        .raw(&format!("/ghost/api/content/posts/?key={}", staff.key))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

use tower::ServiceExt;

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

bbn_store::on_both_backends!(
    posts_come_in_ghosts_envelope,
    filters_and_orders_choose_posts,
    bad_parameters_are_refused_by_name,
    reads_by_id_and_slug_and_not_found,
    tags_authors_pages_and_settings,
    keys_are_required_and_checked,
);
