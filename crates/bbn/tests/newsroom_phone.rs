//! The newsroom on a phone, for each role: a contributor, an editor and an
//! admin open every screen they may (and a guest the sign-in and setup
//! screens) at 390×844, on the demo site with more written into it (a draft
//! typed on the phone, a published story with an image and an FAQ, readers'
//! comments with long addresses, a webhook with a long address and its
//! deliveries, an API key). No screen is wider than the window at 360, 390
//! or 430 px (nor on a tablet, 600 to 1024 px), and nothing shown sticks out
//! past its right edge unless it sits in a box that scrolls on its own; the
//! navigation hides behind a menu button that shows every link, the
//! account's too; the article editor's save button is on screen at the top
//! of the form and while scrolling through it, its publishing buttons come
//! before the long fields, and Enter in a field submits nothing. At 1280 px
//! no label in the navigation bar wraps.
//! Screenshots land in target/screenshots/phone-<role>-<screen>.png.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::client::{Api, Newsroom, add_user, admin_and_token, data_dir_args, exchange};
use support::webdriver::Browser;
use support::{Server, temp_dir};

const PW: &str = "correct horse battery";
/// The phone every screenshot is taken on; each screen is also measured on
/// the narrowest and widest phones, and on tablets either way up, between
/// the phone's layout and the desktop's.
const PHONE: (u32, u32) = (390, 844);
const WIDTHS: [u32; 7] = [360, 390, 430, 600, 768, 900, 1024];
const DESKTOP: u32 = 1280;
const BODY: &str = ".rich-editor [contenteditable=true]";

/// The page's width against the window's, and the outermost elements that
/// stick out past the right edge of a window as wide as the argument.
/// Whatever lies inside a box that scrolls or clips sideways is that box's
/// own business, except the body's: a page that hides its overflow still
/// loses what sticks out. What is not shown (a closed disclosure's content,
/// which Chromium lays out all the same) does not count. (A phone, and Chromium emulating one, widens the
/// window to a page that is too wide, so the window's own width cannot tell.)
const MEASURE: &str = r#"
const w = Number(arguments[0]);
const sticks = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.right > w + 0.5 && el.checkVisibility(); };
const boxed = (el) => {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true;
  }
  return false;
};
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  if (!sticks(el) || boxed(el) || (el.parentElement !== document.body && sticks(el.parentElement))) continue;
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map((c) => '.' + c).join('');
  out.push(name + ' (right edge at ' + Math.round(el.getBoundingClientRect().right) + ' px)');
}
return { page: document.documentElement.scrollWidth, window: w, out: out.slice(0, 8) };
"#;

/// Every link, button and disclosure in the bar that is shown (not in a
/// closed disclosure, whose content Chromium still lays out): the
/// ones whose label runs over more than one line, and the ones not wholly
/// in the window.
const NAV_LINES: &str = r#"
const bar = document.querySelector('header.nr-bar');
const out = [];
let seen = 0;
for (const el of bar.querySelectorAll('a, button, summary')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || !el.checkVisibility()) continue;
  seen++;
  const style = getComputedStyle(el);
  const line = style.lineHeight === 'normal' ? parseFloat(style.fontSize) * 1.2 : parseFloat(style.lineHeight);
  const label = JSON.stringify(el.textContent.trim());
  if (el.getClientRects().length !== 1 || r.height >= 2 * line) out.push(label + ' wraps (' + el.getClientRects().length + ' boxes, ' + Math.round(r.height) + ' px high, line ' + line + ' px)');
  if (r.left < 0 || r.right > window.innerWidth) out.push(label + ' is outside the window (' + Math.round(r.left) + '..' + Math.round(r.right) + ' px)');
}
return { seen, out };
"#;

