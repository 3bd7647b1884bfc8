//! What feed readers, aggregators, search engines and social networks get:
//! RSS, Atom and JSON feeds, sitemaps, the news sitemap, robots.txt, and the
//! structured data and social tags of pages — through the real router, on
//! SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use bbn_core::{CommentStatus, FaqItem, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{NewComment, NewMedia, Store};
use bbn_web::{AppState, Theme, WebConfig};

mod fixtures;
use fixtures::{get_with, published as draft};

const BASE: &str = "https://news.example";
/// A headline that breaks naive XML, HTML and JSON writers.
const NASTY: &str = "Tom & Jerry's \"<b>bold</b>\" ]]> move\u{1} — ünïcødé ✓ </script>";

struct Site {
    app: Router,
    store: Store,
    nasty: i64,
    ids: Vec<i64>,
    _db: TestDb,
}

async fn get(app: &Router, uri: &str) -> (StatusCode, HeaderMap, String) {
    get_with(app, uri, &[]).await
}

/// Five published articles (one an hour ago with an image, an FAQ and a
/// nasty headline; the others days old), a draft, and an approved comment.
async fn site(db: TestDb, sitemap_page_size: i64) -> Site {
    let store = db.store.clone();
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            description: "News from everywhere.".into(),
            time_zone: "America/New_York".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let nadia = store
        .create_author("nadia-haddad", "Nadia Haddad", "")
        .await
        .unwrap();
    let talks = store
        .create_topic("talks", "Talks & Summits", "")
        .await
        .unwrap();
    let image = store
        .create_media(&NewMedia {
            url: "/media/2026/11/abc.jpg".into(),
            width: Some(1600),
            height: Some(900),
            alt: "Two ministers shake hands".into(),
            caption: String::new(),
            credit: String::new(),
            srcset: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    let now = bbn_core::time::now();
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            store
                .create_article(draft(
                    world,
                    vec![nadia],
                    vec![talks],
                    &format!("Old story {i}"),
                    now - (10 - i) * 86_400,
                ))
                .await
                .unwrap(),
        );
    }
    let mut d = draft(world, vec![nadia], vec![talks], NASTY, now - 3600);
    d.slug = "nasty".into();
    d.image_id = Some(image);
    d.faq = vec![FaqItem {
        question: "Why <now>?".into(),
        answer: "Because & so.".into(),
    }];
    let nasty = store.create_article(d).await.unwrap();
    ids.push(nasty);
    let mut hidden = draft(world, vec![nadia], vec![talks], "Not yet", now);
    hidden.status = Status::Draft;
    hidden.published_at = None;
    store.create_article(hidden).await.unwrap();
    store
        .add_comment(&NewComment {
            article_id: nasty,
            parent_id: None,
            author_name: "Reader <one>".into(),
            author_email: "r@example.com".into(),
            body: "First & foremost.\n\nSecond paragraph.".into(),
            status: CommentStatus::Approved,
            created_at: now - 60,
        })
        .await
        .unwrap();
    let mut config = WebConfig::new(BASE);
    config.sitemap_page_size = sitemap_page_size;
    let app = bbn_web::router(AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        config,
    ));
    Site {
        app,
        store,
        nasty,
        ids,
        _db: db,
    }
}

fn xml(body: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(body)
        .unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{body}"))
}

fn texts<'a>(doc: &'a roxmltree::Document<'a>, name: &str) -> Vec<&'a str> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or(""))
        .collect()
}

