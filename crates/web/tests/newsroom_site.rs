//! Running the site from the newsroom: sections, topics, editors' picks and
//! site settings, each showing on the reader site at once. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::validate::ArticleDraft;
use bbn_core::{Role, SiteSettings, password};
use bbn_store::NewUser;
use bbn_store::testing::TestDb;
use browser_like::{Client, app};

const PW: &str = "a long enough phrase";

async fn setup(db: &TestDb) -> (axum::Router, Vec<i64>) {
    let store = &db.store;
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let hash = password::hash(PW).unwrap();
    for (email, role) in [
        ("admin@example.com", Role::Admin),
        ("editor@example.com", Role::Editor),
        ("author@example.com", Role::Author),
    ] {
        store
            .create_user(&NewUser {
                email: email.into(),
                name: email.into(),
                role,
                password_hash: Some(hash.clone()),
            })
            .await
            .unwrap();
    }
    let author = store
        .user_for_sign_in("author@example.com")
        .await
        .unwrap()
        .unwrap()
        .0
        .author_id
        .unwrap();
    let topic = store
        .create_topic("old-name", "Old name", "")
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            store
                .create_article(
                    ArticleDraft::new(format!("story-{i}"), format!("Story number {i}"), world)
                        .body("Text.")
                        .authors(vec![author])
                        .topics(vec![topic])
                        .published(1_000 + i),
                )
                .await
                .unwrap(),
        );
    }
    (app(store, "http://news.example").0, ids)
}

async fn signed_in(router: &axum::Router, email: &str) -> Client {
    let mut c = Client::new(router.clone());
    c.sign_in(email, PW).await;
    c
}

