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
    /// The name the first file was sent with (for the library's search).
    pub file_name: String,
    /// Files after the first, with their names (an input with `multiple`).
    pub more: Vec<(String, Vec<u8>)>,
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

/// Reads the whole form, refusing it when a file passes `limit` bytes or
/// the CSRF token is not the session's. (The route's body limit bounds
/// the whole form, however many files it carries.)
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
        file_name: String::new(),
        more: Vec::new(),
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
            let file_name = file_name(&field);
            let bytes = match field.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(unreadable()),
            };
            if bytes.len() > limit {
                return Err(too_large());
            }
            if upload.file.is_empty() && upload.file_name.is_empty() {
                upload.file = bytes;
                upload.file_name = file_name;
            } else if !bytes.is_empty() {
                upload.more.push((file_name, bytes));
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
    Ok(upload)
}

/// The name a browser gave an uploaded file, as the library keeps it:
/// without control characters, at most 255 characters.
pub(crate) fn file_name(field: &axum::extract::multipart::Field<'_>) -> String {
    field
        .file_name()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect()
}
