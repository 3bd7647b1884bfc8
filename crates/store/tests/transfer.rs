//! Export and import on both backends: a site with every kind of record
//! comes back byte for byte; a file that is bad anywhere, newer, or aimed at
//! a site that is not empty changes nothing; PostgreSQL hands out fresh ids
//! after an import; SQLite and PostgreSQL exports of the same site agree.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, FaqItem, Role, SiteSettings, Status};
use bbn_store::testing::TestDb;
use bbn_store::transfer::FORMAT_VERSION;
use bbn_store::{
    ApiKeyKind, Edit, NewApiKey, NewComment, NewMedia, NewUser, Origin, Store, TransferError,
};

async fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_site(&mut out).await.unwrap();
    out
}

async fn import(store: &Store, bytes: &[u8]) -> Result<bbn_store::transfer::Counts, TransferError> {
    store
        .import_site(std::io::Cursor::new(bytes.to_vec()))
        .await
}

fn draft(section: i64, authors: Vec<i64>, topics: Vec<i64>, headline: &str) -> ArticleDraft {
    ArticleDraft::new("", headline, section)
        .dek("Ein Dek mit Umlauten: äöü — and a dash")
        .kicker("Kicker")
        .body("Para one.\n\n> A quote, “curly”.\n\n日本語の段落。")
        .authors(authors)
        .topics(topics)
        .published(1_700_000_000)
}

fn comment(article: i64, parent: Option<i64>, body: &str, status: CommentStatus) -> NewComment {
    NewComment {
        article_id: article,
        parent_id: parent,
        author_name: "Zoë Lefèvre".into(),
        author_email: "zoe@example.com".into(),
        body: body.into(),
        status,
        created_at: 1_700_000_100,
    }
}

