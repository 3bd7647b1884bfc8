//! Featured images as staff upload them and readers see them: checked by
//! content, size-limited, resized for srcset, served with a long cache.

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
    let (router, _) = app_with(
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

bbn_store::on_both_backends!(
    an_upload_becomes_a_responsive_featured_image,
    fake_oversized_and_forged_uploads_are_refused,
    an_image_without_alt_text_is_flagged,
    admins_set_the_logo,
);
