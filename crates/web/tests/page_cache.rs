//! The page cache as readers meet it: pages come from memory, and yet every
//! kind of change shows on every page that shows what changed, at once —
//! edits, publishing, moves, unpublishing, comments, corrections, settings,
//! picks, sections, static pages, scheduled publishing, and writes made by
//! another instance on the same database. Then HTTP: validators and 304,
//! Brotli and gzip made once, HEAD, Cache-Control, surrogate keys, and
//! readers who must never be served a shared page. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::http::{StatusCode, header};
use bbn_core::validate::{ArticleDraft, PageDraft};
use bbn_core::{BodyFormat, CommentStatus, PageStatus, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{Edit, NewComment, Store};
use bbn_web::{AppState, Theme, WebConfig};
use std::io::Read;

mod fixtures;
use fixtures::{get_with, published};

struct Site {
    app: Router,
    state: AppState,
    store: Store,
    world: i64,
    sport: i64,
    climate: i64,
    ada: i64,
    /// (id, draft) of "Alpha" (world, climate, ada), "Bravo" (world), "Charlie" (sport).
    a: (i64, ArticleDraft),
    b: (i64, ArticleDraft),
    about: (i64, PageDraft),
}

/// Every page the tests look at.
const PAGES: [&str; 9] = [
    "/",
    "/news/alpha",
    "/news/bravo",
    "/news/charlie",
    "/section/world",
    "/section/sport",
    "/topic/climate",
    "/author/ada",
    "/about",
];

async fn site(db: &TestDb) -> Site {
    let store = db.store.clone();
    store.save_settings(&SiteSettings::default()).await.unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let sport = store
        .create_section("sport", "Sport", "", Some(2))
        .await
        .unwrap();
    let climate = store.create_topic("climate", "Climate", "").await.unwrap();
    let ada = store
        .create_author("ada", "Ada Reporter", "")
        .await
        .unwrap();
    let bo = store.create_author("bo", "Bo Writer", "").await.unwrap();
    let now = bbn_core::time::now();
    let make = async |slug: &str, headline: &str, section, authors, topics, at| {
        let mut d = published(section, authors, topics, headline, at);
        d.slug = slug.into();
        (store.create_article(d.clone()).await.unwrap(), d)
    };
    let a = make(
        "alpha",
        "Alpha story",
        world,
        vec![ada],
        vec![climate],
        now - 300,
    )
    .await;
    let b = make("bravo", "Bravo story", world, vec![bo], vec![], now - 200).await;
    make(
        "charlie",
        "Charlie story",
        sport,
        vec![bo],
        vec![],
        now - 100,
    )
    .await;
    let about_draft = PageDraft {
        slug: "about".into(),
        title: "About us".into(),
        body_format: BodyFormat::Markdown,
        body: "We report.".into(),
        status: PageStatus::Published,
        footer_position: Some(1),
        seo_description: String::new(),
    };
    let about = (
        store.create_page(about_draft.clone()).await.unwrap(),
        about_draft,
    );
    let state = AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new("https://news.example"),
    );
    Site {
        app: bbn_web::router(state.clone()),
        state,
        store,
        world,
        sport,
        climate,
        ada,
        a,
        b,
        about,
    }
}

async fn html(app: &Router, path: &str) -> String {
    let (status, _, body) = get_with(app, path, &[]).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    body
}

impl Site {
    /// Every page in `PAGES` once, then again from the cache.
    async fn warm(&self) {
        for p in PAGES {
            html(&self.app, p).await;
        }
        let hits = self.state.pages.stats().hits;
        for p in PAGES {
            html(&self.app, p).await;
        }
        assert_eq!(
            self.state.pages.stats().hits,
            hits + PAGES.len() as u64,
            "the second round came from the cache"
        );
    }

    /// `text` is on each of `pages` (and, with `absent`, on none).
    async fn shown_on(&self, text: &str, pages: &[&str]) {
        for p in pages {
            let body = html(&self.app, p).await;
            assert!(body.contains(text), "{text:?} missing on {p}");
        }
    }

