//! The newsroom end to end in headless Chromium, as a new newsroom would use
//! it: the first admin signs up through the setup link, invites an author and
//! a contributor; the contributor writes a draft with an image and an FAQ and
//! submits it (and cannot publish by a crafted POST); the editor sees the
//! pre-publish warnings, fixes them and publishes; the article shows the
//! image, the FAQ and the byline; a reader comments on it without a page
//! reload, sees the comment pending, an editor approves it and every reader
//! sees it; a scheduled article appears on its own.
//! Screenshots of every screen land in target/screenshots/newsroom-*.png.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use std::time::{Duration, Instant};
use support::webdriver::Browser;
use support::{Server, http_get, temp_dir};

const PW: &str = "correct horse battery";

fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Writes `lines` into the rich editor as a person would: typed, with Enter
/// between them (Markdown shortcuts like `**bold**` and `> ` work as typed).
fn write_body(b: &Browser, lines: &[&str]) {
    let enter = "\u{E007}";
    b.type_into(".rich-editor [contenteditable=true]", &lines.join(enter));
}

fn invite(b: &Browser, base: &str, name: &str, email: &str, role: &str) -> String {
    b.open(&format!("{base}/newsroom/staff"));
    b.type_into("#invite-name", name);
    b.type_into("#invite-email", email);
    b.eval(&format!(
        "document.querySelector('#invite-role').value = '{role}'"
    ));
    b.click("form[action='/newsroom/staff'] button[type=submit]");
    b.eval("return document.querySelector('code.nr-secret').textContent")
        .as_str()
        .unwrap()
        .to_string()
}

fn photo(dir: &std::path::Path) -> std::path::PathBuf {
    let mut img = image::RgbImage::new(1600, 900);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([(x / 7 % 256) as u8, (y / 4 % 256) as u8, 150]);
    }
    let path = dir.join("pyongyang.png");
    img.save(&path).unwrap();
    path
}

mod in_browser {
    use super::*;