async fn feeds_in_three_formats_with_absolute_urls_and_stable_ids(db: TestDb) {
    let s = site(db, 50_000).await;
    let expected_headline = NASTY.replace('\u{1}', "");

    let (status, headers, rss) = get(&s.app, "/feed.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/rss+xml; charset=utf-8"
    );
    let doc = xml(&rss);
    let titles = texts(&doc, "title");
    assert_eq!(titles[0], "Big Big News");
    assert_eq!(
        titles[1], expected_headline,
        "newest first, escaped and restored"
    );
    assert_eq!(titles.len(), 1 + 5, "published articles only");
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "link" && n.tag_name().namespace().is_none())
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert_eq!(links.len(), 6);
    assert!(links.iter().all(|l| l.starts_with(BASE)), "{links:?}");
    let dates = texts(&doc, "pubDate");
    assert!(dates.iter().all(|d| chrono_rfc2822_like(d)), "{dates:?}");
    let content = texts(&doc, "encoded");
    assert!(
        content[0].contains(r#"href="https://news.example/news/elsewhere""#),
        "{}",
        content[0]
    );
    let guid = texts(&doc, "guid")[0].to_string();
    assert!(guid.starts_with("urn:uuid:"));
    assert_eq!(
        doc.descendants()
            .find(|n| n.tag_name().name() == "content")
            .unwrap()
            .attribute("url"),
        Some("https://news.example/media/2026/11/abc.jpg")
    );

    let (status, headers, atom) = get(&s.app, "/feed.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    let doc = xml(&atom);
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert!(texts(&doc, "updated").iter().all(|d| d.contains('T')));
    assert_eq!(texts(&doc, "id")[1], guid, "the same id in every format");

    let (status, headers, json) = get(&s.app, "/feed.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/feed+json; charset=utf-8"
    );
    let feed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["feed_url"], "https://news.example/feed.json");
    let first = &feed["items"][0];
    assert_eq!(first["title"], NASTY);
    assert_eq!(first["id"], guid);
    assert!(first["content_html"].as_str().unwrap().contains("Body of"));
    assert!(first["date_published"].as_str().unwrap().contains('T'));
    assert_eq!(
        first["authors"][0]["url"],
        "https://news.example/author/nadia-haddad"
    );

    // A new slug: a new link, the same id.
    let mut d = draft(0, vec![], vec![], "", 0);
    let a = s.store.article_by_id(s.nasty).await.unwrap().unwrap();
    d.section_id = a.section.id;
    d.author_ids = a.authors.iter().map(|x| x.id).collect();
    d.topic_ids = a.topics.iter().map(|x| x.id).collect();
    d.headline = a.headline.clone();
    d.body_markdown = a.body_markdown.clone();
    d.image_id = a.image.as_ref().map(|m| m.id);
    d.published_at = a.published_at;
    d.slug = "renamed".into();
    s.store
        .update_article(s.nasty, d, None, false)
        .await
        .unwrap();
    let (_, _, json) = get(&s.app, "/feed.json").await;
    let feed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(feed["items"][0]["url"], "https://news.example/news/renamed");
    assert_eq!(feed["items"][0]["id"], guid);

    // Section, topic and author feeds; unknown ones and formats are 404.
    for path in ["/section/world", "/topic/talks", "/author/nadia-haddad"] {
        for file in ["feed.xml", "feed.atom"] {
            let (status, _, body) = get(&s.app, &format!("{path}/{file}")).await;
            assert_eq!(status, StatusCode::OK, "{path}/{file}");
            xml(&body);
        }
        let (status, _, body) = get(&s.app, &format!("{path}/feed.json")).await;
        assert_eq!(status, StatusCode::OK);
        let feed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(feed["items"].as_array().unwrap().len(), 5, "{path}");
    }
    assert_eq!(
        get(&s.app, "/topic/nope/feed.xml").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&s.app, "/topic/talks/feed.rss2").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&s.app, "/feed").await.0, StatusCode::OK);

    // Comments: escaped, on the article, newest first.
    let (status, _, body) = get(&s.app, "/comments/feed.xml").await;
    assert_eq!(status, StatusCode::OK);
    let doc = xml(&body);
    assert_eq!(
        texts(&doc, "title")[1],
        format!("Reader <one> on “{expected_headline}”")
    );
    assert!(texts(&doc, "link")[2].starts_with("https://news.example/news/renamed#comment-"));
}

/// "Sat, 28 Nov 2026 09:15:00 -0500"
fn chrono_rfc2822_like(d: &str) -> bool {
    let parts: Vec<&str> = d.split(' ').collect();
    parts.len() == 6 && parts[0].ends_with(',') && parts[5].len() == 5
}

