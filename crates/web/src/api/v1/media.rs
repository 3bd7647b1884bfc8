//! The media library through the API, with a staff token: list and find
//! (`GET /media`), one item (`GET /media/{id}`), change its details
//! (`PATCH /media/{id}`: followed into every article showing it, as in the
//! newsroom), delete one nothing uses (`DELETE /media/{id}`, 409 while in
//! use). Uploads are `POST /media` (`write::upload`).

use super::auth::Caller;
use super::query::Query;
use super::write::{body, refusal};
use super::{PageMeta, Problem, json, page};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bbn_core::{Role, time};
use bbn_newsroom::media::{follow, may_change, may_delete};
use bbn_store::{MediaDetails, MediaItem, MediaQuery, StoreError};
use serde::Deserialize;

/// An item as the API gives it.
pub fn item_out(base: &str, m: &MediaItem) -> serde_json::Value {
    let absolute = |u: &str| {
        if u.starts_with('/') {
            format!("{base}{u}")
        } else {
            u.to_string()
        }
    };
    let srcset: Vec<serde_json::Value> = m
        .srcset
        .split(',')
        .filter_map(|c| {
            let mut parts = c.split_whitespace();
            let url = parts.next()?;
            let width = parts.next()?.strip_suffix('w')?.parse::<i64>().ok()?;
            Some(serde_json::json!({ "url": absolute(url), "width": width }))
        })
        .collect();
    serde_json::json!({
        "id": m.id,
        "url": absolute(&m.url),
        "kind": m.kind,
        "mime": m.mime,
        "file_name": m.file_name,
        "bytes": m.bytes,
        "width": m.width,
        "height": m.height,
        "alt": m.alt,
        "caption": m.caption,
        "credit": m.credit,
        "focal_point": { "x": m.focal_x, "y": m.focal_y },
        "sizes": srcset,
        "uploaded_at": time::rfc3339_utc(m.created_at),
        "uploaded_by": m.uploaded_by,
        "uses": m.uses,
    })
}

/// `GET /api/v1/media?q=&kind=image&unused=true&uploaded_by=ID&page=&per_page=`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.staff(Role::Contributor)?;
    let q = Query::parse(raw.as_deref())?;
    let (page_no, per_page) = q.paging()?;
    let kind = match q.get("kind") {
        None => None,
        Some(k @ ("image" | "video" | "audio")) => Some(k.to_string()),
        Some(_) => {
            return Err(Problem::parameter("kind", "kind is image, video or audio."));
        }
    };
    let unused = match q.get("unused") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Problem::parameter("unused", "unused is true or false.")),
    };
    let uploaded_by = match q.get("uploaded_by") {
        None => None,
        Some(_) => Some(q.int("uploaded_by", 1..=i64::MAX, 0)?),
    };
    let words = q.get("q").map(|w| w.chars().take(200).collect::<String>());
    let (items, total) = state
        .store
        .media_list(&MediaQuery {
            words,
            kind,
            uploaded_by,
            unused,
            limit: per_page,
            offset: (page_no - 1) * per_page,
        })
        .await?;
    let base = &state.config.base_url;
    let data: Vec<serde_json::Value> = items.iter().map(|m| item_out(base, m)).collect();
    Ok(page(
        base,
        "/api/v1/media",
        &q,
        PageMeta::new(page_no, per_page, total),
        &data,
    ))
}

async fn load(state: &AppState, id: i64) -> Result<MediaItem, Problem> {
    state
        .store
        .media_item(id)
        .await?
        .ok_or_else(Problem::not_found)
}

/// `GET /api/v1/media/{id}`.
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.staff(Role::Contributor)?;
    let m = load(&state, id).await?;
    Ok(json(&item_out(&state.config.base_url, &m)))
}

/// The details a client changes; each one left out keeps its value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailsIn {
    alt: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    focal_point: Option<FocalIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FocalIn {
    x: i64,
    y: i64,
}

/// `PATCH /api/v1/media/{id}` with `{"alt": …, "caption": …, "credit": …,
/// "focal_point": {"x": 50, "y": 30}}`.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let me = caller.staff(Role::Contributor)?;
    let input: DetailsIn = body(&headers, &bytes)?;
    let m = load(&state, id).await?;
    if !may_change(&state.store, me, &m).await? {
        return Err(Problem::forbidden());
    }
    let focal = input.focal_point.unwrap_or(FocalIn {
        x: m.focal_x,
        y: m.focal_y,
    });
    let details = MediaDetails {
        alt: input.alt.unwrap_or(m.alt),
        caption: input.caption.unwrap_or(m.caption),
        credit: input.credit.unwrap_or(m.credit),
        focal_x: focal.x,
        focal_y: focal.y,
    };
    state.store.update_media(id, &details).await?;
    follow(&state.store, me, id, None).await.map_err(refusal)?;
    let m = load(&state, id).await?;
    Ok(json(&item_out(&state.config.base_url, &m)))
}

/// `DELETE /api/v1/media/{id}`: 204, or 409 while anything uses it.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let me = caller.staff(Role::Contributor)?;
    let m = load(&state, id).await?;
    if !may_delete(me, &m) {
        return Err(Problem::forbidden());
    }
    match state.store.delete_media(id).await {
        Ok(url) => {
            if let Some(dir) = state.config.media_dir.clone() {
                crate::media::remove_files(dir, url, m.srcset).await;
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(StoreError::Conflict { .. }) => Err(Problem::new(
            StatusCode::CONFLICT,
            "The item is in use (by an article, the logo, an author's photo or a page); remove it there first.",
        )),
        Err(e) => Err(e.into()),
    }
}
