//! WebP and AVIF copies of every stored JPEG and PNG: the same pixels in a
//! third to a half of the bytes, for the browsers that say they read them
//! (`serve` picks by the request's `Accept`, with `Vary: Accept`).
//!
//! They are made once per item, after its upload has been answered, by one
//! background task per instance that takes waiting items from the library
//! (`Store::take_variant_work`, so two instances never make the same
//! item's copies at once) and does the pixel work one picture at a time on
//! a thread of its own at the kernel's idle priority (`SCHED_IDLE`): never
//! on a thread that serves requests, and never taking the CPU from readers
//! or from an upload someone waits for. Until an item's copies exist,
//! its JPEG or PNG is served to everyone; a copy is written under a
//! temporary name and renamed, so no reader gets half a file.
//!
//! A copy's name is its source's name with the format added
//! (`abc-960.jpg.avif`), so each stored file has at most one of each.

use super::{MediaError, decode, resolve};
use crate::AppState;
use image::{DynamicImage, ImageFormat};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The formats copies are made in, best first: the order `serve` tries them.
pub const FORMATS: [Variant; 2] = [Variant::Avif, Variant::Webp];

/// Originals larger than this on their longest side get no copies of their
/// own: pages ask for the resized ones (at most 1600 wide), and encoding a
/// 40-megapixel picture as AVIF would hold the queue for a minute.
pub const LARGEST_COPIED: u32 = 2400;

/// WebP's own limit on a side.
const WEBP_MAX_SIDE: u32 = 16_383;

/// libwebp's quality (0–100) for the copies: its default, near JPEG 82 by eye.
const WEBP_QUALITY: f32 = 75.0;
/// ravif's quality (1–100) and speed (1 slow – 10 fast). Without assembly
/// (a build of bbn needs no assembler), AVIF is slow to encode: at speed 10
/// a 960 × 640 picture takes about half a second of one core.
const AVIF_QUALITY: u8 = 60;
const AVIF_SPEED: u8 = 10;
/// Pictures of more pixels than this get a WebP copy only: AVIF's time
/// grows with the pixels, and phones, where bytes count most, load the
/// copies up to 960 wide.
pub const AVIF_MAX_PIXELS: u64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Avif,
    Webp,
}

impl Variant {
    pub fn extension(self) -> &'static str {
        match self {
            Variant::Avif => "avif",
            Variant::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Variant::Avif => "image/avif",
            Variant::Webp => "image/webp",
        }
    }

    fn encode(self, img: &DynamicImage) -> Result<Vec<u8>, MediaError> {
        match self {
            Variant::Webp => {
                if img.width() > WEBP_MAX_SIDE || img.height() > WEBP_MAX_SIDE {
                    return Err(MediaError::Damaged);
                }
                let encoded = if img.color().has_alpha() {
                    let rgba = img.to_rgba8();
                    webp::Encoder::from_rgba(&rgba, img.width(), img.height())
                        .encode_simple(false, WEBP_QUALITY)
                        .map(|m| m.to_vec())
                } else {
                    let rgb = img.to_rgb8();
                    webp::Encoder::from_rgb(&rgb, img.width(), img.height())
                        .encode_simple(false, WEBP_QUALITY)
                        .map(|m| m.to_vec())
                };
                encoded.map_err(|_| MediaError::Damaged)
            }
            Variant::Avif => {
                let mut out = Vec::new();
                let encoder = image::codecs::avif::AvifEncoder::new_with_speed_quality(
                    &mut out,
                    AVIF_SPEED,
                    AVIF_QUALITY,
                )
                .with_num_threads(Some(1));
                if img.color().has_alpha() {
                    img.to_rgba8().write_with_encoder(encoder)?;
                } else {
                    img.to_rgb8().write_with_encoder(encoder)?;
                }
                Ok(out)
            }
        }
    }
}

/// Whether a stored file of this name may have copies: JPEGs and PNGs (GIFs
/// keep their animation, WebPs are already small).
pub fn has_variants(path: &str) -> bool {
    path.ends_with(".jpg") || path.ends_with(".png")
}

/// The name of `path`'s copy in `variant`.
pub fn variant_path(path: &str, variant: Variant) -> String {
    format!("{path}.{}", variant.extension())
}

/// What the background task did with one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Copies written (or found already written): how many files.
    Made(usize),
    /// Nothing to copy: not a file bbn stores, or not a JPEG or PNG.
    None,
}

