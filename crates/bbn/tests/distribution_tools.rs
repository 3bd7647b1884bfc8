//! bbn as the rest of the web's tools read it: a live demo site, on SQLite
//! and on PostgreSQL, checked by `tools/distribution-check/check.py` with
//! feedparser (feeds), extruct (JSON-LD and OpenGraph), openapi-spec-validator
//! and jsonschema (the API's description and answers) and the W3C Nu HTML
//! Checker (every page type, the newsroom's included).
//!
//! The tools come from PyPI and npm (`.ci/run` installs them; see the
//! README). Where they are missing the tests fail; they are in
//! `with_tools::`, which `tools/test` skips (and reports as not run) then.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{Server, bbn, temp_dir};

const PASSWORD: &str = "correct horse battery staple";

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/distribution-check")
}

/// The Python with feedparser and extruct, and vnu.jar; fails the test,
/// naming what is missing, when they are not installed.
fn tools() -> (String, PathBuf) {
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
    assert!(
        has_modules && has_java && vnu.is_file(),
        "distribution checker test not run: it needs {python} with feedparser and extruct ({}), \
         java ({}) and {} ({}); install them as .ci/run does (tools/distribution-check, \
         BBN_TOOLS_PYTHON), or run the suite with tools/test, which skips with_tools:: \
         where they are missing and reports those tests as NOT RUN",
        if has_modules { "found" } else { "missing" },
        if has_java { "found" } else { "missing" },
        vnu.display(),
        if vnu.is_file() { "found" } else { "missing" },
    );
    (python, vnu)
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

/// The tests that need the checkers.
mod with_tools {
    use super::*;

    #[test]
    fn feeds_pages_and_structured_data_pass_the_checkers_on_sqlite() {
        let (python, vnu) = tools();
        let dir = temp_dir("tools");
        let site = ["--data-dir", dir.to_str().unwrap()];
        add_admin(&site);
        let server = Server::start(&dir, &[]);
        check(&server, &python, &vnu);
        server.terminate();
        std::fs::remove_dir_all(dir).unwrap();
    }

    mod postgres {
        use super::*;

        #[tokio::test(flavor = "multi_thread")]
        async fn feeds_pages_and_structured_data_pass_the_checkers_on_postgres() {
            let (python, vnu) = tools();
            let db = TestDb::postgres().await;
            let dir = temp_dir("tools-pg");
            let server = Server::start(&dir, &["--database-url", &db.url]);
            add_admin(&["--database-url", &db.url]);
            check(&server, &python, &vnu);
            server.terminate();
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
}
