//! bbn's HTTP side. `router` builds the whole site as one axum `Router`, so
//! the binary, the tests and the benchmarks all serve exactly the same app;
//! `serve` runs it on a listener until a shutdown signal, finishing
//! in-flight requests first.

mod assets;
mod config;
mod error;
mod extract;
mod health;
mod middleware;
mod router;
mod site;
mod theme;
mod views;

pub use config::WebConfig;
pub use error::AppError;
pub use router::router;
pub use theme::{Theme, ThemeError};

use bbn_store::Store;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub theme: Arc<Theme>,
    pub config: Arc<WebConfig>,
    shared: Arc<views::SharedPartsMemo>,
}

impl AppState {
    pub fn new(store: Store, theme: Arc<Theme>, config: WebConfig) -> AppState {
        AppState {
            store,
            theme,
            config: Arc::new(config),
            shared: Default::default(),
        }
    }
}

/// Serves the site on `listener` until `shutdown` resolves, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
