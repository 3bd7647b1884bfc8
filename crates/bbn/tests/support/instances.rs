//! For suites that run several instances on one database: what their
//! followers send out (webhooks, purges) kept by a receiver on loopback,
//! a published article, and waiting until every instance shows a text.

use super::http_get;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bbn_core::validate::ArticleDraft;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a receiver was sent, oldest first.
pub type Inbox = Arc<Mutex<Vec<serde_json::Value>>>;

/// Keeps every JSON body posted to `path` on `port` (a webhook endpoint, a
/// CDN's purge endpoint), with the request's Authorization header as its
/// `auth` field when there was one.
pub async fn receiver(port: u16, path: &str) -> Inbox {
    let inbox: Inbox = Arc::default();
    let keep = |State(inbox): State<Inbox>, headers: HeaderMap, body: String| async move {
        let mut sent: serde_json::Value = serde_json::from_str(&body).unwrap();
        if let Some(auth) = headers.get("authorization") {
            sent["auth"] = auth.to_str().unwrap().into();
        }
        inbox.lock().unwrap().push(sent);
        StatusCode::OK
    };
    let app = Router::new()
        .route(path, post(keep))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    inbox
}

/// An article published a minute ago, by `author` in `section`.
pub fn published(slug: &str, headline: &str, section: i64, author: i64) -> ArticleDraft {
    ArticleDraft::new(slug, headline, section)
        .body(format!("{headline}: the body."))
        .authors(vec![author])
        .published(bbn_core::time::now() - 60)
}

/// Whether every instance answers `path` with a page holding `text`.
pub fn everywhere(ports: &[u16], path: &str, text: &str) -> bool {
    ports
        .iter()
        .all(|p| http_get(*p, path).is_some_and(|(s, b)| s == 200 && b.contains(text)))
}

/// Polls `check` every 20 ms until it holds (at most two minutes); the time
/// since `started` when it did.
pub async fn until(what: &str, started: Instant, mut check: impl AsyncFnMut() -> bool) -> Duration {
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Waits (blocking, at most 30 s) until every one of `ports` answers `path`
/// with a page holding `text`; the time it took.
pub fn until_everywhere(ports: &[u16], path: &str, text: &str) -> Duration {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30);
    loop {
        let missing: Vec<u16> = ports
            .iter()
            .copied()
            .filter(|p| !everywhere(&[*p], path, text))
            .collect();
        if missing.is_empty() {
            return started.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "{text:?} never showed on {path} of the instances on ports {missing:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Fetches each page twice on each instance, so the next look is from the cache.
pub fn warm(ports: &[u16], paths: &[&str]) {
    for port in ports {
        for path in paths {
            for _ in 0..2 {
                assert_eq!(http_get(*port, path).unwrap().0, 200, "{path} on {port}");
            }
        }
    }
}