    async fn shown_nowhere(&self, text: &str) {
        for p in PAGES {
            let (status, _, body) = get_with(&self.app, p, &[]).await;
            // An error page shows nothing either: only a page that answers
            // (or an article that is gone) proves the text has left it.
            assert!(
                status == StatusCode::OK
                    || (status == StatusCode::NOT_FOUND && p.starts_with("/news/")),
                "{p} answered {status}"
            );
            assert!(!body.contains(text), "{text:?} still on {p}");
        }
    }
}

async fn a_body_edit_leaves_lists_and_rails_cached(db: TestDb) {
    let s = site(&db).await;
    s.warm().await;
    // Alpha's body alone: its card (in every rail and list) is as it was.
    let (a_id, mut a) = s.a.clone();
    a.body_markdown = "A corrected body.".into();
    s.store
        .save_article(a_id, a, Edit::default())
        .await
        .unwrap();
    s.state.pages.catch_up(&s.store).await.unwrap();
    let hits = s.state.pages.stats().hits;
    for p in PAGES.iter().filter(|p| **p != "/news/alpha") {
        html(&s.app, p).await;
    }
    assert_eq!(
        s.state.pages.stats().hits,
        hits + PAGES.len() as u64 - 1,
        "every other page still came from the cache"
    );
    s.shown_on("A corrected body.", &["/news/alpha"]).await;
}

