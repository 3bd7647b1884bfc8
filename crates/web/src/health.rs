//! `/healthz`: 200 once the database answers, for load balancers and orchestrators.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn check(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
