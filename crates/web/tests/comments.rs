//! "Leave a Comment" as readers use it, and its spam defence. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, Moderation, SiteSettings};
use bbn_store::testing::TestDb;
use bbn_store::{ModeratedComment, Store};
use bbn_web::WebConfig;
use browser_like::{Client, Page, app_with, hidden_fields};
use tower::ServiceExt;

struct Site {
    router: axum::Router,
    store: Store,
    _db: TestDb,
}

async fn site(db: TestDb, moderation: Moderation, min_seconds: i64) -> Site {
    let store = db.store.clone();
    let mut settings = SiteSettings {
        name: "Big Big News".into(),
        ..SiteSettings::default()
    };
    settings.comments.moderation = moderation;
    settings.comments.blocklist = vec!["casino".into(), "spammer@example.com".into()];
    settings.comments.max_depth = 2;
    store.save_settings(&settings).await.unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let author = store.create_author("gabriel", "Gabriel", "").await.unwrap();
    for (slug, open) in [("talks", true), ("closed", false)] {
        store
            .create_article(
                ArticleDraft::new(slug, format!("Story {slug}"), world)
                    .body("Text.")
                    .authors(vec![author])
                    .comments_open(open)
                    .published(bbn_core::time::now() - 3_600),
            )
            .await
            .unwrap();
    }
    let mut config = WebConfig::new("http://news.example");
    config.comment_min_seconds = min_seconds;
    let (router, _) = app_with(&store, config);
    Site {
        router,
        store,
        _db: db,
    }
}

impl Site {
    fn reader(&self) -> Client {
        Client::new(self.router.clone())
    }

    async fn all(&self) -> Vec<ModeratedComment> {
        self.store
            .moderation_queue(None, None, None, 100, 0)
            .await
            .unwrap()
            .0
    }
}

/// Fills in the comment form of `page` as a reader would and posts it.
async fn comment(reader: &mut Client, page: &Page, fields: &[(&str, &str)]) -> Page {
    comment_accepting(reader, page, fields, "text/html").await
}

async fn comment_accepting(
    reader: &mut Client,
    page: &Page,
    fields: &[(&str, &str)],
    accept: &str,
) -> Page {
    let mut all: Vec<(String, String)> = hidden_fields(&page.body);
    for (k, v) in fields {
        all.retain(|(n, _)| n != k);
        all.push((k.to_string(), v.to_string()));
    }
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let action = {
        let marker = "<form method=\"post\" action=\"";
        let start = page
            .body
            .find(&format!("{marker}/news/"))
            .expect("a comment form")
            + marker.len();
        page.body[start..start + page.body[start..].find('"').unwrap()].to_string()
    };
    reader.post_form_accepting(&action, &pairs, accept).await
}

const OK: [(&str, &str); 3] = [
    ("name", "CarBuff42"),
    ("email", "Car@Example.com"),
    ("comment", "Why now? What is their game here?"),
];

async fn held_comments_show_only_to_their_writer(db: TestDb) {
    let s = site(db, Moderation::Hold, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    assert!(page.body.contains("Leave a Comment") && !page.body.contains("disabled"));
    let posted = comment(&mut reader, &page, &OK).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        posted.location(),
        Some("/news/talks?comment=pending#comments")
    );
    let stored = s.all().await;
    assert_eq!(stored.len(), 1, "acknowledged only once committed");
    assert_eq!(
        (stored[0].status, stored[0].author_email.as_str()),
        (CommentStatus::Pending, "car@example.com")
    );
    let mine = reader.get("/news/talks?comment=pending").await;
    assert!(mine.body.contains("Your comment is awaiting moderation"));
    assert!(mine.body.contains("What is their game here?"));
    let other = s.reader().get("/news/talks").await;
    assert!(
        !other.body.contains("What is their game here?"),
        "nobody else sees it"
    );
    assert!(
        !other.body.contains("car@example.com") && !mine.body.contains("car@example.com"),
        "emails are never shown"
    );
    // Approved by a moderator: everyone sees it.
    s.store
        .set_comments_status(&[stored[0].id], CommentStatus::Approved)
        .await
        .unwrap();
    let other = s.reader().get("/news/talks").await;
    assert!(other.body.contains("What is their game here?") && other.body.contains("1 Comment"));
}