async fn feed_settings_and_conditional_get(db: TestDb) {
    let s = site(db, 50_000).await;
    let mut settings = s.store.settings().await.unwrap();
    settings.feeds.items = 2;
    settings.feeds.full_text = false;
    s.store.save_settings(&settings).await.unwrap();
    let (_, headers, rss) = get(&s.app, "/feed.xml").await;
    let doc = xml(&rss);
    assert_eq!(texts(&doc, "item").len(), 2);
    assert!(texts(&doc, "encoded").is_empty(), "summaries only");
    assert!(!texts(&doc, "description")[1].is_empty());

    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    let modified = headers[header::LAST_MODIFIED].to_str().unwrap().to_string();
    let (status, h, body) = get_with(&s.app, "/feed.xml", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(h[header::ETAG], etag.as_str());
    let (status, ..) = get_with(&s.app, "/feed.xml", &[("if-modified-since", &modified)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (status, ..) = get_with(&s.app, "/feed.atom", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::OK, "each feed has its own tag");

    // Any write makes a new copy.
    settings.feeds.items = 3;
    s.store.save_settings(&settings).await.unwrap();
    let (status, h, rss) = get_with(&s.app, "/feed.xml", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(h[header::ETAG], etag.as_str());
    assert_eq!(texts(&xml(&rss), "item").len(), 3);
}

async fn sitemaps_are_paginated_and_hold_every_public_page(db: TestDb) {
    let s = site(db, 2).await;
    let (status, headers, index) = get(&s.app, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/xml; charset=utf-8"
    );
    let doc = xml(&index);
    let locs: Vec<String> = texts(&doc, "loc").into_iter().map(String::from).collect();
    let article_pages: Vec<&String> = locs
        .iter()
        .filter(|l| l.contains("/sitemaps/articles-"))
        .collect();
    assert_eq!(article_pages.len(), 3, "5 articles at 2 a page: {locs:?}");
    assert!(locs.contains(&format!("{BASE}/sitemaps/sections.xml")));

    let mut seen = Vec::new();
    for page in &article_pages {
        let path = page.strip_prefix(BASE).unwrap();
        let (status, _, body) = get(&s.app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let doc = xml(&body);
        let urls = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "url")
            .count();
        assert!(urls <= 2);
        assert_eq!(texts(&doc, "lastmod").len(), urls);
        seen.extend(
            texts(&doc, "loc")
                .into_iter()
                .filter(|l| l.contains("/news/"))
                .map(String::from),
        );
        if body.contains("nasty") {
            assert!(
                body.contains("<image:loc>https://news.example/media/2026/11/abc.jpg</image:loc>")
            );
        }
    }
    let mut expected: Vec<String> = Vec::new();
    for id in &s.ids {
        let a = s.store.article_by_id(*id).await.unwrap().unwrap();
        expected.push(format!("{BASE}/news/{}", a.slug));
    }
    let mut seen_sorted = seen.clone();
    seen_sorted.sort();
    expected.sort();
    assert_eq!(
        seen_sorted, expected,
        "every published article once, no draft: {seen:?}"
    );
    assert_eq!(
        get(&s.app, "/sitemaps/articles-4.xml").await.0,
        StatusCode::NOT_FOUND
    );
    for bad in [
        "/sitemaps/articles-0.xml",
        "/sitemaps/articles-01.xml",
        "/sitemaps/articles-x.xml",
        "/sitemaps/other.xml",
        "/sitemaps/articles.xml",
    ] {
        assert_eq!(get(&s.app, bad).await.0, StatusCode::NOT_FOUND, "{bad}");
    }
    for (path, expect) in [
        (
            "/sitemaps/sections.xml",
            "https://news.example/section/world",
        ),
        ("/sitemaps/topics-1.xml", "https://news.example/topic/talks"),
        (
            "/sitemaps/authors-1.xml",
            "https://news.example/author/nadia-haddad",
        ),
        ("/sitemaps/pages.xml", "https://news.example/"),
    ] {
        let (status, _, body) = get(&s.app, path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            texts(&xml(&body), "loc").contains(&expect),
            "{path}: {body}"
        );
    }

    // The news sitemap: the last two days only.
    let (status, _, news) = get(&s.app, "/news-sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    let doc = xml(&news);
    assert_eq!(texts(&doc, "loc"), vec!["https://news.example/news/nasty"]);
    assert_eq!(texts(&doc, "name"), vec!["Big Big News"]);
    assert_eq!(texts(&doc, "language"), vec!["en"]);
    assert_eq!(
        texts(&doc, "title"),
        vec![NASTY.replace('\u{1}', "").as_str()]
    );
    assert!(
        texts(&doc, "publication_date")[0].ends_with("-05:00")
            || texts(&doc, "publication_date")[0].ends_with("-04:00")
    );
}

async fn robots_txt_names_the_sitemaps_and_follows_the_settings(db: TestDb) {
    let s = site(db, 50_000).await;
    let (status, headers, body) = get(&s.app, "/robots.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert!(body.contains("Disallow: /newsroom/"));
    assert!(body.contains("Sitemap: https://news.example/sitemap.xml"));
    let mut settings = s.store.settings().await.unwrap();
    settings.robots_txt = "User-agent: *\nDisallow: /private".into();
    s.store.save_settings(&settings).await.unwrap();
    let (_, _, body) = get(&s.app, "/robots.txt").await;
    assert!(body.starts_with("User-agent: *\nDisallow: /private\n"));
    assert!(body.contains("Sitemap: https://news.example/news-sitemap.xml"));
}

/// The JSON-LD objects of a page, by type.
fn json_ld(html: &str) -> Vec<serde_json::Value> {
    html.split(r#"<script type="application/ld+json">"#)
        .skip(1)
        .map(|part| serde_json::from_str(part.split("</script>").next().unwrap()).unwrap())
        .collect()
}

fn meta<'a>(html: &'a str, key: &str) -> Vec<&'a str> {
    html.split("<meta ")
        .filter(|m| {
            m.starts_with(&format!(r#"property="{key}""#))
                || m.starts_with(&format!(r#"name="{key}""#))
        })
        .filter_map(|m| m.split(r#"content=""#).nth(1)?.split('"').next())
        .collect()
}

async fn article_pages_carry_structured_data_and_social_cards(db: TestDb) {
    let s = site(db, 50_000).await;
    let (status, _, html) = get(&s.app, "/news/nasty").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("</script><script>alert"),
        "the headline cannot close a script element"
    );
    let ld = json_ld(&html);
    let article = ld
        .iter()
        .find(|v| v["@type"] == "NewsArticle")
        .expect("NewsArticle");
    assert_eq!(article["headline"], NASTY, "JSON carries any character");
    assert_eq!(
        article["mainEntityOfPage"]["@id"],
        "https://news.example/news/nasty"
    );
    assert_eq!(article["author"][0]["@type"], "Person");
    assert_eq!(
        article["author"][0]["url"],
        "https://news.example/author/nadia-haddad"
    );
    assert_eq!(article["publisher"]["@type"], "Organization");
    assert!(
        article["publisher"]["logo"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://news.example/")
    );
    assert_eq!(article["articleSection"], "World");
    assert_eq!(article["keywords"][0], "Talks & Summits");
    assert!(article["datePublished"].as_str().unwrap().contains('T'));
    assert!(article["dateModified"].is_string());
    let images: Vec<&str> = article["image"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        images,
        vec![
            "https://news.example/media/2026/11/abc-crop-1x1.jpg",
            "https://news.example/media/2026/11/abc-crop-4x3.jpg",
            "https://news.example/media/2026/11/abc-crop-16x9.jpg",
        ]
    );
    let faq = ld
        .iter()
        .find(|v| v["@type"] == "FAQPage")
        .expect("FAQPage");
    assert_eq!(faq["mainEntity"][0]["name"], "Why <now>?");
    assert_eq!(
        faq["mainEntity"][0]["acceptedAnswer"]["text"],
        "Because & so."
    );
    let crumbs = ld
        .iter()
        .find(|v| v["@type"] == "BreadcrumbList")
        .expect("BreadcrumbList");
    let names: Vec<&str> = crumbs["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[..2], ["Home", "World"]);
    assert_eq!(
        crumbs["itemListElement"][2]["item"],
        "https://news.example/news/nasty"
    );

    assert_eq!(meta(&html, "og:type"), vec!["article"]);
    assert_eq!(
        meta(&html, "og:image"),
        vec!["https://news.example/media/2026/11/abc-crop-16x9.jpg"]
    );
    assert_eq!(meta(&html, "og:image:width"), vec!["1200"]);
    assert_eq!(meta(&html, "og:image:height"), vec!["675"]);
    assert_eq!(meta(&html, "article:tag"), vec!["Talks &amp; Summits"]);
    assert_eq!(meta(&html, "article:section"), vec!["World"]);
    assert_eq!(meta(&html, "twitter:card"), vec!["summary_large_image"]);
    assert_eq!(meta(&html, "robots"), vec!["max-image-preview:large"]);
    assert_eq!(meta(&html, "article:published_time").len(), 1);
    assert!(html.contains(r#"<link rel="canonical" href="https://news.example/news/nasty">"#));
    assert!(html.contains(r#"<link rel="alternate" type="application/rss+xml" title="Big Big News (RSS)" href="/feed.xml">"#));
    assert!(html.contains(r#"href="/section/world/feed.atom""#));

    // An article without an FAQ has no FAQPage.
    let (_, _, html) = get(&s.app, "/news/old-story-0").await;
    assert!(json_ld(&html).iter().all(|v| v["@type"] != "FAQPage"));
    assert_eq!(meta(&html, "twitter:card"), vec!["summary"]);

    // The home page: the site and its search.
    let (_, _, html) = get(&s.app, "/").await;
    let ld = json_ld(&html);
    let website = ld
        .iter()
        .find(|v| v["@type"] == "WebSite")
        .expect("WebSite");
    assert_eq!(website["potentialAction"]["@type"], "SearchAction");
    assert_eq!(
        website["potentialAction"]["target"]["urlTemplate"],
        "https://news.example/search?q={search_term_string}"
    );
    assert_eq!(
        website["potentialAction"]["query-input"],
        "required name=search_term_string"
    );
    assert!(ld.iter().any(|v| v["@type"] == "Organization"));

    // List pages name their own feeds.
    let (_, _, html) = get(&s.app, "/topic/talks").await;
    assert!(html.contains(r#"<link rel="alternate" type="application/feed+json" title="Talks &amp; Summits – Big Big News (JSON Feed)" href="/topic/talks/feed.json">"#));
    assert!(html.contains(r#"<a href="/topic/talks/feed.xml" type="application/rss+xml">"#));
}

bbn_store::on_both_backends!(
    feeds_in_three_formats_with_absolute_urls_and_stable_ids,
    feed_settings_and_conditional_get,
    sitemaps_are_paginated_and_hold_every_public_page,
    robots_txt_names_the_sitemaps_and_follows_the_settings,
    article_pages_carry_structured_data_and_social_cards,
);
