//! The media library, `/newsroom/media`: every uploaded item in a grid,
//! newest first, found by words (file name, alt text, caption, credit) and
//! filtered by type, uploader and "unused"; many files uploaded at once (a
//! form with `multiple`, or dropped and pasted onto the page, which
//! `static/js/media.js` sends one by one to `POST /newsroom/media`); each
//! item's details edited once and followed into every article that shows
//! it (`bbn_newsroom::media::follow`), its file replaced everywhere, and
//! deleted once nothing uses it. `?for=<article>` turns the grid into a
//! picker of that article's featured image; `GET /newsroom/media/items`
//! answers the rich editor's picker as JSON.

use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::{CSRF_FIELD, CsrfForm};
use crate::extract::session::CurrentUser;
use crate::media::Described;
use crate::media::upload::store_file;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Role, time};
use bbn_newsroom::media::{follow, may_change};
use bbn_store::{MediaDetails, MediaItem, MediaQuery, StoreError};
use serde::{Deserialize, Serialize};

/// Items on one page of the grid.
const PER_PAGE: i64 = 48;

/// What the grid is asked for.
#[derive(Debug, Default, Deserialize)]
pub struct LibraryQuery {
    q: Option<String>,
    kind: Option<String>,
    by: Option<String>,
    unused: Option<String>,
    page: Option<String>,
    /// Picking the featured image of this article.
    #[serde(rename = "for")]
    for_article: Option<String>,
    /// What the last upload or deletion did, said above the grid.
    done: Option<String>,
}