async fn open_and_trusted_modes(db: TestDb) {
    let s = site(db, Moderation::Trusted, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    comment(&mut reader, &page, &OK).await;
    let first = s.all().await[0].clone();
    assert_eq!(
        first.status,
        CommentStatus::Pending,
        "a first comment waits"
    );
    s.store
        .set_comments_status(&[first.id], CommentStatus::Approved)
        .await
        .unwrap();
    let page = reader.get("/news/talks").await;
    let second = comment(
        &mut reader,
        &page,
        &[
            ("name", "CarBuff42"),
            ("email", "car@example.com"),
            ("comment", "Second thoughts."),
        ],
    )
    .await;
    let id = s.all().await[0].id;
    assert_eq!(
        second.location(),
        Some(format!("/news/talks#comment-{id}").as_str()),
        "a known commenter goes live"
    );
    let mut settings = s.store.settings().await.unwrap();
    settings.comments.moderation = Moderation::Open;
    s.store.save_settings(&settings).await.unwrap();
    let page = reader.get("/news/talks").await;
    comment(
        &mut reader,
        &page,
        &[
            ("name", "Newcomer"),
            ("email", "new@example.com"),
            ("comment", "First time here."),
        ],
    )
    .await;
    assert!(
        s.reader()
            .get("/news/talks")
            .await
            .body
            .contains("First time here.")
    );
}

async fn bad_input_is_explained_and_stores_nothing(db: TestDb) {
    let s = site(db, Moderation::Hold, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    let long = "x".repeat(5_001);
    for (fields, message) in [
        (
            vec![("name", ""), ("email", "a@example.com"), ("comment", "Hi")],
            "Please give a name.",
        ),
        (
            vec![("name", "A"), ("email", ""), ("comment", "Hi")],
            "Please give your email address",
        ),
        (
            vec![("name", "A"), ("email", "not-an-email"), ("comment", "Hi")],
            "Enter an email address",
        ),
        (
            vec![("name", "A"), ("email", "a@example.com"), ("comment", "  ")],
            "Please write a comment.",
        ),
        (
            vec![
                ("name", "A"),
                ("email", "a@example.com"),
                ("comment", long.as_str()),
            ],
            "Use at most 5000 characters.",
        ),
        (
            vec![
                ("name", "A\u{7}"),
                ("email", "a@example.com"),
                ("comment", "Hi"),
            ],
            "control characters",
        ),
    ] {
        let r = comment(&mut reader, &page, &fields).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(r.body.contains(message), "{fields:?}: {message}");
        assert!(r.body.contains("Your comment was not posted"));
    }
    let kept = comment(
        &mut reader,
        &page,
        &[
            ("name", ""),
            ("email", "a@example.com"),
            ("comment", "My long thought, kept."),
        ],
    )
    .await;
    assert!(
        kept.body.contains("My long thought, kept."),
        "the typed text is kept"
    );
    let raw = s
        .router
        .clone()
        .oneshot(
            Request::builder()
                .method("POST")
                .uri("/news/talks/comments")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("name=A&email=a%40example.com&comment=%FF%FE"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST, "invalid UTF-8");
    assert!(s.all().await.is_empty(), "nothing stored");
}

async fn spam_defences(db: TestDb) {
    let s = site(db, Moderation::Open, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    let trap = comment(
        &mut reader,
        &page,
        &[
            ("name", "Bot"),
            ("email", "bot@example.com"),
            ("comment", "Buy now"),
            ("website", "http://spam.example"),
        ],
    )
    .await;
    assert_eq!(
        trap.status,
        StatusCode::SEE_OTHER,
        "the bot is told what a person would be told"
    );
    assert!(s.all().await.is_empty(), "the honeypot catch is not stored");
    for (text, email) in [
        (
            "Links http://a.example http://b.example http://c.example",
            "links@example.com",
        ),
        ("Best CASINO bonus", "gambler@example.com"),
        ("Perfectly polite", "spammer@example.com"),
    ] {
        let page = reader.get("/news/talks").await;
        comment(
            &mut reader,
            &page,
            &[("name", "X"), ("email", email), ("comment", text)],
        )
        .await;
    }
    let statuses: Vec<CommentStatus> = s.all().await.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [CommentStatus::Spam; 3],
        "links, blocked words and addresses go to spam"
    );
    let page = reader.get("/news/talks").await;
    let dup = comment(
        &mut reader,
        &page,
        &[
            ("name", "Y"),
            ("email", "y@example.com"),
            ("comment", "Best CASINO bonus"),
        ],
    )
    .await;
    assert_eq!(
        dup.status,
        StatusCode::CONFLICT,
        "the same text twice in a day"
    );
    let forged = comment(
        &mut reader,
        &page,
        &[
            ("name", "Y"),
            ("email", "y@example.com"),
            ("comment", "Fresh"),
            ("token", "12:0.abcdef"),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    let request = Request::builder()
        .method("POST")
        .uri("/news/talks/comments")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(
            "name=A&email=a%40example.com&comment=cross-site",
        ))
        .unwrap();
    assert_eq!(
        s.router.clone().oneshot(request).await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "another site's form"
    );
}

async fn too_fast_is_spam_and_too_many_is_refused(db: TestDb) {
    let s = site(db, Moderation::Open, 3).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    comment(
        &mut reader,
        &page,
        &[
            ("name", "Speedy"),
            ("email", "s@example.com"),
            ("comment", "Posted at once"),
        ],
    )
    .await;
    assert_eq!(
        s.all().await[0].status,
        CommentStatus::Spam,
        "posted within 3 s of the form: a script"
    );
    for i in 0..4 {
        comment(
            &mut reader,
            &page,
            &[
                ("name", "Busy"),
                ("email", "b@example.com"),
                ("comment", &format!("Note {i}")),
            ],
        )
        .await;
    }
    let limited = comment(
        &mut reader,
        &page,
        &[
            ("name", "Busy"),
            ("email", "b@example.com"),
            ("comment", "One too many"),
        ],
    )
    .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("faster than we allow") && limited.body.contains("One too many"));
}

async fn closed_articles_show_comments_and_no_form(db: TestDb) {
    let s = site(db, Moderation::Open, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/closed").await;
    assert!(
        page.body.contains("Comments are closed for this article.")
            && !page.body.contains("Post Comment")
    );
    let talks = reader.get("/news/talks").await;
    let request = Request::builder()
        .method("POST")
        .uri("/news/closed/comments")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "name=A&email=a%40example.com&comment=late&token={}",
            hidden_fields(&talks.body)[0].1
        )))
        .unwrap();
    assert_eq!(
        s.router.clone().oneshot(request).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    let mut settings = s.store.settings().await.unwrap();
    settings.comments.close_after_days = Some(1);
    s.store.save_settings(&settings).await.unwrap();
    assert!(
        reader
            .get("/news/talks")
            .await
            .body
            .contains("Post Comment"),
        "published an hour ago: still open"
    );
    // Two days on (and an edit, which tells the page cache the page is not
    // what it was; the page cache keeps time by the system clock).
    s.store.clock().advance(2 * 86_400);
    let talks = s.store.article_by_slug("talks").await.unwrap().unwrap();
    s.store
        .update_article(talks.id, ArticleDraft::from(&talks), None, false)
        .await
        .unwrap();
    s.store.invalidate();
    assert!(
        reader
            .get("/news/talks")
            .await
            .body
            .contains("Comments are closed"),
        "closed after a day"
    );
}

async fn replies_nest_to_the_configured_depth(db: TestDb) {
    let s = site(db, Moderation::Open, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    comment(
        &mut reader,
        &page,
        &[
            ("name", "First"),
            ("email", "f@example.com"),
            ("comment", "Top level"),
        ],
    )
    .await;
    let top = s.all().await[0].id;
    let reply_page = reader.get(&format!("/news/talks?reply={top}")).await;
    assert!(reply_page.body.contains("Replying to First"));
    let r = comment(
        &mut reader,
        &reply_page,
        &[
            ("name", "Second"),
            ("email", "s@example.com"),
            ("comment", "A reply <script>alert(1)</script>"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let reply = s.all().await[0].id;
    let thread = s.reader().get("/news/talks").await.body;
    assert!(thread.contains("comment--depth-1") && thread.contains("in reply to First"));
    assert!(
        thread.contains("A reply &lt;script&gt;alert(1)&lt;/script&gt;"),
        "reader text is never markup"
    );
    assert!(
        !thread.contains(&format!("?reply={reply}")),
        "max depth 2: no reply link under a reply"
    );
    let too_deep = comment(
        &mut reader,
        &reply_page,
        &[
            ("name", "Third"),
            ("email", "t@example.com"),
            ("comment", "Deeper"),
            ("parent", &reply.to_string()),
        ],
    )
    .await;
    assert_eq!(too_deep.status, StatusCode::BAD_REQUEST);
}

async fn moderators_work_the_queue(db: TestDb) {
    let s = site(db, Moderation::Hold, 0).await;
    let hash = bbn_core::password::hash("a long enough phrase").unwrap();
    for (email, role) in [
        ("mod@example.com", bbn_core::Role::Editor),
        ("writer@example.com", bbn_core::Role::Author),
    ] {
        s.store
            .create_user(&bbn_store::NewUser {
                email: email.into(),
                name: format!("Staff {email}"),
                role,
                password_hash: Some(hash.clone()),
            })
            .await
            .unwrap();
    }
    let mut reader = s.reader();
    for (name, text) in [
        ("Ann", "First opinion"),
        ("Bob", "Second opinion"),
        ("Spammy", "Cheap pills here"),
    ] {
        let page = reader.get("/news/talks").await;
        comment(
            &mut reader,
            &page,
            &[
                ("name", name),
                ("email", &format!("{}@example.com", name.to_lowercase())),
                ("comment", text),
            ],
        )
        .await;
    }
    let ids: Vec<(String, i64)> = s
        .all()
        .await
        .into_iter()
        .map(|c| (c.author_name, c.id))
        .collect();
    let id_of = |n: &str| ids.iter().find(|(x, _)| x == n).unwrap().1.to_string();

    let mut writer = s.reader();
    writer
        .sign_in("writer@example.com", "a long enough phrase")
        .await;
    assert_eq!(
        writer.get("/newsroom/comments").await.status,
        StatusCode::FORBIDDEN
    );
    let home = writer.get("/newsroom").await;
    let crafted = writer
        .submit(
            "/newsroom/comments",
            &home.body,
            &[("action", "approve"), ("ids", &id_of("Ann"))],
        )
        .await;
    assert_eq!(
        crafted.status,
        StatusCode::FORBIDDEN,
        "authors do not moderate"
    );

    let mut moderator = s.reader();
    moderator
        .sign_in("mod@example.com", "a long enough phrase")
        .await;
    let queue = moderator.get("/newsroom/comments").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.body.contains("<strong>3</strong> Pending")
            && queue.body.contains("Cheap pills here")
    );
    let bulk = moderator
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[
                ("action", "approve"),
                ("ids", &id_of("Ann")),
                ("ids", &id_of("Bob")),
            ],
        )
        .await;
    assert_eq!(bulk.status, StatusCode::SEE_OTHER);
    let back = bulk.location().unwrap().to_string();
    assert_eq!(
        moderator.get(&back).await.status,
        StatusCode::OK,
        "back to the queue as it was: {back}"
    );
    moderator
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[("action", "spam"), ("ids", &id_of("Spammy"))],
        )
        .await;
    let article = s.reader().get("/news/talks").await.body;
    assert!(
        article.contains("First opinion")
            && article.contains("Second opinion")
            && !article.contains("Cheap pills")
    );
    let found = moderator
        .get("/newsroom/comments?status=all&q=BOB%40EXAMPLE")
        .await;
    assert!(
        found.body.contains("Second opinion") && !found.body.contains("First opinion"),
        "search by email, any case"
    );
    let spam = moderator.get("/newsroom/comments?status=spam").await;
    assert!(spam.body.contains("Cheap pills here"));
    moderator
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[
                ("action", "edit"),
                ("id", &id_of("Ann")),
                ("body", "First opinion (edited)"),
            ],
        )
        .await;
    let article_id = s
        .store
        .article_by_slug("talks")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let reply = moderator
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[
                ("action", "reply"),
                ("id", &id_of("Bob")),
                ("article", &article_id),
                ("body", "Thanks, Bob."),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let article = s.reader().get("/news/talks").await.body;
    assert!(article.contains("First opinion (edited)"));
    assert!(article.contains("comment__badge\">Staff") && article.contains("Thanks, Bob."));
    moderator
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[("action", "delete"), ("ids", &id_of("Spammy"))],
        )
        .await;
    assert!(
        !moderator
            .get("/newsroom/comments?status=all")
            .await
            .body
            .contains("Cheap pills"),
        "deleted for good"
    );
    let per_article = moderator
        .get(&format!(
            "/newsroom/comments?status=all&article={article_id}"
        ))
        .await;
    assert!(per_article.body.contains("Thanks, Bob."));
}

async fn long_discussions_are_paged_and_lists_count_comments(db: TestDb) {
    let s = site(db, Moderation::Open, 0).await;
    let mut settings = s.store.settings().await.unwrap();
    settings.comments.per_page = 3;
    s.store.save_settings(&settings).await.unwrap();
    let article = s.store.article_by_slug("talks").await.unwrap().unwrap();
    let comments: Vec<bbn_store::NewComment> = (0..7)
        .map(|i| bbn_store::NewComment {
            article_id: article.id,
            parent_id: None,
            author_name: format!("Reader {i}"),
            author_email: "r@example.com".into(),
            body: format!("Opinion number {i}"),
            status: CommentStatus::Approved,
            created_at: 1_000 + i,
        })
        .collect();
    s.store.add_comments(&comments).await.unwrap();
    let mut reader = s.reader();
    let first = reader.get("/news/talks").await.body;
    assert!(first.contains("7 Comments") && first.contains("Page 1 of 3"));
    assert!(first.contains("Opinion number 0") && !first.contains("Opinion number 3"));
    assert!(
        first.contains("/news/talks?cpage=3#comments"),
        "the newest page is one link away"
    );
    let last = reader.get("/news/talks?cpage=3").await.body;
    assert!(last.contains("Opinion number 6") && !last.contains("Opinion number 5"));
    assert!(
        last.contains(r#"href="/news/talks?cpage=2#comments""#)
            && reader
                .get("/news/talks?cpage=2")
                .await
                .body
                .contains(r#"href="/news/talks#comments""#),
        "older pages are linked, the first at the article's own address"
    );
    // Each page has one address: past the end is no page, and page 1 by
    // number moves to the article's address (so neither is a cache entry).
    assert_eq!(
        reader.get("/news/talks?cpage=999").await.status,
        StatusCode::NOT_FOUND
    );
    let first_by_number = reader.get("/news/talks?cpage=1").await;
    assert_eq!(first_by_number.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(first_by_number.location(), Some("/news/talks"));
    let section = reader.get("/section/world").await.body;
    assert!(section.contains("7 comments"), "lists show comment counts");
}

/// Readers' comments a moderator would call spam, and ones they would approve.
const SPAM: [&str; 5] = [
    "Earn $500 a day from home! Visit http://cash.example now",
    "Cheap pills without prescription, order at http://pills.example",
    "Best casino-free bonus: free spins today at http://spins.example",
    "Work from home and earn cash fast, details at http://cash.example",
    "Buy cheap followers today, visit http://fans.example",
];
const HAM: [&str; 6] = [
    "The minister's answer on the budget did not convince me.",
    "Good reporting. I was at the match and the crowd was huge.",
    "Does anyone know when the council votes on the new bridge?",
    "The flooding in our town was worse than the article says.",
    "I disagree with the council's plan; the bridge costs too much.",
    "Thanks for explaining the budget vote so clearly.",
];

async fn the_filter_learns_from_moderators(db: TestDb) {
    let s = site(db, Moderation::Open, 0).await;
    let hash = bbn_core::password::hash("a long enough phrase").unwrap();
    s.store
        .create_user(&bbn_store::NewUser {
            email: "admin@example.com".into(),
            name: "Ada Admin".into(),
            role: bbn_core::Role::Admin,
            password_hash: Some(hash),
        })
        .await
        .unwrap();
    let mut admin = s.reader();
    admin
        .sign_in("admin@example.com", "a long enough phrase")
        .await;
    let form = admin.get("/newsroom/settings").await;
    assert!(form.body.contains("Spam filter starts after"));
    let refused = admin
        .submit(
            "/newsroom/settings",
            &form.body,
            &[
                ("name", "Big Big News"),
                ("time_zone", "UTC"),
                ("page_size", "10"),
                ("comment_filter_threshold", "20"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("The spam score must be 50 to 100 percent.")
    );
    let saved = admin
        .submit(
            "/newsroom/settings",
            &form.body,
            &[
                ("name", "Big Big News"),
                ("time_zone", "UTC"),
                ("page_size", "10"),
                ("comment_filter_after", "10"),
                ("comment_filter_threshold", "85"),
                ("comment_max_links", "3"),
                ("comment_blocklist", "casino\n\nspammer@example.com"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let c = s.store.settings().await.unwrap().comments;
    assert_eq!(
        (
            c.filter_after,
            c.filter_threshold,
            c.max_links,
            c.blocklist.len(),
            c.moderation
        ),
        (10, 85, 3, 2, Moderation::Open),
        "the comment settings are saved from the form"
    );

    // Untrained, it judges nothing: in open mode a spammy comment goes live, without a score.
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    let posted = comment(
        &mut reader,
        &page,
        &[
            ("name", "Promo"),
            ("email", "promo@cash.example"),
            ("comment", SPAM[0]),
        ],
    )
    .await;
    assert!(posted.location().unwrap().contains("#comment-"));
    let first = s.all().await;
    assert_eq!(
        (first[0].status, first[0].spam_score),
        (CommentStatus::Approved, None)
    );

    // The moderator teaches it: five spam and five approved.
    let mut ids = Vec::new();
    for (i, text) in SPAM[1..5].iter().chain(HAM[..5].iter()).enumerate() {
        let id = s
            .store
            .add_comment(&bbn_store::NewComment {
                article_id: first[0].article_id,
                parent_id: None,
                author_name: format!("Reader {i}"),
                author_email: format!("reader{i}@example.org"),
                body: text.to_string(),
                status: CommentStatus::Pending,
                created_at: bbn_core::time::now() - 7_200,
            })
            .await
            .unwrap();
        ids.push(id.to_string());
    }
    let queue = admin.get("/newsroom/comments").await;
    assert!(
        queue
            .body
            .contains("The spam filter is learning: 0 of 10 decisions")
    );
    // Promo's comment, now marked spam, is the fifth spam example.
    let mut spam_ids: Vec<(&str, &str)> = ids[..4].iter().map(|i| ("ids", i.as_str())).collect();
    let promo = first[0].id.to_string();
    spam_ids.push(("ids", &promo));
    spam_ids.push(("action", "spam"));
    admin
        .submit("/newsroom/comments", &queue.body, &spam_ids)
        .await;
    let mut ham_ids: Vec<(&str, &str)> = ids[4..].iter().map(|i| ("ids", i.as_str())).collect();
    ham_ids.push(("action", "approve"));
    admin
        .submit("/newsroom/comments", &queue.body, &ham_ids)
        .await;
    // The same decision twice is learned once.
    admin
        .submit("/newsroom/comments", &queue.body, &ham_ids)
        .await;
    let corpus = s.store.spam_corpus().await.unwrap();
    assert_eq!((corpus.spam, corpus.ham), (5, 5));

    // Now it judges: likely spam goes straight to spam with its score, the rest as before.
    let page = reader.get("/news/talks").await;
    let posted = comment(
        &mut reader,
        &page,
        &[
            ("name", "Cash Today"),
            ("email", "deals@cash.example"),
            (
                "comment",
                "Earn cash from home fast, visit http://cash.example today",
            ),
        ],
    )
    .await;
    assert_eq!(
        posted.location(),
        Some("/news/talks?comment=pending#comments")
    );
    let page = reader.get("/news/talks").await;
    let posted = comment(
        &mut reader,
        &page,
        &[
            ("name", "Local Reader"),
            ("email", "local@example.org"),
            ("comment", HAM[5]),
        ],
    )
    .await;
    assert!(
        posted.location().unwrap().contains("#comment-"),
        "ham still goes live in open mode"
    );
    let all = s.all().await;
    let caught = all.iter().find(|c| c.author_name == "Cash Today").unwrap();
    assert_eq!(caught.status, CommentStatus::Spam);
    assert!(
        caught.spam_score.unwrap() >= 0.85,
        "scored {:?}",
        caught.spam_score
    );
    assert_eq!(caught.spam_reason, "the learning filter");
    let good = all
        .iter()
        .find(|c| c.author_name == "Local Reader")
        .unwrap();
    assert_eq!(good.status, CommentStatus::Approved);
    assert!(
        good.spam_score.unwrap() < 0.5,
        "scored {:?}",
        good.spam_score
    );

    let spam_folder = admin.get("/newsroom/comments?status=spam").await.body;
    let shown = format!(
        "Spam score {}%",
        (caught.spam_score.unwrap() * 100.0).round()
    );
    assert!(spam_folder.contains(&shown), "moderators see the score");
    assert!(spam_folder.contains("Sent to spam: the learning filter"));
    assert!(
        admin
            .get("/newsroom/comments")
            .await
            .body
            .contains("has learned from 10 decisions")
    );

    // Taking a decision back (to pending) unlearns it; erasing a commenter forgets them.
    admin
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[("ids", &ids[0]), ("action", "pending")],
        )
        .await;
    assert_eq!(s.store.spam_corpus().await.unwrap().spam, 4);
    admin
        .submit(
            "/newsroom/comments",
            &queue.body,
            &[("email", "reader8@example.org"), ("action", "erase")],
        )
        .await;
    assert_eq!(s.store.spam_corpus().await.unwrap().ham, 4);
    let (_, counts) = s
        .store
        .spam_knowledge(&["from:example.org".into()])
        .await
        .unwrap();
    // Readers 0-3 were marked spam (reader 0 then taken back), readers 4-8
    // approved (reader 8 then erased); the comment that went live by itself taught nothing.
    assert_eq!(
        counts["from:example.org"],
        bbn_core::spam::TokenCounts { spam: 3, ham: 4 }
    );
}

async fn scripts_post_without_reloading(db: TestDb) {
    let s = site(db, Moderation::Hold, 0).await;
    let mut reader = s.reader();
    let page = reader.get("/news/talks").await;
    assert!(
        page.body.contains("/assets/js/comments."),
        "the page loads its comment script"
    );
    let json = "application/json";
    let posted = comment_accepting(
        &mut reader,
        &page,
        &[
            ("name", "Ana <b>"),
            ("email", "ana@example.com"),
            (
                "comment",
                "First line\nsee https://example.org <script>x</script>",
            ),
        ],
        json,
    )
    .await;
    assert_eq!(posted.status, StatusCode::CREATED);
    assert!(
        posted
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let reply: serde_json::Value = serde_json::from_str(&posted.body).unwrap();
    assert_eq!(reply["status"], "pending");
    let html = reply["html"].as_str().unwrap();
    assert!(html.contains("Your comment is awaiting moderation"));
    assert!(
        html.contains("Ana &lt;b&gt;")
            && html.contains("&lt;script&gt;")
            && !html.contains("<script>")
    );
    assert!(html.contains(r#"rel="nofollow ugc noopener""#));
    assert!(html.contains(&format!("id=\"comment-{}\"", reply["id"])));
    // The signed cookie shows it to its writer on the next visit, as without JavaScript.
    assert!(reader.get("/news/talks").await.body.contains("First line"));
    assert!(
        !s.reader()
            .get("/news/talks")
            .await
            .body
            .contains("First line")
    );

    // Problems come back as messages per field, and nothing is stored.
    let page = reader.get("/news/talks").await;
    let refused = comment_accepting(
        &mut reader,
        &page,
        &[("name", ""), ("email", "nope"), ("comment", "x")],
        json,
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let problem: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(problem["errors"]["name"], "Please give a name.");
    assert!(
        problem["errors"]["email"]
            .as_str()
            .unwrap()
            .contains("name@example.com")
    );
    assert!(problem["message"].as_str().unwrap().contains("not posted"));
    assert_eq!(s.all().await.len(), 1);

    // In open mode the comment is live and the answer says so.
    let mut settings = s.store.settings().await.unwrap();
    settings.comments.moderation = Moderation::Open;
    s.store.save_settings(&settings).await.unwrap();
    let page = reader.get("/news/talks").await;
    let live = comment_accepting(
        &mut reader,
        &page,
        &[
            ("name", "Ben"),
            ("email", "ben@example.com"),
            ("comment", "Straight in."),
        ],
        json,
    )
    .await;
    let reply: serde_json::Value = serde_json::from_str(&live.body).unwrap();
    assert_eq!(reply["status"], "approved");
    assert!(
        !reply["html"]
            .as_str()
            .unwrap()
            .contains("awaiting moderation")
    );
}

async fn rate_limits_see_through_trusted_proxies_only(db: TestDb) {
    let s = site(db, Moderation::Open, 0).await;
    let mut config = WebConfig::new("http://news.example");
    config.comment_min_seconds = 0;
    config.comments_per_address = 2;
    config.trusted_proxies = bbn_web::Proxies::parse("127.0.0.1").unwrap();
    let (router, _) = app_with(&s.store, config);
    let page = Client::new(router.clone()).get("/news/talks").await;
    let token = hidden_fields(&page.body)
        .into_iter()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1;
    let mut n = 0;
    let mut post = async |peer: &str, forwarded: Option<&str>| {
        n += 1;
        let body = serde_urlencoded::to_string([
            ("name", "Reader"),
            ("email", "reader@example.com"),
            ("comment", &format!("Comment number {n}")),
            ("token", &token),
        ])
        .unwrap();
        let mut request = Request::builder()
            .method("POST")
            .uri("/news/talks/comments")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(f) = forwarded {
            request = request.header("x-forwarded-for", f);
        }
        let mut request = request.body(Body::from(body)).unwrap();
        let peer: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        router.clone().oneshot(request).await.unwrap().status()
    };
    // Behind the trusted proxy, each reader is counted by the address the proxy saw.
    assert_eq!(
        post("127.0.0.1", Some("203.0.113.5")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post("127.0.0.1", Some("198.51.100.1, 203.0.113.5")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post("127.0.0.1", Some("203.0.113.5")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        post("127.0.0.1", Some("203.0.113.6")).await,
        StatusCode::SEE_OTHER
    );
    // Anyone else's X-Forwarded-For is ignored: a client cannot pick its own address.
    assert_eq!(
        post("192.0.2.7", Some("203.0.113.20")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post("192.0.2.7", Some("203.0.113.21")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post("192.0.2.7", Some("203.0.113.22")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

bbn_store::on_both_backends!(
    held_comments_show_only_to_their_writer,
    open_and_trusted_modes,
    bad_input_is_explained_and_stores_nothing,
    spam_defences,
    too_fast_is_spam_and_too_many_is_refused,
    closed_articles_show_comments_and_no_form,
    replies_nest_to_the_configured_depth,
    moderators_work_the_queue,
    long_discussions_are_paged_and_lists_count_comments,
    the_filter_learns_from_moderators,
    scripts_post_without_reloading,
    rate_limits_see_through_trusted_proxies_only,
);
