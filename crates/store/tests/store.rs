//! The store suite: every test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, FaqItem, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{ArticleFilter, Edit, NewComment, Store, StoreError};

struct Fixture {
    world: i64,
    sport: i64,
    alice: i64,
    bob: i64,
    diplomacy: i64,
    trade: i64,
}

async fn fixture(store: &Store) -> Fixture {
    Fixture {
        world: store
            .create_section("world", "World", "", Some(1))
            .await
            .unwrap(),
        sport: store
            .create_section("sports", "Sports", "", Some(2))
            .await
            .unwrap(),
        alice: store
            .create_author("alice-ames", "Alice Ames", "Covers diplomacy.")
            .await
            .unwrap(),
        bob: store
            .create_author("bob-bell", "Bob Bell", "")
            .await
            .unwrap(),
        diplomacy: store
            .create_topic("diplomacy", "Diplomacy", "")
            .await
            .unwrap(),
        trade: store.create_topic("trade", "Trade", "").await.unwrap(),
    }
}

fn draft(f: &Fixture, headline: &str, published_at: Option<i64>) -> ArticleDraft {
    let d = ArticleDraft::new("", headline, f.world)
        .dek("A dek")
        .kicker("Kicker")
        .body("Para one.\n\n> Quote")
        .authors(vec![f.alice])
        .topics(vec![f.diplomacy]);
    match published_at {
        Some(at) => d.published(at),
        None => d,
    }
}

async fn migrations_run_twice_and_refuse_newer_schema(db: TestDb) {
    let store = db.store.clone();
    store.migrate().await.unwrap();
    store
        .execute_raw("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)")
        .await
        .unwrap();
    match store.migrate().await {
        Err(StoreError::SchemaTooNew { found: 999, .. }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

async fn article_round_trip_keeps_every_part(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let mut d = draft(&f, "Ministers meet <script>", Some(1_000));
    d.author_ids = vec![f.bob, f.alice];
    d.topic_ids = vec![f.trade, f.diplomacy];
    d.body_markdown = "Hello <script>alert(1)</script> **world**".into();
    d.faq = vec![
        FaqItem {
            question: "Q1?".into(),
            answer: "A1".into(),
        },
        FaqItem {
            question: "Q2?".into(),
            answer: "A2".into(),
        },
    ];
    let id = store.create_article(d).await.unwrap();
    let a = store
        .article_by_slug("ministers-meet-script")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.id, id);
    assert_eq!(a.headline, "Ministers meet <script>");
    let authors: Vec<_> = a.authors.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        authors,
        ["Bob Bell", "Alice Ames"],
        "byline order is the writer's"
    );
    let topics: Vec<_> = a.topics.iter().map(|x| x.slug.as_str()).collect();
    assert_eq!(topics, ["trade", "diplomacy"]);
    assert_eq!(a.faq.len(), 2);
    assert_eq!(a.faq[1].question, "Q2?");
    assert!(a.body_html.contains("<strong>world</strong>"));
    assert!(!a.body_html.contains("<script"));
    assert_eq!(a.section.slug, "world");
    assert_eq!(a.published_at, Some(1_000));
    assert_eq!(
        store.article_by_id(id).await.unwrap().map(|a| a.slug),
        Some(a.slug)
    );
}

async fn lists_are_newest_first_paginated_and_only_published(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    for i in 0..5 {
        store
            .create_article(draft(&f, &format!("Story {i}"), Some(100 + i)))
            .await
            .unwrap();
    }
    let draft_id = store
        .create_article(draft(&f, "Secret draft", None))
        .await
        .unwrap();
    store.set_editors_picks(&[draft_id]).await.unwrap();

    let page1 = store.latest(2, 0).await.unwrap();
    let heads: Vec<_> = page1.items.iter().map(|a| a.headline.as_str()).collect();
    assert_eq!(heads, ["Story 4", "Story 3"]);
    assert!(page1.has_more);
    let page3 = store.latest(2, 4).await.unwrap();
    assert_eq!(page3.items.len(), 1);
    assert!(!page3.has_more, "the last page says so");

    for list in [
        store.latest(50, 0).await.unwrap(),
        store.section_articles(f.world, 50, 0).await.unwrap(),
        store.topic_articles(f.diplomacy, 50, 0).await.unwrap(),
        store.author_articles(f.alice, 50, 0).await.unwrap(),
    ] {
        assert_eq!(list.items.len(), 5);
        assert!(list.items.iter().all(|a| a.headline != "Secret draft"));
        assert_eq!(list.items[0].headline, "Story 4");
    }
    assert!(
        store.editors_picks(10).await.unwrap().is_empty(),
        "a draft is never picked publicly"
    );
    assert!(
        store
            .section_articles(f.sport, 10, 0)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn publishing_and_unpublishing_move_topic_and_author_pages(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "Draft first", None))
        .await
        .unwrap();
    assert!(
        store
            .topic_articles(f.diplomacy, 10, 0)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    store
        .update_article(id, draft(&f, "Draft first", Some(500)), None, false)
        .await
        .unwrap();
    assert_eq!(
        store
            .topic_articles(f.diplomacy, 10, 0)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        store
            .author_articles(f.alice, 10, 0)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let mut unpublished = draft(&f, "Draft first", Some(500));
    unpublished.status = Status::Unpublished;
    store
        .update_article(id, unpublished, None, false)
        .await
        .unwrap();
    assert!(
        store
            .topic_articles(f.diplomacy, 10, 0)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .author_articles(f.alice, 10, 0)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn related_prefers_topic_then_section_and_never_self(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let main = store
        .create_article(draft(&f, "Main", Some(10)))
        .await
        .unwrap();
    let mut same_section = draft(&f, "Same section", Some(30));
    same_section.topic_ids = vec![f.trade];
    store.create_article(same_section).await.unwrap();
    store
        .create_article(draft(&f, "Same topic old", Some(5)))
        .await
        .unwrap();
    store
        .create_article(draft(&f, "Same topic new", Some(20)))
        .await
        .unwrap();
    let mut elsewhere = draft(&f, "Elsewhere", Some(40));
    elsewhere.section_id = f.sport;
    elsewhere.topic_ids = vec![];
    store.create_article(elsewhere).await.unwrap();
    let a = store.article_by_id(main).await.unwrap().unwrap();
    let related: Vec<_> = store
        .related(&a, 4)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.headline)
        .collect();
    assert_eq!(
        related,
        ["Same topic new", "Same topic old", "Same section"]
    );
}

async fn slug_change_keeps_old_slug_as_redirect(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "Old name", Some(1)))
        .await
        .unwrap();
    let mut d = draft(&f, "Old name", Some(1));
    d.slug = "new-name".into();
    store.update_article(id, d, None, true).await.unwrap();
    assert!(store.article_by_slug("old-name").await.unwrap().is_none());
    assert_eq!(
        store.slug_redirect("old-name").await.unwrap().as_deref(),
        Some("new-name")
    );
    let a = store.article_by_slug("new-name").await.unwrap().unwrap();
    assert!(a.updated_at.is_some());
    assert_eq!(a.revision, 2);
}

async fn bad_writes_change_nothing(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    store
        .create_article(draft(&f, "Taken", Some(1)))
        .await
        .unwrap();
    let before = store.last_change().await.unwrap();
    match store.create_article(draft(&f, "Taken", Some(2))).await {
        Err(StoreError::Conflict { field: "slug" }) => {}
        other => panic!("duplicate slug: {other:?}"),
    }
    let mut unknown = draft(&f, "Unknown section", Some(1));
    unknown.section_id = 999_999;
    assert!(matches!(
        store.create_article(unknown).await,
        Err(StoreError::Invalid(_))
    ));
    let mut unknown = draft(&f, "Unknown author", Some(1));
    unknown.author_ids = vec![999_999];
    assert!(matches!(
        store.create_article(unknown).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        store
            .article_by_slug("unknown-author")
            .await
            .unwrap()
            .is_none(),
        "rolled back whole"
    );
    assert!(matches!(
        store.create_section("world", "Again", "", None).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store.last_change().await.unwrap(),
        before,
        "no change logged for a failed write"
    );
}

async fn stale_revision_is_refused(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "Shared", Some(1)))
        .await
        .unwrap();
    store
        .update_article(id, draft(&f, "Shared v2", Some(1)), Some(1), false)
        .await
        .unwrap();
    let stale = store
        .update_article(id, draft(&f, "Shared stale", Some(1)), Some(1), false)
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::Conflict { field: "revision" })
    ));
    assert_eq!(
        store.article_by_id(id).await.unwrap().unwrap().headline,
        "Shared v2"
    );
}

