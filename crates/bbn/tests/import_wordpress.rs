//! `bbn import wordpress` as an operator runs it, on SQLite and PostgreSQL:
//! the hand-written exports of `crates/wxr/tests/fixtures` (every status,
//! nested categories, threads, attachments, menus, shortcodes), a very long
//! post with 500 comments, imports run twice, dry runs, broken files that
//! must change nothing, and the imported site browsed over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::testing::TestDb;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{Server, bbn, temp_dir};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../wxr/tests/fixtures")
        .join(name)
}

fn import(db: &TestDb, data: &Path, file: &Path, extra: &[&str]) -> Output {
    bbn()
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(data)
        .args(["import", "wordpress"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "import failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

async fn n(db: &TestDb, sql: &str) -> i64 {
    db.store.query_i64(sql).await.unwrap()
}

async fn text(db: &TestDb, sql: &str) -> String {
    db.store
        .query_strings(sql)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// A small PNG standing in for an upload (bbn checks content, not names).
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 400, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// GET through a raw socket: (status, Location header, body).
fn fetch(port: u16, path: &str) -> (u16, Option<String>, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .map(str::to_string);
    (status, location, body.to_string())
}

async fn a_whole_site_moves_in_and_a_second_run_changes_nothing(db: TestDb) {
    let data = temp_dir("wp-full");
    let uploads = temp_dir("wp-uploads");
    std::fs::create_dir_all(uploads.join("2024/03")).unwrap();
    std::fs::write(uploads.join("2024/03/flood.jpg"), png()).unwrap();
    let report = ok(&import(
        &db,
        &data,
        &fixture("full.xml"),
        &["--media-dir", uploads.to_str().unwrap()],
    ));
    assert!(report.contains("Imported."), "{report}");

    // Posts: trash and automatic drafts stay behind; statuses map.
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 7);
    let status = |slug: &str| format!("SELECT status FROM articles WHERE slug = '{slug}'");
    assert_eq!(text(&db, &status("river-rises")).await, "published");
    assert_eq!(text(&db, &status("regatta-2031")).await, "scheduled");
    assert_eq!(
        text(&db, &status("staff-rota")).await,
        "draft",
        "private → draft"
    );
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM articles WHERE status = 'in_review'"
        )
        .await,
        1
    );
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM articles WHERE body_format = 'html'"
        )
        .await,
        7
    );
    // The sticky post is an editors' pick; its featured image came from the uploads copy.
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM editors_picks p JOIN articles a ON a.id = p.article_id WHERE a.slug = 'river-rises'").await,
        1
    );
    let image = text(&db, "SELECT m.url FROM articles a JOIN media m ON m.id = a.image_id WHERE a.slug = 'river-rises'").await;
    assert!(image.starts_with("/media/"), "{image}");
    assert_eq!(
        text(&db, "SELECT m.alt FROM articles a JOIN media m ON m.id = a.image_id WHERE a.slug = 'river-rises'").await,
        "Water covers Main Street"
    );
    // Its body links to the new file, also for WordPress's resized copy.
    let body = text(
        &db,
        "SELECT body_html FROM articles WHERE slug = 'river-rises'",
    )
    .await;
    assert!(body.contains(&format!("src=\"{image}\"")), "{body}");
    assert!(!body.contains("wp-content/uploads/2024/03/flood"), "{body}");
    assert!(body.contains("<figcaption>"), "{body}");
    assert!(
        report.contains("[contact-form-7]") && report.contains("[playlist]"),
        "{report}"
    );
    assert!(
        report.contains("ramen.jpg"),
        "missing upload listed: {report}"
    );

    // Sections keep their nesting; tags are topics.
    assert_eq!(
        text(&db, "SELECT p.slug FROM sections s JOIN sections p ON p.id = s.parent_id WHERE s.slug = 'schools'").await,
        "local"
    );
    assert!(n(&db, "SELECT COUNT(*) FROM topics").await >= 4);
    // People: bylines, and accounts that cannot sign in yet.
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM users WHERE disabled = TRUE AND password_hash IS NULL"
        )
        .await,
        3
    );
    // Comments: a three-deep thread, held, spam and trash kept; the pingback left out.
    assert_eq!(n(&db, "SELECT COUNT(*) FROM comments").await, 6);
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id JOIN comments g ON g.id = p.parent_id").await,
        1
    );
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM comments WHERE status = 'spam'").await,
        1
    );
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM comments WHERE staff_user_id IS NOT NULL"
        )
        .await,
        1
    );
    // Pages, the menu's one in the footer.
    assert_eq!(n(&db, "SELECT COUNT(*) FROM pages").await, 2);
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM pages WHERE footer_position IS NOT NULL"
        )
        .await,
        1
    );

    // Twice: nothing new, nothing doubled.
    let counts = "SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM comments) * 100 + (SELECT COUNT(*) FROM pages) * 10000
        + (SELECT COUNT(*) FROM media) * 1000000 + (SELECT COUNT(*) FROM users) * 100000000 + (SELECT COUNT(*) FROM topics) * 10000000000";
    let before = n(&db, counts).await;
    let revisions = n(&db, "SELECT COUNT(*) FROM article_revisions").await;
    let again = ok(&import(
        &db,
        &data,
        &fixture("full.xml"),
        &["--media-dir", uploads.to_str().unwrap()],
    ));
    assert_eq!(n(&db, counts).await, before, "{again}");
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM article_revisions").await,
        revisions,
        "unchanged posts get no new revision"
    );
    assert!(!again.contains(" created "), "{again}");

    // Browse it.
    let server = Server::start(&data, &["--database-url", &db.url]);
    let (status, _, page) = fetch(server.port, "/news/river-rises");
    assert_eq!(status, 200);
    assert!(page.contains("Main Street"), "{page}");
    assert_eq!(fetch(server.port, "/about").0, 200);
    for old in ["/2024/03/14/river-rises/", "/?p=101"] {
        let (status, location, _) = fetch(server.port, old);
        assert_eq!(
            (status, location.as_deref()),
            (301, Some("/news/river-rises")),
            "{old}"
        );
    }
    let (status, location, _) = fetch(server.port, "/about/contact/");
    assert_eq!(status, 301);
    let contact = location.unwrap();
    assert_eq!(fetch(server.port, &contact).0, 200, "{contact}");
    assert_eq!(
        fetch(server.port, "/?page_id=110"),
        (301, Some("/about".into()), String::new())
    );
    server.terminate();
}

