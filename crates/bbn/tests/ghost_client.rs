//! The official `@tryghost/content-api` client (pinned in
//! `tests/ghost-client/package-lock.json`) against the real `bbn` binary
//! serving the demo site, on SQLite and on PostgreSQL: `npm ci` when
//! `node_modules` is missing, a key from `bbn apikey add`, then `node --test`.
//! Without Node and npm the tests fail; they are in `with_node::`, which
//! `tools/test` skips (and reports as not run) where Node is missing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod support;

use bbn_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use support::{Server, bbn, temp_dir};

fn client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ghost-client")
}

fn works(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Fails the test, naming what is missing, unless Node can run the client.
fn require_node() {
    assert!(
        works("node") && works("npm"),
        "Node.js test not run: `node` and `npm` do not run (apt-get install nodejs npm), \
         or run the suite with tools/test, which skips with_node:: where they are \
         missing and reports those tests as NOT RUN"
    );
}

fn show(out: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Installs the pinned client once (the two backends' tests share the folder).
fn install_client() {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _once = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = client_dir();
    if dir.join("node_modules/@tryghost/content-api").is_dir() {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "npm ci failed\n{}", show(&out));
}

fn run_client(data_dir: &Path, extra: &[&str]) {
    let server = Server::start(data_dir, extra);
    let mut add = bbn();
    add.args([
        "apikey",
        "add",
        "--name",
        "Ghost client test",
        "--kind",
        "content",
        "--data-dir",
    ])
    .arg(data_dir)
    .args(extra);
    let out = add.output().unwrap();
    assert!(
        out.status.success(),
        "bbn apikey add failed\n{}",
        show(&out)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(key.len(), 26, "a content key is 26 hex characters: {key:?}");
    let out = Command::new("node")
        .arg("--test")
        .current_dir(client_dir())
        .env("BBN_URL", format!("http://127.0.0.1:{}", server.port))
        .env("BBN_KEY", &key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the official client's checks failed\n{}",
        show(&out)
    );
    // The same checks with the key revoked: the client is turned away.
    let out = bbn()
        .args(["apikey", "revoke", "1", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    let (status, body) = support::http_get(
        server.port,
        &format!("/ghost/api/content/settings/?key={key}"),
    )
    .unwrap();
    assert_eq!(status, 401, "{body}");
    assert!(server.terminate().success());
}

/// The tests that need Node and npm.
mod with_node {
    use super::*;

    #[test]
    fn official_client_reads_the_demo_site_on_sqlite() {
        require_node();
        install_client();
        run_client(&temp_dir("ghost-client"), &[]);
    }

    mod postgres {
        use super::*;

        #[tokio::test(flavor = "multi_thread")]
        async fn official_client_reads_the_demo_site_on_postgres() {
            require_node();
            let db = TestDb::postgres().await;
            install_client();
            let url = db.url.clone();
            tokio::task::spawn_blocking(move || {
                run_client(&temp_dir("ghost-client-pg"), &["--database-url", &url])
            })
            .await
            .unwrap();
        }
    }
}
