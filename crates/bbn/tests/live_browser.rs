//! Two staff members edit one article at once, each in their own Chromium:
//! they type in different paragraphs, then in the same one; both editors
//! converge on the same document, each shows the other as editing, and the
//! page published from it carries every word. Then one browser loses the
//! network for 10 s while its writer keeps typing; back online, both merge.
//! A headline typed in one form shows in the other's, and the other's save
//! keeps it.
//! And a Markdown article (as imports write them), edited live in Chromium:
//! bbn is killed with SIGKILL mid-typing; after a restart the editor has
//! everything typed up to 2 s before the kill.
//! Screenshots land in target/screenshots/live-*.png.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use serde_json::json;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::client::{Api, add_user, admin_and_token, data_dir_args};
use support::webdriver::Browser;
use support::{Server, http_get, temp_dir};

const PW: &str = "correct horse battery";
const BODY: &str = ".rich-editor [contenteditable=true]";
/// The headline once Ada has added to it in her form.
const HEADLINE: &str = "Harbour reopens after the storm at last";

fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < within, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
    started.elapsed()
}

/// Puts the caret at the end of the body's paragraph `n` (from 0) and types `text`.
fn type_at_end_of(b: &Browser, n: usize, text: &str) {
    b.eval(&format!(
        "const p = document.querySelectorAll('.rich-editor__body > p')[{n}];
         p.closest('[contenteditable]').focus();
         const r = document.createRange(); r.selectNodeContents(p); r.collapse(false);
         const s = getSelection(); s.removeAllRanges(); s.addRange(r);"
    ));
    b.keys(BODY, text);
}

/// The document the form would send now.
fn sent(b: &Browser) -> serde_json::Value {
    let raw = b.eval("return document.querySelector('#body').value");
    serde_json::from_str(raw.as_str().unwrap()).unwrap()
}

