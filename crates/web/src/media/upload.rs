//! An uploaded image file checked and stored, whichever door it came
//! through (the newsroom's upload form, the API's `POST /media`); on
//! refusal, the status and what to tell the person.

use super::{MediaError, Stored, store};
use crate::AppState;
use axum::http::StatusCode;

/// Checks and stores an uploaded file; on refusal, the status and what to tell the person.
pub(crate) async fn store_file(
    state: &AppState,
    bytes: Vec<u8>,
) -> Result<Stored, (StatusCode, String)> {
    if bytes.is_empty() {
        return Err((
            StatusCode::BAD_REQUEST,
            "Choose an image file to upload.".into(),
        ));
    }
    let Some(dir) = state.config.media_dir.clone() else {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "This site has no media folder; uploads are off.".into(),
        ));
    };
    let stored = store(&state.images, dir, bytes, state.config.max_image_megapixels).await;
    match stored {
        Ok(s) => Ok(s),
        Err(e @ (MediaError::NotAnImage | MediaError::Damaged | MediaError::TooLarge { .. })) => {
            Err((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))
        }
        Err(e) => {
            tracing::error!(error = %e, "storing an upload failed");
            Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "The image could not be stored. Try again.".into(),
            ))
        }
    }
}