/// "entity op" of each change logged after `start`.
async fn logged_since(store: &Store, start: i64) -> Vec<String> {
    store
        .changes_since(start, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| format!("{} {}", c.entity, c.op))
        .collect()
}

async fn a_staff_article_and_its_pick_are_one_write(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let editor = store
        .create_user(&bbn_store::NewUser {
            email: "e@example.com".into(),
            name: "Eve Editor".into(),
            role: bbn_core::Role::Editor,
            password_hash: None,
        })
        .await
        .unwrap();
    let first = store
        .create_article(draft(&f, "Picked first", Some(1)))
        .await
        .unwrap();
    store.set_editors_picks(&[first]).await.unwrap();
    let start = store.last_change().await.unwrap();
    let id = store
        .create_staff_article(draft(&f, "Picked at birth", None), editor, true)
        .await
        .unwrap();
    assert_eq!(
        store.editors_pick_ids().await.unwrap(),
        [first, id],
        "joins the end"
    );
    assert_eq!(
        logged_since(&store, start).await,
        ["article create", "picks update"]
    );
    // A refused article leaves the picks as they were.
    let mut bad = draft(&f, "", None);
    bad.slug = "no-headline".into();
    assert!(store.create_staff_article(bad, editor, true).await.is_err());
    assert_eq!(store.editors_pick_ids().await.unwrap(), [first, id]);
    let unpicked = store
        .create_staff_article(draft(&f, "Not picked", None), editor, false)
        .await
        .unwrap();
    assert!(!store.editors_pick_ids().await.unwrap().contains(&unpicked));

    // Saving an article with its pick: one write too.
    let edit = |expected_revision| bbn_store::Edit {
        expected_revision,
        mark_updated: false,
        by: Some(editor),
        take_address: false,
        live: false,
        restored_from: None,
    };
    let revision = store
        .article_by_id(unpicked)
        .await
        .unwrap()
        .unwrap()
        .revision;
    let start = store.last_change().await.unwrap();
    let saved = store
        .save_staff_article(
            unpicked,
            draft(&f, "Picked later", None),
            edit(Some(revision)),
            Some(true),
        )
        .await
        .unwrap();
    assert_eq!(
        store.editors_pick_ids().await.unwrap(),
        [first, id, unpicked]
    );
    assert_eq!(
        logged_since(&store, start).await,
        ["article update", "picks update"]
    );
    // Picked already: the picks stay as they are and the log says nothing of them.
    let start = store.last_change().await.unwrap();
    let saved = store
        .save_staff_article(
            unpicked,
            draft(&f, "Picked later", None),
            edit(Some(saved)),
            Some(true),
        )
        .await
        .unwrap();
    assert_eq!(
        store.editors_pick_ids().await.unwrap(),
        [first, id, unpicked]
    );
    assert_eq!(store.changes_since(start, 10).await.unwrap().len(), 1);
    // A save refused (an older revision) leaves the picks alone.
    assert!(
        store
            .save_staff_article(
                first,
                draft(&f, "Stale", Some(1)),
                edit(Some(-1)),
                Some(false)
            )
            .await
            .is_err()
    );
    assert_eq!(
        store.editors_pick_ids().await.unwrap(),
        [first, id, unpicked]
    );
    // Leaving the picks keeps the others in their order; None leaves them be.
    store
        .save_staff_article(
            unpicked,
            draft(&f, "Unpicked", None),
            edit(Some(saved)),
            Some(false),
        )
        .await
        .unwrap();
    assert_eq!(store.editors_pick_ids().await.unwrap(), [first, id]);
    store
        .save_staff_article(id, draft(&f, "Left be", None), edit(None), None)
        .await
        .unwrap();
    assert_eq!(store.editors_pick_ids().await.unwrap(), [first, id]);
}

