//! The commands that replace or bulk-write a site (`bbn restore`, `bbn
//! import json`, `bbn import wordpress`) refuse, with one line and changing
//! nothing, while a `bbn serve` uses its data folder or its database, and
//! work once the server has stopped. On PostgreSQL they are also refused
//! from another data folder, since instances share one database.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::Store;
use bbn_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{Server, bbn, http_get, temp_dir};

/// A site: its data folder and, on PostgreSQL, its database.
struct Site {
    dir: PathBuf,
    database: Option<String>,
}

impl Site {
    fn new(tag: &str, db: Option<&TestDb>) -> Site {
        Site {
            dir: temp_dir(tag),
            database: db.map(|db| db.url.clone()),
        }
    }

    /// Runs a bbn command on this site.
    fn run(&self, command: &[&str], file: &Path) -> Output {
        let mut c = bbn();
        c.args(command).arg(file).arg("--data-dir").arg(&self.dir);
        if let Some(url) = &self.database {
            c.args(["--database-url", url]);
        }
        c.output().unwrap()
    }

    fn serve(&self) -> Server {
        let mut extra = vec!["--no-demo"];
        if let Some(url) = &self.database {
            extra.extend(["--database-url", url.as_str()]);
        }
        Server::start(&self.dir, &extra)
    }

    /// Articles in the site's database, read afresh (a restore replaces
    /// the SQLite file: a store kept open would go on reading the old one).
    async fn articles(&self) -> i64 {
        let store = match &self.database {
            Some(url) => Store::connect(url).await.unwrap(),
            None => Store::open_sqlite(&self.dir.join("bbn.db")).await.unwrap(),
        };
        let n = store.site_counts().await.unwrap().articles;
        store.close().await;
        n
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wxr/tests/fixtures/full.xml")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "the command failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The command failed with exactly the one line that names what is in use.
fn refused(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a command ran on a live site:\n{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stderr.trim_end(),
        format!("error: a bbn server is using {what}; stop it first"),
        "not the one clear line"
    );
}

/// `live` is served; `other`, when given, is another data folder on the
/// same database, from which the commands are tried too.
async fn replacing_a_live_site_is_refused(source: Site, live: Site, other: Option<Site>) {
    // What the commands would put in: a site made from a WordPress export,
    // exported and backed up.
    let wxr = fixture();
    ok(&source.run(&["import", "wordpress"], &wxr));
    let made = source.articles().await;
    assert!(made > 0);
    let export = source.dir.join("site.json");
    ok(&source.run(&["export"], &export));
    let backup = temp_dir("live-backup").join("bk");
    ok(&source.run(&["backup"], &backup));

    let server = live.serve();
    let port = server.port;
    let commands: [(&[&str], &Path); 3] = [
        (&["restore"], &backup),
        (&["import", "json"], &export),
        (&["import", "wordpress"], &wxr),
    ];
    for (command, file) in commands {
        refused(&live.run(command, file), &live.dir.display().to_string());
        if let Some(other) = &other {
            let url = other.database.as_deref().unwrap();
            refused(&other.run(command, file), &format!("the database {url}"));
        }
    }
    // The served site is as it was, and still served.
    assert_eq!(
        live.articles().await,
        0,
        "a refused command changed the site"
    );
    assert_eq!(http_get(port, "/healthz").map(|(s, _)| s), Some(200));
    assert!(server.terminate().success());

    // With the server gone, each works.
    ok(&live.run(&["import", "json"], &export));
    assert_eq!(live.articles().await, made);
    ok(&live.run(&["restore"], &backup));
    assert_eq!(live.articles().await, made);
    ok(&live.run(&["import", "wordpress"], &wxr));
    assert_eq!(live.articles().await, made);
    for site in [Some(source), Some(live), other].into_iter().flatten() {
        let _ = std::fs::remove_dir_all(site.dir);
    }
    let _ = std::fs::remove_dir_all(backup.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn replacing_a_live_sqlite_site_is_refused() {
    replacing_a_live_site_is_refused(Site::new("source", None), Site::new("live", None), None)
        .await;
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn replacing_a_live_postgres_site_is_refused() {
        let source = TestDb::postgres().await;
        let live = TestDb::postgres().await;
        replacing_a_live_site_is_refused(
            Site::new("source-pg", Some(&source)),
            Site::new("live-pg", Some(&live)),
            Some(Site::new("other-pg", Some(&live))),
        )
        .await;
    }
}
