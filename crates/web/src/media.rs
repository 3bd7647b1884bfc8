//! Images: checked by their content (not their name), decoded with size
//! limits, stored in the data folder under random names with resized copies
//! for `srcset`, and served from `/media/…` with a long cache. The 1:1, 4:3
//! and 16:9 crops that search engines and social cards ask for are made the
//! first time one is requested (`name-crop-16x9.jpg`), then kept.
//!
//! An image's size is read from its header and refused above the pixel
//! limit before any decoding (a small file can declare a picture that takes
//! gigabytes once decoded); the decoders also carry limits of their own.
//! Originals are kept without their metadata (`strip`), and all the work
//! on pixels goes through one bounded queue (`work`).

mod strip;
pub mod upload;
pub mod variants;
mod work;

pub use work::{IMAGES_AT_ONCE, ImageWork};

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
/// No side may be longer than this, whatever the pixel limit.
pub const MAX_SIDE: u32 = 30_000;
/// The default pixel limit, in megapixels: a 40 MP picture takes 160 MB
/// decoded (RGBA, 8 bits a channel).
pub const DEFAULT_MAX_MEGAPIXELS: u32 = 40;
/// Bytes a decoder may take for each pixel allowed: 16-bit RGBA, the widest
/// form the decoders produce.
const BYTES_PER_PIXEL: u64 = 8;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("This file is not a JPEG, PNG, WebP or GIF image.")]
    NotAnImage,
    #[error("The image could not be read: it may be damaged.")]
    Damaged,
    #[error(
        "The image is {width} × {height} pixels; images may have at most {max_megapixels} megapixels and {MAX_SIDE} pixels on a side. Make it smaller and upload it again."
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_megapixels: u32,
    },
    #[error("the image work was interrupted")]
    Interrupted,
    #[error("the image could not be stored: {0}")]
    Io(#[from] std::io::Error),
    #[error("the image could not be stored: {0}")]
    Encode(#[from] image::ImageError),
}

/// A stored image: its URL, size and resized copies, its type and bytes.
#[derive(Debug, Clone)]
pub struct Stored {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub srcset: String,
    pub mime: &'static str,
    pub bytes: i64,
}

/// What readers are told about an item, and who uploaded it under what name.
#[derive(Debug, Clone, Default)]
pub struct Described {
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub file_name: String,
    pub uploaded_by: Option<i64>,
}

impl Stored {
    /// The library's record of this file.
    pub fn record(self, d: Described) -> bbn_store::NewMedia {
        bbn_store::NewMedia {
            url: self.url,
            width: Some(i64::from(self.width)),
            height: Some(i64::from(self.height)),
            alt: d.alt,
            caption: d.caption,
            credit: d.credit,
            srcset: self.srcset,
            file: bbn_store::FileFacts {
                kind: "image".into(),
                mime: self.mime.into(),
                bytes: self.bytes,
            },
            file_name: d.file_name,
            uploaded_by: d.uploaded_by,
        }
    }
}

fn mime(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::Gif => "image/gif",
        ImageFormat::WebP => "image/webp",
        _ => "application/octet-stream",
    }
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

/// The limits every decoder is given, a second guard behind `check_size`.
fn limits(max_megapixels: u32) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(u64::from(max_megapixels) * 1_000_000 * BYTES_PER_PIXEL);
    limits
}

/// Reads the picture's size from its header and refuses it when it passes
/// the limits, before any pixel is decoded.
fn check_size(bytes: &[u8], format: ImageFormat, max_megapixels: u32) -> Result<(), MediaError> {
    // The header alone: the default limits bound what reading it may take
    // (text chunks before the pixels), not the size it declares.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(Limits::default());
    let (width, height) = reader.into_dimensions().map_err(|_| MediaError::Damaged)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > u64::from(max_megapixels) * 1_000_000 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(MediaError::TooLarge {
            width,
            height,
            max_megapixels,
        });
    }
    Ok(())
}

/// Checks the size, then decodes.
fn decode(
    bytes: &[u8],
    format: ImageFormat,
    max_megapixels: u32,
) -> Result<DynamicImage, MediaError> {
    check_size(bytes, format, max_megapixels)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits(max_megapixels));
    reader.decode().map_err(|_| MediaError::Damaged)
}