async fn only_editors_run_the_site_and_only_admins_its_settings(db: TestDb) {
    let (router, _) = setup(&db).await;
    let mut author = signed_in(&router, "author@example.com").await;
    for page in [
        "/newsroom/sections",
        "/newsroom/topics",
        "/newsroom/picks",
        "/newsroom/settings",
    ] {
        assert_eq!(
            author.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    let home = author.get("/newsroom").await;
    for (uri, fields) in [
        ("/newsroom/sections", vec![("name", "Crafted")]),
        ("/newsroom/topics", vec![("name", "Crafted")]),
        ("/newsroom/picks", vec![("action", "add"), ("article", "1")]),
        ("/newsroom/settings", vec![("name", "Hijacked")]),
    ] {
        assert_eq!(
            author.submit(uri, &home.body, &fields).await.status,
            StatusCode::FORBIDDEN,
            "POST {uri}"
        );
    }
    let mut editor = signed_in(&router, "editor@example.com").await;
    assert_eq!(
        editor.get("/newsroom/settings").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor.get("/newsroom/sections").await.status,
        StatusCode::OK
    );
    assert_eq!(db.store.settings().await.unwrap().name, "Big Big News");
}

async fn sections_and_the_navigation(db: TestDb) {
    let (router, _) = setup(&db).await;
    let mut editor = signed_in(&router, "editor@example.com").await;
    let page = editor.get("/newsroom/sections").await;
    let created = editor
        .submit(
            "/newsroom/sections",
            &page.body,
            &[("name", "Science & Space"), ("nav_position", "0")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let home = Client::new(router.clone()).get("/").await.body;
    assert!(
        home.find("Science &amp; Space").unwrap() < home.find(">World<").unwrap(),
        "position 0 comes first"
    );
    let dup = editor
        .submit(
            "/newsroom/sections",
            &page.body,
            &[("name", "World"), ("slug", "world")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let bad = editor
        .submit(
            "/newsroom/sections",
            &page.body,
            &[("name", "Odd"), ("nav_position", "first")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let science = db
        .store
        .section_by_slug("science-space")
        .await
        .unwrap()
        .unwrap();
    let hidden = editor
        .submit(
            &format!("/newsroom/sections/{}", science.id),
            &page.body,
            &[
                ("name", "Science"),
                ("slug", "science"),
                ("nav_position", ""),
            ],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    let home = Client::new(router.clone()).get("/").await.body;
    assert!(!home.contains(">Science<"), "out of the navigation");
    assert_eq!(
        Client::new(router).get("/section/science").await.status,
        StatusCode::OK
    );
}

async fn topics_rename_and_merge(db: TestDb) {
    let (router, ids) = setup(&db).await;
    let mut editor = signed_in(&router, "editor@example.com").await;
    let page = editor.get("/newsroom/topics").await;
    editor
        .submit(
            "/newsroom/topics",
            &page.body,
            &[
                ("name", "Target topic"),
                ("description", "Where it all goes."),
            ],
        )
        .await;
    let old = db.store.topic_by_slug("old-name").await.unwrap().unwrap();
    let renamed = editor
        .submit(
            &format!("/newsroom/topics/{}", old.id),
            &page.body,
            &[("name", "Better name"), ("slug", "better-name")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert!(
        Client::new(router.clone())
            .get("/topic/better-name")
            .await
            .body
            .contains("Story number 2")
    );
    let target = db
        .store
        .topic_by_slug("target-topic")
        .await
        .unwrap()
        .unwrap();
    let merged = editor
        .submit(
            &format!("/newsroom/topics/{}/merge", old.id),
            &page.body,
            &[("into", "no-such-topic")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::BAD_REQUEST, "an unknown slug");
    assert!(merged.body.contains("No topic has this slug."));
    let merged = editor
        .submit(
            &format!("/newsroom/topics/{}/merge", old.id),
            &page.body,
            &[("into", "target-topic")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    assert_eq!(
        Client::new(router.clone())
            .get("/topic/better-name")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let target_page = Client::new(router).get("/topic/target-topic").await.body;
    for i in 0..3 {
        assert!(target_page.contains(&format!("Story number {i}")));
    }
    let a = db.store.article_by_id(ids[0]).await.unwrap().unwrap();
    assert_eq!(
        a.topics.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(),
        ["target-topic"]
    );
    let self_merge = editor
        .submit(
            &format!("/newsroom/topics/{}/merge", target.id),
            &page.body,
            &[("into", "Target topic")],
        )
        .await;
    assert_eq!(self_merge.status, StatusCode::BAD_REQUEST);
}

/// A site with many topics (an archive brought over has thousands) gets
/// a topic list a page at a time, searchable, whose size does not grow
/// with the number of topics.
async fn many_topics_are_listed_a_page_at_a_time(db: TestDb) {
    let (router, _) = setup(&db).await;
    for n in 0..130 {
        db.store
            .create_topic(&format!("bulk-{n:03}"), &format!("Bulk {n:03}"), "")
            .await
            .unwrap();
    }
    let mut editor = signed_in(&router, "editor@example.com").await;
    let rows = |body: &str| body.matches("name=\"into\"").count();
    let first = editor.get("/newsroom/topics").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(rows(&first.body), 50);
    assert!(
        first
            .body
            .contains("rel=\"next\" href=\"/newsroom/topics?page=2\"")
    );
    assert!(!first.body.contains("rel=\"prev\""));
    assert!(
        first.body.len() < 100_000,
        "the first page is {} bytes",
        first.body.len()
    );
    // The demo's own topics and 130 more: three pages, the last one short.
    let last = editor.get("/newsroom/topics?page=3").await;
    assert!(rows(&last.body) > 0 && rows(&last.body) < 50);
    assert!(!last.body.contains("rel=\"next\""));
    let found = editor.get("/newsroom/topics?q=bulk+12").await;
    assert_eq!(rows(&found.body), 10, "Bulk 120 to Bulk 129");
    assert!(found.body.contains("value=\"bulk-125\""));
    // A search for wildcard characters looks for them.
    let none = editor.get("/newsroom/topics?q=%25").await;
    assert_eq!(rows(&none.body), 0);
    assert!(none.body.contains("No topic"));
    // Out-of-range pages and odd values answer with the first page.
    let odd = editor.get("/newsroom/topics?page=-4").await;
    assert_eq!(rows(&odd.body), 50);
}

async fn picks_are_chosen_and_ordered(db: TestDb) {
    let (router, ids) = setup(&db).await;
    let mut editor = signed_in(&router, "editor@example.com").await;
    let page = editor.get("/newsroom/picks").await;
    for id in [ids[0], ids[1]] {
        let r = editor
            .submit(
                "/newsroom/picks",
                &page.body,
                &[("action", "add"), ("article", &id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    editor
        .submit(
            "/newsroom/picks",
            &page.body,
            &[("action", &format!("up-{}", ids[1]))],
        )
        .await;
    assert_eq!(db.store.editors_pick_ids().await.unwrap(), [ids[1], ids[0]]);
    let home = Client::new(router.clone()).get("/").await.body;
    let picks = &home[home.find("Editors' Picks").unwrap()..home.find("Latest News").unwrap()];
    assert!(picks.find("Story number 1").unwrap() < picks.find("Story number 0").unwrap());
    editor
        .submit(
            "/newsroom/picks",
            &page.body,
            &[("action", &format!("remove-{}", ids[1]))],
        )
        .await;
    assert_eq!(db.store.editors_pick_ids().await.unwrap(), [ids[0]]);
    let missing = editor
        .submit(
            "/newsroom/picks",
            &page.body,
            &[("action", "add"), ("article", "999999")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

async fn settings_change_the_site_at_once(db: TestDb) {
    let (router, _) = setup(&db).await;
    let mut admin = signed_in(&router, "admin@example.com").await;
    let page = admin.get("/newsroom/settings").await;
    assert!(
        page.body.contains("America/New_York"),
        "time zones are offered"
    );
    let bad = admin
        .submit(
            "/newsroom/settings",
            &page.body,
            &[
                ("name", ""),
                ("time_zone", "Mars/Base"),
                ("page_size", "0"),
                ("blocking", "nonsense"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    for message in [
        "The site needs a name.",
        "Unknown time zone.",
        "Page size must be 1 to 200.",
        "Unknown check.",
    ] {
        assert!(bad.body.contains(message), "{message}");
    }
    assert_eq!(
        db.store.settings().await.unwrap().name,
        "Big Big News",
        "nothing saved"
    );
    let ok = admin
        .submit(
            "/newsroom/settings",
            &page.body,
            &[
                ("name", "Bigger News"),
                ("description", "All of it."),
                ("copyright_holder", "Bigger Co"),
                ("time_zone", "Europe/Paris"),
                ("page_size", "2"),
                ("blocking", "placeholder"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let home = Client::new(router.clone()).get("/").await.body;
    assert!(
        home.contains("Bigger News") && home.contains("All of it.") && home.contains("Bigger Co")
    );
    let world = Client::new(router).get("/section/world").await.body;
    assert!(world.contains("?page=2"), "the page size applies");
    assert_eq!(
        db.store.settings().await.unwrap().blocking_checks,
        ["placeholder"]
    );
}

bbn_store::on_both_backends!(
    only_editors_run_the_site_and_only_admins_its_settings,
    sections_and_the_navigation,
    topics_rename_and_merge,
    many_topics_are_listed_a_page_at_a_time,
    picks_are_chosen_and_ordered,
    settings_change_the_site_at_once,
);