async fn comments_show_only_approved_in_order(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "Talked about", Some(1)))
        .await
        .unwrap();
    for (name, status, at) in [
        ("Second", CommentStatus::Approved, 20),
        ("Spammer", CommentStatus::Spam, 15),
        ("First", CommentStatus::Approved, 10),
        ("Waiting", CommentStatus::Pending, 5),
    ] {
        store
            .add_comment(&NewComment {
                article_id: id,
                parent_id: None,
                author_name: name.into(),
                author_email: "x@example.com".into(),
                body: "text".into(),
                status,
                created_at: at,
            })
            .await
            .unwrap();
    }
    let names: Vec<_> = store
        .approved_comments(id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.author_name)
        .collect();
    assert_eq!(names, ["First", "Second"]);
}

async fn reply_depth_walks_to_the_top_of_its_own_article(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let here = store
        .create_article(draft(&f, "Here", Some(1)))
        .await
        .unwrap();
    let there = store
        .create_article(draft(&f, "There", Some(2)))
        .await
        .unwrap();
    let add = |article_id, parent_id, status| {
        let store = store.clone();
        async move {
            store
                .add_comment(&NewComment {
                    article_id,
                    parent_id,
                    author_name: "Reader".into(),
                    author_email: "r@example.com".into(),
                    body: "text".into(),
                    status,
                    created_at: 1,
                })
                .await
                .unwrap()
        }
    };
    let top = add(here, None, CommentStatus::Approved).await;
    let reply = add(here, Some(top), CommentStatus::Approved).await;
    let deeper = add(here, Some(reply), CommentStatus::Approved).await;
    let waiting = add(here, None, CommentStatus::Pending).await;
    let elsewhere = add(there, None, CommentStatus::Approved).await;
    assert_eq!(store.reply_depth(top, here).await.unwrap(), Some(1));
    assert_eq!(store.reply_depth(reply, here).await.unwrap(), Some(2));
    assert_eq!(store.reply_depth(deeper, here).await.unwrap(), Some(3));
    assert_eq!(
        store.reply_depth(waiting, here).await.unwrap(),
        None,
        "not approved"
    );
    assert_eq!(
        store.reply_depth(elsewhere, here).await.unwrap(),
        None,
        "another article"
    );
    assert_eq!(
        store.reply_depth(999_999, here).await.unwrap(),
        None,
        "no such comment"
    );
    // Moderating a batch is one statement; each comment it touched is logged once.
    let before = store.last_change().await.unwrap();
    let moved = store
        .set_comments_status(&[reply, deeper, 999_999], CommentStatus::Spam)
        .await
        .unwrap();
    assert_eq!(moved, 2);
    let logged = store.changes_since(before, 100).await.unwrap();
    let ids: Vec<i64> = logged.iter().map(|c| c.entity_id).collect();
    assert_eq!(ids, [reply, deeper]);
    assert_eq!(
        store.reply_depth(reply, here).await.unwrap(),
        None,
        "now spam"
    );
}

async fn settings_round_trip_and_validate(db: TestDb) {
    let store = db.store.clone();
    assert_eq!(store.settings().await.unwrap(), SiteSettings::default());
    let s = SiteSettings {
        name: "Big Big News".into(),
        time_zone: "America/New_York".into(),
        page_size: 12,
        ..SiteSettings::default()
    };
    store.save_settings(&s).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), s);
    let bad = SiteSettings {
        time_zone: "Nowhere/Else".into(),
        page_size: 0,
        ..s.clone()
    };
    match store.save_settings(&bad).await {
        Err(StoreError::Invalid(errors)) => assert_eq!(errors.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.settings().await.unwrap(),
        s,
        "a refused save changes nothing"
    );
}

async fn section_fronts_give_each_section_its_newest(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    for i in 0..6 {
        let mut d = draft(&f, &format!("World {i}"), Some(100 + i));
        d.section_id = f.world;
        store.create_article(d).await.unwrap();
    }
    let mut d = draft(&f, "Sport 0", Some(50));
    d.section_id = f.sport;
    store.create_article(d).await.unwrap();
    store
        .create_article(draft(&f, "World draft", None))
        .await
        .unwrap();
    let fronts = store.section_fronts(&[f.sport, f.world], 4).await.unwrap();
    assert_eq!(fronts.len(), 2);
    assert_eq!(fronts[0].0, f.sport);
    let sport: Vec<_> = fronts[0].1.iter().map(|a| a.headline.as_str()).collect();
    assert_eq!(sport, ["Sport 0"]);
    let world: Vec<_> = fronts[1].1.iter().map(|a| a.headline.as_str()).collect();
    assert_eq!(world, ["World 5", "World 4", "World 3", "World 2"]);
    assert!(store.section_fronts(&[], 4).await.unwrap().is_empty());
}

async fn a_batch_with_one_bad_article_writes_nothing(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let mut bad = draft(&f, "Bad one", Some(2));
    bad.author_ids = vec![999_999];
    let result = store
        .create_articles(vec![draft(&f, "Good one", Some(1)), bad])
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))));
    assert!(store.article_by_slug("good-one").await.unwrap().is_none());
    assert!(store.latest(10, 0).await.unwrap().items.is_empty());
}