/// Checks, decodes and stores an upload under `media_dir`, on `work`'s queue.
pub async fn store(
    work: &ImageWork,
    media_dir: PathBuf,
    bytes: Vec<u8>,
    max_megapixels: u32,
) -> Result<Stored, MediaError> {
    work.run(move || store_now(&media_dir, &bytes, max_megapixels))
        .await
}

/// `store`'s work, blocking.
fn store_now(media_dir: &FsPath, bytes: &[u8], max_megapixels: u32) -> Result<Stored, MediaError> {
    let format = image::guess_format(bytes).map_err(|_| MediaError::NotAnImage)?;
    let ext = extension(format).ok_or(MediaError::NotAnImage)?;
    let decoded = decode(bytes, format, max_megapixels)?;
    let (width, height) = (decoded.width(), decoded.height());
    // What readers will get, without the metadata (location, device, names):
    // JPEGs are re-encoded (see below), the others lose their metadata blocks.
    let cleaned = match format {
        ImageFormat::Png => Some(strip::png(bytes)),
        ImageFormat::Gif => Some(strip::gif(bytes)),
        ImageFormat::WebP => Some(strip::webp(bytes)),
        _ => None,
    }
    .transpose()
    .map_err(|_| MediaError::Damaged)?;

    let folder = bbn_core::time::year_month(bbn_core::time::now());
    let dir = media_dir.join(&folder);
    std::fs::create_dir_all(&dir)?;
    let bytes_name: [u8; 12] = rand::random();
    let name: String = bytes_name.iter().map(|b| format!("{b:02x}")).collect();

    // JPEGs are re-encoded from their pixels, which leaves their EXIF and
    // XMP segments behind.
    let original = dir.join(format!("{name}.{ext}"));
    match cleaned {
        Some(cleaned) => std::fs::write(&original, cleaned)?,
        None => write_jpeg(&decoded, &original, 90)?,
    }
    let stored_bytes = std::fs::metadata(&original)?.len() as i64;
    let mut written = vec![original.clone()];
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
        written.push(path);
    }
    // The files reach the disk before the caller records them: a row in the
    // database never names a file that a power cut took back.
    for path in &written {
        std::fs::File::open(path)?.sync_all()?;
    }
    std::fs::File::open(&dir)?.sync_all()?;
    Ok(Stored {
        url: format!("/media/{folder}/{name}.{ext}"),
        width,
        height,
        srcset: srcset.join(", "),
        mime: mime(format),
        bytes: stored_bytes,
    })
}

/// Removes an item's files under `media_dir`: the original, its resized
/// copies, their WebP and AVIF copies and every crop made of it (whatever
/// focal point it kept). What cannot be removed is logged.
pub async fn remove_files(media_dir: PathBuf, url: String, srcset: String) {
    let mut paths: Vec<PathBuf> = Vec::new();
    let listed = std::iter::once(url.as_str()).chain(
        srcset
            .split(',')
            .filter_map(|c| c.split_whitespace().next()),
    );
    for p in listed {
        let Some(file) = p
            .strip_prefix("/media/")
            .and_then(|rel| resolve(&media_dir, rel))
        else {
            continue;
        };
        for variant in variants::FORMATS {
            let mut name = file.as_os_str().to_owned();
            name.push(".");
            name.push(variant.extension());
            paths.push(PathBuf::from(name));
        }
        paths.push(file);
    }
    // Crops are named after the original (random, never reused), with the
    // focal point they keep: every file beside it whose name starts so.
    if let Some(original) = url
        .strip_prefix("/media/")
        .and_then(|rel| resolve(&media_dir, rel))
        && let (Some(dir), Some(stem)) = (
            original.parent(),
            original.file_stem().and_then(|s| s.to_str()),
        )
        && is_original_name(stem)
        && let Ok(mut entries) = tokio::fs::read_dir(dir).await
    {
        let prefix = format!("{stem}-crop-");
        while let Ok(Some(entry)) = entries.next_entry().await {
            if entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
            {
                paths.push(entry.path());
            }
        }
    }
    for file in paths {
        match tokio::fs::remove_file(&file).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(error = %e, file = %file.display(), "could not remove a deleted item's file")
            }
        }
    }
}

/// The shapes of crop that structured data offers: (name, width, height).
pub const CROPS: [(&str, u32, u32); 3] = [("1x1", 1, 1), ("4x3", 4, 3), ("16x9", 16, 9)];
/// Crops are at most this wide.
const CROP_WIDTH: u32 = 1200;

