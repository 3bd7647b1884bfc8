//! `/settings/`: the site's public settings in Ghost's shape; the sections
//! in bbn's navigation are its `navigation`.

use super::error::GhostError;
use super::params::authenticate;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn browse(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GhostError> {
    authenticate(&state, raw.as_deref()).await?;
    let s = state.store.settings().await?;
    let base = &state.config.base_url;
    let navigation: Vec<_> = state
        .store
        .nav_sections()
        .await?
        .into_iter()
        .map(|section| json!({ "label": section.name, "url": format!("{base}/section/{}", section.slug) }))
        .collect();
    let logo = s.logo_url.as_deref().map(|u| {
        if u.starts_with('/') {
            format!("{base}{u}")
        } else {
            u.to_string()
        }
    });
    let lang = s.language.clone();
    Ok(axum::Json(json!({
        "settings": {
            "title": s.name,
            "description": s.description,
            "logo": logo,
            "icon": null,
            "accent_color": null,
            "cover_image": null,
            "facebook": null,
            "twitter": null,
            "lang": lang,
            "locale": lang,
            "timezone": s.time_zone,
            "codeinjection_head": null,
            "codeinjection_foot": null,
            "navigation": navigation,
            "secondary_navigation": [],
            "meta_title": null,
            "meta_description": null,
            "og_image": null,
            "og_title": null,
            "og_description": null,
            "twitter_image": null,
            "twitter_title": null,
            "twitter_description": null,
            "members_support_address": null,
            "members_enabled": false,
            "members_invite_only": false,
            "paid_members_enabled": false,
            "comments_enabled": "off",
            "recommendations_enabled": false,
            "url": format!("{base}/"),
        },
        "meta": {},
    }))
    .into_response())
}