async fn large_batches_keep_each_row_with_its_own_parts(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    // A slug that redirects until an article of the batch takes it.
    let old = store
        .create_article(draft(&f, "Was here", Some(1)))
        .await
        .unwrap();
    let mut moved = draft(&f, "Was here", Some(1));
    moved.slug = "moved-on".into();
    store.update_article(old, moved, None, false).await.unwrap();
    assert_eq!(
        store.slug_redirect("was-here").await.unwrap().as_deref(),
        Some("moved-on")
    );
    let start = store.last_change().await.unwrap();
    // More rows than one statement takes, so the batch spans several.
    let n = 1_234;
    let mut drafts: Vec<ArticleDraft> = (0..n)
        .map(|i| {
            let mut d = draft(&f, &format!("Story {i}"), Some(10 + i as i64));
            if i % 2 == 1 {
                d.author_ids = vec![f.bob, f.alice];
                d.topic_ids = vec![f.trade, f.diplomacy];
            }
            if i % 100 == 0 {
                d.faq = vec![FaqItem {
                    question: format!("Why {i}?"),
                    answer: format!("Because {i}."),
                }];
            }
            d
        })
        .collect();
    drafts[n - 1].slug = "was-here".into();
    let ids = store.create_articles(drafts).await.unwrap();
    assert_eq!(ids.len(), n);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    for i in [0, 1, 499, 500, 501, 1000, 1001, n - 1] {
        let a = store.article_by_id(ids[i]).await.unwrap().unwrap();
        assert_eq!(a.headline, format!("Story {i}"));
        let authors: Vec<i64> = a.authors.iter().map(|x| x.id).collect();
        let topics: Vec<i64> = a.topics.iter().map(|x| x.id).collect();
        if i % 2 == 1 {
            assert_eq!(
                (authors, topics),
                (vec![f.bob, f.alice], vec![f.trade, f.diplomacy])
            );
        } else {
            assert_eq!((authors, topics), (vec![f.alice], vec![f.diplomacy]));
        }
        let faq: Vec<&str> = a.faq.iter().map(|q| q.question.as_str()).collect();
        if i % 100 == 0 {
            assert_eq!(faq, [format!("Why {i}?")]);
        } else {
            assert!(faq.is_empty());
        }
    }
    assert!(store.slug_redirect("was-here").await.unwrap().is_none());
    let logged: Vec<(String, i64)> = store
        .changes_since(start, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.op, c.entity_id))
        .collect();
    assert_eq!(
        logged,
        ids.iter()
            .map(|id| ("create".to_string(), *id))
            .collect::<Vec<_>>()
    );

    let comments: Vec<NewComment> = (0..n)
        .map(|i| NewComment {
            article_id: ids[i % 3],
            parent_id: None,
            author_name: format!("Reader {i}"),
            author_email: "reader@example.com".into(),
            body: format!("Comment {i}"),
            status: CommentStatus::Approved,
            created_at: i as i64,
        })
        .collect();
    let comment_ids = store.add_comments(&comments).await.unwrap();
    assert_eq!(comment_ids.len(), n);
    let shown = store.approved_comments(ids[0]).await.unwrap();
    assert_eq!(shown.len(), n.div_ceil(3));
    for c in shown {
        let i = comment_ids.iter().position(|id| *id == c.id).unwrap();
        assert_eq!((c.author_name, i % 3), (format!("Reader {i}"), 0));
    }
}