/// The size of the `rw:rh` crop of a `width` × `height` image: the largest
/// centred rectangle of that shape, scaled down to at most 1200 wide.
pub fn crop_size(width: u32, height: u32, rw: u32, rh: u32) -> (u32, u32) {
    let (w, h) = (u64::from(width), u64::from(height));
    let (rw, rh) = (u64::from(rw.max(1)), u64::from(rh.max(1)));
    // As wide as possible, unless that would be taller than the image.
    let (mut cw, mut ch) = if w * rh <= h * rw {
        (w, w * rh / rw)
    } else {
        (h * rw / rh, h)
    };
    if cw > u64::from(CROP_WIDTH) {
        ch = ch * u64::from(CROP_WIDTH) / cw;
        cw = u64::from(CROP_WIDTH);
    }
    (cw.max(1) as u32, ch.max(1) as u32)
}

/// The URL of a crop of the stored image at `url` (`/media/…`) that keeps
/// the focal point (percent across, down) in view, or None for images that
/// are not bbn's own. The centre's crops keep their plain names; another
/// point is in the name, so a moved point is a new address (crops are
/// cached for good).
pub fn crop_url(url: &str, shape: &str, focal: (i64, i64)) -> Option<String> {
    let stem = url.strip_prefix("/media/")?.rsplit_once('.')?.0;
    Some(if focal == (50, 50) {
        format!("/media/{stem}-crop-{shape}.jpg")
    } else {
        format!("/media/{stem}-crop-{shape}-f{}x{}.jpg", focal.0, focal.1)
    })
}

/// A missing crop's source: the original, the shape, and the focal point
/// its name asks for.
struct CropSource {
    original: PathBuf,
    /// The original's address, whose focal point the library must hold.
    url: String,
    rw: u32,
    rh: u32,
    focal: (i64, i64),
}

/// Whether a file name (without extension) is one `store` gives an
/// original: 24 hex digits. Crops are cut from originals only, never from
/// resized copies or other crops, so each image has at most three crops.
fn is_original_name(name: &str) -> bool {
    name.len() == 24 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// For a missing `…-crop-WxH.jpg` (or `…-crop-WxH-fXxY.jpg`), the original
/// image it is cut from, the shape and the focal point.
fn crop_source(root: &FsPath, path: &str) -> Option<CropSource> {
    let stem = path.strip_suffix(".jpg")?;
    let (original, rest) = stem.rsplit_once("-crop-")?;
    let (shape, focal) = match rest.split_once("-f") {
        None => (rest, (50, 50)),
        Some((shape, point)) => {
            let (x, y) = point.split_once('x')?;
            let (x, y) = (x.parse::<i64>().ok()?, y.parse::<i64>().ok()?);
            // Written as crop_url writes it, and only another point than the centre.
            if !(0..=100).contains(&x)
                || !(0..=100).contains(&y)
                || (x, y) == (50, 50)
                || point != format!("{x}x{y}")
            {
                return None;
            }
            (shape, (x, y))
        }
    };
    let file_name = original.rsplit('/').next()?;
    if !is_original_name(file_name) {
        return None;
    }
    let (_, rw, rh) = CROPS.iter().find(|(name, ..)| *name == shape)?;
    ["jpg", "png", "gif", "webp"]
        .iter()
        .find_map(|ext| {
            let rel = format!("{original}.{ext}");
            resolve(root, &rel)
                .filter(|p| p.is_file())
                .map(|p| (p, format!("/media/{rel}")))
        })
        .map(|(original, url)| CropSource {
            original,
            url,
            rw: *rw,
            rh: *rh,
            focal,
        })
}

/// Where a `fw` × `fh` window of a `w` × `h` picture starts so that the
/// focal point (percent) is as near its middle as the picture allows.
fn window_start(w: u32, h: u32, fw: u32, fh: u32, focal: (i64, i64)) -> (u32, u32) {
    let at = |size: u32, window: u32, percent: i64| -> u32 {
        let centre = i64::from(size) * percent.clamp(0, 100) / 100;
        (centre - i64::from(window) / 2).clamp(0, i64::from(size - window)) as u32
    };
    (at(w, fw, focal.0), at(h, fh, focal.1))
}

/// Cuts and saves a crop (written under a temporary name, then renamed, so
/// a reader never sees half a file). Blocking: run it on an `ImageWork`.
fn make_crop(
    source: &FsPath,
    target: &FsPath,
    rw: u32,
    rh: u32,
    focal: (i64, i64),
    max_megapixels: u32,
) -> Result<(), MediaError> {
    let bytes = std::fs::read(source)?;
    let format = image::guess_format(&bytes).map_err(|_| MediaError::NotAnImage)?;
    // An original stored under a higher limit than today's stays uncropped.
    let img = decode(&bytes, format, max_megapixels)?;
    let (w, h) = (img.width(), img.height());
    // The largest centred rectangle of the shape, then scaled.
    let (fw, fh) = if u64::from(w) * u64::from(rh) <= u64::from(h) * u64::from(rw) {
        (w, (u64::from(w) * u64::from(rh) / u64::from(rw)) as u32)
    } else {
        ((u64::from(h) * u64::from(rw) / u64::from(rh)) as u32, h)
    };
    let (x, y) = window_start(w, h, fw, fh, focal);
    let cut = img.crop_imm(x, y, fw.max(1), fh.max(1));
    let (cw, ch) = crop_size(w, h, rw, rh);
    let sized = if (cw, ch) == (cut.width(), cut.height()) {
        cut
    } else {
        cut.resize_exact(cw, ch, image::imageops::FilterType::Triangle)
    };
    let tmp = target.with_extension(format!("tmp{}", rand::random::<u32>()));
    write_jpeg(&sized, &tmp, 85)?;
    std::fs::rename(&tmp, target)?;
    Ok(())
}

/// Encodes in memory, then writes: a failed write is an error here, not
/// a flush lost when a buffered writer is dropped. A file left half
/// written is removed.
fn write_jpeg(img: &DynamicImage, path: &FsPath, quality: u8) -> Result<(), MediaError> {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    img.to_rgb8().write_with_encoder(encoder)?;
    std::fs::write(path, &bytes).inspect_err(|_| {
        let _ = std::fs::remove_file(path);
    })?;
    Ok(())
}

fn content_type(path: &str) -> Option<&'static str> {
    match path.rsplit('.').next()? {
        "jpg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "avif" => Some("image/avif"),
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

/// Whether a request's `Accept` takes `mime` (named, with a quality above 0).
fn accepts(accept: &str, mime: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        parts
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case(mime))
            && parts.all(|p| {
                let p = p.trim();
                !(p.starts_with("q=") || p.starts_with("Q="))
                    || p[2..].trim().parse::<f32>().is_ok_and(|q| q > 0.0)
            })
    })
}

