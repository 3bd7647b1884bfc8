//! The sender against receivers on this machine that answer, fail, hang or
//! hang up; on SQLite and on PostgreSQL. Those receivers are reachable only
//! with `allow_private`, which the tests that deliver ask for; the ones
//! without it find internal addresses refused.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use super::*;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bbn_core::validate::ArticleDraft;
use bbn_store::Delivery;
use bbn_store::testing::TestDb;
use hmac::{Hmac, Mac};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

const SECRET: &str = "whsec-test-0123456789abcdef";

#[derive(Clone, Default)]
struct Inbox {
    got: Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
    flaky_failed: Arc<AtomicBool>,
}

impl Inbox {
    fn at(&self, path: &str) -> Vec<(HeaderMap, String)> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, h, b)| (h.clone(), b.clone()))
            .collect()
    }
    fn keep(&self, path: &str, headers: HeaderMap, body: String) {
        self.got
            .lock()
            .unwrap()
            .push((path.to_string(), headers, body));
    }
}

/// A receiver on 127.0.0.1: `/ok` answers 200, `/flaky` 500 once then 200,
/// `/fail` always 500, `/hang` never.
async fn receiver() -> (String, Inbox) {
    let inbox = Inbox::default();
    let app = Router::new()
        .route(
            "/ok",
            post(
                |State(i): State<Inbox>, h: HeaderMap, b: String| async move {
                    i.keep("/ok", h, b);
                    StatusCode::OK
                },
            ),
        )
        .route(
            "/flaky",
            post(
                |State(i): State<Inbox>, h: HeaderMap, b: String| async move {
                    i.keep("/flaky", h, b);
                    if i.flaky_failed.swap(true, Ordering::SeqCst) {
                        StatusCode::NO_CONTENT
                    } else {
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                },
            ),
        )
        .route(
            "/fail",
            post(
                |State(i): State<Inbox>, h: HeaderMap, b: String| async move {
                    i.keep("/fail", h, b);
                    StatusCode::INTERNAL_SERVER_ERROR
                },
            ),
        )
        .route(
            "/hang",
            post(
                |State(i): State<Inbox>, h: HeaderMap, b: String| async move {
                    i.keep("/hang", h, b);
                    std::future::pending::<StatusCode>().await
                },
            ),
        )
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), inbox)
}

/// A receiver that reads the request and closes the connection unanswered.
async fn hang_up_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
            drop(socket);
        }
    });
    format!("http://{addr}/hook")
}

/// The sender's settings for receivers on this machine.
fn settings(timeout: Duration) -> Settings {
    Settings {
        allow_private: true,
        ..public_only(timeout)
    }
}

/// The sender's settings as `bbn serve` starts it by default.
fn public_only(timeout: Duration) -> Settings {
    Settings {
        every: Duration::from_millis(100),
        ..Settings::new("https://news.example.com", timeout)
    }
}

async fn publish(store: &Store, slug: &str) -> i64 {
    let section = match store.section_by_slug("world").await.unwrap() {
        Some(s) => s.id,
        None => store
            .create_section("world", "World", "", Some(1))
            .await
            .unwrap(),
    };
    let author = match store.author_by_slug("ann").await.unwrap() {
        Some(a) => a.id,
        None => store.create_author("ann", "Ann", "").await.unwrap(),
    };
    store
        .create_article(
            ArticleDraft::new(slug, format!("Headline of {slug}"), section)
                .body("Text.")
                .authors(vec![author])
                .published(1_000),
        )
        .await
        .unwrap()
}

async fn hook(store: &Store, url: &str) -> i64 {
    store
        .create_webhook(url, &["article.published".to_string()], SECRET)
        .await
        .unwrap()
}

/// Waits (up to 20 s) until the webhook's newest delivery passes `test`.
async fn wait_for(store: &Store, hook: i64, test: impl Fn(&Delivery) -> bool) -> Delivery {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = store.webhook_deliveries(hook, 1).await.unwrap();
        if let Some(d) = log.first().filter(|d| test(d)) {
            return d.clone();
        }
        assert!(Instant::now() < deadline, "gave up waiting; log: {log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[test]
fn pauses_grow_and_stop_after_the_window() {
    let day = 86_400;
    assert_eq!(retry_at(1, 0, 100, day), Some(110));
    assert_eq!(retry_at(2, 0, 100, day), Some(130));
    assert_eq!(retry_at(4, 0, 100, day), Some(400));
    assert_eq!(retry_at(30, 0, 100, day), Some(3_700));
    // The last attempt is made at the end of the window, then none.
    assert_eq!(retry_at(30, 0, day - 60, day), Some(day));
    assert_eq!(retry_at(31, 0, day, day), None);
}

#[test]
fn signatures_are_hmac_sha256_of_time_dot_body() {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"key").unwrap();
    mac.update(b"1700000000.{\"a\":1}");
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        send::sign("key", 1_700_000_000, "{\"a\":1}"),
        format!("t=1700000000,v1={hex}")
    );
}