async fn broken_files_and_dry_runs_change_nothing(db: TestDb) {
    let data = temp_dir("wp-broken");
    for (file, place) in [
        ("truncated.xml", "truncated.xml:20:20"),
        ("mismatched.xml", "mismatched.xml:16:16"),
        ("not-xml.txt", "not-xml.txt:1:"),
        ("empty.xml", "empty.xml:1:1"),
        ("rss-feed.xml", "rss-feed.xml:"),
    ] {
        let out = import(&db, &data, &fixture(file), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{file} was accepted");
        assert!(stderr.contains(place), "{file}: {stderr}");
    }
    let report = ok(&import(&db, &data, &fixture("full.xml"), &["--dry-run"]));
    assert!(
        report.contains("Dry run") && report.contains("article"),
        "{report}"
    );
    for table in [
        "articles",
        "comments",
        "pages",
        "users",
        "sections",
        "redirects",
        "import_ids",
        "site_settings",
    ] {
        assert_eq!(
            n(&db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    // Other exports read: WXR 1.0, and a file with the bare & real exports have.
    ok(&import(&db, &data, &fixture("wxr-1.0.xml"), &[]));
    let lenient = ok(&import(&db, &data, &fixture("lenient.xml"), &[]));
    assert!(lenient.contains("Read leniently"), "{lenient}");
    assert!(n(&db, "SELECT COUNT(*) FROM articles").await >= 1);
}

/// A post of nearly a megabyte with 500 comments in threads, written here.
fn long_export() -> String {
    let paragraph =
        "The council met again tonight to weigh the flood defences, and the room was full. ";
    let body: String = (0..800)
        .map(|i| format!("<p>{i}: {}</p>\n", paragraph.repeat(12)))
        .collect();
    let mut comments = String::new();
    for id in 1..=500 {
        let parent = if id % 5 == 1 { 0 } else { id - 1 };
        comments.push_str(&format!(
            "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author><![CDATA[Reader {id} Ünal]]></wp:comment_author>\
             <wp:comment_author_email>r{id}@mail.example</wp:comment_author_email><wp:comment_date_gmt>2024-05-01 10:{:02}:{:02}</wp:comment_date_gmt>\
             <wp:comment_content><![CDATA[Comment number {id} &amp; more]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>\
             <wp:comment_type>comment</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n",
            id / 60,
            id % 60
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Long Town Gazette</title><link>https://long.example</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://long.example</wp:base_site_url>
<item><title>The longest meeting</title><link>https://long.example/longest-meeting/</link><dc:creator>clerk</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_date_gmt>2024-05-01 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>longest-meeting</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
{comments}</item></channel></rss>
"#
    )
}

async fn a_very_long_post_with_500_comments(db: TestDb) {
    let data = temp_dir("wp-long");
    let file = data.join("long.xml");
    std::fs::write(&file, long_export()).unwrap();
    ok(&import(&db, &data, &file, &[]));
    assert!(
        n(
            &db,
            "SELECT CAST(LENGTH(body_html) AS BIGINT) FROM articles"
        )
        .await
            > 750_000
    );
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM comments WHERE status = 'approved'"
        )
        .await,
        500
    );
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM comments WHERE parent_id IS NULL").await,
        100
    );
    assert_eq!(
        text(
            &db,
            "SELECT body FROM comments WHERE author_name = 'Reader 250 Ünal'"
        )
        .await,
        "Comment number 250 & more"
    );
    // Past bbn's limit (1 MB) a post is left out and named; the rest still comes in.
    let too_long = long_export()
        .replace("<wp:post_id>7<", "<wp:post_id>8<")
        .replace("longest-meeting", "far-too-long")
        .replace("The longest meeting", "Far too long")
        .replace("<p>0:", &format!("<p>{}</p><p>0:", "x".repeat(300_000)));
    std::fs::write(&file, too_long).unwrap();
    let report = ok(&import(&db, &data, &file, &[]));
    assert!(
        report.contains("a body longer than bbn's 1000000 bytes: 1")
            && report.contains("Far too long"),
        "{report}"
    );
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 1);

    let server = Server::start(&data, &["--database-url", &db.url]);
    let (status, _, page) = fetch(server.port, "/news/longest-meeting");
    assert_eq!(status, 200);
    assert!(
        page.contains("Comment number 1 &amp; more"),
        "first page of comments shown"
    );
    server.terminate();
}

/// Two posts without `wp:post_id` (some exporters leave it out) and a post
/// with two bylines filed as Co-Authors Plus terms.
const NO_IDS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Idless</title><link>https://idless.example</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>mara</wp:author_login><wp:author_email>mara@idless.example</wp:author_email><wp:author_display_name>Mara Lind</wp:author_display_name></wp:author>
<item><title>First without id</title><link>https://idless.example/first/</link><guid isPermaLink="false">https://idless.example/?p=a</guid><dc:creator>mara</dc:creator>
<content:encoded><![CDATA[One.]]></content:encoded><wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt><wp:post_name>first</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>Second without id</title><link>https://idless.example/second/</link><guid isPermaLink="false">https://idless.example/?p=b</guid><dc:creator>mara</dc:creator>
<content:encoded><![CDATA[Two.]]></content:encoded><wp:post_date_gmt>2024-01-02 10:00:00</wp:post_date_gmt><wp:post_name>second</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="author" nicename="cap-mara"><![CDATA[Mara Lind]]></category><category domain="author" nicename="cap-guest-writer"><![CDATA[Guest Writer]]></category></item>
</channel></rss>
"#;

async fn exports_without_ids_and_with_co_authors(db: TestDb) {
    let data = temp_dir("wp-noids");
    let file = data.join("noids.xml");
    std::fs::write(&file, NO_IDS).unwrap();
    ok(&import(&db, &data, &file, &[]));
    ok(&import(&db, &data, &file, &[]));
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 2);
    assert_eq!(
        text(&db, "SELECT a.slug FROM articles a JOIN redirects r ON r.target_id = a.id AND r.target_kind = 'article' WHERE r.path = '/first'").await,
        "first"
    );
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM article_authors x JOIN articles a ON a.id = x.article_id WHERE a.slug = 'second'").await,
        2
    );
    assert_eq!(
        text(&db, "SELECT au.name FROM article_authors x JOIN articles a ON a.id = x.article_id JOIN authors au ON au.id = x.author_id WHERE a.slug = 'second' AND x.position = 1").await,
        "Guest Writer"
    );
}

