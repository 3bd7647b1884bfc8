//! No acknowledged comment is ever lost: a burst of concurrent comment posts,
//! SIGKILL in the middle of it, a restart, and every comment that got its
//! redirect is there exactly once. On SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::Store;
use bbn_store::testing::TestDb;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{Server, http_get, temp_dir};

const ARTICLE: &str = "/news/foreign-ministers-meet-in-pyongyang";

fn form_token(port: u16) -> String {
    let (_, page) = http_get(port, ARTICLE).unwrap();
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// Posts one comment; true when the server acknowledged it (303).
fn post(port: u16, token: &str, text: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let body = format!(
        "name=Burst&email=burst%40example.com&comment={}&token={}",
        text.replace(' ', "+"),
        token.replace(':', "%3A")
    );
    let request = format!(
        "POST {ARTICLE}/comments HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.0 303") || answer.starts_with("HTTP/1.1 303")
}

async fn burst_then_kill(store: Store, dir: std::path::PathBuf, database: Option<String>) {
    let mut args = vec![
        "--comments-per-address",
        "100000",
        "--comments-per-article",
        "100000",
    ];
    if let Some(url) = &database {
        args.extend(["--database-url", url.as_str()]);
    }
    let args: Vec<String> = args.into_iter().map(str::to_string).collect();
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = Server::start(&dir, &arg_refs);
    let port = server.port;
    let token = form_token(port);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (token, acknowledged, stop) = (token.clone(), acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && n < 10_000 {
                    let text = format!("burst comment {w} {n}");
                    if post(port, &token, &text) {
                        acknowledged.lock().unwrap().push(text);
                    }
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().unwrap(); // SIGKILL, mid-burst
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 10,
        "the burst got going ({} acknowledged)",
        acknowledged.len()
    );

    // Restart on the same data, then count.
    let server = Server::start(&dir, &arg_refs);
    let stored: Vec<String> = store
        .moderation_queue(None, None, Some("burst comment"), 100_000, 0)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|c| c.body)
        .collect();
    for text in &acknowledged {
        assert_eq!(
            stored.iter().filter(|s| *s == text).count(),
            1,
            "acknowledged comment {text:?} is there exactly once"
        );
    }
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), stored.len(), "no comment is stored twice");
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "\ncomment durability ({}): {} acknowledged, {} stored\n",
            if database.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            acknowledged.len(),
            stored.len()
        )
        .as_bytes(),
    );
    server.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_acknowledged_comment_is_lost_on_sqlite() {
    let dir = temp_dir("durability-sqlite");
    // Create the site first, then watch its database file from here.
    let server = Server::start(&dir, &[]);
    server.terminate();
    let store = Store::open_sqlite(&dir.join("bbn.db")).await.unwrap();
    burst_then_kill(store.clone(), dir.clone(), None).await;
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn no_acknowledged_comment_is_lost_on_postgres() {
        let db = TestDb::postgres().await;
        let dir = temp_dir("durability-pg");
        burst_then_kill(db.store.clone(), dir.clone(), Some(db.url.clone())).await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