async fn every_change_shows_at_once(db: TestDb) {
    let s = site(&db).await;
    s.warm().await;
    let store = &s.store;

    // An edit: the article's page, every list and every Latest News rail.
    let (a_id, mut a) = s.a.clone();
    a.headline = "Alpha retitled".into();
    a.dek = "New dek".into();
    a.body_markdown = "New body.".into();
    store
        .save_article(a_id, a.clone(), Edit::default())
        .await
        .unwrap();
    s.shown_nowhere("Alpha story").await;
    s.shown_on(
        "Alpha retitled",
        &[
            "/",
            "/news/alpha",
            "/news/bravo",
            "/news/charlie",
            "/section/world",
            "/topic/climate",
            "/author/ada",
            "/about",
        ],
    )
    .await;

    // A new article: home, its section, topic and author, and the rails.
    s.warm().await;
    let mut delta = published(
        s.sport,
        vec![s.ada],
        vec![s.climate],
        "Delta story",
        bbn_core::time::now(),
    );
    delta.slug = "delta".into();
    let d_id = store.create_article(delta.clone()).await.unwrap();
    s.shown_on(
        "Delta story",
        &[
            "/",
            "/news/alpha",
            "/news/charlie",
            "/section/sport",
            "/topic/climate",
            "/author/ada",
            "/about",
        ],
    )
    .await;

    // Moved to another section: gone from the old section's page.
    s.warm().await;
    delta.section_id = s.world;
    store
        .save_article(d_id, delta.clone(), Edit::default())
        .await
        .unwrap();
    s.shown_on("Delta story", &["/section/world"]).await;
    let sport = html(&s.app, "/section/sport").await;
    assert!(
        !sport.contains(r#"<a href="/news/delta">Delta story</a></h2>"#),
        "not in Sport's list any more"
    );

    // Unpublished: on no page, and its own page is gone.
    s.warm().await;
    delta.status = Status::Draft;
    delta.published_at = None;
    store
        .save_article(d_id, delta, Edit::default())
        .await
        .unwrap();
    s.shown_nowhere("Delta story").await;
    assert_eq!(
        get_with(&s.app, "/news/delta", &[]).await.0,
        StatusCode::NOT_FOUND
    );

    // A comment: not while it waits, at once when approved, counted on cards.
    s.warm().await;
    let comment = store
        .add_comment(&NewComment {
            article_id: a_id,
            parent_id: None,
            author_name: "Reader".into(),
            author_email: "reader@example.com".into(),
            body: "A thoughtful remark".into(),
            status: CommentStatus::Pending,
            created_at: bbn_core::time::now(),
        })
        .await
        .unwrap();
    s.shown_nowhere("A thoughtful remark").await;
    store
        .set_comments_status(&[comment], CommentStatus::Approved)
        .await
        .unwrap();
    s.shown_on("A thoughtful remark", &["/news/alpha"]).await;
    s.shown_on(
        "1 comment",
        &["/section/world", "/topic/climate", "/author/ada"],
    )
    .await;

    // A correction.
    s.warm().await;
    store
        .add_correction(
            s.b.0,
            "correction",
            "An earlier version misspelled a name.",
            None,
        )
        .await
        .unwrap();
    s.shown_on("An earlier version misspelled a name.", &["/news/bravo"])
        .await;

    // Settings, Editors' Picks, a section's name, a static page.
    s.warm().await;
    let mut settings = store.settings().await.unwrap();
    settings.name = "Tiny Tiny News".into();
    store.save_settings(&settings).await.unwrap();
    s.shown_on("Tiny Tiny News", &PAGES).await;

    s.warm().await;
    store.set_editors_picks(&[s.b.0]).await.unwrap();
    s.shown_on(
        "id=\"picks-title\"",
        &["/", "/news/alpha", "/section/sport"],
    )
    .await;

    s.warm().await;
    store
        .update_section(s.world, "world", "Planet", "", Some(1))
        .await
        .unwrap();
    s.shown_on(">Planet<", &PAGES).await;

    s.warm().await;
    let (about_id, mut about) = s.about.clone();
    about.title = "Who we are".into();
    store.save_page(about_id, about).await.unwrap();
    s.shown_on("Who we are", &["/about", "/", "/news/alpha"])
        .await;

    // Scheduled publishing.
    s.warm().await;
    let mut echo = published(s.sport, vec![s.ada], vec![], "Echo story", 0);
    echo.slug = "echo".into();
    echo.status = Status::Scheduled;
    echo.published_at = None;
    echo.scheduled_at = Some(bbn_core::time::now() + 3600);
    store.create_article(echo).await.unwrap();
    s.shown_nowhere("Echo story").await;
    store
        .publish_due(bbn_core::time::now() + 3601)
        .await
        .unwrap();
    s.shown_on("Echo story", &["/", "/section/sport", "/news/alpha"])
        .await;

    // Another instance writes: this one's follower brings the change in.
    s.warm().await;
    let other = Store::connect(&db.url).await.unwrap();
    let (b_id, mut b) = s.b.clone();
    b.headline = "Bravo from elsewhere".into();
    b.dek = "New dek".into();
    b.body_markdown = "New body.".into();
    other.save_article(b_id, b, Edit::default()).await.unwrap();
    s.state.pages.catch_up(store).await.unwrap();
    s.shown_nowhere("Bravo story").await;
    s.shown_on(
        "Bravo from elsewhere",
        &["/", "/news/bravo", "/section/world", "/about"],
    )
    .await;
    other.close().await;
}

/// A GET with headers, the raw body bytes.
async fn raw(
    app: &Router,
    path: &str,
    headers: &[(&str, &str)],
    method: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().uri(path).method(method);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = app
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

async fn http_answers_for_caches_and_cdns(db: TestDb) {
    let s = site(&db).await;
    let header = |h: &axum::http::HeaderMap, name: &str| {
        h.get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (status, h, plain) = raw(&s.app, "/news/alpha", &[], "GET").await;
    assert_eq!(status, StatusCode::OK);
    let etag = header(&h, "etag");
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert_eq!(
        header(&h, "cache-control"),
        "public, max-age=0, s-maxage=60, stale-while-revalidate=600"
    );
    assert_eq!(header(&h, "vary"), "Accept-Encoding");
    let keys = header(&h, "surrogate-key");
    for key in [
        "site",
        &format!("article-{}", s.a.0),
        &format!("comments-{}", s.a.0),
        "latest",
    ] {
        assert!(keys.split(' ').any(|k| k == key), "{key} in {keys}");
    }
    assert_eq!(header(&h, "cache-tag"), keys.replace(' ', ","));
    for (list, key) in [
        ("/section/world", format!("section-{}", s.world)),
        ("/topic/climate", format!("topic-{}", s.climate)),
        ("/author/ada", format!("author-{}", s.ada)),
        ("/", "home".to_string()),
    ] {
        let (_, h, _) = raw(&s.app, list, &[], "GET").await;
        let keys = header(&h, "surrogate-key");
        assert!(
            keys.split(' ').any(|k| k == key),
            "{key} in {list}'s {keys}"
        );
        assert!(
            keys.contains(&format!("card-{}", s.a.0)),
            "{list} shows Alpha"
        );
    }

    // Conditional requests.
    let (status, h, body) = raw(&s.app, "/news/alpha", &[("if-none-match", &etag)], "GET").await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header(&h, "etag"), etag);
    let modified = header(&h, "last-modified");
    let (status, _, _) = raw(
        &s.app,
        "/news/alpha",
        &[("if-modified-since", &modified)],
        "GET",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (status, _, _) = raw(
        &s.app,
        "/news/alpha",
        &[("if-none-match", "\"nope\"")],
        "GET",
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Brotli and gzip: the same page, each with its own validator.
    let (_, h, br) = raw(
        &s.app,
        "/news/alpha",
        &[("accept-encoding", "gzip, deflate, br")],
        "GET",
    )
    .await;
    assert_eq!(header(&h, "content-encoding"), "br");
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut &br[..], &mut unpacked).unwrap();
    assert_eq!(unpacked, plain);
    let br_etag = header(&h, "etag");
    assert_ne!(br_etag, etag);
    let (_, h, gz) = raw(&s.app, "/news/alpha", &[("accept-encoding", "gzip")], "GET").await;
    assert_eq!(header(&h, "content-encoding"), "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, plain);
    assert!(
        gz.len() * 3 < plain.len(),
        "{} of {}",
        gz.len(),
        plain.len()
    );
    let (status, _, _) = raw(
        &s.app,
        "/news/alpha",
        &[("accept-encoding", "br"), ("if-none-match", &br_etag)],
        "GET",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);

    // HEAD: the GET's headers, no body; as the first request of a page too.
    for path in ["/news/alpha", "/news/bravo"] {
        let (status, h, body) = raw(&s.app, path, &[], "HEAD").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty());
        let (_, _, full) = raw(&s.app, path, &[], "GET").await;
        assert_eq!(
            header(&h, "content-length"),
            full.len().to_string(),
            "{path}"
        );
    }

    // Tracking parameters share the page; other queries are rendered apart.
    let hits = s.state.pages.stats().hits;
    let (_, _, tracked) = raw(
        &s.app,
        "/news/alpha?utm_source=newsletter&fbclid=x",
        &[],
        "GET",
    )
    .await;
    assert_eq!(tracked, plain);
    assert_eq!(s.state.pages.stats().hits, hits + 1);
    let (status, h, _) = raw(&s.app, "/search?q=alpha", &[], "GET").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("surrogate-key").is_none());
    assert_eq!(
        header(&h, "cache-control"),
        "no-cache",
        "no copy answers a search"
    );
    assert_eq!(s.state.pages.stats().hits, hits + 1);

    // A reader awaiting moderation, or staff, get pages made for them alone.
    for cookie in ["bbn_pending=whatever", "bbn_session=whatever"] {
        let (status, h, _) = raw(&s.app, "/news/alpha", &[("cookie", cookie)], "GET").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&h, "cache-control"), "private, no-cache");
        assert!(h.get("etag").is_none() && h.get("surrogate-key").is_none());
    }
    assert_eq!(
        s.state.pages.stats().hits,
        hits + 1,
        "none of them from the cache"
    );

    // Errors are never kept.
    assert_eq!(
        raw(&s.app, "/news/nothing-here", &[], "GET").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        raw(&s.app, "/news/nothing-here", &[], "GET").await.0,
        StatusCode::NOT_FOUND
    );
}

