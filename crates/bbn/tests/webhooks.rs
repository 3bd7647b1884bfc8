//! Nothing is lost across a restart: the real `bbn` sends a webhook for an
//! article published while its receiver is down, is killed with SIGKILL,
//! another article is published while bbn is down, and after the restart
//! both events arrive. On SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_core::validate::ArticleDraft;
use bbn_store::Store;
use bbn_store::testing::TestDb;
use std::time::{Duration, Instant};
use support::instances::receiver;
use support::{Server, temp_dir};

async fn publish(store: &Store, slug: &str) {
    let section = match store.section_by_slug("hooks").await.unwrap() {
        Some(s) => s.id,
        None => store
            .create_section("hooks", "Hooks", "", None)
            .await
            .unwrap(),
    };
    let author = match store.author_by_slug("hook-writer").await.unwrap() {
        Some(a) => a.id,
        None => store
            .create_author("hook-writer", "Hook Writer", "")
            .await
            .unwrap(),
    };
    store
        .create_article(
            ArticleDraft::new(slug, format!("Headline of {slug}"), section)
                .body("Text.")
                .authors(vec![author])
                .published(bbn_core::time::now()),
        )
        .await
        .unwrap();
}

async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn kill_restart_and_deliver(store: Store, dir: std::path::PathBuf, database: Option<String>) {
    // The receiver is on this machine, which webhooks may reach only when allowed.
    let mut args: Vec<String> = vec!["--no-demo".into(), "--webhook-allow-private".into()];
    if let Some(url) = &database {
        args.extend(["--database-url".to_string(), url.clone()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Nobody listens on the receiver's port yet.
    let port = support::free_port();
    let hook = store
        .create_webhook(
            &format!("http://127.0.0.1:{port}/hook"),
            &["article.published".to_string()],
            "restart-test-secret-0123456789",
        )
        .await
        .unwrap();

    let mut server = Server::start(&dir, &args);
    publish(&store, "sent-before-the-crash").await;
    // bbn made the delivery and tried it (the receiver was down)...
    until("a first attempt", async || {
        let log = store.webhook_deliveries(hook, 10).await.unwrap();
        log.first().filter(|d| d.attempts >= 1).cloned()
    })
    .await;
    // ...then dies without warning.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // Written while no bbn runs: only the change log knows of it.
    publish(&store, "written-while-down").await;

    let inbox = receiver(port, "/hook").await;
    let server = Server::start(&dir, &args);
    let got = until("both events", async || {
        let got = inbox.lock().unwrap().clone();
        let slugs: Vec<String> = got
            .iter()
            .map(|p| p["article"]["slug"].as_str().unwrap_or("").to_string())
            .collect();
        (slugs.contains(&"sent-before-the-crash".to_string())
            && slugs.contains(&"written-while-down".to_string()))
        .then_some(got)
    })
    .await;
    assert!(got.iter().all(|p| p["event"] == "article.published"));
    let log = until("the log to say delivered", async || {
        let log = store.webhook_deliveries(hook, 10).await.unwrap();
        log.iter().all(|d| d.state == "delivered").then_some(log)
    })
    .await;
    assert_eq!(log.len(), 2, "one delivery per event");
    server.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_survive_a_crash_on_sqlite() {
    let dir = temp_dir("webhooks-sqlite");
    // Create the site first, then share its database file with bbn.
    Server::start(&dir, &["--no-demo"]).terminate();
    let store = Store::open_sqlite(&dir.join("bbn.db")).await.unwrap();
    kill_restart_and_deliver(store.clone(), dir.clone(), None).await;
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn webhooks_survive_a_crash_on_postgres() {
        let db = TestDb::postgres().await;
        let dir = temp_dir("webhooks-pg");
        kill_restart_and_deliver(db.store.clone(), dir.clone(), Some(db.url.clone())).await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