    #[test]
    fn a_newsroom_from_setup_to_published_article() {
        let b = Browser::start();
        let started = Instant::now();
        let dir = temp_dir("newsroom-e2e");
        // Comments may be posted as soon as the form is filled in: the test
        // types faster than a person, and waiting would only slow it.
        let server = Server::start_logged(&dir, &["--comment-min-seconds", "0"]);
        let base = format!("http://127.0.0.1:{}", server.port);
        b.viewport(1280, 900);

        // The first admin, through the one-time setup link from the log.
        let mut link = String::new();
        wait_until("the setup link in the log", Duration::from_secs(20), || {
            let log = server.log.lock().unwrap();
            match log.find("/newsroom/setup/") {
                Some(i) => {
                    link = log[i..].split_whitespace().next().unwrap().to_string();
                    true
                }
                None => false,
            }
        });
        b.open(&format!("{base}{link}"));
        b.screenshot("newsroom-01-setup");
        b.type_into("#name", "Ada Admin");
        b.type_into("#email", "ada@example.com");
        b.type_into("#password", PW);
        b.type_into("#confirm", PW);
        b.click("form.nr-form button[type=submit]");
        assert!(b.url().ends_with("/newsroom"));
        b.screenshot("newsroom-02-home");

        // Staff: an author and a contributor, each with a one-time password.
        let author_pw = invite(&b, &base, "Arthur Author", "arthur@example.com", "author");
        let contributor_pw = invite(
            &b,
            &base,
            "Cora Contributor",
            "cora@example.com",
            "contributor",
        );
        b.screenshot("newsroom-03-staff");
        assert!(b.text().contains("Arthur Author") && b.text().contains("Cora Contributor"));

        // The contributor writes a draft with an image and an FAQ, and submits it.
        b.sign_in(&base, "cora@example.com", &contributor_pw);
        b.open(&format!("{base}/newsroom/articles/new"));
        b.type_into(
            "#headline",
            "Ministers meet in Pyongyang as shipment claims mount",
        );
        b.type_into(
            "#dek",
            "The talks come days after Washington's accusations.",
        );
        b.type_into("#kicker", "Russia-North Korea Security Talks");
        choose_section(&b, "World");
        b.type_into("#topics", "Diplomatic Relations");
        // The body in the rich editor (the Markdown textarea is its
        // fallback without JavaScript): typed, with Markdown shortcuts.
        assert_eq!(
            b.eval("return getComputedStyle(document.querySelector('#body')).display"),
            "none",
            "the editor stands in for the textarea"
        );
        write_body(
            &b,
            &[
                "Lavrov arrived on **Wednesday**. Figures TK.",
                "> A new strategic level.",
            ],
        );
        wait_until("the live preview", Duration::from_secs(10), || {
            b.eval("return document.querySelector('#live-preview').innerHTML")
                .as_str()
                .unwrap_or("")
                .contains("<strong>Wednesday</strong>")
        });
        b.click("button[value=faq-add]");
        b.type_into("#faq-q-0", "Why now?");
        b.type_into("#faq-a-0", "The summit in September opened the way.");
        b.click("button[value=faq-add]");
        b.type_into("#faq-q-1", "What comes next?");
        b.screenshot("newsroom-04-editor-new");
        // Enter in a one-line field submits nothing; Ctrl+S saves.
        b.keys("#kicker", "\u{E007}");
        std::thread::sleep(Duration::from_millis(300));
        assert!(b.url().ends_with("/newsroom/articles/new"), "{}", b.url());
        assert_eq!(
            b.eval("return document.querySelector('#kicker').value"),
            "Russia-North Korea Security Talks"
        );
        b.keys_to_new_page("#headline", "\u{E009}s\u{E000}");
        assert!(b.url().contains("/edit?saved=created"), "{}", b.url());
        let edit_url = b.url().split('?').next().unwrap().to_string();
        let id: i64 = edit_url.split('/').nth(5).unwrap().parse().unwrap();
        b.attach("#img-file", &photo(&dir));
        b.click("#featured-image form[enctype] button[type=submit]");
        assert!(
            b.text().contains("Remove image"),
            "the image is attached: {}",
            b.text()
        );
        // A crafted publish from the contributor's own browser session is refused.
        let crafted = b.eval(&format!(
            "const t = document.querySelector('input[name=_csrf]').value;
             const r = await fetch('/newsroom/articles/{id}/status', {{method: 'POST', body: new URLSearchParams({{_csrf: t, action: 'publish'}})}});
             return r.status;"
        ));
        assert_eq!(crafted, 403);
        b.click("button[value=submit]");
        assert!(b.text().contains("In review"));
        b.screenshot("newsroom-05-editor-submitted");

        // The editor sees the warnings, fixes them, and publishes.
        b.sign_in(&base, "ada@example.com", PW);
        assert!(
            b.text().contains("Ministers meet in Pyongyang"),
            "in the review queue"
        );
        b.open(&edit_url);
        let warnings = b.text();
        for w in [
            "Placeholder text left in",
            "Images without alt text",
            "FAQ questions without answers",
        ] {
            assert!(warnings.contains(w), "the editor is warned: {w}");
        }
        b.screenshot("newsroom-06-warnings");
        assert!(
            b.eval("return document.querySelector('.rich-editor blockquote').textContent")
                .as_str()
                .unwrap_or("")
                .contains("A new strategic level"),
            "the document came back into the editor as written"
        );
        write_body(
            &b,
            &[
                "Lavrov arrived on **Wednesday** for two days of talks.",
                "> A new strategic level.",
            ],
        );
        b.type_into("#faq-a-1", "A possible visit by President Putin.");
        b.click(".nr-actions button[value=save]");
        b.type_into("#img-alt", "Two foreign ministers shake hands");
        b.type_into("#img-caption", "The ministers in Pyongyang.");
        b.type_into("#img-credit", "Photo: Big Big News");
        b.click("form[action$='/image/details'] button");
        assert!(
            b.text().contains("No problems found."),
            "the warnings are gone"
        );
        b.click("button[value=publish]");
        assert!(b.text().contains("Status: Published"));
        b.screenshot("newsroom-07-published");
        // A live article: Enter in its headline changes nothing for readers,
        // and its save button asks before it does.
        let here = b.url();
        b.eval("window.__bbnOldPage = true");
        b.keys("#headline", " now\u{E007}");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(b.url(), here);
        assert_eq!(
            b.eval("return window.__bbnOldPage"),
            true,
            "the page stayed"
        );
        b.type_into(
            "#headline",
            "Ministers meet in Pyongyang as shipment claims mount",
        );
        b.eval("window.confirm = (m) => { sessionStorage.setItem('asked', m); return true; }");
        b.click(".nr-actions button[value=save]");
        assert!(
            b.eval("return sessionStorage.getItem('asked')")
                .as_str()
                .unwrap_or("")
                .contains("readers will see these changes"),
            "a live save asks first"
        );

        // Readers see the image, the FAQ and the byline.
        b.clear_cookies();
        b.open(&format!(
            "{base}/news/ministers-meet-in-pyongyang-as-shipment-claims-mount"
        ));
        let page = b.text();
        assert!(page.contains("by Cora Contributor"));
        // The body as the editor wrote it, rendered by the server.
        assert_eq!(
            b.eval("const p = document.querySelector('.prose'); return [p.querySelector('strong') && p.querySelector('strong').textContent, p.querySelector('blockquote') && p.querySelector('blockquote').textContent.trim()]"),
            serde_json::json!(["Wednesday", "A new strategic level."])
        );
        assert!(
            page.contains("Frequently Asked Questions about Diplomatic Relations")
                && page.contains("What comes next?")
        );
        assert!(page.contains("The ministers in Pyongyang."));
        let img = b.eval("const i = document.querySelector('.story__figure img'); return [i.alt, i.srcset, i.complete && i.naturalWidth > 0]");
        assert_eq!(img[0], "Two foreign ministers shake hands");
        assert!(
            img[1].as_str().unwrap().contains("480w"),
            "resized copies in srcset"
        );
        assert_eq!(img[2], true, "the image loads");
        b.screenshot("newsroom-08-article");

        // A reader comments (the page's script posts it without reloading), sees
        // it pending, an editor approves it, and every reader sees it.
        let story = format!("{base}/news/ministers-meet-in-pyongyang-as-shipment-claims-mount");
        b.type_into("#c-name", "PoliticsGeek");
        b.type_into("#c-email", "geek@example.org");
        b.type_into(
            "#c-text",
            "Who paid for the shipment?\nAsking for a friend.",
        );
        b.eval("window.stillThisPage = true");
        b.press("#leave-a-comment button[type=submit]");
        wait_until("the pending comment", Duration::from_secs(10), || {
            b.eval(
                "const c = document.querySelector('.comment--pending'); return c ? c.textContent : ''",
            )
            .as_str()
            .is_some_and(|t| t.contains("Who paid for the shipment?"))
        });
        assert_eq!(
            b.eval("return window.stillThisPage === true"),
            true,
            "no reload"
        );
        assert!(b.text().contains("Your comment is awaiting moderation"));
        assert_eq!(b.eval("return document.querySelector('#c-text').value"), "");
        b.screenshot("newsroom-09-comment-pending");
        b.open(&story);
        assert!(
            b.text().contains("Who paid for the shipment?"),
            "still shown to its writer"
        );

        b.sign_in(&base, "ada@example.com", PW);
        b.open(&format!("{base}/newsroom/comments"));
        assert!(b.text().contains("Who paid for the shipment?"));
        b.screenshot("newsroom-10-comment-queue");
        b.click("li.nr-comment form.nr-inline button[value=approve]");
        assert!(b.text().contains("0 Pending"), "{}", b.text());
        b.clear_cookies();
        b.open(&story);
        let page = b.text();
        assert!(
            page.contains("Who paid for the shipment?") && page.contains("Asking for a friend.")
        );
        assert!(!page.contains("awaiting moderation"));
        assert_eq!(
            b.eval("return document.querySelector('#comments-title').textContent"),
            "1 Comment"
        );

        // An author schedules a story; it appears on its own.
        b.sign_in(&base, "arthur@example.com", &author_pw);
        b.open(&format!("{base}/newsroom/articles/new"));
        b.type_into("#headline", "Scheduled morning briefing");
        b.type_into("#dek", "What to watch today.");
        choose_section(&b, "World");
        write_body(&b, &["Markets open at 9:30."]);
        b.click(".nr-actions button[value=save]");
        let zone = bbn_core::time::parse_zone("America/New_York").unwrap();
        let now = bbn_core::time::now();
        let next_minute = now - now % 60 + 60;
        let at = if next_minute - now < 15 {
            next_minute + 60
        } else {
            next_minute
        };
        b.eval(&format!(
            "document.querySelector('#scheduled_at').value = '{}'",
            bbn_core::time::local_input(at, zone)
        ));
        b.click("button[value=schedule]");
        assert!(b.text().contains("Status: Scheduled"), "{}", b.text());
        b.screenshot("newsroom-11-scheduled");
        assert_eq!(
            http_get(server.port, "/news/scheduled-morning-briefing")
                .unwrap()
                .0,
            404
        );
        wait_until("the scheduled article", Duration::from_secs(150), || {
            http_get(server.port, "/news/scheduled-morning-briefing").is_some_and(|(s, _)| s == 200)
        });

        // The remaining newsroom screens, for a person to look at.
        b.sign_in(&base, "ada@example.com", PW);
        for (name, path) in [
            ("newsroom-12-articles", "/newsroom/articles".to_string()),
            (
                "newsroom-13-revisions",
                format!("/newsroom/articles/{id}/revisions"),
            ),
            ("newsroom-14-picks", "/newsroom/picks".into()),
            ("newsroom-15-sections", "/newsroom/sections".into()),
            ("newsroom-16-topics", "/newsroom/topics".into()),
            ("newsroom-17-settings", "/newsroom/settings".into()),
            ("newsroom-18-password", "/newsroom/account/password".into()),
            (
                "newsroom-19-preview",
                format!("/newsroom/articles/{id}/preview"),
            ),
            ("newsroom-20-pages", "/newsroom/pages".into()),
            ("newsroom-21-page-edit", "/newsroom/pages/1".into()),
        ] {
            b.viewport(1280, 900);
            b.open(&format!("{base}{path}"));
            assert!(!b.text().contains("Something went wrong"), "{path}");
            b.screenshot(name);
        }
        b.clear_cookies();
        b.open(&format!("{base}/newsroom/sign-in"));
        b.screenshot("newsroom-00-sign-in");
        server.terminate();
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "\nnewsroom browser suite: {:.1} s\n",
                started.elapsed().as_secs_f64()
            )
            .as_bytes(),
        );
    }
}

/// Chooses the article's section by name, as a writer does (the form starts
/// with none chosen).
fn choose_section(b: &Browser, name: &str) {
    b.eval(&format!(
        "const s = document.querySelector('#section');
         s.value = [...s.options].find(o => o.text === '{name}').value;
         s.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return s.value"
    ));
}
