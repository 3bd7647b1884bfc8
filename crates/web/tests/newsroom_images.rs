//! Featured images as staff upload them and readers see them: checked by
//! content, size-limited, resized for srcset, served with a long cache and
//! without the metadata they came with.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;

use axum::http::StatusCode;
use bbn_core::{Role, SiteSettings, password};
use bbn_store::NewUser;
use bbn_store::testing::TestDb;
use bbn_web::WebConfig;
use browser_like::{Client, app_with};
use image::{DynamicImage, ImageFormat};
use std::io::Cursor;

const PW: &str = "a long enough phrase";

fn picture(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let mut img = image::RgbImage::new(w, h);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]);
    }
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

struct Desk {
    client: Client,
    router: axum::Router,
    state: bbn_web::AppState,
    id: i64,
    media: std::path::PathBuf,
    store: bbn_store::Store,
    _db: TestDb,
}

async fn desk(db: TestDb, max_upload: usize) -> Desk {
    let store = db.store.clone();
    store
        .save_settings(&SiteSettings {
            name: "Big Big News".into(),
            ..SiteSettings::default()
        })
        .await
        .unwrap();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let hash = password::hash(PW).unwrap();
    store
        .create_user(&NewUser {
            email: "e@example.com".into(),
            name: "Eve Editor".into(),
            role: Role::Editor,
            password_hash: Some(hash),
        })
        .await
        .unwrap();
    let media = std::env::temp_dir().join(format!("bbn-images-{}", rand::random::<u64>()));
    let (router, state) = app_with(
        &store,
        WebConfig::new("http://news.example").with_media(media.clone(), max_upload),
    );
    let mut client = Client::new(router.clone());
    client.sign_in("e@example.com", PW).await;
    let form = client.get("/newsroom/articles/new").await;
    let author = store
        .user_for_sign_in("e@example.com")
        .await
        .unwrap()
        .unwrap()
        .0
        .author_id
        .unwrap()
        .to_string();
    let r = client
        .submit(
            "/newsroom/articles/new",
            &form.body,
            &[
                ("headline", "Pictured"),
                ("dek", "D."),
                ("body", "B."),
                ("section_id", &world.to_string()),
                ("authors", &author),
                ("action", "save"),
            ],
        )
        .await;
    let id = r
        .location()
        .unwrap()
        .split('/')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    Desk {
        client,
        router,
        state,
        id,
        media,
        store,
        _db: db,
    }
}