/// A site with a record of every kind the export carries, and some it
/// deliberately leaves out (sessions, keys, webhooks, views).
async fn fill(store: &Store) {
    let logo = store
        .create_media(&NewMedia {
            url: "/media/2024/01/logo.png".into(),
            width: Some(600),
            height: Some(200),
            alt: "Big Big News".into(),
            caption: String::new(),
            credit: "© Ünïcode Studio".into(),
            srcset: "/media/2024/01/logo-480.png 480w".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let photo = store
        .create_media(&NewMedia {
            url: "/media/2024/02/photo.jpg".into(),
            width: None,
            height: None,
            alt: "A \"quoted\" alt\nwith a newline".into(),
            caption: "Caption".into(),
            credit: String::new(),
            srcset: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .save_settings(&SiteSettings {
            name: "Große Nachrichten".into(),
            description: "Noticias, 新闻".into(),
            logo_id: Some(logo),
            blocking_checks: vec!["image_alt".into()],
            robots_txt: "User-agent: *\nDisallow: /newsroom".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "Everything abroad", Some(1))
        .await
        .unwrap();
    let sport = store
        .create_section("sport", "Sport", "", None)
        .await
        .unwrap();
    let europe = store
        .create_section("europe", "Europe", "", Some(2))
        .await
        .unwrap();
    // Nested sections, one of them pointing at a section made after it.
    store
        .execute_raw(&format!(
            "UPDATE sections SET parent_id = {europe} WHERE id = {sport};
             UPDATE sections SET parent_id = {world} WHERE id = {europe}"
        ))
        .await
        .unwrap();
    let alice = store
        .create_author("alice", "Alice Ämes", "Covers “diplomacy”.")
        .await
        .unwrap();
    let editor = store
        .create_user(&NewUser {
            email: "ed@example.com".into(),
            name: "Ed Itor".into(),
            role: Role::Editor,
            password_hash: Some("$argon2id$v=19$secret-hash".into()),
        })
        .await
        .unwrap();
    let ed_author = store.user_by_id(editor).await.unwrap().unwrap().author_id;
    store
        .create_user(&NewUser {
            email: "nopass@example.com".into(),
            name: "No Pass".into(),
            role: Role::Contributor,
            password_hash: None,
        })
        .await
        .unwrap();
    store.set_user_disabled(editor, false).await.unwrap();
    let diplomacy = store
        .create_topic("diplomacy", "Diplomacy", "")
        .await
        .unwrap();
    let trade = store
        .create_topic("trade", "Trade", "Tariffs & deals")
        .await
        .unwrap();

    let mut first = draft(
        world,
        vec![alice, ed_author.unwrap()],
        vec![trade, diplomacy],
        "Ministers meet in Zürich",
    );
    first.image_id = Some(photo);
    first.faq = vec![
        FaqItem {
            question: "Who met?".into(),
            answer: "Ministers.".into(),
        },
        FaqItem {
            question: "Où?".into(),
            answer: "Zürich.".into(),
        },
    ];
    let a1 = store
        .create_article_by(first.clone(), Some(editor))
        .await
        .unwrap();
    // A second revision under a new slug: slug history and a revision.
    first.slug = "ministers-meet-again".into();
    store
        .save_article(
            a1,
            first,
            Edit {
                expected_revision: Some(1),
                mark_updated: true,
                by: Some(editor),
                take_address: false,
                live: false,
                restored_from: None,
            },
        )
        .await
        .unwrap();
    store
        .add_correction(
            a1,
            "correction",
            "An earlier version misspelt Zürich.",
            Some(editor),
        )
        .await
        .unwrap();
    let mut scheduled = draft(sport, vec![alice], vec![], "Final scheduled");
    scheduled.status = Status::Scheduled;
    scheduled.published_at = None;
    scheduled.scheduled_at = Some(4_000_000_000);
    scheduled.comments_open = false;
    store.create_article(scheduled).await.unwrap();
    let mut unpublished = draft(europe, vec![alice], vec![diplomacy], "A draft");
    unpublished.status = Status::Draft;
    unpublished.published_at = None;
    let a3 = store.create_article(unpublished).await.unwrap();
    store.set_editors_picks(&[a3, a1]).await.unwrap();

    // A comment thread in every status, one scored by the spam filter.
    let top = store
        .add_comment(&comment(a1, None, "First! 🎉", CommentStatus::Approved))
        .await
        .unwrap();
    let reply = store
        .add_comment(&comment(a1, Some(top), "A reply", CommentStatus::Approved))
        .await
        .unwrap();
    store
        .add_comment(&comment(
            a1,
            Some(reply),
            "A reply to the reply",
            CommentStatus::Pending,
        ))
        .await
        .unwrap();
    let spam = store
        .post_comment(
            &comment(a1, None, "Buy cheap pills now", CommentStatus::Pending),
            &Origin {
                ip_hash: "salted-address-hash",
                staff_user_id: None,
                spam_score: Some(0.1 + 0.2),
                spam_reason: "",
            },
        )
        .await
        .unwrap();
    store
        .set_comments_status(&[spam], CommentStatus::Spam)
        .await
        .unwrap();
    store
        .set_comments_status(&[top], CommentStatus::Approved)
        .await
        .unwrap();
    let trash = store
        .post_comment(
            &comment(a3, None, "Staff note", CommentStatus::Approved),
            &Origin {
                staff_user_id: Some(editor),
                ..Origin::default()
            },
        )
        .await
        .unwrap();
    store
        .set_comments_status(&[trash], CommentStatus::Trash)
        .await
        .unwrap();

    // No store API writes these yet (the WordPress import will): plain SQL.
    store
        .execute_raw(
            "INSERT INTO pages (slug, title, body_format, body, body_html, status, footer_position,
                seo_description, created_at, published_at, modified_at)
             VALUES ('about', 'Über uns', 'markdown', 'Wir sind *hier*.', '<p>Wir sind <em>hier</em>.</p>',
                'published', 1, '', 1700000000, 1700000000, 1700000050),
                ('terms', 'Terms', 'html', '<p>Terms</p>', '<p>Terms</p>', 'draft', NULL, 'The rules', 1700000000, NULL, 1700000000);
             INSERT INTO redirects (path, target_kind, target_id, target_url, created_at)
             VALUES ('/?p=12', 'article', 1, NULL, 1700000000), ('/Zürich', 'url', NULL, 'https://example.com/', 1700000000),
                ('/a_b', 'section', 1, NULL, 1700000000), ('/a-b', 'page', 1, NULL, 1700000000), ('/B', 'topic', 2, NULL, 1700000000);
             INSERT INTO import_ids (source, kind, external_id, local_id, local_version)
             VALUES ('wordpress https://example.com', 'post', '12', 1, 3), ('wordpress https://example.com', 'comment', '7', 1, NULL),
                ('wordpress https://example.com', 'post', 'B', 2, NULL)",
        )
        .await
        .unwrap();

    // What the export leaves out.
    store
        .create_session(
            "session-token-hash",
            editor,
            "csrf-token-value",
            4_000_000_000,
        )
        .await
        .unwrap();
    store
        .create_api_key(&NewApiKey {
            name: "Static site".into(),
            kind: ApiKeyKind::Content,
            user_id: None,
            role: None,
            created_by: None,
        })
        .await
        .unwrap();
    store
        .create_webhook(
            "https://hooks.example.com/bbn",
            &["article.published".to_string()],
            "webhook-signing-secret-0123456789",
        )
        .await
        .unwrap();
    store.add_views(&[(a1, 472_000, 12)]).await.unwrap();
    store
        .secret("signing", || "server-secret-value".into())
        .await
        .unwrap();
}

async fn count(store: &Store, table: &str) -> i64 {
    store.count_rows(table).await.unwrap()
}

async fn site_comes_back_byte_for_byte(db: TestDb) {
    fill(&db.store).await;
    let first = export(&db.store).await;
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(text.starts_with(&format!(
        "{{\n  \"format\": \"bbn-export\",\n  \"version\": {FORMAT_VERSION},\n  \"site_settings\": {{\"name\":\"Große Nachrichten\""
    )), "{}", &text[..200]);
    for secret in [
        "secret-hash",
        "session-token-hash",
        "csrf-token-value",
        "webhook-signing-secret",
        "server-secret-value",
        "salted-address-hash",
        "hooks.example.com",
    ] {
        assert!(!text.contains(secret), "{secret} stays out of the export");
    }
    assert!(
        text.contains("\"comments_open\":true"),
        "booleans are JSON booleans"
    );
    assert!(text.contains("\"comments_open\":false"));
    assert!(
        text.contains("\"spam_score\":0.30000000000000004"),
        "doubles in full"
    );
    assert!(text.contains("\"logo_id\":1"));
    assert!(text.contains("日本語の段落"), "non-ASCII as it is");
    let redirects: Vec<&str> = [
        "\"/?p=12\"",
        "\"/B\"",
        "\"/Zürich\"",
        "\"/a-b\"",
        "\"/a_b\"",
    ]
    .into_iter()
    .collect();
    let positions: Vec<usize> = redirects.iter().map(|r| text.find(r).unwrap()).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "text keys sorted by bytes on both backends: {redirects:?}"
    );
    let parsed: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let article = &parsed["articles"][0];
    assert_eq!(
        article["slug_history"][0]["slug"],
        "ministers-meet-in-zurich"
    );
    assert_eq!(article["revisions"].as_array().unwrap().len(), 2);
    assert_eq!(article["faq"][1]["question"], "Où?");
    assert_eq!(article["authors"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["comments"].as_array().unwrap().len(), 5);
    assert_eq!(parsed["users"][0].get("password_hash"), None);
    assert!(
        parsed["spam_tokens"].as_array().unwrap().len() > 2,
        "the filter learned"
    );
    assert_eq!(parsed["spam_corpus"]["spam"], 1);

    // The same site, exported twice, gives the same bytes.
    assert_eq!(first, export(&db.store).await);

    let fresh = TestDb::new(db.store.backend()).await;
    let counts = import(&fresh.store, &first).await.unwrap();
    let n = |key: &str| counts.iter().find(|(k, _)| *k == key).map(|c| c.1);
    assert_eq!(n("comments"), Some(5));
    assert_eq!((n("authors"), n("article_authors")), (Some(3), Some(4)));
    assert_eq!(
        (n("article_revisions"), n("slug_history")),
        (Some(4), Some(1))
    );
    let again = export(&fresh.store).await;
    assert_eq!(
        String::from_utf8(again).unwrap(),
        text,
        "export → import → export is byte for byte the same"
    );

    // What bbn reads the imported site with agrees.
    let a = fresh
        .store
        .article_by_slug("ministers-meet-again")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.headline, "Ministers meet in Zürich");
    assert_eq!(
        fresh
            .store
            .slug_redirect("ministers-meet-in-zurich")
            .await
            .unwrap()
            .as_deref(),
        Some("ministers-meet-again")
    );
    assert_eq!(fresh.store.approved_comments(a.id).await.unwrap().len(), 2);
    assert_eq!(fresh.store.settings().await.unwrap().logo_id, Some(1));
    let (ed, hash) = fresh
        .store
        .user_for_sign_in("ed@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(
        hash.is_none() && !ed.has_password,
        "staff come back without passwords"
    );
    assert_eq!(ed.role, Role::Editor);
    // Imported articles, pages and comments are in the change log, nothing else.
    let changes = fresh.store.changes_since(0, 1000).await.unwrap();
    let of = |e: &str| {
        changes
            .iter()
            .filter(|c| c.entity == e && c.op == "create")
            .count()
    };
    assert_eq!((of("article"), of("page"), of("comment")), (3, 2, 5));
    assert_eq!(count(&fresh.store, "sessions").await, 0);
    assert_eq!(count(&fresh.store, "api_keys").await, 0);
    assert_eq!(count(&fresh.store, "webhooks").await, 0);
    assert_eq!(count(&fresh.store, "article_views").await, 0);
}

async fn new_rows_after_import_get_fresh_ids(db: TestDb) {
    fill(&db.store).await;
    let bytes = export(&db.store).await;
    let fresh = TestDb::new(db.store.backend()).await;
    import(&fresh.store, &bytes).await.unwrap();
    let s = &fresh.store;
    let section = s
        .create_section("new-section", "New", "", None)
        .await
        .unwrap();
    assert_eq!(section, 4);
    let author = s
        .create_author("new-author", "New Author", "")
        .await
        .unwrap();
    let topic = s.create_topic("new-topic", "New", "").await.unwrap();
    let article = s
        .create_article(draft(
            section,
            vec![author],
            vec![topic],
            "After the import",
        ))
        .await
        .unwrap();
    assert_eq!(article, 4);
    let c = s
        .add_comment(&comment(article, None, "New", CommentStatus::Approved))
        .await
        .unwrap();
    assert_eq!(c, 6);
    let media = s
        .create_media(&NewMedia {
            url: "/media/x.png".into(),
            width: None,
            height: None,
            alt: String::new(),
            caption: String::new(),
            credit: String::new(),
            srcset: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(media, 3);
    let user = s
        .create_user(&NewUser {
            email: "new@example.com".into(),
            name: "New Person".into(),
            role: Role::Author,
            password_hash: None,
        })
        .await
        .unwrap();
    assert!(user > 2);
    s.add_correction(article, "update", "Updated.", None)
        .await
        .unwrap();
    let revisions = s.revisions(article).await.unwrap();
    assert_eq!(revisions.len(), 1);
}

async fn a_site_that_is_not_empty_is_refused(db: TestDb) {
    fill(&db.store).await;
    let bytes = export(&db.store).await;
    let target = TestDb::new(db.store.backend()).await;
    target.store.create_topic("kept", "Kept", "").await.unwrap();
    let err = import(&target.store, &bytes).await.unwrap_err();
    assert!(matches!(err, TransferError::NotEmpty(_)), "{err}");
    assert!(err.to_string().contains("topics"), "{err}");
    assert_eq!(count(&target.store, "articles").await, 0);
    assert_eq!(count(&target.store, "topics").await, 1);
    // Importing twice is the same mistake.
    let fresh = TestDb::new(db.store.backend()).await;
    import(&fresh.store, &bytes).await.unwrap();
    assert!(matches!(
        import(&fresh.store, &bytes).await,
        Err(TransferError::NotEmpty(_))
    ));
}

async fn bad_files_change_nothing(db: TestDb) {
    fill(&db.store).await;
    let bytes = export(&db.store).await;
    let text = String::from_utf8(bytes.clone()).unwrap();
    let target = TestDb::new(db.store.backend()).await;
    let before = target.store.last_change().await.unwrap();

    let newer = text.replacen(
        &format!("\"version\": {FORMAT_VERSION}"),
        &format!("\"version\": {}", FORMAT_VERSION + 1),
        1,
    );
    match import(&target.store, newer.as_bytes()).await {
        Err(TransferError::TooNew { found, supported }) => {
            assert_eq!((found, supported), (FORMAT_VERSION + 1, FORMAT_VERSION));
        }
        other => panic!("a newer version is refused: {other:?}"),
    }

    // Cut off after most of the comments: read, inserted, and rolled back.
    let cut = text.rfind("\"body_hash\"").unwrap();
    match import(&target.store, &bytes[..cut]).await {
        Err(TransferError::File { message, .. }) => {
            assert!(message.contains("EOF"), "{message}");
        }
        other => panic!("a truncated file is refused: {other:?}"),
    }

    // A syntax error names its line and column.
    let broken = text.replacen("\"authors\": [", "\"authors\": [,", 1);
    let authors_line = text
        .lines()
        .position(|l| l.starts_with("  \"authors\""))
        .unwrap()
        + 1;
    match import(&target.store, broken.as_bytes()).await {
        Err(TransferError::File { line, column, .. }) => {
            assert_eq!((line, column), (authors_line, 15));
        }
        other => panic!("a syntax error is refused: {other:?}"),
    }

    // A reference to something the file does not hold.
    let dangling = text.replacen("\"section_id\":1,", "\"section_id\":99,", 1);
    let err = import(&target.store, dangling.as_bytes())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("articles record 1: section_id 99 names no record of \"sections\""),
        "{err}"
    );
    let dangling_parent = text.replacen(
        "\"parent_id\":null,\"author_name\"",
        "\"parent_id\":42,\"author_name\"",
        1,
    );
    let err = import(&target.store, dangling_parent.as_bytes())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("parent_id 42 names no record of \"comments\""),
        "{err}"
    );

    // A wrong type, an unknown field, something that is not an export.
    let wrong = text.replacen("\"comments_open\":true", "\"comments_open\":1", 1);
    let err = import(&target.store, wrong.as_bytes()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("\"comments_open\" in a record of \"articles\" must be true or false"),
        "{err}"
    );
    let unknown = text.replacen(
        "{\"id\":1,\"slug\":\"alice\"",
        "{\"id\":1,\"colour\":\"red\",\"slug\":\"alice\"",
        1,
    );
    let err = import(&target.store, unknown.as_bytes()).await.unwrap_err();
    assert!(
        err.to_string().contains("unknown field \"colour\""),
        "{err}"
    );
    let err = import(&target.store, b"[1, 2, 3]").await.unwrap_err();
    assert!(err.to_string().contains("expected a bbn export"), "{err}");

    // Nothing of any attempt is left.
    for table in [
        "articles",
        "comments",
        "sections",
        "media",
        "users",
        "pages",
        "site_settings",
    ] {
        assert_eq!(count(&target.store, table).await, 0, "{table}");
    }
    assert_eq!(target.store.last_change().await.unwrap(), before);
    // And the good file still goes in.
    import(&target.store, &bytes).await.unwrap();
    assert_eq!(export(&target.store).await, bytes);
}

async fn the_format_carries_every_column(db: TestDb) {
    assert_eq!(
        db.store.export_schema_problems().await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        db.store.tables_unknown_to_export().await.unwrap(),
        Vec::<String>::new(),
        "every table is exported or deliberately left out (spec::NOT_EXPORTED)"
    );
    // An empty site exports and imports too.
    let bytes = export(&db.store).await;
    let fresh = TestDb::new(db.store.backend()).await;
    import(&fresh.store, &bytes).await.unwrap();
    assert_eq!(export(&fresh.store).await, bytes);
}

/// Files of format version 1 (before `import_ids.local_version`) still read.
async fn a_version_1_file_is_read(db: TestDb) {
    fill(&db.store).await;
    let text = String::from_utf8(export(&db.store).await).unwrap();
    assert!(text.contains(",\"local_version\":3}"), "{text}");
    let old = text
        .replacen(
            &format!("\"version\": {FORMAT_VERSION}"),
            "\"version\": 1",
            1,
        )
        .replace(",\"local_version\":3}", "}")
        .replace(",\"local_version\":null}", "}");
    let fresh = TestDb::new(db.store.backend()).await;
    import(&fresh.store, old.as_bytes()).await.unwrap();
    assert_eq!(count(&fresh.store, "import_ids").await, 3);
    assert_eq!(
        fresh
            .store
            .query_i64("SELECT COUNT(*) FROM import_ids WHERE local_version IS NULL")
            .await
            .unwrap(),
        3
    );
    // A file of the current version must carry the field.
    let lacking = text.replace(",\"local_version\":3}", "}");
    let other = TestDb::new(db.store.backend()).await;
    match import(&other.store, lacking.as_bytes()).await {
        Err(TransferError::File { message, .. }) => {
            assert!(message.contains("lacks \"local_version\""), "{message}");
        }
        other => panic!("a missing field is refused: {other:?}"),
    }
}

bbn_store::on_both_backends!(
    a_version_1_file_is_read,
    site_comes_back_byte_for_byte,
    new_rows_after_import_get_fresh_ids,
    a_site_that_is_not_empty_is_refused,
    bad_files_change_nothing,
    the_format_carries_every_column,
);

/// Tests that need both backends at once; `postgres::` in their names, as
/// every PostgreSQL test has, for `tools/test` to skip without a server.
mod between_sqlite_and_postgres {
    use super::*;

    /// SQLite → PostgreSQL → SQLite, and the exports agree at every step.
    #[tokio::test]
    async fn moves_both_ways() {
        let sqlite = TestDb::sqlite().await;
        let postgres = TestDb::postgres().await;
        fill(&sqlite.store).await;
        let from_sqlite = export(&sqlite.store).await;
        import(&postgres.store, &from_sqlite).await.unwrap();
        let from_postgres = export(&postgres.store).await;
        assert_eq!(
            String::from_utf8(from_postgres.clone()).unwrap(),
            String::from_utf8(from_sqlite.clone()).unwrap()
        );
        let back = TestDb::sqlite().await;
        import(&back.store, &from_postgres).await.unwrap();
        assert_eq!(export(&back.store).await, from_sqlite);

        // And the other way round, from a site made on PostgreSQL.
        let made_on_postgres = TestDb::postgres().await;
        fill(&made_on_postgres.store).await;
        let bytes = export(&made_on_postgres.store).await;
        let to_sqlite = TestDb::sqlite().await;
        import(&to_sqlite.store, &bytes).await.unwrap();
        assert_eq!(export(&to_sqlite.store).await, bytes);
    }
}
