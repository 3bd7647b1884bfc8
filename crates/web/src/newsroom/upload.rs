//! Reading an upload form (multipart): its fields, its file, its CSRF token.
//! Used by every newsroom form that carries an image.

use crate::error::AppError;
use crate::extract::csrf::CSRF_FIELD;
use crate::extract::session::CurrentUser;
use axum::extract::Multipart;
use axum::http::StatusCode;

pub struct Upload {
    pub fields: Vec<(String, String)>,
    /// The `file` field's bytes; empty when no file was chosen.
    pub file: Vec<u8>,
}

impl Upload {
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// Why an upload was not read; the message is for the person uploading.
pub enum Refusal {
    TooLarge(String),
    Error(AppError),
}

/// Reads the whole form, refusing it when the file passes `limit` bytes or
/// the CSRF token is not the session's.
pub async fn read(
    mut multipart: Multipart,
    user: &CurrentUser,
    limit: usize,
) -> Result<Upload, Refusal> {
    let too_large = || {
        Refusal::TooLarge(format!(
            "The file is larger than the {} MB limit.",
            limit / (1024 * 1024)
        ))
    };
    let unreadable =
        || Refusal::Error(AppError::BadRequest("The upload could not be read.".into()));
    let mut upload = Upload {
        fields: Vec::new(),
        file: Vec::new(),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(unreadable()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            match field.bytes().await {
                Ok(b) => upload.file = b.to_vec(),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(unreadable()),
            }
        } else {
            let text = field.text().await.map_err(|_| unreadable())?;
            upload.fields.push((name, text));
        }
    }
    // The CSRF token travels inside the multipart body like any other field.
    let sent = upload
        .fields
        .iter()
        .find(|(n, _)| n == CSRF_FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if sent != user.csrf_token {
        return Err(Refusal::Error(AppError::CsrfRejected));
    }
    if upload.file.len() > limit {
        return Err(too_large());
    }
    Ok(upload)
}
