//! The `bbn` binary as an operator starts it: demo site, options, clean
//! shutdown, and one clear line for each way a start can go wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_store::Backend;
use bbn_store::testing::TestDb;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn bbn() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bbn"));
    // Keep the tests independent of the developer's environment and folder.
    for (k, _) in std::env::vars() {
        if k.starts_with("BBN_") {
            c.env_remove(k);
        }
    }
    c.current_dir(std::env::temp_dir());
    c
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "bbn-cli-{tag}-{}-{:x}",
        std::process::id(),
        rand_u64()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET; returns (status, body).
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(data_dir: &Path, extra: &[&str]) -> Server {
        let port = free_port();
        let child = bbn()
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some((200, _)) = http_get(port, "/healthz") {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("bbn did not become healthy on port {port}");
    }

    fn terminate(mut self) -> ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "bbn did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Runs a start that must fail; returns its stderr.
fn failing_start(args: &[&str]) -> String {
    let out = bbn().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "expected failure: {stderr}");
    assert!(!stderr.contains("panicked"), "no panic trace: {stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "one clear line: {stderr}");
    last.to_string()
}

#[test]
fn help_explains_every_option() {
    let out = bbn().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for option in [
        "serve",
        "--data-dir",
        "--database-url",
        "--listen",
        "--base-url",
        "--theme",
        "--no-demo",
        "BBN_DATA_DIR",
        "BBN_DATABASE_URL",
    ] {
        assert!(help.contains(option), "bbn --help lacks {option}:\n{help}");
    }
    let out = bbn().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--base-url",
        "--theme",
        "BBN_LISTEN",
        "BBN_BASE_URL",
        "BBN_THEME",
    ] {
        assert!(
            help.contains(option),
            "bbn serve --help lacks {option}:\n{help}"
        );
    }
}

#[test]
fn serves_the_demo_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("demo");
    let server = Server::start(&dir, &[]);
    let (status, home) = http_get(server.port, "/").unwrap();
    assert_eq!(status, 200);
    assert!(home.contains("Big Big News"));
    let (status, story) =
        http_get(server.port, "/news/foreign-ministers-meet-in-pyongyang").unwrap();
    assert_eq!(status, 200);
    for part in [
        "Russia-North Korea Security Talks",
        "Gabriel Martinez",
        "Frequently Asked Questions about Diplomatic Relations",
        "More about Diplomatic Relations",
        "You may also like",
        "CarBuff42",
        "JournalistJoe",
        "PoliticsGeek",
        "EconExpert1",
        "Leave a Comment",
        "Editors' Picks",
        "Latest News",
    ] {
        assert!(story.contains(part), "the seed story lacks {part}");
    }
    assert_eq!(story.matches("<div class=\"faq__item\">").count(), 6);
    let (_, world_before) = http_get(server.port, "/section/world").unwrap();
    let status = server.terminate();
    assert!(status.success(), "exit 0 after SIGTERM: {status:?}");
    assert!(
        dir.join("bbn.db").exists(),
        "the database lives in the data folder"
    );

    // A second start keeps the data and does not load the demo again.
    let server = Server::start(&dir, &[]);
    let (_, world_after) = http_get(server.port, "/section/world").unwrap();
    assert_eq!(
        world_after.matches("class=\"card\"").count(),
        world_before.matches("class=\"card\"").count(),
        "no second copy of the demo"
    );
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn no_demo_starts_an_empty_site() {
    let dir = temp_dir("empty");
    let server = Server::start(&dir, &["--no-demo"]);
    let (status, home) = http_get(server.port, "/").unwrap();
    assert_eq!(status, 200);
    assert!(home.contains("No news yet"));
    assert_eq!(
        http_get(server.port, "/news/foreign-ministers-meet-in-pyongyang")
            .unwrap()
            .0,
        404
    );
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = temp_dir("port");
    let line = failing_start(&[
        "serve",
        "--no-demo",
        "--listen",
        &addr,
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(
        line.contains("cannot listen on") && line.contains("in use"),
        "{line}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unusable_data_folder_is_one_clear_line() {
    let dir = temp_dir("file");
    let file = dir.join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let inside = file.join("data");
    let line = failing_start(&["serve", "--data-dir", inside.to_str().unwrap()]);
    assert!(line.contains("data folder"), "{line}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unreachable_database_is_one_clear_line() {
    let dir = temp_dir("unreachable");
    let port = free_port();
    let url = format!("postgres://bbn:secret@127.0.0.1:{port}/news");
    let line = failing_start(&[
        "serve",
        "--data-dir",
        dir.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(line.contains("cannot reach the database"), "{line}");
    assert!(
        !line.contains("secret"),
        "the password is never printed: {line}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_database_from_a_newer_bbn_is_refused() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    db.store
        .execute_raw("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)")
        .await
        .unwrap();
    let dir = temp_dir("newer");
    let line = failing_start(&[
        "serve",
        "--data-dir",
        dir.to_str().unwrap(),
        "--database-url",
        &db.url,
    ]);
    assert!(line.contains("newer"), "{line}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn serves_from_postgresql_given_a_url() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let dir = temp_dir("pg");
    let url = db.url.clone();
    let server = tokio::task::spawn_blocking(move || {
        let server = Server::start(&dir, &["--database-url", &url]);
        let (status, story) =
            http_get(server.port, "/news/foreign-ministers-meet-in-pyongyang").unwrap();
        let out = server.terminate();
        std::fs::remove_dir_all(dir).unwrap();
        (status, story, out)
    })
    .await
    .unwrap();
    assert_eq!(server.0, 200);
    assert!(
        server
            .1
            .contains("Frequently Asked Questions about Diplomatic Relations")
    );
    assert!(server.2.success());
    assert!(
        !db.store.is_new_site().await.unwrap(),
        "the demo went into PostgreSQL"
    );
}

#[test]
fn environment_variables_configure_the_server() {
    let dir = temp_dir("env");
    let port = free_port();
    let mut child = bbn()
        .env("BBN_LISTEN", format!("127.0.0.1:{port}"))
        .env("BBN_DATA_DIR", &dir)
        .env("BBN_BASE_URL", "https://news.example")
        .env("BBN_NO_DEMO", "true")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let page = loop {
        if let Some((200, body)) = http_get(port, "/") {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "bbn did not start from BBN_* variables"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(page.contains(r#"<link rel="canonical" href="https://news.example/">"#));
    let _ = child.kill();
    let _ = child.wait();
    std::fs::remove_dir_all(dir).unwrap();
}
