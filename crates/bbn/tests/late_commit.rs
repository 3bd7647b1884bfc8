//! A write whose transaction stays open long before it commits, on
//! PostgreSQL with three `bbn serve` instances: while it is open, every
//! other write shows everywhere as usual; once it commits, every instance
//! shows it, finds it in search, tells the purge hook and sends the webhook
//! event, however long it was open (90 s here, past any grace a follower
//! could have waited). A write that rolls back holds nobody back.
//!
//! How long it stays open: `BBN_LATE_COMMIT_SECONDS` (default 90). The
//! times it took are printed for the record, not asserted (a slow machine
//! must not fail the test; the closing note quotes them).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_core::SiteSettings;
use bbn_core::validate::ArticleDraft;
use bbn_store::Store;
use bbn_store::testing::TestDb;
use std::time::{Duration, Instant};
use support::instances::{everywhere, published, receiver, until, warm};
use support::{Server, temp_dir};

async fn retitle(store: &Store, id: i64, headline: &str) {
    let mut d = ArticleDraft::from(&store.article_by_id(id).await.unwrap().unwrap());
    d.headline = headline.into();
    store.update_article(id, d, None, false).await.unwrap();
}

mod postgres {
    #[tokio::test(flavor = "multi_thread")]
    async fn a_write_open_for_minutes_reaches_every_follower_when_it_commits() {
        super::a_write_open_for_minutes_reaches_every_follower_when_it_commits().await;
    }
}

async fn a_write_open_for_minutes_reaches_every_follower_when_it_commits() {
    let db = TestDb::postgres().await;
    let open_for = Duration::from_secs(
        std::env::var("BBN_LATE_COMMIT_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(90),
    );
    let store = db.store.clone();
    store.save_settings(&SiteSettings::default()).await.unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let author = store.create_author("ada", "Ada", "").await.unwrap();
    let alpha = store
        .create_article(published("alpha", "Alpha first words", world, author))
        .await
        .unwrap();
    let bravo = store
        .create_article(published("bravo", "Bravo first words", world, author))
        .await
        .unwrap();
    let hook_port = support::free_port();
    let hooks = receiver(hook_port, "/hook").await;
    store
        .create_webhook(
            &format!("http://127.0.0.1:{hook_port}/hook"),
            &["article.updated".to_string()],
            "late-commit-secret-0123456789",
        )
        .await
        .unwrap();
    let purge_port = support::free_port();
    let purges = receiver(purge_port, "/purge").await;
    let purge_url = format!("http://127.0.0.1:{purge_port}/purge");
    let args = [
        "--no-demo",
        "--database-url",
        &db.url,
        "--purge-url",
        &purge_url,
        "--webhook-allow-private",
    ];
    let dirs: Vec<_> = (1..=3).map(|i| temp_dir(&format!("late-{i}"))).collect();
    let servers: Vec<Server> = dirs.iter().map(|d| Server::start(d, &args)).collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let pages = ["/", "/news/alpha", "/news/bravo", "/section/world"];
    warm(&ports, &pages);

    // 1. An edit of alpha takes its place in the change log and stalls.
    let stalled = store
        .open_write(
            &format!("UPDATE articles SET headline = 'Alpha late words' WHERE id = {alpha}"),
            "article",
            alpha,
        )
        .await
        .unwrap();
    let opened = Instant::now();
    // Edits after it show everywhere as usual.
    let edited = Instant::now();
    retitle(&store, bravo, "Bravo prompt words").await;
    let took = until("the edit after the stalled one", edited, async || {
        everywhere(&ports, "/news/bravo", "Bravo prompt words")
            && everywhere(&ports, "/", "Bravo prompt words")
    })
    .await;
    println!("an edit committed while another was open, on all three instances: {took:?}");
    assert!(everywhere(&ports, "/news/alpha", "Alpha first words"));

    // 2. It commits after `open_for`.
    tokio::time::sleep(open_for.saturating_sub(opened.elapsed())).await;
    let purges_before = purges.lock().unwrap().len();
    stalled.commit().await.unwrap();
    let committed = Instant::now();
    println!("the stalled write committed after {:?}", opened.elapsed());
    // Each follower is watched in one loop, so each time is its own.
    let key = format!("article-{alpha}");
    let mut seen: [Option<Duration>; 4] = [None; 4];
    while seen.iter().any(Option::is_none) {
        assert!(
            committed.elapsed() < Duration::from_secs(120),
            "the late write reached only some followers: {seen:?} (pages, search, purge, webhook)"
        );
        let checks = [
            seen[0].is_some()
                || ["/news/alpha", "/", "/section/world"]
                    .iter()
                    .all(|path| everywhere(&ports, path, "Alpha late words")),
            seen[1].is_some() || everywhere(&ports, "/search?q=late", "Alpha late words"),
            purges.lock().unwrap()[purges_before..].iter().any(|p| {
                p["keys"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| *k == *key))
            }),
            hooks.lock().unwrap().iter().any(|e| {
                e["event"] == "article.updated" && e["article"]["headline"] == "Alpha late words"
            }),
        ];
        for (s, ok) in seen.iter_mut().zip(checks) {
            if ok && s.is_none() {
                *s = Some(committed.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let [pages, search, purge, hook] = seen.map(Option::unwrap_or_default);
    println!("from its commit to every cached page of all three instances: {pages:?}");
    println!("from its commit to search on all three: {search:?}");
    println!("from its commit to the purge hook: {purge:?}");
    println!("from its commit to its webhook delivery: {hook:?}");

    // 3. A write that rolls back holds nobody back.
    let doomed = store
        .open_write(
            &format!("UPDATE articles SET headline = 'Bravo never' WHERE id = {bravo}"),
            "article",
            bravo,
        )
        .await
        .unwrap();
    doomed.rollback().await.unwrap();
    let edited = Instant::now();
    retitle(&store, alpha, "Alpha final words").await;
    let took = until("the edit after a rolled-back one", edited, async || {
        everywhere(&ports, "/news/alpha", "Alpha final words")
            && everywhere(&ports, "/", "Alpha final words")
    })
    .await;
    println!("an edit after a rolled-back write, on all three: {took:?}");
    assert!(!everywhere(&ports, "/news/bravo", "Bravo never"));
    for s in servers {
        s.terminate();
    }
}
