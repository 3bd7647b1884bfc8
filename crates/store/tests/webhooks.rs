//! Webhook events made from the change log, and claiming deliveries: on
//! SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{Attempt, NewComment, Store, StoreError, WEBHOOK_EVENTS};
use serde_json::Value;

const BASE: &str = "https://news.example.com";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

struct Site {
    section: i64,
    author: i64,
}

async fn site(store: &Store) -> Site {
    Site {
        section: store
            .create_section("world", "World", "", Some(1))
            .await
            .unwrap(),
        author: store.create_author("ann", "Ann", "").await.unwrap(),
    }
}

fn draft(s: &Site, slug: &str, status: Status) -> ArticleDraft {
    let d = ArticleDraft::new(slug, format!("Headline of {slug}"), s.section)
        .body("Text.")
        .authors(vec![s.author]);
    match status {
        Status::Published => d.published(1_000),
        _ => ArticleDraft { status, ..d },
    }
}

fn all_events() -> Vec<String> {
    WEBHOOK_EVENTS.iter().map(|e| e.to_string()).collect()
}

/// (event, payload) of a webhook's deliveries, oldest first.
async fn events_of(store: &Store, hook: i64) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let claimed = store
        .claim_webhook_deliveries(i64::MAX / 2, i64::MAX / 2, 1000)
        .await
        .unwrap();
    for d in claimed.into_iter().filter(|d| d.webhook_id == hook) {
        out.push((d.event.clone(), serde_json::from_str(&d.payload).unwrap()));
    }
    out
}

fn names(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(e, _)| e.as_str()).collect()
}

async fn enqueue(store: &Store) -> usize {
    store.enqueue_webhook_events(BASE).await.unwrap().deliveries
}

async fn article_changes_become_events(db: TestDb) {
    let store = &db.store;
    let s = site(store).await;
    let hook = store
        .create_webhook("http://127.0.0.1:9/hook", &all_events(), SECRET)
        .await
        .unwrap();
    let id = store
        .create_article(draft(&s, "quiet-draft", Status::Draft))
        .await
        .unwrap();
    assert_eq!(enqueue(store).await, 0, "a draft is nobody's business");

    store
        .update_article(id, draft(&s, "quiet-draft", Status::Published), None, false)
        .await
        .unwrap();
    enqueue(store).await;
    let mut d = draft(&s, "quiet-draft", Status::Published);
    d.headline = "A better headline".into();
    store.update_article(id, d, None, true).await.unwrap();
    enqueue(store).await;
    store
        .update_article(
            id,
            draft(&s, "quiet-draft", Status::Unpublished),
            None,
            false,
        )
        .await
        .unwrap();
    enqueue(store).await;
    store
        .update_article(id, draft(&s, "quiet-draft", Status::Published), None, false)
        .await
        .unwrap();
    enqueue(store).await;
    // bbn has no delete button yet; a deletion is a row gone and a logged change.
    store
        .execute_raw(&format!(
            "DELETE FROM articles WHERE id = {id}; \
             INSERT INTO changes (entity, entity_id, op, at) VALUES ('article', {id}, 'delete', {})",
            bbn_core::time::now()
        ))
        .await
        .unwrap();
    enqueue(store).await;
    assert_eq!(enqueue(store).await, 0, "a second run finds nothing new");

    let events = events_of(store, hook).await;
    assert_eq!(
        names(&events),
        [
            "article.published",
            "article.updated",
            "article.unpublished",
            "article.published",
            "article.deleted"
        ]
    );
    let updated = &events[1].1;
    assert_eq!(updated["event"], "article.updated");
    assert_eq!(updated["article"]["id"], id);
    assert_eq!(updated["article"]["headline"], "A better headline");
    assert_eq!(
        updated["article"]["url"],
        "https://news.example.com/news/quiet-draft"
    );
    assert_eq!(updated["article"]["status"], "published");
    assert!(updated["occurred_at"].as_str().unwrap().ends_with('Z'));
    assert!(updated["id"].as_i64().unwrap() > 0);
    let deleted = &events[4].1;
    assert_eq!(deleted["article"]["slug"], "quiet-draft");
    assert_eq!(deleted["article"]["status"], "deleted");
}

