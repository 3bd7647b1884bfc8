//! `bbn export` and `bbn import json` as an operator runs them: the demo
//! site moves from SQLite to PostgreSQL and back with the same bytes at
//! every step, serves after the move, and a bad file or a site that is not
//! empty is refused with a clear message.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::testing::TestDb;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use support::{PLANTED, Server, assert_planted_cleaned, bbn, http_get, temp_dir};

fn run(args: &[&str], dir: &Path, database: Option<&str>) -> Output {
    let mut c = bbn();
    c.args(args).arg("--data-dir").arg(dir);
    if let Some(url) = database {
        c.args(["--database-url", url]);
    }
    c.output().unwrap()
}

/// Runs a `bbn user` command with a password piped in.
fn with_password(args: &[&str], dir: &Path) {
    let mut child = bbn()
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough phrase\n")
        .unwrap();
    assert!(child.wait().unwrap().success(), "{args:?}");
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn err(out: &Output) -> String {
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The demo site, made the way an operator makes it, exported to a file:
/// its folder, the file and the file's bytes.
fn demo_export() -> (PathBuf, PathBuf, Vec<u8>) {
    let dir = temp_dir("export");
    // The demo site, made the way an operator makes it.
    Server::start(&dir, &[]).terminate();
    with_password(
        &[
            "user",
            "add",
            "--email",
            "ed@example.com",
            "--name",
            "Ed",
            "--role",
            "editor",
        ],
        &dir,
    );
    let file = dir.join("site.json");
    let file_arg = file.to_str().unwrap();
    let said = ok(&run(&["export", file_arg], &dir, None));
    assert!(
        said.starts_with("exported to ")
            && said.contains(", articles 36, ")
            && said.contains("Media files are not in it"),
        "{said}"
    );
    let exported = std::fs::read(&file).unwrap();
    (dir, file, exported)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_moves_between_backends_and_serves() {
    let (dir, file, exported) = demo_export();
    let file_arg = file.to_str().unwrap();
    assert!(
        !dir.join(".site.json.partial").exists(),
        "no half file is left"
    );
    // Standard output carries the same bytes.
    let piped = run(&["export", "-"], &dir, None);
    assert_eq!(piped.stdout, exported);

    // Into a new SQLite site.
    let copy = temp_dir("import");
    let said = ok(&run(&["import", "json", file_arg], &copy, None));
    assert!(
        said.starts_with("imported in ") && said.contains(", articles 36, "),
        "{said}"
    );
    assert!(
        said.contains("The 1 staff account(s) came without passwords")
            && said.contains("bbn user reset-password"),
        "{said}"
    );
    with_password(
        &["user", "reset-password", "--email", "ed@example.com"],
        &copy,
    );
    let again = copy.join("again.json");
    ok(&run(&["export", again.to_str().unwrap()], &copy, None));
    assert_eq!(std::fs::read(&again).unwrap(), exported, "byte for byte");

    // Once is enough: the site is not empty any more.
    let refused = err(&run(&["import", "json", file_arg], &copy, None));
    assert!(
        refused.starts_with("error: nothing was imported from ")
            && refused.contains("this site is not empty (it has "),
        "{refused}"
    );

    // A broken file says where it broke.
    let broken = dir.join("broken.json");
    std::fs::write(&broken, &exported[..exported.len() / 2]).unwrap();
    let empty = temp_dir("broken");
    let refused = err(&run(
        &["import", "json", broken.to_str().unwrap()],
        &empty,
        None,
    ));
    assert!(
        refused.contains("(the site is unchanged): line ") && refused.contains("EOF while parsing"),
        "{refused}"
    );

    // The imported site serves its articles and finds them.
    let server = Server::start(&copy, &[]);
    let (status, page) =
        http_get(server.port, "/news/foreign-ministers-meet-in-pyongyang").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("Pyongyang"), "the article is there");
    let (_, found) = http_get(server.port, "/search?q=pyongyang").unwrap();
    assert!(!found.contains("No articles match"), "and is searchable");
    server.terminate();

    for d in [dir, copy, empty] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// An export whose first page and first article carry `PLANTED` as their
/// stored HTML, as a hand-edited file would; with their addresses.
fn tampered_export(dir: &Path) -> (std::path::PathBuf, Vec<String>) {
    Server::start(dir, &[]).terminate();
    let file = dir.join("site.json");
    ok(&run(&["export", file.to_str().unwrap()], dir, None));
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut paths = Vec::new();
    for (list, prefix) in [("  \"pages\": [", "/"), ("  \"articles\": [", "/news/")] {
        let at = lines.iter().position(|l| l == list).unwrap() + 1;
        let record = &lines[at];
        // Records are one per line; the value is swapped in place, keeping the key order.
        let value_at = record.find("\"body_html\":").unwrap() + "\"body_html\":".len();
        let mut values =
            serde_json::Deserializer::from_str(&record[value_at..]).into_iter::<String>();
        values.next().unwrap().unwrap();
        let value_end = value_at + values.byte_offset();
        let slug_at = record.find("\"slug\":").unwrap() + "\"slug\":".len();
        let slug: String = serde_json::Deserializer::from_str(&record[slug_at..])
            .into_iter::<String>()
            .next()
            .unwrap()
            .unwrap();
        paths.push(format!("{prefix}{slug}"));
        lines[at] = format!(
            "{}{}{}",
            &record[..value_at],
            serde_json::to_string(PLANTED).unwrap(),
            &record[value_end..]
        );
    }
    let tampered = dir.join("tampered.json");
    std::fs::write(&tampered, lines.join("\n") + "\n").unwrap();
    (tampered, paths)
}

#[tokio::test(flavor = "multi_thread")]
async fn import_json_sanitizes_pages_and_articles() {
    let dir = temp_dir("tamper");
    let (tampered, paths) = tampered_export(&dir);
    let (page, article) = (&paths[0], &paths[1]);
    let copy = temp_dir("tamper-sqlite");
    ok(&run(
        &["import", "json", tampered.to_str().unwrap()],
        &copy,
        None,
    ));
    let server = Server::start(&copy, &[]);
    assert_planted_cleaned(server.port, page);
    assert_planted_cleaned(server.port, article);
    drop(server);
}

/// The same moves into and out of PostgreSQL.
mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_moves_into_postgres_and_out_again() {
        let (dir, file, exported) = demo_export();
        let file_arg = file.to_str().unwrap();
        let db = TestDb::postgres().await;
        let pg_dir = temp_dir("import-pg");
        let said = ok(&run(&["import", "json", file_arg], &pg_dir, Some(&db.url)));
        assert!(
            said.starts_with("imported in ") && said.contains(", articles 36, "),
            "{said}"
        );
        let from_pg = pg_dir.join("from-pg.json");
        ok(&run(
            &["export", from_pg.to_str().unwrap()],
            &pg_dir,
            Some(&db.url),
        ));
        assert_eq!(std::fs::read(&from_pg).unwrap(), exported);
        let server = Server::start(&pg_dir, &["--database-url", &db.url]);
        let (status, _) =
            http_get(server.port, "/news/foreign-ministers-meet-in-pyongyang").unwrap();
        assert_eq!(status, 200);
        server.terminate();
        std::fs::remove_dir_all(pg_dir).unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn import_json_sanitizes_pages_and_articles_on_postgres() {
        let dir = temp_dir("tamper");
        let (tampered, paths) = tampered_export(&dir);
        let (page, article) = (&paths[0], &paths[1]);
        let db = TestDb::postgres().await;
        let pg_dir = temp_dir("tamper-pg");
        ok(&run(
            &["import", "json", tampered.to_str().unwrap()],
            &pg_dir,
            Some(&db.url),
        ));
        let server = Server::start(&pg_dir, &["--database-url", &db.url]);
        assert_planted_cleaned(server.port, page);
        assert_planted_cleaned(server.port, article);
    }
}
