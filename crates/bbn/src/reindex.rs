//! `bbn reindex`: the search index rebuilt from the database, with progress.

use crate::config::Config;
use anyhow::Context;
use std::io::Write;
use std::time::Instant;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = crate::serve::open_store(&config).await?;
    let dir = bbn_search::index_dir(&config.data_dir);
    let started = Instant::now();
    let search = bbn_search::Search::create(&dir, store.clone()).with_context(|| {
        format!(
            "cannot create the search index in {} (stop bbn serve first)",
            dir.display()
        )
    })?;
    let mut err = std::io::stderr();
    let n = search
        .rebuild(|done, total| {
            let width = 30;
            let filled = (done * width / total.max(1)) as usize;
            let _ = write!(
                err,
                "\r[{}{}] {done}/{total} articles",
                "#".repeat(filled),
                " ".repeat(width as usize - filled)
            );
            let _ = err.flush();
        })
        .await?;
    let _ = writeln!(err);
    drop(search);
    store.close().await;
    println!(
        "indexed {n} published articles in {:.1} s; the index takes {:.1} MB in {}",
        started.elapsed().as_secs_f64(),
        bbn_search::Search::size_on_disk(&dir) as f64 / 1_048_576.0,
        dir.display()
    );
    Ok(())
}
