//! The newsroom's articles as staff use them: the editor, the workflow, the
//! role matrix, revisions, corrections, conflicts and bad input, and the
//! reader site following every change at once. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::Router;
use axum::http::StatusCode;
use bbn_core::{Role, SiteSettings, Status, password};
use bbn_store::testing::TestDb;
use bbn_store::{ApiKeyKind, NewApiKey, NewUser, Store};
use browser_like::{Client, app, csrf_of};

struct Newsroom {
    router: Router,
    store: Store,
    world: i64,
    _db: TestDb,
}

const PW: &str = "a long enough phrase";

async fn newsroom(db: TestDb) -> Newsroom {
    let store = db.store.clone();
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            time_zone: "America/New_York".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    store
        .create_section("sports", "Sports", "", Some(2))
        .await
        .unwrap();
    let hash = password::hash(PW).unwrap();
    for (email, name, role) in [
        ("admin@example.com", "Ada Admin", Role::Admin),
        ("editor@example.com", "Eddie Editor", Role::Editor),
        ("author@example.com", "Aria Author", Role::Author),
        ("other@example.com", "Otto Other", Role::Author),
        ("contrib@example.com", "Cora Contributor", Role::Contributor),
    ] {
        store
            .create_user(&NewUser {
                email: email.into(),
                name: name.into(),
                role,
                password_hash: Some(hash.clone()),
            })
            .await
            .unwrap();
    }
    let (router, _) = app(&store, "http://news.example");
    Newsroom {
        router,
        store,
        world,
        _db: db,
    }
}

impl Newsroom {
    async fn as_user(&self, email: &str) -> Client {
        let mut c = Client::new(self.router.clone());
        c.sign_in(email, PW).await;
        c
    }

    async fn author_id(&self, email: &str) -> i64 {
        self.store
            .user_for_sign_in(email)
            .await
            .unwrap()
            .unwrap()
            .0
            .author_id
            .unwrap()
    }