fn body_text(b: &Browser) -> String {
    b.eval("return document.querySelector('.rich-editor__body').innerText")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// What one of the form's fields holds now.
fn field(b: &Browser, id: &str) -> String {
    b.eval(&format!("return document.getElementById('{id}').value"))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn live_state(b: &Browser) -> String {
    b.eval("return document.querySelector('.rich-editor')?.dataset.liveState || ''")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A TCP link to the server that the test can cut (every connection
/// through it dropped, new ones refused) and restore: a network cut as the
/// browser on the other side of it sees one.
struct Link {
    port: u16,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Link {
    fn to(server: u16) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (d, o) = (down.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if d.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", server)) else {
                    continue;
                };
                o.lock()
                    .unwrap()
                    .extend([client.try_clone().unwrap(), upstream.try_clone().unwrap()]);
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                    (upstream, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Link { port, down, open }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

mod in_browser {
    use super::*;

    #[test]
    fn two_editors_write_one_story_at_once() {
        let dir = temp_dir("live-browser");
        let site = data_dir_args(&dir);
        let site: Vec<&str> = site.iter().map(String::as_str).collect();
        Server::start(&dir, &[]).terminate();
        let token = admin_and_token(&site, "ada@example.com", PW);
        add_user(&site, "eve@example.com", "Eve Editor", "editor", PW);
        let server = Server::start_logged(&dir, &[]);
        let base = format!("http://127.0.0.1:{}", server.port);
        let api = Api {
            port: server.port,
            token,
        };
        let (status, a) = api.call(
            "POST",
            "/articles",
            Some(&json!({"headline": "Harbour reopens after the storm", "section": "world",
                "body_document": {"type": "doc", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "First paragraph."}]},
                    {"type": "paragraph", "content": [{"type": "text", "text": "Second paragraph."}]}]}})),
        );
        assert_eq!(status, 201, "{a}");
        let id = a["id"].as_i64().unwrap();

        // Eve reaches the server through a link the test can cut.
        let cut = Link::to(server.port);
        let eve_base = format!("http://127.0.0.1:{}", cut.port);
        let ada = Browser::start();
        let eve = Browser::start();
        for (b, email, base) in [
            (&ada, "ada@example.com", &base),
            (&eve, "eve@example.com", &eve_base),
        ] {
            b.viewport(1280, 900);
            b.sign_in(base, email, PW);
            b.open(&format!("{base}/newsroom/articles/{id}/edit"));
            wait_until("the live editor in step", Duration::from_secs(10), || {
                live_state(b) == "synced"
            });
        }
        wait_until(
            "each sees the other editing",
            Duration::from_secs(5),
            || {
                ada.text().contains("Eve Editor is editing")
                    && eve.text().contains("Test Admin is editing")
            },
        );

        // Different paragraphs.
        type_at_end_of(&ada, 0, " Ada was here.");
        type_at_end_of(&eve, 1, " Eve too.");
        let took = wait_until("both edits on both sides", Duration::from_secs(5), || {
            let (x, y) = (body_text(&ada), body_text(&eve));
            x.contains("Ada was here.")
                && x.contains("Eve too.")
                && y.contains("Ada was here.")
                && y.contains("Eve too.")
        });
        println!("different paragraphs: both sides had both edits {took:?} after the typing ended");

        // The same paragraph, at once.
        type_at_end_of(&ada, 0, " Ships docked");
        type_at_end_of(&eve, 0, " at dawn");
        wait_until("one document on both sides", Duration::from_secs(5), || {
            let (x, y) = (sent(&ada), sent(&eve));
            x == y
                && body_text(&ada).contains("Ships docked")
                && body_text(&ada).contains("at dawn")
        });
        // The preview follows the live document, the other writer's words too.
        wait_until(
            "the preview with both writers' words",
            Duration::from_secs(5),
            || {
                let preview = ada
                    .eval("return document.querySelector('#live-preview').innerText")
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                preview.contains("Ships docked") && preview.contains("Eve too.")
            },
        );
        ada.screenshot("live-01-ada");
        eve.screenshot("live-02-eve");

        // Eve's network is cut for 10 s while both keep typing; back, both merge.
        cut.cut();
        wait_until("Eve's editor offline", Duration::from_secs(15), || {
            live_state(&eve) == "offline"
        });
        type_at_end_of(&eve, 1, " Written offline.");
        type_at_end_of(&ada, 1, " Written online.");
        std::thread::sleep(Duration::from_secs(10));
        cut.restore();
        wait_until("the offline edits merged", Duration::from_secs(15), || {
            let (x, y) = (sent(&ada), sent(&eve));
            x == y
                && body_text(&ada).contains("Written offline.")
                && body_text(&eve).contains("Written online.")
        });

        // The form's other fields are shared too: Ada's headline shows in
        // Eve's form within a second, with Ada named under it while she is
        // in it, and Eve's save keeps it.
        ada.keys("#headline", " at last");
        let took = wait_until(
            "Ada's headline in Eve's form",
            Duration::from_secs(1),
            || field(&eve, "headline") == HEADLINE,
        );
        println!("a headline typed in one form was in the other's {took:?} after the typing ended");
        wait_until(
            "Ada named in Eve's headline",
            Duration::from_secs(1),
            || {
                eve.eval(
                    "return document.getElementById('live-field-headline-others')?.textContent",
                )
                .as_str()
                    == Some("Test Admin is editing")
            },
        );
        eve.screenshot("live-03-eve-headline");

        // Saved from the live editor and published: readers get every word.
        eve.keys_to_new_page(BODY, "\u{E009}s");
        let (status, published) =
            api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
        assert!(status < 300, "{published}");
        let slug = published["slug"]
            .as_str()
            .unwrap_or("harbour-reopens-after-the-storm")
            .to_string();
        let (_, page) = http_get(server.port, &format!("/news/{slug}")).unwrap();
        for words in [
            "Ada was here.",
            "Eve too.",
            "Ships docked",
            "at dawn",
            "Written offline.",
            "Written online.",
            HEADLINE,
        ] {
            assert!(page.contains(words), "{words} on the published page");
        }
    }

    #[test]
    fn a_killed_server_loses_nothing_typed_two_seconds_before() {
        let dir = temp_dir("live-kill");
        let site = data_dir_args(&dir);
        let site: Vec<&str> = site.iter().map(String::as_str).collect();
        Server::start(&dir, &[]).terminate();
        let token = admin_and_token(&site, "ada@example.com", PW);
        let mut server = Server::start(&dir, &[]);
        let api = Api {
            port: server.port,
            token,
        };
        let (status, a) = api.call(
            "POST",
            "/articles",
            Some(&json!({"headline": "Storm closes the harbour", "section": "world",
                "body_markdown": "The storm came **overnight**.\n\n## What closed\n\nThe ferry and the port."})),
        );
        assert_eq!(status, 201, "{a}");
        let id = a["id"].as_i64().unwrap();
        let ada = Browser::start();
        ada.viewport(1280, 900);
        let base = format!("http://127.0.0.1:{}", server.port);
        ada.sign_in(&base, "ada@example.com", PW);
        ada.open(&format!("{base}/newsroom/articles/{id}/edit"));
        wait_until("the live editor in step", Duration::from_secs(10), || {
            live_state(&ada) == "synced"
        });
        assert!(
            body_text(&ada).contains("What closed"),
            "{}",
            body_text(&ada)
        );
        type_at_end_of(&ada, 0, " Kept before the kill.");
        wait_until("typed and sent", Duration::from_secs(5), || {
            body_text(&ada).contains("Kept before the kill.") && live_state(&ada) == "synced"
        });
        std::thread::sleep(Duration::from_secs(2));
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let again = Server::start(&dir, &[]);
        let base = format!("http://127.0.0.1:{}", again.port);
        // A new page on the restarted server (the session is in the database).
        ada.open(&format!("{base}/newsroom/articles/{id}/edit"));
        if !ada.url().contains("/edit") {
            ada.sign_in(&base, "ada@example.com", PW);
            ada.open(&format!("{base}/newsroom/articles/{id}/edit"));
        }
        wait_until(
            "the live editor in step again",
            Duration::from_secs(10),
            || live_state(&ada) == "synced",
        );
        let text = body_text(&ada);
        assert!(
            text.contains("overnight. Kept before the kill.") && text.contains("What closed"),
            "after the kill: {text}"
        );
        // The preview and the word count follow the working copy, not the saved body.
        wait_until(
            "the preview of the working copy",
            Duration::from_secs(5),
            || {
                ada.eval("return document.querySelector('#live-preview').innerText")
                    .as_str()
                    .unwrap_or_default()
                    .contains("Kept before the kill.")
            },
        );
        ada.screenshot("live-04-after-kill");
        again.terminate();
    }
}