async fn comments_and_site_changes_become_events(db: TestDb) {
    let store = &db.store;
    let s = site(store).await;
    let article = store
        .create_article(draft(&s, "talked-about", Status::Published))
        .await
        .unwrap();
    let hook = store
        .create_webhook("https://example.com/h", &all_events(), SECRET)
        .await
        .unwrap();
    let comment = store
        .add_comment(&NewComment {
            article_id: article,
            parent_id: None,
            author_name: "Reader".into(),
            author_email: "reader@example.com".into(),
            body: "First!".into(),
            status: CommentStatus::Pending,
            created_at: 2_000,
        })
        .await
        .unwrap();
    enqueue(store).await;
    store
        .set_comments_status(&[comment], CommentStatus::Approved)
        .await
        .unwrap();
    enqueue(store).await;
    // Fixing a typo in an approved comment is not a second approval.
    store.edit_comment(comment, "First, fixed.").await.unwrap();
    enqueue(store).await;
    // Several site changes in one step are one event.
    store
        .save_settings(&SiteSettings {
            name: "Renamed".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    store
        .create_section("sport", "Sport", "", Some(2))
        .await
        .unwrap();
    enqueue(store).await;

    let events = events_of(store, hook).await;
    assert_eq!(names(&events), ["comment.approved", "site.changed"]);
    let approved = &events[0].1;
    assert_eq!(approved["comment"]["id"], comment);
    assert_eq!(approved["comment"]["author_name"], "Reader");
    assert_eq!(approved["article"]["id"], article);
    assert!(
        !approved.to_string().contains("reader@example.com"),
        "no email"
    );
    let site = &events[1].1;
    let entities: Vec<&str> = site["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entity"].as_str().unwrap())
        .collect();
    assert_eq!(entities, ["settings", "section"]);
}

async fn webhooks_get_what_they_asked_for_from_when_they_existed(db: TestDb) {
    let store = &db.store;
    let s = site(store).await;
    // Published before any webhook, and not yet looked at by webhooks.
    store
        .create_article(draft(&s, "old-news", Status::Published))
        .await
        .unwrap();
    let articles_only = store
        .create_webhook(
            "https://a.example.com/",
            &["article.published".to_string()],
            SECRET,
        )
        .await
        .unwrap();
    let site_only = store
        .create_webhook(
            "https://b.example.com/",
            &["site.changed".to_string()],
            SECRET,
        )
        .await
        .unwrap();
    let paused = store
        .create_webhook("https://c.example.com/", &all_events(), SECRET)
        .await
        .unwrap();
    store.set_webhook_active(paused, false).await.unwrap();
    store
        .create_article(draft(&s, "new-news", Status::Published))
        .await
        .unwrap();
    store.create_topic("weather", "Weather", "").await.unwrap();
    enqueue(store).await;

    let events = events_of(store, articles_only).await;
    assert_eq!(names(&events), ["article.published"]);
    assert_eq!(events[0].1["article"]["slug"], "new-news");
    assert_eq!(
        names(&events_of_again(store, site_only).await),
        ["site.changed"]
    );
    assert!(
        store
            .webhook_deliveries(paused, 50)
            .await
            .unwrap()
            .is_empty()
    );

    // Bad input changes nothing.
    for (url, events) in [
        ("ftp://example.com/", all_events()),
        ("https://example.com/", vec![]),
        ("https://example.com/", vec!["article.exploded".to_string()]),
    ] {
        assert!(matches!(
            store.create_webhook(url, &events, SECRET).await,
            Err(StoreError::Invalid(_))
        ));
    }
    assert_eq!(store.webhooks().await.unwrap().len(), 3);
}

/// The deliveries of a webhook, from the log (after `events_of` claimed them all).
async fn events_of_again(store: &Store, hook: i64) -> Vec<(String, Value)> {
    store
        .webhook_deliveries(hook, 50)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|d| (d.event, Value::Null))
        .collect()
}

async fn the_cursor_survives_a_restart(db: TestDb) {
    let s = site(&db.store).await;
    let hook = db
        .store
        .create_webhook("https://example.com/h", &all_events(), SECRET)
        .await
        .unwrap();
    db.store
        .create_article(draft(&s, "before-restart", Status::Published))
        .await
        .unwrap();
    assert_eq!(enqueue(&db.store).await, 1);
    db.store.close().await;

    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(enqueue(&store).await, 0, "nothing is made twice");
    store
        .create_article(draft(&s, "after-restart", Status::Published))
        .await
        .unwrap();
    assert_eq!(enqueue(&store).await, 1);
    let log = store.webhook_deliveries(hook, 50).await.unwrap();
    assert_eq!(log.len(), 2);
    store.close().await;
}