async fn every_save_keeps_a_restorable_revision(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "First words", None))
        .await
        .unwrap();
    let mut second = draft(&f, "Second words", None);
    second.body_markdown = "Changed body".into();
    let r = store
        .save_article(
            id,
            second,
            Edit {
                expected_revision: Some(1),
                ..Edit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r, 2);
    let revisions: Vec<i64> = store
        .revisions(id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(revisions, [2, 1]);
    let old = store.revision(id, 1).await.unwrap().unwrap();
    assert_eq!(old.headline, "First words");
    // Restoring is saving the old state again, as a new revision.
    store
        .save_article(
            id,
            old,
            Edit {
                expected_revision: Some(2),
                ..Edit::default()
            },
        )
        .await
        .unwrap();
    let a = store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!((a.headline.as_str(), a.revision), ("First words", 3));
}

async fn revisions_name_what_they_mark_and_live_snapshots_are_kept(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "Named", None))
        .await
        .unwrap();
    let mut d = store.revision(id, 1).await.unwrap().unwrap();
    let save = |d: ArticleDraft, restored_from| {
        let store = store.clone();
        async move {
            store
                .save_article(
                    id,
                    d,
                    Edit {
                        restored_from,
                        ..Edit::default()
                    },
                )
                .await
                .unwrap()
        }
    };
    d.status = Status::InReview;
    save(d.clone(), None).await;
    d.headline = "Named again".into();
    save(d.clone(), None).await;
    d.status = Status::Published;
    d.published_at = Some(1_000);
    save(d.clone(), None).await;
    let old = store.revision(id, 1).await.unwrap().unwrap();
    let mut back = old.clone();
    (back.status, back.published_at) = (d.status, d.published_at);
    save(back, Some(1)).await;
    let labels: Vec<(i64, Option<String>)> = store
        .revisions(id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.revision, r.label))
        .collect();
    assert_eq!(
        labels,
        [
            (5, Some("restored:1".to_string())),
            (4, Some("published".to_string())),
            (3, None),
            (2, Some("submitted".to_string())),
            (1, None),
        ]
    );

    // Live snapshots: one per gap however many instances offer one.
    let writer = store
        .create_user(&bbn_store::NewUser {
            email: "w@example.com".into(),
            name: "Wyn Writer".into(),
            role: bbn_core::Role::Author,
            password_hash: None,
        })
        .await
        .unwrap();
    let mut working = d.clone();
    working.headline = "Being written".into();
    assert!(
        store
            .add_live_snapshot(id, &[writer], &working, 170)
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_live_snapshot(id, &[writer], &working, 170)
            .await
            .unwrap(),
        "another instance's offer inside the gap is not kept"
    );
    assert!(store.add_live_snapshot(id, &[], &working, 0).await.unwrap());
    let kept = store.live_snapshots(id).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1].writers, ["Wyn Writer"]);
    assert!(kept[0].writers.is_empty());
    let back = store.live_snapshot(id, kept[1].id).await.unwrap().unwrap();
    assert_eq!(back.headline, "Being written");
    assert!(
        store
            .live_snapshot(id + 1, kept[1].id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn scheduled_articles_publish_exactly_once(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let mut d = draft(&f, "Embargoed", None);
    d.status = Status::Scheduled;
    d.scheduled_at = Some(1_000);
    let id = store.create_article(d).await.unwrap();
    let mut later = draft(&f, "Later", None);
    later.status = Status::Scheduled;
    later.scheduled_at = Some(5_000);
    store.create_article(later).await.unwrap();
    assert!(store.publish_due(999).await.unwrap().is_empty());
    assert!(
        store
            .topic_articles(f.diplomacy, 10, 0)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Two instances' schedulers at the same moment: one publication.
    let (a, b) = tokio::join!(store.publish_due(1_000), store.publish_due(1_000));
    let mut all = a.unwrap();
    all.extend(b.unwrap());
    assert_eq!(all, [id]);
    let published = store.article_by_id(id).await.unwrap().unwrap();
    assert_eq!(
        (
            published.status,
            published.published_at,
            published.scheduled_at
        ),
        (Status::Published, Some(1_000), None)
    );
    assert_eq!(
        store
            .topic_articles(f.diplomacy, 10, 0)
            .await
            .unwrap()
            .items
            .len(),
        1,
        "topic pages follow"
    );
    assert_eq!(
        store.revisions(id).await.unwrap()[0].revision,
        published.revision,
        "the publication is a revision"
    );
}

async fn corrections_append_and_move_the_update_time(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let id = store
        .create_article(draft(&f, "Corrected", Some(10)))
        .await
        .unwrap();
    assert!(matches!(
        store.add_correction(id, "retraction", "x", None).await,
        Err(StoreError::Invalid(_))
    ));
    store
        .add_correction(
            id,
            "correction",
            "An earlier version misspelled a name.",
            None,
        )
        .await
        .unwrap();
    let a = store.article_by_id(id).await.unwrap().unwrap();
    assert!(a.updated_at.unwrap() > 10);
    let c = store.corrections(id).await.unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].kind, "correction");
}

async fn newsroom_lists_filter_by_every_field(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let user = store
        .create_user(&bbn_store::NewUser {
            email: "w@example.com".into(),
            name: "Wendy Writer".into(),
            role: bbn_core::Role::Contributor,
            password_hash: None,
        })
        .await
        .unwrap();
    let mut mine = draft(&f, "Mine 100% done_ok", None);
    mine.author_ids = vec![f.bob];
    store.create_article_by(mine, Some(user)).await.unwrap();
    store
        .create_article(draft(&f, "Published piece", Some(5)))
        .await
        .unwrap();
    let mut sport = draft(&f, "Sport draft", None);
    sport.section_id = f.sport;
    sport.topic_ids = vec![f.trade];
    store.create_article(sport).await.unwrap();
    let heads = |items: Vec<bbn_store::NewsroomItem>| {
        items.into_iter().map(|i| i.headline).collect::<Vec<_>>()
    };
    let all = store
        .newsroom_articles(&ArticleFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(all.0.len(), 3);
    let by = |f: ArticleFilter| {
        let store = store.clone();
        async move { heads(store.newsroom_articles(&f, 10, 0).await.unwrap().0) }
    };
    assert_eq!(
        by(ArticleFilter {
            status: Some(Status::Published),
            ..Default::default()
        })
        .await,
        ["Published piece"]
    );
    assert_eq!(
        by(ArticleFilter {
            section_id: Some(f.sport),
            ..Default::default()
        })
        .await,
        ["Sport draft"]
    );
    assert_eq!(
        by(ArticleFilter {
            author_id: Some(f.bob),
            ..Default::default()
        })
        .await,
        ["Mine 100% done_ok"]
    );
    assert_eq!(
        by(ArticleFilter {
            topic_id: Some(f.trade),
            ..Default::default()
        })
        .await,
        ["Sport draft"]
    );
    assert_eq!(
        by(ArticleFilter {
            headline: Some("PUBLISHED".into()),
            ..Default::default()
        })
        .await,
        ["Published piece"]
    );
    assert_eq!(
        by(ArticleFilter {
            headline: Some("100%".into()),
            ..Default::default()
        })
        .await,
        ["Mine 100% done_ok"]
    );
    assert!(
        by(ArticleFilter {
            headline: Some("%".into()),
            ..Default::default()
        })
        .await
        .len()
            == 1,
        "% is literal"
    );
    assert_eq!(
        by(ArticleFilter {
            mine: Some((user, None)),
            ..Default::default()
        })
        .await,
        ["Mine 100% done_ok"]
    );
    let page = store
        .newsroom_articles(&ArticleFilter::default(), 2, 0)
        .await
        .unwrap();
    assert!(page.1 && page.0.len() == 2);
    assert_eq!(
        all.0
            .iter()
            .find(|i| i.headline == "Mine 100% done_ok")
            .unwrap()
            .authors,
        ["Bob Bell"]
    );
}

async fn audit_log_pages_newest_first_and_by_account(db: TestDb) {
    let store = db.store.clone();
    let user = store
        .create_user(&bbn_store::NewUser {
            email: "e@example.com".into(),
            name: "Eve Editor".into(),
            role: bbn_core::Role::Editor,
            password_hash: None,
        })
        .await
        .unwrap();
    let before = store.generation();
    for n in 0..5 {
        let target = format!("/newsroom/articles/{n}/status");
        store
            .record_audit(&bbn_store::NewAuditEntry {
                user_id: (n % 2 == 0).then_some(user),
                actor: if n % 2 == 0 {
                    "Eve Editor"
                } else {
                    "x@example.com"
                },
                action: "POST /newsroom/articles/{id}/status",
                target: &target,
                status: 303,
                address_hash: "abc",
            })
            .await
            .unwrap();
    }
    assert_eq!(store.generation(), before, "no page memo is dropped");
    let newest = store.audit_log(None, None, 2).await.unwrap();
    let targets =
        |rows: &[bbn_store::AuditEntry]| rows.iter().map(|r| r.target.clone()).collect::<Vec<_>>();
    assert_eq!(
        targets(&newest),
        ["/newsroom/articles/4/status", "/newsroom/articles/3/status"]
    );
    let older = store.audit_log(Some(newest[1].id), None, 10).await.unwrap();
    assert_eq!(older.len(), 3);
    assert!(older.iter().all(|r| r.id < newest[1].id));
    let eves = store.audit_log(None, Some(user), 10).await.unwrap();
    assert_eq!(eves.len(), 3);
    assert!(
        eves.iter()
            .all(|r| r.user_id == Some(user) && r.actor == "Eve Editor")
    );
    assert_eq!(eves[0].status, 303);
    assert!(eves[0].at > 0);
    // A write's entry is begun before it runs and settled once it answers;
    // one a crash cut short stays at 0.
    let entry = bbn_store::NewAuditEntry {
        user_id: Some(user),
        actor: "Eve Editor",
        action: "POST /newsroom/picks",
        target: "/newsroom/picks",
        status: 303,
        address_hash: "abc",
    };
    let settled = store.begin_audit(&entry).await.unwrap();
    let cut_short = store.begin_audit(&entry).await.unwrap();
    let status_of = |rows: &[bbn_store::AuditEntry], id: i64| {
        rows.iter().find(|r| r.id == id).map(|r| r.status)
    };
    let rows = store.audit_log(None, None, 10).await.unwrap();
    assert_eq!(
        status_of(&rows, settled),
        Some(0),
        "not known until it answers"
    );
    store.settle_audit(settled, 303).await.unwrap();
    store.settle_audit(settled, 500).await.unwrap();
    let rows = store.audit_log(None, None, 10).await.unwrap();
    assert_eq!(status_of(&rows, settled), Some(303), "settled once");
    assert_eq!(status_of(&rows, cut_short), Some(0));
    assert_eq!(store.generation(), before, "no page memo is dropped");
}

/// What a follower of the change log (the search index, the page cache,
/// the purge hook, webhooks) goes by: every change handed over once and in
/// batches, a rolled-back write holding nobody back, a batch that failed
/// handed over again, and (PostgreSQL) a write that commits after later
/// ones handed over when it commits, however late.
async fn change_followers_apply_each_change_once(db: TestDb) {
    let store = &db.store;
    let mut log = store.change_mark().await.unwrap();
    let start = log.seq();
    // A write that took a number and rolled back: nobody waits at its gap.
    store.leave_change_gap().await.unwrap();
    let now = bbn_core::time::now();
    store.log_settings_changes(25, now).await.unwrap();
    let last = store.last_change().await.unwrap();
    // PostgreSQL's numbers are spent even when a write rolls back; SQLite
    // hands the rolled-back number out again.
    let gap = last - start - 25;
    assert_eq!(
        gap,
        i64::from(store.backend() == bbn_store::Backend::Postgres)
    );
    // A round as a follower runs it: what each batch hands over and the
    // mark it allows; with `fail`, the first batch holding new changes is
    // not applied.
    let follow = async |log: &mut bbn_store::ChangeMark, fail: bool| {
        let mut handed: Vec<(usize, i64)> = Vec::new();
        while let Some(batch) = log.next(store, 10).await.unwrap() {
            if fail && !batch.fresh.is_empty() {
                return (Err(()), handed);
            }
            handed.push((batch.fresh.len(), batch.mark().seq()));
            log.applied(&batch);
            if !batch.full() {
                break;
            }
        }
        let total = handed.iter().map(|(n, _)| n).sum::<usize>();
        (Ok(total), handed)
    };
    let (done, handed) = follow(&mut log, false).await;
    assert_eq!(
        handed,
        [(10, start + gap + 10), (10, start + gap + 20), (5, last)],
        "in batches, past the gap at once"
    );
    assert_eq!(done, Ok(25));
    assert_eq!(log.seq(), last);
    // Read again: nothing is handed over twice.
    assert_eq!(follow(&mut log, false).await.0, Ok(0));
    // New changes; the first batch holding any fails, so the next round
    // hands them all over.
    store.log_settings_changes(15, now).await.unwrap();
    let (done, handed) = follow(&mut log, true).await;
    assert!(done.is_err() && handed.is_empty());
    assert_eq!(follow(&mut log, false).await.0, Ok(15));
    assert_eq!(log.seq(), last + 15);
    if store.backend() != bbn_store::Backend::Postgres {
        return;
    }
    // A write takes its number and stalls before committing; later writes
    // commit around it and are handed over, the stalled one is kept open.
    assert_eq!(store.log_state().await.unwrap().in_flight, 0, "a quiet log");
    let stalled = store.open_write("SELECT 1", "settings", 1).await.unwrap();
    let held = store.last_change().await.unwrap();
    assert_eq!(held, last + 15, "not visible yet");
    store.log_settings_changes(3, now).await.unwrap();
    assert_eq!(follow(&mut log, false).await.0, Ok(3));
    assert_eq!(
        log.seq(),
        held + 4,
        "the mark is past the stalled write's number"
    );
    assert!(!log.open().is_empty(), "the stalled write is kept open");
    assert_eq!(follow(&mut log, false).await.0, Ok(0));
    // Another follower starting now keeps it open too.
    let mut late_starter = store.change_mark().await.unwrap();
    assert_eq!(late_starter.seq(), held + 4);
    // Validators made now say a change may still land under the newest.
    let waiting = store.log_state().await.unwrap();
    assert_ne!(waiting.in_flight, 0);
    stalled.commit().await.unwrap();
    let landed = store.log_state().await.unwrap();
    assert_eq!(landed.seq, waiting.seq, "the newest change is the same");
    assert_eq!(
        landed.in_flight, 0,
        "but the log is settled, so validators differ"
    );
    let (done, handed) = follow(&mut log, false).await;
    assert_eq!(done, Ok(1), "the late write, once");
    assert_eq!(handed[0].1, held + 4);
    assert_eq!(follow(&mut late_starter, false).await.0, Ok(1));
    assert_eq!(follow(&mut log, false).await.0, Ok(0));
    // The same mark kept as text (an index's payload, a shared cursor) and read back.
    let kept = bbn_store::ChangeMark::parse(&log.to_text()).unwrap();
    assert_eq!(kept, log);
    // A stalled write that rolls back holds nothing back.
    let stalled = store.open_write("SELECT 1", "settings", 1).await.unwrap();
    store.log_settings_changes(2, now).await.unwrap();
    assert_eq!(follow(&mut log, false).await.0, Ok(2));
    stalled.rollback().await.unwrap();
    assert_eq!(follow(&mut log, false).await.0, Ok(0));
    assert_eq!(
        store.log_state().await.unwrap().in_flight,
        0,
        "nothing withheld"
    );
    store.log_settings_changes(1, now).await.unwrap();
    assert_eq!(follow(&mut log, false).await.0, Ok(1));
    assert_eq!(log.seq(), store.last_change().await.unwrap());
}

/// Serving instances share the site; a restore or import gets it only
/// alone, and only once every server has let go. On SQLite (whose folder
/// the binary locks) the database has no lock to give.
async fn a_served_site_cannot_be_taken_alone(db: TestDb) {
    let other = Store::connect(&db.url).await.unwrap();
    let one = db.store.hold_serving_lock().await.unwrap();
    let two = other.hold_serving_lock().await.unwrap();
    assert!(
        one.is_some() && two.is_some(),
        "two servers could not share"
    );
    let postgres = db.store.backend() == bbn_store::Backend::Postgres;
    let alone = other.try_exclusive_site_lock().await.unwrap();
    assert_eq!(alone.is_none(), postgres, "taken alone while served");
    drop(alone);
    one.unwrap().release().await.unwrap();
    let alone = other.try_exclusive_site_lock().await.unwrap();
    assert_eq!(
        alone.is_none(),
        postgres,
        "taken alone while one still serves"
    );
    drop(alone);
    two.unwrap().release().await.unwrap();
    let alone = db.store.try_exclusive_site_lock().await.unwrap();
    assert!(alone.is_some(), "still refused once every server let go");
    let server = other.hold_serving_lock().await.unwrap();
    assert_eq!(
        server.is_none(),
        postgres,
        "a server started during a restore"
    );
    drop(server);
    alone.unwrap().release().await.unwrap();
    other.close().await;
}

/// Finding 8, in the store: a save at another article's old address keeps
/// the redirect while the article is not live, is refused going live there
/// unless it may take addresses, and (scheduled) takes it only when it goes
/// live. An article returning to its own old address simply has it again.
async fn an_old_address_leads_to_its_article_until_taken(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let story = store
        .create_article(draft(&f, "Was here", Some(1)))
        .await
        .unwrap();
    let mut moved = draft(&f, "Was here", Some(1));
    moved.slug = "moved-on".into();
    store
        .update_article(story, moved, None, false)
        .await
        .unwrap();
    let leads = async || store.slug_redirect("was-here").await.unwrap();
    assert_eq!(leads().await.as_deref(), Some("moved-on"));

    // A staff draft at the old address, moved off it and back.
    let mut d = draft(&f, "Newcomer", None);
    d.slug = "was-here".into();
    let newcomer = store.create_article_by(d.clone(), None).await.unwrap();
    assert_eq!(leads().await.as_deref(), Some("moved-on"));
    let mut away = d.clone();
    away.slug = "elsewhere".into();
    store
        .save_article(newcomer, away, Edit::default())
        .await
        .unwrap();
    assert_eq!(
        leads().await.as_deref(),
        Some("moved-on"),
        "leaving the address does not take its redirect along"
    );
    store
        .save_article(newcomer, d.clone(), Edit::default())
        .await
        .unwrap();
    assert_eq!(leads().await.as_deref(), Some("moved-on"));

    // Going live there without leave: refused, nothing changed.
    let mut live = d.clone();
    live.status = Status::Published;
    live.published_at = Some(50);
    let mut scheduled = d.clone();
    scheduled.status = Status::Scheduled;
    scheduled.scheduled_at = Some(100);
    for attempt in [live.clone(), scheduled.clone()] {
        match store.save_article(newcomer, attempt, Edit::default()).await {
            Err(StoreError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "slug");
                assert!(errors[0].message.contains("Was here"), "{errors:?}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    let now = store.article_by_id(newcomer).await.unwrap().unwrap();
    assert_eq!((now.status, now.revision), (Status::Draft, 3));
    assert_eq!(leads().await.as_deref(), Some("moved-on"));

    // Scheduled with leave: the old story keeps its address until the newcomer goes live.
    let take = Edit {
        live: false,
        take_address: true,
        ..Edit::default()
    };
    store.save_article(newcomer, scheduled, take).await.unwrap();
    assert_eq!(leads().await.as_deref(), Some("moved-on"));
    assert_eq!(store.publish_due(100).await.unwrap(), [newcomer]);
    assert_eq!(leads().await, None);
    assert_eq!(
        store.article_by_slug("was-here").await.unwrap().unwrap().id,
        newcomer
    );

    // The story back at an address it had before: its own again.
    let mut again = draft(&f, "Was here", Some(1));
    again.slug = "moved-again".into();
    store
        .update_article(story, again, None, false)
        .await
        .unwrap();
    let mut back = draft(&f, "Was here", Some(1));
    back.slug = "moved-on".into();
    store
        .save_article(story, back, Edit::default())
        .await
        .unwrap();
    assert_eq!(store.slug_redirect("moved-on").await.unwrap(), None);
    assert_eq!(
        store.slug_redirect("moved-again").await.unwrap().as_deref(),
        Some("moved-on")
    );
}

fn image(url: &str, alt: &str, by: Option<i64>) -> bbn_store::NewMedia {
    bbn_store::NewMedia {
        url: url.into(),
        width: Some(1200),
        height: Some(800),
        alt: alt.into(),
        file_name: url.rsplit('/').next().unwrap_or("").into(),
        uploaded_by: by,
        ..Default::default()
    }
}

async fn the_media_library_knows_what_uses_each_item(db: TestDb) {
    let store = db.store.clone();
    let f = fixture(&store).await;
    let eve = store
        .create_user(&bbn_store::NewUser {
            email: "eve@example.com".into(),
            name: "Eve Editor".into(),
            role: bbn_core::Role::Editor,
            password_hash: None,
        })
        .await
        .unwrap();
    let featured = store
        .create_media(&image("/media/2026/12/feat.jpg", "A harbour", Some(eve)))
        .await
        .unwrap();
    let in_doc = store
        .create_media(&image("/media/2026/12/doc.jpg", "", Some(eve)))
        .await
        .unwrap();
    let in_markdown = store
        .create_media(&image("/media/2026/12/md.jpg", "Boats", None))
        .await
        .unwrap();
    let unused = store
        .create_media(&image("/media/2026/12/spare_100%.jpg", "Spare", None))
        .await
        .unwrap();

    // A document names its image by library id; a Markdown body by address.
    let doc = format!(
        r#"{{"type":"doc","content":[{{"type":"image","attrs":{{"src":"/media/2026/12/doc.jpg","alt":"x","caption":"","credit":"","media":{in_doc}}}}}]}}"#
    );
    let mut with_doc = draft(&f, "A document body", Some(1_000)).image(Some(featured));
    with_doc.body_markdown = doc;
    with_doc.body_format = bbn_core::BodyFormat::Document;
    let a = store.create_article(with_doc).await.unwrap();
    let b = store
        .create_article(
            draft(&f, "A Markdown body", None).body("![Boats](/media/2026/12/md.jpg)\n\nText."),
        )
        .await
        .unwrap();

    let uses = |id| {
        let store = store.clone();
        async move {
            let mut ids: Vec<i64> = store
                .media_used_in(id, 10)
                .await
                .unwrap()
                .iter()
                .map(|u| u.article_id)
                .collect();
            ids.sort_unstable();
            ids
        }
    };
    assert_eq!(uses(featured).await, vec![a]);
    assert_eq!(uses(in_doc).await, vec![a]);
    assert_eq!(uses(in_markdown).await, vec![b]);
    assert!(uses(unused).await.is_empty());
    // Library images get their size in the stored body, whatever its format.
    for (id, src) in [(a, "/media/2026/12/doc.jpg"), (b, "/media/2026/12/md.jpg")] {
        let html = store.article_by_id(id).await.unwrap().unwrap().body_html;
        assert!(
            html.contains(&format!(r#"<img width="1200" height="800" src="{src}""#)),
            "{html}"
        );
    }

    // Found by words (a % in a name is a character, not a wildcard), kind,
    // uploader, and "unused".
    let q = |words: Option<&str>, unused: bool, by: Option<i64>| bbn_store::MediaQuery {
        words: words.map(str::to_string),
        kind: Some("image".into()),
        uploaded_by: by,
        unused,
        limit: 10,
        offset: 0,
    };
    let (found, total) = store
        .media_list(&q(Some("HARBOUR"), false, None))
        .await
        .unwrap();
    assert_eq!((total, found[0].id, found[0].uses), (1, featured, 1));
    let (found, _) = store
        .media_list(&q(Some("_100%"), false, None))
        .await
        .unwrap();
    assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), vec![unused]);
    let (found, total) = store
        .media_list(&q(Some("100%x"), false, None))
        .await
        .unwrap();
    assert_eq!((found.len(), total), (0, 0));
    let (found, _) = store.media_list(&q(None, true, None)).await.unwrap();
    assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), vec![unused]);
    let (found, total) = store.media_list(&q(None, false, Some(eve))).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(found[0].uploader.as_deref(), Some("Eve Editor"));
    assert_eq!(
        store.media_uploaders().await.unwrap(),
        vec![(eve, "Eve Editor".to_string())]
    );

    // A used item is not deleted; an unused one is, once.
    for used in [featured, in_doc, in_markdown] {
        assert!(matches!(
            store.delete_media(used).await,
            Err(StoreError::Conflict { field: "media" })
        ));
    }
    assert_eq!(
        store.delete_media(unused).await.unwrap(),
        "/media/2026/12/spare_100%.jpg"
    );
    assert!(matches!(
        store.delete_media(unused).await,
        Err(StoreError::NotFound)
    ));

    // A save that drops an image lets it go.
    let mut again = store.article_by_id(b).await.unwrap().unwrap();
    again.body_markdown = "No picture now.".into();
    store
        .update_article(b, ArticleDraft::from(&again), None, false)
        .await
        .unwrap();
    assert!(uses(in_markdown).await.is_empty());
    store.delete_media(in_markdown).await.unwrap();

    // Details change with checks; the focal point is in percent.
    let details = |alt: &str, x| bbn_store::MediaDetails {
        alt: alt.into(),
        caption: "C".into(),
        credit: "D".into(),
        focal_x: x,
        focal_y: 40,
    };
    store
        .update_media(in_doc, &details("The new words", 30))
        .await
        .unwrap();
    let item = store.media_item(in_doc).await.unwrap().unwrap();
    assert_eq!(
        (item.alt.as_str(), item.focal_x, item.focal_y),
        ("The new words", 30, 40)
    );
    assert!(matches!(
        store.update_media(in_doc, &details("x", 101)).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .update_media(in_doc, &details(&"a".repeat(1_001), 5))
            .await,
        Err(StoreError::Invalid(_))
    ));

    // Uses of articles written before the library kept them are read at start.
    store.execute_raw("DELETE FROM media_uses").await.unwrap();
    store
        .execute_raw("UPDATE articles SET media_indexed = 0")
        .await
        .unwrap();
    assert_eq!(store.index_media_uses().await.unwrap(), 2);
    assert_eq!(uses(featured).await, vec![a]);
    assert_eq!(uses(in_doc).await, vec![a]);
    assert_eq!(
        store.index_media_uses().await.unwrap(),
        0,
        "each article is read once"
    );
}

bbn_store::on_both_backends!(
    reply_depth_walks_to_the_top_of_its_own_article,
    the_media_library_knows_what_uses_each_item,
    a_served_site_cannot_be_taken_alone,
    change_followers_apply_each_change_once,
    migrations_run_twice_and_refuse_newer_schema,
    article_round_trip_keeps_every_part,
    lists_are_newest_first_paginated_and_only_published,
    publishing_and_unpublishing_move_topic_and_author_pages,
    related_prefers_topic_then_section_and_never_self,
    slug_change_keeps_old_slug_as_redirect,
    an_old_address_leads_to_its_article_until_taken,
    bad_writes_change_nothing,
    stale_revision_is_refused,
    a_staff_article_and_its_pick_are_one_write,
    comments_show_only_approved_in_order,
    settings_round_trip_and_validate,
    section_fronts_give_each_section_its_newest,
    a_batch_with_one_bad_article_writes_nothing,
    large_batches_keep_each_row_with_its_own_parts,
    every_save_keeps_a_restorable_revision,
    revisions_name_what_they_mark_and_live_snapshots_are_kept,
    scheduled_articles_publish_exactly_once,
    corrections_append_and_move_the_update_time,
    newsroom_lists_filter_by_every_field,
    audit_log_pages_newest_first_and_by_account,
);
