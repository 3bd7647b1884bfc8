//! The `bbn` binary as an operator starts it: demo site, options, clean
//! shutdown, and one clear line for each way a start can go wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::testing::TestDb;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{Server, bbn, free_port, http_get, temp_dir};

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
    let db = TestDb::sqlite().await;
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

#[test]
fn a_closed_log_pipe_does_not_stop_the_server() {
    use std::io::BufRead;
    let dir = temp_dir("closed-log");
    let port = free_port();
    let mut child = bbn()
        .args([
            "serve",
            "--no-demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone now: every later log line meets a closed pipe.
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, "/healthz").is_none_or(|(s, _)| s != 200) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "bbn exited when its log pipe closed"
        );
        assert!(Instant::now() < deadline, "bbn did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(http_get(port, "/no-such-page").unwrap().0, 404);
    assert!(child.try_wait().unwrap().is_none());
    let _ = child.kill();
    let _ = child.wait();
    std::fs::remove_dir_all(dir).unwrap();
}

/// Posts a comment on the demo's seed story as if through a proxy that saw
/// `reader`; the answer's status.
fn comment_from(port: u16, token: &str, reader: &str, text: &str) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = format!(
        "name=Reader&email=reader%40example.com&comment={}&token={}",
        text.replace(' ', "+"),
        token.replace(':', "%3A")
    );
    write!(
        s,
        "POST /news/foreign-ministers-meet-in-pyongyang/comments HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {reader}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer[9..12].parse().unwrap()
}

#[test]
fn readers_behind_a_trusted_proxy_are_counted_apart() {
    let dir = temp_dir("proxy");
    let server = Server::start(
        &dir,
        &[
            "--comments-per-address",
            "1",
            "--trusted-proxies",
            "127.0.0.1",
        ],
    );
    let (_, page) = http_get(server.port, "/news/foreign-ministers-meet-in-pyongyang").unwrap();
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let token = &page[start..start + page[start..].find('"').unwrap()];
    let port = server.port;
    assert_eq!(
        comment_from(port, token, "203.0.113.5", "first from five"),
        303
    );
    assert_eq!(
        comment_from(port, token, "203.0.113.5", "second from five"),
        429
    );
    assert_eq!(
        comment_from(port, token, "203.0.113.6", "first from six"),
        303
    );
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}

mod postgres {
    use super::*;

    #[tokio::test]
    async fn serves_from_postgresql_given_a_url() {
        let db = TestDb::postgres().await;
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
}
