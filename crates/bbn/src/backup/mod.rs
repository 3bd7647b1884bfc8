//! `bbn backup DIR` and `bbn restore DIR`.
//!
//! A backup copies a live site — bbn serve keeps serving and writing — in
//! an order that keeps it whole: first the database, as one consistent
//! moment (SQLite's `VACUUM INTO`; on PostgreSQL `pg_dump` of an exported
//! snapshot), then the media folder. An upload writes its files before its
//! row, so every file the copied database names was on disk before the
//! media copy began. `backup.json` comes last, with a SHA-256 per file: a
//! folder without it is a backup that did not finish.
//!
//! A restore (with bbn serve stopped) checks every file against the
//! manifest before it replaces anything, puts the database and media back,
//! drops the search index so that bbn serve rebuilds it, and migrates an
//! older backup to this bbn's schema.

mod files;
mod manifest;
mod pg_dump;

use crate::config::Config;
use anyhow::{Context, bail};
use files::Entry;
use manifest::Manifest;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The database file of a SQLite backup and of a PostgreSQL one.
const SQLITE_FILE: &str = "bbn.db";
const DUMP_FILE: &str = "database.dump";

/// The backup folder: created, or an existing empty folder.
fn prepare(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} is not empty: back up into a new or empty folder",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
        }
        Err(e) => Err(e).with_context(|| format!("cannot use {} for a backup", dir.display())),
    }
}

/// Where the site's SQLite file is, or None for PostgreSQL.
fn sqlite_file(config: &Config) -> Option<PathBuf> {
    match &config.database_url {
        None => Some(config.data_dir.join("bbn.db")),
        Some(url) => url.expose().strip_prefix("sqlite://").map(PathBuf::from),
    }
}

fn megabytes(files: &[Entry]) -> f64 {
    files.iter().map(|f| f.bytes).sum::<u64>() as f64 / 1_048_576.0
}

pub async fn backup(config: Config, dir: &Path) -> anyhow::Result<()> {
    if let Some(db) = sqlite_file(&config)
        && !db.is_file()
    {
        bail!(
            "there is no site to back up: {} does not exist",
            db.display()
        );
    }
    prepare(dir)?;
    let result = write_backup(&config, dir).await;
    if result.is_err() {
        // The folder was empty before: what is in it now is this attempt's.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let path = e.path();
                let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
            }
        }
    }
    result
}

