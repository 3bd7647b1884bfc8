//! bbn as the rest of the web's tools read it: a live demo site, on SQLite
//! and on PostgreSQL, checked by `tools/distribution-check/check.py` with
//! feedparser (feeds), extruct (JSON-LD and OpenGraph), openapi-spec-validator
//! and jsonschema (the API's description and answers) and the W3C Nu HTML
//! Checker (every page type, the newsroom's included).
//!
//! The tools come from PyPI and npm (`.ci/run` installs them; see the
//! README). Where they are missing the test says so and passes, unless
//! `BBN_REQUIRE_TOOLS=1`, which makes that a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::Backend;
use bbn_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{Server, bbn, temp_dir};

const PASSWORD: &str = "correct horse battery staple";

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/distribution-check")
}

/// The Python with feedparser and extruct, and vnu.jar; None (after saying
/// why) when they are not installed and not required.
fn tools() -> Option<(String, PathBuf)> {
    let python = std::env::var("BBN_TOOLS_PYTHON").unwrap_or_else(|_| "python3".into());
    let vnu = tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar");
    let has_modules = Command::new(&python)
        .args(["-c", "import feedparser, extruct, openapi_spec_validator"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let has_java = Command::new("java")
        .arg("-version")
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_modules && has_java && vnu.is_file() {
        return Some((python, vnu));
    }
    let why = format!(
        "distribution checks need {python} with feedparser and extruct ({}), java ({}) and {} ({}); see tools/distribution-check",
        if has_modules { "found" } else { "missing" },
        if has_java { "found" } else { "missing" },
        vnu.display(),
        if vnu.is_file() { "found" } else { "missing" },
    );
    assert!(
        std::env::var("BBN_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "{why}"
    );
    eprintln!("skipped: {why}");
    None
}

fn add_admin(site: &[&str]) {
    let mut add = bbn()
        .args(site)
        .args([
            "user",
            "add",
            "--email",
            "admin@example.com",
            "--name",
            "Ada Admin",
            "--role",
            "admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        add.stdin.as_mut().unwrap(),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .unwrap();
    drop(add.stdin.take());
    assert!(add.wait().unwrap().success());
}

fn check(server: &Server, python: &str, vnu: &Path) {
    let out = Command::new(python)
        .arg(tools_dir().join("check.py"))
        .arg(format!("http://127.0.0.1:{}", server.port))
        .arg("--vnu")
        .arg(vnu)
        .args(["--email", "admin@example.com", "--password", PASSWORD])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    assert!(
        out.status.success(),
        "the checkers found problems:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for verdict in [
        "feeds (feedparser): passed",
        "JSON Feed 1.1 (spec fields): passed",
        "JSON-LD (extruct): passed",
        "HTML (W3C Nu HTML Checker): passed",
        "sitemaps (XML parser): passed",
        "OpenAPI (openapi-spec-validator, jsonschema): passed",
    ] {
        assert!(report.contains(verdict), "{verdict} missing:\n{report}");
    }
}

#[test]
fn feeds_pages_and_structured_data_pass_the_checkers_on_sqlite() {
    let Some((python, vnu)) = tools() else { return };
    let dir = temp_dir("tools");
    let site = ["--data-dir", dir.to_str().unwrap()];
    add_admin(&site);
    let server = Server::start(&dir, &[]);
    check(&server, &python, &vnu);
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_pages_and_structured_data_pass_the_checkers_on_postgres() {
    let Some((python, vnu)) = tools() else { return };
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let dir = temp_dir("tools-pg");
    let server = Server::start(&dir, &["--database-url", &db.url]);
    add_admin(&["--database-url", &db.url]);
    check(&server, &python, &vnu);
    server.terminate();
    std::fs::remove_dir_all(dir).unwrap();
}
