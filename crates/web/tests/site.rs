//! The reader site as a reader sees it: every page type rendered through the
//! real router, on SQLite and on PostgreSQL, asserting the parts on the page.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, FaqItem, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{NewComment, NewMedia, Store};
use bbn_web::{AppState, Theme, WebConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// 2023-10-19 15:46 UTC = 11:46 am in New York.
const T0: i64 = 1_697_730_360;

struct Site {
    app: Router,
    store: Store,
    _db: TestDb,
}

async fn get(app: &Router, uri: &str) -> (StatusCode, HeaderMap, String) {
    let response = app
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn app_for(store: &Store) -> Router {
    bbn_web::router(AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new("https://news.example"),
    ))
}

fn draft(
    section: i64,
    authors: Vec<i64>,
    topics: Vec<i64>,
    headline: &str,
    at: i64,
) -> ArticleDraft {
    ArticleDraft::new("", headline, section)
        .dek(format!("Dek of {headline}"))
        .body(format!("Body of {headline}."))
        .authors(authors)
        .topics(topics)
        .published(at)
}

/// A small news site: two sections, two authors, a topic, the seed-like story
/// with FAQ, comments and image, and enough topic articles to paginate.
async fn site(db: TestDb) -> Site {
    let store = db.store.clone();
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            description: "News from everywhere.".into(),
            copyright_holder: "Big Big News".into(),
            time_zone: "America/New_York".into(),
            page_size: 3,
            language: "en".into(),
            blocking_checks: Vec::new(),
            logo_id: None,
            logo_url: None,
            comments: Default::default(),
            most_read_days: 2,
            ..Default::default()
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
    let gabriel = store
        .create_author("gabriel-martinez", "Gabriel Martinez", "Covers diplomacy.")
        .await
        .unwrap();
    let nadia = store
        .create_author("nadia-haddad", "Nadia Haddad", "")
        .await
        .unwrap();
    let diplomacy = store
        .create_topic(
            "diplomatic-relations",
            "Diplomatic Relations",
            "Talks between states.",
        )
        .await
        .unwrap();
    let image = store
        .create_media(&NewMedia {
            url: "/media/pyongyang.jpg".into(),
            width: Some(1200),
            height: Some(675),
            alt: "Two ministers shake hands".into(),
            caption: "The ministers meet.".into(),
            credit: "Photo: Staff".into(),
            srcset: "/media/pyongyang-480.jpg 480w, /media/pyongyang-960.jpg 960w".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..4 {
        store
            .create_article(draft(
                world,
                vec![nadia],
                vec![diplomacy],
                &format!("Older diplomacy story {i}"),
                T0 - 86_400 * (i + 1),
            ))
            .await
            .unwrap();
    }
    store
        .create_article(draft(
            sports,
            vec![nadia],
            vec![],
            "Game seven tonight",
            T0 - 3_600,
        ))
        .await
        .unwrap();
    let mut hidden = draft(
        world,
        vec![gabriel],
        vec![diplomacy],
        "Unpublished draft story",
        T0 + 60,
    );
    hidden.status = Status::Draft;
    hidden.published_at = None;
    store.create_article(hidden).await.unwrap();
    let mut seed = draft(
        world,
        vec![gabriel, nadia],
        vec![diplomacy],
        "Ministers meet in Pyongyang",
        T0,
    );
    seed.kicker = "Russia-North Korea Security Talks".into();
    seed.body_markdown = "Lavrov arrived on Wednesday.\n\n> A new strategic level.\n\n- one\n- two\n\n<script>alert('x')</script>".into();
    seed.faq = (1..=6)
        .map(|i| FaqItem {
            question: format!("Question {i}?"),
            answer: format!("Answer {i}."),
        })
        .collect();
    seed.image_id = Some(image);
    let seed_id = store.create_article(seed).await.unwrap();
    for (name, minutes, text) in [
        ("CarBuff42", 0, "Why <b>now</b>?"),
        ("JournalistJoe", 305, "Interesting meeting."),
        ("Hidden", 310, "pending one"),
    ] {
        store
            .add_comment(&NewComment {
                article_id: seed_id,
                parent_id: None,
                author_name: name.into(),
                author_email: "reader@example.com".into(),
                body: text.into(),
                status: if name == "Hidden" {
                    CommentStatus::Pending
                } else {
                    CommentStatus::Approved
                },
                created_at: T0 + minutes * 60,
            })
            .await
            .unwrap();
    }
    store.set_editors_picks(&[seed_id]).await.unwrap();
    Site {
        app: app_for(&store),
        store,
        _db: db,
    }
}

fn position(page: &str, needle: &str) -> usize {
    page.find(needle)
        .unwrap_or_else(|| panic!("page lacks {needle:?}"))
}

async fn article_page_shows_every_part_of_the_seed_page(db: TestDb) {
    let s = site(db).await;
    let (status, _, page) = get(&s.app, "/news/ministers-meet-in-pyongyang").await;
    assert_eq!(status, StatusCode::OK);
    // Topic label above the headline, then dek and byline.
    let kicker = position(&page, "Russia-North Korea Security Talks");
    let h1 = position(
        &page,
        "<h1 class=\"story__headline\">Ministers meet in Pyongyang</h1>",
    );
    assert!(kicker < h1);
    assert!(
        position(
            &page,
            "<p class=\"story__dek\">Dek of Ministers meet in Pyongyang"
        ) > h1
    );
    assert!(page.contains(r#"by <a rel="author" href="/author/gabriel-martinez">Gabriel Martinez</a> and <a rel="author" href="/author/nadia-haddad">Nadia Haddad</a>"#));
    assert!(page.contains(
        r#"<time datetime="2023-10-19T11:46:00-04:00">October 19, 2023 - 11:46 am</time>"#
    ));
    // Featured image with alt, caption and credit.
    assert!(page.contains(r#"alt="Two ministers shake hands""#));
    assert!(page.contains("The ministers meet."));
    assert!(page.contains("Photo: Staff"));
    // Body: quote and list kept, script removed.
    assert!(page.contains("<blockquote>"));
    assert!(page.contains("<li>two</li>"));
    assert!(!page.contains("alert('x')"));
    // FAQ, then "More about", "You may also like".
    let faq = position(
        &page,
        "Frequently Asked Questions about Diplomatic Relations",
    );
    assert!(page.contains("<dt>Question 6?</dt>"));
    let more = position(
        &page,
        r#"<a href="/topic/diplomatic-relations">More about Diplomatic Relations"#,
    );
    let related = position(&page, "You may also like");
    assert!(faq < more && more < related);
    let related_block = &page[related..position(&page, "id=\"comments\"")];
    assert_eq!(
        related_block.matches("class=\"card\"").count(),
        4,
        "up to four related articles"
    );
    assert!(related_block.contains("Older diplomacy story 0"));
    assert!(
        !related_block.contains("Ministers meet in Pyongyang"),
        "never the article itself"
    );
    assert!(!related_block.contains("Unpublished draft story"));
    // Comments in order, seed-style times, escaped text, no pending ones.
    let c1 = position(&page, "CarBuff42");
    let c2 = position(&page, "JournalistJoe");
    assert!(c1 < c2);
    assert!(page.contains("October 19, 2023 - 4:51 pm"));
    assert!(page.contains("Why &lt;b&gt;now&lt;/b&gt;?"));
    assert!(!page.contains("pending one"));
    assert!(page.contains("2 Comments"));
    assert!(page.contains("Leave a Comment"));
    assert!(page.contains(r#"name="email""#));
    // Sidebar and footer.
    assert!(page.contains("Editors' Picks"));
    assert!(page.contains("Latest News"));
    assert!(page.contains("News from everywhere."));
    assert!(page.contains(&format!("© {} Big Big News", chrono_year())));
    assert!(page.contains(
        r#"<link rel="canonical" href="https://news.example/news/ministers-meet-in-pyongyang">"#
    ));
}

fn chrono_year() -> i32 {
    // The footer year is the current year in the site's zone; around New Year
    // UTC and New York may differ, so accept the page's own rendering of now.
    bbn_core::time::year(
        bbn_core::time::now(),
        bbn_core::time::parse_zone("America/New_York").unwrap(),
    )
}

async fn home_page_has_lead_latest_picks_and_sections(db: TestDb) {
    let s = site(db).await;
    let (status, _, page) = get(&s.app, "/").await;
    assert_eq!(status, StatusCode::OK);
    let lead = &page[position(&page, "class=\"lead\"")..];
    assert!(
        lead.starts_with("class=\"lead\"") && lead[..800].contains("Ministers meet in Pyongyang"),
        "the newest story leads"
    );
    assert!(page.contains("Editors' Picks"));
    assert!(page.contains("Latest News"));
    assert!(page.contains(r#"<a href="/section/world">World</a></h2>"#));
    assert!(page.contains(r#"<a href="/section/sports">Sports</a></h2>"#));
    assert!(page.contains("Game seven tonight"));
    assert!(!page.contains("Unpublished draft story"));
}

async fn list_pages_paginate_newest_first_with_a_clear_end(db: TestDb) {
    let s = site(db).await;
    // Diplomacy topic: the seed story and four older ones; page size 3.
    let (status, _, p1) = get(&s.app, "/topic/diplomatic-relations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(p1.contains("Talks between states."));
    assert!(
        position(&p1, "Ministers meet in Pyongyang") < position(&p1, "Older diplomacy story 0")
    );
    assert!(p1.contains(r#"<link rel="next" href="/topic/diplomatic-relations?page=2">"#));
    assert!(!p1.contains("rel=\"prev\""));
    let (status, _, p2) = get(&s.app, "/topic/diplomatic-relations?page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(p2.contains(r#"<link rel="prev" href="/topic/diplomatic-relations">"#));
    assert!(!p2.contains("rel=\"next\""));
    assert!(p2.contains("You have reached the oldest stories."));
    assert!(p2.contains("Older diplomacy story 3"));
    assert_eq!(
        get(&s.app, "/topic/diplomatic-relations?page=3").await.0,
        StatusCode::NOT_FOUND
    );

    let (status, _, section) = get(&s.app, "/section/world").await;
    assert_eq!(status, StatusCode::OK);
    assert!(section.contains("<h1>World</h1>"));
    assert!(section.contains("aria-current=\"page\">World"));
    let (status, _, author) = get(&s.app, "/author/gabriel-martinez").await;
    assert_eq!(status, StatusCode::OK);
    assert!(author.contains("Covers diplomacy."));
    assert!(author.contains("Ministers meet in Pyongyang"));
    assert!(!author.contains("Unpublished draft story"));
}

async fn bad_addresses_get_the_sites_404_page(db: TestDb) {
    let s = site(db).await;
    for uri in [
        "/no/such/page",
        "/news/no-such-story",
        "/news/unpublished-draft-story",
        "/section/nowhere",
        "/topic/nothing",
        "/author/nobody",
        "/section/world?page=0",
        "/section/world?page=-1",
        "/section/world?page=abc",
        "/section/world?page=99999999999999999999",
        "/topic/diplomatic-relations?page=999",
        "/assets/css/site.0000000000.css",
    ] {
        let (status, headers, page) = get(&s.app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert!(page.contains("We could not find that page"), "{uri}");
        assert!(page.contains("Big Big News"), "{uri}: in the site's look");
        assert!(!page.contains("Unpublished draft story"), "{uri}");
    }
}

async fn a_changed_slug_redirects_permanently(db: TestDb) {
    let s = site(db).await;
    let article = s
        .store
        .article_by_slug("game-seven-tonight")
        .await
        .unwrap()
        .unwrap();
    let mut d = draft(
        article.section.id,
        vec![article.authors[0].id],
        vec![],
        "Game seven tonight",
        article.published_at.unwrap(),
    );
    d.slug = "game-seven-decides-the-series".into();
    s.store
        .update_article(article.id, d, None, true)
        .await
        .unwrap();
    let (status, headers, _) = get(&s.app, "/news/game-seven-tonight").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        headers[header::LOCATION],
        "/news/game-seven-decides-the-series"
    );
    let (status, _, page) = get(&s.app, "/news/game-seven-decides-the-series").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("dateline__updated"),
        "an edited article shows its update time"
    );
}

async fn an_empty_site_renders_every_page(db: TestDb) {
    let store = db.store.clone();
    let app = app_for(&store);
    let (status, _, home) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("No news yet"));
    assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&app, "/section/world").await.0, StatusCode::NOT_FOUND);
    store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let (status, _, section) = get(&app, "/section/world").await;
    assert_eq!(status, StatusCode::OK);
    assert!(section.contains("Nothing has been published here yet."));
    drop(db);
}

async fn assets_have_hashed_urls_and_long_caching(db: TestDb) {
    let s = site(db).await;
    let (_, _, page) = get(&s.app, "/").await;
    let start = position(&page, "<link rel=\"stylesheet\" href=\"")
        + "<link rel=\"stylesheet\" href=\"".len();
    let url = &page[start..start + page[start..].find('"').unwrap()];
    assert!(
        url.starts_with("/assets/css/site.") && url.ends_with(".css"),
        "{url}"
    );
    let (status, headers, css) = get(&s.app, url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.contains("prefers-color-scheme: dark"));
}

async fn health_answers_once_the_database_does(db: TestDb) {
    let s = site(db).await;
    let (status, _, body) = get(&s.app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("ok"));
    // This instance's page cache: a page kept, then served from it.
    get(&s.app, "/").await;
    get(&s.app, "/").await;
    let (_, _, body) = get(&s.app, "/healthz").await;
    let counters = body.lines().nth(1).unwrap_or("");
    assert!(counters.starts_with("page_cache pages="), "{body}");
    let hits: u64 = counters
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("hits="))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(hits >= 1, "{body}");
    s.store.close().await;
    assert_eq!(
        get(&s.app, "/healthz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

async fn reader_text_is_never_markup(db: TestDb) {
    let s = site(db).await;
    let world = s.store.section_by_slug("world").await.unwrap().unwrap();
    let author = s
        .store
        .author_by_slug("nadia-haddad")
        .await
        .unwrap()
        .unwrap();
    let mut d = draft(
        world.id,
        vec![author.id],
        vec![],
        "<img src=x onerror=alert(1)> headline",
        T0 + 120,
    );
    d.slug = "xss-headline".into();
    d.kicker = "<script>alert(2)</script>".into();
    s.store.create_article(d).await.unwrap();
    for uri in [
        "/news/xss-headline",
        "/",
        "/section/world",
        "/author/nadia-haddad",
    ] {
        let (_, _, page) = get(&s.app, uri).await;
        assert!(!page.contains("<img src=x"), "{uri}");
        assert!(!page.contains("<script>alert(2)"), "{uri}");
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt; headline"),
            "{uri}"
        );
    }
}

async fn sidebar_and_settings_change_at_once_after_a_write(db: TestDb) {
    let s = site(db).await;
    let (_, _, before) = get(&s.app, "/section/sports").await;
    assert!(!before.contains("Breaking: late news"));
    let sports = s.store.section_by_slug("sports").await.unwrap().unwrap();
    let author = s
        .store
        .author_by_slug("nadia-haddad")
        .await
        .unwrap()
        .unwrap();
    let id = s
        .store
        .create_article(draft(
            sports.id,
            vec![author.id],
            vec![],
            "Breaking: late news",
            bbn_core::time::now(),
        ))
        .await
        .unwrap();
    s.store.set_editors_picks(&[id]).await.unwrap();
    let mut settings = s.store.settings().await.unwrap();
    settings.name = "Bigger News".into();
    s.store.save_settings(&settings).await.unwrap();
    let (_, _, after) = get(&s.app, "/section/world").await;
    let aside = &after[position(&after, "Editors' Picks")..];
    assert!(
        aside.contains("Breaking: late news"),
        "Latest News and Editors' Picks follow at once"
    );
    assert!(
        after.contains("© ") && after.contains("Bigger News"),
        "settings follow at once"
    );
}

async fn search_answers_readers_whatever_they_type(db: TestDb) {
    let s = site(db).await;
    let (status, _, page) = get(&s.app, "/search?q=pyongyang").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("1 result.") && page.contains("<mark>Pyongyang</mark>"),
        "{page}"
    );
    assert!(page.contains("href=\"/news/ministers-meet-in-pyongyang\""));
    assert!(!page.contains("Unpublished draft story"));
    let (_, _, page) = get(&s.app, "/search?q=diplomacy+story").await;
    assert!(page.contains("4 results"), "{page}");
    assert!(page.contains("Diplomatic Relations <span class=\"facets__count\">4</span>"));
    let (_, _, narrowed) = get(&s.app, "/search?q=story&section=sports").await;
    assert!(
        narrowed.contains("No articles match") && narrowed.contains("Search without the filters")
    );
    let (_, _, typo) = get(&s.app, "/search?q=pyongyng").await;
    assert!(
        typo.contains("Did you mean <a href=\"/search?q=pyongyang\">pyongyang</a>?"),
        "{typo}"
    );
    let long = "x".repeat(10_000);
    for q in [
        "",
        "%22",
        "%FF%FE",
        "a%00b",
        "-",
        "%3Cscript%3E",
        "%E2%80%AE",
        long.as_str(),
        "q&q=2&page=-1&from=2026-13-45",
    ] {
        let (status, _, page) = get(&s.app, &format!("/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert!(!page.contains("<script>"), "{q}");
    }
    let (status, _, _) = get(&s.app, "/search?page=abc&sort=%FF").await;
    assert_eq!(status, StatusCode::OK);
    // The search box is on every page; type-ahead answers JSON.
    let (_, _, home) = get(&s.app, "/").await;
    assert!(home.contains("role=\"search\" action=\"/search\""));
    let (status, headers, json) = get(&s.app, "/search/suggest?q=minis").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        json.contains("Ministers meet in Pyongyang")
            && json.contains("/news/ministers-meet-in-pyongyang"),
        "{json}"
    );
    assert_eq!(get(&s.app, "/search/suggest?q=%22").await.2, "[]");
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0";

/// An article page asked for by `agent` from 198.51.100.`from`, as the
/// server hands it to the router (with its peer's address).
async fn view_from(app: &Router, path: &str, agent: &str, from: u8) {
    let mut request = Request::builder()
        .uri(path)
        .header(header::USER_AGENT, agent)
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [198, 51, 100, from],
            40_000,
        ))));
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
}

/// Finding 14: 50 requests from one address are one reader's view, not 50;
/// the page cache's hits count the same way as renders.
async fn most_read_counts_an_address_once_an_hour(db: TestDb) {
    let s = site(db).await;
    let state = AppState::new(
        s.store.clone(),
        bbn_search::Search::in_memory(s.store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new("https://news.example"),
    );
    let app = bbn_web::router(state.clone());
    for _ in 0..50 {
        view_from(&app, "/news/game-seven-tonight", FIREFOX, 7).await;
    }
    for reader in [1, 2] {
        view_from(&app, "/news/ministers-meet-in-pyongyang", FIREFOX, reader).await;
    }
    state.save_views().await.unwrap();
    let (_, _, home) = get(&app, "/").await;
    let most = &home[home
        .find("Most Read")
        .expect("a Most Read list on the home page")..];
    let (game, ministers) = (
        most.find("Game seven tonight").unwrap(),
        most.find("Ministers meet in Pyongyang").unwrap(),
    );
    assert!(
        ministers < game,
        "two readers (2 views) beat one reader reloading 50 times (1 view)"
    );
}

async fn most_read_counts_readers_not_robots(db: TestDb) {
    let s = site(db).await;
    let state = AppState::new(
        s.store.clone(),
        bbn_search::Search::in_memory(s.store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new("https://news.example"),
    );
    let app = bbn_web::router(state.clone());
    let view =
        |path: &'static str, agent: &'static str, from: u8| view_from(&app, path, agent, from);
    for reader in 1..=3 {
        view("/news/game-seven-tonight", FIREFOX, reader).await;
    }
    view("/news/ministers-meet-in-pyongyang", FIREFOX, 1).await;
    for robot in 10..20 {
        view(
            "/news/ministers-meet-in-pyongyang",
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            robot,
        )
        .await;
        view("/news/ministers-meet-in-pyongyang", "curl/8.5.0", robot).await;
    }
    let (_, _, before) = get(&app, "/").await;
    assert!(
        !before.contains("Most Read"),
        "nothing counted until the views are saved"
    );
    let saved = state.save_views().await.unwrap();
    assert!(saved.most_read_moved, "the rail appeared: {saved:?}");
    let again = state.save_views().await.unwrap();
    assert!(
        !again.most_read_moved,
        "nothing new was read, so nothing for a CDN to purge: {again:?}"
    );
    let (_, _, home) = get(&app, "/").await;
    let most = &home[home
        .find("Most Read")
        .expect("a Most Read list on the home page")..];
    let (game, ministers) = (
        most.find("Game seven tonight").unwrap(),
        most.find("Ministers meet in Pyongyang").unwrap(),
    );
    assert!(
        game < ministers,
        "3 reader views beat 1 (robots do not count)"
    );
    let (_, _, article) = get(&app, "/news/game-seven-tonight").await;
    assert!(article.contains("Most Read"), "and on article pages");
    let (_, _, section) = get(&app, "/section/world").await;
    assert!(!section.contains("Most Read"));
    // Views count over the site's window only.
    let old = s.store.summaries_by_ids(&[1]).await.unwrap()[0]
        .headline
        .clone();
    s.store
        .add_views(&[(1, bbn_core::time::now() / 3600 - 48, 1_000)])
        .await
        .unwrap();
    let list = |home: &str| {
        let most = &home[home.find("Most Read").unwrap()..];
        most[..most.find("</ol>").unwrap()].to_string()
    };
    let mut settings = s.store.settings().await.unwrap();
    settings.most_read_days = 3;
    s.store.save_settings(&settings).await.unwrap();
    let wide = list(&get(&app, "/").await.2);
    assert!(
        wide.find(&old).unwrap() < wide.find("Game seven tonight").unwrap(),
        "{wide}"
    );
    settings.most_read_days = 1;
    s.store.save_settings(&settings).await.unwrap();
    assert!(!list(&get(&app, "/").await.2).contains(&old));
}

/// A story with a YouTube and an X embed: figures a reader's script turns
/// into click-to-load buttons, a link to each original for everyone else,
/// and a policy opening frames to exactly those two providers, on this page
/// only (and as kept by the page cache).
async fn embeds_open_frames_to_their_providers_on_their_page_only(db: TestDb) {
    let s = site(db).await;
    let world = s.store.section_by_slug("world").await.unwrap().unwrap().id;
    let nadia = s
        .store
        .author_by_slug("nadia-haddad")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut d = ArticleDraft::new("", "Ministers speak online", world)
        .dek("A dek.")
        .authors(vec![nadia])
        .published(T0);
    d.body_format = bbn_core::BodyFormat::Document;
    d.body_markdown = r#"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"Watch."}]},{"type":"embed","attrs":{"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","title":"The speech"}},{"type":"embed","attrs":{"url":"https://x.com/BBCBreaking/status/1712345678901234567","title":""}}]}"#.into();
    let id = s.store.create_article(d).await.unwrap();
    let slug = s.store.article_by_id(id).await.unwrap().unwrap().slug;
    for round in ["rendered", "from the page cache"] {
        let (status, headers, page) = get(&s.app, &format!("/news/{slug}")).await;
        assert_eq!(status, StatusCode::OK);
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.ends_with(
                "; frame-src 'self' https://platform.twitter.com https://www.youtube-nocookie.com"
            ),
            "{round}: {csp}"
        );
        assert!(
            csp.contains("script-src 'self';"),
            "no provider's script on the page itself: {csp}"
        );
        assert!(
            page.contains(
                r#"data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1""#
            ),
            "{page}"
        );
        assert!(page.contains(r#">The speech</a> <span class="embed-provider">YouTube</span>"#));
        assert!(
            page.contains("/js/embed.") && !page.contains("<iframe"),
            "no frame until a reader asks"
        );
        assert!(
            page.contains(r#""video":[{"@type":"VideoObject","description":"#)
                && page.contains(r#""embedUrl":"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ","name":"The speech""#)
                && page.contains(r#""thumbnailUrl":"https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg""#),
            "the video in the structured data: {page}"
        );
    }
    let (_, headers, page) = get(&s.app, "/").await;
    let plain = headers["content-security-policy"].to_str().unwrap();
    assert!(
        !plain.contains("frame-src"),
        "a page without embeds keeps the policy: {plain}"
    );
    assert!(!page.contains("/js/embed."));
    // The feed carries the link and its title.
    let (_, _, feed) = get(&s.app, "/feed.xml").await;
    assert!(
        feed.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        "{feed}"
    );
}

bbn_store::on_both_backends!(
    embeds_open_frames_to_their_providers_on_their_page_only,
    most_read_counts_readers_not_robots,
    most_read_counts_an_address_once_an_hour,
    search_answers_readers_whatever_they_type,
    article_page_shows_every_part_of_the_seed_page,
    home_page_has_lead_latest_picks_and_sections,
    list_pages_paginate_newest_first_with_a_clear_end,
    bad_addresses_get_the_sites_404_page,
    a_changed_slug_redirects_permanently,
    an_empty_site_renders_every_page,
    assets_have_hashed_urls_and_long_caching,
    health_answers_once_the_database_does,
    reader_text_is_never_markup,
    sidebar_and_settings_change_at_once_after_a_write,
);