async fn signed_deliveries_reach_the_receiver(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let hook = hook(&store, &format!("{base}/ok")).await;
    let sender = spawn(store.clone(), settings(Duration::from_secs(5))).unwrap();
    let article = publish(&store, "signed-story").await;
    let d = wait_for(&store, hook, |d| d.state == "delivered").await;
    sender.stop().await;
    assert_eq!((d.attempts, d.last_status), (1, Some(200)));
    assert_eq!(d.event, "article.published");

    let got = inbox.at("/ok");
    assert_eq!(got.len(), 1);
    let (h, body) = &got[0];
    assert_eq!(header(h, "content-type"), "application/json");
    assert_eq!(header(h, "user-agent"), "bbn-webhooks");
    assert_eq!(header(h, "x-bbn-event"), "article.published");
    assert_eq!(header(h, "x-bbn-delivery"), d.id.to_string());
    // What a receiver does: recompute the HMAC over "<t>.<body>" with the secret.
    let signature = header(h, "x-bbn-signature");
    let (t, v1) = signature
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected);
    assert!((bbn_core::time::now() - t.parse::<i64>().unwrap()).abs() < 60);
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "article.published");
    assert_eq!(payload["article"]["id"], article);
    assert_eq!(
        payload["article"]["url"],
        "https://news.example.com/news/signed-story"
    );
}

async fn failed_attempts_are_retried_until_delivered(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let hook = hook(&store, &format!("{base}/flaky")).await;
    let sender = spawn(store.clone(), settings(Duration::from_secs(5))).unwrap();
    publish(&store, "flaky-story").await;
    let first = wait_for(&store, hook, |d| d.last_status == Some(500)).await;
    assert_eq!((first.state.as_str(), first.attempts), ("pending", 1));
    assert!(first.last_error.contains("500"), "{}", first.last_error);
    let wait = first.next_attempt_at - store.now();
    assert!((8..=10).contains(&wait), "next attempt in 10 s, not {wait}");
    // Skip the 10 s pause.
    store.clock().advance(wait);
    let d = wait_for(&store, hook, |d| d.state == "delivered").await;
    sender.stop().await;
    assert_eq!((d.attempts, d.last_status), (2, Some(204)));
    assert_eq!(d.last_error, "");
    let got = inbox.at("/flaky");
    assert_eq!(got.len(), 2);
    assert_eq!(
        header(&got[0].0, "x-bbn-delivery"),
        header(&got[1].0, "x-bbn-delivery"),
        "a retry is the same delivery"
    );
}

async fn a_hanging_receiver_delays_nothing_else(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let hanging = hook(&store, &format!("{base}/hang")).await;
    let fine = hook(&store, &format!("{base}/ok")).await;
    // bbn itself, serving on this store.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = listener.local_addr().unwrap();
    let state = bbn_web::AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        bbn_web::Theme::load(None).unwrap(),
        bbn_web::WebConfig::new(&format!("http://{site}")),
    );
    let (stop_site, site_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bbn_web::serve(
        listener,
        state,
        bbn_web::Limits::default(),
        async move {
            let _ = site_stopped.await;
        },
    ));
    let timeout = Duration::from_secs(3);
    let sender = spawn(store.clone(), settings(timeout)).unwrap();
    let started = Instant::now();
    publish(&store, "hung-story").await;

    wait_for(&store, fine, |d| d.state == "delivered").await;
    let delivered_after = started.elapsed();
    assert!(
        !inbox.at("/hang").is_empty(),
        "the hanging receiver got its request"
    );
    assert!(
        delivered_after < timeout,
        "the other receiver waited {delivered_after:?}"
    );
    // bbn answers while the receiver hangs.
    let asked = Instant::now();
    let mut s = tokio::net::TcpStream::connect(site).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut s, b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut s, &mut answer)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"));
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "bbn answered at once"
    );
    assert_eq!(
        store.webhook_deliveries(hanging, 1).await.unwrap()[0].state,
        "pending"
    );

    let d = wait_for(&store, hanging, |d| !d.last_error.is_empty()).await;
    assert!(started.elapsed() >= timeout);
    assert_eq!(
        (d.state.as_str(), d.attempts, d.last_status),
        ("pending", 1, None)
    );
    assert_eq!(d.last_error, "no answer within 3 s");
    sender.stop().await;
    let _ = stop_site.send(());
    let _ = server.await;
}

async fn a_receiver_that_hangs_up_is_a_failed_attempt(db: TestDb) {
    let store = db.store.clone();
    let url = hang_up_receiver().await;
    let hook = hook(&store, &url).await;
    // And one where nobody listens at all.
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        self::hook(&store, &format!("http://127.0.0.1:{port}/")).await
    };
    let sender = spawn(store.clone(), settings(Duration::from_secs(5))).unwrap();
    publish(&store, "hung-up-story").await;
    let d = wait_for(&store, hook, |d| !d.last_error.is_empty()).await;
    assert_eq!(
        (d.state.as_str(), d.attempts, d.last_status),
        ("pending", 1, None)
    );
    assert!(d.last_error.starts_with("no answer:"), "{}", d.last_error);
    let r = wait_for(&store, refused, |d| !d.last_error.is_empty()).await;
    sender.stop().await;
    assert!(
        r.last_error.starts_with("could not connect:"),
        "{}",
        r.last_error
    );
    assert!(!r.last_error.contains(SECRET));
}