/// A post whose body shows an upload that has no attachment record.
const LOOSE_UPLOAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Loose</title><link>https://loose.example</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Chart day</title><link>https://loose.example/chart-day/</link><dc:creator>ed</dc:creator>
<content:encoded><![CDATA[Today's chart: <img src="https://loose.example/wp-content/uploads/2024/05/chart.png" alt="The chart"> and again <img src="https://loose.example/wp-content/uploads/2024/05/chart-150x150.png" alt="">]]></content:encoded>
<wp:post_id>5</wp:post_id><wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt><wp:post_name>chart-day</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>
"#;

async fn uploads_without_attachments_are_brought_in_once(db: TestDb) {
    let data = temp_dir("wp-loose");
    let uploads = temp_dir("wp-loose-uploads");
    std::fs::create_dir_all(uploads.join("2024/05")).unwrap();
    std::fs::write(uploads.join("2024/05/chart.png"), png()).unwrap();
    let file = data.join("loose.xml");
    std::fs::write(&file, LOOSE_UPLOAD).unwrap();
    let dir = uploads.to_str().unwrap();
    ok(&import(&db, &data, &file, &["--media-dir", dir]));
    let body = text(&db, "SELECT body_html FROM articles").await;
    assert!(
        !body.contains("loose.example"),
        "both links rewritten: {body}"
    );
    assert_eq!(n(&db, "SELECT COUNT(*) FROM media").await, 1);
    ok(&import(&db, &data, &file, &["--media-dir", dir]));
    assert_eq!(
        n(&db, "SELECT COUNT(*) FROM media").await,
        1,
        "not stored twice"
    );
}

/// A small export of the site at `site` (e.g. `a.example`) holding `items`.
fn small_export(site: &str, items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>{site}</title><link>https://{site}</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://{site}</wp:base_site_url>
<wp:author><wp:author_login>ed</wp:author_login><wp:author_email>ed@{site}</wp:author_email><wp:author_display_name><![CDATA[Ed Itor]]></wp:author_display_name></wp:author>
{items}
</channel></rss>
"#
    )
}

/// One post (or page) item, with the link `https://{site}/{slug}/`.
fn small_item(site: &str, kind: &str, id: i64, slug: &str, title: &str, body: &str) -> String {
    format!(
        r#"<item><title><![CDATA[{title}]]></title><link>https://{site}/{slug}/</link><dc:creator>ed</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded><wp:post_id>{id}</wp:post_id>
<wp:post_date_gmt>2024-02-0{} 10:00:00</wp:post_date_gmt><wp:post_modified_gmt>2024-02-09 10:00:00</wp:post_modified_gmt>
<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>{kind}</wp:post_type></item>"#,
        1 + id % 8
    )
}

fn write_export(dir: &Path, name: &str, xml: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, xml).unwrap();
    file
}

