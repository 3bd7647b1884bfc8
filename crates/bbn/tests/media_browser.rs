//! The media library in headless Chromium, on SQLite and on PostgreSQL: a
//! photo editor drops 20 pictures on the library page; a reporter finds one
//! of them from the rich editor's image dialog and puts it in a story's
//! body, and makes it the story's featured image from the library; the
//! photo editor changes its alt text once, in the library, and readers see
//! the new words in both places; the library refuses to delete it while
//! the story uses it. A story with a YouTube and an X embed asks nothing of
//! either until the reader presses its button.
//! Screenshots land in target/screenshots/media-*.png.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use support::client::{Api, admin_and_token, data_dir_args};
use support::webdriver::Browser;
use support::{Server, http_get, temp_dir};

const PW: &str = "correct horse battery";
const BODY: &str = ".rich-editor [contenteditable=true]";
const NEW_ALT: &str = "The number seven on a blue ground";

fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Drops `n` JPEG pictures (drawn on canvases, numbered) on the page, as a
/// file manager's drag and drop delivers them: a `drop` event whose
/// `DataTransfer` carries the files.
const DROP_PICTURES: &str = r##"
const n = arguments[0];
const dt = new DataTransfer();
for (let i = 1; i <= n; i++) {
  const c = document.createElement("canvas");
  c.width = 900; c.height = 600;
  const g = c.getContext("2d");
  g.fillStyle = `hsl(${i * 18}, 70%, 45%)`;
  g.fillRect(0, 0, 900, 600);
  g.fillStyle = "#fff";
  g.font = "bold 200px sans-serif";
  g.fillText(String(i), 330, 380);
  const data = atob(c.toDataURL("image/jpeg", 0.85).split(",")[1]);
  const bytes = new Uint8Array(data.length);
  for (let j = 0; j < data.length; j++) bytes[j] = data.charCodeAt(j);
  dt.items.add(new File([bytes], `upload-${String(i).padStart(2, "0")}.jpg`, { type: "image/jpeg" }));
}
document.body.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
return dt.files.length;
"##;

/// The id of the input labelled `label` in the open dialog.
fn dialog_field(b: &Browser, label: &str) -> String {
    let id = b.eval(&format!(
        "return [...document.querySelectorAll('[role=dialog] label')].find(l => l.textContent === {label:?})?.htmlFor || ''"
    ));
    let id = id.as_str().unwrap_or_default().to_string();
    assert!(!id.is_empty(), "the dialog has a field labelled {label}");
    format!("#{id}")
}

/// `extra`: the arguments naming the database besides the data folder
/// (none for SQLite).
fn library_in_chromium(dir: &Path, extra: &[&str]) {
    let mut site = data_dir_args(dir);
    site.extend(extra.iter().map(|s| s.to_string()));
    let site: Vec<&str> = site.iter().map(String::as_str).collect();
    Server::start(dir, extra).terminate();
    let token = admin_and_token(&site, "ada@example.com", PW);
    let server = Server::start_logged(dir, extra);
    let base = format!("http://127.0.0.1:{}", server.port);
    let api = Api {
        port: server.port,
        token,
    };
    let b = Browser::start();
    b.viewport(1280, 900);
    b.sign_in(&base, "ada@example.com", PW);

    // Twenty pictures dropped on the library at once.
    b.open(&format!("{base}/newsroom/media"));
    assert_eq!(
        b.eval(&format!(
            "return (function () {{ {DROP_PICTURES} }}).apply(null, [20])"
        )),
        20
    );
    wait_until("the 20 uploads", Duration::from_secs(60), || {
        b.url().contains("done=20")
    });
    b.wait_loaded();
    assert!(b.text().contains("20 files uploaded."), "{}", b.text());
    let (status, found) = api.call("GET", "/media?q=upload-&per_page=50", None);
    assert_eq!(status, 200, "{found}");
    assert_eq!(
        found["data"].as_array().unwrap().len(),
        20,
        "every dropped file is in the library"
    );
    b.open(&format!("{base}/newsroom/media?q=upload-"));
    assert_eq!(
        b.eval("return document.querySelectorAll('.nr-media-tile').length"),
        20
    );
    b.screenshot("media-01-library");
    let (_, seven) = api.call("GET", "/media?q=upload-07", None);
    let seven = &seven["data"][0];
    let media_id = seven["id"].as_i64().unwrap();
    assert_eq!(
        (seven["mime"].as_str(), seven["width"].as_i64()),
        (Some("image/jpeg"), Some(900))
    );

    // A story: the picture goes in its body from the image dialog's
    // library search, and becomes its featured image from the library.
    let (status, a) = api.call(
        "POST",
        "/articles",
        Some(&json!({"headline": "Seven days that shook the harbour", "section": "world",
            "dek": "A week on the quays.",
            "body_document": {"type": "doc", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "The first paragraph."}]}]}})),
    );
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    b.open(&format!("{base}/newsroom/articles/{id}/edit"));
    wait_until("the live editor in step", Duration::from_secs(10), || {
        b.eval("return document.querySelector('.rich-editor')?.dataset.liveState || ''") == "synced"
    });
    b.press(BODY);
    b.press(".rich-editor__toolbar button[aria-label=\"Image\"]");
    let search = dialog_field(&b, "Or find it in the media library");
    b.keys(&search, "upload-07");
    wait_until("the library's answer", Duration::from_secs(5), || {
        b.eval("return document.querySelectorAll('[role=dialog] [role=option]').length") == 1
    });
    b.press("[role=dialog] [role=option]");
    b.type_into(&dialog_field(&b, "Alt text (required)"), "Seven");
    b.press("[role=dialog] button[type=submit]");
    wait_until("the picture in the body", Duration::from_secs(5), || {
        b.eval("return document.querySelectorAll('.rich-editor__body img').length") == 1
    });
    b.keys_to_new_page(BODY, "\u{E009}s");
    let (_, saved) = api.call("GET", &format!("/articles/{id}"), None);
    assert!(
        saved["body_markdown"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("\"media\":{media_id}")),
        "{saved}"
    );
    b.open(&format!("{base}/newsroom/media?for={id}&q=upload-07"));
    b.click(".nr-media-tile form button[type=submit]");
    assert!(b.url().contains(&format!("/newsroom/articles/{id}/edit")));
    let (status, published) =
        api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
    assert!(status < 300, "{published}");
    assert_eq!(published["image"]["id"].as_i64(), Some(media_id));
    let slug = published["slug"].as_str().unwrap().to_string();

    // The alt text, changed once in the library, shows in both places.
    b.open(&format!("{base}/newsroom/media/{media_id}"));
    assert!(
        b.text().to_lowercase().contains("used in 1 article"),
        "{}",
        b.text()
    );
    b.type_into("#m-alt", NEW_ALT);
    b.click(&format!(
        "form[action='/newsroom/media/{media_id}'] button[type=submit]"
    ));
    assert!(b.text().contains("Saved."), "{}", b.text());
    b.screenshot("media-02-item");
    let alt = format!("alt=\"{NEW_ALT}\"");
    wait_until(
        "the new alt text in both places",
        Duration::from_secs(10),
        || {
            http_get(server.port, &format!("/news/{slug}"))
                .is_some_and(|(_, page)| page.matches(&alt).count() >= 2)
        },
    );
    b.open(&format!("{base}/news/{slug}"));
    let alts = b.eval(&format!(
        "return [...document.querySelectorAll('main img')].filter(i => i.alt === {NEW_ALT:?}).length"
    ));
    assert!(
        alts.as_i64().unwrap_or(0) >= 2,
        "the featured image and the body's: {alts}"
    );
    b.screenshot("media-03-article");

    // Deleting it is refused while the story uses it.
    b.open(&format!("{base}/newsroom/media/{media_id}"));
    b.eval("window.confirm = () => true");
    b.click(&format!(
        "form[action='/newsroom/media/{media_id}/delete'] button"
    ));
    assert!(b.text().contains("This item is in use"), "{}", b.text());
    let (status, _) = api.call("GET", &format!("/media/{media_id}"), None);
    assert_eq!(status, 200, "still there");

    embeds_load_only_when_asked(&b, &api, &base);
}

