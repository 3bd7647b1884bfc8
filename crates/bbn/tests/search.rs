//! The search index as an operator meets it: `bbn reindex`, an index that
//! is broken or from another version rebuilt at start, and two instances on
//! one PostgreSQL database that find each other's new articles.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::testing::TestDb;
use std::time::{Duration, Instant};
use support::{Server, bbn, http_get, temp_dir};

fn found(port: u16, q: &str) -> bool {
    http_get(port, &format!("/search?q={q}"))
        .is_some_and(|(s, page)| s == 200 && !page.contains("No articles match"))
}

#[test]
fn reindex_and_broken_indexes() {
    let dir = temp_dir("reindex");
    let server = Server::start(&dir, &[]);
    assert!(
        found(server.port, "pyongyang"),
        "the demo is searchable at once"
    );
    server.terminate();

    let out = bbn()
        .arg("--data-dir")
        .arg(&dir)
        .arg("reindex")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("indexed 36 published articles in "),
        "{said}"
    );
    assert!(said.contains(" MB in "), "{said}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("36/36 articles"),
        "a progress bar"
    );

    // Garbage where the index's metadata was: rebuilt at start, with a log line.
    std::fs::write(dir.join("search/meta.json"), b"{ not json").unwrap();
    let server = Server::start_logged(&dir, &[]);
    assert!(found(server.port, "pyongyang"));
    assert!(
        server
            .log()
            .contains("search index unusable: rebuilding it"),
        "{}",
        server.log()
    );
    server.terminate();

    // An index written by another format of bbn: the same.
    std::fs::write(dir.join("search/bbn-format"), b"bbn-search-0").unwrap();
    let server = Server::start_logged(&dir, &[]);
    assert!(found(server.port, "lavrov"));
    assert!(server.log().contains("rebuilding"), "{}", server.log());
    server.terminate();

    // No index at all: built.
    std::fs::remove_dir_all(dir.join("search")).unwrap();
    let server = Server::start(&dir, &[]);
    assert!(found(server.port, "lavrov"));
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}

/// A browser's worth of HTTP for the newsroom: cookies, forms, redirects not followed.
struct Session {
    port: u16,
    cookies: Vec<(String, String)>,
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The hidden fields of the first form whose action is `action`.
fn hidden_in(page: &str, action: &str) -> Vec<(String, String)> {
    let start = page
        .find(&format!("action=\"{action}\""))
        .expect("the form");
    let form = &page[start..start + page[start..].find("</form>").unwrap()];
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|t| {
            let (name, rest) = t.split_once('"')?;
            let value = rest.strip_prefix(" value=\"")?.split_once('"')?.0;
            Some((name.to_string(), value.replace("&amp;", "&")))
        })
        .collect()
}

impl Session {
    fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> (u16, String, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let body = form.map(form_encode).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let (head, page) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head[9..12].parse().unwrap();
        let mut location = String::new();
        for line in head.lines() {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("set-cookie:") {
                let pair = line[11..].trim().split(';').next().unwrap_or("");
                if let Some((k, v)) = pair.split_once('=') {
                    self.cookies.retain(|(n, _)| n != k);
                    self.cookies.push((k.to_string(), v.to_string()));
                }
            } else if lower.starts_with("location:") {
                location = line[9..].trim().to_string();
            }
        }
        (status, location, page.to_string())
    }
}