/// The copy of `file` in the best format the request accepts, if it has
/// been made.
async fn variant_for(file: &FsPath, accept: &str) -> Option<(Vec<u8>, &'static str)> {
    for variant in variants::FORMATS {
        if accepts(accept, variant.mime()) {
            let mut name = file.as_os_str().to_owned();
            name.push(".");
            name.push(variant.extension());
            if let Ok(bytes) = tokio::fs::read(PathBuf::from(name)).await {
                return Some((bytes, variant.mime()));
            }
        }
    }
    None
}

pub async fn serve(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let root = state
        .config
        .media_dir
        .as_deref()
        .ok_or(AppError::NotFound)?;
    let mut content_type = content_type(&path).ok_or(AppError::NotFound)?;
    let file = resolve(root, &path).ok_or(AppError::NotFound)?;
    // A JPEG or PNG goes as AVIF or WebP to the browsers that take them;
    // caches keep one copy per `Accept`.
    let negotiated = variants::has_variants(&path);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let variant = if negotiated && !accept.is_empty() {
        variant_for(&file, accept).await
    } else {
        None
    };
    let read = match variant {
        Some((bytes, mime)) => {
            content_type = mime;
            Ok(bytes)
        }
        None => tokio::fs::read(&file).await,
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(_) => {
            let source = crop_source(root, &path).ok_or(AppError::NotFound)?;
            // Only the focal point the library holds is cut: a name asking
            // for any other is not a crop anyone was given.
            if source.focal != (50, 50)
                && state.store.media_focal(&source.url).await? != Some(source.focal)
            {
                return Err(AppError::NotFound);
            }
            // One crop at a time per instance, so that a burst of requests
            // for the same new crop makes it once; the decoding itself
            // waits its turn with the uploads.
            let _slot = state.crop_slot.lock().await;
            if !file.is_file() {
                let target = file.clone();
                let max_megapixels = state.config.max_image_megapixels;
                state
                    .images
                    .run(move || {
                        make_crop(
                            &source.original,
                            &target,
                            source.rw,
                            source.rh,
                            source.focal,
                            max_megapixels,
                        )
                    })
                    .await
                    .map_err(|e| {
                        tracing::warn!(error = %e, "could not make an image crop");
                        AppError::NotFound
                    })?;
            }
            tokio::fs::read(&file)
                .await
                .map_err(|_| AppError::NotFound)?
        }
    };
    // One range of bytes when asked (players seek, downloads resume); a
    // header this does not read gets the whole file, as HTTP allows.
    let total = bytes.len() as u64;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| byte_range(v, total));
    let mut response = match range {
        None => (
            [
                (header::CONTENT_TYPE, content_type),
                // Names are random and never reused, so a copy may be kept for good.
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::CONTENT_DISPOSITION, "inline"),
            ],
            bytes,
        )
            .into_response(),
        Some(Ok((start, end))) => {
            let part = bytes[start as usize..=end as usize].to_vec();
            (
                axum::http::StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (
                        header::CACHE_CONTROL,
                        "public, max-age=31536000, immutable".to_string(),
                    ),
                    (
                        header::CONTENT_RANGE,
                        format!("bytes {start}-{end}/{total}"),
                    ),
                ],
                part,
            )
                .into_response()
        }
        Some(Err(())) => (
            axum::http::StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{total}"))],
        )
            .into_response(),
    };
    response.headers_mut().insert(
        header::ACCEPT_RANGES,
        axum::http::HeaderValue::from_static("bytes"),
    );
    if negotiated {
        response
            .headers_mut()
            .insert(header::VARY, axum::http::HeaderValue::from_static("Accept"));
    }
    Ok(response)
}