/// Where an old address leads: the slug of the article or page.
async fn redirect_slug(db: &TestDb, path: &str) -> String {
    text(
        db,
        &format!(
            "SELECT COALESCE(a.slug, g.slug) FROM redirects r
             LEFT JOIN articles a ON r.target_kind = 'article' AND a.id = r.target_id
             LEFT JOIN pages g ON r.target_kind = 'page' AND g.id = r.target_id
             WHERE r.path = '{path}'"
        ),
    )
    .await
}

async fn a_duplicate_post_id_keeps_the_first_and_is_reported(db: TestDb) {
    let data = temp_dir("wp-dup");
    let site = "dup.example";
    let items = [
        small_item(site, "post", 12, "first-twelve", "First twelve", "One."),
        small_item(site, "post", 12, "second-twelve", "Second twelve", "Two."),
    ]
    .join("\n");
    let file = write_export(&data, "dup.xml", &small_export(site, &items));
    let report = ok(&import(&db, &data, &file, &[]));
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 1);
    assert_eq!(
        text(&db, "SELECT headline FROM articles").await,
        "First twelve"
    );
    assert!(
        report.contains("Duplicate ids") && report.contains("post 12 \"Second twelve\" (line "),
        "{report}"
    );
    assert!(!report.contains("updated"), "{report}");
    assert_eq!(redirect_slug(&db, "/?p=12").await, "first-twelve");
    assert_eq!(
        n(
            &db,
            "SELECT COUNT(*) FROM redirects WHERE path = '/second-twelve'"
        )
        .await,
        0
    );
}