async fn write_backup(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = crate::serve::connect_store(config).await?;
    let (backend, database, counts) = match (&config.database_url, sqlite_file(config)) {
        (_, Some(_)) => {
            let counts = store
                .copy_sqlite_into(&dir.join(SQLITE_FILE))
                .await
                .context("cannot copy the database")?;
            ("sqlite", SQLITE_FILE, counts)
        }
        (Some(url), None) => {
            let (url, target) = (url.clone(), dir.join(DUMP_FILE));
            let (dumped, counts) = store
                .during_exported_snapshot(|snapshot| async move {
                    tokio::task::spawn_blocking(move || pg_dump::dump(&url, &snapshot, &target))
                        .await
                })
                .await
                .context("cannot hold a snapshot of the database")?;
            dumped??;
            ("postgres", DUMP_FILE, counts)
        }
        (None, None) => bail!("no database is configured"),
    };
    store.close().await;
    let database_seconds = started.elapsed().as_secs_f64();
    let (bytes, sha256) = files::digest(&dir.join(database))?;
    let mut listed = vec![Entry {
        path: database.into(),
        bytes,
        sha256,
    }];
    let (from, to) = (config.data_dir.join("media"), dir.join("media"));
    listed.extend(
        tokio::task::spawn_blocking(move || files::copy_tree(&from, &to, "media"))
            .await?
            .context("cannot copy the media folder")?,
    );
    let manifest = Manifest::new(backend, database, counts, listed);
    manifest.write(dir)?;
    let c = &manifest.counts;
    println!(
        "backed up {} articles, {} comments and {} media files ({:.1} MB, schema {}) into {} in {:.2} s \
         (the database took {database_seconds:.2} s).",
        c.articles,
        c.comments,
        c.media_files,
        megabytes(&manifest.files),
        manifest.schema_version,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn restore(config: Config, dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let manifest = Manifest::read(dir)?;
    if manifest.schema_version > bbn_store::SCHEMA_VERSION {
        bail!(
            "this backup's database is at schema version {}, newer than this bbn knows ({}): restore it with a newer bbn",
            manifest.schema_version,
            bbn_store::SCHEMA_VERSION
        );
    }
    let target = sqlite_file(&config);
    match (manifest.backend.as_str(), &target) {
        ("sqlite", Some(_)) | ("postgres", None) => {}
        (made, _) => bail!(
            "this is a backup of a {made} site and the site configured here is on {}: restore it onto the same \
             backend (bbn export and bbn import json move a site between backends)",
            if target.is_some() {
                "SQLite"
            } else {
                "PostgreSQL"
            }
        ),
    }
    // Held to the end: a server started meanwhile waits for the whole site.
    let _site = crate::site_lock::replacing(&config).await?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    // A media folder that is a link to shared storage stays one: the files
    // go where it points.
    let media = config.data_dir.join("media");
    let media = std::fs::canonicalize(&media).unwrap_or(media);
    let staged = tokio::task::spawn_blocking({
        let (dir, media, manifest, target) = (
            dir.to_path_buf(),
            media.clone(),
            manifest.clone(),
            target.clone(),
        );
        move || stage(&dir, &media, &manifest, target.as_deref())
    })
    .await??;
    // Everything checked: from here on the site is replaced.
    match (&target, &config.database_url) {
        (Some(db), _) => {
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut side = db.clone().into_os_string();
                side.push(suffix);
                remove_file_if_there(Path::new(&side))?;
            }
            std::fs::rename(&staged.database, db)
                .with_context(|| format!("cannot put the database in place at {}", db.display()))?;
        }
        (None, Some(url)) => {
            let (url, dump) = (url.clone(), staged.database.clone());
            tokio::task::spawn_blocking(move || pg_dump::restore(&url, &dump)).await??;
        }
        (None, None) => bail!("no database is configured"),
    }
    let replaced = beside(&media, "before-restore");
    remove_dir_if_there(&replaced)?;
    if media.exists() {
        std::fs::rename(&media, &replaced)?;
    }
    std::fs::rename(&staged.media, &media)?;
    remove_dir_if_there(&replaced)?;
    remove_dir_if_there(&bbn_search::index_dir(&config.data_dir))?;
    let store = crate::serve::open_store(&config).await?;
    // A backup is a database from a file anyone could have edited: every
    // body in it is cleaned again, whatever version it says cleaned it.
    store.distrust_bodies().await?;
    store.sanitize_stale_bodies().await?;
    let counts = store.site_counts().await?;
    store.close().await;
    println!(
        "restored the backup of {} ({} articles, {} comments, {} media files) in {:.2} s; \
         the database is at schema version {}. bbn serve rebuilds the search index when it starts.",
        manifest.created_at,
        counts.articles,
        counts.comments,
        manifest.counts.media_files,
        started.elapsed().as_secs_f64(),
        counts.schema_version
    );
    Ok(())
}

/// What a restore puts in place once every file has been checked.
struct Staged {
    /// SQLite: the database's copy beside the live file; PostgreSQL: the dump in the backup.
    database: PathBuf,
    /// The media folder's copy beside the media folder.
    media: PathBuf,
}

/// Copies the backup's files next to where they go, checking each against
/// the manifest; a file that does not match stops the restore before
/// anything of the site has changed.
fn stage(
    dir: &Path,
    media_target: &Path,
    m: &Manifest,
    sqlite_target: Option<&Path>,
) -> anyhow::Result<Staged> {
    let media = beside(media_target, "restoring");
    remove_dir_if_there(&media)?;
    let result = (|| {
        let database_entry = m
            .entry(&m.database)
            .context("backup.json lists no database")?;
        let database = match sqlite_target {
            Some(target) => {
                let staged = beside(target, "restoring");
                remove_file_if_there(&staged)?;
                let copied = files::copy(&dir.join(&m.database), &staged)
                    .with_context(|| format!("cannot read {}", m.database))?;
                manifest::check(database_entry, &copied)?;
                staged
            }
            None => {
                let dump = dir.join(&m.database);
                let found =
                    files::digest(&dump).with_context(|| format!("cannot read {}", m.database))?;
                manifest::check(database_entry, &found)?;
                dump
            }
        };
        std::fs::create_dir_all(&media)?;
        for f in m.files.iter().filter(|f| f.path != m.database) {
            let Some(rel) = f.path.strip_prefix("media/") else {
                continue;
            };
            let to = media.join(rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let copied = files::copy(&dir.join(&f.path), &to)
                .with_context(|| format!("cannot read {}", f.path))?;
            manifest::check(f, &copied)?;
        }
        anyhow::Ok(database)
    })();
    match result {
        Ok(database) => Ok(Staged { database, media }),
        Err(e) => {
            let _ = remove_dir_if_there(&media);
            if let Some(t) = sqlite_target {
                let _ = remove_file_if_there(&beside(t, "restoring"));
            }
            Err(e.context("nothing was restored"))
        }
    }
}

/// `.NAME-what` in the same folder as `path` (the same file system, so a
/// rename puts it in place): where a restored file or folder waits.
fn beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "restore".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}-{what}"))
}

fn remove_file_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn remove_dir_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}
