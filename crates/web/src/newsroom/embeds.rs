//! `GET /newsroom/embed?url=…`: whether an address makes an embed, for the
//! rich editor (a pasted address, the Embed dialog). The answer comes from
//! `bbn_core::embed` alone; nothing is fetched.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Asked {
    #[serde(default)]
    url: String,
}

pub async fn check(
    State(_state): State<AppState>,
    _me: CurrentUser,
    Query(asked): Query<Asked>,
) -> Result<Response, AppError> {
    Ok(match bbn_core::embed::recognize(&asked.url, &[]) {
        Some(e) => Json(serde_json::json!({
            "provider": e.provider.key(),
            "name": e.provider.name(),
            "url": e.url,
        }))
        .into_response(),
        None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "error": "That address is not one bbn can embed (a YouTube, Vimeo, X, Instagram, Facebook, TikTok, Bluesky, Mastodon, Threads, Reddit, SoundCloud, Spotify, Apple Podcasts, Google Maps, Datawrapper, Flourish, DocumentCloud or Scribd address); it can go in as a link.",
            })),
        )
            .into_response(),
    })
}