/// The links (by address) and buttons of the bar that a person can see now.
const BAR_SHOWS: &str = r#"
return [...document.querySelectorAll('header.nr-bar a, header.nr-bar button, header.nr-bar summary')]
  .filter((el) => { const r = el.getBoundingClientRect(); return el.checkVisibility() && r.width > 0 && r.height > 0 && r.right <= window.innerWidth + 0.5 && r.left >= 0; })
  .map((el) => el.getAttribute('href') || el.textContent.trim());
"#;

/// Whether the element is wholly in the window and is what a tap on its
/// middle reaches (not covered by anything).
const ON_SCREEN: &str = r#"
const el = document.querySelector(arguments[0]);
const r = el.getBoundingClientRect();
if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) return false;
const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
return hit === el || el.contains(hit);
"#;

#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Role {
    Contributor,
    Editor,
    Admin,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    fn email(self) -> String {
        format!("{}@example.com", self.name())
    }
}

fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs a script with arguments (the support's `eval` takes none).
fn eval_with(b: &Browser, script: &str, arg: &str) -> Value {
    b.eval(&format!(
        "return (function () {{ {script} }}).apply(null, [{}]);",
        serde_json::to_string(arg).unwrap()
    ))
}

/// Measures the open page at each phone width and saves a screenshot at
/// 390 px as `target/screenshots/{shot}.png`; what is wrong goes into
/// `problems`, naming the screen and the width.
fn measure(b: &Browser, shot: &str, problems: &mut Vec<String>) {
    for width in WIDTHS {
        b.viewport(width, PHONE.1);
        let m = eval_with(b, MEASURE, &width.to_string());
        let (page, window) = (m["page"].as_u64().unwrap(), m["window"].as_u64().unwrap());
        let out: Vec<&str> = m["out"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if page > window || window != u64::from(width) || !out.is_empty() {
            problems.push(format!(
                "{shot} at {width} px: the page is {page} px wide in a {window} px window; sticking out: {}",
                if out.is_empty() { "nothing".to_string() } else { out.join(", ") }
            ));
        }
    }
    b.viewport(PHONE.0, PHONE.1);
    b.screenshot(shot);
    b.viewport(PHONE.0, PHONE.1);
}

/// Opens a newsroom screen on the phone and waits for the rich editor
/// where the screen has one.
fn open_on_phone(b: &Browser, url: &str) {
    b.viewport(PHONE.0, PHONE.1);
    b.open(url);
    assert!(
        !b.text().contains("Something went wrong"),
        "{url}: {}",
        b.text()
    );
    if b.eval("return !!document.querySelector('textarea[data-rich-editor]')") == true {
        wait_until("the rich editor", Duration::from_secs(10), || {
            b.eval(&format!("return !!document.querySelector('{BODY}')")) == true
        });
    }
}

fn photo() -> Vec<u8> {
    let mut img = image::RgbImage::new(1600, 900);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([(x / 7 % 256) as u8, (y / 4 % 256) as u8, 150]);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A reader's comment through the article's own form (held for moderation).
fn comment(port: u16, slug: &str, name: &str, email: &str, text: &str) {
    let token = support::client::comment_token(port, slug);
    let form: String = [
        ("token", token.as_str()),
        ("name", name),
        ("email", email),
        ("comment", text),
        ("website", ""),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", support::client::form_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let (status, _, _) = exchange(
        port,
        "POST",
        &format!("/news/{slug}/comments"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(status, 303, "a reader's comment");
}

/// What the editors and the admin work on, beyond the demo: a published
/// story with an image, an FAQ, two revisions, comments waiting and a
/// webhook delivery; returns the story's id and the webhook's.
fn write_the_desk(port: u16, token: String) -> (i64, i64) {
    let admin = Newsroom::sign_in(port, &Role::Admin.email(), PW);
    // A receiver's address as long as real ones are; it answers nobody, so
    // its deliveries wait with an error to show.
    let hook_url = "https://hooks.integrations.example.com/services/T024BE7LD/B08QZ1M3K7N/vK3pX9sQw2LmN8rT4yU6iO1aZ";
    let (status, _) = admin.post(
        "/newsroom/webhooks",
        &[
            ("url", hook_url),
            ("events", "article.published"),
            ("events", "article.updated"),
        ],
    );
    assert_eq!(status, 200, "the webhook is added");
    let (_, _, page) = exchange(
        port,
        "GET",
        "/newsroom/webhooks",
        &[("Cookie", &admin.cookie)],
        b"",
    );
    let page = String::from_utf8_lossy(&page);
    let hook: i64 = page
        .split("href=\"/newsroom/webhooks/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|id| id.parse().ok())
        .expect("the webhook's link");
    let (status, _) = admin.post(
        "/newsroom/api-keys",
        &[
            ("kind", "content"),
            ("name", "Mobile apps for iOS and Android"),
        ],
    );
    assert_eq!(status, 200, "the content key is made");

    let api = Api { port, token };
    let (status, media) = api.upload(
        "alt=Two%20foreign%20ministers%20shake%20hands&caption=The%20ministers%20in%20Pyongyang.&credit=Photo%3A%20Big%20Big%20News",
        &photo(),
    );
    assert_eq!(status, 201, "{media}");
    let (status, a) = api.call(
        "POST",
        "/articles",
        Some(&json!({
            "headline": "Ministers meet in Pyongyang as claims of munitions shipments to Russia mount",
            "dek": "The talks come days after Washington's accusations of containers moved by ship from Najin.",
            "kicker": "Russia-North Korea Security Talks",
            "section": "world",
            "topics": ["Diplomatic Relations", "Russia–North Korea Military Cooperation"],
            "body_markdown": "Lavrov arrived on **Wednesday** for two days of talks.\n\n> A new strategic level.\n\nThe report is at https://www.example.org/reports/2025/shipments/north-korea-russia-munitions-transfer-satellite-imagery-analysis.",
            "faq": [{"question": "Why now?", "answer": "The summit in September opened the way."}],
            "image_id": media["id"],
            "comments_open": true,
        })),
    );
    assert_eq!(status, 201, "{a}");
    let story = a["id"].as_i64().unwrap();
    let (status, a) = api.call(
        "PATCH",
        &format!("/articles/{story}"),
        Some(&json!({"body_markdown": "Lavrov arrived on **Wednesday** for two days of talks with Choe Son Hui.\n\n> A new strategic level.\n\nThe report is at https://www.example.org/reports/2025/shipments/north-korea-russia-munitions-transfer-satellite-imagery-analysis."})),
    );
    assert_eq!(status, 200, "{a}");
    let (status, a) = api.call(
        "POST",
        &format!("/articles/{story}/publish"),
        Some(&json!({})),
    );
    assert_eq!(status, 200, "{a}");
    let slug = a["slug"].as_str().unwrap().to_string();
    comment(
        port,
        &slug,
        "PoliticsGeek",
        "a.rather.long.address.for.newsletters@subscriber-mail.example.org",
        "Who paid for the shipment? See https://www.example.org/reports/2025/shipments/north-korea-russia-munitions-transfer-satellite-imagery-analysis",
    );
    comment(
        port,
        &slug,
        "Marguerite Fontaine-Delacroix",
        "marguerite@example.fr",
        "Merci pour ce reportage.",
    );
    // One more in the queue of articles and on the home screen: scheduled.
    let (status, a) = api.call(
        "POST",
        "/articles",
        Some(&json!({"headline": "What to watch as markets open on a week of central bank decisions", "section": "business", "body_markdown": "Markets open at 9:30."})),
    );
    assert_eq!(status, 201, "{a}");
    let at = bbn_core::time::rfc3339_utc(bbn_core::time::now() + 86_400);
    let (status, a) = api.call(
        "POST",
        &format!("/articles/{}/schedule", a["id"]),
        Some(&json!({ "at": at })),
    );
    assert_eq!(status, 200, "{a}");
    (story, hook)
}

/// The contributor writes a draft on the phone, saving it twice with the
/// save button the form keeps in reach; returns its id.
fn draft_on_the_phone(b: &Browser, base: &str) -> i64 {
    open_on_phone(b, &format!("{base}/newsroom/articles/new"));
    b.type_into(
        "#headline",
        "Harbour reopens after the storm as crews clear the last wrecks",
    );
    b.type_into(
        "#dek",
        "Ferries run again from Monday; the fishing fleet waits for the inspectors.",
    );
    b.keys(BODY, "The harbour master said the channel is clear.");
    // The writer chooses the section (a new article starts with none).
    b.eval(
        "const s = document.querySelector('#section');
         s.value = [...s.options].find(o => o.text === 'World').value;
         return s.value",
    );
    b.click(".nr-actions button[value=save]");
    assert!(b.url().contains("/edit?saved=created"), "{}", b.url());
    let id: i64 = b.url().split('/').nth(5).unwrap().parse().unwrap();
    b.viewport(PHONE.0, PHONE.1);
    wait_until("the rich editor", Duration::from_secs(10), || {
        b.eval(&format!("return !!document.querySelector('{BODY}')")) == true
    });
    b.keys(BODY, "\u{E007}Two wrecks remain near the breakwater.");
    b.click(".nr-actions button[value=save]");
    assert!(b.url().contains("saved="), "{}", b.url());
    id
}

/// The screens a role may open: (screen name, path, the least role).
/// `article` is the one the role edits (the contributor's draft, or the
/// published story); editors also open the draft, to publish it.
fn screens(article: i64, draft: i64, hook: i64) -> Vec<(&'static str, String, Role)> {
    use Role::{Admin, Contributor, Editor};
    vec![
        ("home", "/newsroom".into(), Contributor),
        ("articles", "/newsroom/articles".into(), Contributor),
        ("new-article", "/newsroom/articles/new".into(), Contributor),
        (
            "edit-article",
            format!("/newsroom/articles/{article}/edit"),
            Contributor,
        ),
        (
            "revisions",
            format!("/newsroom/articles/{article}/revisions?from=1&to=2"),
            Contributor,
        ),
        ("password", "/newsroom/account/password".into(), Contributor),
        ("profile", "/newsroom/authors".into(), Contributor),
        ("trash", "/newsroom/articles?trash=1".into(), Contributor),
        (
            "edit-draft",
            format!("/newsroom/articles/{draft}/edit"),
            Editor,
        ),
        ("comments", "/newsroom/comments".into(), Editor),
        ("picks", "/newsroom/picks".into(), Editor),
        ("pages", "/newsroom/pages".into(), Editor),
        ("page-edit", "/newsroom/pages/1".into(), Editor),
        ("sections", "/newsroom/sections".into(), Editor),
        ("topics", "/newsroom/topics".into(), Editor),
        ("staff", "/newsroom/staff".into(), Admin),
        ("api-keys", "/newsroom/api-keys".into(), Admin),
        ("webhooks", "/newsroom/webhooks".into(), Admin),
        ("webhook", format!("/newsroom/webhooks/{hook}"), Admin),
        ("settings", "/newsroom/settings".into(), Admin),
        ("audit", "/newsroom/audit".into(), Admin),
    ]
}

/// On the phone the bar shows the brand and a menu button; the menu holds
/// every link of the role's navigation and the account's, and Escape
/// closes it.
fn check_menu(b: &Browser, base: &str, role: Role, problems: &mut Vec<String>) {
    open_on_phone(b, &format!("{base}/newsroom"));
    let shows = |b: &Browser| -> Vec<String> {
        b.eval(BAR_SHOWS)
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let closed = shows(b);
    if closed.iter().any(|l| l.starts_with("/newsroom/")) {
        problems.push(format!(
            "phone-{} menu: links show before the menu is opened: {closed:?}",
            role.name()
        ));
    }
    if b.eval("return !!document.querySelector('.nr-menu > summary')") != true {
        problems.push(format!(
            "phone-{} menu: the bar has no menu button",
            role.name()
        ));
        return;
    }
    let before = b.url();
    b.press(".nr-menu > summary");
    assert_eq!(b.url(), before, "the menu button opens the menu in place");
    let open = shows(b);
    let mut expected = vec![
        "/newsroom",
        "/newsroom/articles",
        "/newsroom/articles/new",
        "/newsroom/account/password",
        "Sign out",
    ];
    if role >= Role::Editor {
        expected.extend(["/newsroom/comments", "/newsroom/picks", "/newsroom/topics"]);
    }
    if role >= Role::Admin {
        expected.extend(["/newsroom/staff", "/newsroom/settings", "/newsroom/audit"]);
    }
    for link in expected {
        if !open.iter().any(|l| l == link) {
            problems.push(format!(
                "phone-{} menu: {link} is not shown in the open menu: {open:?}",
                role.name()
            ));
        }
    }
    measure(b, &format!("phone-{}-menu", role.name()), problems);
    b.keys(".nr-menu > summary", "\u{E00C}");
    if b.eval("return document.querySelector('.nr-menu').open") != false {
        problems.push(format!(
            "phone-{} menu: Escape does not close it",
            role.name()
        ));
    }
}

/// The article editor on the phone: save in reach at the top and in the
/// middle of the form, the status buttons before the headline, and Enter
/// in the headline submits nothing.
fn check_editor(b: &Browser, base: &str, role: Role, article: i64, problems: &mut Vec<String>) {
    let shot = format!("phone-{} editing article {article}", role.name());
    open_on_phone(b, &format!("{base}/newsroom/articles/{article}/edit"));
    let save = "#article-form .nr-actions button[value=save]";
    b.eval("window.scrollTo(0, 0)");
    if eval_with(b, ON_SCREEN, save) != true {
        problems.push(format!(
            "{shot} at 390 px: the save button is not on the first screen"
        ));
    }
    for middle in [".rich-editor", ".nr-faq", "details.nr-details"] {
        b.eval(&format!(
            "document.querySelector('{middle}').scrollIntoView({{block: 'center'}})"
        ));
        if eval_with(b, ON_SCREEN, save) != true {
            problems.push(format!(
                "{shot} at 390 px: the save button is out of reach with {middle} in view"
            ));
        }
    }
    let before = b.eval(
        "const h = document.querySelector('#headline').getBoundingClientRect().top;
         const bs = [...document.querySelectorAll('form[action$=\"/status\"] button')];
         return bs.length > 0 && bs.every((x) => x.getBoundingClientRect().bottom <= h);",
    );
    if before != true {
        problems.push(format!(
            "{shot} at 390 px: the status buttons (submit, publish) come after the headline"
        ));
    }
    b.eval(
        "window.__submitted = false; window.__bbnOldPage = true;
         document.addEventListener('submit', () => { window.__submitted = true; }, true);",
    );
    let here = b.url();
    b.keys("#headline", "\u{E007}");
    assert_eq!(
        b.eval("return [window.__submitted, window.__bbnOldPage]"),
        json!([false, true]),
        "{shot}: Enter in the headline submitted the form"
    );
    assert_eq!(b.url(), here);
}

/// At 1280 px every label in the bar is on one line, the admin's grouped
/// links too once their disclosure is open; opening one of the bar's
/// disclosures closes the other.
fn check_desktop_bar(b: &Browser, base: &str, role: Role, problems: &mut Vec<String>) {
    b.viewport(DESKTOP, 900);
    b.open(&format!("{base}/newsroom"));
    for step in ["closed", "open"] {
        if step == "open" {
            b.eval("document.querySelectorAll('header.nr-bar details').forEach((d) => { d.open = true; })");
        }
        let r = b.eval(NAV_LINES);
        if r["seen"].as_u64().unwrap_or(0) < 4 {
            problems.push(format!(
                "desktop-{} bar: only {} links are shown",
                role.name(),
                r["seen"]
            ));
        }
        for p in r["out"].as_array().unwrap() {
            problems.push(format!(
                "desktop-{} bar at {DESKTOP} px ({step}): {}",
                role.name(),
                p.as_str().unwrap_or_default()
            ));
        }
        let m = eval_with(b, MEASURE, &DESKTOP.to_string());
        if m["page"].as_u64() > m["window"].as_u64() {
            problems.push(format!(
                "desktop-{} at {DESKTOP} px: the page is {} px wide",
                role.name(),
                m["page"]
            ));
        }
    }
    b.screenshot(&format!("desktop-{}-home", role.name()));
    if role == Role::Admin {
        // One of the bar's disclosures open at a time, as in a menu bar.
        b.viewport(DESKTOP, 900);
        b.eval("document.querySelectorAll('header.nr-bar details').forEach((d) => { d.open = false; })");
        b.press(".nr-nav .nr-drop > summary");
        b.press(".nr-me > summary");
        let open = b.eval(
            "return [document.querySelector('.nr-nav .nr-drop').open, document.querySelector('.nr-me').open]",
        );
        if open != json!([false, true]) {
            problems.push(format!(
                "desktop-admin bar: opening the account left Admin open ([Admin, account] open: {open})"
            ));
        }
    }
}

mod in_browser {
    use super::*;

    #[test]
    fn every_newsroom_screen_fits_a_phone() {
        let started = Instant::now();
        let b = Browser::start();
        let mut problems = Vec::new();
        let dir = temp_dir("newsroom-phone");
        let site = data_dir_args(&dir);
        let site: Vec<&str> = site.iter().map(String::as_str).collect();
        // Comments may be posted as soon as the form is filled in.
        let flags = ["--comment-min-seconds", "0"];

        // A guest: the one-time setup link of a new site, and signing in.
        let server = Server::start_logged(&dir, &flags);
        let base = format!("http://127.0.0.1:{}", server.port);
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
        open_on_phone(&b, &format!("{base}{link}"));
        measure(&b, "phone-guest-setup", &mut problems);
        open_on_phone(&b, &format!("{base}/newsroom/sign-in"));
        measure(&b, "phone-guest-sign-in", &mut problems);
        server.terminate();

        let token = admin_and_token(&site, &Role::Admin.email(), PW);
        add_user(&site, &Role::Editor.email(), "Eda Editor", "editor", PW);
        add_user(
            &site,
            &Role::Contributor.email(),
            "Cora Contributor-Villanueva",
            "contributor",
            PW,
        );
        let server = Server::start(&dir, &flags);
        let base = format!("http://127.0.0.1:{}", server.port);
        let (story, hook) = write_the_desk(server.port, token);
        b.sign_in(&base, &Role::Contributor.email(), PW);
        let draft = draft_on_the_phone(&b, &base);

        for role in [Role::Contributor, Role::Editor, Role::Admin] {
            b.sign_in(&base, &role.email(), PW);
            let article = if role == Role::Contributor {
                draft
            } else {
                story
            };
            for (screen, path, least) in screens(article, draft, hook) {
                if role < least {
                    continue;
                }
                open_on_phone(&b, &format!("{base}{path}"));
                measure(
                    &b,
                    &format!("phone-{}-{screen}", role.name()),
                    &mut problems,
                );
            }
            check_menu(&b, &base, role, &mut problems);
            check_editor(&b, &base, role, article, &mut problems);
            if role >= Role::Editor {
                check_editor(&b, &base, role, draft, &mut problems);
            }
            check_desktop_bar(&b, &base, role, &mut problems);
        }
        server.terminate();
        let _ = std::fs::remove_dir_all(dir);
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
        eprintln!(
            "\nnewsroom phone suite: {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}