async fn two_claimers_never_get_the_same_delivery(db: TestDb) {
    let store = &db.store;
    let s = site(store).await;
    let hook = store
        .create_webhook("https://example.com/h", &all_events(), SECRET)
        .await
        .unwrap();
    for i in 0..40 {
        store
            .create_article(draft(&s, &format!("story-{i}"), Status::Published))
            .await
            .unwrap();
    }
    assert_eq!(enqueue(store).await, 40);
    // Two stores on one database, as two instances would have.
    let other = Store::connect(&db.url).await.unwrap();
    let now = bbn_core::time::now();
    let mut tasks = Vec::new();
    for claimer in [store.clone(), other.clone(), store.clone(), other.clone()] {
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = claimer
                    .claim_webhook_deliveries(now, now + 60, 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                got.extend(batch.into_iter().map(|d| d.id));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let claimed = all.len();
    all.dedup();
    assert_eq!(claimed, all.len(), "no delivery was claimed twice");
    assert_eq!(all.len(), 40, "every delivery was claimed");
    // Leased: nothing is due again until the lease ends.
    assert!(
        store
            .claim_webhook_deliveries(now, now + 60, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_webhook_deliveries(now + 61, now + 120, 100)
        .await
        .unwrap();
    assert_eq!(again.len(), 40, "a lease that ran out makes them due again");
    assert!(again.iter().all(|d| d.attempts == 2));

    // Outcomes: delivered stays delivered; given up can be retried once by hand.
    store
        .record_webhook_attempt(again[0].id, &Attempt::Delivered { status: 204 })
        .await
        .unwrap();
    store
        .record_webhook_attempt(
            again[1].id,
            &Attempt::Failed {
                status: Some(500),
                error: "HTTP 500".into(),
                retry_at: None,
            },
        )
        .await
        .unwrap();
    let log = store.webhook_deliveries(hook, 50).await.unwrap();
    let by_id = |id| log.iter().find(|d| d.id == id).unwrap();
    assert_eq!(by_id(again[0].id).state, "delivered");
    assert_eq!(by_id(again[0].id).last_status, Some(204));
    assert_eq!(by_id(again[1].id).state, "failed");
    assert_eq!(by_id(again[1].id).last_error, "HTTP 500");
    assert!(matches!(
        store.retry_webhook_delivery(hook, again[0].id).await,
        Err(StoreError::NotFound)
    ));
    store
        .retry_webhook_delivery(hook, again[1].id)
        .await
        .unwrap();
    let due = store
        .claim_webhook_deliveries(bbn_core::time::now(), now + 200, 100)
        .await
        .unwrap();
    assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), [again[1].id]);
    other.close().await;
}

async fn pings_and_deleting_webhooks(db: TestDb) {
    let store = &db.store;
    let hook = store
        .create_webhook("https://example.com/h", &all_events(), SECRET)
        .await
        .unwrap();
    let a = store.queue_webhook_ping(hook).await.unwrap();
    let b = store.queue_webhook_ping(hook).await.unwrap();
    assert_ne!(a, b);
    let due = store
        .claim_webhook_deliveries(bbn_core::time::now(), bbn_core::time::now() + 60, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].event, "ping");
    assert_eq!(due[0].secret, SECRET);
    let payload: Value = serde_json::from_str(&due[0].payload).unwrap();
    assert_eq!(payload["event"], "ping");
    assert!(
        !format!("{:?}", due[0]).contains(SECRET),
        "Debug hides the secret"
    );
    store.delete_webhook(hook).await.unwrap();
    assert!(store.webhook(hook).await.unwrap().is_none());
    assert!(store.webhook_deliveries(hook, 50).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_webhook(hook).await,
        Err(StoreError::NotFound)
    ));
}

async fn two_instances_make_each_event_once(db: TestDb) {
    let store = &db.store;
    let s = site(store).await;
    let hook = store
        .create_webhook("https://example.com/h", &all_events(), SECRET)
        .await
        .unwrap();
    let other = Store::connect(&db.url).await.unwrap();
    // Both instances follow the log while articles are published.
    let followers: Vec<_> = [store.clone(), other.clone()]
        .into_iter()
        .map(|instance| {
            tokio::spawn(async move {
                for _ in 0..30 {
                    instance.enqueue_webhook_events(BASE).await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for i in 0..15 {
        store
            .create_article(draft(&s, &format!("busy-{i}"), Status::Published))
            .await
            .unwrap();
    }
    for f in followers {
        f.await.unwrap();
    }
    other.enqueue_webhook_events(BASE).await.unwrap();
    let log = store.webhook_deliveries(hook, 100).await.unwrap();
    assert_eq!(log.len(), 15);
    assert!(log.iter().all(|d| d.event == "article.published"));
    other.close().await;
}

bbn_store::on_both_backends!(
    two_instances_make_each_event_once,
    article_changes_become_events,
    comments_and_site_changes_become_events,
    webhooks_get_what_they_asked_for_from_when_they_existed,
    the_cursor_survives_a_restart,
    two_claimers_never_get_the_same_delivery,
    pings_and_deleting_webhooks,
);
