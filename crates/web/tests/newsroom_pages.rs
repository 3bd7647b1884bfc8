//! Static pages in the newsroom: editors write, preview, publish, place in
//! the footer, fix mistakes the form reports, and delete; contributors are
//! refused. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::validate::PageDraft;
use bbn_core::{BodyFormat, PageStatus, Role, password};
use bbn_store::NewUser;
use bbn_store::testing::TestDb;
use browser_like::{Client, app};

const PW: &str = "a long enough phrase";

async fn an_editor(db: &TestDb) -> Client {
    db.store
        .create_user(&NewUser {
            email: "ed@example.com".into(),
            name: "Ed".into(),
            role: Role::Editor,
            password_hash: Some(password::hash(PW).unwrap()),
        })
        .await
        .unwrap();
    let mut ed = Client::new(app(&db.store, "https://news.example").0);
    ed.sign_in("ed@example.com", PW).await;
    ed
}

async fn editors_write_publish_and_delete_pages(db: TestDb) {
    let hash = password::hash(PW).unwrap();
    for (email, role) in [
        ("ed@example.com", Role::Editor),
        ("cy@example.com", Role::Contributor),
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
    let router = app(&db.store, "https://news.example").0;
    let mut ed = Client::new(router.clone());
    ed.sign_in("ed@example.com", PW).await;
    let home = ed.get("/newsroom").await;
    assert!(
        home.body.contains("href=\"/newsroom/pages\""),
        "linked from the navigation"
    );
    let form = ed.get("/newsroom/pages/new").await;
    assert_eq!(form.status, StatusCode::OK);

    // A reserved slug is refused with the form kept.
    let refused = ed
        .submit(
            "/newsroom/pages",
            &form.body,
            &[
                ("title", "Search help"),
                ("slug", "search"),
                ("body", "How to *search*."),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("is one of the site"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("How to *search*."),
        "what was typed stays"
    );

    let saved = ed
        .submit(
            "/newsroom/pages",
            &form.body,
            &[
                ("title", "About us"),
                ("slug", ""),
                ("body", "We are **local**."),
                ("body_format", "markdown"),
                ("published", "on"),
                ("footer_position", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let edit_url = saved
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mut reader = Client::new(router.clone());
    let page = reader.get("/about-us").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("We are <strong>local</strong>."));
    assert!(
        reader
            .get("/")
            .await
            .body
            .contains(r#"<a href="/about-us">About us</a>"#),
        "in the footer"
    );

    // Unpublished, it is gone for readers; the list still shows it to staff.
    let edit = ed.get(&edit_url).await;
    assert!(edit.body.contains("We are **local**."));
    let again = ed
        .submit(
            &edit_url,
            &edit.body,
            &[
                ("title", "About us"),
                ("slug", "about-us"),
                ("body", "<p>Now <em>HTML</em></p>"),
                ("body_format", "html"),
                ("footer_position", ""),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(reader.get("/about-us").await.status, StatusCode::NOT_FOUND);
    let list = ed.get("/newsroom/pages").await;
    assert!(list.body.contains("About us") && list.body.contains("Draft"));

    let mut cy = Client::new(router.clone());
    cy.sign_in("cy@example.com", PW).await;
    assert_eq!(
        cy.get("/newsroom/pages").await.status,
        StatusCode::FORBIDDEN
    );

    let edit = ed.get(&edit_url).await;
    let deleted = ed
        .submit(&format!("{edit_url}/delete"), &edit.body, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(ed.get(&edit_url).await.status, StatusCode::NOT_FOUND);
}

/// A site with hundreds of pages (an archive brought over) gets a list it
/// can open: 50 a page by title, with a search by title or address.
async fn many_pages_are_listed_a_page_at_a_time(db: TestDb) {
    for n in 0..120 {
        db.store
            .create_page(PageDraft {
                slug: format!("archive-{n:03}"),
                title: format!("Archive {n:03}"),
                body_format: BodyFormat::Markdown,
                body: "Kept from the old site.".into(),
                status: if n % 2 == 0 {
                    PageStatus::Published
                } else {
                    PageStatus::Draft
                },
                footer_position: None,
                seo_description: String::new(),
            })
            .await
            .unwrap();
    }
    let mut ed = an_editor(&db).await;
    let rows = |body: &str| body.matches("<td><a href=\"/newsroom/pages/").count();
    let first = ed.get("/newsroom/pages").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(rows(&first.body), 50);
    assert!(first.body.contains(">Archive 000<") && !first.body.contains(">Archive 050<"));
    assert!(
        first
            .body
            .contains("rel=\"next\" href=\"/newsroom/pages?page=2\"")
    );
    assert!(!first.body.contains("rel=\"prev\""));
    let last = ed.get("/newsroom/pages?page=3").await;
    assert_eq!(rows(&last.body), 20, "Archive 100 to 119");
    assert!(
        last.body
            .contains("rel=\"prev\" href=\"/newsroom/pages?page=2\"")
    );
    assert!(!last.body.contains("rel=\"next\""));
    // By title or by address; the search is kept in the pager's links.
    let found = ed.get("/newsroom/pages?q=archive+11").await;
    assert_eq!(rows(&found.body), 10, "Archive 110 to 119");
    let by_slug = ed.get("/newsroom/pages?q=archive-04").await;
    assert_eq!(rows(&by_slug.body), 10);
    assert!(
        by_slug.body.contains("value=\"archive-04\""),
        "the search box keeps the words"
    );
    let many = ed.get("/newsroom/pages?q=archive").await;
    assert!(
        many.body
            .contains("rel=\"next\" href=\"/newsroom/pages?q=archive&amp;page=2\""),
        "{}",
        many.body
    );
    // Wildcards are looked for as they are.
    let none = ed.get("/newsroom/pages?q=_").await;
    assert_eq!(rows(&none.body), 0);
    assert!(none.body.contains("No page"));
    // Odd page numbers answer with the first page.
    assert_eq!(rows(&ed.get("/newsroom/pages?page=x").await.body), 50);
}

bbn_store::on_both_backends!(
    editors_write_publish_and_delete_pages,
    many_pages_are_listed_a_page_at_a_time
);
