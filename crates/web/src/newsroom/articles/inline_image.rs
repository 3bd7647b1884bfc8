//! Images placed inside an article's body by the editor (uploaded, pasted
//! or dropped): `POST /newsroom/media` takes the file with its alt text,
//! caption and credit and answers JSON the editor puts into the document.
//! The file is checked by its content and re-encoded, as every upload is.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use crate::media::Described;
use crate::media::upload::store_file;
use crate::newsroom::upload;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What the editor's `image` node takes (docs/document-format.md).
#[derive(Serialize)]
pub struct Placed {
    pub media: i64,
    pub src: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// A refusal the editor shows as it is.
fn refused(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let mut form = match upload::read(multipart, &user, state.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(upload::Refusal::TooLarge(m)) => return Ok(refused(StatusCode::PAYLOAD_TOO_LARGE, m)),
        Err(upload::Refusal::Error(e)) => return Err(e),
    };
    let file_name = std::mem::take(&mut form.file_name);
    let stored = match store_file(&state, std::mem::take(&mut form.file)).await {
        Ok(s) => s,
        Err((status, message)) => return Ok(refused(status, message)),
    };
    let text = |k: &str| form.field(k).chars().take(500).collect::<String>();
    let (alt, caption, credit) = (text("alt"), text("caption"), text("credit"));
    let (src, width, height) = (stored.url.clone(), stored.width, stored.height);
    let media = state
        .record_media(&stored.record(Described {
            alt: alt.clone(),
            caption: caption.clone(),
            credit: credit.clone(),
            file_name,
            uploaded_by: Some(user.user.id),
        }))
        .await?;
    let placed = Placed {
        media,
        src,
        width,
        height,
        alt,
        caption,
        credit,
    };
    Ok((StatusCode::CREATED, Json(placed)).into_response())
}
