//! pg_dump and pg_restore, run against the configured database. The
//! password, if the URL has one, goes to them in `PGPASSWORD`, not on a
//! command line every user of the machine can list.

use crate::config::Secret;
use anyhow::{Context, bail};
use std::path::Path;
use std::process::{Command, Stdio};

/// The URL without its password, and the password (percent-decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let Some(at) = url[scheme_end..authority_end]
        .rfind('@')
        .map(|i| scheme_end + i)
    else {
        return (url.to_string(), None);
    };
    let Some(colon) = url[scheme_end..at].find(':').map(|i| scheme_end + i) else {
        return (url.to_string(), None);
    };
    let password = percent_decode(&url[colon + 1..at]);
    (format!("{}{}", &url[..colon], &url[at..]), Some(password))
}

/// `%XX` sequences decoded; bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn command(program: &str, url: &Secret) -> Command {
    let (url, password) = split_password(url.expose());
    let mut c = Command::new(program);
    if let Some(p) = password {
        c.env("PGPASSWORD", p);
    }
    c.arg(format!("--dbname={url}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Runs a PostgreSQL client program; a missing one is named with what to install.
fn run(mut c: Command, program: &str) -> anyhow::Result<()> {
    let out = match c.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{program} was not found: install PostgreSQL's client programs (of the server's version or newer, \
             e.g. the postgresql-client package) and put them on PATH"
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot run {program}")),
    };
    if !out.status.success() {
        bail!(
            "{program} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Dumps the database as it was in `snapshot` (pg_export_snapshot) into
/// `target`, in pg_dump's custom format.
pub fn dump(url: &Secret, snapshot: &str, target: &Path) -> anyhow::Result<()> {
    let mut c = command("pg_dump", url);
    c.args(["--format=custom", "--snapshot", snapshot, "--file"])
        .arg(target);
    run(c, "pg_dump")
}

/// Replaces the database's tables with the dump's, in one transaction.
pub fn restore(url: &Secret, dump: &Path) -> anyhow::Result<()> {
    let mut c = command("pg_restore", url);
    // --no-owner, --no-privileges: the database may belong to another role
    // than the one the backup was made from.
    c.args([
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
    ])
    .arg(dump);
    run(c, "pg_restore")
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn passwords_go_apart_from_the_url() {
        assert_eq!(
            split_password("postgres://bbn:s%40cret@db.example.com:5432/news?sslmode=require"),
            (
                "postgres://bbn@db.example.com:5432/news?sslmode=require".into(),
                Some("s@cret".into())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1/x"),
            ("postgres://postgres@127.0.0.1/x".into(), None)
        );
        assert_eq!(
            split_password("postgres://127.0.0.1/x?user=a@b"),
            ("postgres://127.0.0.1/x?user=a@b".into(), None)
        );
    }
}
