//! The webhooks screen: admins only; adding (with the secret shown once),
//! pausing, test events, the delivery log with "retry now", deleting;
//! internal addresses turned away unless the operator allows them.
//! SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::{Role, SiteSettings, password};
use bbn_store::testing::TestDb;
use bbn_store::{Attempt, NewUser};
use bbn_web::WebConfig;
use browser_like::{Client, app_with};

const PW: &str = "a long enough phrase";

async fn setup(db: &TestDb) -> axum::Router {
    setup_with(db, WebConfig::new("http://news.test")).await
}

async fn setup_with(db: &TestDb, config: WebConfig) -> axum::Router {
    let store = &db.store;
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let hash = password::hash(PW).unwrap();
    for (email, role) in [
        ("admin@example.com", Role::Admin),
        ("editor@example.com", Role::Editor),
    ] {
        store
            .create_user(&NewUser {
                email: email.into(),
                name: email.into(),
                role,
                password_hash: Some(hash.clone()),
            })
            .await
            .unwrap();
    }
    app_with(store, config).0
}

async fn signed_in(router: &axum::Router, email: &str) -> Client {
    let mut c = Client::new(router.clone());
    c.sign_in(email, PW).await;
    c
}

/// The value of `<code class="nr-secret">` on a page.
fn secret_on(page: &str) -> String {
    let start = page.find("class=\"nr-secret\">").unwrap() + "class=\"nr-secret\">".len();
    page[start..start + page[start..].find('<').unwrap()].to_string()
}

