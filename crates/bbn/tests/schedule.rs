//! Scheduled articles publish themselves on time, also when bbn was not
//! running at that moment.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_core::Status;
use bbn_core::validate::ArticleDraft;
use bbn_store::Store;
use std::time::{Duration, Instant};
use support::{Server, http_get, temp_dir};

async fn schedule(store: &Store, slug: &str, at: i64) {
    let section = store.section_by_slug("world").await.unwrap().unwrap().id;
    let author = store
        .author_by_slug("gabriel-martinez")
        .await
        .unwrap()
        .unwrap()
        .id;
    store
        .create_article(
            ArticleDraft::new(slug, format!("Scheduled {slug}"), section)
                .body("Embargoed until now.")
                .authors(vec![author])
                .scheduled(at),
        )
        .await
        .unwrap();
}

fn wait_for(port: u16, path: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if http_get(port, path).is_some_and(|(s, _)| s == 200) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_articles_go_out_on_time_and_after_a_restart() {
    let dir = temp_dir("schedule");
    let server = Server::start(&dir, &[]);
    let store = Store::open_sqlite(&dir.join("bbn.db")).await.unwrap();

    // While running: due in three seconds.
    schedule(&store, "while-running", bbn_core::time::now() + 3).await;
    assert_eq!(
        http_get(server.port, "/news/while-running").unwrap().0,
        404,
        "not before its time"
    );
    assert!(
        wait_for(server.port, "/news/while-running", Duration::from_secs(15)),
        "published on its own"
    );

    // Due while bbn is stopped: published as soon as it starts again.
    schedule(&store, "during-downtime", bbn_core::time::now() + 2).await;
    server.terminate();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let server = Server::start(&dir, &[]);
    assert!(
        wait_for(
            server.port,
            "/news/during-downtime",
            Duration::from_secs(10)
        ),
        "published after the restart"
    );
    let a = store
        .article_by_slug("during-downtime")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, Status::Published);
    server.terminate();
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}