async fn an_article_edited_in_bbn_is_kept_on_reimport(db: TestDb) {
    let data = temp_dir("wp-edited");
    let site = "edited.example";
    let items = [
        small_item(site, "post", 5, "council-votes", "Council votes", "Body."),
        small_item(site, "page", 6, "contact", "Contact us", "Write."),
    ]
    .join("\n");
    let file = write_export(&data, "edited.xml", &small_export(site, &items));
    ok(&import(&db, &data, &file, &[]));

    // The newsroom edits both after the import.
    let id = n(&db, "SELECT id FROM articles").await;
    let article = db.store.article_by_id(id).await.unwrap().unwrap();
    let mut draft = bbn_core::validate::ArticleDraft::from(&article);
    draft.headline = "Council votes no, 5 to 4".into();
    let editor = n(&db, "SELECT id FROM users").await;
    db.store
        .save_article(
            id,
            draft,
            bbn_store::Edit {
                expected_revision: Some(article.revision),
                mark_updated: false,
                by: Some(editor),
                take_address: false,
                live: false,
                restored_from: None,
            },
        )
        .await
        .unwrap();
    let page_id = n(&db, "SELECT id FROM pages").await;
    let page = db.store.page(page_id).await.unwrap().unwrap();
    db.store
        .save_page(
            page_id,
            bbn_core::validate::PageDraft {
                slug: page.slug.clone(),
                title: "Contact the newsroom".into(),
                body_format: page.body_format,
                body: page.body.clone(),
                status: page.status,
                footer_position: page.footer_position,
                seo_description: page.seo_description.clone(),
            },
        )
        .await
        .unwrap();

    // The same export again, and then one where the source changed too.
    for source_title in ["Council votes", "Council votes (corrected)"] {
        let items = [
            small_item(site, "post", 5, "council-votes", source_title, "Body."),
            small_item(site, "page", 6, "contact", "Contact us", "Write."),
        ]
        .join("\n");
        let file = write_export(&data, "edited.xml", &small_export(site, &items));
        let report = ok(&import(&db, &data, &file, &[]));
        assert_eq!(
            text(&db, "SELECT headline FROM articles").await,
            "Council votes no, 5 to 4",
            "{report}"
        );
        assert_eq!(
            text(&db, "SELECT title FROM pages").await,
            "Contact the newsroom",
            "{report}"
        );
        assert!(
            report.contains("kept (edited in bbn since import)")
                && report.contains("post \"Council votes")
                && report.contains("page \"Contact us\""),
            "{report}"
        );
        assert!(!report.contains("updated"), "{report}");
    }
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 1);

    // An article nobody edited still follows its source.
    let items = small_item(site, "post", 7, "budget", "Budget", "Body.");
    let file = write_export(&data, "edited.xml", &small_export(site, &items));
    ok(&import(&db, &data, &file, &[]));
    let items = small_item(site, "post", 7, "budget", "Budget passes", "Body.");
    let file = write_export(&data, "edited.xml", &small_export(site, &items));
    let report = ok(&import(&db, &data, &file, &[]));
    assert!(report.contains("updated"), "{report}");
    assert_eq!(
        text(&db, "SELECT headline FROM articles WHERE slug = 'budget'").await,
        "Budget passes"
    );
}

async fn a_second_site_with_the_same_slugs_takes_nothing_over(db: TestDb) {
    let data = temp_dir("wp-second");
    let export = |site: &str| {
        let items = [
            small_item(
                site,
                "post",
                12,
                "hello",
                &format!("Hello from {site}"),
                "Hi.",
            ),
            small_item(site, "page", 20, "about", &format!("About {site}"), "Us."),
        ]
        .join("\n");
        write_export(&data, &format!("{site}.xml"), &small_export(site, &items))
    };
    ok(&import(&db, &data, &export("first.example"), &[]));
    let report = ok(&import(&db, &data, &export("second.example"), &[]));
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 2);
    assert_eq!(
        text(&db, "SELECT headline FROM articles WHERE slug = 'hello-2'").await,
        "Hello from second.example"
    );
    // The first site's old addresses still lead to its own posts.
    for (path, slug) in [
        ("/hello", "hello"),
        ("/?p=12", "hello"),
        ("/about", "about"),
        ("/?page_id=20", "about"),
    ] {
        assert_eq!(redirect_slug(&db, path).await, slug, "{path}\n{report}");
    }
    assert!(
        report.contains("article hello → hello-2") && report.contains("page about → about-2"),
        "{report}"
    );
    assert!(
        report.contains("Old addresses that already lead elsewhere")
            && report.contains("/?p=12 (wanted by Hello from second.example)")
            && report.contains("/hello (wanted by Hello from second.example)"),
        "{report}"
    );
}

