//! Images: checked by their content (not their name), decoded with size
//! limits, stored in the data folder under random names with resized copies
//! for `srcset`, and served from `/media/…` with a long cache.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::{Path as FsPath, PathBuf};

/// Widths of the resized copies (only those narrower than the original are made).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// No side may be longer than this (a guard against decompression bombs).
const MAX_SIDE: u32 = 12_000;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("This file is not a JPEG, PNG, WebP or GIF image.")]
    NotAnImage,
    #[error(
        "The image could not be read: it may be damaged, or larger than {MAX_SIDE} pixels on a side."
    )]
    Damaged,
    #[error("the image could not be stored: {0}")]
    Io(#[from] std::io::Error),
    #[error("the image could not be stored: {0}")]
    Encode(#[from] image::ImageError),
}

/// A stored image: its URL, size and resized copies.
#[derive(Debug, Clone)]
pub struct Stored {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub srcset: String,
}

fn extension(format: ImageFormat) -> Option<&'static str> {
    match format {
        ImageFormat::Jpeg => Some("jpg"),
        ImageFormat::Png => Some("png"),
        ImageFormat::Gif => Some("gif"),
        ImageFormat::WebP => Some("webp"),
        _ => None,
    }
}

/// Checks, decodes and stores an upload under `media_dir`. Blocking: run it off the async threads.
pub fn store(media_dir: &FsPath, bytes: &[u8]) -> Result<Stored, MediaError> {
    let format = image::guess_format(bytes).map_err(|_| MediaError::NotAnImage)?;
    let ext = extension(format).ok_or(MediaError::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| MediaError::Damaged)?;
    let (width, height) = (decoded.width(), decoded.height());

    let folder = bbn_core::time::year_month(bbn_core::time::now());
    let dir = media_dir.join(&folder);
    std::fs::create_dir_all(&dir)?;
    let bytes_name: [u8; 12] = rand::random();
    let name: String = bytes_name.iter().map(|b| format!("{b:02x}")).collect();

    // JPEGs are re-encoded so that camera metadata (location, device) never reaches readers.
    let original = dir.join(format!("{name}.{ext}"));
    if format == ImageFormat::Jpeg {
        write_jpeg(&decoded, &original, 90)?;
    } else {
        std::fs::write(&original, bytes)?;
    }
    let mut srcset = Vec::new();
    for w in WIDTHS.into_iter().filter(|w| *w < width) {
        let h = ((u64::from(height) * u64::from(w)) / u64::from(width)).max(1) as u32;
        let small = decoded.resize_exact(w, h, image::imageops::FilterType::Triangle);
        let (file, variant_ext) = if format == ImageFormat::Jpeg {
            (format!("{name}-{w}.jpg"), "jpg")
        } else {
            (format!("{name}-{w}.png"), "png")
        };
        let path = dir.join(&file);
        if variant_ext == "jpg" {
            write_jpeg(&small, &path, 82)?;
        } else {
            small.save_with_format(&path, ImageFormat::Png)?;
        }
        srcset.push(format!("/media/{folder}/{file} {w}w"));
    }
    Ok(Stored {
        url: format!("/media/{folder}/{name}.{ext}"),
        width,
        height,
        srcset: srcset.join(", "),
    })
}

fn write_jpeg(img: &DynamicImage, path: &FsPath, quality: u8) -> Result<(), MediaError> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, quality);
    img.to_rgb8().write_with_encoder(encoder)?;
    Ok(())
}

fn content_type(path: &str) -> Option<&'static str> {
    match path.rsplit('.').next()? {
        "jpg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

/// The file under `root` that a `/media/…` path names, if it is a plain path inside it.
fn resolve(root: &FsPath, path: &str) -> Option<PathBuf> {
    let safe = path.split('/').all(|part| {
        !part.is_empty()
            && !part.starts_with('.')
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    });
    safe.then(|| root.join(path))
}

pub async fn serve(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, AppError> {
    let root = state
        .config
        .media_dir
        .as_deref()
        .ok_or(AppError::NotFound)?;
    let content_type = content_type(&path).ok_or(AppError::NotFound)?;
    let file = resolve(root, &path).ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(&file)
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // Names are random and never reused, so a copy may be kept for good.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::CONTENT_DISPOSITION, "inline"),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn stores_images_with_resized_copies() {
        let dir = std::env::temp_dir().join(format!("bbn-media-{}", rand::random::<u64>()));
        let s = store(&dir, &png(1200, 600)).unwrap();
        assert!(s.url.starts_with("/media/") && s.url.ends_with(".png"));
        assert_eq!((s.width, s.height), (1200, 600));
        assert_eq!(
            s.srcset.matches("w").count(),
            2,
            "480 and 960 wide copies: {}",
            s.srcset
        );
        let first = s.srcset.split_whitespace().next().unwrap();
        assert!(dir.join(first.trim_start_matches("/media/")).exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_what_is_not_an_image() {
        let dir = std::env::temp_dir().join("bbn-media-refuse");
        assert!(matches!(
            store(&dir, b"<svg onload=alert(1)>"),
            Err(MediaError::NotAnImage)
        ));
        assert!(matches!(
            store(&dir, b"GIF89a but not really"),
            Err(MediaError::Damaged)
        ));
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert!(matches!(store(&dir, &truncated), Err(MediaError::Damaged)));
    }

    #[test]
    fn only_plain_paths_inside_the_folder() {
        let root = FsPath::new("/data/media");
        assert!(resolve(root, "2026/11/abc.jpg").is_some());
        for bad in [
            "../etc/passwd",
            "2026/../../x.jpg",
            "/etc/passwd",
            "2026//x.jpg",
            ".hidden.jpg",
            "a\\b.jpg",
        ] {
            assert!(resolve(root, bad).is_none(), "{bad}");
        }
    }
}
