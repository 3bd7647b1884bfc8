//! `bbn apikey …` from the shell: content keys printed once and kept only
//! as hashes, staff tokens capped at their account's role, listing and
//! revoking.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::{ApiKeyKind, Store, api_key_hash};
use std::io::Write;
use std::process::{Output, Stdio};
use support::{bbn, temp_dir};

fn apikey(dir: &std::path::Path, args: &[&str]) -> Output {
    bbn()
        .arg("apikey")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn keys_are_added_listed_and_revoked_from_the_shell() {
    let dir = temp_dir("apikey");
    let out = apikey(&dir, &["add", "--name", "Static site", "--kind", "content"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let key = stdout.trim().to_string();
    assert_eq!(key.len(), 26);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    assert!(stderr.contains("shown once"), "{stderr}");

    let store = Store::open_sqlite(&dir.join("bbn.db")).await.unwrap();
    let found = store
        .api_key_for(&key, ApiKeyKind::Content)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "Static site");
    // The files are read by another process: opening and closing a
    // descriptor of the database here would drop every SQLite POSIX lock this
    // process holds (they are per process, not per descriptor), and a
    // connection the pool is still closing on its worker thread could then
    // take itself for the last one and delete the WAL under the next `bbn`
    // process (the likely cause of a staff key written, then not found, in
    // one CI run).
    store.close().await;
    for file in ["bbn.db", "bbn.db-wal"] {
        let found = std::process::Command::new("grep")
            .args(["-q", "-F", "--", &key])
            .arg(dir.join(file))
            .status()
            .unwrap();
        // grep: 0 found, 1 not found, 2 no such file (the WAL may be gone).
        assert_ne!(found.code(), Some(0), "only the hash is stored ({file})");
    }
    assert_eq!(api_key_hash(&key).len(), 64);

    // Staff tokens: for an account, at most its role.
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
            "--data-dir",
        ])
        .arg(&dir)
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
    let too_high = apikey(
        &dir,
        &[
            "add",
            "--name",
            "Bot",
            "--kind",
            "staff",
            "--user",
            "ed@example.com",
            "--role",
            "admin",
        ],
    );
    assert!(!too_high.status.success());
    assert!(
        text(&too_high)
            .1
            .contains("cannot do more than the account"),
        "{}",
        text(&too_high).1
    );
    let staff = apikey(
        &dir,
        &[
            "add",
            "--name",
            "Bot",
            "--kind",
            "staff",
            "--user",
            "ed@example.com",
            "--role",
            "author",
        ],
    );
    assert!(staff.status.success(), "{}", text(&staff).1);
    let token = text(&staff).0.trim().to_string();
    assert!(token.starts_with("bbn_") && token.len() == 68, "{token}");
    let store = Store::open_sqlite(&dir.join("bbn.db")).await.unwrap();
    let found = store
        .api_key_for(&token, ApiKeyKind::Staff)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.effective_role(), Some(bbn_core::Role::Author));
    assert!(
        store
            .api_key_for(&token, ApiKeyKind::Content)
            .await
            .unwrap()
            .is_none()
    );
    for bad in [
        vec!["add", "--name", "X", "--kind", "root"],
        vec!["add", "--name", "X", "--kind", "staff"],
        vec![
            "add",
            "--name",
            "X",
            "--kind",
            "staff",
            "--user",
            "nobody@example.com",
        ],
        vec!["add", "--name", "X", "--kind", "content", "--role", "admin"],
        vec!["add", "--name", "", "--kind", "content"],
    ] {
        let out = apikey(&dir, &bad);
        assert!(!out.status.success(), "{bad:?}");
        assert!(
            text(&out).1.starts_with("error: "),
            "{bad:?}: {}",
            text(&out).1
        );
    }

    let list = apikey(&dir, &["list"]);
    let (listed, _) = text(&list);
    assert!(listed.contains("Static site\tcontent\t…"), "{listed}");
    assert!(listed.contains(&format!("…{}", &key[22..])), "{listed}");
    assert!(listed.contains("Bot\tstaff for Ed as author"), "{listed}");
    assert!(
        !listed.contains(&key) && !listed.contains(&token),
        "never the keys themselves"
    );

    let out = apikey(&dir, &["revoke", "1"]);
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(
        store
            .api_key_for(&key, ApiKeyKind::Content)
            .await
            .unwrap()
            .is_none()
    );
    assert!(text(&apikey(&dir, &["list"])).0.contains("revoked"));
    let missing = apikey(&dir, &["revoke", "99"]);
    assert!(!missing.status.success());
    assert!(text(&missing).1.contains("there is no key 99"));
}