async fn deliveries_are_given_up_after_a_day(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let hook = hook(&store, &format!("{base}/fail")).await;
    publish(&store, "old-story").await;
    store
        .enqueue_webhook_events("https://news.example.com")
        .await
        .unwrap();
    // 25 hours on, the event failing all along.
    store.clock().advance(25 * 3600);
    let sender = spawn(store.clone(), settings(Duration::from_secs(5))).unwrap();
    let d = wait_for(&store, hook, |d| d.state != "pending").await;
    sender.stop().await;
    assert_eq!(
        (d.state.as_str(), d.attempts, d.last_status),
        ("failed", 1, Some(500))
    );
    assert_eq!(inbox.at("/fail").len(), 1);
}

/// bbn issue 22, finding 11: a receiver on loopback gets nothing, and the
/// log says the same of an open port as of a closed one (no port scanner).
async fn webhook_to_loopback_is_refused(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let open = hook(&store, &format!("{base}/ok")).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        hook(&store, &format!("http://127.0.0.1:{port}/ok")).await
    };
    // The same receiver, as IPv4 inside IPv6.
    let mapped = {
        let port = base.rsplit(':').next().unwrap();
        hook(&store, &format!("http://[::ffff:127.0.0.1]:{port}/ok")).await
    };
    let sender = spawn(store.clone(), public_only(Duration::from_secs(5))).unwrap();
    publish(&store, "loopback-story").await;
    let o = wait_for(&store, open, |d| !d.last_error.is_empty()).await;
    let c = wait_for(&store, closed, |d| !d.last_error.is_empty()).await;
    let m = wait_for(&store, mapped, |d| !d.last_error.is_empty()).await;
    sender.stop().await;
    assert!(inbox.at("/ok").is_empty(), "the receiver got nothing");
    for d in [&o, &c, &m] {
        assert_eq!(d.last_error, send::NOT_ALLOWED);
        assert_eq!(d.last_status, None);
    }
}

/// A name is judged by what it resolves to: `localhost` is 127.0.0.1 (and ::1).
async fn webhook_to_name_resolving_to_loopback_is_refused(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let port = base.rsplit(':').next().unwrap();
    let hook = hook(&store, &format!("http://localhost:{port}/ok")).await;
    let sender = spawn(store.clone(), public_only(Duration::from_secs(5))).unwrap();
    publish(&store, "localhost-story").await;
    let d = wait_for(&store, hook, |d| !d.last_error.is_empty()).await;
    sender.stop().await;
    assert!(inbox.at("/ok").is_empty(), "the receiver got nothing");
    assert_eq!(d.last_error, send::NOT_ALLOWED);
}

/// The cloud metadata services, IPv4 and IPv6, are refused without a try.
async fn webhook_to_metadata_address_is_refused(db: TestDb) {
    let store = db.store.clone();
    let v4 = hook(&store, "http://169.254.169.254/latest/meta-data/").await;
    let v6 = hook(&store, "http://[fd00:ec2::254]/latest/meta-data/").await;
    let sender = spawn(store.clone(), public_only(Duration::from_secs(2))).unwrap();
    publish(&store, "metadata-story").await;
    let a = wait_for(&store, v4, |d| !d.last_error.is_empty()).await;
    let b = wait_for(&store, v6, |d| !d.last_error.is_empty()).await;
    sender.stop().await;
    assert_eq!(a.last_error, send::NOT_ALLOWED);
    assert_eq!(b.last_error, send::NOT_ALLOWED);
}

/// With the operator's leave, receivers on this machine get their deliveries,
/// by address and by name.
async fn private_receivers_allowed_with_the_option(db: TestDb) {
    let store = db.store.clone();
    let (base, inbox) = receiver().await;
    let port = base.rsplit(':').next().unwrap();
    let by_address = hook(&store, &format!("{base}/ok")).await;
    let by_name = hook(&store, &format!("http://localhost:{port}/ok")).await;
    let sender = spawn(store.clone(), settings(Duration::from_secs(5))).unwrap();
    publish(&store, "allowed-story").await;
    wait_for(&store, by_address, |d| d.state == "delivered").await;
    wait_for(&store, by_name, |d| d.state == "delivered").await;
    sender.stop().await;
    assert_eq!(inbox.at("/ok").len(), 2);
}

bbn_store::on_both_backends!(
    webhook_to_loopback_is_refused,
    webhook_to_name_resolving_to_loopback_is_refused,
    webhook_to_metadata_address_is_refused,
    private_receivers_allowed_with_the_option,
    signed_deliveries_reach_the_receiver,
    failed_attempts_are_retried_until_delivered,
    a_hanging_receiver_delays_nothing_else,
    a_receiver_that_hangs_up_is_a_failed_attempt,
    deliveries_are_given_up_after_a_day,
);