async fn a_body_past_the_limit_is_left_out_before_it_is_converted(db: TestDb) {
    let data = temp_dir("wp-huge");
    let uploads = temp_dir("wp-huge-uploads");
    std::fs::create_dir_all(uploads.join("2024/05")).unwrap();
    std::fs::write(uploads.join("2024/05/chart.png"), png()).unwrap();
    let site = "huge.example";
    let huge = format!(
        "[mystery_widget id=\"1\"] <img src=\"https://{site}/wp-content/uploads/2024/05/chart.png\" alt=\"\"> {}",
        "All work and no play. ".repeat(50_000)
    );
    let items = [
        small_item(site, "post", 1, "huge", "Huge", &huge),
        small_item(site, "post", 2, "small", "Small", "Fine."),
    ]
    .join("\n");
    let file = write_export(&data, "huge.xml", &small_export(site, &items));
    let dir = uploads.to_str().unwrap();
    let report = ok(&import(&db, &data, &file, &["--media-dir", dir]));
    assert!(
        report.contains("a body longer than bbn's 1000000 bytes: 1") && report.contains("Huge"),
        "{report}"
    );
    // Nothing of the left-out body was looked at: no shortcode, no upload.
    assert!(!report.contains("mystery_widget"), "{report}");
    assert_eq!(n(&db, "SELECT COUNT(*) FROM media").await, 0);
    assert_eq!(text(&db, "SELECT slug FROM articles").await, "small");
}

async fn nul_is_refused_and_control_characters_are_dropped(db: TestDb) {
    let data = temp_dir("wp-control");
    let site = "control.example";
    let nul = small_item(site, "post", 1, "nul", "Nul", "before\0after");
    let file = write_export(&data, "nul.xml", &small_export(site, &nul));
    let out = import(&db, &data, &file, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a NUL was accepted");
    assert!(
        stderr.contains("nul.xml:6:33") && stderr.contains("NUL"),
        "{stderr}"
    );
    let nul_reference = small_item(site, "post", 1, "nul", "Nul", "]]>before&#0;<![CDATA[");
    let file = write_export(&data, "nul.xml", &small_export(site, &nul_reference));
    let out = import(&db, &data, &file, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "&#0; was accepted");
    assert!(stderr.contains("&#0;"), "{stderr}");
    assert_eq!(n(&db, "SELECT COUNT(*) FROM articles").await, 0);

    let items = small_item(
        site,
        "post",
        2,
        "bells",
        "Bell\u{7}s &#1;ring\u{1b}",
        "Tone\u{8}s\tand &#x1b;[0mcolours",
    )
    .replace("Ed Itor", "Ed\u{7f} Itor");
    let file = write_export(&data, "control.xml", &small_export(site, &items));
    ok(&import(&db, &data, &file, &[]));
    assert_eq!(
        text(&db, "SELECT headline FROM articles").await,
        "Bells ring"
    );
    let body = text(&db, "SELECT body_html FROM articles").await;
    assert!(
        body.contains("Tones\tand") && !body.contains('\u{1b}'),
        "{body:?}"
    );
    assert_eq!(text(&db, "SELECT name FROM authors").await, "Ed Itor");
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $(#[tokio::test(flavor = "multi_thread")] async fn $name() {
            super::$name(super::TestDb::sqlite().await).await;
        })* }
        mod postgres { $(#[tokio::test(flavor = "multi_thread")] async fn $name() {
            super::$name(super::TestDb::postgres().await).await;
        })* }
    };
}

both!(
    a_whole_site_moves_in_and_a_second_run_changes_nothing,
    broken_files_and_dry_runs_change_nothing,
    a_very_long_post_with_500_comments,
    exports_without_ids_and_with_co_authors,
    uploads_without_attachments_are_brought_in_once,
    a_duplicate_post_id_keeps_the_first_and_is_reported,
    an_article_edited_in_bbn_is_kept_on_reimport,
    a_second_site_with_the_same_slugs_takes_nothing_over,
    a_body_past_the_limit_is_left_out_before_it_is_converted,
    nul_is_refused_and_control_characters_are_dropped
);