/// A story with a YouTube and an X embed: nothing is asked of any host but
/// bbn's until the reader presses a button; then the provider's frame is
/// requested, which the page's policy allows (Chromium here reaches no
/// other host, so what is checked is the request made, not its answer).
fn embeds_load_only_when_asked(b: &Browser, api: &Api, base: &str) {
    let (status, a) = api.call(
        "POST",
        "/articles",
        Some(&json!({"headline": "Ministers speak online", "section": "world", "dek": "Two posts.",
            "body_document": {"type": "doc", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Watch the speech."}]},
                {"type": "embed", "attrs": {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "The minister's speech"}},
                {"type": "embed", "attrs": {"url": "https://x.com/BBCBreaking/status/1712345678901234567", "title": "The reaction"}}]}})),
    );
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    let (_, published) = api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
    let url = format!("{base}/news/{}", published["slug"].as_str().unwrap());
    b.before_each_document(
        "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.blockedURI));",
    );
    for (width, dark) in [(1280, false), (320, true)] {
        b.viewport(width, 900);
        b.dark_scheme(dark);
        b.open(&url);
        let elsewhere = b.eval(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).host).filter(h => h !== location.host)",
        );
        assert_eq!(
            elsewhere,
            json!([]),
            "nothing asked of another host before a click"
        );
        assert_eq!(
            b.eval("return document.querySelectorAll('iframe').length"),
            0
        );
        let buttons =
            b.eval("return [...document.querySelectorAll('.embed-play')].map(b => b.textContent)");
        assert_eq!(
            buttons,
            json!([
                "Play: The minister's speech (YouTube)",
                "Show: The reaction (X)"
            ]),
            "each button names what it loads and from whom"
        );
        b.screenshot(&format!("media-04-embeds-{width}"));
    }
    b.dark_scheme(false);
    b.press(".embed-play");
    wait_until("the provider's frame", Duration::from_secs(5), || {
        b.eval("return document.querySelector('iframe.embed-frame')?.src || ''")
            == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        b.eval("return window.__violations"),
        json!([]),
        "the policy allows the frame"
    );
    assert_eq!(
        b.eval("return document.querySelectorAll('iframe').length"),
        1,
        "only the one asked for"
    );
    b.screenshot("media-05-embed-asked");
}

mod in_browser {
    use super::*;

    #[test]
    fn the_media_library_from_drop_to_both_places() {
        library_in_chromium(&temp_dir("media-browser"), &[]);
    }

    mod postgres {
        use super::*;

        #[test]
        fn the_media_library_from_drop_to_both_places() {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let db = runtime.block_on(bbn_store::testing::TestDb::postgres());
            library_in_chromium(
                &temp_dir("media-browser-pg"),
                &["--database-url", db.url.as_str()],
            );
            drop(db);
        }
    }
}
