//! `/healthz`: 200 once the database answers, for load balancers and
//! orchestrators (the first line, `ok`), then this instance's page cache
//! counters for operators (`page_cache pages=… bytes=… budget=… hits=… misses=…`).

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn check(State(state): State<AppState>) -> (StatusCode, String) {
    match state.store.ping().await {
        Ok(()) => {
            let c = state.pages.stats();
            let body = format!(
                "ok\npage_cache pages={} bytes={} budget={} hits={} misses={}\n",
                c.pages, c.bytes, c.budget, c.hits, c.misses
            );
            (StatusCode::OK, body)
        }
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable\n".into(),
            )
        }
    }
}
