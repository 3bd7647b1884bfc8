//! The change log is how every follower (the search index, the page cache,
//! purges, webhooks, other instances) learns of a write: a write that leaves
//! no entry is one they never see. One test walks every kind of write the
//! store does to content and asserts the entries each leaves, on both
//! backends.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_core::validate::{ArticleDraft, PageDraft};
use bbn_core::{CommentStatus, PageStatus, Role, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::{
    ApiKeyKind, Edit, ImportedArticle, ImportedComment, ImportedPage, ImportedPerson, NewApiKey,
    NewComment, NewMedia, NewUser, Origin, RedirectTarget, Store,
};

/// What a follower reads of one entry.
type Entry = (String, i64, String);

/// Reads the log past `mark` and moves `mark` to its end.
struct Log {
    store: Store,
    mark: i64,
}

impl Log {
    async fn new(store: &Store) -> Log {
        Log {
            store: store.clone(),
            mark: store.last_change().await.unwrap(),
        }
    }

    /// The entries written since the last call, oldest first.
    async fn since(&mut self) -> Vec<Entry> {
        let changes = self.store.changes_since(self.mark, 1_000).await.unwrap();
        if let Some(last) = changes.last() {
            self.mark = last.seq;
        }
        changes
            .into_iter()
            .map(|c| (c.entity, c.entity_id, c.op))
            .collect()
    }
}

fn e(entity: &str, id: i64, op: &str) -> Entry {
    (entity.to_string(), id, op.to_string())
}

fn comment(article_id: i64, email: &str, body: &str) -> NewComment {
    NewComment {
        article_id,
        parent_id: None,
        author_name: "Reader".into(),
        author_email: email.into(),
        body: body.into(),
        status: CommentStatus::Pending,
        created_at: 1,
    }
}

fn page(slug: &str, title: &str) -> PageDraft {
    PageDraft {
        slug: slug.into(),
        title: title.into(),
        body_format: Default::default(),
        body: "About us.".into(),
        status: PageStatus::Published,
        footer_position: Some(1),
        seo_description: String::new(),
    }
}

fn edit(by: Option<i64>) -> Edit {
    Edit {
        by,
        take_address: true,
        live: false,
        ..Edit::default()
    }
}

async fn every_write_is_in_the_change_log(db: TestDb) {
    let store = db.store.clone();
    let mut log = Log::new(&store).await;

    // Sections, topics and authors: their pages and every list they head.
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let europe = store
        .create_section("europe", "Europe", "", None)
        .await
        .unwrap();
    assert_eq!(
        log.since().await,
        [
            e("section", world, "create"),
            e("section", europe, "create")
        ]
    );
    store.set_section_parent(europe, Some(world)).await.unwrap();
    assert_eq!(log.since().await, [e("section", europe, "update")]);
    store
        .update_section(world, "world", "World news", "All of it.", Some(2))
        .await
        .unwrap();
    assert_eq!(log.since().await, [e("section", world, "update")]);
    let trade = store.create_topic("trade", "Trade", "").await.unwrap();
    let tariffs = store.create_topic("tariffs", "Tariffs", "").await.unwrap();
    store
        .update_topic(trade, "trade", "Trade and tariffs", "")
        .await
        .unwrap();
    assert_eq!(
        log.since().await,
        [
            e("topic", trade, "create"),
            e("topic", tariffs, "create"),
            e("topic", trade, "update")
        ]
    );
    let alice = store
        .create_author("alice", "Alice Ames", "")
        .await
        .unwrap();
    assert_eq!(log.since().await, [e("author", alice, "create")]);

    // Staff: an account brings its byline; role, access and password changes
    // reach every instance's sessions.
    let editor = store
        .create_user(&NewUser {
            email: "ed@example.com".into(),
            name: "Ed Itor".into(),
            role: Role::Contributor,
            password_hash: None,
        })
        .await
        .unwrap();
    let ed = store.user_by_id(editor).await.unwrap().unwrap().author_id;
    assert_eq!(
        log.since().await,
        [
            e("author", ed.unwrap(), "create"),
            e("user", editor, "create")
        ]
    );
    store.set_user_role(editor, Role::Editor).await.unwrap();
    store.set_user_disabled(editor, true).await.unwrap();
    store.set_user_disabled(editor, false).await.unwrap();
    store
        .set_password(editor, "$argon2id$v=19$hash", None)
        .await
        .unwrap();
    assert_eq!(log.since().await, vec![e("user", editor, "update"); 4]);

    // Settings and images.
    store.save_settings(&SiteSettings::default()).await.unwrap();
    assert_eq!(log.since().await, [e("settings", 1, "update")]);
    let photo = store
        .create_media(&NewMedia {
            url: "/media/photo.jpg".into(),
            width: Some(800),
            height: Some(600),
            alt: "A photo".into(),
            caption: String::new(),
            credit: String::new(),
            srcset: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.since().await, [e("media", photo, "create")]);

    // Articles: created one by one and in bulk, saved, edited, scheduled and
    // published when due, unpublished, corrected, picked.
    let story = ArticleDraft::new("", "Ministers meet", world)
        .body("Text.")
        .authors(vec![alice])
        .topics(vec![tariffs])
        .image(Some(photo));
    let a1 = store
        .create_article_by(story.clone().published(1_000), Some(editor))
        .await
        .unwrap();
    assert_eq!(log.since().await, [e("article", a1, "create")]);
    let bulk = store
        .create_articles(vec![
            ArticleDraft::new("", "Second", europe)
                .authors(vec![alice])
                .published(2_000),
            ArticleDraft::new("", "Third", europe).authors(vec![alice]),
        ])
        .await
        .unwrap();
    let (a2, a3) = (bulk[0], bulk[1]);
    assert_eq!(
        log.since().await,
        [e("article", a2, "create"), e("article", a3, "create")]
    );
    store
        .save_article(
            a1,
            story.clone().dek("A dek.").published(1_000),
            edit(Some(editor)),
        )
        .await
        .unwrap();
    store
        .update_article(
            a1,
            story.clone().dek("Another dek.").published(1_000),
            None,
            true,
        )
        .await
        .unwrap();
    assert_eq!(log.since().await, vec![e("article", a1, "update"); 2]);
    let draft3 = ArticleDraft::new("third", "Third", europe).authors(vec![alice]);
    store
        .save_article(a3, draft3.clone().scheduled(5_000), edit(None))
        .await
        .unwrap();
    assert_eq!(log.since().await, [e("article", a3, "update")]);
    assert_eq!(store.publish_due(6_000).await.unwrap(), [a3]);
    assert_eq!(log.since().await, [e("article", a3, "update")]);
    let mut gone = draft3.published(5_000);
    gone.status = Status::Unpublished;
    store.save_article(a3, gone, edit(None)).await.unwrap();
    assert_eq!(log.since().await, [e("article", a3, "update")]);
    store
        .add_correction(a1, "correction", "An earlier version erred.", Some(editor))
        .await
        .unwrap();
    assert_eq!(log.since().await, [e("article", a1, "update")]);
    store.set_editors_picks(&[a2, a1]).await.unwrap();
    assert_eq!(log.since().await, [e("picks", 0, "update")]);

    // An image's words show on every article that uses it.
    store
        .update_media(
            photo,
            &bbn_store::MediaDetails {
                alt: "New alt".into(),
                caption: "A caption".into(),
                credit: "A credit".into(),
                focal_x: 50,
                focal_y: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        log.since().await,
        [e("article", a1, "update"), e("media", photo, "update")]
    );
    // Merging topics moves their articles.
    store.merge_topics(tariffs, trade).await.unwrap();
    assert_eq!(
        log.since().await,
        [
            e("article", a1, "update"),
            e("topic", tariffs, "delete"),
            e("topic", trade, "update")
        ]
    );

    // Comments: posted, imported in bulk, moderated, edited, deleted, erased.
    let c1 = store
        .add_comment(&comment(a1, "r1@example.com", "First."))
        .await
        .unwrap();
    let c2 = store
        .post_comment(
            &comment(a1, "r2@example.com", "Second."),
            &Origin::default(),
        )
        .await
        .unwrap();
    let more = store
        .add_comments(&[
            comment(a2, "r3@example.com", "Third."),
            comment(a2, "r3@example.com", "Fourth."),
        ])
        .await
        .unwrap();
    assert_eq!(
        log.since().await,
        [
            e("comment", c1, "create"),
            e("comment", c2, "create"),
            e("comment", more[0], "create"),
            e("comment", more[1], "create")
        ]
    );
    assert_eq!(
        store
            .set_comments_status(&[c1, c2], CommentStatus::Approved)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        log.since().await,
        [e("comment", c1, "update"), e("comment", c2, "update")]
    );
    store.edit_comment(c1, "First, fixed.").await.unwrap();
    assert_eq!(log.since().await, [e("comment", c1, "update")]);
    store.delete_comments(&[c2]).await.unwrap();
    assert_eq!(log.since().await, [e("comment", c2, "delete")]);
    assert_eq!(store.erase_comments_of("R3@example.com").await.unwrap(), 2);
    assert_eq!(
        log.since().await,
        [
            e("comment", more[0], "delete"),
            e("comment", more[1], "delete")
        ]
    );

    // Static pages.
    let about = store.create_page(page("about", "About")).await.unwrap();
    store
        .save_page(about, page("about", "About us"))
        .await
        .unwrap();
    store.delete_page(about).await.unwrap();
    assert_eq!(
        log.since().await,
        [
            e("page", about, "create"),
            e("page", about, "update"),
            e("page", about, "delete")
        ]
    );

    // API keys: every instance checks them.
    let key = store
        .create_api_key(&NewApiKey {
            name: "Static site".into(),
            kind: ApiKeyKind::Content,
            user_id: None,
            role: None,
            created_by: None,
        })
        .await
        .unwrap();
    store.revoke_api_key(key.id).await.unwrap();
    assert_eq!(
        log.since().await,
        [
            e("api_key", key.id, "create"),
            e("api_key", key.id, "update")
        ]
    );

    // A redirect is looked up in the database on every request that finds
    // no page, and the page cache keeps only 200s: no follower holds one.
    store
        .set_redirect("/old/ministers", &RedirectTarget::Article(a1))
        .await
        .unwrap();
    assert_eq!(log.since().await, Vec::<Entry>::new());

    // Bodies cleaned again under a newer sanitizer change what readers see.
    store
        .execute_raw(&format!(
            "UPDATE articles SET body_html = '<p>x</p><script>bad()</script>', body_sanitizer = 0 WHERE id = {a1}"
        ))
        .await
        .unwrap();
    store.sanitize_stale_bodies().await.unwrap();
    assert_eq!(log.since().await, [e("article", a1, "update")]);

    // An import into a new site logs what readers see of it being created.
    let mut file = Vec::new();
    store.export_site(&mut file).await.unwrap();
    let fresh = TestDb::new(store.backend()).await;
    let mut fresh_log = Log::new(&fresh.store).await;
    fresh
        .store
        .import_site(std::io::Cursor::new(file))
        .await
        .unwrap();
    let mut created = fresh_log.since().await;
    created.sort();
    assert_eq!(
        created,
        [
            e("article", a1, "create"),
            e("article", a2, "create"),
            e("article", a3, "create"),
            e("comment", c1, "create")
        ]
    );
}

/// `bbn import wordpress` writes through one `ImportSession`: each record
/// it creates or changes is logged as the newsroom's writes are, and
/// nothing is seen before the import commits.
async fn every_import_write_is_in_the_change_log(db: TestDb) {
    let store = db.store.clone();
    let mut log = Log::new(&store).await;
    let mut import = store.begin_import("change-log-test").await.unwrap();
    let (author, _user, _) = import
        .person(
            "7",
            &ImportedPerson {
                email: "ann@example.com".into(),
                name: "Ann Writer".into(),
            },
        )
        .await
        .unwrap();
    let (news, _) = import.section("3", "news", "News", "", None).await.unwrap();
    let (tag, _) = import
        .topic("tag", "trade", "trade", "Trade", "")
        .await
        .unwrap();
    let (image, _) = import
        .media(
            "11",
            &NewMedia {
                url: "/media/old.jpg".into(),
                width: None,
                height: None,
                alt: "Old".into(),
                caption: String::new(),
                credit: String::new(),
                srcset: String::new(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (post, _) = import
        .article(
            "42",
            ImportedArticle {
                draft: ArticleDraft::new("ministers-meet", "Ministers meet", news)
                    .body("Text.")
                    .authors(vec![author])
                    .topics(vec![tag])
                    .image(Some(image))
                    .published(1_000),
                created_at: 900,
                modified_at: 1_000,
                created_by: None,
            },
        )
        .await
        .unwrap();
    let (about, _) = import
        .page(
            "43",
            ImportedPage {
                draft: page("about", "About"),
                created_at: 900,
                modified_at: 1_000,
            },
        )
        .await
        .unwrap();
    import
        .comments(
            post,
            &[ImportedComment {
                external_id: "99".into(),
                parent_external: None,
                author_name: "Reader".into(),
                author_email: "reader@example.com".into(),
                body: "Well put.".into(),
                status: CommentStatus::Approved,
                created_at: 1_100,
                staff_user_id: None,
            }],
        )
        .await
        .unwrap();
    import.add_picks(&[post]).await.unwrap();
    assert_eq!(import.fill_empty_navigation(5).await.unwrap(), 1);
    import
        .redirect("/?p=42", &RedirectTarget::Article(post))
        .await
        .unwrap();
    import
        .settings_for_new_site("Imported", "", "en")
        .await
        .unwrap();
    assert_eq!(log.since().await, Vec::<Entry>::new(), "not before commit");
    import.finish(true).await.unwrap();
    let comment = store
        .query_i64("SELECT MAX(id) FROM comments")
        .await
        .unwrap();
    assert_eq!(
        log.since().await,
        [
            e("author", author, "create"),
            e("section", news, "create"),
            e("topic", tag, "create"),
            e("media", image, "create"),
            e("article", post, "create"),
            e("page", about, "create"),
            e("comment", comment, "create"),
            e("picks", post, "update"),
            e("section", news, "update"),
        ]
    );
}

bbn_store::on_both_backends!(
    every_write_is_in_the_change_log,
    every_import_write_is_in_the_change_log
);