async fn only_admins_manage_webhooks(db: TestDb) {
    let router = setup(&db).await;
    let hook = db
        .store
        .create_webhook(
            "https://example.com/h",
            &["site.changed".to_string()],
            "0123456789abcdef0123456789",
        )
        .await
        .unwrap();
    let mut editor = signed_in(&router, "editor@example.com").await;
    let home = editor.get("/newsroom").await;
    assert!(
        !home.body.contains("/newsroom/webhooks"),
        "no link for editors"
    );
    for page in ["/newsroom/webhooks", &format!("/newsroom/webhooks/{hook}")] {
        assert_eq!(
            editor.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    let r = editor
        .submit(
            &format!("/newsroom/webhooks/{hook}"),
            &home.body,
            &[("action", "delete")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = editor
        .submit(
            "/newsroom/webhooks",
            &home.body,
            &[
                ("url", "https://evil.example.com/"),
                ("events", "site.changed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(db.store.webhooks().await.unwrap().len(), 1);

    // Signed out: off to sign in.
    let mut nobody = Client::new(router.clone());
    assert_eq!(
        nobody.get("/newsroom/webhooks").await.status,
        StatusCode::SEE_OTHER
    );
    // Without the page's token nothing happens, even for an admin.
    let mut admin = signed_in(&router, "admin@example.com").await;
    let r = admin
        .post_form(
            &format!("/newsroom/webhooks/{hook}"),
            &[("_csrf", "forged"), ("action", "delete")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(db.store.webhook(hook).await.unwrap().is_some());
}

async fn admins_add_pause_test_retry_and_delete(db: TestDb) {
    let router = setup(&db).await;
    let mut admin = signed_in(&router, "admin@example.com").await;
    let home = admin.get("/newsroom").await;
    assert!(
        home.body.contains("href=\"/newsroom/webhooks\""),
        "in the navigation"
    );
    let page = admin.get("/newsroom/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No webhooks yet."));

    // Bad input: a clear error, nothing stored, the typed address kept.
    let r = admin
        .submit(
            "/newsroom/webhooks",
            &page.body,
            &[("url", "ftp://files.example.com/")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("must start with http:// or https://"));
    assert!(r.body.contains("Choose at least one event."));
    assert!(r.body.contains("value=\"ftp://files.example.com/\""));
    assert!(db.store.webhooks().await.unwrap().is_empty());

    let r = admin
        .submit(
            "/newsroom/webhooks",
            &page.body,
            &[
                ("url", "https://hooks.example.com/bbn"),
                ("events", "article.published"),
                ("events", "comment.approved"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let secret = secret_on(&r.body);
    assert_eq!(secret.len(), 64);
    assert!(r.body.contains("X-Bbn-Signature"), "how to verify");
    let hooks = db.store.webhooks().await.unwrap();
    assert_eq!(hooks.len(), 1);
    let h = &hooks[0];
    assert_eq!(h.url, "https://hooks.example.com/bbn");
    assert_eq!(h.events, ["article.published", "comment.approved"]);
    assert_eq!(h.secret, secret);
    let list = admin.get("/newsroom/webhooks").await;
    assert!(list.body.contains("https://hooks.example.com/bbn"));
    assert!(!list.body.contains(&secret), "the secret is shown once");

    let url = format!("/newsroom/webhooks/{}", h.id);
    let detail = admin.get(&url).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("Nothing sent yet."));

    // Pause and resume.
    let r = admin
        .submit(&url, &detail.body, &[("action", "disable")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!db.store.webhook(h.id).await.unwrap().unwrap().active);
    let paused = admin.get(&url).await;
    assert!(paused.body.contains("Resume"));
    admin
        .submit(&url, &paused.body, &[("action", "enable")])
        .await;
    assert!(db.store.webhook(h.id).await.unwrap().unwrap().active);

    // A test event goes in the log as a ping.
    let r = admin
        .submit(&url, &detail.body, &[("action", "ping")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let log = db.store.webhook_deliveries(h.id, 50).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].event, "ping");
    let shown = admin.get(&url).await;
    assert!(shown.body.contains("ping"));
    assert!(shown.body.contains("pending"));
    assert!(
        !shown.body.contains("Retry now"),
        "only given-up deliveries are retried"
    );

    // As if the sender had given it up.
    let now = bbn_core::time::now();
    let claimed = db
        .store
        .claim_webhook_deliveries(now, now + 60, 10)
        .await
        .unwrap();
    db.store
        .record_webhook_attempt(
            claimed[0].id,
            &Attempt::Failed {
                status: Some(503),
                error: "the receiver answered HTTP 503".into(),
                retry_at: None,
            },
        )
        .await
        .unwrap();
    let failed = admin.get(&url).await;
    assert!(failed.body.contains("HTTP 503"));
    assert!(failed.body.contains("failed"));
    let retry = format!("{url}/deliveries/{}/retry", claimed[0].id);
    assert!(failed.body.contains(&retry));
    let r = admin.submit(&retry, &failed.body, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let log = db.store.webhook_deliveries(h.id, 50).await.unwrap();
    assert_eq!(log[0].state, "pending");
    assert!(log[0].next_attempt_at <= bbn_core::time::now());
    // Retrying what is not given up is not found.
    let r = admin.submit(&retry, &failed.body, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = admin
        .submit(&url, &detail.body, &[("action", "delete")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/newsroom/webhooks"));
    assert!(db.store.webhooks().await.unwrap().is_empty());
    assert_eq!(admin.get(&url).await.status, StatusCode::NOT_FOUND);
}

/// bbn issue 22, finding 11: a URL that names this machine or a private
/// network outright gets a clear word on the form, and is not stored.
async fn webhook_to_internal_address_is_refused_on_the_form(db: TestDb) {
    let router = setup(&db).await;
    let mut admin = signed_in(&router, "admin@example.com").await;
    let page = admin.get("/newsroom/webhooks").await;
    for url in [
        "http://127.0.0.1:5432/",
        "http://[::1]:22/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
        "http://localhost:8080/hook",
    ] {
        let r = admin
            .submit(
                "/newsroom/webhooks",
                &page.body,
                &[("url", url), ("events", "article.published")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}");
        assert!(
            r.body.contains("Webhooks may only go to public addresses"),
            "{url}: {}",
            r.body
        );
        assert!(
            r.body.contains("value=\"article.published\" checked"),
            "{url}: the chosen events kept"
        );
    }
    assert!(db.store.webhooks().await.unwrap().is_empty());
}

/// With `--webhook-allow-private`, the same addresses are accepted.
async fn private_receivers_allowed_on_the_form_with_the_option(db: TestDb) {
    let config = WebConfig {
        webhook_allow_private: true,
        ..WebConfig::new("http://news.test")
    };
    let router = setup_with(&db, config).await;
    let mut admin = signed_in(&router, "admin@example.com").await;
    let page = admin.get("/newsroom/webhooks").await;
    let r = admin
        .submit(
            "/newsroom/webhooks",
            &page.body,
            &[
                ("url", "http://127.0.0.1:9000/hook"),
                ("events", "article.published"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(db.store.webhooks().await.unwrap().len(), 1);
}

bbn_store::on_both_backends!(
    webhook_to_internal_address_is_refused_on_the_form,
    private_receivers_allowed_on_the_form_with_the_option,
    only_admins_manage_webhooks,
    admins_add_pause_test_retry_and_delete,
);