impl LibraryQuery {
    fn words(&self) -> Option<&str> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| match q.char_indices().nth(200) {
                Some((i, _)) => &q[..i],
                None => q,
            })
    }

    fn kind(&self) -> Option<&'static str> {
        match self.kind.as_deref() {
            Some("image") => Some("image"),
            Some("video") => Some("video"),
            Some("audio") => Some("audio"),
            _ => None,
        }
    }

    fn uploader(&self) -> Option<i64> {
        self.by.as_deref().and_then(|b| b.parse().ok())
    }

    fn unused(&self) -> bool {
        self.unused.as_deref().is_some_and(|u| !u.is_empty())
    }

    fn for_article(&self) -> Option<i64> {
        self.for_article.as_deref().and_then(|a| a.parse().ok())
    }

    fn store_query(&self) -> MediaQuery {
        let page = super::page_number(self.page.as_deref());
        MediaQuery {
            words: self.words().map(str::to_string),
            kind: self.kind().map(str::to_string),
            uploaded_by: self.uploader(),
            unused: self.unused(),
            limit: PER_PAGE,
            offset: (page - 1) * PER_PAGE,
        }
    }

    /// This list's address at page `page`.
    fn link(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(w) = self.words() {
            pairs.push(("q", w.to_string()));
        }
        if let Some(k) = self.kind() {
            pairs.push(("kind", k.to_string()));
        }
        if let Some(b) = self.uploader() {
            pairs.push(("by", b.to_string()));
        }
        if self.unused() {
            pairs.push(("unused", "1".into()));
        }
        if let Some(a) = self.for_article() {
            pairs.push(("for", a.to_string()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        if query.is_empty() {
            "/newsroom/media".into()
        } else {
            format!("/newsroom/media?{query}")
        }
    }
}

/// An item as the grid and the editor's picker show it.
#[derive(Debug, Serialize)]
pub struct Tile {
    id: i64,
    url: String,
    /// The smallest copy, for the grid.
    thumb: String,
    kind: String,
    file_name: String,
    width: Option<i64>,
    height: Option<i64>,
    alt: String,
    caption: String,
    credit: String,
    uses: i64,
    uploader: Option<String>,
    uploaded: String,
    size: String,
}

fn size_label(bytes: i64) -> String {
    match bytes {
        0 => String::new(),
        b if b < 1024 * 1024 => format!("{} KB", (b + 1023) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The smallest resized copy named in a `srcset`, or the original.
fn smallest(url: &str, srcset: &str) -> String {
    srcset
        .split(',')
        .filter_map(|c| c.split_whitespace().next())
        .next()
        .unwrap_or(url)
        .to_string()
}

fn tile(m: MediaItem, zone: chrono_tz::Tz) -> Tile {
    Tile {
        thumb: smallest(&m.url, &m.srcset),
        id: m.id,
        url: m.url,
        kind: m.kind,
        file_name: m.file_name,
        width: m.width,
        height: m.height,
        alt: m.alt,
        caption: m.caption,
        credit: m.credit,
        uses: m.uses,
        uploader: m.uploader,
        uploaded: time::long_date(m.created_at, zone),
        size: size_label(m.bytes),
    }
}

async fn zone(state: &AppState) -> Result<(String, chrono_tz::Tz), AppError> {
    let s = state.store.settings().await?;
    let zone = time::parse_zone(&s.time_zone).unwrap_or_default();
    Ok((s.name, zone))
}

/// `GET /newsroom/media`: the grid.
pub async fn library(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<LibraryQuery>,
) -> Result<Response, AppError> {
    let (site, zone) = zone(&state).await?;
    let (items, total) = state.store.media_list(&query.store_query()).await?;
    let uploaders = state.store.media_uploaders().await?;
    let page = super::page_number(query.page.as_deref());
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let picking = match query.for_article() {
        Some(id) => state
            .store
            .article_by_id(id)
            .await?
            .filter(|a| bbn_newsroom::roles::can_edit(&me.user, a))
            .map(|a| minijinja::context! { id => a.id, headline => a.headline, revision => a.revision }),
        None => None,
    };
    let tiles: Vec<Tile> = items.into_iter().map(|m| tile(m, zone)).collect();
    let done = match query.done.as_deref() {
        Some("deleted") => Some("The item was deleted.".to_string()),
        Some(n) if n.parse::<u32>().is_ok() => Some(match n {
            "1" => "1 file uploaded.".to_string(),
            n => format!("{n} files uploaded."),
        }),
        _ => None,
    };
    let body = super::render(
        &state,
        &me,
        "newsroom/media.html",
        minijinja::context! {
            site, tiles, total, page, done, picking,
            q => query.words(), kind => query.kind(), by => query.uploader(), unused => query.unused(),
            uploaders => uploaders.into_iter().map(|(id, name)| minijinja::context! { id, name }).collect::<Vec<_>>(),
            prev => (page > 1).then(|| query.link(page - 1)),
            next => (page < pages).then(|| query.link(page + 1)),
            max_mb => state.config.max_upload_bytes / (1024 * 1024),
        },
    )?;
    Ok(Html(body).into_response())
}

/// `GET /newsroom/media/items`: a page of the grid as JSON, for the rich
/// editor's "Insert from library".
pub async fn items(
    State(state): State<AppState>,
    _me: CurrentUser,
    Query(query): Query<LibraryQuery>,
) -> Result<Response, AppError> {
    let (_, zone) = zone(&state).await?;
    let mut q = query.store_query();
    q.limit = 24;
    q.offset = (super::page_number(query.page.as_deref()) - 1) * 24;
    let (items, total) = state.store.media_list(&q).await?;
    let tiles: Vec<Tile> = items.into_iter().map(|m| tile(m, zone)).collect();
    Ok(Json(serde_json::json!({ "items": tiles, "total": total })).into_response())
}

/// `POST /newsroom/media/upload`: the grid's form, any number of files.
/// Each is checked, stored and recorded as it arrives, so the memory one
/// form takes is one file's, whatever it carries; the CSRF token comes
/// before the files in the form and is checked before any is read.
pub async fn upload_many(
    State(state): State<AppState>,
    me: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let unreadable = || AppError::BadRequest("The upload could not be read.".into());
    let mut csrf_ok = false;
    let mut stored = 0u32;
    let mut refused: Vec<String> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                refused.push(
                    "The files together pass the size of one upload; send fewer at once.".into(),
                );
                break;
            }
            Err(_) => return Err(unreadable()),
        };
        match field.name().unwrap_or("") {
            CSRF_FIELD => {
                let sent = field.text().await.map_err(|_| unreadable())?;
                csrf_ok = sent == me.csrf_token;
            }
            "file" if csrf_ok => match add_file(&state, &me, field).await? {
                Added::Stored => stored += 1,
                Added::Nothing => {}
                Added::Refused(why) => refused.push(why),
                Added::TooLarge(why) => {
                    refused.push(why);
                    break;
                }
            },
            _ if !csrf_ok => return Err(AppError::CsrfRejected),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::CsrfRejected);
    }
    if refused.is_empty() {
        return Ok(Redirect::to(&format!("/newsroom/media?done={stored}")).into_response());
    }
    // What was refused is said on a page of its own, with what was stored.
    let (site, _) = zone(&state).await?;
    let body = super::render(
        &state,
        &me,
        "newsroom/media_refused.html",
        minijinja::context! { site, stored, refused },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
}

/// What became of one file of the library's upload form.
enum Added {
    Stored,
    /// An empty file field (nothing chosen).
    Nothing,
    Refused(String),
    /// The form passed its size: nothing after this file is read.
    TooLarge(String),
}

/// Checks, stores and records one file field of the library's form.
async fn add_file(
    state: &AppState,
    me: &CurrentUser,
    field: axum::extract::multipart::Field<'_>,
) -> Result<Added, AppError> {
    let name = super::upload::file_name(&field);
    let bytes = match field.bytes().await {
        Ok(b) => b.to_vec(),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(Added::TooLarge(format!(
                "{name}: the files together pass the size of one upload; send fewer at once."
            )));
        }
        Err(_) => {
            return Err(AppError::BadRequest("The upload could not be read.".into()));
        }
    };
    if bytes.is_empty() && name.is_empty() {
        return Ok(Added::Nothing);
    }
    if bytes.len() > state.config.max_upload_bytes {
        return Ok(Added::Refused(format!(
            "{name}: larger than the {} MB limit.",
            state.config.max_upload_bytes / (1024 * 1024)
        )));
    }
    match store_file(state, bytes).await {
        Ok(s) => {
            state
                .record_media(&s.record(Described {
                    file_name: name,
                    uploaded_by: Some(me.user.id),
                    ..Default::default()
                }))
                .await?;
            Ok(Added::Stored)
        }
        Err((_, message)) => Ok(Added::Refused(format!("{name}: {message}"))),
    }
}

async fn item_or_404(state: &AppState, id: i64) -> Result<MediaItem, AppError> {
    state.store.media_item(id).await?.ok_or(AppError::NotFound)
}

async fn details_page(
    state: &AppState,
    me: &CurrentUser,
    item: MediaItem,
    status: StatusCode,
    message: Option<String>,
    saved: Option<String>,
) -> Result<Response, AppError> {
    let (site, zone) = zone(state).await?;
    let uses = state.store.media_used_in(item.id, 100).await?;
    let may_change = may_change(&state.store, &me.user, &item).await?;
    let may_delete = bbn_newsroom::media::may_delete(&me.user, &item);
    let (focal_x, focal_y, srcset) = (item.focal_x, item.focal_y, item.srcset.clone());
    let uses: Vec<_> = uses
        .into_iter()
        .map(|u| minijinja::context! { id => u.article_id, headline => u.headline, slug => u.slug, published => u.status == "published", status => u.status })
        .collect();
    let body = super::render(
        state,
        me,
        "newsroom/media_item.html",
        minijinja::context! {
            site, item => tile(item, zone), focal_x, focal_y, srcset, uses, may_change, may_delete, message, saved,
        },
    )?;
    Ok((status, Html(body)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemQuery {
    saved: Option<String>,
}

/// `GET /newsroom/media/{id}`: one item, its details, where it is used.
pub async fn item(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ItemQuery>,
) -> Result<Response, AppError> {
    let item = item_or_404(&state, id).await?;
    let saved = q.saved.map(|n| match n.as_str() {
        "replaced" => "The file was replaced everywhere it is shown.".to_string(),
        _ => "Saved. Every article showing it shows the new details.".to_string(),
    });
    details_page(&state, &me, item, StatusCode::OK, None, saved).await
}

/// What the details form sends.
#[derive(Debug, Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    alt: String,
    #[serde(default)]
    caption: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    focal_x: String,
    #[serde(default)]
    focal_y: String,
}

/// A percentage from the form; the centre when it is not one.
fn percent(s: &str) -> i64 {
    s.trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite())
        .map_or(50, |p| p.round().clamp(0.0, 100.0) as i64)
}

/// `POST /newsroom/media/{id}`: new details, followed into every article
/// that shows the item.
pub async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<DetailsForm>,
) -> Result<Response, AppError> {
    let item = item_or_404(&state, id).await?;
    if !may_change(&state.store, &me.user, &item).await? {
        return Err(AppError::Forbidden);
    }
    let details = MediaDetails {
        alt: f.alt,
        caption: f.caption,
        credit: f.credit,
        focal_x: percent(&f.focal_x),
        focal_y: percent(&f.focal_y),
    };
    change_details(&state, &me, id, &details).await?;
    Ok(Redirect::to(&format!("/newsroom/media/{id}?saved=1")).into_response())
}

/// Saves an item's details and follows them into the articles showing it:
/// what the library, the article form's featured image and the API share.
pub(crate) async fn change_details(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    details: &MediaDetails,
) -> Result<usize, AppError> {
    state.store.update_media(id, details).await?;
    Ok(follow(&state.store, &me.user, id, None).await?)
}

/// `POST /newsroom/media/{id}/replace`: another file in the item's place,
/// in every article that shows it. The old file is kept (pages cached
/// elsewhere may still name it).
pub async fn replace(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let item = item_or_404(&state, id).await?;
    if !may_change(&state.store, &me.user, &item).await? {
        return Err(AppError::Forbidden);
    }
    let mut form = match super::upload::read(multipart, &me, state.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(super::upload::Refusal::TooLarge(m)) => {
            return details_page(
                &state,
                &me,
                item,
                StatusCode::PAYLOAD_TOO_LARGE,
                Some(m),
                None,
            )
            .await;
        }
        Err(super::upload::Refusal::Error(e)) => return Err(e),
    };
    let file_name = std::mem::take(&mut form.file_name);
    let stored = match store_file(&state, std::mem::take(&mut form.file)).await {
        Ok(s) => s,
        Err((status, message)) => {
            return details_page(&state, &me, item, status, Some(message), None).await;
        }
    };
    let record = stored.record(Described {
        file_name,
        ..Default::default()
    });
    let old = state.replace_media_file(id, &record).await?;
    follow(&state.store, &me.user, id, Some(&old)).await?;
    Ok(Redirect::to(&format!("/newsroom/media/{id}?saved=replaced")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// `POST /newsroom/media/{id}/delete`: refused while anything uses it.
pub async fn delete(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, AppError> {
    let item = item_or_404(&state, id).await?;
    if !bbn_newsroom::media::may_delete(&me.user, &item) {
        return Err(AppError::Forbidden);
    }
    let srcset = item.srcset.clone();
    match state.store.delete_media(id).await {
        Ok(url) => {
            if let Some(dir) = state.config.media_dir.clone() {
                crate::media::remove_files(dir, url, srcset).await;
            }
            Ok(Redirect::to("/newsroom/media?done=deleted").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            details_page(
                &state,
                &me,
                item,
                StatusCode::CONFLICT,
                Some("This item is in use, so it cannot be deleted. Remove it from the articles (or the logo, profile or page) that show it first.".into()),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// What choosing a featured image from the library sends.
#[derive(Debug, Deserialize)]
pub struct Choose {
    media_id: i64,
    revision: Option<i64>,
}

/// `POST /newsroom/articles/{id}/image/choose`: an item of the library as
/// the article's featured image.
pub async fn choose_featured(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Choose>,
) -> Result<Response, AppError> {
    me.require(Role::Contributor)?;
    let item = item_or_404(&state, f.media_id).await?;
    if item.kind != "image" {
        return Err(AppError::BadRequest(
            "Only an image can be a featured image.".into(),
        ));
    }
    super::articles::image::choose(&state, &me, id, item.id, f.revision).await?;
    Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=1")).into_response())
}