    /// Creates an article through the editor as `client`; returns its id.
    async fn write(
        &self,
        client: &mut Client,
        headline: &str,
        body: &str,
        extra: &[(&str, &str)],
    ) -> i64 {
        let form = client.get("/newsroom/articles/new").await;
        assert_eq!(form.status, StatusCode::OK);
        let world = self.world.to_string();
        // As a browser would send it: the byline boxes the form came with ticked.
        let checked: Vec<String> = form
            .body
            .split("name=\"authors\" value=\"")
            .skip(1)
            .filter_map(|rest| {
                let (id, after) = rest.split_once('"')?;
                after.starts_with(" checked").then(|| id.to_string())
            })
            .collect();
        let mut fields = vec![
            ("headline", headline),
            ("dek", "A dek."),
            ("body", body),
            ("section_id", world.as_str()),
            ("action", "save"),
        ];
        fields.extend(checked.iter().map(|id| ("authors", id.as_str())));
        fields.extend_from_slice(extra);
        let created = client
            .submit("/newsroom/articles/new", &form.body, &fields)
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let location = created.location().unwrap().to_string();
        location
            .trim_start_matches("/newsroom/articles/")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn status_of(&self, id: i64) -> Status {
        self.store.article_by_id(id).await.unwrap().unwrap().status
    }
}

fn edit_url(id: i64) -> String {
    format!("/newsroom/articles/{id}/edit")
}

async fn act(
    client: &mut Client,
    id: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> browser_like::Page {
    let page = client.get(&edit_url(id)).await;
    let page_body = if page.status == StatusCode::OK {
        page.body
    } else {
        client.get("/newsroom").await.body
    };
    let revision = page_body
        .split("name=\"revision\" value=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_string());
    let mut fields = vec![("action", action)];
    if let Some(r) = revision.as_deref() {
        fields.push(("revision", r));
    }
    fields.extend_from_slice(extra);
    client
        .submit(
            &format!("/newsroom/articles/{id}/status"),
            &page_body,
            &fields,
        )
        .await
}

async fn a_contributor_drafts_and_submits_but_cannot_publish(db: TestDb) {
    let n = newsroom(db).await;
    // A contributor picks topics the site has (authors and editors add them).
    for (slug, name) in [
        ("diplomatic-relations", "Diplomatic Relations"),
        ("brand-new-topic", "Brand New Topic"),
    ] {
        n.store.create_topic(slug, name, "").await.unwrap();
    }
    let mut cora = n.as_user("contrib@example.com").await;
    let id = n
        .write(
            &mut cora,
            "Ministers meet in Pyongyang",
            "Lavrov arrived.\n\n> A quote.",
            &[
                ("topics", "Diplomatic Relations, Brand New Topic"),
                ("faq_question", "Why now?"),
                ("faq_answer", "Because of the summit."),
                ("faq_question", "Who?"),
                ("faq_answer", "Two ministers."),
            ],
        )
        .await;
    let a = n.store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(a.status, Status::Draft);
    assert_eq!(a.slug, "ministers-meet-in-pyongyang");
    assert_eq!(
        a.authors[0].name, "Cora Contributor",
        "the writer's byline by default"
    );
    assert_eq!(
        a.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Diplomatic Relations", "Brand New Topic"]
    );
    assert_eq!(a.faq.len(), 2);
    assert_eq!(
        Client::new(n.router.clone())
            .get("/news/ministers-meet-in-pyongyang")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let preview = cora.get(&format!("/newsroom/articles/{id}/preview")).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("Preview for staff") && preview.body.contains("Why now?"));
    let anonymous = Client::new(n.router.clone())
        .get(&format!("/newsroom/articles/{id}/preview"))
        .await;
    assert_eq!(
        anonymous.status,
        StatusCode::SEE_OTHER,
        "previews are for signed-in staff only"
    );

    let submitted = act(&mut cora, id, "submit", &[]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    assert_eq!(n.status_of(id).await, Status::InReview);
    let crafted = act(&mut cora, id, "publish", &[]).await;
    assert_eq!(
        crafted.status,
        StatusCode::FORBIDDEN,
        "a contributor's crafted publish is refused"
    );
    assert_eq!(n.status_of(id).await, Status::InReview);
    let home = n.as_user("editor@example.com").await.get("/newsroom").await;
    assert!(
        home.body.contains("Review queue") && home.body.contains("Ministers meet in Pyongyang")
    );
}

async fn every_cell_of_the_role_matrix(db: TestDb) {
    let n = newsroom(db).await;
    // One article of the author's and one of another author's, both drafts.
    let mut aria = n.as_user("author@example.com").await;
    let own = n.write(&mut aria, "Aria's story", "Text.", &[]).await;
    let mut otto = n.as_user("other@example.com").await;
    let others = n.write(&mut otto, "Otto's story", "Text.", &[]).await;
    let mut cora = n.as_user("contrib@example.com").await;
    let coras = n.write(&mut cora, "Cora's story", "Text.", &[]).await;

    struct Case {
        who: &'static str,
        article: i64,
        action: &'static str,
        allowed: bool,
    }
    let cases = [
        // contributor
        Case {
            who: "contrib@example.com",
            article: coras,
            action: "edit",
            allowed: true,
        },
        Case {
            who: "contrib@example.com",
            article: others,
            action: "edit",
            allowed: false,
        },
        Case {
            who: "contrib@example.com",
            article: coras,
            action: "publish",
            allowed: false,
        },
        Case {
            who: "contrib@example.com",
            article: coras,
            action: "schedule",
            allowed: false,
        },
        Case {
            who: "contrib@example.com",
            article: coras,
            action: "correct",
            allowed: false,
        },
        Case {
            who: "contrib@example.com",
            article: coras,
            action: "submit",
            allowed: true,
        },
        // author
        Case {
            who: "author@example.com",
            article: own,
            action: "edit",
            allowed: true,
        },
        Case {
            who: "author@example.com",
            article: others,
            action: "edit",
            allowed: false,
        },
        Case {
            who: "author@example.com",
            article: others,
            action: "publish",
            allowed: false,
        },
        Case {
            who: "author@example.com",
            article: own,
            action: "publish",
            allowed: true,
        },
        Case {
            who: "author@example.com",
            article: own,
            action: "unpublish",
            allowed: true,
        },
        Case {
            who: "author@example.com",
            article: own,
            action: "correct",
            allowed: false,
        },
        // editor
        Case {
            who: "editor@example.com",
            article: others,
            action: "edit",
            allowed: true,
        },
        Case {
            who: "editor@example.com",
            article: others,
            action: "publish",
            allowed: true,
        },
        Case {
            who: "editor@example.com",
            article: others,
            action: "correct",
            allowed: true,
        },
        Case {
            who: "editor@example.com",
            article: others,
            action: "unpublish",
            allowed: true,
        },
        Case {
            who: "editor@example.com",
            article: coras,
            action: "schedule",
            allowed: true,
        },
        // admin
        Case {
            who: "admin@example.com",
            article: own,
            action: "edit",
            allowed: true,
        },
        Case {
            who: "admin@example.com",
            article: own,
            action: "publish",
            allowed: true,
        },
        Case {
            who: "admin@example.com",
            article: own,
            action: "correct",
            allowed: true,
        },
    ];
    let tomorrow = bbn_core::time::local_input(
        bbn_core::time::now() + 86_400,
        bbn_core::time::parse_zone("America/New_York").unwrap(),
    );
    for (i, c) in cases.into_iter().enumerate() {
        let headline = format!("Edited {i}");
        let mut client = n.as_user(c.who).await;
        let status = match c.action {
            "edit" => {
                let page = client.get(&edit_url(c.article)).await;
                if page.status == StatusCode::OK {
                    let r = client
                        .submit(
                            &edit_url(c.article),
                            &page.body,
                            &[
                                ("headline", &headline),
                                ("section_id", &n.world.to_string()),
                                (
                                    "authors",
                                    &n.author_id("author@example.com").await.to_string(),
                                ),
                                ("action", "save"),
                            ],
                        )
                        .await;
                    r.status
                } else {
                    // A crafted POST without the page: still refused.
                    let home = client.get("/newsroom").await;
                    let r = client
                        .submit(
                            &edit_url(c.article),
                            &home.body,
                            &[("headline", "Edited"), ("action", "save")],
                        )
                        .await;
                    assert_eq!(r.status, page.status, "GET and POST agree");
                    r.status
                }
            }
            "correct" => {
                let home = client.get("/newsroom").await;
                client
                    .submit(
                        &format!("/newsroom/articles/{}/corrections", c.article),
                        &home.body,
                        &[("kind", "update"), ("body", "Added detail.")],
                    )
                    .await
                    .status
            }
            "schedule" => {
                act(
                    &mut client,
                    c.article,
                    "schedule",
                    &[("scheduled_at", &tomorrow)],
                )
                .await
                .status
            }
            other => act(&mut client, c.article, other, &[]).await.status,
        };
        let ok = status == StatusCode::SEE_OTHER;
        assert_eq!(
            ok, c.allowed,
            "{} {} article {}: {}",
            c.who, c.action, c.article, status
        );
        if !c.allowed {
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {}", c.who, c.action);
        }
    }
    // Once published, an article is out of a contributor's hands.
    let mut cora = n.as_user("contrib@example.com").await;
    let mut eddie = n.as_user("editor@example.com").await;
    let fresh = n
        .write(&mut cora, "Cora's second story", "Text.", &[])
        .await;
    assert_eq!(
        act(&mut eddie, fresh, "publish", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        cora.get(&edit_url(fresh)).await.status,
        StatusCode::FORBIDDEN,
        "no edits to a published article"
    );
    assert_eq!(
        act(&mut cora, fresh, "unpublish", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&mut cora, fresh, "to_draft", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Staff administration and site settings are the admin's alone.
    for who in [
        "contrib@example.com",
        "author@example.com",
        "editor@example.com",
    ] {
        assert_eq!(
            n.as_user(who).await.get("/newsroom/staff").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    assert_eq!(
        n.as_user("admin@example.com")
            .await
            .get("/newsroom/staff")
            .await
            .status,
        StatusCode::OK
    );
}

async fn warnings_show_and_chosen_checks_block_publishing(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let id = n
        .write(
            &mut eddie,
            "Budget talks TK",
            "Numbers to come: TKTK. See [the old story](/news/never-published).",
            &[("faq_question", "Empty?"), ("faq_answer", "")],
        )
        .await;
    let page = eddie.get(&edit_url(id)).await;
    for warning in [
        "Placeholder text left in",
        "FAQ questions without answers",
        "Links to unpublished articles",
    ] {
        assert!(page.body.contains(warning), "the editor lists: {warning}");
    }
    let mut settings = n.store.settings().await.unwrap();
    settings.blocking_checks = vec!["placeholder".into()];
    n.store.save_settings(&settings).await.unwrap();
    let blocked = act(&mut eddie, id, "publish", &[]).await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blocked.body.contains("Not published"));
    assert_eq!(n.status_of(id).await, Status::Draft);
    // Fix it in the editor, then publish.
    let page = eddie.get(&edit_url(id)).await;
    let fixed = eddie
        .submit(
            &edit_url(id),
            &page.body,
            &[
                ("headline", "Budget talks resume"),
                ("dek", "A dek."),
                ("body", "Numbers are in."),
                ("section_id", &n.world.to_string()),
                (
                    "authors",
                    &n.author_id("editor@example.com").await.to_string(),
                ),
                ("slug", "budget-talks"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        act(&mut eddie, id, "publish", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let reader = Client::new(n.router.clone())
        .get("/news/budget-talks")
        .await;
    assert_eq!(reader.status, StatusCode::OK);
    assert!(reader.body.contains("Budget talks resume") && reader.body.contains("Eddie Editor"));
}

async fn scheduling_refuses_the_past_and_publishes_on_time(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let id = n.write(&mut eddie, "Embargoed report", "Text.", &[]).await;
    let past = act(
        &mut eddie,
        id,
        "schedule",
        &[("scheduled_at", "2020-01-01T09:00")],
    )
    .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
    assert!(past.body.contains("That time has passed"));
    let garbage = act(
        &mut eddie,
        id,
        "schedule",
        &[("scheduled_at", "next tuesday")],
    )
    .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(n.status_of(id).await, Status::Draft);
    let zone = bbn_core::time::parse_zone("America/New_York").unwrap();
    let soon = bbn_core::time::now() + 3_600;
    let ok = act(
        &mut eddie,
        id,
        "schedule",
        &[("scheduled_at", &bbn_core::time::local_input(soon, zone))],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let a = n.store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(a.status, Status::Scheduled);
    assert_eq!(
        a.scheduled_at,
        Some(soon - soon % 60),
        "minute precision in the site's zone"
    );
    assert_eq!(
        Client::new(n.router.clone())
            .get("/news/embargoed-report")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    n.store.publish_due(soon).await.unwrap();
    assert_eq!(
        Client::new(n.router.clone())
            .get("/news/embargoed-report")
            .await
            .status,
        StatusCode::OK,
        "on the site at once"
    );
}

async fn a_stale_save_is_refused_and_nothing_is_lost(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let id = n.write(&mut eddie, "Shared story", "Original.", &[]).await;
    let mut ada = n.as_user("admin@example.com").await;
    let eddie_page = eddie.get(&edit_url(id)).await;
    let ada_page = ada.get(&edit_url(id)).await;
    let world = n.world.to_string();
    let author = n.author_id("editor@example.com").await.to_string();
    let first = ada
        .submit(
            &edit_url(id),
            &ada_page.body,
            &[
                ("headline", "Shared story"),
                ("body", "Ada's version."),
                ("section_id", &world),
                ("authors", &author),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = eddie
        .submit(
            &edit_url(id),
            &eddie_page.body,
            &[
                ("headline", "Shared story"),
                ("body", "Eddie's version."),
                ("section_id", &world),
                ("authors", &author),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body.contains("someone else saved this article"));
    assert!(
        second.body.contains("Eddie&#39;s version.") || second.body.contains("Eddie's version."),
        "the typed text is still in the form"
    );
    assert_eq!(
        n.store
            .article_by_id(id)
            .await
            .unwrap()
            .unwrap()
            .body_markdown,
        "Ada's version."
    );
}

async fn bad_input_is_explained_and_changes_nothing(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    n.write(&mut eddie, "Taken slug", "Text.", &[]).await;
    let before = n.store.last_change().await.unwrap();
    let form = eddie.get("/newsroom/articles/new").await;
    let world = n.world.to_string();
    let long = "x".repeat(301);
    for (fields, status, message) in [
        (
            vec![("headline", ""), ("section_id", world.as_str())],
            StatusCode::BAD_REQUEST,
            "A headline is required.",
        ),
        (
            vec![("headline", long.as_str()), ("section_id", world.as_str())],
            StatusCode::BAD_REQUEST,
            "longer than 300",
        ),
        (
            vec![("headline", "Taken slug"), ("section_id", world.as_str())],
            StatusCode::CONFLICT,
            "Another article uses this slug.",
        ),
        (
            vec![("headline", "Bad section"), ("section_id", "999999")],
            StatusCode::BAD_REQUEST,
            "This does not exist.",
        ),
        (
            vec![
                ("headline", "Bad author"),
                ("section_id", world.as_str()),
                ("authors", "999999"),
            ],
            StatusCode::BAD_REQUEST,
            "This does not exist.",
        ),
        (
            vec![
                ("headline", "No author"),
                ("section_id", world.as_str()),
                ("authors", "abc"),
            ],
            StatusCode::BAD_REQUEST,
            "Unknown author.",
        ),
        (
            vec![
                ("headline", "Bad slug"),
                ("slug", "Not A Slug!"),
                ("section_id", world.as_str()),
            ],
            StatusCode::BAD_REQUEST,
            "lowercase letters",
        ),
    ] {
        let mut all = fields.clone();
        all.push(("body", "Text."));
        all.push(("action", "save"));
        if !all.iter().any(|(k, _)| *k == "authors") {
            let a = n.author_id("editor@example.com").await.to_string();
            all.push(("authors", Box::leak(a.into_boxed_str())));
        }
        let r = eddie
            .submit("/newsroom/articles/new", &form.body, &all)
            .await;
        assert_eq!(
            r.status,
            status,
            "{fields:?}: {}",
            &r.body[..r.body.len().min(300)]
        );
        assert!(r.body.contains(message), "{fields:?} says {message}");
    }
    // Bytes that are not UTF-8 are refused, not replaced.
    let token = csrf_of(&form.body);
    let not_utf8 = eddie
        .post_raw(
            "/newsroom/articles/new",
            format!("_csrf={token}&headline=Caf%E9&section_id={world}&body=x&action=save")
                .into_bytes(),
        )
        .await;
    assert_eq!(not_utf8.status, StatusCode::BAD_REQUEST);
    assert!(
        not_utf8.body.contains("not valid UTF-8"),
        "{}",
        not_utf8.body
    );
    let forged = eddie
        .post_form(
            "/newsroom/articles/new",
            &[
                ("_csrf", "forged"),
                ("headline", "Forged"),
                ("section_id", &world),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        n.store.last_change().await.unwrap(),
        before,
        "nothing was written"
    );
    let expired = Client::new(n.router.clone())
        .post_form("/newsroom/articles/new", &[("headline", "x")])
        .await;
    assert_eq!(
        expired.status,
        StatusCode::SEE_OTHER,
        "no session: off to sign in"
    );
}

async fn revisions_list_compare_and_restore(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let id = n
        .write(&mut eddie, "Versioned", "First line.\nSecond line.", &[])
        .await;
    let world = n.world.to_string();
    let author = n.author_id("editor@example.com").await.to_string();
    let page = eddie.get(&edit_url(id)).await;
    eddie
        .submit(
            &edit_url(id),
            &page.body,
            &[
                ("headline", "Versioned twice"),
                ("body", "First line.\nChanged line."),
                ("section_id", &world),
                ("authors", &author),
                ("action", "save"),
            ],
        )
        .await;
    let history = eddie
        .get(&format!("/newsroom/articles/{id}/revisions"))
        .await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(history.body.contains("Eddie Editor"));
    assert!(
        history.body.contains("nr-diff-removed\">- Second line."),
        "{}",
        history.body
    );
    assert!(history.body.contains("nr-diff-added\">+ Changed line."));
    assert!(history.body.contains("Versioned twice"));
    let restored = eddie
        .submit(
            &format!("/newsroom/articles/{id}/revisions/1/restore"),
            &history.body,
            &[("revision", "2")],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let a = n.store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(
        (a.headline.as_str(), a.body_markdown.as_str(), a.revision),
        ("Versioned", "First line.\nSecond line.", 3)
    );
}

async fn trash_and_bulk_actions_keep_each_articles_rules(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let mut aria = n.as_user("author@example.com").await;
    let a = n.write(&mut eddie, "Bulk one", "Words of one.", &[]).await;
    let b = n.write(&mut eddie, "Bulk two", "Words of two.", &[]).await;
    let d = n.write(&mut aria, "Aria's draft", "Her words.", &[]).await;
    let (a_s, b_s, d_s) = (a.to_string(), b.to_string(), d.to_string());

    // An editor publishes two at once, then moves them to another section.
    let list = eddie.get("/newsroom/articles").await;
    assert!(list.body.contains("With the chosen articles"));
    let done = eddie
        .submit(
            "/newsroom/articles/bulk",
            &list.body,
            &[("ids", &a_s), ("ids", &b_s), ("action", "publish")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let back = eddie.get(done.location().unwrap()).await;
    assert!(back.body.contains("2 articles published."), "{}", back.body);
    assert_eq!(n.status_of(a).await, Status::Published);
    assert_eq!(n.status_of(b).await, Status::Published);
    let history = eddie
        .get(&format!("/newsroom/articles/{a}/revisions"))
        .await;
    assert!(
        history.body.contains("nr-badge\">Published</span>"),
        "{}",
        history.body
    );
    let sports = n.store.section_by_slug("sports").await.unwrap().unwrap().id;
    let list = eddie.get("/newsroom/articles").await;
    eddie
        .submit(
            "/newsroom/articles/bulk",
            &list.body,
            &[
                ("ids", &a_s),
                ("ids", &b_s),
                ("action", "move"),
                ("section_id", &sports.to_string()),
            ],
        )
        .await;
    let moved = n.store.article_by_id(b).await.unwrap().unwrap();
    assert_eq!(
        (moved.section.id, moved.status),
        (sports, Status::Published)
    );

    // An author trashes her own draft, not an editor's live article.
    let list = aria.get("/newsroom/articles").await;
    let done = aria
        .submit(
            "/newsroom/articles/bulk",
            &list.body,
            &[("ids", &a_s), ("ids", &d_s), ("action", "trash")],
        )
        .await;
    let back = aria.get(done.location().unwrap()).await;
    assert!(
        back.body.contains("1 article trashed. 1 not"),
        "{}",
        back.body
    );
    assert!(n.store.trashed_at(d).await.unwrap().is_some());
    assert_eq!(n.status_of(a).await, Status::Published);
    let list = eddie.get("/newsroom/articles").await;
    assert!(!list.body.contains("Aria&#x27;s draft") && !list.body.contains("Aria's draft"));
    let trash = eddie.get("/newsroom/articles?trash=1").await;
    assert!(trash.body.contains("Aria"), "{}", trash.body);
    assert!(trash.body.contains("Trash"));

    // Trashing a live article unpublishes it first; it comes back out unpublished.
    let page = eddie.get(&edit_url(a)).await;
    assert!(page.body.contains("Move to trash"));
    let gone = eddie
        .submit(&format!("/newsroom/articles/{a}/trash"), &page.body, &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(n.status_of(a).await, Status::Unpublished);
    let reader = eddie.get("/news/bulk-one").await;
    assert_ne!(reader.status, StatusCode::OK);
    let page = eddie.get(&edit_url(a)).await;
    assert!(page.body.contains("In the trash since"));
    let trash = eddie.get("/newsroom/articles?trash=1").await;
    eddie
        .submit(
            "/newsroom/articles/bulk",
            &trash.body,
            &[("ids", &a_s), ("action", "restore")],
        )
        .await;
    assert!(n.store.trashed_at(a).await.unwrap().is_none());
    assert_eq!(n.status_of(a).await, Status::Unpublished);

    // Only an editor empties the trash; what was in it is gone for good.
    let trash = aria.get("/newsroom/articles?trash=1").await;
    assert!(!trash.body.contains("Empty the trash now"));
    let refused = aria
        .submit("/newsroom/articles/trash/empty", &trash.body, &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(n.store.article_by_id(d).await.unwrap().is_some());
    let trash = eddie.get("/newsroom/articles?trash=1").await;
    let emptied = eddie
        .submit("/newsroom/articles/trash/empty", &trash.body, &[])
        .await;
    assert_eq!(emptied.status, StatusCode::SEE_OTHER);
    assert!(n.store.article_by_id(d).await.unwrap().is_none());
    assert!(n.store.article_by_id(a).await.unwrap().is_some());
}

async fn the_editor_shows_words_address_and_how_it_shows_elsewhere(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let new = eddie.get("/newsroom/articles/new").await;
    assert!(
        new.body.contains("Choose a section"),
        "no section is chosen for the writer"
    );
    let id = n
        .write(
            &mut eddie,
            "Harbour reopens after storm",
            "Ships are back in port & the cranes turn again.",
            &[("seo_description", "The port is open.")],
        )
        .await;
    let page = eddie.get(&edit_url(id)).await;
    assert!(page.body.contains("9 words · 1 min read"), "{}", page.body);
    assert!(page.body.contains("http://news.example/news/<strong data-slug-preview>harbour-reopens-after-storm</strong>")
        || page.body.contains("<strong data-slug-preview>harbour-reopens-after-storm</strong>"));
    assert!(
        page.body
            .contains("data-serp-title>Harbour reopens after storm<")
    );
    assert!(page.body.contains("data-serp-desc>The port is open.<"));
    assert!(
        !page.body.contains("Choose a section"),
        "a saved article has its section"
    );
    // A new article with no section chosen is refused, with what to do.
    let new = eddie.get("/newsroom/articles/new").await;
    let refused = eddie
        .submit(
            "/newsroom/articles/new",
            &new.body,
            &[
                ("headline", "Nowhere"),
                ("body", "Text."),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
}

async fn authors_keep_their_own_profiles_and_editors_anyones(db: TestDb) {
    let n = newsroom(db).await;
    let mut aria = n.as_user("author@example.com").await;
    let aria_id = n.author_id("author@example.com").await;
    let otto_id = n.author_id("other@example.com").await;
    let own = aria.get("/newsroom/authors").await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    assert_eq!(
        own.location(),
        Some(format!("/newsroom/authors/{aria_id}").as_str())
    );
    let form = aria.get(&format!("/newsroom/authors/{aria_id}")).await;
    assert!(form.body.contains("Your profile"), "{}", form.body);
    let slug = n
        .store
        .author_profile(aria_id)
        .await
        .unwrap()
        .unwrap()
        .author
        .slug;
    let before = aria.get(&format!("/author/{slug}")).await;
    assert!(!before.body.contains("Diplomatic correspondent"));
    let bad = aria
        .submit(
            &format!("/newsroom/authors/{aria_id}"),
            &form.body,
            &[
                ("name", "Aria Author"),
                ("job_title", "Diplomatic correspondent"),
                ("bio", "Covers the talks."),
                ("links", "https://aria.example/\njavascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("is not a web address"), "{}", bad.body);
    assert!(
        bad.body.contains("Diplomatic correspondent"),
        "what was typed comes back"
    );
    let profile = n.store.author_profile(aria_id).await.unwrap().unwrap();
    assert_eq!(
        profile.author.job_title, "",
        "a refused save changes nothing"
    );
    let saved = aria
        .submit(
            &format!("/newsroom/authors/{aria_id}"),
            &form.body,
            &[
                ("name", "Aria Author"),
                ("job_title", "Diplomatic correspondent"),
                ("bio", "Covers the talks."),
                (
                    "links",
                    "https://aria.example/\n\nhttps://www.social.example/aria",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = aria.get(&format!("/author/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Diplomatic correspondent"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "href=\"https://www.social.example/aria\" rel=\"me noopener\">social.example/aria<"
        ) || page.body.contains(">social.example<")
    );
    // Her bylines say what she does, on the page and in its structured data.
    let story = n
        .write(&mut aria, "Talks in Pyongyang", "Ministers met.", &[])
        .await;
    let mut eddie = n.as_user("editor@example.com").await;
    let list = eddie.get("/newsroom/articles").await;
    let done = eddie
        .submit(
            "/newsroom/articles/bulk",
            &list.body,
            &[("ids", &story.to_string()), ("action", "publish")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let slug_of_story = n.store.article_by_id(story).await.unwrap().unwrap().slug;
    let read = eddie.get(&format!("/news/{slug_of_story}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.body.contains(
            ">Aria Author</a><span class=\"byline__role\">, Diplomatic correspondent</span>"
        ),
        "{}",
        read.body
    );
    assert!(
        read.body
            .contains("\"jobTitle\":\"Diplomatic correspondent\""),
        "{}",
        read.body
    );
    // Not someone else's.
    let other = aria.get(&format!("/newsroom/authors/{otto_id}")).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let found = eddie.get("/newsroom/authors?q=ott").await;
    assert!(
        found.body.contains("Otto Other") && !found.body.contains("Aria Author"),
        "{}",
        found.body
    );
    let form = eddie.get(&format!("/newsroom/authors/{otto_id}")).await;
    let saved = eddie
        .submit(
            &format!("/newsroom/authors/{otto_id}"),
            &form.body,
            &[
                ("name", "Otto Other"),
                ("job_title", "Sports writer"),
                ("bio", ""),
                ("links", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        n.store
            .author_profile(otto_id)
            .await
            .unwrap()
            .unwrap()
            .author
            .job_title,
        "Sports writer"
    );
}

async fn only_authors_and_editors_add_topics(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    n.write(
        &mut eddie,
        "Topic maker",
        "Text.",
        &[("topics", "Harbours")],
    )
    .await;
    let mut cora = n.as_user("contrib@example.com").await;
    let form = cora.get("/newsroom/articles/new").await;
    assert!(form.body.contains("pick from the suggestions"));
    let world = n.world.to_string();
    let refused = cora
        .submit(
            "/newsroom/articles/new",
            &form.body,
            &[
                ("headline", "Contributor's piece"),
                ("body", "Text."),
                ("section_id", &world),
                ("topics", "harbours, Cheap Pills Online"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("pick from the list instead of: Cheap Pills Online."),
        "{}",
        refused.body
    );
    assert!(
        n.store
            .topic_by_slug("cheap-pills-online")
            .await
            .unwrap()
            .is_none()
    );
    let id = n
        .write(
            &mut cora,
            "Contributor's piece",
            "Text.",
            &[("topics", "harbours")],
        )
        .await;
    let a = n.store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(
        a.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Harbours"]
    );
}

async fn faq_blocks_in_the_body_are_structured_data(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let body = r#"{"type":"doc","content":[
        {"type":"paragraph","content":[{"type":"text","text":"The talks resumed."}]},
        {"type":"faq","content":[{"type":"faq_item","content":[
            {"type":"faq_question","content":[{"type":"text","text":"Why now?"}]},
            {"type":"faq_answer","content":[{"type":"paragraph","content":[{"type":"text","text":"The summit opened the way."}]}]}]}]}]}"#;
    let id = n
        .write(&mut eddie, "Talks resume", body, &[("body_format", "doc")])
        .await;
    act(&mut eddie, id, "publish", &[]).await;
    assert_eq!(n.status_of(id).await, Status::Published);
    let page = eddie.get("/news/talks-resume").await;
    assert_eq!(page.status, StatusCode::OK);
    let ld = page
        .body
        .split("<script type=\"application/ld+json\">")
        .skip(1)
        .map(|s| s.split("</script>").next().unwrap())
        .find(|s| s.contains("FAQPage"))
        .expect("an FAQPage");
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["mainEntity"][0]["name"], "Why now?");
    assert_eq!(
        ld["mainEntity"][0]["acceptedAnswer"]["text"],
        "The summit opened the way."
    );
}

async fn thousands_of_bylines_are_found_by_name(db: TestDb) {
    let n = newsroom(db).await;
    for i in 0..150 {
        n.store
            .create_author(
                &format!("staffer-{i}"),
                &format!("Staffer Number {i:03}"),
                "",
            )
            .await
            .unwrap();
    }
    let mut eddie = n.as_user("editor@example.com").await;
    let form = eddie.get("/newsroom/articles/new").await;
    assert!(form.body.contains("data-more=\"true\""));
    assert!(form.body.contains("Find a name"));
    let listed = form.body.matches("name=\"authors\"").count();
    assert!(listed <= 101, "{listed} bylines listed");
    assert!(
        form.body.contains("Eddie Editor"),
        "the writer's own byline is listed, chosen"
    );
    let found = eddie.get("/newsroom/authors/lookup?q=number%20149").await;
    assert_eq!(found.status, StatusCode::OK);
    let found: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(found[0]["name"], "Staffer Number 149");
    assert_eq!(found.as_array().unwrap().len(), 1);
    // Without JavaScript the form's Find button redraws it, unsaved and as
    // typed, listing the names that match after the chosen ones.
    let world = n.world.to_string();
    let mine = n.author_id("editor@example.com").await.to_string();
    let redrawn = eddie
        .submit(
            "/newsroom/articles/new",
            &form.body,
            &[
                ("headline", "Typed before searching"),
                ("body", "Text."),
                ("section_id", &world),
                ("authors", &mine),
                ("byline_find", "number 14"),
                ("action", "find_bylines"),
            ],
        )
        .await;
    assert_eq!(redrawn.status, StatusCode::OK, "{}", redrawn.body);
    assert!(redrawn.body.contains("value=\"Typed before searching\""));
    assert!(redrawn.body.contains("Not saved yet: bylines matching"));
    assert!(redrawn.body.contains("value=\"number 14\""));
    let names: Vec<&str> = redrawn
        .body
        .split("name=\"authors\"")
        .skip(1)
        .map(|s| {
            s.split("</label>")
                .next()
                .unwrap()
                .rsplit('>')
                .next()
                .unwrap()
                .trim()
        })
        .collect();
    assert_eq!(names[0], "Eddie Editor", "the chosen byline first");
    assert_eq!(names.len(), 11, "{names:?}");
    assert!(names.contains(&"Staffer Number 149") && names.contains(&"Staffer Number 140"));
    assert_eq!(
        n.store
            .article_by_slug("typed-before-searching")
            .await
            .unwrap()
            .map(|a| a.id),
        None,
        "nothing saved"
    );
    // A byline found that way saves like any other.
    let id = found[0]["id"].as_i64().unwrap().to_string();
    let created = eddie
        .submit(
            "/newsroom/articles/new",
            &form.body,
            &[
                ("headline", "Many hands"),
                ("body", "Text."),
                ("section_id", &world),
                ("authors", &id),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
}

async fn corrections_show_on_the_article(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let id = n.write(&mut eddie, "Corrected story", "Text.", &[]).await;
    act(&mut eddie, id, "publish", &[]).await;
    let page = eddie.get(&edit_url(id)).await;
    let r = eddie
        .submit(
            &format!("/newsroom/articles/{id}/corrections"),
            &page.body,
            &[
                ("kind", "correction"),
                ("body", "An earlier version misnamed the minister."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let reader = Client::new(n.router.clone())
        .get("/news/corrected-story")
        .await;
    assert!(reader.body.contains("<strong>Correction, "));
    assert!(
        reader
            .body
            .contains("An earlier version misnamed the minister.")
    );
    let a = n.store.article_by_id(id).await.unwrap().unwrap();
    assert!(a.updated_at >= a.published_at, "the updated time moved");
    let empty = eddie
        .submit(
            &format!("/newsroom/articles/{id}/corrections"),
            &page.body,
            &[("kind", "correction"), ("body", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

async fn the_reader_site_follows_each_action_at_once(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let reader = || Client::new(n.router.clone());
    let id = n
        .write(
            &mut eddie,
            "Breaking story",
            "Text.",
            &[("editors_pick", "on")],
        )
        .await;
    assert!(!reader().get("/").await.body.contains("Breaking story"));
    act(&mut eddie, id, "publish", &[]).await;
    let home = reader().get("/").await.body;
    assert!(home.contains("Breaking story"));
    assert!(
        home[home.find("Editors' Picks").unwrap()..].contains("Breaking story"),
        "picked in the editor"
    );
    let page = eddie.get(&edit_url(id)).await;
    let world = n.world.to_string();
    let author = n.author_id("editor@example.com").await.to_string();
    eddie
        .submit(
            &edit_url(id),
            &page.body,
            &[
                ("headline", "Breaking story, updated"),
                ("slug", "breaking-story"),
                ("body", "More."),
                ("section_id", &world),
                ("authors", &author),
                ("action", "save"),
            ],
        )
        .await;
    assert!(
        reader()
            .get("/news/breaking-story")
            .await
            .body
            .contains("Breaking story, updated")
    );
    act(&mut eddie, id, "unpublish", &[]).await;
    assert_eq!(
        reader().get("/news/breaking-story").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!reader().get("/").await.body.contains("Breaking story"));
}

/// The public lists of topics (the API's, Ghost's tags, the topic sitemap)
/// and the sitemap index, as (address, body).
async fn public_topic_lists(router: &Router, key: &str) -> Vec<(String, String)> {
    let mut reader = Client::new(router.clone());
    let mut all = Vec::new();
    for uri in [
        "/api/v1/topics".to_string(),
        format!("/ghost/api/content/tags/?key={key}&limit=all"),
        "/sitemaps/topics-1.xml".to_string(),
        "/sitemap.xml".to_string(),
    ] {
        let page = reader.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        all.push((uri, page.body));
    }
    all
}

/// Finding 12: anyone who may save a draft can name new topics, so a topic
/// is public (page, feed, API, Ghost tags, sitemaps) only once one of its
/// articles is published, and stops being public when none is.
async fn topics_named_on_a_draft_stay_private_until_published(db: TestDb) {
    let n = newsroom(db).await;
    let key = n
        .store
        .create_api_key(&NewApiKey {
            name: "Front-end".into(),
            kind: ApiKeyKind::Content,
            user_id: None,
            role: None,
            created_by: None,
        })
        .await
        .unwrap()
        .key;
    let mut aria = n.as_user("author@example.com").await;
    let id = n
        .write(
            &mut aria,
            "Plans afoot",
            "Text.",
            &[("topics", "Secret Plans, Cheap Pills Online")],
        )
        .await;
    assert_eq!(n.status_of(id).await, Status::Draft);
    let names = ["secret-plans", "cheap-pills-online"];
    let mut reader = Client::new(n.router.clone());
    for name in names {
        for uri in [
            format!("/topic/{name}"),
            format!("/topic/{name}/feed.xml"),
            format!("/api/v1/articles?topic={name}"),
        ] {
            let page = reader.get(&uri).await;
            assert!(
                page.status == StatusCode::NOT_FOUND || page.status == StatusCode::BAD_REQUEST,
                "{uri} answered {} before anything was published",
                page.status
            );
        }
    }
    let lists = public_topic_lists(&n.router, &key).await;
    for (uri, body) in &lists {
        for name in names {
            assert!(!body.contains(name), "{name} listed in {uri}: {body}");
        }
    }
    assert!(
        !lists[3].1.contains("topics-1.xml"),
        "no topic sitemap while no topic is public: {}",
        lists[3].1
    );
    let mut eddie = n.as_user("editor@example.com").await;
    assert!(
        eddie
            .get("/newsroom/topics")
            .await
            .body
            .contains("Secret Plans"),
        "the newsroom still sees every topic"
    );

    act(&mut eddie, id, "publish", &[]).await;
    assert_eq!(n.status_of(id).await, Status::Published);
    for name in names {
        for uri in [format!("/topic/{name}"), format!("/topic/{name}/feed.xml")] {
            let page = reader.get(&uri).await;
            assert_eq!(page.status, StatusCode::OK, "{uri} once published");
            assert!(page.body.contains("Plans afoot"), "{uri}");
        }
    }
    let lists = public_topic_lists(&n.router, &key).await;
    for (uri, body) in &lists[..3] {
        for name in names {
            assert!(
                body.contains(&format!("/topic/{name}")),
                "{name} not in {uri}: {body}"
            );
        }
    }
    assert!(lists[3].1.contains("topics-1.xml"), "{}", lists[3].1);

    act(&mut eddie, id, "unpublish", &[]).await;
    assert_eq!(
        reader.get("/topic/secret-plans").await.status,
        StatusCode::NOT_FOUND,
        "a cached topic page goes with its last published article"
    );
    for (uri, body) in public_topic_lists(&n.router, &key).await {
        assert!(!body.contains("secret-plans"), "{uri}: {body}");
    }
}

async fn the_live_preview_renders_safely(db: TestDb) {
    let n = newsroom(db).await;
    let mut cora = n.as_user("contrib@example.com").await;
    let page = cora.get("/newsroom/articles/new").await;
    let r = cora
        .submit(
            "/newsroom/preview",
            &page.body,
            &[("body", "**bold** <script>alert(1)</script>")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<strong>bold</strong>") && !r.body.contains("<script"));
    let forged = cora
        .post_form("/newsroom/preview", &[("body", "x"), ("_csrf", "bad")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Without JavaScript: the Preview button and the FAQ buttons redraw the form unsaved.
    let world = n.world.to_string();
    let shown = cora
        .submit(
            "/newsroom/articles/new",
            &page.body,
            &[
                ("headline", "Draft"),
                ("body", "## Heading"),
                ("section_id", &world),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("<h2>Heading</h2>"));
    // A body a save would refuse is not rendered by either preview.
    let flood = format!(
        "<span{}>flooded</span>",
        (0..200).map(|i| format!(" a{i}=x")).collect::<String>()
    );
    let refused = cora
        .submit("/newsroom/preview", &page.body, &[("body", &flood)])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("attributes"), "{}", refused.body);
    let button = cora
        .submit(
            "/newsroom/articles/new",
            &page.body,
            &[
                ("headline", "Draft"),
                ("body", &flood),
                ("body_format", "html"),
                ("section_id", &world),
                ("action", "preview"),
            ],
        )
        .await;
    assert!(button.body.contains("No preview"), "the button says why");
    assert!(!button.body.contains("a199=\"x\""), "nothing rendered");
    let added = cora
        .submit(
            "/newsroom/articles/new",
            &page.body,
            &[
                ("headline", "Draft"),
                ("faq_question", "Q1"),
                ("faq_answer", "A1"),
                ("section_id", &world),
                ("action", "faq-add"),
            ],
        )
        .await;
    assert!(added.body.contains("Question 2"));
    assert_eq!(
        n.store
            .newsroom_articles(&Default::default(), 10, 0)
            .await
            .unwrap()
            .0
            .len(),
        0,
        "nothing saved"
    );
}

/// A document (what the rich editor sends) saved through the newsroom form,
/// opened again with and without JavaScript, previewed, and refused when it
/// is not a document.
async fn documents_go_through_the_form_and_come_back(db: TestDb) {
    let n = newsroom(db).await;
    let mut aria = n.as_user("author@example.com").await;
    let page = aria.get("/newsroom/articles/new").await;
    let world = n.world.to_string();
    let byline = n.author_id("author@example.com").await.to_string();
    let doc = r#"{"type":"doc","content":[
        {"type":"paragraph","content":[{"type":"text","text":"Ships "},{"type":"text","marks":[{"type":"strong"}],"text":"docked </script><script>alert(1)</script>"}]},
        {"type":"pull_quote","attrs":{"cite":"A harbour master"},"content":[{"type":"text","text":"All in"}]}]}"#;
    let preview = aria
        .submit(
            "/newsroom/preview",
            &page.body,
            &[("body", doc), ("body_format", "doc")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview
            .body
            .contains("<figure class=\"pull-quote\"><blockquote>All in</blockquote>"),
        "{}",
        preview.body
    );
    assert!(!preview.body.contains("<script"), "{}", preview.body);
    let created = aria
        .submit(
            "/newsroom/articles/new",
            &page.body,
            &[
                ("headline", "Ships dock"),
                ("dek", "At dawn."),
                ("body", doc),
                ("body_format", "doc"),
                ("section_id", &world),
                ("authors", &byline),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let (list, _) = n
        .store
        .newsroom_articles(&Default::default(), 10, 0)
        .await
        .unwrap();
    let id = list[0].id;
    let stored = n.store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(stored.body_format, bbn_core::BodyFormat::Document);
    assert!(
        stored.body_html.contains(
            "<strong>docked &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</strong>"
        ),
        "{}",
        stored.body_html
    );
    // Opened again: the editor gets the document in a script element that no
    // text inside can close; the form without JavaScript edits its HTML.
    let form = aria.get(&edit_url(id)).await;
    let script = form
        .body
        .split("<script type=\"application/json\" id=\"body-doc\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the document is on the page");
    assert!(!script.contains('<'), "{script}");
    let sent: serde_json::Value = serde_json::from_str(script).unwrap();
    assert_eq!(
        sent,
        serde_json::from_str::<serde_json::Value>(doc).unwrap()
    );
    assert!(
        form.body
            .contains("&lt;figure class=&quot;pull-quote&quot;&gt;"),
        "the textarea holds the HTML"
    );
    assert!(form.body.contains("<option value=\"html\" selected>"));
    // Saved without JavaScript, the article becomes HTML and keeps its blocks.
    let html = stored.body_html.clone();
    let saved = aria
        .submit(
            &edit_url(id),
            &form.body,
            &[
                ("headline", "Ships dock"),
                ("dek", "At dawn."),
                ("body", &html),
                ("body_format", "html"),
                ("section_id", &world),
                ("authors", &byline),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = n.store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(stored.body_format, bbn_core::BodyFormat::Html);
    assert!(stored.body_html.contains("<figure class=\"pull-quote\"><blockquote>All in</blockquote><figcaption>A harbour master</figcaption></figure>"), "{}", stored.body_html);
    // Not a document: refused with the reason, nothing changed.
    let form = aria.get(&edit_url(id)).await;
    let refused = aria
        .submit(
            &edit_url(id),
            &form.body,
            &[
                ("headline", "Ships dock"),
                ("body", "{\"type\":\"paragraph\"}"),
                ("body_format", "doc"),
                ("section_id", &world),
                ("authors", &byline),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("not a document the editor wrote"),
        "{}",
        refused.body
    );
}

/// The reader's answer at `path`: (status, Location).
async fn address(router: &Router, path: &str) -> (StatusCode, Option<String>) {
    let page = Client::new(router.clone()).get(path).await;
    (page.status, page.location().map(str::to_string))
}

/// Finding 8: a renamed article's old address keeps leading to it. A draft
/// may be written at it (the redirect stays), and going live there ends the
/// redirect, which only an editor may do: not an author through the
/// newsroom, nor through the API.
async fn an_old_address_is_taken_over_only_by_an_editor_publishing(db: TestDb) {
    let n = newsroom(db).await;
    let mut eddie = n.as_user("editor@example.com").await;
    let story = n
        .write(&mut eddie, "Floods close the harbour", "Text.", &[])
        .await;
    act(&mut eddie, story, "publish", &[]).await;
    let page = eddie.get(&edit_url(story)).await;
    let world = n.world.to_string();
    let byline = n.author_id("editor@example.com").await.to_string();
    let renamed = eddie
        .submit(
            &edit_url(story),
            &page.body,
            &[
                ("headline", "Floods close the harbour"),
                ("slug", "harbour-closed-by-floods"),
                ("body", "Text."),
                ("section_id", &world),
                ("authors", &byline),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let old = "/news/floods-close-the-harbour";
    let moved = (
        StatusCode::MOVED_PERMANENTLY,
        Some("/news/harbour-closed-by-floods".to_string()),
    );
    assert_eq!(address(&n.router, old).await, moved);

    // A contributor's draft at the old address, with an author's byline.
    let mut cora = n.as_user("contrib@example.com").await;
    let aria_byline = n.author_id("author@example.com").await.to_string();
    let advert = n
        .write(
            &mut cora,
            "Sponsored: buy now",
            "Buy now.",
            &[
                ("slug", "floods-close-the-harbour"),
                ("authors", &aria_byline),
            ],
        )
        .await;
    assert_eq!(
        n.store.article_by_id(advert).await.unwrap().unwrap().slug,
        "floods-close-the-harbour"
    );
    assert_eq!(
        address(&n.router, old).await,
        moved,
        "a draft leaves the redirect alone"
    );

    // The author may publish the article, but not at that address.
    let mut aria = n.as_user("author@example.com").await;
    let refused = act(&mut aria, advert, "publish", &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("still leads to")
            && refused.body.contains("Floods close the harbour"),
        "{}",
        refused.body
    );
    let aria_id = n
        .store
        .user_for_sign_in("author@example.com")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let token = n
        .store
        .create_api_key(&NewApiKey {
            name: "Aria's scripts".into(),
            kind: ApiKeyKind::Staff,
            user_id: Some(aria_id),
            role: Some(Role::Author),
            created_by: None,
        })
        .await
        .unwrap()
        .key;
    for (step, body) in [
        ("publish", "{}"),
        ("schedule", r#"{"at": "2099-01-01T09:00:00Z"}"#),
    ] {
        let request = axum::http::Request::builder()
            .method("POST")
            .uri(format!("/api/v1/articles/{advert}/{step}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap();
        let answer = tower::ServiceExt::oneshot(n.router.clone(), request)
            .await
            .unwrap();
        let status = answer.status();
        let problem = http_body_util::BodyExt::collect(answer.into_body())
            .await
            .unwrap()
            .to_bytes();
        let problem = String::from_utf8_lossy(&problem);
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{step}: {problem}"
        );
        assert!(problem.contains("still leads to"), "{step}: {problem}");
    }
    assert_eq!(n.status_of(advert).await, Status::Draft);
    assert_eq!(address(&n.router, old).await, moved, "still the story's");

    // An editor decides the address is the new article's.
    let taken = act(&mut eddie, advert, "publish", &[]).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let now = Client::new(n.router.clone()).get(old).await;
    assert_eq!(now.status, StatusCode::OK);
    assert!(now.body.contains("Sponsored: buy now"));
    let story_page = Client::new(n.router.clone())
        .get("/news/harbour-closed-by-floods")
        .await;
    assert!(story_page.body.contains("Floods close the harbour"));
}

bbn_store::on_both_backends!(
    thousands_of_bylines_are_found_by_name,
    faq_blocks_in_the_body_are_structured_data,
    only_authors_and_editors_add_topics,
    authors_keep_their_own_profiles_and_editors_anyones,
    trash_and_bulk_actions_keep_each_articles_rules,
    the_editor_shows_words_address_and_how_it_shows_elsewhere,
    a_contributor_drafts_and_submits_but_cannot_publish,
    topics_named_on_a_draft_stay_private_until_published,
    every_cell_of_the_role_matrix,
    warnings_show_and_chosen_checks_block_publishing,
    scheduling_refuses_the_past_and_publishes_on_time,
    a_stale_save_is_refused_and_nothing_is_lost,
    bad_input_is_explained_and_changes_nothing,
    revisions_list_compare_and_restore,
    corrections_show_on_the_article,
    the_reader_site_follows_each_action_at_once,
    the_live_preview_renders_safely,
    documents_go_through_the_form_and_come_back,
    an_old_address_is_taken_over_only_by_an_editor_publishing,
);