impl Desk {
    async fn upload(
        &mut self,
        name: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> browser_like::Page {
        let page = self
            .client
            .get(&format!("/newsroom/articles/{}/edit", self.id))
            .await;
        self.client
            .upload(
                &format!("/newsroom/articles/{}/image", self.id),
                &page.body,
                fields,
                (name, bytes),
            )
            .await
    }
}

async fn an_upload_becomes_a_responsive_featured_image(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let r = d
        .upload(
            "photo.jpg",
            &picture(ImageFormat::Jpeg, 1800, 1200),
            &[
                ("alt", "Ministers shake hands"),
                ("caption", "In Pyongyang."),
                ("credit", "Photo: Staff"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let a = d.store.article_by_id(d.id).await.unwrap().unwrap();
    let image = a.image.clone().unwrap();
    assert_eq!((image.width, image.height), (Some(1800), Some(1200)));
    assert_eq!(image.alt, "Ministers shake hands");
    assert_eq!(
        image.srcset.matches(", ").count(),
        2,
        "480, 960 and 1600 wide copies: {}",
        image.srcset
    );
    let page = d
        .client
        .get(&format!("/newsroom/articles/{}/preview", d.id))
        .await;
    assert!(
        page.body.contains("srcset=\"/media/")
            && page.body.contains("alt=\"Ministers shake hands\"")
    );
    assert!(page.body.contains("In Pyongyang.") && page.body.contains("Photo: Staff"));
    let mut reader = Client::new(d.router.clone());
    let file = reader.get(&image.url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        file.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let small = image.srcset.split_whitespace().next().unwrap();
    assert_eq!(reader.get(small).await.status, StatusCode::OK);
    // Details change; the image can go again.
    let edit = d
        .client
        .get(&format!("/newsroom/articles/{}/edit", d.id))
        .await;
    let r = d
        .client
        .submit(
            &format!("/newsroom/articles/{}/image/details", d.id),
            &edit.body,
            &[("alt", "Two ministers"), ("caption", ""), ("credit", "AP")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        d.store
            .article_by_id(d.id)
            .await
            .unwrap()
            .unwrap()
            .image
            .unwrap()
            .alt,
        "Two ministers"
    );
    let edit = d
        .client
        .get(&format!("/newsroom/articles/{}/edit", d.id))
        .await;
    d.client
        .submit(
            &format!("/newsroom/articles/{}/image/remove", d.id),
            &edit.body,
            &[],
        )
        .await;
    assert!(
        d.store
            .article_by_id(d.id)
            .await
            .unwrap()
            .unwrap()
            .image
            .is_none()
    );
    std::fs::remove_dir_all(&d.media).unwrap();
}

async fn fake_oversized_and_forged_uploads_are_refused(db: TestDb) {
    let mut d = desk(db, 1024 * 1024).await;
    let fake = d
        .upload("photo.jpg", b"<html><script>alert(1)</script></html>", &[])
        .await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fake.body.contains("not a JPEG, PNG, WebP or GIF image"));
    let svg = d
        .upload(
            "logo.png",
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            &[],
        )
        .await;
    assert_eq!(svg.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut broken = picture(ImageFormat::Png, 300, 300);
    broken.truncate(broken.len() / 2);
    let damaged = d.upload("half.png", &broken, &[]).await;
    assert_eq!(damaged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(damaged.body.contains("could not be read"));
    let big = vec![0u8; 1024 * 1024 + 100 * 1024];
    let oversized = d.upload("big.jpg", &big, &[]).await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(oversized.body.contains("larger than the 1 MB limit"));
    let forged = d
        .upload(
            "ok.png",
            &picture(ImageFormat::Png, 10, 10),
            &[("_csrf", "forged")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        d.store
            .article_by_id(d.id)
            .await
            .unwrap()
            .unwrap()
            .image
            .is_none(),
        "nothing changed"
    );
    let mut reader = Client::new(d.router.clone());
    for path in [
        "/media/../bbn.db",
        "/media/%2e%2e/x.png",
        "/media/2026/01/missing.png",
        "/media/x.html",
    ] {
        assert_eq!(
            reader.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let _ = std::fs::remove_dir_all(&d.media);
}

async fn an_image_without_alt_text_is_flagged(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    d.upload("photo.png", &picture(ImageFormat::Png, 800, 600), &[])
        .await;
    let page = d
        .client
        .get(&format!("/newsroom/articles/{}/edit", d.id))
        .await;
    assert!(page.body.contains("Images without alt text"));
    let _ = std::fs::remove_dir_all(&d.media);
}

async fn admins_set_the_logo(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let hash = password::hash(PW).unwrap();
    d.store
        .create_user(&NewUser {
            email: "a@example.com".into(),
            name: "Ada Admin".into(),
            role: Role::Admin,
            password_hash: Some(hash),
        })
        .await
        .unwrap();
    // The editor may not.
    let home = d.client.get("/newsroom").await;
    let denied = d
        .client
        .upload(
            "/newsroom/settings/logo",
            &home.body,
            &[],
            ("logo.png", &picture(ImageFormat::Png, 400, 100)),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let mut admin = Client::new(d.router.clone());
    admin.sign_in("a@example.com", PW).await;
    let page = admin.get("/newsroom/settings").await;
    let fake = admin
        .upload(
            "/newsroom/settings/logo",
            &page.body,
            &[],
            ("logo.png", b"not an image"),
        )
        .await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = admin
        .upload(
            "/newsroom/settings/logo",
            &page.body,
            &[],
            ("logo.png", &picture(ImageFormat::Png, 400, 100)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let front = Client::new(d.router.clone()).get("/").await.body;
    assert!(
        front.contains("<img class=\"brand__logo\" src=\"/media/")
            && front.contains("alt=\"Big Big News\"")
    );
    let page = admin.get("/newsroom/settings").await;
    admin
        .upload(
            "/newsroom/settings/logo",
            &page.body,
            &[("action", "remove")],
            ("", b""),
        )
        .await;
    assert!(
        !Client::new(d.router.clone())
            .get("/")
            .await
            .body
            .contains("brand__logo")
    );
    let _ = std::fs::remove_dir_all(&d.media);
}

/// A PNG header declaring `w` × `h` RGB pixels, followed by a little of
/// the zeros it promises: a few hundred bytes that would take w × h × 3
/// bytes of memory to decode.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    use img_parts::png::{Png, PngChunk};
    use std::io::Write;
    let mut header = Vec::new();
    header.extend(w.to_be_bytes());
    header.extend(h.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    let mut zeros = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    zeros.write_all(&vec![0u8; 1 << 20]).unwrap();
    let data = zeros.finish().unwrap();
    let chunks = vec![
        PngChunk::new(*b"IHDR", header.into()),
        PngChunk::new(*b"IDAT", data.into()),
        PngChunk::new(*b"IEND", img_parts::Bytes::new()),
    ];
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for chunk in chunks {
        out.extend(chunk.encoder().bytes());
    }
    // It is what it says: a PNG of that size.
    let png = Png::from_bytes(out.clone().into()).unwrap();
    assert_eq!(png.dimensions(), Some((w, h)));
    out
}

async fn image_bomb_png_is_refused_before_decoding(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let bomb = png_bomb(12_000, 12_000);
    assert!(bomb.len() < 10_000, "{} bytes", bomb.len());
    let r = d.upload("bomb.png", &bomb, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("12000 × 12000 pixels") && r.body.contains("at most 40 megapixels"),
        "the refusal names the size and the limit: {}",
        r.body
    );
    // Under the limit, the same kind of file is only damaged.
    let r = d.upload("short.png", &png_bomb(1000, 1000), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("could not be read"), "{}", r.body);
    assert!(
        d.store
            .article_by_id(d.id)
            .await
            .unwrap()
            .unwrap()
            .image
            .is_none()
    );
    let _ = std::fs::remove_dir_all(&d.media);
}

/// What a camera or an editor might leave in a file.
const PLANTED: &str = "GPS 51.5N 0.12W, taken by Jane Source";

/// Uploads `bytes` as the featured image and returns the original as a reader gets it.
async fn served_original(d: &mut Desk, name: &str, bytes: &[u8]) -> Vec<u8> {
    assert!(
        bytes
            .windows(PLANTED.len())
            .any(|w| w == PLANTED.as_bytes()),
        "the test file carries the text"
    );
    let r = d.upload(name, bytes, &[("alt", "A picture")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = d
        .store
        .article_by_id(d.id)
        .await
        .unwrap()
        .unwrap()
        .image
        .unwrap()
        .url;
    // The bytes as sent (the test client keeps bodies as text).
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(&url)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = d.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let served = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    assert!(
        !served
            .windows(PLANTED.len())
            .any(|w| w == PLANTED.as_bytes()),
        "{name}: the metadata reached the reader"
    );
    served
}

async fn png_metadata_is_stripped(db: TestDb) {
    use img_parts::png::{Png, PngChunk};
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let mut png = Png::from_bytes(picture(ImageFormat::Png, 64, 48).into()).unwrap();
    let end = png.chunks().len() - 1;
    let chunks = png.chunks_mut();
    chunks.insert(
        1,
        PngChunk::new(*b"tEXt", format!("Location\0{PLANTED}").into_bytes().into()),
    );
    chunks.insert(
        1,
        PngChunk::new(*b"eXIf", format!("MM\0*{PLANTED}").into_bytes().into()),
    );
    chunks.insert(
        end + 2,
        PngChunk::new(
            *b"iTXt",
            format!("Author\0\0\0\0\0{PLANTED}").into_bytes().into(),
        ),
    );
    let served = served_original(&mut d, "photo.png", &png.encoder().bytes()).await;
    let back = image::load_from_memory(&served).unwrap();
    assert_eq!((back.width(), back.height()), (64, 48));
    assert_eq!(
        back.to_rgb8(),
        image::load_from_memory(&picture(ImageFormat::Png, 64, 48))
            .unwrap()
            .to_rgb8(),
        "the pixels are untouched"
    );
    let _ = std::fs::remove_dir_all(&d.media);
}

async fn gif_metadata_is_stripped(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    // An animated GIF that loops for ever, two frames.
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder
            .set_repeat(image::codecs::gif::Repeat::Infinite)
            .unwrap();
        for shade in [40u8, 200] {
            let frame = image::RgbaImage::from_pixel(64, 48, image::Rgba([shade, 90, 30, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    // A comment and an application block, right after the screen and its palette.
    let flags = gif[10];
    let palette = if flags & 0x80 != 0 {
        3 << ((flags & 7) + 1)
    } else {
        0
    };
    let at = 13 + palette;
    let mut planted = vec![0x21, 0xFE, PLANTED.len() as u8];
    planted.extend(PLANTED.as_bytes());
    planted.push(0);
    planted.extend([0x21, 0xFF, 11]);
    planted.extend(b"XMP DataXMP");
    planted.push(PLANTED.len() as u8);
    planted.extend(PLANTED.as_bytes());
    planted.push(0);
    gif.splice(at..at, planted);
    let served = served_original(&mut d, "moving.gif", &gif).await;
    // Still animated, still looping.
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(&served[..]).unwrap();
    assert_eq!((decoder.width(), decoder.height()), (64, 48));
    assert_eq!(decoder.repeat(), gif::Repeat::Infinite);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        frames.push(frame.buffer[..4].to_vec());
    }
    assert_eq!(frames.len(), 2);
    assert_ne!(frames[0], frames[1]);
    let _ = std::fs::remove_dir_all(&d.media);
}

async fn webp_metadata_is_stripped(db: TestDb) {
    use img_parts::ImageEXIF;
    use img_parts::riff::{RiffChunk, RiffContent};
    use img_parts::webp::WebP;
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let mut webp = WebP::from_bytes(picture(ImageFormat::WebP, 64, 48).into()).unwrap();
    webp.chunks_mut().push(RiffChunk::new(
        *b"XMP ",
        RiffContent::Data(
            format!("<x:xmpmeta>{PLANTED}</x:xmpmeta>")
                .into_bytes()
                .into(),
        ),
    ));
    // Adds the EXIF chunk and the extended header that announces both.
    webp.set_exif(Some(format!("MM\0*{PLANTED}").into_bytes().into()));
    let served = served_original(&mut d, "photo.webp", &webp.encoder().bytes()).await;
    let back = image::load_from_memory(&served).unwrap();
    assert_eq!((back.width(), back.height()), (64, 48));
    let cleaned = WebP::from_bytes(served.into()).unwrap();
    assert!(!cleaned.has_chunk(*b"EXIF") && !cleaned.has_chunk(*b"XMP "));
    if let Some(header) = cleaned.chunk_by_id(*b"VP8X") {
        let flags = header.content().data().unwrap()[0];
        assert_eq!(flags & 0b1100, 0, "the header promises no EXIF or XMP");
    }
    let _ = std::fs::remove_dir_all(&d.media);
}

async fn jpeg_metadata_is_stripped(db: TestDb) {
    use img_parts::ImageEXIF;
    use img_parts::jpeg::{Jpeg, JpegSegment, markers};
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let mut jpeg = Jpeg::from_bytes(picture(ImageFormat::Jpeg, 64, 48).into()).unwrap();
    jpeg.set_exif(Some(format!("MM\0*{PLANTED}").into_bytes().into()));
    jpeg.segments_mut().insert(
        1,
        JpegSegment::new_with_contents(markers::COM, PLANTED.as_bytes().to_vec().into()),
    );
    let served = served_original(&mut d, "photo.jpg", &jpeg.encoder().bytes()).await;
    let back = image::load_from_memory(&served).unwrap();
    assert_eq!((back.width(), back.height()), (64, 48));
    let _ = std::fs::remove_dir_all(&d.media);
}

/// The media library: many files at once, found by words, an item's
/// details changed once and shown in a body and as a featured image,
/// deletion refused while used, the files gone with an unused item.
async fn the_media_library_keeps_one_copy_of_each_picture(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let library = d.client.get("/newsroom/media").await;
    assert_eq!(library.status, StatusCode::OK);
    assert!(library.body.contains("The library is empty"));
    let (harbour, bridge) = (
        picture(ImageFormat::Jpeg, 1600, 900),
        picture(ImageFormat::Png, 500, 500),
    );
    let r = d
        .client
        .upload_many(
            "/newsroom/media/upload",
            &library.body,
            &[
                ("harbour.jpg", &harbour),
                ("notes.txt", b"not a picture"),
                ("bridge.png", &bridge),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one file is refused, and said so"
    );
    assert!(
        r.body.contains("2 files were added") && r.body.contains("notes.txt"),
        "{}",
        r.body
    );
    let library = d.client.get("/newsroom/media").await;
    assert!(library.body.contains("harbour.jpg") && library.body.contains("bridge.png"));
    assert!(library.body.contains("2 items"));
    let found = d.client.get("/newsroom/media?q=HARB").await;
    assert!(found.body.contains("harbour.jpg") && !found.body.contains("bridge.png"));
    let (items, _) = d
        .store
        .media_list(&bbn_store::MediaQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let id_of = |name: &str| items.iter().find(|m| m.file_name == name).unwrap().clone();
    let (harbour, bridge) = (id_of("harbour.jpg"), id_of("bridge.png"));
    assert_eq!(
        (harbour.mime.as_str(), harbour.width),
        ("image/jpeg", Some(1600))
    );
    assert!(harbour.bytes > 0 && harbour.uploaded_by.is_some());

    // In the body (as the rich editor writes it) and as the featured image.
    let mut a = d.store.article_by_id(d.id).await.unwrap().unwrap();
    let mut draft = bbn_core::validate::ArticleDraft::from(&a);
    draft.body_format = bbn_core::BodyFormat::Document;
    draft.body_markdown = format!(
        r#"{{"type":"doc","content":[{{"type":"paragraph","content":[{{"type":"text","text":"Text."}}]}},{{"type":"image","attrs":{{"src":"{}","alt":"","caption":"","credit":"","media":{}}}}}]}}"#,
        harbour.url, harbour.id
    );
    d.store
        .update_article(d.id, draft, None, false)
        .await
        .unwrap();
    let picker = d.client.get(&format!("/newsroom/media?for={}", d.id)).await;
    assert!(picker.body.contains("Use as featured image"));
    let r = d
        .client
        .submit(
            &format!("/newsroom/articles/{}/image/choose", d.id),
            &picker.body,
            &[("media_id", &harbour.id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    a = d.store.article_by_id(d.id).await.unwrap().unwrap();
    assert_eq!(a.image.as_ref().map(|i| i.id), Some(harbour.id));

    // The details, changed once in the library, show in both places.
    let page = d
        .client
        .get(&format!("/newsroom/media/{}", harbour.id))
        .await;
    assert!(
        page.body.contains("Used in 1 article")
            && page
                .body
                .contains(&format!("/newsroom/articles/{}/edit", d.id))
    );
    let r = d
        .client
        .submit(
            &format!("/newsroom/media/{}", harbour.id),
            &page.body,
            &[
                ("alt", "Fishing boats in the harbour"),
                ("caption", "Dawn"),
                ("credit", "Staff"),
                ("focal_x", "25"),
                ("focal_y", "60.4"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = d.store.article_by_id(d.id).await.unwrap().unwrap();
    assert_eq!(
        after.image.as_ref().unwrap().alt,
        "Fishing boats in the harbour"
    );
    assert!(
        after
            .body_html
            .contains(r#"alt="Fishing boats in the harbour""#),
        "{}",
        after.body_html
    );
    assert!(
        after.revision > a.revision,
        "the body's change is a revision of its own"
    );
    let item = d.store.media_item(harbour.id).await.unwrap().unwrap();
    assert_eq!((item.focal_x, item.focal_y), (25, 60));
    // Crops keep the focal point in view, under an address of their own;
    // a point the library does not hold is no crop at all.
    let stem = harbour.url.trim_end_matches(".jpg");
    let mut reader = Client::new(d.router.clone());
    let crop = reader.get(&format!("{stem}-crop-16x9-f25x60.jpg")).await;
    assert_eq!(
        (crop.status, crop.header("content-type")),
        (StatusCode::OK, Some("image/jpeg"))
    );
    assert_eq!(
        reader
            .get(&format!("{stem}-crop-16x9-f30x60.jpg"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        after.image.as_ref().unwrap().focal,
        (25, 60),
        "what social cards and JSON-LD name"
    );

    // Deleting: refused while used, then the files go with the item.
    let page = d
        .client
        .get(&format!("/newsroom/media/{}", harbour.id))
        .await;
    let r = d
        .client
        .submit(
            &format!("/newsroom/media/{}/delete", harbour.id),
            &page.body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("in use"), "{}", r.body);
    let unused = d.client.get("/newsroom/media?unused=1").await;
    assert!(unused.body.contains("bridge.png") && !unused.body.contains("harbour.jpg"));
    let file = d.media.join(bridge.url.trim_start_matches("/media/"));
    assert!(file.is_file());
    let page = d
        .client
        .get(&format!("/newsroom/media/{}", bridge.id))
        .await;
    let r = d
        .client
        .submit(
            &format!("/newsroom/media/{}/delete", bridge.id),
            &page.body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!file.exists());
    assert_eq!(
        d.client
            .get(&format!("/newsroom/media/{}", bridge.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A forged form changes nothing.
    let r = d
        .client
        .post_form(
            &format!("/newsroom/media/{}", harbour.id),
            &[("_csrf", "forged"), ("alt", "Vandal")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        d.store.media_item(harbour.id).await.unwrap().unwrap().alt,
        "Fishing boats in the harbour"
    );
    std::fs::remove_dir_all(&d.media).unwrap();
}

/// What a browser that sends `accept` is given for `url`: type, `Vary`, bytes.
async fn fetch_as(d: &Desk, url: &str, accept: &str) -> (String, String, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(url)
        .header("accept", accept)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = d.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (kind, vary) = (header("content-type"), header("vary"));
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (kind, vary, bytes.to_vec())
}

async fn webp_and_avif_copies_follow_an_upload_and_go_to_browsers_that_take_them(db: TestDb) {
    let mut d = desk(db, 10 * 1024 * 1024).await;
    let r = d
        .upload(
            "photo.jpg",
            &picture(ImageFormat::Jpeg, 1000, 600),
            &[("alt", "A harbour")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let image = d
        .store
        .article_by_id(d.id)
        .await
        .unwrap()
        .unwrap()
        .image
        .unwrap();
    let small = image.srcset.split_whitespace().next().unwrap().to_string();
    const CHROME: &str = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

    // Until the copies are made, every browser is given the JPEG, and
    // caches are told the answer depends on Accept.
    let (kind, vary, jpeg) = fetch_as(&d, &small, CHROME).await;
    assert_eq!((kind.as_str(), vary.as_str()), ("image/jpeg", "Accept"));

    // The background task takes the upload once, and only once.
    let taken = bbn_web::media::variants::make_waiting(&d.state)
        .await
        .unwrap();
    assert_eq!(taken, 1);
    assert_eq!(
        bbn_web::media::variants::make_waiting(&d.state)
            .await
            .unwrap(),
        0
    );

    for (accept, expected) in [
        (CHROME, "image/avif"),
        ("image/webp,*/*", "image/webp"),
        ("image/avif;q=0, image/webp", "image/webp"),
        ("*/*", "image/jpeg"),
        ("", "image/jpeg"),
    ] {
        for url in [&image.url, &small] {
            let (kind, vary, bytes) = fetch_as(&d, url, accept).await;
            assert_eq!(
                (kind.as_str(), vary.as_str()),
                (expected, "Accept"),
                "{accept}"
            );
            match expected {
                "image/avif" => assert_eq!(&bytes[4..12], b"ftypavif", "an AVIF file"),
                "image/webp" => {
                    let decoded = image::load_from_memory_with_format(&bytes, ImageFormat::WebP)
                        .expect("a WebP picture");
                    assert_eq!(decoded.width(), if url == &small { 480 } else { 1000 });
                }
                _ => assert_eq!(&bytes[..2], b"\xff\xd8", "a JPEG"),
            }
            if url == &small && expected != "image/jpeg" {
                assert!(
                    bytes.len() < jpeg.len(),
                    "{expected}: {} ≥ {}",
                    bytes.len(),
                    jpeg.len()
                );
            }
        }
    }

    // A range of bytes, as players and resumed downloads ask, of the copy
    // the browser is given.
    {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::get(&small)
            .header("accept", CHROME)
            .header("range", "bytes=4-11")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = d.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
        let range = response.headers()["content-range"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(range.starts_with("bytes 4-11/"), "{range}");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"ftypavif");
    }

    // A crop is made, then the item goes: none of its files stay behind.
    let stem = image.url.trim_end_matches(".jpg");
    let crop = format!("{stem}-crop-16x9.jpg");
    assert_eq!(fetch_as(&d, &crop, "*/*").await.0, "image/jpeg");
    let folder = d
        .media
        .join(image.url.trim_start_matches("/media/"))
        .parent()
        .unwrap()
        .to_path_buf();
    let name = image
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".jpg")
        .to_string();
    let files_of_item = || {
        std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(&name))
            .count()
    };
    // The original, two copies, their AVIF and WebP forms and the crop.
    assert_eq!(files_of_item(), 3 * 3 + 1);
    bbn_web::media::remove_files(d.media.clone(), image.url.clone(), image.srcset.clone()).await;
    assert_eq!(files_of_item(), 0);
    std::fs::remove_dir_all(&d.media).unwrap();
}

bbn_store::on_both_backends!(
    webp_and_avif_copies_follow_an_upload_and_go_to_browsers_that_take_them,
    the_media_library_keeps_one_copy_of_each_picture,
    image_bomb_png_is_refused_before_decoding,
    jpeg_metadata_is_stripped,
    png_metadata_is_stripped,
    gif_metadata_is_stripped,
    webp_metadata_is_stripped,
    an_upload_becomes_a_responsive_featured_image,
    fake_oversized_and_forged_uploads_are_refused,
    an_image_without_alt_text_is_flagged,
    admins_set_the_logo,
);
