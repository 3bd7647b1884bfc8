//! `bbn-bench images`: pictures as a newsroom uploads them and readers load
//! them, on the real `bbn serve`.
//!
//!     tools/photos     # real photographs into ../shared/photos
//!     target/release/bbn-bench images --count 1000
//!
//! From the photographs in `--photos`, `--count` different pictures are cut
//! (a random crop of a random photograph, 1200 to 2400 pixels wide, saved
//! as a camera would, JPEG quality 90). Then, on a generated site:
//!
//! 1. an article leads with ten of them (featured image and nine more in the
//!    body); once their WebP and AVIF copies are made, the page's pictures
//!    are fetched as a browser that takes only JPEG, one that takes WebP and
//!    one that takes AVIF would (the copy `srcset` offers at 720 pixels,
//!    the reading column's width): the bytes of each;
//! 2. readers request article pages at `--reader-rate` a second, alone for
//!    `--baseline-seconds`, then while `--uploaders` staff upload the other
//!    pictures through the API as fast as they are answered, then while the
//!    server makes the last WebP and AVIF copies: each reader request's
//!    time is taken from when it was due, so a stalled server cannot hide
//!    its stall;
//! 3. the time from the first upload until every picture's copies exist,
//!    and the server's peak memory.

use crate::{SiteArgs, generate, http, open_store, peak_memory_mib, percentile, prepare, start};
use anyhow::{Context, bail};
use image::{DynamicImage, ImageFormat};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    site: SiteArgs,
    /// A folder of real photographs (JPEG): `tools/photos` fills ../shared/photos.
    #[arg(long, default_value = "../shared/photos")]
    photos: PathBuf,
    /// How many pictures are uploaded.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Reader requests a second (article pages), throughout.
    #[arg(long, default_value_t = 100)]
    reader_rate: u32,
    /// How long readers are timed alone, before the uploads.
    #[arg(long, default_value_t = 20)]
    baseline_seconds: u64,
    /// Staff uploading at once.
    #[arg(long, default_value_t = 2)]
    uploaders: usize,
}

/// The pictures on the measured article.
const ON_PAGE: usize = 10;
/// How wide the article shows a picture, in CSS pixels (`sizes`).
const SHOWN_WIDTH: u32 = 720;

