//! `backup.json`: what a backup holds and each file's SHA-256. It is
//! written last, so a folder without one is a backup that did not finish.

use super::files::{self, Entry};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Component, Path};

pub const FILE: &str = "backup.json";
const FORMAT: &str = "bbn-backup";
/// The manifest's version; a restore refuses a newer one.
const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always "bbn-backup".
    pub format: String,
    pub version: u32,
    /// The bbn that made it.
    pub bbn_version: String,
    /// When the backup finished (RFC 3339, UTC).
    pub created_at: String,
    /// "sqlite" (`bbn.db`, a copy of the database file) or "postgres"
    /// (`database.dump`, pg_dump's custom format).
    pub backend: String,
    /// The database's schema version; a bbn older than it cannot restore it.
    pub schema_version: i64,
    /// The database's file among `files`.
    pub database: String,
    pub counts: Counts,
    /// Every file of the backup but this one, in name order.
    pub files: Vec<Entry>,
}

/// What the database copy holds, and how many media files came with it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Counts {
    pub articles: i64,
    pub comments: i64,
    pub media_records: i64,
    pub media_files: u64,
}

impl Manifest {
    pub fn new(
        backend: &str,
        database: &str,
        counts: bbn_store::SiteCounts,
        files: Vec<Entry>,
    ) -> Manifest {
        let media_files = files
            .iter()
            .filter(|f| f.path.starts_with("media/"))
            .count() as u64;
        Manifest {
            format: FORMAT.into(),
            version: VERSION,
            bbn_version: env!("CARGO_PKG_VERSION").into(),
            created_at: bbn_core::time::rfc3339_utc(bbn_core::time::now()),
            backend: backend.into(),
            schema_version: counts.schema_version,
            database: database.into(),
            counts: Counts {
                articles: counts.articles,
                comments: counts.comments,
                media_records: counts.media,
                media_files,
            },
            files,
        }
    }

    /// Writes `backup.json` under a temporary name, then renames it into place.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let partial = dir.join(format!(".{FILE}.partial"));
        let mut text = serde_json::to_vec_pretty(self)?;
        text.push(b'\n');
        let mut f = std::fs::File::create_new(&partial)?;
        std::io::Write::write_all(&mut f, &text)?;
        f.sync_all()?;
        std::fs::rename(&partial, dir.join(FILE))?;
        files::sync_dir(dir)?;
        Ok(())
    }

    /// Reads and checks a backup's manifest: ours, not newer than this bbn,
    /// naming only files inside the folder.
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(FILE);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{} has no {FILE}: it is not a backup made by bbn backup, or that backup did not finish",
                dir.display()
            ),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let head: serde_json::Value = serde_json::from_slice(&text)
            .with_context(|| format!("{} is damaged", path.display()))?;
        if head["format"] != FORMAT {
            bail!("{} is not a bbn backup manifest", path.display());
        }
        if head["version"]
            .as_u64()
            .is_none_or(|v| v > u64::from(VERSION))
        {
            bail!(
                "{} was written by a newer bbn (manifest version {}); restore it with that bbn",
                path.display(),
                head["version"]
            );
        }
        let m: Manifest = serde_json::from_value(head)
            .with_context(|| format!("{} is damaged", path.display()))?;
        for f in &m.files {
            if !inside(&f.path) {
                bail!(
                    "{} names a file outside the backup: {}",
                    path.display(),
                    f.path
                );
            }
        }
        if !m.files.iter().any(|f| f.path == m.database) {
            bail!(
                "{} does not list the database file {}",
                path.display(),
                m.database
            );
        }
        Ok(m)
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// A relative path of plain names.
fn inside(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Checks that `found` (size, SHA-256) is the file the manifest lists.
pub fn check(entry: &Entry, found: &(u64, String)) -> anyhow::Result<()> {
    if (entry.bytes, entry.sha256.as_str()) != (found.0, found.1.as_str()) {
        bail!(
            "{} does not match backup.json (the manifest says {} bytes with SHA-256 {}, the file has {} bytes with {}): \
             the backup is damaged or was changed",
            entry.path,
            entry.bytes,
            entry.sha256,
            found.0,
            found.1
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_only_files_inside() {
        assert!(super::inside("media/2026/01/a.jpg"));
        assert!(super::inside("bbn.db"));
        for bad in [
            "../etc/passwd",
            "/etc/passwd",
            "media/../../x",
            "",
            "a\\b",
            "./x",
        ] {
            assert!(!super::inside(bad), "{bad}");
        }
    }
}
