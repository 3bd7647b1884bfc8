//! `bbn user …` from the shell, and the setup link a new site prints.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_core::{Role, password};
use bbn_store::Store;
use std::io::{BufRead, BufReader, Write};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use support::{bbn, free_port, temp_dir};

fn user_command(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = bbn()
        .arg("user")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn open(dir: &std::path::Path) -> Store {
    Store::open_sqlite(&dir.join("bbn.db")).await.unwrap()
}

#[tokio::test]
async fn users_are_added_and_reset_from_the_shell() {
    let dir = temp_dir("user");
    let out = user_command(
        &dir,
        &[
            "add",
            "--email",
            "Ed@Example.com",
            "--name",
            "Ed Itor",
            "--role",
            "editor",
        ],
        "a long enough phrase\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Created editor account for Ed@Example.com")
    );
    let store = open(&dir).await;
    let (user, hash) = store
        .user_for_sign_in("ed@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::Editor);
    assert!(password::verify("a long enough phrase", &hash.unwrap()));

    let dup = user_command(
        &dir,
        &[
            "add",
            "--email",
            "ed@example.com",
            "--name",
            "Other",
            "--role",
            "author",
        ],
        "another long phrase\n",
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("exists already"));
    let role = user_command(
        &dir,
        &[
            "add",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "boss",
        ],
        "another long phrase\n",
    );
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
    let weak = user_command(
        &dir,
        &["add", "--email", "y@example.com", "--name", "Y"],
        "short\n",
    );
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password refused"));
    assert!(
        store
            .user_for_sign_in("y@example.com")
            .await
            .unwrap()
            .is_none()
    );

    let reset = user_command(
        &dir,
        &["reset-password", "--email", "ED@example.com"],
        "a brand new phrase\n",
    );
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    let (_, hash) = store
        .user_for_sign_in("ed@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(password::verify("a brand new phrase", &hash.unwrap()));
    let missing = user_command(
        &dir,
        &["reset-password", "--email", "nobody@example.com"],
        "a brand new phrase\n",
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no account has the email"));
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_new_site_prints_its_setup_link() {
    let dir = temp_dir("setup-link");
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
    let stderr = child.stderr.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut link = None;
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(i) = line.find("/newsroom/setup/") {
            link = Some(line[i..].split_whitespace().next().unwrap().to_string());
            break;
        }
        assert!(Instant::now() < deadline);
    }
    // Keep reading the log so the server never writes into a closed pipe.
    let rest =
        std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    let link = link.expect("the log names the setup link");
    // The link is logged as the server starts; give it a moment to answer.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (status, body) = loop {
        if let Some(answer) = support::http_get(port, &link) {
            break answer;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "the setup link {link} on port {port} does not answer; log:\n{}",
                rest.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status, 200);
    assert!(body.contains("Create the first admin"));
    assert_eq!(
        support::http_get(port, "/newsroom/setup/not-the-token")
            .unwrap()
            .0,
        404
    );
    let _ = child.kill();
    let _ = child.wait();
    std::fs::remove_dir_all(dir).unwrap();
}
