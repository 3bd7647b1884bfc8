//! Static pages, HTML bodies and old addresses, as readers meet them:
//! `/about` with its footer link, drafts hidden, imported HTML sanitized,
//! old permalinks and `/?p=ID` answering 301 to wherever the content is
//! now — on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::http::{StatusCode, header};
use bbn_core::validate::PageDraft;
use bbn_core::{BodyFormat, PageStatus, SiteSettings};
use bbn_store::testing::TestDb;
use bbn_store::{RedirectTarget, Store};
use bbn_web::{AppState, Theme, WebConfig};

mod fixtures;
use fixtures::{get_with, published};

async fn site(db: &TestDb) -> (Router, Store) {
    let store = db.store.clone();
    store.save_settings(&SiteSettings::default()).await.unwrap();
    let app = bbn_web::router(AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new("https://news.example"),
    ));
    (app, store)
}

fn page(slug: &str, title: &str, status: PageStatus, footer: Option<i64>) -> PageDraft {
    PageDraft {
        slug: slug.into(),
        title: title.into(),
        body_format: BodyFormat::Markdown,
        body: format!("All about **{title}**."),
        status,
        footer_position: footer,
        seo_description: String::new(),
    }
}

async fn pages_are_shown_in_the_footer_and_drafts_are_hidden(db: TestDb) {
    let (app, store) = site(&db).await;
    store
        .create_page(page("about", "About us", PageStatus::Published, Some(2)))
        .await
        .unwrap();
    store
        .create_page(page("contact", "Contact", PageStatus::Published, Some(1)))
        .await
        .unwrap();
    store
        .create_page(page("terms", "Terms", PageStatus::Published, None))
        .await
        .unwrap();
    let secret = store
        .create_page(page("plans", "Plans", PageStatus::Draft, Some(3)))
        .await
        .unwrap();

    let (status, _, html) = get_with(&app, "/about", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<h1 class=\"story__headline\">About us</h1>"),
        "{html}"
    );
    assert!(html.contains("All about <strong>About us</strong>."));
    assert!(html.contains(r#"<link rel="canonical" href="https://news.example/about">"#));
    // The footer lists published pages with a position, in order.
    let contact = html
        .find(r#"<a href="/contact">Contact</a>"#)
        .expect("contact in footer");
    let about = html
        .find(r#"<a href="/about">About us</a>"#)
        .expect("about in footer");
    assert!(contact < about);
    assert!(!html.contains(r#"href="/terms""#) && !html.contains(r#"href="/plans""#));
    assert_eq!(get_with(&app, "/plans", &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get_with(&app, "/nothing-here", &[]).await.0,
        StatusCode::NOT_FOUND
    );

    // Published later, it appears; the sitemap lists published pages only.
    let mut d = page("plans", "Plans", PageStatus::Published, Some(3));
    d.body = "Now public.".into();
    store.save_page(secret, d).await.unwrap();
    assert_eq!(get_with(&app, "/plans", &[]).await.0, StatusCode::OK);
    let (_, _, sitemap) = get_with(&app, "/sitemaps/pages.xml", &[]).await;
    for slug in ["about", "contact", "terms", "plans"] {
        assert!(
            sitemap.contains(&format!("<loc>https://news.example/{slug}</loc>")),
            "{sitemap}"
        );
    }
    // The site's own addresses cannot be taken by a page.
    let err = store
        .create_page(page("search", "Search", PageStatus::Published, None))
        .await;
    assert!(
        matches!(err, Err(bbn_store::StoreError::Invalid(_))),
        "{err:?}"
    );
    let err = store
        .create_page(page("about", "Again", PageStatus::Published, None))
        .await;
    assert!(
        matches!(err, Err(bbn_store::StoreError::Conflict { .. })),
        "{err:?}"
    );
}

async fn html_bodies_are_sanitized_and_searchable_as_text(db: TestDb) {
    let (app, store) = site(&db).await;
    let section = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let author = store.create_author("ann", "Ann", "").await.unwrap();
    let mut d = published(
        section,
        vec![author],
        vec![],
        "Imported story",
        bbn_core::time::now() - 60,
    );
    d.body_format = BodyFormat::Html;
    d.body_markdown = r#"<p>First &amp; <em>only</em> paragraph.</p><script>alert(1)</script><p onclick="x()">*not markdown*</p><figure><audio controls src="https://cdn.example/a.mp3"></audio></figure>"#.into();
    let id = store.create_article(d).await.unwrap();
    let a = store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(a.body_format, BodyFormat::Html);
    assert!(
        !a.body_html.contains("script") && !a.body_html.contains("onclick"),
        "{}",
        a.body_html
    );
    assert!(
        a.body_html.contains("<p>*not markdown*</p>"),
        "{}",
        a.body_html
    );
    assert!(
        a.body_html
            .contains(r#"<audio controls="" src="https://cdn.example/a.mp3">"#),
        "{}",
        a.body_html
    );
    let (status, _, html) = get_with(&app, &format!("/news/{}", a.slug), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("First &amp; <em>only</em> paragraph."));
    assert_eq!(
        BodyFormat::Html.plain_text(&a.body_markdown).lines().next(),
        Some("First & only paragraph.")
    );
    // A revision restores the format with the body.
    let rev = store.revision(id, 1).await.unwrap().unwrap();
    assert_eq!(rev.body_format, BodyFormat::Html);
}

async fn old_addresses_lead_to_where_content_is_now(db: TestDb) {
    let (app, store) = site(&db).await;
    let section = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let author = store.create_author("ann", "Ann", "").await.unwrap();
    let id = store
        .create_article(published(
            section,
            vec![author],
            vec![],
            "Moved story",
            bbn_core::time::now() - 60,
        ))
        .await
        .unwrap();
    let about = store
        .create_page(page("about", "About", PageStatus::Published, None))
        .await
        .unwrap();
    store
        .set_redirect("/2011/05/moved-story/", &RedirectTarget::Article(id))
        .await
        .unwrap();
    store
        .set_redirect("/%E6%97%A5%E6%9C%AC/", &RedirectTarget::Article(id))
        .await
        .unwrap();
    store
        .set_redirect("/?p=12", &RedirectTarget::Article(id))
        .await
        .unwrap();
    store
        .set_redirect("/?page_id=2", &RedirectTarget::Page(about))
        .await
        .unwrap();
    store
        .set_redirect("/category/world-news", &RedirectTarget::Section(section))
        .await
        .unwrap();

    let location = |r: &(StatusCode, axum::http::HeaderMap, String)| {
        r.1.get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
    };
    for (from, to) in [
        ("/2011/05/moved-story/", "/news/moved-story"),
        ("/2011/05/moved-story", "/news/moved-story"),
        ("/%e6%97%a5%e6%9c%ac/", "/news/moved-story"),
        ("/?p=12", "/news/moved-story"),
        ("/?p=12&utm_source=x", "/news/moved-story"),
        ("/?page_id=2", "/about"),
        ("/category/world-news/", "/section/world"),
        ("/?s=fish+%26+chips", "/search?q=fish+%26+chips"),
        ("/section/world/", "/section/world"),
    ] {
        let r = get_with(&app, from, &[]).await;
        assert_eq!(r.0, StatusCode::MOVED_PERMANENTLY, "{from}");
        assert_eq!(location(&r).as_deref(), Some(to), "{from}");
    }
    // Content that is not here (or not public) is a 404, not the home page.
    assert_eq!(
        get_with(&app, "/?p=999", &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_with(&app, "/?utm_source=x", &[]).await.0,
        StatusCode::OK
    );
    // A slug change is followed: the redirect names the article, not its old URL.
    let a = store.article_by_id(id).await.unwrap().unwrap();
    let mut d = bbn_core::validate::ArticleDraft::from(&a);
    d.slug = "renamed-story".into();
    store.update_article(id, d, None, false).await.unwrap();
    let r = get_with(&app, "/?p=12", &[]).await;
    assert_eq!(location(&r).as_deref(), Some("/news/renamed-story"));
    // Unpublished, the old address leads nowhere.
    let a = store.article_by_id(id).await.unwrap().unwrap();
    let mut d = bbn_core::validate::ArticleDraft::from(&a);
    d.status = bbn_core::Status::Unpublished;
    store.update_article(id, d, None, false).await.unwrap();
    assert_eq!(
        get_with(&app, "/2011/05/moved-story", &[]).await.0,
        StatusCode::NOT_FOUND
    );
    // Never an open redirect.
    for evil in ["//evil.example/", "/\\evil.example/"] {
        let r = get_with(&app, evil, &[]).await;
        assert!(
            location(&r).is_none_or(|l| l.starts_with('/')
                && !l.starts_with("//")
                && !l.starts_with("/\\")),
            "{evil}: {:?}",
            location(&r)
        );
    }
}

async fn nested_sections_link_each_other(db: TestDb) {
    let (app, store) = site(&db).await;
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let europe = store
        .create_section("europe", "Europe", "", None)
        .await
        .unwrap();
    store.set_section_parent(europe, Some(world)).await.unwrap();
    let (_, _, parent) = get_with(&app, "/section/world", &[]).await;
    assert!(
        parent.contains(r#"<li><a href="/section/europe">Europe</a></li>"#),
        "{parent}"
    );
    let (_, _, child) = get_with(&app, "/section/europe", &[]).await;
    assert!(
        child.contains(r#"<p class="kicker"><a href="/section/world">World</a></p>"#),
        "{child}"
    );
    // No section ends up inside itself.
    let err = store.set_section_parent(world, Some(europe)).await;
    assert!(
        matches!(err, Err(bbn_store::StoreError::Invalid(_))),
        "{err:?}"
    );
    let err = store.set_section_parent(world, Some(world)).await;
    assert!(
        matches!(err, Err(bbn_store::StoreError::Invalid(_))),
        "{err:?}"
    );
}

bbn_store::on_both_backends!(
    nested_sections_link_each_other,
    pages_are_shown_in_the_footer_and_drafts_are_hidden,
    html_bodies_are_sanitized_and_searchable_as_text,
    old_addresses_lead_to_where_content_is_now,
);
