//! The theme's static files under content-hashed names, cached for a year,
//! with validators for clients that ask again anyway.

use crate::AppState;
use crate::cache::http::client_has;
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn serve(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let asset = state.theme.asset(&name).ok_or(AppError::NotFound)?;
    let validators = [
        (
            header::ETAG,
            HeaderValue::from_str(&format!("\"{}\"", asset.etag))
                .unwrap_or(HeaderValue::from_static("\"0\"")),
        ),
        (
            header::LAST_MODIFIED,
            HeaderValue::from_str(&httpdate::fmt_http_date(asset.modified))
                .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT")),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
    ];
    if client_has(&headers, &asset.etag, asset.modified) {
        return Ok((StatusCode::NOT_MODIFIED, validators).into_response());
    }
    Ok((
        [(header::CONTENT_TYPE, asset.content_type)],
        validators,
        asset.bytes.clone(),
    )
        .into_response())
}
