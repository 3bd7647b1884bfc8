//! bbn's HTTP side. `router` builds the whole site as one axum `Router`, so
//! the binary, the tests and the benchmarks all serve exactly the same app;
//! `serve` runs it on a listener until a shutdown signal, finishing
//! in-flight requests first, with limits on how clients hold connections.

mod api;
mod assets;
mod audit;
pub mod cache;
mod config;
mod error;
mod extract;
#[doc(hidden)]
pub mod fuzzing;
mod health;
pub mod media;
mod middleware;
mod newsroom;
mod panic;
pub mod readership;
mod router;
mod server;
mod signing;
mod site;
mod syndication;
mod theme;
mod views;

pub use config::{DEFAULT_MAX_UPLOAD, DEFAULT_PAGE_CACHE, WebConfig};
pub use error::AppError;
pub use extract::client::Proxies;
pub use router::router;

/// What `AppState::save_views` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedViews {
    /// Counts of views (one per article and hour) written.
    pub saved: usize,
    /// The Most Read rail is not what it was at the last save: the pages
    /// showing it were dropped (a CDN in front should be told).
    pub most_read_moved: bool,
}
pub use server::{
    DEFAULT_CONNECTIONS_PER_ADDRESS, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_WRITE_TIMEOUT, Limits, serve,
};
pub use theme::{Theme, ThemeError};

use bbn_store::Store;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub search: Arc<bbn_search::Search>,
    /// Article views gathered for "Most Read".
    pub views: Arc<readership::ViewCounter>,
    pub theme: Arc<Theme>,
    pub config: Arc<WebConfig>,
    /// Rendered reader pages, dropped as the change log says.
    pub pages: Arc<cache::PageCache>,
    shared: Arc<views::SharedPartsMemo>,
    /// The one-time link that creates the first admin, while there is no staff account.
    setup_token: Arc<std::sync::Mutex<Option<String>>>,
    sign_in_limiter: Arc<newsroom::limiter::SignInLimiter>,
    /// Requests per API token and per address, for the API's rate limits.
    api_limits: Arc<api::v1::RateLimits>,
    /// Held while an image crop is made (one at a time per instance).
    crop_slot: Arc<tokio::sync::Mutex<()>>,
    /// The queue every decoding, resizing and encoding of a picture waits in.
    images: media::ImageWork,
    /// Wakes the task that makes uploads' WebP and AVIF copies.
    pub variants: Arc<media::variants::VariantQueue>,
    /// The signing secret, read from the database once.
    secret: Arc<std::sync::OnceLock<String>>,
    /// The live editor's shared documents open on this instance.
    pub live: Arc<newsroom::live::LiveHubs>,
}

impl AppState {
    pub fn new(
        store: Store,
        search: Arc<bbn_search::Search>,
        theme: Arc<Theme>,
        config: WebConfig,
    ) -> AppState {
        let pages = Arc::new(cache::PageCache::new(
            config.page_cache_bytes,
            config.page_max_age,
            config.page_stale_seconds,
        ));
        AppState {
            store,
            search,
            views: Default::default(),
            theme,
            config: Arc::new(config),
            pages,
            shared: Default::default(),
            setup_token: Default::default(),
            sign_in_limiter: Default::default(),
            api_limits: Default::default(),
            crop_slot: Default::default(),
            images: Default::default(),
            variants: Default::default(),
            secret: Default::default(),
            live: Default::default(),
        }
    }

    /// Records a stored upload in the library and wakes the task that
    /// makes its WebP and AVIF copies.
    pub async fn record_media(
        &self,
        media: &bbn_store::NewMedia,
    ) -> Result<i64, bbn_store::StoreError> {
        let id = self.store.create_media(media).await?;
        self.variants.wake();
        Ok(id)
    }

    /// Gives a library item a new file (see `Store::replace_media_file`);
    /// its copies are made again.
    pub async fn replace_media_file(
        &self,
        id: i64,
        media: &bbn_store::NewMedia,
    ) -> Result<String, bbn_store::StoreError> {
        let old = self.store.replace_media_file(id, media).await?;
        self.variants.wake();
        Ok(old)
    }

    /// Starts the background task that makes images' WebP and AVIF copies
    /// (those waiting from before, then each upload's).
    pub fn spawn_image_copies(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(media::variants::run(self.clone(), self.variants.clone()))
    }

    /// When the site has no staff account yet, makes the one-time setup link
    /// and returns its path; `None` when someone can already sign in.
    pub async fn prepare_setup_link(&self) -> Result<Option<String>, bbn_store::StoreError> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let token = extract::session::random_token();
        if let Ok(mut slot) = self.setup_token.lock() {
            *slot = Some(token.clone());
        }
        Ok(Some(format!("/newsroom/setup/{token}")))
    }

    /// Saves the article views gathered since the last call, and drops the
    /// cached pages whose Most Read rail they changed (the rail moves with
    /// every instance's readers: each instance looks for itself).
    pub async fn save_views(&self) -> Result<SavedViews, bbn_store::StoreError> {
        let saved = self.flush_views().await?;
        let settings = self.store.settings().await?;
        let rail = views::most_read(&self.store, &settings).await?;
        let moved = self.views.rail_moved(rail.iter().map(|a| a.id).collect());
        if moved {
            // The shared parts first: a page made after the drop shows the new rail.
            self.shared.forget();
            self.pages
                .drop_pages(&cache::Drop::Tags(vec![cache::Tag::MostRead]));
        }
        Ok(SavedViews {
            saved,
            most_read_moved: moved,
        })
    }

    /// Saves the article views gathered since the last call, leaving the
    /// cached pages as they are.
    pub async fn flush_views(&self) -> Result<usize, bbn_store::StoreError> {
        self.views.flush(&self.store).await
    }

    fn setup_token(&self) -> Option<String> {
        self.setup_token.lock().ok().and_then(|t| t.clone())
    }

    fn clear_setup_token(&self) {
        if let Ok(mut slot) = self.setup_token.lock() {
            *slot = None;
        }
    }
}
