//! `bbn backup` of a live site and `bbn restore`, on SQLite and PostgreSQL:
//! readers post comments and staff upload images all through the backup;
//! the restored copy is whole (integrity, every comment complete and on an
//! article that exists, the change log and the rows agree, every image the
//! database names is there) and serves; a changed file in a backup stops
//! the restore before anything is touched.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::Store;
use bbn_store::testing::TestDb;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{PLANTED, Server, assert_planted_cleaned, bbn, http_get, temp_dir};

const ARTICLE: &str = "/news/foreign-ministers-meet-in-pyongyang";

/// A site: its data folder and, on PostgreSQL, its database.
struct Site {
    dir: PathBuf,
    database: Option<String>,
}

impl Site {
    fn args(&self) -> Vec<String> {
        let mut a = vec!["--data-dir".to_string(), self.dir.display().to_string()];
        if let Some(url) = &self.database {
            a.extend(["--database-url".to_string(), url.clone()]);
        }
        a
    }

    fn run(&self, command: &[&str]) -> Output {
        bbn().args(command).args(self.args()).output().unwrap()
    }

    fn serve(&self) -> Server {
        let mut extra = vec![
            "--comments-per-address",
            "100000",
            "--comments-per-article",
            "100000",
        ];
        if let Some(url) = &self.database {
            extra.extend(["--database-url", url.as_str()]);
        }
        Server::start(&self.dir, &extra)
    }