/// How long one instance may take to show another's write before the test
/// fails: far more than it takes, even on a loaded machine.
const FOLLOW_BOUND: Duration = Duration::from_secs(20);

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn two_instances_find_each_others_articles() {
        let db = TestDb::postgres().await;
        let (a_dir, b_dir) = (temp_dir("instance-a"), temp_dir("instance-b"));
        let a = Server::start(&a_dir, &["--database-url", &db.url]);
        let b = Server::start(&b_dir, &["--database-url", &db.url]);
        // The instance that did not write the demo finds it once it has followed
        // the other's writes (a fraction of a second; more on a loaded machine).
        let soon = |port: u16, q: &str| {
            let deadline = Instant::now() + FOLLOW_BOUND;
            while !found(port, q) {
                if Instant::now() > deadline {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            true
        };
        assert!(soon(a.port, "pyongyang") && soon(b.port, "pyongyang"));
        assert!(!found(b.port, "zeppelin"));

        // An editor publishes through instance A's newsroom.
        let mut add = bbn()
            .args([
                "--database-url",
                &db.url,
                "user",
                "add",
                "--email",
                "ed@example.com",
                "--name",
                "Ed Editor",
                "--role",
                "editor",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            add.stdin.as_mut().unwrap(),
            b"correct horse battery staple\n",
        )
        .unwrap();
        drop(add.stdin.take());
        assert!(add.wait().unwrap().success());
        let mut ed = Session {
            port: a.port,
            cookies: Vec::new(),
        };
        let (_, _, page) = ed.send("GET", "/newsroom/sign-in", None);
        let mut fields = hidden_in(&page, "/newsroom/sign-in");
        fields.push(("email".into(), "ed@example.com".into()));
        fields.push(("password".into(), "correct horse battery staple".into()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            ed.send("POST", "/newsroom/sign-in", Some(&pairs)).0,
            303,
            "signed in"
        );
        let (_, _, page) = ed.send("GET", "/newsroom/articles/new", None);
        let first = |marker: &str| {
            let at = page.find(marker).unwrap_or_else(|| panic!("{marker}")) + marker.len();
            page[at..at + page[at..].find('"').unwrap()].to_string()
        };
        // The first section offered (the select opens on an empty placeholder).
        let section = page
            .split("<option value=\"")
            .skip(1)
            .map(|o| o[..o.find('"').unwrap()].to_string())
            .find(|v| v.parse::<i64>().is_ok())
            .expect("a section to choose");
        let author = first("name=\"authors\" value=\"");
        let mut fields = hidden_in(&page, "/newsroom/articles/new");
        for (k, v) in [
            (
                "headline",
                "Zeppelin returns to the skies over Friedrichshafen",
            ),
            ("dek", "An airship flew again."),
            ("body", "The airship circled the lake for an hour."),
            ("section_id", section.as_str()),
            ("authors", author.as_str()),
            ("action", "save"),
        ] {
            fields.push((k.into(), v.into()));
        }
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, location, body) = ed.send("POST", "/newsroom/articles/new", Some(&pairs));
        assert_eq!(status, 303, "{body}");
        let id: i64 = location
            .trim_start_matches("/newsroom/articles/")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let status_url = format!("/newsroom/articles/{id}/status");
        let act = |ed: &mut Session, action: &str| {
            let (_, _, page) = ed.send("GET", &format!("/newsroom/articles/{id}/edit"), None);
            let mut fields = hidden_in(&page, &status_url);
            fields.push(("action".into(), action.into()));
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (status, _, body) = ed.send("POST", &status_url, Some(&pairs));
            assert_eq!(status, 303, "{action}: {body}");
        };
        act(&mut ed, "publish");
        let written = Instant::now();
        assert!(
            found(a.port, "zeppelin"),
            "at once on the instance that published it"
        );
        // The 2 s the other instance is allowed is measured by the benchmark
        // (`bbn-bench speed --instances 2`) and printed below; here the bound is
        // loose, so that a machine busy with the rest of the suite fails nothing.
        while !found(b.port, "zeppelin") {
            assert!(
                written.elapsed() < FOLLOW_BOUND,
                "not found on the other within {FOLLOW_BOUND:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let seen_after = written.elapsed();

        // Unpublished through A: gone from A at once and from B as quickly.
        act(&mut ed, "unpublish");
        let written = Instant::now();
        assert!(!found(a.port, "zeppelin"));
        while found(b.port, "zeppelin") {
            assert!(
                written.elapsed() < FOLLOW_BOUND,
                "still found after {FOLLOW_BOUND:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "\ntwo instances: published through A, found on B {} ms later; unpublished, gone from B {} ms later\n",
                seen_after.as_millis(),
                written.elapsed().as_millis()
            )
            .as_bytes(),
        );
        a.terminate();
        b.terminate();
        std::fs::remove_dir_all(a_dir).unwrap();
        std::fs::remove_dir_all(b_dir).unwrap();
    }
}
