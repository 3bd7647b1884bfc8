//! The search index as an operator meets it: `bbn reindex`, an index that
//! is broken or from another version rebuilt at start, and two instances on
//! one PostgreSQL database that find each other's new articles.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_core::Status;
use bbn_core::validate::ArticleDraft;
use bbn_store::testing::TestDb;
use bbn_store::{Backend, Store};
use std::time::{Duration, Instant};
use support::{Server, bbn, http_get, temp_dir};

fn found(port: u16, q: &str) -> bool {
    http_get(port, &format!("/search?q={q}"))
        .is_some_and(|(s, page)| s == 200 && !page.contains("No articles match"))
}

#[test]
fn reindex_and_broken_indexes() {
    let dir = temp_dir("reindex");
    let server = Server::start(&dir, &[]);
    assert!(
        found(server.port, "pyongyang"),
        "the demo is searchable at once"
    );
    server.terminate();

    let out = bbn()
        .arg("--data-dir")
        .arg(&dir)
        .arg("reindex")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("indexed 36 published articles in "),
        "{said}"
    );
    assert!(said.contains(" MB in "), "{said}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("36/36 articles"),
        "a progress bar"
    );

    // Garbage where the index's metadata was: rebuilt at start, with a log line.
    std::fs::write(dir.join("search/meta.json"), b"{ not json").unwrap();
    let server = Server::start_logged(&dir, &[]);
    assert!(found(server.port, "pyongyang"));
    assert!(
        server
            .log()
            .contains("search index unusable: rebuilding it"),
        "{}",
        server.log()
    );
    server.terminate();

    // An index written by another format of bbn: the same.
    std::fs::write(dir.join("search/bbn-format"), b"bbn-search-0").unwrap();
    let server = Server::start_logged(&dir, &[]);
    assert!(found(server.port, "lavrov"));
    assert!(server.log().contains("rebuilding"), "{}", server.log());
    server.terminate();

    // No index at all: built.
    std::fs::remove_dir_all(dir.join("search")).unwrap();
    let server = Server::start(&dir, &[]);
    assert!(found(server.port, "lavrov"));
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_find_each_others_articles() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let (a_dir, b_dir) = (temp_dir("instance-a"), temp_dir("instance-b"));
    let a = Server::start(&a_dir, &["--database-url", &db.url]);
    let b = Server::start(&b_dir, &["--database-url", &db.url]);
    assert!(found(a.port, "pyongyang") && found(b.port, "pyongyang"));
    assert!(!found(b.port, "zeppelin"));

    // A third writer (the newsroom of either) publishes; both find it within 2 s.
    let store: &Store = &db.store;
    let world = store.section_by_slug("world").await.unwrap().unwrap();
    let author = store
        .author_by_slug("gabriel-martinez")
        .await
        .unwrap()
        .unwrap();
    let id = store
        .create_article(ArticleDraft {
            slug: "zeppelin-returns".into(),
            headline: "Zeppelin returns to the skies over Friedrichshafen".into(),
            dek: String::new(),
            kicker: String::new(),
            body_markdown: "An airship flew again.".into(),
            section_id: world.id,
            author_ids: vec![author.id],
            topic_ids: vec![],
            faq: vec![],
            image_id: None,
            seo_title: String::new(),
            seo_description: String::new(),
            comments_open: true,
            status: Status::Published,
            published_at: Some(bbn_core::time::now()),
            scheduled_at: None,
        })
        .await
        .unwrap();
    let written = Instant::now();
    while !(found(a.port, "zeppelin") && found(b.port, "zeppelin")) {
        assert!(
            written.elapsed() < Duration::from_secs(2),
            "not found on both within 2 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let seen_after = written.elapsed();

    // Unpublished: gone from both as quickly.
    let mut draft = ArticleDraft::from(&store.article_by_id(id).await.unwrap().unwrap());
    draft.status = Status::Unpublished;
    store.update_article(id, draft, None, false).await.unwrap();
    let written = Instant::now();
    while found(a.port, "zeppelin") || found(b.port, "zeppelin") {
        assert!(
            written.elapsed() < Duration::from_secs(2),
            "still found after 2 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "\ntwo instances: found on both {} ms after publishing, gone {} ms after unpublishing\n",
            seen_after.as_millis(),
            written.elapsed().as_millis()
        )
        .as_bytes(),
    );
    a.terminate();
    b.terminate();
    std::fs::remove_dir_all(a_dir).unwrap();
    std::fs::remove_dir_all(b_dir).unwrap();
}
