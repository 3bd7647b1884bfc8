//! Keeps the commands that replace or bulk-write a site (restore, import
//! json, import wordpress) off a site a server is using: a server goes on
//! answering from what it had open, so a site changed under it splits in
//! two (keys made after a restore refused, pages from deleted files).
//!
//! `bbn serve` holds a shared lock for as long as it runs: an operating
//! system file lock on `<data-dir>/serve.lock`, which the kernel drops when
//! the process ends however it ends, and on PostgreSQL an advisory lock on
//! the database too (instances with their own data folders share one
//! database). The commands try both locks alone and refuse at once when a
//! server holds either.

use crate::config::Config;
use anyhow::{Context, bail};
use bbn_store::{SiteLock, Store};
use std::fs::{File, TryLockError};

/// The file in the data folder that serving instances lock.
const LOCK_FILE: &str = "serve.lock";

/// Held by `bbn serve` for as long as it runs.
#[must_use = "the site is free again once this is dropped"]
pub struct Serving {
    _folder: File,
    database: SiteLock,
}

impl Serving {
    /// Lets go of the database's lock at once, so a restore started as the
    /// server stops finds the site free (the folder's goes with the process).
    pub async fn release(self) {
        if let Err(e) = self.database.release().await {
            tracing::warn!(error = %e, "could not let go of the database's serving lock");
        }
    }
}

/// Held by a command that replaces or bulk-writes the site, while it runs.
#[must_use = "the site is open to servers again once this is dropped"]
pub struct Replacing {
    _folder: File,
    _database: Option<(Store, SiteLock)>,
}

fn lock_file(config: &Config) -> anyhow::Result<File> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data folder {}", config.data_dir.display()))?;
    let path = config.data_dir.join(LOCK_FILE);
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Marks the site as served by this process, beside any other instances.
pub async fn serving(config: &Config, store: &Store) -> anyhow::Result<Serving> {
    let folder = lock_file(config)?;
    match folder.try_lock_shared() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => bail!(
            "a restore or import is changing {}; start the server when it is done",
            config.data_dir.display()
        ),
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| {
                format!("cannot lock {}", config.data_dir.join(LOCK_FILE).display())
            });
        }
    }
    let Some(database) = store
        .hold_serving_lock()
        .await
        .context("cannot mark the database as served")?
    else {
        bail!("a restore or import is changing the database; start the server when it is done")
    };
    Ok(Serving {
        _folder: folder,
        database,
    })
}

/// Takes the site for a command that replaces it; refuses, changing
/// nothing, while a server uses the data folder or the database.
pub async fn replacing(config: &Config) -> anyhow::Result<Replacing> {
    let folder = lock_file(config)?;
    match folder.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => bail!(
            "a bbn server is using {}; stop it first",
            config.data_dir.display()
        ),
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| {
                format!("cannot lock {}", config.data_dir.join(LOCK_FILE).display())
            });
        }
    }
    // SQLite lives in the data folder (its file lock covers it); only a
    // database elsewhere is asked.
    let database = match &config.database_url {
        Some(url) if !url.expose().starts_with("sqlite://") => {
            let store = crate::serve::connect_store(config).await?;
            match store
                .try_exclusive_site_lock()
                .await
                .context("cannot lock the database")?
            {
                Some(lock) => Some((store, lock)),
                None => {
                    store.close().await;
                    bail!(
                        "a bbn server is using the database {}; stop it first",
                        url.redacted()
                    )
                }
            }
        }
        _ => None,
    };
    Ok(Replacing {
        _folder: folder,
        _database: database,
    })
}
