//! Getting into the newsroom as staff would: the setup link, signing in and
//! out, CSRF on every form, throttled guessing, and sessions that end when
//! they must. Every test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::{Role, password};
use bbn_store::NewUser;
use bbn_store::testing::TestDb;
use browser_like::{Client, app};

async fn staff(db: &TestDb, email: &str, role: Role) -> i64 {
    db.store
        .create_user(&NewUser {
            email: email.into(),
            name: format!("Staff {}", email.split('@').next().unwrap()),
            role,
            password_hash: Some(password::hash("a long enough phrase").unwrap()),
        })
        .await
        .unwrap()
}

async fn the_setup_link_creates_the_first_admin_once(db: TestDb) {
    let (router, state) = app(&db.store, "http://news.example");
    let link = state
        .prepare_setup_link()
        .await
        .unwrap()
        .expect("a new site offers a setup link");
    let mut browser = Client::new(router.clone());
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Create the first admin"));
    let weak = browser
        .submit(
            &link,
            &page.body,
            &[
                ("name", "Ada Admin"),
                ("email", "ada@example.com"),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("Use at least 10 characters."));
    assert_eq!(
        db.store.count_users().await.unwrap(),
        0,
        "a refused form changes nothing"
    );
    let done = browser
        .submit(
            &link,
            &weak.body,
            &[
                ("name", "Ada Admin"),
                ("email", "Ada@Example.com"),
                ("password", "a long enough phrase"),
                ("confirm", "a long enough phrase"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), Some("/newsroom"));
    let home = browser.get("/newsroom").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Ada Admin"));
    let staff = browser.get("/newsroom/staff").await;
    assert!(
        staff.body.contains("ada@example.com"),
        "emails are kept lowercased"
    );
    let (user, _) = db
        .store
        .user_for_sign_in("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::Admin);
    assert!(user.author_id.is_some(), "staff get a byline");
    assert_eq!(
        Client::new(router).get(&link).await.status,
        StatusCode::NOT_FOUND,
        "the link works once"
    );
}

async fn signing_in_and_out(db: TestDb) {
    staff(&db, "writer@example.com", Role::Author).await;
    let (router, _) = app(&db.store, "https://news.example");
    let mut browser = Client::new(router);
    let gate = browser.get("/newsroom").await;
    assert_eq!(gate.status, StatusCode::SEE_OTHER);
    assert_eq!(gate.location(), Some("/newsroom/sign-in?next=/newsroom"));
    let form = browser.get("/newsroom/sign-in?next=/newsroom").await;
    for (email, pw) in [
        ("writer@example.com", "wrong password here"),
        ("nobody@example.com", "a long enough phrase"),
    ] {
        let failed = browser
            .submit(
                "/newsroom/sign-in",
                &form.body,
                &[("email", email), ("password", pw), ("next", "/newsroom")],
            )
            .await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
        assert!(
            failed.body.contains("The email or password is wrong."),
            "the same answer whether or not the email exists"
        );
    }
    let ok = browser
        .submit(
            "/newsroom/sign-in",
            &form.body,
            &[
                ("email", "WRITER@example.com"),
                ("password", "a long enough phrase"),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ok.location(),
        Some("/newsroom"),
        "no redirect off the newsroom"
    );
    let cookie = ok.set_cookie("bbn_session").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
    let home = browser.get("/newsroom").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let out = browser.submit("/newsroom/sign-out", &home.body, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get("/newsroom").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

async fn forms_without_the_right_token_are_refused(db: TestDb) {
    staff(&db, "writer@example.com", Role::Author).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut browser = Client::new(router);
    browser.get("/newsroom/sign-in").await;
    let forged = browser
        .post_form(
            "/newsroom/sign-in",
            &[
                ("email", "writer@example.com"),
                ("password", "a long enough phrase"),
                ("_csrf", &"0".repeat(64)),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.set_cookie("bbn_session").is_none());
    browser
        .sign_in("writer@example.com", "a long enough phrase")
        .await;
    let forged_out = browser
        .post_form("/newsroom/sign-out", &[("_csrf", "nope")])
        .await;
    assert_eq!(forged_out.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/newsroom").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

async fn guessing_is_slowed_then_refused(db: TestDb) {
    staff(&db, "target@example.com", Role::Editor).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut browser = Client::new(router.clone());
    browser.send_from("203.0.113.9".parse().unwrap());
    let form = browser.get("/newsroom/sign-in").await;
    let mut statuses = Vec::new();
    for i in 0..11 {
        let r = browser
            .submit(
                "/newsroom/sign-in",
                &form.body,
                &[
                    ("email", "target@example.com"),
                    ("password", &format!("guess number {i}")),
                ],
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(statuses[..10], [StatusCode::UNAUTHORIZED; 10]);
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
    let right = browser
        .submit(
            "/newsroom/sign-in",
            &form.body,
            &[
                ("email", "target@example.com"),
                ("password", "a long enough phrase"),
            ],
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits out the lock, from the guessing address"
    );
    // The owner, elsewhere, is not locked out by someone else's guesses.
    let mut owner = Client::new(router);
    owner.send_from("198.51.100.4".parse().unwrap());
    let form = owner.get("/newsroom/sign-in").await;
    let signed_in = owner
        .submit(
            "/newsroom/sign-in",
            &form.body,
            &[
                ("email", "target@example.com"),
                ("password", "a long enough phrase"),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "the account's owner signs in from another address"
    );
}

async fn disabling_an_account_ends_its_sessions_at_once(db: TestDb) {
    let id = staff(&db, "leaver@example.com", Role::Editor).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut browser = Client::new(router);
    browser
        .sign_in("leaver@example.com", "a long enough phrase")
        .await;
    assert_eq!(browser.get("/newsroom").await.status, StatusCode::OK);
    db.store.set_user_disabled(id, true).await.unwrap();
    assert_eq!(browser.get("/newsroom").await.status, StatusCode::SEE_OTHER);
    let form = browser.get("/newsroom/sign-in").await;
    let again = browser
        .submit(
            "/newsroom/sign-in",
            &form.body,
            &[
                ("email", "leaver@example.com"),
                ("password", "a long enough phrase"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot sign in"
    );
}

async fn changing_the_password_signs_out_other_sessions(db: TestDb) {
    staff(&db, "me@example.com", Role::Contributor).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut laptop = Client::new(router.clone());
    let mut phone = Client::new(router);
    laptop
        .sign_in("me@example.com", "a long enough phrase")
        .await;
    phone
        .sign_in("me@example.com", "a long enough phrase")
        .await;
    let form = laptop.get("/newsroom/account/password").await;
    let wrong = laptop
        .submit(
            "/newsroom/account/password",
            &form.body,
            &[
                ("current", "not my password"),
                ("password", "a brand new phrase"),
                ("confirm", "a brand new phrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("That is not your current password."));
    let changed = laptop
        .submit(
            "/newsroom/account/password",
            &form.body,
            &[
                ("current", "a long enough phrase"),
                ("password", "a brand new phrase"),
                ("confirm", "a brand new phrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/newsroom").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        phone.get("/newsroom").await.status,
        StatusCode::SEE_OTHER,
        "the other one ends"
    );
    let mut fresh = Client::new(laptop.router());
    fresh.sign_in("me@example.com", "a brand new phrase").await;
    assert_eq!(fresh.get("/newsroom").await.status, StatusCode::OK);
}

fn shown_password(page: &str) -> String {
    let marker = "<code class=\"nr-secret\">";
    let start = page.find(marker).expect("a one-time password is shown") + marker.len();
    page[start..start + page[start..].find('<').unwrap()].to_string()
}

async fn admins_manage_staff_and_nobody_else_can(db: TestDb) {
    staff(&db, "boss@example.com", Role::Admin).await;
    staff(&db, "editor@example.com", Role::Editor).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut editor = Client::new(router.clone());
    editor
        .sign_in("editor@example.com", "a long enough phrase")
        .await;
    assert_eq!(
        editor.get("/newsroom/staff").await.status,
        StatusCode::FORBIDDEN
    );
    let home = editor.get("/newsroom").await;
    assert!(
        !home.body.contains("/newsroom/staff"),
        "no Staff link for editors"
    );
    let crafted = editor
        .submit(
            "/newsroom/staff",
            &home.body,
            &[
                ("name", "Mallory"),
                ("email", "m@example.com"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(
        crafted.status,
        StatusCode::FORBIDDEN,
        "a crafted POST is refused on the server"
    );
    assert!(
        db.store
            .user_for_sign_in("m@example.com")
            .await
            .unwrap()
            .is_none()
    );

    let mut admin = Client::new(router.clone());
    admin
        .sign_in("boss@example.com", "a long enough phrase")
        .await;
    let list = admin.get("/newsroom/staff").await;
    assert_eq!(list.status, StatusCode::OK);
    let invited = admin
        .submit(
            "/newsroom/staff",
            &list.body,
            &[
                ("name", "New Writer"),
                ("email", "new@example.com"),
                ("role", "author"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK);
    let temporary = shown_password(&invited.body);
    let dup = admin
        .submit(
            "/newsroom/staff",
            &list.body,
            &[
                ("name", "Again"),
                ("email", "NEW@example.com"),
                ("role", "author"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.body.contains("already has this email"));
    let bad = admin
        .submit(
            "/newsroom/staff",
            &list.body,
            &[("name", ""), ("email", "not-an-email"), ("role", "author")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Enter an email address"));

    let mut newcomer = Client::new(router.clone());
    newcomer.sign_in("new@example.com", &temporary).await;
    let (user, _) = db
        .store
        .user_for_sign_in("new@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::Author);
    let disabled = admin
        .submit(
            &format!("/newsroom/staff/{}", user.id),
            &list.body,
            &[("action", "disable")],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK);
    assert_eq!(
        newcomer.get("/newsroom").await.status,
        StatusCode::SEE_OTHER,
        "disabled at once"
    );
    admin
        .submit(
            &format!("/newsroom/staff/{}", user.id),
            &list.body,
            &[("action", "enable")],
        )
        .await;
    let reset = admin
        .submit(
            &format!("/newsroom/staff/{}", user.id),
            &list.body,
            &[("action", "reset-password")],
        )
        .await;
    let fresh = shown_password(&reset.body);
    assert_ne!(fresh, temporary);
    let mut again = Client::new(router);
    again.sign_in("new@example.com", &fresh).await;
}

async fn an_expired_session_asks_to_sign_in_again(db: TestDb) {
    staff(&db, "idle@example.com", Role::Author).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut browser = Client::new(router);
    browser
        .sign_in("idle@example.com", "a long enough phrase")
        .await;
    let page = browser.get("/newsroom").await;
    assert_eq!(page.status, StatusCode::OK);
    // Eight hours without a request later:
    db.store.clock().advance(8 * 3600 + 1);
    let gate = browser.get("/newsroom").await;
    assert_eq!(gate.status, StatusCode::SEE_OTHER);
    assert_eq!(gate.location(), Some("/newsroom/sign-in?next=/newsroom"));
    let late = browser
        .submit(
            "/newsroom/account/password",
            &page.body,
            &[("current", "x"), ("password", "y"), ("confirm", "y")],
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::SEE_OTHER,
        "a form sent after expiry is not acted on"
    );
}

async fn a_session_id_known_before_sign_in_is_never_used(db: TestDb) {
    staff(&db, "me@example.com", Role::Author).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut victim = Client::new(router.clone());
    // A token chosen by an attacker, and one the victim held before.
    let planted = "ab".repeat(32);
    victim.plant_cookie("bbn_session", &planted);
    victim
        .sign_in("me@example.com", "a long enough phrase")
        .await;
    let issued = victim.cookie("bbn_session").unwrap().to_string();
    assert_ne!(issued, planted, "sign-in issues its own session id");
    let mut attacker = Client::new(router);
    attacker.plant_cookie("bbn_session", &planted);
    assert_eq!(
        attacker.get("/newsroom").await.status,
        StatusCode::SEE_OTHER,
        "the planted id is not a session"
    );
    assert_eq!(victim.get("/newsroom").await.status, StatusCode::OK);
}

async fn signing_out_ends_the_sessions_on_every_device(db: TestDb) {
    staff(&db, "me@example.com", Role::Author).await;
    staff(&db, "other@example.com", Role::Author).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut laptop = Client::new(router.clone());
    let mut phone = Client::new(router.clone());
    let mut colleague = Client::new(router);
    laptop
        .sign_in("me@example.com", "a long enough phrase")
        .await;
    phone
        .sign_in("me@example.com", "a long enough phrase")
        .await;
    colleague
        .sign_in("other@example.com", "a long enough phrase")
        .await;
    let home = laptop.get("/newsroom").await;
    let out = laptop.submit("/newsroom/sign-out", &home.body, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/newsroom").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        phone.get("/newsroom").await.status,
        StatusCode::SEE_OTHER,
        "the other device is signed out too"
    );
    assert_eq!(
        colleague.get("/newsroom").await.status,
        StatusCode::OK,
        "another account's session stays"
    );
}

async fn staff_actions_are_in_the_audit_log_for_admins_to_read(db: TestDb) {
    staff(&db, "boss@example.com", Role::Admin).await;
    let writer = staff(&db, "writer@example.com", Role::Author).await;
    let (router, _) = app(&db.store, "http://news.example");
    let mut w = Client::new(router.clone());
    let form = w.get("/newsroom/sign-in").await;
    let typed = "<script>alert(1)</script>@example.com";
    for (email, status) in [
        ("writer@example.com", StatusCode::UNAUTHORIZED),
        (typed, StatusCode::UNAUTHORIZED),
    ] {
        let r = w
            .submit(
                "/newsroom/sign-in",
                &form.body,
                &[("email", email), ("password", "not the password")],
            )
            .await;
        assert_eq!(r.status, status);
    }
    w.sign_in("writer@example.com", "a long enough phrase")
        .await;
    let pw = w.get("/newsroom/account/password").await;
    let refused = w
        .submit(
            "/newsroom/account/password",
            &pw.body,
            &[("current", "wrong"), ("password", "x"), ("confirm", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        w.get("/newsroom/audit").await.status,
        StatusCode::FORBIDDEN,
        "only admins read the log"
    );

    let rows = db.store.audit_log(None, None, 100).await.unwrap();
    let seen: Vec<(Option<i64>, &str, &str, i64)> = rows
        .iter()
        .rev()
        .map(|r| (r.user_id, r.actor.as_str(), r.action.as_str(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            (
                Some(writer),
                "writer@example.com",
                "POST /newsroom/sign-in",
                401
            ),
            (None, typed, "POST /newsroom/sign-in", 401),
            (Some(writer), "Staff writer", "POST /newsroom/sign-in", 303),
            (
                Some(writer),
                "Staff writer",
                "POST /newsroom/account/password",
                400
            ),
        ],
        "reads are not logged, refusals are"
    );
    assert!(
        rows.iter()
            .all(|r| !r.address_hash.is_empty() && !r.address_hash.contains("unknown"))
    );

    // A write a crash cut short: its entry was begun and never settled.
    db.store
        .begin_audit(&bbn_store::NewAuditEntry {
            user_id: Some(writer),
            actor: "Staff writer",
            action: "POST /newsroom/picks",
            target: "/newsroom/picks",
            status: 0,
            address_hash: "abc",
        })
        .await
        .unwrap();

    let mut boss = Client::new(router);
    boss.sign_in("boss@example.com", "a long enough phrase")
        .await;
    let screen = boss.get("/newsroom/audit").await;
    assert_eq!(screen.status, StatusCode::OK);
    assert!(screen.body.contains("Cut short: not known"));
    assert!(
        screen.body.contains("Changed own password"),
        "{}",
        screen.body
    );
    assert!(screen.body.contains("Refused (400)"));
    let sign_ins = |page: &str| page.matches(">Sign-in</span>").count();
    assert_eq!(sign_ins(&screen.body), 4, "two refused, two done");
    assert!(
        screen
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;@example.com")
            && !screen.body.contains(typed),
        "what was typed is shown as text"
    );
    let mine = boss.get(&format!("/newsroom/audit?user={writer}")).await;
    assert!(mine.body.contains("Changed own password"));
    assert_eq!(
        sign_ins(&mine.body),
        2,
        "the writer's own: one refused, one done"
    );
}

bbn_store::on_both_backends!(
    the_setup_link_creates_the_first_admin_once,
    signing_in_and_out,
    forms_without_the_right_token_are_refused,
    guessing_is_slowed_then_refused,
    disabling_an_account_ends_its_sessions_at_once,
    changing_the_password_signs_out_other_sessions,
    admins_manage_staff_and_nobody_else_can,
    an_expired_session_asks_to_sign_in_again,
    a_session_id_known_before_sign_in_is_never_used,
    signing_out_ends_the_sessions_on_every_device,
    staff_actions_are_in_the_audit_log_for_admins_to_read,
);