    async fn store(&self) -> Store {
        match &self.database {
            Some(url) => Store::connect(url).await.unwrap(),
            None => Store::open_sqlite(&self.dir.join("bbn.db")).await.unwrap(),
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn form_token(port: u16) -> String {
    let (_, page) = http_get(port, ARTICLE).unwrap();
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// Sends a request and returns the status line's code.
fn send(port: u16, head: &str, body: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// Posts a reader's comment; true when acknowledged (303).
fn post_comment(port: u16, token: &str, text: &str) -> bool {
    let body = format!(
        "name=Reader&email=reader%40example.com&comment={}&token={}",
        text.replace(' ', "+"),
        token.replace(':', "%3A")
    );
    let head = format!(
        "POST {ARTICLE}/comments HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    send(port, &head, body.as_bytes()) == Some(303)
}

/// Uploads an image through the API; true when stored (201).
fn upload(port: u16, token: &str, png: &[u8]) -> bool {
    let head = format!(
        "POST /api/v1/media?alt=Test HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
        png.len()
    );
    send(port, &head, png) == Some(201)
}

fn png(seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(600, 400, |x, y| {
        image::Rgb([(x + seed) as u8, (y * 3) as u8, seed as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Makes an editor and a staff token for uploads.
fn staff_token(site: &Site) -> String {
    let mut add = bbn()
        .args([
            "user",
            "add",
            "--email",
            "ed@example.com",
            "--name",
            "Ed",
            "--role",
            "editor",
        ])
        .args(site.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long enough phrase\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let out = site.run(&[
        "apikey",
        "add",
        "--name",
        "Uploads",
        "--kind",
        "staff",
        "--user",
        "ed@example.com",
        "--role",
        "author",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Comments and uploads acknowledged so far.
#[derive(Default)]
struct Written {
    comments: Vec<String>,
    uploads: usize,
}

async fn backup_of_a_live_site(source: Site, target: Site, untouched: Site) {
    let label = if source.database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    // The demo site, with a staff account whose token uploads images.
    source.serve().terminate();
    let token = staff_token(&source);
    let server = source.serve();
    let port = server.port;
    let form = form_token(port);
    let written = Arc::new(Mutex::new(Written::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers: Vec<_> = (0..4)
        .map(|w| {
            let (form, written, stop) = (form.clone(), written.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let text = format!("backup comment {w} {n}");
                    if post_comment(port, &form, &text) {
                        written.lock().unwrap().comments.push(text);
                    }
                    n += 1;
                }
            })
        })
        .collect();
    writers.push({
        let (written, stop) = (written.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                if upload(port, &token, &png(n)) {
                    written.lock().unwrap().uploads += 1;
                } else {
                    std::thread::sleep(Duration::from_millis(200));
                }
                n += 1;
            }
        })
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let w = written.lock().unwrap();
        if w.comments.len() >= 20 && w.uploads >= 2 {
            break;
        }
        drop(w);
        assert!(Instant::now() < deadline, "the writers got going");
        std::thread::sleep(Duration::from_millis(50));
    }

    let backup = temp_dir("backup-copy");
    let before = written.lock().unwrap().comments.clone();
    let started = Instant::now();
    let out = source.run(&["backup", backup.to_str().unwrap()]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let during = written.lock().unwrap().comments.len() - before.len();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    server.terminate();
    let uploads = written.lock().unwrap().uploads;
    assert!(during > 0, "comments were posted while the backup ran");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("backed up "), "{said}");

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("backup.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "bbn-backup");
    assert_eq!(manifest["schema_version"], bbn_store::SCHEMA_VERSION);
    let refused = source.run(&["backup", backup.to_str().unwrap()]);
    assert!(
        stderr(&refused).contains("is not empty"),
        "{}",
        stderr(&refused)
    );

    // Restored into a new site.
    let started = Instant::now();
    let out = target.run(&["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restore_took = started.elapsed();
    let store = target.store().await;
    if target.database.is_none() {
        assert_eq!(
            store.query_strings("PRAGMA integrity_check").await.unwrap(),
            vec!["ok".to_string()]
        );
    }
    let comments = store.count_rows("comments").await.unwrap();
    assert_eq!(comments, manifest["counts"]["comments"].as_i64().unwrap());
    assert_eq!(
        store.count_rows("articles").await.unwrap(),
        manifest["counts"]["articles"].as_i64().unwrap()
    );
    let stored: Vec<String> = store
        .query_strings("SELECT body FROM comments WHERE body LIKE 'backup comment %'")
        .await
        .unwrap();
    for text in &before {
        assert!(
            stored.contains(text),
            "{text:?}, acknowledged before the backup began, is in it"
        );
    }
    let incomplete = store
        .query_i64(
            "SELECT COUNT(*) FROM comments WHERE author_name = '' OR body = '' OR body_hash = ''
               OR status NOT IN ('pending', 'approved', 'spam', 'trash') OR created_at <= 0",
        )
        .await
        .unwrap();
    assert_eq!(incomplete, 0, "every comment row is complete");
    let orphans = store
        .query_i64(
            "SELECT COUNT(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id)",
        )
        .await
        .unwrap();
    assert_eq!(orphans, 0, "every comment's article exists");
    // The change log and the rows were copied at the same moment.
    let logged_not_stored = store
        .query_i64(
            "SELECT COUNT(*) FROM changes WHERE entity = 'comment' AND op = 'create'
               AND entity_id NOT IN (SELECT id FROM comments)",
        )
        .await
        .unwrap();
    let stored_not_logged = store
        .query_i64(
            "SELECT COUNT(*) FROM comments WHERE id NOT IN
               (SELECT entity_id FROM changes WHERE entity = 'comment' AND op = 'create')",
        )
        .await
        .unwrap();
    assert_eq!((logged_not_stored, stored_not_logged), (0, 0));
    // Every image the database names came with it.
    let media = store
        .query_strings("SELECT url || ', ' || srcset FROM media")
        .await
        .unwrap();
    assert!(media.len() >= 2, "uploads are in the copy");
    for line in &media {
        for url in line.split(", ").filter(|s| !s.is_empty()) {
            let path = url.split(' ').next().unwrap();
            let file = target.dir.join(path.trim_start_matches('/'));
            assert!(file.is_file(), "{} is restored", file.display());
        }
    }
    assert!(!bbn_search::index_dir(&target.dir).exists());
    // One restored comment approved, to see it on the page.
    let shown = store
        .query_i64("SELECT MIN(id) FROM comments WHERE body LIKE 'backup comment %'")
        .await
        .unwrap();
    store
        .set_comments_status(&[shown], bbn_core::CommentStatus::Approved)
        .await
        .unwrap();
    let shown_text = store
        .query_strings(&format!("SELECT body FROM comments WHERE id = {shown}"))
        .await
        .unwrap()
        .remove(0);
    store.close().await;

    // The restored site serves, its search index rebuilt.
    let server = target.serve();
    let (status, _) = http_get(server.port, "/").unwrap();
    assert_eq!(status, 200);
    let (status, page) = http_get(server.port, ARTICLE).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains(&shown_text), "the restored comment shows");
    let (_, found) = http_get(server.port, "/search?q=pyongyang").unwrap();
    assert!(!found.contains("No articles match"));
    server.terminate();

    // A file changed after the backup: refused, and nothing is touched.
    let changed = match source.database {
        Some(_) => backup.join("database.dump"),
        None => {
            let first = manifest["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"].as_str().unwrap().starts_with("media/"))
                .unwrap();
            backup.join(first["path"].as_str().unwrap())
        }
    };
    let mut bytes = std::fs::read(&changed).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&changed, bytes).unwrap();
    let out = untouched.run(&["restore", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("nothing was restored") && said.contains("does not match backup.json"),
        "{said}"
    );
    assert!(!untouched.dir.join("media").exists());
    assert!(!untouched.dir.join(".media-restoring").exists());
    match &untouched.database {
        None => assert!(!untouched.dir.join("bbn.db").exists()),
        Some(_) => {
            let store = untouched.store().await;
            assert_eq!(store.count_rows("articles").await.unwrap(), 0);
            store.close().await;
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "\nbackup ({label}): {} comments ({during} during the backup), {uploads} uploads; backup {:.2} s, restore {:.2} s (debug build)\n",
        comments,
        took.as_secs_f64(),
        restore_took.as_secs_f64()
    );
    for d in [&source.dir, &target.dir, &untouched.dir, &backup] {
        let _ = std::fs::remove_dir_all(d);
    }
}

fn local(tag: &str) -> Site {
    Site {
        dir: temp_dir(tag),
        database: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_and_restore_a_live_sqlite_site() {
    backup_of_a_live_site(local("live"), local("restored"), local("untouched")).await;
}

/// A backup is a database anyone could have edited: a page and an article
/// whose stored HTML was replaced by `PLANTED`, and marked as cleaned by
/// this very sanitizer, are served clean once restored.
async fn restore_cleans_planted_bodies(source: Site, target: Site) {
    source.serve().terminate();
    let store = source.store().await;
    let version = bbn_core::markdown::SANITIZER_VERSION;
    let mut paths = Vec::new();
    for (table, prefix) in [("pages", "/"), ("articles", "/news/")] {
        let slug = store
            .query_strings(&format!(
                "SELECT slug FROM {table} WHERE status = 'published' ORDER BY id LIMIT 1"
            ))
            .await
            .unwrap()
            .remove(0);
        store
            .execute_raw(&format!(
                "UPDATE {table} SET body_html = '{PLANTED}', body_sanitizer = {version} WHERE slug = '{slug}'"
            ))
            .await
            .unwrap();
        paths.push(format!("{prefix}{slug}"));
    }
    store.close().await;
    let backup = temp_dir("planted-backup");
    let out = source.run(&["backup", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = target.run(&["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let server = target.serve();
    for path in &paths {
        assert_planted_cleaned(server.port, path);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_cleans_every_body_on_sqlite() {
    restore_cleans_planted_bodies(local("planted"), local("planted-restored")).await;
}

#[test]
fn restore_refuses_what_is_not_a_finished_backup() {
    let empty = temp_dir("not-a-backup");
    let site = local("no-restore");
    let out = site.run(&["restore", empty.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("has no backup.json"),
        "{}",
        stderr(&out)
    );
    // A manifest from a newer bbn.
    std::fs::write(
        empty.join("backup.json"),
        r#"{"format":"bbn-backup","version":99}"#,
    )
    .unwrap();
    let out = site.run(&["restore", empty.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("written by a newer bbn"),
        "{}",
        stderr(&out)
    );
    // A database from a newer bbn.
    std::fs::write(
        empty.join("backup.json"),
        r#"{"format":"bbn-backup","version":1,"bbn_version":"9.0.0","created_at":"2030-01-01T00:00:00Z",
            "backend":"sqlite","schema_version":99,"database":"bbn.db",
            "counts":{"articles":0,"comments":0,"media_records":0,"media_files":0},
            "files":[{"path":"bbn.db","bytes":0,"sha256":""}]}"#,
    )
    .unwrap();
    let out = site.run(&["restore", empty.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("schema version 99, newer than this bbn knows"),
        "{}",
        stderr(&out)
    );
    assert!(!site.dir.join("bbn.db").exists(), "nothing was touched");
    let _ = std::fs::remove_dir_all(empty);
    let _ = std::fs::remove_dir_all(site.dir);
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn backup_and_restore_a_live_postgres_site() {
        let source = TestDb::postgres().await;
        let target = TestDb::postgres().await;
        let untouched = TestDb::postgres().await;
        let site = |db: &TestDb, tag: &str| Site {
            dir: temp_dir(tag),
            database: Some(db.url.clone()),
        };
        backup_of_a_live_site(
            site(&source, "live-pg"),
            site(&target, "restored-pg"),
            site(&untouched, "untouched-pg"),
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn restore_cleans_every_body_on_postgres() {
        let source = TestDb::postgres().await;
        let target = TestDb::postgres().await;
        let site = |db: &TestDb, tag: &str| Site {
            dir: temp_dir(tag),
            database: Some(db.url.clone()),
        };
        restore_cleans_planted_bodies(
            site(&source, "planted-pg"),
            site(&target, "planted-restored-pg"),
        )
        .await;
    }
}