pub async fn run(args: Args) -> anyhow::Result<()> {
    let photos = cut_photos(&args.photos, args.count.max(ON_PAGE + 1))?;
    let site = prepare(&args.site, 1_000, "images").await?;
    let store = open_store(&site).await?;
    let token = crate::speed::staff_token(&store).await?;
    let server = start(&args.site, &site, &[])?;
    let port = server.port;
    let bearer = format!("Bearer {token}");

    // 1. The article of ten pictures, and its bytes per format.
    let mut api = http::Client::connect(port)?;
    let mut ids = Vec::new();
    for (n, photo) in photos.iter().take(ON_PAGE).enumerate() {
        ids.push(upload(&mut api, &bearer, n, photo)?.0);
    }
    let body: String = ids[1..]
        .iter()
        .enumerate()
        .map(|(n, id)| {
            format!(
                "Paragraph {n} of the story, before a picture.\\n\\n![Picture {n}]({})\\n\\n",
                media_url(&mut api, &bearer, *id).unwrap_or_default()
            )
        })
        .collect();
    let draft = format!(
        r#"{{"headline":"Ten pictures of the coast","dek":"A story told in pictures.","section":"world","image_id":{},"body_markdown":"{body}"}}"#,
        ids[0]
    );
    let auth = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
    ];
    let created = api.call("POST", "/api/v1/articles", &auth, draft.as_bytes())?;
    if created.status != 201 {
        bail!(
            "creating the article answered {}: {}",
            created.status,
            String::from_utf8_lossy(&created.body)
        );
    }
    let article: serde_json::Value = serde_json::from_slice(&created.body)?;
    let id = article["id"].as_i64().context("article id")?;
    let published = api.call(
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        &auth,
        b"",
    )?;
    if published.status != 200 {
        bail!("publishing answered {}", published.status);
    }
    let published: serde_json::Value = serde_json::from_slice(&published.body)?;
    let path = published["url"]
        .as_str()
        .and_then(|u| u.find("/news/").map(|at| u[at..].to_string()))
        .context("the published article's address")?;
    wait_for_copies(&store, Duration::from_secs(600)).await?;
    let page = http::Client::connect(port)?.get_text(&path)?;
    let chosen = pictures_shown(&page);
    if chosen.len() != ON_PAGE {
        bail!("the article shows {} pictures, not {ON_PAGE}", chosen.len());
    }
    println!(
        "\nArticle {path}: {} bytes of HTML, {ON_PAGE} pictures (the copy chosen at {SHOWN_WIDTH} px wide)\n",
        page.len()
    );
    println!("| browser takes | picture bytes on the page | of JPEG | formats served |");
    println!("|---|---|---|---|");
    let mut jpeg_total = 0;
    for (label, accept) in [
        ("JPEG only", "image/jpeg"),
        ("WebP", "image/webp,image/*,*/*;q=0.8"),
        (
            "AVIF (Chrome's header)",
            "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
        ),
    ] {
        let mut c = http::Client::connect(port)?;
        let mut total = 0;
        let mut kinds = std::collections::BTreeMap::<String, usize>::new();
        for url in &chosen {
            let r = c.call("GET", url, &[("Accept", accept)], b"")?;
            if r.status != 200 {
                bail!("{url} answered {}", r.status);
            }
            total += r.body_len;
            *kinds
                .entry(r.header("content-type").unwrap_or("?").to_string())
                .or_default() += 1;
        }
        if jpeg_total == 0 {
            jpeg_total = total;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!(
            "| {label} | {total} | {:.0}% | {} |",
            100.0 * total as f64 / jpeg_total as f64,
            kinds.join(", ")
        );
    }

    // 2. Readers alone, during the uploads, while the last copies are made.
    let stop = Arc::new(AtomicBool::new(false));
    let samples: Arc<Mutex<Vec<(Instant, f64)>>> = Default::default();
    let readers = reader_load(port, args.reader_rate, stop.clone(), samples.clone());
    // Connections, the page cache and the database warm up first, untimed.
    std::thread::sleep(Duration::from_secs(5));
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(args.baseline_seconds));
    let t1 = Instant::now();
    let next = Arc::new(AtomicUsize::new(ON_PAGE));
    let upload_ms: Arc<Mutex<Vec<f64>>> = Default::default();
    let photos = Arc::new(photos);
    let uploaders: Vec<_> = (0..args.uploaders.max(1))
        .map(|_| {
            let (next, photos, upload_ms, bearer) = (
                next.clone(),
                photos.clone(),
                upload_ms.clone(),
                bearer.clone(),
            );
            std::thread::spawn(move || -> anyhow::Result<()> {
                let mut c = http::Client::connect(port)?;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(photo) = photos.get(n) else {
                        return Ok(());
                    };
                    let started = Instant::now();
                    upload(&mut c, &bearer, n, photo)?;
                    upload_ms
                        .lock()
                        .map_err(|_| anyhow::anyhow!("poisoned"))?
                        .push(started.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    for u in uploaders {
        u.join()
            .map_err(|_| anyhow::anyhow!("an uploader panicked"))??;
    }
    let t2 = Instant::now();
    wait_for_copies(&store, Duration::from_secs(6 * 3600)).await?;
    let t3 = Instant::now();
    // A last stretch of readers alone, after the work.
    std::thread::sleep(Duration::from_secs(args.baseline_seconds));
    let t4 = Instant::now();
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join()
            .map_err(|_| anyhow::anyhow!("a reader panicked"))??;
    }
    let peak = peak_memory_mib(server.child.id())?;
    let samples = samples
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    let phase = |from: Instant, to: Instant| {
        let mut v: Vec<f64> = samples
            .iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .map(|(_, ms)| *ms)
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let uploaded = photos.len() - ON_PAGE;
    let upload_seconds = (t2 - t1).as_secs_f64();
    let mut upload_ms = upload_ms
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    upload_ms.sort_by(f64::total_cmp);
    println!(
        "\n{uploaded} pictures uploaded by {} staff in {upload_seconds:.1} s: {:.2} uploads/s (an upload's median {:.0} ms, p99 {:.0} ms)",
        args.uploaders,
        uploaded as f64 / upload_seconds,
        percentile(&upload_ms, 50.0),
        percentile(&upload_ms, 99.0),
    );
    println!(
        "WebP and AVIF copies of all {} pictures made {:.1} s after the first upload ({:.1} s after the last); server peak memory (VmHWM) {peak:.0} MiB",
        photos.len() - ON_PAGE,
        (t3 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
    );
    println!(
        "\nReaders: {} article pages a second, each timed from when it was due\n",
        args.reader_rate
    );
    println!("| while | requests | median ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    for (label, from, to) in [
        ("readers alone", t0, t1),
        ("staff upload", t1, t2),
        ("copies still being made", t2, t3),
        ("readers alone, after", t3, t4),
    ] {
        let v = phase(from, to);
        println!(
            "| {label} | {} | {:.2} | {:.2} | {:.2} |",
            v.len(),
            percentile(&v, 50.0),
            percentile(&v, 99.0),
            v.last().copied().unwrap_or(f64::NAN)
        );
    }
    store.close().await;
    Ok(())
}

/// `count` different pictures cut from the photographs in `folder`.
fn cut_photos(folder: &std::path::Path, count: usize) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut sources = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(folder)
        .with_context(|| format!("{} (run tools/photos)", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "jpeg"))
        .collect();
    names.sort();
    for name in &names {
        sources.push(image::open(name).with_context(|| name.display().to_string())?);
    }
    if sources.is_empty() {
        bail!("no photographs in {} (run tools/photos)", folder.display());
    }
    let started = Instant::now();
    let cut: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let workers = 2;
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let sources = &sources;
                scope.spawn(move || {
                    (w..count)
                        .step_by(workers)
                        .map(|n| cut_one(sources, n as u64))
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut parts: Vec<Vec<Vec<u8>>> = Vec::new();
        for h in handles {
            parts.push(
                h.join()
                    .map_err(|_| anyhow::anyhow!("cutting panicked"))??,
            );
        }
        // Back in order: worker w made n = w, w + workers, …
        let mut out = Vec::with_capacity(count);
        for n in 0..count {
            out.push(std::mem::take(&mut parts[n % workers][n / workers]));
        }
        anyhow::Ok(out)
    })?;
    let bytes: usize = cut.iter().map(Vec::len).sum();
    println!(
        "{count} pictures cut from {} photographs in {:.1} s ({:.1} MB of JPEG, {:.0} KB each on average)",
        sources.len(),
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / count as f64 / 1e3
    );
    Ok(cut)
}

/// Picture `n`: a crop of a photograph, the size a newsroom uploads.
fn cut_one(sources: &[DynamicImage], n: u64) -> anyhow::Result<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(n);
    let source = &sources[(n as usize) % sources.len()];
    let (w, h) = (source.width(), source.height());
    // A 3:2, 4:3 or 16:9 window of 60–100% of the width.
    let (rw, rh) = [(3, 2), (4, 3), (16, 9)][rng.random_range(0..3)];
    let mut cw = (w as f64 * rng.random_range(0.6..=1.0)) as u32;
    let mut ch = cw * rh / rw;
    if ch > h {
        ch = h;
        cw = ch * rw / rh;
    }
    let x = rng.random_range(0..=w - cw);
    let y = rng.random_range(0..=h - ch);
    let cut = source.crop_imm(x, y, cw, ch);
    let target = rng.random_range(1200..=2400).min(cw);
    let sized = cut.resize_exact(
        target,
        (u64::from(ch) * u64::from(target) / u64::from(cw)) as u32,
        image::imageops::FilterType::Triangle,
    );
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    sized.to_rgb8().write_with_encoder(encoder)?;
    debug_assert!(image::guess_format(&out).ok() == Some(ImageFormat::Jpeg));
    Ok(out)
}

/// Uploads picture `n`; returns its library id and how long the call took.
fn upload(
    c: &mut http::Client,
    bearer: &str,
    n: usize,
    photo: &[u8],
) -> anyhow::Result<(i64, Duration)> {
    let started = Instant::now();
    let r = c.call(
        "POST",
        &format!("/api/v1/media?alt=Picture+{n}&file_name=picture-{n}.jpg"),
        &[("Authorization", bearer), ("Content-Type", "image/jpeg")],
        photo,
    )?;
    if r.status != 201 {
        bail!(
            "uploading picture {n} answered {}: {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&r.body)?;
    Ok((v["id"].as_i64().context("media id")?, started.elapsed()))
}

fn media_url(c: &mut http::Client, bearer: &str, id: i64) -> anyhow::Result<String> {
    let r = c.call(
        "GET",
        &format!("/api/v1/media/{id}"),
        &[("Authorization", bearer)],
        b"",
    )?;
    let v: serde_json::Value = serde_json::from_slice(&r.body)?;
    // The API gives the absolute address; a body names the site's own path.
    let url = v["url"].as_str().context("media url")?;
    Ok(url[url.find("/media/").context("a /media/ address")?..].to_string())
}

/// Waits until no picture waits for its copies.
async fn wait_for_copies(store: &bbn_store::Store, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    while store.media_copies_waiting().await? > 0 {
        if Instant::now() > deadline {
            bail!("the copies were not made within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// For each `<img>` of the article (featured and body), the address a
/// browser showing it `SHOWN_WIDTH` wide at one device pixel per CSS pixel
/// would load: the narrowest `srcset` copy at least that wide, else `src`.
fn pictures_shown(page: &str) -> Vec<String> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..].split('"').next()?.replace("&amp;", "&"))
    };
    let article = page.find("<article").map_or(page, |at| {
        &page[at..page[at..].find("</article>").map_or(page.len(), |e| at + e)]
    });
    article
        .match_indices("<img ")
        .filter_map(|(at, _)| {
            let tag = &article[at..article[at..].find('>')? + at];
            let src = attr(tag, "src")?;
            if !src.starts_with("/media/") {
                return None;
            }
            let best = attr(tag, "srcset").and_then(|set| {
                set.split(',')
                    .filter_map(|c| {
                        let mut p = c.split_whitespace();
                        let url = p.next()?.to_string();
                        let w: u32 = p.next()?.strip_suffix('w')?.parse().ok()?;
                        Some((w, url))
                    })
                    .filter(|(w, _)| *w >= SHOWN_WIDTH)
                    .min()
                    .map(|(_, url)| url)
            });
            Some(best.unwrap_or(src))
        })
        .collect()
}

/// Reader threads requesting article pages at `rate` a second in all, each
/// request timed from when it was due, until `stop`.
fn reader_load(
    port: u16,
    rate: u32,
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<(Instant, f64)>>>,
) -> Vec<std::thread::JoinHandle<anyhow::Result<()>>> {
    const THREADS: u32 = 4;
    let interval = Duration::from_secs_f64(f64::from(THREADS) / f64::from(rate.max(1)));
    (0..THREADS)
        .map(|t| {
            let (stop, samples) = (stop.clone(), samples.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                let mut c = http::Client::connect(port)?;
                let mut rng = StdRng::seed_from_u64(u64::from(t));
                let start = Instant::now() + interval.mul_f64(f64::from(t) / f64::from(THREADS));
                let mut k = 0u32;
                let mut mine = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let due = start + interval * k;
                    k += 1;
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let path = format!("/news/{}", generate::slug(rng.random_range(0..1_000)));
                    let r = c.get(&path)?;
                    if r.status != 200 {
                        bail!("{path} answered {}", r.status);
                    }
                    mine.push((due, due.elapsed().as_secs_f64() * 1000.0));
                }
                samples
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?
                    .extend(mine);
                Ok(())
            })
        })
        .collect()
}
