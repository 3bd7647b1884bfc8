//! API keys in the newsroom: admins make content keys (shown once) and
//! staff tokens (capped at the account's role), and revoke them; the API
//! follows at once. Everyone else is refused. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::{Role, password};
use bbn_store::NewUser;
use bbn_store::testing::TestDb;
use browser_like::{Client, app};

const PW: &str = "a long enough phrase";

async fn setup(db: &TestDb) -> axum::Router {
    let hash = password::hash(PW).unwrap();
    for (email, role) in [
        ("admin@example.com", Role::Admin),
        ("editor@example.com", Role::Editor),
    ] {
        db.store
            .create_user(&NewUser {
                email: email.into(),
                name: email.into(),
                role,
                password_hash: Some(hash.clone()),
            })
            .await
            .unwrap();
    }
    app(&db.store, "https://news.example").0
}

/// The value of the read-only field that shows a new key.
fn issued_key(html: &str) -> String {
    let marker = "id=\"issued-key\" class=\"nr-secret\" value=\"";
    let start = html.find(marker).expect("the new key is shown") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

async fn admins_make_and_revoke_keys(db: TestDb) {
    let router = setup(&db).await;
    let mut admin = Client::new(router.clone());
    admin.sign_in("admin@example.com", PW).await;
    let home = admin.get("/newsroom").await;
    assert!(
        home.body.contains("href=\"/newsroom/api-keys\""),
        "linked from the navigation"
    );
    let page = admin.get("/newsroom/api-keys").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No keys yet."));

    let made = admin
        .submit(
            "/newsroom/api-keys",
            &page.body,
            &[("kind", "content"), ("name", "Mobile app")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let key = issued_key(&made.body);
    assert_eq!(key.len(), 26);
    let mut reader = Client::new(router.clone());
    let api = reader
        .get(&format!("/ghost/api/content/posts/?key={key}"))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);

    let again = admin.get("/newsroom/api-keys").await;
    assert!(!again.body.contains(&key), "shown once only");
    assert!(again.body.contains(&format!("…{}", &key[22..])));
    assert!(again.body.contains("Mobile app"));

    // Staff tokens: never above the account's role.
    let editor_id = db
        .store
        .user_for_sign_in("editor@example.com")
        .await
        .unwrap()
        .unwrap()
        .0
        .id
        .to_string();
    let too_high = admin
        .submit(
            "/newsroom/api-keys",
            &again.body,
            &[
                ("kind", "staff"),
                ("name", "Bot"),
                ("user_id", &editor_id),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(too_high.status, StatusCode::BAD_REQUEST);
    assert!(too_high.body.contains("cannot do more than the account"));
    let token = admin
        .submit(
            "/newsroom/api-keys",
            &again.body,
            &[
                ("kind", "staff"),
                ("name", "Bot"),
                ("user_id", &editor_id),
                ("role", "author"),
            ],
        )
        .await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.body);
    assert!(issued_key(&token.body).starts_with("bbn_"));
    assert!(token.body.contains("editor@example.com, as Author"));

    // Revoking needs the form's token, then takes effect at once.
    let id = db
        .store
        .api_keys()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.name == "Mobile app")
        .unwrap()
        .id;
    let forged = admin
        .post_form(&format!("/newsroom/api-keys/{id}/revoke"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let list = admin.get("/newsroom/api-keys").await;
    let revoked = admin
        .submit(&format!("/newsroom/api-keys/{id}/revoke"), &list.body, &[])
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.body.contains("Revoked "));
    let api = reader
        .get(&format!("/ghost/api/content/posts/?key={key}"))
        .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
}

async fn only_admins_see_keys(db: TestDb) {
    let router = setup(&db).await;
    let mut editor = Client::new(router.clone());
    editor.sign_in("editor@example.com", PW).await;
    assert!(
        !editor
            .get("/newsroom")
            .await
            .body
            .contains("/newsroom/api-keys")
    );
    assert_eq!(
        editor.get("/newsroom/api-keys").await.status,
        StatusCode::FORBIDDEN
    );
    let page = editor.get("/newsroom").await;
    let tried = editor
        .submit(
            "/newsroom/api-keys",
            &page.body,
            &[("kind", "content"), ("name", "Mine")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    assert!(db.store.api_keys().await.unwrap().is_empty());
    let mut stranger = Client::new(router);
    let r = stranger.get("/newsroom/api-keys").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sign in first");
}

bbn_store::on_both_backends!(admins_make_and_revoke_keys, only_admins_see_keys);
