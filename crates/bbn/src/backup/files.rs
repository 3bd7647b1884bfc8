//! Copying files with their SHA-256, each synced to disk before a manifest
//! names it.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// A file as a backup's manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Relative to the backup folder, with `/` between names.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads `from` once, writing it to `to` when given; returns size and SHA-256.
fn pass(from: &Path, mut to: Option<&mut File>) -> io::Result<(u64, String)> {
    let mut src = File::open(from)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 20];
    let mut bytes = 0;
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(to) = to.as_mut() {
            to.write_all(&buf[..n])?;
        }
        bytes += n as u64;
    }
    Ok((bytes, hex(&hasher.finalize())))
}

/// Size and SHA-256 of a file.
pub fn digest(path: &Path) -> io::Result<(u64, String)> {
    pass(path, None)
}

/// Copies `from` to the new file `to`, synced; returns size and SHA-256.
pub fn copy(from: &Path, to: &Path) -> io::Result<(u64, String)> {
    let mut out = File::create_new(to)?;
    let done = pass(from, Some(&mut out))?;
    out.sync_all()?;
    Ok(done)
}

/// Makes a folder's new entries durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A crop being cut right now (`name-crop-16x9.tmp1234`): renamed into
/// place when done, and never named by the database.
fn half_written(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        ext.strip_prefix("tmp")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Copies every file under `from` into the new folder `to`, listing each as
/// `prefix/…`, in name order. Files that go while the copy runs are left
/// out, and so are crops half written and anything that is not a plain file.
pub fn copy_tree(from: &Path, to: &Path, prefix: &str) -> io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    std::fs::create_dir_all(to)?;
    if from.is_dir() {
        walk(from, to, prefix, &mut out)?;
    }
    Ok(out)
}

fn walk(from: &Path, to: &Path, prefix: &str, out: &mut Vec<Entry>) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            tracing::warn!(path = %e.path().display(), "left out of the backup: the name is not UTF-8");
            continue;
        };
        let kind = e.file_type()?;
        let rel = format!("{prefix}/{name}");
        if kind.is_dir() {
            std::fs::create_dir(to.join(&name))?;
            walk(&e.path(), &to.join(&name), &rel, out)?;
        } else if kind.is_file() && !half_written(&name) {
            match copy(&e.path(), &to.join(&name)) {
                Ok((bytes, sha256)) => out.push(Entry {
                    path: rel,
                    bytes,
                    sha256,
                }),
                // Deleted since the folder was listed.
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
    }
    sync_dir(to)
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_half_written_crops() {
        assert!(super::half_written("ab12-crop-16x9.tmp123"));
        assert!(!super::half_written("ab12-crop-16x9.jpg"));
        assert!(!super::half_written("ab12.tmpl"));
    }
}
