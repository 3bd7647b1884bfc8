//! Three `bbn serve` processes on one PostgreSQL, each with its own data
//! folder (search index, page cache), behave as one site: a write through
//! any of them shows on every page of every instance, cached or not, and in
//! their searches; a scheduled article is published once; the purge hook
//! is told of each change once; and an instance killed with SIGKILL comes
//! back current without rebuilding its index.
//!
//! Times are printed for the record, not asserted (the benchmark measures
//! them; here a slow machine must not fail the test).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_core::{Role, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{ApiKeyKind, NewApiKey, NewUser};
use std::time::{Duration, Instant};
use support::instances::{published, receiver, until_everywhere, warm};
use support::{Server, http_get, http_send, temp_dir};

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn three_instances_act_as_one_site() {
        let db = TestDb::postgres().await;
        let store = db.store.clone();
        store.save_settings(&SiteSettings::default()).await.unwrap();
        let world = store
            .create_section("world", "World", "", Some(1))
            .await
            .unwrap();
        let author = store
            .create_author("ada", "Ada Reporter", "")
            .await
            .unwrap();
        let alpha = store
            .create_article(published("alpha", "Alpha first words", world, author))
            .await
            .unwrap();
        let editor = store
            .create_user(&NewUser {
                email: "ed@example.com".into(),
                name: "Ed".into(),
                role: Role::Editor,
                password_hash: None,
            })
            .await
            .unwrap();
        let token = store
            .create_api_key(&NewApiKey {
                name: "test".into(),
                kind: ApiKeyKind::Staff,
                user_id: Some(editor),
                role: Some(Role::Editor),
                created_by: None,
            })
            .await
            .unwrap()
            .key;

        let purge_port = support::free_port();
        let inbox = receiver(purge_port, "/purge").await;
        let purge_url = format!("http://127.0.0.1:{purge_port}/purge");
        let args = [
            "--no-demo",
            "--database-url",
            &db.url,
            "--purge-url",
            &purge_url,
            "--purge-token",
            "cdn-secret",
        ];
        let dirs: Vec<_> = (1..=3)
            .map(|i| temp_dir(&format!("instance-{i}")))
            .collect();
        let mut servers: Vec<Server> = dirs
            .iter()
            .map(|d| Server::start_logged(d, &args))
            .collect();
        let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
        let pages = ["/", "/news/alpha", "/section/world", "/author/ada"];
        warm(&ports, &pages);

        // 1. An edit through the API of the first instance.
        let auth = format!("Authorization: Bearer {token}");
        let (status, body) = http_send(
            ports[0],
            "PATCH",
            &format!("/api/v1/articles/{alpha}"),
            &[&auth, "Content-Type: application/json"],
            r#"{"headline": "Alpha zeppelin rewrite", "body_markdown": "The zeppelin landed."}"#,
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
        for path in pages {
            let took = until_everywhere(&ports, path, "Alpha zeppelin rewrite");
            println!("edit through instance 1 on {path} of all three: {took:?}");
        }
        for port in &ports {
            let (_, page) = http_get(*port, "/news/alpha").unwrap();
            assert!(!page.contains("Alpha first words"), "stale on {port}");
        }
        let took = until_everywhere(&ports, "/search?q=zeppelin", "Alpha zeppelin rewrite");
        println!("the edit found by search on all three: {took:?}");

        // 2. A scheduled article: published once, by whichever instance is first.
        warm(&ports, &pages);
        let mut due = published("bravo", "Bravo on schedule", world, author);
        due.status = Status::Scheduled;
        due.published_at = None;
        due.scheduled_at = Some(bbn_core::time::now() + 2);
        let bravo = store.create_article(due).await.unwrap();
        for path in ["/", "/section/world", "/news/alpha", "/news/bravo"] {
            until_everywhere(&ports, path, "Bravo on schedule");
        }
        let updates = store
            .query_i64(&format!(
                "SELECT COUNT(*) FROM changes WHERE entity = 'article' AND entity_id = {bravo} AND op = 'update'"
            ))
            .await
            .unwrap();
        assert_eq!(updates, 1, "published exactly once");

        // 3. One instance dies; a write through another; it comes back current.
        servers[1].child.kill().unwrap();
        servers[1].child.wait().unwrap();
        let (status, body) = http_send(
            ports[2],
            "PATCH",
            &format!("/api/v1/articles/{bravo}"),
            &[&auth, "Content-Type: application/json"],
            r#"{"headline": "Bravo quokka sighting"}"#,
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
        let alive = [ports[0], ports[2]];
        for path in ["/", "/news/bravo", "/section/world"] {
            until_everywhere(&alive, path, "Bravo quokka sighting");
        }
        let restarted = Instant::now();
        servers[1] = Server::start_logged(&dirs[1], &args);
        println!("restart to healthy: {:?}", restarted.elapsed());
        let log = servers[1].log();
        assert!(
            !log.contains("building it") && !log.contains("rebuilding"),
            "the index was current: no rebuild\n{log}"
        );
        let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
        for path in ["/", "/news/bravo", "/search?q=quokka"] {
            until_everywhere(&ports, path, "Bravo quokka sighting");
        }

        // 4. The CDN was told of every change once, with the keys of what changed.
        let deadline = Instant::now() + Duration::from_secs(20);
        let purges = loop {
            let purges = inbox.lock().unwrap().clone();
            let keys: Vec<String> = purges
                .iter()
                .flat_map(|p| p["keys"].as_array().unwrap().clone())
                .map(|k| k.as_str().unwrap().to_string())
                .collect();
            if keys.contains(&format!("article-{alpha}"))
                && keys.contains(&format!("article-{bravo}"))
            {
                break purges;
            }
            assert!(Instant::now() < deadline, "purges so far: {purges:?}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut ranges: Vec<(i64, i64)> = purges
            .iter()
            .map(|p| (p["from"].as_i64().unwrap(), p["to"].as_i64().unwrap()))
            .collect();
        ranges.sort_unstable();
        for pair in ranges.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "each stretch told once: {ranges:?}");
        }
        assert!(purges.iter().all(|p| p["auth"] == "Bearer cdn-secret"));
        let keys_of_first_edit = purges
            .iter()
            .find(|p| {
                p["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| *k == format!("article-{alpha}"))
            })
            .unwrap();
        println!("purge for the first edit: {keys_of_first_edit}");

        for s in servers {
            s.terminate();
        }
        store.close().await;
        for d in dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
