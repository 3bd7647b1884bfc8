//! `bbn export FILE` and `bbn import json FILE`: the whole site as one JSON
//! document (docs/export-format.md), for moving it to another server or
//! from SQLite to PostgreSQL and back. Media files are not in it: they
//! travel as the data folder's `media/`.

use crate::config::Config;
use anyhow::Context;
use bbn_store::transfer::Counts;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

/// "authors 54, users 1, …, articles 36, …": what a file holds, in the
/// file's order, without the empty kinds and the two one-row tables.
fn summary(counts: &Counts) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(key, n)| *n > 0 && !matches!(*key, "site_settings" | "spam_corpus"))
        .map(|(key, n)| format!("{key} {n}"))
        .collect();
    if parts.is_empty() {
        "an empty site".into()
    } else {
        parts.join(", ")
    }
}

fn count(counts: &Counts, key: &str) -> u64 {
    counts
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(0, |(_, n)| *n)
}

pub async fn export(config: Config, file: &Path) -> anyhow::Result<()> {
    let store = crate::serve::open_store(&config).await?;
    let started = Instant::now();
    let result = if file == Path::new("-") {
        let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout());
        store
            .export_site(&mut out)
            .await
            .context("the export stopped")
    } else {
        export_to_file(&store, file).await
    };
    store.close().await;
    let counts = result?;
    let seconds = started.elapsed().as_secs_f64();
    if file == Path::new("-") {
        eprintln!("exported in {seconds:.2} s: {}", summary(&counts));
    } else {
        let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        println!(
            "exported to {} ({:.1} MB) in {seconds:.2} s: {}.\nMedia files are not in it: copy {} along with it.",
            file.display(),
            bytes as f64 / 1_048_576.0,
            summary(&counts),
            config.data_dir.join("media").display()
        );
    }
    Ok(())
}

/// Writes beside the target and renames at the end, so a failed export
/// never leaves a half file under the name asked for.
async fn export_to_file(store: &bbn_store::Store, file: &Path) -> anyhow::Result<Counts> {
    let name = file
        .file_name()
        .with_context(|| format!("{} is not a file name", file.display()))?;
    let partial = file.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let out =
        File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let written = store.export_site(&mut out).await;
    let finished = written.map_err(anyhow::Error::from).and_then(|counts| {
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(counts)
    });
    match finished {
        Ok(counts) => {
            std::fs::rename(&partial, file)
                .with_context(|| format!("cannot write {}", file.display()))?;
            Ok(counts)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e.context("the export stopped"))
        }
    }
}

pub async fn import(config: Config, file: &Path) -> anyhow::Result<()> {
    let input: Box<dyn Read + Send> = if file == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(file).with_context(|| format!("cannot read {}", file.display()))?)
    };
    let _site = crate::site_lock::replacing(&config).await?;
    let store = crate::serve::open_store(&config).await?;
    let started = Instant::now();
    let result = store.import_site(input).await;
    // Bodies arrive as the file has them; they are cleaned before anyone reads them.
    let cleaned = match result {
        Ok(_) => store.sanitize_stale_bodies().await.map(|_| ()),
        Err(_) => Ok(()),
    };
    store.close().await;
    let counts = result.with_context(|| {
        format!(
            "nothing was imported from {} (the site is unchanged)",
            file.display()
        )
    })?;
    cleaned.context(
        "the site was imported but its bodies could not be cleaned yet (reads clean them, and bbn serve does at start)",
    )?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "imported in {:.2} s: {}.",
        started.elapsed().as_secs_f64(),
        summary(&counts)
    )?;
    let staff = count(&counts, "users");
    if staff > 0 {
        writeln!(
            out,
            "The {staff} staff account(s) came without passwords (exports never carry them): \
             give each one a password with `bbn user reset-password --email …`, or have an \
             admin who has one do it in the newsroom."
        )?;
    }
    if count(&counts, "media") > 0 {
        writeln!(
            out,
            "Copy the old site's media folder to {} so that its images show.",
            config.data_dir.join("media").display()
        )?;
    }
    writeln!(
        out,
        "bbn serve builds the search index for the imported articles when it starts."
    )?;
    Ok(())
}