async fn a_cache_turned_off_renders_every_time(db: TestDb) {
    let store = db.store.clone();
    store.save_settings(&SiteSettings::default()).await.unwrap();
    let state = AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig {
            page_cache_bytes: 0,
            ..WebConfig::new("https://news.example")
        },
    );
    let app = bbn_web::router(state.clone());
    for _ in 0..2 {
        let (status, h, _) = get_with(&app, "/", &[]).await;
        assert_eq!(status, StatusCode::OK);
        // Still labelled for a CDN in front.
        assert!(
            h.get("surrogate-key")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("home")
        );
        assert!(h.get(header::CACHE_CONTROL).is_some());
    }
    assert_eq!(state.pages.stats().hits, 0);
    assert_eq!(state.pages.stats().pages, 0);
}

/// Finding 10: made-up queries on reader pages (comment pages past the end,
/// page numbers written another way, page 1 by number, parameters a page
/// does not read, escaped spellings of the path) are answered without a
/// cache entry of their own: each real page is kept once, and 200 made-up
/// addresses add nothing.
async fn made_up_queries_add_no_pages(db: TestDb) {
    let s = site(&db).await;
    let mut settings = s.store.settings().await.unwrap();
    settings.comments.per_page = 2;
    s.store.save_settings(&settings).await.unwrap();
    let comments: Vec<NewComment> = (0..3)
        .map(|i| NewComment {
            article_id: s.a.0,
            parent_id: None,
            author_name: format!("Reader {i}"),
            author_email: "reader@example.com".into(),
            body: format!("Remark number {i}"),
            status: CommentStatus::Approved,
            created_at: 1_000 + i,
        })
        .collect();
    s.store.add_comments(&comments).await.unwrap();
    s.warm().await;
    let second = html(&s.app, "/news/alpha?cpage=2").await;
    assert!(second.contains("Remark number 2") && !second.contains("Remark number 1"));
    let real = s.state.pages.stats().pages;
    assert_eq!(real, PAGES.len() + 1, "each real page kept once");

    let mut made_up: Vec<(String, StatusCode)> = Vec::new();
    let mut add = |path: String, status: StatusCode| made_up.push((path, status));
    for n in 3..60 {
        add(format!("/news/alpha?cpage={n}"), StatusCode::NOT_FOUND);
    }
    for written in [
        "02", "002", "0002", "000002", "+2", "2.0", "0", "-1", "two", "",
    ] {
        add(
            format!("/news/alpha?cpage={written}"),
            StatusCode::NOT_FOUND,
        );
        add(
            format!("/section/world?page={written}"),
            StatusCode::NOT_FOUND,
        );
    }
    add("/news/alpha?cpage=2&cpage=2".into(), StatusCode::NOT_FOUND);
    for path in [
        "/news/alpha",
        "/section/world",
        "/topic/climate",
        "/author/ada",
    ] {
        let name = if path.starts_with("/news/") {
            "cpage"
        } else {
            "page"
        };
        add(format!("{path}?{name}=1"), StatusCode::MOVED_PERMANENTLY);
        add(format!("{path}?{name}=000001"), StatusCode::NOT_FOUND);
    }
    for n in 2..40 {
        add(format!("/section/world?page={n}"), StatusCode::NOT_FOUND);
    }
    for n in 0..25 {
        // Parameters a page does not read: rendered for the asker, never kept.
        add(format!("/news/alpha?page={n}"), StatusCode::OK);
        add(format!("/news/alpha?x={n}"), StatusCode::OK);
        add(format!("/?page={n}"), StatusCode::OK);
        add(format!("/about?cpage={n}"), StatusCode::OK);
    }
    for path in [
        "/news/%61lpha",
        "/news/alph%61",
        "/news/%61%6Cpha",
        "/section/%77orld",
    ] {
        // The same page spelt with escapes: not its address either.
        add(path.to_string(), StatusCode::OK);
    }
    assert!(made_up.len() >= 200, "{}", made_up.len());
    let mut answers = Vec::new();
    for (path, _) in &made_up {
        let (got, headers, _) = get_with(&s.app, path, &[]).await;
        let to = headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        answers.push((got, to));
    }
    assert_eq!(
        s.state.pages.stats().pages,
        real,
        "made-up queries kept no pages"
    );
    for ((path, status), (got, to)) in made_up.iter().zip(answers) {
        assert_eq!(got, *status, "{path}");
        if let Some(to) = to {
            assert!(!to.contains('?'), "{path} → {to}: the page's own address");
        }
    }
}

bbn_store::on_both_backends!(
    a_body_edit_leaves_lists_and_rails_cached,
    every_change_shows_at_once,
    http_answers_for_caches_and_cdns,
    a_cache_turned_off_renders_every_time,
    made_up_queries_add_no_pages,
);