/// The one range of bytes (first and last, inclusive) a `Range` header asks
/// of a file of `len` bytes: None when the header is not one this reads
/// (the whole file is sent), `Err` when it asks for nothing the file has.
fn byte_range(header: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    Some(if first.is_empty() {
        // The last N bytes.
        let n = number(last)?;
        if n == 0 || len == 0 {
            Err(())
        } else {
            Ok((len.saturating_sub(n), len - 1))
        }
    } else {
        let start = number(first)?;
        let end = if last.is_empty() {
            u64::MAX
        } else {
            number(last)?
        };
        if end < start {
            return None;
        }
        if start >= len {
            Err(())
        } else {
            Ok((start, end.min(len - 1)))
        }
    })
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
    fn one_range_of_bytes_is_read_and_others_are_not() {
        assert_eq!(byte_range("bytes=0-99", 1000), Some(Ok((0, 99))));
        assert_eq!(byte_range("bytes=900-", 1000), Some(Ok((900, 999))));
        assert_eq!(byte_range("bytes=990-5000", 1000), Some(Ok((990, 999))));
        assert_eq!(byte_range("bytes=-10", 1000), Some(Ok((990, 999))));
        assert_eq!(byte_range("bytes=-5000", 1000), Some(Ok((0, 999))));
        assert_eq!(byte_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(byte_range("bytes=-0", 1000), Some(Err(())));
        // Not read: the whole file goes.
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(byte_range("bytes=9-3", 1000), None);
        assert_eq!(byte_range("items=0-1", 1000), None);
        assert_eq!(byte_range("bytes=x-1", 1000), None);
        assert_eq!(byte_range("bytes=99999999999999999999-", 1000), None);
    }

    #[test]
    fn accept_names_the_type_with_a_quality_above_nothing() {
        let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
        assert!(accepts(chrome, "image/avif") && accepts(chrome, "image/webp"));
        assert!(
            !accepts("image/*,*/*", "image/avif"),
            "a wildcard is no promise"
        );
        assert!(!accepts("image/avif;q=0,image/webp", "image/avif"));
        assert!(accepts("image/avif;q=0.5", "image/avif"));
        assert!(accepts(" IMAGE/WEBP ; q=1", "image/webp"));
        assert!(!accepts("image/avifx", "image/avif"));
    }

    #[test]
    fn stores_images_with_resized_copies() {
        let dir = std::env::temp_dir().join(format!("bbn-media-{}", rand::random::<u64>()));
        let s = store_now(&dir, &png(1200, 600), DEFAULT_MAX_MEGAPIXELS).unwrap();
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
    fn crops_have_the_shape_asked_for_and_are_made_once_on_request() {
        assert_eq!(crop_size(1600, 900, 16, 9), (1200, 675));
        assert_eq!(crop_size(1600, 900, 1, 1), (900, 900));
        assert_eq!(crop_size(1600, 900, 4, 3), (1200, 900));
        assert_eq!(crop_size(400, 1000, 16, 9), (400, 225));
        assert_eq!(
            crop_url("/media/2026/11/ab12.png", "4x3", (50, 50)).as_deref(),
            Some("/media/2026/11/ab12-crop-4x3.jpg")
        );
        assert_eq!(
            crop_url("/media/2026/11/ab12.png", "4x3", (20, 70)).as_deref(),
            Some("/media/2026/11/ab12-crop-4x3-f20x70.jpg")
        );
        assert_eq!(crop_url("https://cdn.test/x.jpg", "4x3", (50, 50)), None);
        // The window keeps the focal point in view, within the picture.
        assert_eq!(window_start(1600, 900, 900, 900, (50, 50)), (350, 0));
        assert_eq!(window_start(1600, 900, 900, 900, (10, 50)), (0, 0));
        assert_eq!(window_start(1600, 900, 900, 900, (80, 50)), (700, 0));
        assert_eq!(window_start(1600, 900, 900, 900, (100, 0)), (700, 0));

        let dir = std::env::temp_dir().join(format!("bbn-crop-{}", rand::random::<u64>()));
        let s = store_now(&dir, &png(1600, 900), DEFAULT_MAX_MEGAPIXELS).unwrap();
        let crop = crop_url(&s.url, "1x1", (50, 50)).unwrap();
        let rel = crop.trim_start_matches("/media/");
        let source = crop_source(&dir, rel).unwrap();
        assert_eq!(
            (source.focal, source.url.as_str()),
            ((50, 50), s.url.as_str())
        );
        make_crop(
            &source.original,
            &dir.join(rel),
            source.rw,
            source.rh,
            source.focal,
            DEFAULT_MAX_MEGAPIXELS,
        )
        .unwrap();
        let moved = crop_url(&s.url, "1x1", (10, 90)).unwrap();
        let moved_source = crop_source(&dir, moved.trim_start_matches("/media/")).unwrap();
        assert_eq!(moved_source.focal, (10, 90));
        for odd in ["-f50x50.jpg", "-f101x0.jpg", "-f07x5.jpg", "-fx.jpg"] {
            assert!(
                crop_source(&dir, &rel.replace(".jpg", odd)).is_none(),
                "{odd}"
            );
        }
        let made = image::open(dir.join(rel)).unwrap();
        assert_eq!((made.width(), made.height()), (900, 900));
        // Never a crop of a crop, nor of a resized copy: at most three crops an image.
        assert!(crop_source(&dir, &rel.replace(".jpg", "-crop-4x3.jpg")).is_none());
        let small = s
            .srcset
            .split_whitespace()
            .next()
            .unwrap()
            .trim_start_matches("/media/");
        assert!(crop_source(&dir, &small.replace(".png", "-crop-1x1.jpg")).is_none());
        assert!(crop_source(&dir, "2026/11/nothing-crop-1x1.jpg").is_none());
        assert!(crop_source(&dir, &rel.replace("1x1", "2x1")).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_what_is_not_an_image() {
        let dir = std::env::temp_dir().join("bbn-media-refuse");
        assert!(matches!(
            store_now(&dir, b"<svg onload=alert(1)>", DEFAULT_MAX_MEGAPIXELS),
            Err(MediaError::NotAnImage)
        ));
        // A 2 × 2 screen, then nothing that holds together.
        assert!(matches!(
            store_now(
                &dir,
                b"GIF89a\x02\x00\x02\x00 but not really",
                DEFAULT_MAX_MEGAPIXELS
            ),
            Err(MediaError::Damaged)
        ));
        // Read as a header, the same text declares 25120 × 29813 pixels.
        assert!(matches!(
            store_now(&dir, b"GIF89a but not really", DEFAULT_MAX_MEGAPIXELS),
            Err(MediaError::TooLarge {
                width: 25120,
                height: 29813,
                ..
            })
        ));
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert!(matches!(
            store_now(&dir, &truncated, DEFAULT_MAX_MEGAPIXELS),
            Err(MediaError::Damaged)
        ));
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
