//! Every kind of response carries the security headers, whatever answers
//! it: a reader page from the cache and rendered, a list, search, a feed, a
//! sitemap, a theme file, the newsroom, the API, a 404. HSTS only when the
//! site's address is https.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::Router;
use axum::http::HeaderMap;
use bbn_core::SiteSettings;
use bbn_store::testing::TestDb;
use bbn_web::{AppState, Theme, WebConfig};

mod fixtures;
use fixtures::{get_with, published};

async fn app(db: &TestDb, base_url: &str) -> Router {
    let store = db.store.clone();
    store.save_settings(&SiteSettings::default()).await.unwrap();
    let section = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let ada = store
        .create_author("ada", "Ada Reporter", "")
        .await
        .unwrap();
    let draft = published(section, vec![ada], vec![], "Alpha", 1_700_000_000);
    store.create_article(draft).await.unwrap();
    bbn_web::router(AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store).unwrap(),
        Theme::load(None).unwrap(),
        WebConfig::new(base_url),
    ))
}

/// Paths of every kind of answer; the article twice (rendered, then cached).
const PATHS: [&str; 12] = [
    "/",
    "/news/alpha",
    "/news/alpha",
    "/section/world",
    "/search?q=alpha",
    "/feed",
    "/sitemap.xml",
    "/assets/css/site.css",
    "/newsroom/sign-in",
    "/api/v1/articles",
    "/no-such-page",
    "/healthz",
];

fn check(path: &str, h: &HeaderMap, https: bool) {
    let has = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let csp = has("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
    assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{path}: {csp}");
    assert_eq!(
        has("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{path}"
    );
    assert_eq!(
        has("referrer-policy").as_deref(),
        Some("strict-origin-when-cross-origin"),
        "{path}"
    );
    assert_eq!(
        has("x-frame-options").as_deref(),
        Some("SAMEORIGIN"),
        "{path}"
    );
    let permissions = has("permissions-policy").unwrap_or_else(|| panic!("{path}: none"));
    assert!(permissions.contains("camera=()"), "{path}: {permissions}");
    assert_eq!(
        has("strict-transport-security").is_some(),
        https,
        "{path}: HSTS exactly when the site is https"
    );
}

/// Every path of a site at `base_url`, checked.
async fn every_answer_is_hardened(base_url: &str, https: bool) {
    let db = TestDb::sqlite().await;
    let app = app(&db, base_url).await;
    for path in PATHS {
        let (status, headers, _) = get_with(&app, path, &[]).await;
        assert!(status.as_u16() < 500, "{path}: {status}");
        check(path, &headers, https);
    }
}

#[tokio::test]
async fn sqlite_plain_http() {
    every_answer_is_hardened("http://news.test", false).await;
}

#[tokio::test]
async fn sqlite_https() {
    every_answer_is_hardened("https://news.test", true).await;
}
