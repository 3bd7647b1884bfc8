//! `bbn serve`: open the site's database, bring it up to date, and serve it
//! until SIGINT or SIGTERM, then finish in-flight requests and exit 0.

use crate::config::Config;
use anyhow::{Context, anyhow};
use bbn_store::Store;
use bbn_web::{AppState, Theme, WebConfig};

/// Opens the site named by the configuration, migrated and ready.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = connect_store(config).await?;
    store
        .migrate()
        .await
        .context("cannot prepare the database")?;
    Ok(store)
}

/// Opens the site named by the configuration as it is, without migrating
/// it (`bbn backup` copies a database another bbn may be serving).
pub async fn connect_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data folder {}", config.data_dir.display()))?;
    let probe = config.data_dir.join(".bbn-write-test");
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("data folder {} is not writable", config.data_dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    let store = match &config.database_url {
        Some(url) => {
            tokio::time::timeout(bbn_store::CONNECT_TIMEOUT * 2, Store::connect(url.expose()))
                .await
                .map_err(|_| anyhow!("timed out"))
                .and_then(|r| r.map_err(anyhow::Error::from))
                .with_context(|| format!("cannot reach the database at {}", url.redacted()))?
        }
        None => {
            let path = config.data_dir.join("bbn.db");
            Store::open_sqlite(&path)
                .await
                .with_context(|| format!("cannot open the SQLite database {}", path.display()))?
        }
    };
    Ok(store)
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = connect_store(&config).await?;
    // Before migrating: a restore or import under way has the site alone.
    let serving = crate::site_lock::serving(&config, &store).await?;
    store
        .migrate()
        .await
        .context("cannot prepare the database")?;
    if store.is_new_site().await? {
        if config.demo {
            let n = crate::demo::load(&store)
                .await
                .context("cannot load the demo content")?;
            tracing::info!(articles = n, "new database: filled it with the demo site");
        } else {
            store
                .save_settings(&bbn_core::SiteSettings::default())
                .await?;
            tracing::info!("new database: starting with an empty site");
        }
    }
    // Bodies cleaned by an older sanitizer (or none) are cleaned again in
    // the background; until then each is cleaned as it is read.
    tokio::spawn({
        let store = store.clone();
        async move {
            match store.sanitize_stale_bodies().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(bodies = n, "bodies cleaned by the current sanitizer"),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot clean stored bodies again; reads clean them")
                }
            }
            // Which articles use which media item, for articles written
            // before the library kept it or brought in by an import.
            match store.index_media_uses().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(articles = n, "media uses read from article bodies"),
                Err(e) => tracing::warn!(error = %e, "cannot read media uses from article bodies"),
            }
        }
    });
    let theme = Theme::load(config.theme.as_deref()).context("cannot load the theme")?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let index_dir = bbn_search::index_dir(&config.data_dir);
    let search = bbn_search::Search::open(&index_dir, store.clone())
        .await
        .with_context(|| {
            format!(
                "cannot open the search index in {} (is another bbn serving from this data folder?)",
                index_dir.display()
            )
        })?;
    tracing::info!(articles = search.len(), "search index ready");
    let follower = tokio::spawn(search.clone().follow(std::time::Duration::from_millis(500)));
    let state = AppState::new(
        store.clone(),
        search,
        theme,
        WebConfig {
            max_image_megapixels: config.max_image_megapixels,
            comments_per_address: config.comments_per_address,
            comments_per_article: config.comments_per_article,
            comment_min_seconds: config.comment_min_seconds,
            api_token_per_minute: config.api_token_per_minute,
            trusted_proxies: config.trusted_proxies.clone(),
            page_cache_bytes: config.page_cache_bytes,
            page_max_age: config.page_max_age,
            page_stale_seconds: config.page_stale_seconds,
            webhook_allow_private: config.webhook_allow_private,
            ..WebConfig::new(&config.base_url)
                .with_media(config.data_dir.join("media"), config.max_upload_bytes)
        },
    );
    if let Some(path) = state.prepare_setup_link().await? {
        tracing::warn!(
            "no staff account yet: create the first admin at {}{path}",
            config.base_url
        );
    }
    tracing::info!(address = %config.listen, base_url = %config.base_url, "bbn is serving; open {}/", config.base_url);
    // Live editing with editors on other instances (PostgreSQL).
    let live = tokio::spawn(state.live.clone().follow(store.clone()));
    let image_copies = state.spawn_image_copies();
    // The page cache follows the change log for writes made by other
    // instances (this instance's own writes it applies before serving).
    let pages = state.pages.enabled().then(|| {
        tokio::spawn(state.pages.clone().follow(
            store.clone(),
            std::time::Duration::from_millis(250),
            None,
        ))
    });
    let purge = match &config.purge_url {
        Some(url) => Some(
            crate::purge::spawn(
                store.clone(),
                crate::purge::Hook {
                    url: url.clone(),
                    token: config.purge_token.clone(),
                },
            )
            .context("cannot start the purge hook")?,
        ),
        None => None,
    };
    let scheduler = crate::scheduler::spawn(store.clone());
    let webhooks = crate::webhooks::spawn(
        store.clone(),
        crate::webhooks::Settings {
            allow_private: config.webhook_allow_private,
            ..crate::webhooks::Settings::new(&config.base_url, config.webhook_timeout)
        },
    )
    .context("cannot start sending webhooks")?;
    let stop_flusher = std::sync::Arc::new(tokio::sync::Notify::new());
    let flusher = {
        let (state, stop) = (state.clone(), stop_flusher.clone());
        let purge = purge.as_ref().map(|p| p.others.clone());
        tokio::spawn(async move {
            // Views are saved every 5 s; the pages showing Most Read are
            // redone when it moved, at most once a minute (each time drops
            // every article page, so not at every view).
            let mut round: u64 = 0;
            loop {
                let last = tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => false,
                    _ = stop.notified() => true,
                };
                round += 1;
                let saved = if round.is_multiple_of(12) {
                    state.save_views().await.map(|saved| {
                        if saved.most_read_moved
                            && let Some(purge) = &purge
                        {
                            purge.most_read_moved();
                        }
                    })
                } else {
                    state.flush_views().await.map(drop)
                };
                if let Err(e) = saved {
                    tracing::warn!(error = %e, "could not save article views; will retry");
                }
                if last {
                    break;
                }
            }
        })
    };
    bbn_web::serve(listener, state, config.limits, shutdown_signal())
        .await
        .context("the server stopped")?;
    // The last views are saved before the database closes.
    stop_flusher.notify_one();
    let _ = flusher.await;
    scheduler.abort();
    for task in [pages, purge.map(|p| p.task)].into_iter().flatten() {
        task.abort();
    }
    webhooks.stop().await;
    follower.abort();
    live.abort();
    image_copies.abort();
    serving.release().await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