/// Makes the WebP and AVIF copies of a stored image at `url` and of its
/// resized copies listed in `srcset`. Blocking: run it on an `ImageWork`.
/// Copies already on disk are kept, so a second run costs a directory read.
pub fn make(
    root: &FsPath,
    url: &str,
    srcset: &str,
    max_megapixels: u32,
) -> Result<Outcome, MediaError> {
    let Some(rel) = url.strip_prefix("/media/") else {
        return Ok(Outcome::None);
    };
    if !has_variants(rel) {
        return Ok(Outcome::None);
    }
    let Some(original) = resolve(root, rel) else {
        return Ok(Outcome::None);
    };
    // The resized copies, by the width they were made at.
    let copies: Vec<(PathBuf, u32)> = srcset
        .split(',')
        .filter_map(|candidate| {
            let mut parts = candidate.split_whitespace();
            let path = parts.next()?.strip_prefix("/media/")?;
            let width = parts.next()?.strip_suffix('w')?.parse::<u32>().ok()?;
            (has_variants(path) && width > 0)
                .then(|| resolve(root, path).map(|p| (p, width)))
                .flatten()
        })
        .collect();
    let bytes = std::fs::read(&original)?;
    let format = image::guess_format(&bytes).map_err(|_| MediaError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        return Ok(Outcome::None);
    }
    let (width, height) = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format)
        .into_dimensions()
        .map_err(|_| MediaError::Damaged)?;
    // The files to copy, each at the width it is (the original only when
    // small enough to be shown as it is).
    let mut sources: Vec<(PathBuf, u32)> = copies.into_iter().filter(|(_, w)| *w < width).collect();
    if width.max(height) <= LARGEST_COPIED {
        sources.push((original, width));
    }
    // A file is done once its WebP form is written (its AVIF form, when it
    // has one, is written first): a second run decodes nothing.
    sources.retain(|(path, _)| !with_variant(path, Variant::Webp).is_file());
    if sources.is_empty() {
        return Ok(Outcome::Made(0));
    }
    let decoded = decode(&bytes, format, max_megapixels)?;
    drop(bytes);
    let mut written = 0;
    for (path, w) in sources {
        written += if w == decoded.width() {
            write_variants(&decoded, &path)?
        } else {
            let h = ((u64::from(decoded.height()) * u64::from(w)) / u64::from(decoded.width()))
                .max(1) as u32;
            let small = decoded.resize_exact(w, h, image::imageops::FilterType::Triangle);
            write_variants(&small, &path)?
        };
    }
    Ok(Outcome::Made(written))
}

fn with_variant(path: &FsPath, variant: Variant) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(variant.extension());
    PathBuf::from(name)
}

/// The formats a picture of this size gets copies in.
pub fn formats_for(width: u32, height: u32) -> impl Iterator<Item = Variant> {
    let pixels = u64::from(width) * u64::from(height);
    FORMATS
        .into_iter()
        .filter(move |v| *v != Variant::Avif || pixels <= AVIF_MAX_PIXELS)
}

/// Writes each missing copy of `img` beside `source`; returns how many.
fn write_variants(img: &DynamicImage, source: &FsPath) -> Result<usize, MediaError> {
    let mut written = 0;
    for variant in formats_for(img.width(), img.height()) {
        let target = with_variant(source, variant);
        if target.is_file() {
            continue;
        }
        let encoded = variant.encode(img)?;
        let tmp = target.with_extension(format!("tmp{}", rand::random::<u32>()));
        let result = (|| -> std::io::Result<()> {
            std::fs::write(&tmp, &encoded)?;
            // On disk before it has its name: a power cut never leaves an
            // empty file where a picture should be.
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &target)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        written += 1;
    }
    Ok(written)
}

/// Wakes the background task when an upload has left work for it.
#[derive(Debug, Default)]
pub struct VariantQueue {
    wake: Notify,
}

impl VariantQueue {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Items taken from the library at a time.
const BATCH: i64 = 16;
/// How long the task sleeps when woken by nothing: it also picks up what
/// other instances' uploads and stale leases left.
const IDLE: Duration = Duration::from_secs(60);

/// The background task: makes every waiting item's copies, then sleeps
/// until an upload wakes it (or a minute passes). Runs until the process ends.
pub async fn run(state: AppState, queue: Arc<VariantQueue>) {
    loop {
        match make_waiting(&state).await {
            Ok(0) => {
                tokio::select! {
                    () = queue.wake.notified() => {}
                    () = tokio::time::sleep(IDLE) => {}
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot take image copy work from the library");
                tokio::time::sleep(IDLE).await;
            }
        }
    }
}

/// Makes the copies of one batch of waiting items; returns how many it took.
pub async fn make_waiting(state: &AppState) -> Result<usize, bbn_store::StoreError> {
    let Some(root) = state.config.media_dir.clone() else {
        return Ok(0);
    };
    let work = state.store.take_variant_work(BATCH).await?;
    let taken = work.len();
    for item in work {
        let outcome = if item.kind != "image" {
            "none"
        } else {
            let (root, url, srcset) = (root.clone(), item.url.clone(), item.srcset.clone());
            let max_megapixels = state.config.max_image_megapixels;
            let started = std::time::Instant::now();
            match super::work::on_own_thread(super::work::Priority::Idle, move || {
                make(&root, &url, &srcset, max_megapixels)
            })
            .await
            {
                Ok(Outcome::Made(n)) => {
                    tracing::debug!(item = item.id, files = n, took = ?started.elapsed(), "image copies made");
                    "made"
                }
                Ok(Outcome::None) => "none",
                Err(e) => {
                    tracing::warn!(item = item.id, error = %e, "cannot make an image's WebP and AVIF copies");
                    "failed"
                }
            }
        };
        state
            .store
            .finish_variant_work(item.id, &item.url, outcome)
            .await?;
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_pictures_get_webp_only() {
        let formats = |w, h| formats_for(w, h).collect::<Vec<_>>();
        assert_eq!(formats(960, 640), [Variant::Avif, Variant::Webp]);
        assert_eq!(formats(1600, 1067), [Variant::Webp]);
        assert_eq!(
            variant_path("/media/a-960.jpg", Variant::Avif),
            "/media/a-960.jpg.avif"
        );
        assert!(has_variants("a.png") && !has_variants("a.gif") && !has_variants("a.webp"));
    }
}
