//! Cross-site scripting, tried with public payload lists
//! (`../shared/testdata/xss`, beside the workspace; the suite says so and
//! checks nothing where that folder is missing) in headless Chromium.
//!
//! Each payload goes in through every field a contributor fills (headline,
//! dek, kicker, slug, Markdown body, SEO title and description, FAQ
//! question and answer, topic name, image alt text, caption and credit —
//! through bbn's API, which runs the newsroom's own rules; an HTML body
//! through the newsroom's article form; a static page's title, HTML body
//! and description through the page form) and every field a reader fills
//! (comment name, address and text, a reply; the search box; the query
//! parameters of the public pages). Then the pages that show them are
//! opened: the article, the static page, the lists, search, the feeds,
//! and, signed in, the newsroom's editor, preview, revisions, page editor,
//! article and page lists and moderation queue.
//!
//! Before each document runs anything, a hook replaces `alert`, `confirm`,
//! `prompt` and `print` with recorders and listens for Content Security
//! Policy violations of script, object, frame, base and form rules (markup
//! that would run script, stopped only by the policy, is a finding too).
//! After each page loads, its DOM is searched for event-handler attributes,
//! `javascript:`/`vbscript:`/`data:text/html` addresses, scripts other than
//! the theme's own files and JSON-LD, frames, objects, embeds, `<base>` and
//! refresh redirects; the requests it made are searched for any host other
//! than the site's (the canary: Chromium resolves no other host at all);
//! and the page must still be on the site. One finding fails the suite.
//!
//! By default (CI) an even sample of each payload file is tried;
//! `BBN_ATTACK_FULL=1` tries every line:
//!
//!     BBN_ATTACK_FULL=1 cargo test -p bbn --test attack_xss -- --nocapture
//!
//! `BBN_ATTACK_SHARD=k/n` takes the k-th of n interleaved shares of the
//! payloads (a full run in parts); `BBN_ATTACK_ONLY=comments` tries the
//! readers' comment fields alone (comment name, address, text and reply,
//! each under a plain article), and opens only the pages that show them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

#[path = "../../web/tests/payloads/mod.rs"]
mod payloads;
mod support;

use payloads::percent_encode as encode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use support::client::{
    Api, Newsroom, admin_and_token, comment_token, data_dir_args, exchange, location, try_exchange,
};
use support::webdriver::Browser;
use support::{Server, UNLIMITED_WRITES, temp_dir};

/// Lines tried from each payload file in the default (CI) run.
const SAMPLE_PER_FILE: usize = 6;
const ADMIN: &str = "xss-admin@example.com";
const PASSWORD: &str = "correct horse battery staple";

/// Installed before every document: records what a payload could do.
const HOOK: &str = r#"(() => {
  const found = [];
  Object.defineProperty(window, '__bbnFound', { value: found });
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    try {
      window[name] = function (...args) {
        found.push(name + '(' + args.map(String).join(', ').slice(0, 80) + ')');
      };
    } catch (e) {}
  }
  const watched = /^(script-src|object-src|frame-src|child-src|worker-src|base-uri|form-action|default-src|connect-src)/;
  document.addEventListener('securitypolicyviolation', (e) => {
    if (watched.test(e.effectiveDirective)) {
      found.push('blocked by CSP ' + e.effectiveDirective + ': ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
    }
  }, true);
})();"#;

/// Run after a page loads: what the hook recorded, what the DOM holds that
/// could run script, the requests to other hosts, and where the page is.
const AUDIT: &str = r#"
const found = [document.readyState, ...(window.__bbnFound || [])];
const risky = ['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal'];
const addresses = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster', 'lowsrc', 'dynsrc', 'srcdoc', 'codebase'];
const urlOf = (u) => { try { return new URL(u, location.href); } catch (e) { return null; } };
const describe = (el) => '<' + el.tagName.toLowerCase() + '> ' + el.outerHTML.slice(0, 120);
const walk = (doc) => {
  for (const el of doc.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    for (const a of Array.from(el.attributes)) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push('handler attribute ' + name + ' on ' + describe(el));
      if (addresses.includes(name)) {
        const v = a.value.replace(/[\u0000-\u0020\u007f-\u00a0]/g, '').toLowerCase();
        if (name === 'srcdoc' || v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text/html') || v.startsWith('data:image/svg')) {
          found.push('script address in ' + name + ' of ' + describe(el));
        }
      }
    }
    if (tag === 'script') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      const src = el.src ? urlOf(el.src) : null;
      const own = src !== null && src.origin === location.origin && src.pathname.startsWith('/assets/');
      if (!own && type !== 'application/ld+json') found.push('script element ' + describe(el));
    }
    if (risky.includes(tag)) found.push('element ' + describe(el));
    if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) found.push('refresh ' + describe(el));
  }
};
walk(document);
for (const entry of performance.getEntriesByType('resource')) {
  const address = urlOf(entry.name);
  const host = address ? address.hostname : entry.name;
  // Pictures may come from elsewhere (a contributor's body may show one;
  // the policy still refuses plain http); anything else may not.
  const picture = ['img', 'image', 'video', 'audio', 'track'].includes(entry.initiatorType);
  if (host !== location.hostname && !picture) found.push('request to ' + host + ' (' + entry.initiatorType + ')');
}
if (location.hostname !== '127.0.0.1') found.push('navigated to ' + location.href);
return found;
"#;

fn small_png() -> Vec<u8> {
    let mut img = image::RgbImage::new(64, 48);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// What went in where, and what the site refused.
#[derive(Default)]
struct Tally {
    accepted: BTreeMap<&'static str, usize>,
    refused: BTreeMap<&'static str, usize>,
    pages: usize,
    findings: Vec<String>,
}

impl Tally {
    fn took(&mut self, field: &'static str, ok: bool) {
        *if ok {
            self.accepted.entry(field)
        } else {
            self.refused.entry(field)
        }
        .or_default() += 1;
    }
}

/// An article made of one payload, as far as the site took it.
struct Probe {
    file: String,
    payload: String,
    id: i64,
    slug: String,
    topic: Option<String>,
    /// The article whose body is the payload sent as HTML: id and slug.
    html: Option<(i64, String)>,
    /// The static page of the payload: id and slug.
    page: Option<(i64, String)>,
}

/// The id in a redirect to `{prefix}{id}…`.
fn id_in(head: &str, prefix: &str) -> i64 {
    let to = location(head).expect("a redirect");
    let rest = to
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("a redirect to {prefix}…: {to}"));
    rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())]
        .parse()
        .unwrap()
}

/// Chromium's switch that makes every host but the site's unknown:
/// anything a payload fetches from elsewhere fails at once (and is still
/// seen by the audit).
const RESOLVE_NOTHING_ELSE: &str = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1";

/// Opens a page and adds what the audit finds there to `findings`.
fn audit(browser: &Browser, base: &str, path: &str, why: &str, findings: &mut Vec<String>) {
    if let Err(e) = browser.navigate(&format!("{base}{path}")) {
        findings.push(format!("{path} ({why}): the page could not be read: {e}"));
        return;
    }
    let mut found = browser.eval(AUDIT);
    if found[0] != "complete" {
        // WebDriver answered before the page had loaded (a page that
        // navigated itself, say): wait, and look again.
        browser.wait_loaded();
        found = browser.eval(AUDIT);
    }
    for f in found.as_array().into_iter().flatten().skip(1) {
        findings.push(format!(
            "{path} ({why}): {}",
            f.as_str().unwrap_or_default()
        ));
    }
}

/// A public page as the server sends it, with the comment form's token
/// (a hidden field, fresh each second) left out: pages alike in this are
/// alike in the browser, as the site's scripts never write the page's
/// address into it.
fn fingerprint(port: u16, path: &str) -> Option<(u16, u64)> {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let (status, _, body) = try_exchange(port, "GET", path, &[], b"")?;
    let page = String::from_utf8_lossy(&body);
    let marker = "name=\"token\" value=\"";
    let page = match page.find(marker) {
        Some(at) => {
            let start = at + marker.len();
            let end = start + page[start..].find('"').unwrap_or(0);
            format!("{}{}", &page[..start], &page[end..])
        }
        None => page.into_owned(),
    };
    Some((
        status,
        BuildHasherDefault::<DefaultHasher>::default().hash_one(page),
    ))
}

/// What the browsers have opened: the public pages seen (by their
/// fingerprint), and how many were left alone as alike to one seen.
#[derive(Default)]
struct Seen {
    pages: BTreeSet<(u16, u64)>,
    alike: usize,
}

/// Opens the public pages (each kind of page once: one byte for byte
/// like a page already opened is not opened again), then signs in and
/// opens the newsroom's: the pages opened and the findings.
fn open_all(
    browser: &Browser,
    port: u16,
    public: &[(String, String)],
    staff: &[(String, String)],
    seen: &std::sync::Mutex<Seen>,
) -> (usize, Vec<String>) {
    let base = format!("http://127.0.0.1:{port}");
    let mut findings = Vec::new();
    let mut opened = 0;
    for (path, why) in public {
        if let Some(print) = fingerprint(port, path) {
            let mut seen = seen.lock().unwrap();
            if !seen.pages.insert(print) {
                seen.alike += 1;
                continue;
            }
        }
        opened += 1;
        audit(browser, &base, path, why, &mut findings);
    }
    browser.sign_in(&base, ADMIN, PASSWORD);
    for (path, why) in staff {
        audit(browser, &base, path, why, &mut findings);
    }
    (opened + staff.len(), findings)
}

/// The article's fields, each holding the payload.
fn article_of(payload: &str, n: usize, image: Option<i64>) -> Value {
    json!({
        "headline": payload,
        "dek": payload,
        "kicker": payload,
        "section": "world",
        "topics": [payload],
        "body_markdown": payload,
        "seo_title": payload,
        "seo_description": payload,
        "faq": [{ "question": payload, "answer": payload }],
        "image_id": image,
        "slug": format!("xss-probe-{n}"),
    })
}

/// Makes and publishes the article of one payload; fields the site refuses
/// are counted and written plainly instead.
fn make_probe(
    api: &Api,
    newsroom: &Newsroom,
    file: &str,
    payload: &str,
    n: usize,
    png: &[u8],
    tally: &mut Tally,
) -> Probe {
    let q = encode(payload);
    let (status, media) = api.upload(&format!("alt={q}&caption={q}&credit={q}"), png);
    tally.took("image alt, caption and credit", status == 201);
    let image = media["id"].as_i64();
    let mut fields = article_of(payload, n, image);
    // Fields the site refuses get plain text instead, one refusal at a time,
    // and are counted as refused.
    let mut plain: BTreeSet<&'static str> = BTreeSet::new();
    let (status, made) = loop {
        let (status, made) = api.call("POST", "/articles", Some(&fields));
        if status != 422 || plain.len() == FIELDS.len() {
            break (status, made);
        }
        let named: Vec<&'static str> = made["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["field"].as_str())
            .filter_map(|f| {
                let f = if f == "name" { "topics" } else { f };
                FIELDS.iter().copied().find(|k| f.starts_with(k))
            })
            .filter(|k| !plain.contains(k))
            .collect();
        let next = if named.is_empty() {
            FIELDS
                .iter()
                .copied()
                .filter(|k| !plain.contains(k))
                .take(1)
                .collect()
        } else {
            named
        };
        for key in next {
            plain.insert(key);
            fields[key] = match key {
                "faq" => json!([{ "question": "Why?", "answer": "Because." }]),
                "topics" => json!([]),
                _ => json!(format!("Probe {n}")),
            };
        }
    };
    for field in FIELDS {
        tally.took(field_label(field), !plain.contains(field));
    }
    assert_eq!(status, 201, "the probe article for {payload:?}: {made}");
    let id = made["id"].as_i64().unwrap();
    // The slug, on its own: most payloads are no slug and are refused.
    let (status, _) = api.call(
        "PATCH",
        &format!("/articles/{id}"),
        Some(&json!({ "slug": payload })),
    );
    tally.took("slug", status == 200);
    // A second version of the body, for the revisions screen to compare.
    let (status, _) = api.call(
        "PATCH",
        &format!("/articles/{id}"),
        Some(&json!({ "body_markdown": format!("{payload}\n\nA second version: {payload}") })),
    );
    assert!(status == 200 || status == 422, "second version: {status}");
    let (status, published) =
        api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
    assert_eq!(
        status, 200,
        "publishing the probe for {payload:?}: {published}"
    );
    // The body again as HTML (as systems that write HTML send it), through
    // the newsroom's article form, in an article of its own.
    let section = published["section"]["id"].as_i64().unwrap().to_string();
    let author = published["authors"][0]["id"].as_i64().unwrap().to_string();
    let (status, head) = newsroom.post(
        "/newsroom/articles/new",
        &[
            ("headline", &format!("Probe {n} in HTML")),
            ("section_id", &section),
            ("authors", &author),
            ("body", payload),
            ("body_format", "html"),
            ("slug", &format!("xss-probe-{n}-html")),
            ("action", "save"),
        ],
    );
    assert!(
        status == 303 || status == 400,
        "the HTML probe for {payload:?}: {status}"
    );
    tally.took("body (HTML)", status == 303);
    let html = (status == 303).then(|| {
        let id = id_in(&head, "/newsroom/articles/");
        let (status, published) =
            api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
        assert_eq!(
            status, 200,
            "publishing the HTML probe for {payload:?}: {published}"
        );
        (id, published["slug"].as_str().unwrap().to_string())
    });
    // A static page (About, Terms) of the payload: title, HTML body and
    // description; a title refused is written plainly instead.
    let slug = format!("xss-page-{n}");
    let page_of = |title: &str, description: &str| {
        newsroom.post(
            "/newsroom/pages",
            &[
                ("title", title),
                ("slug", &slug),
                ("body", payload),
                ("body_format", "html"),
                ("published", "on"),
                ("seo_description", description),
            ],
        )
    };
    let (mut status, mut head) = page_of(payload, payload);
    tally.took("page title and description", status == 303);
    if status == 400 {
        (status, head) = page_of(&format!("Page {n}"), "A page.");
    }
    tally.took("page body (HTML)", status == 303);
    let page = (status == 303).then(|| (id_in(&head, "/newsroom/pages/"), slug));
    Probe {
        file: file.to_string(),
        payload: payload.to_string(),
        id,
        slug: published["slug"].as_str().unwrap().to_string(),
        topic: published["topics"][0]["slug"].as_str().map(str::to_string),
        html,
        page,
    }
}

/// A plain published article for a payload's comments
/// (`BBN_ATTACK_ONLY=comments`).
fn plain_probe(api: &Api, file: &str, payload: &str, n: usize) -> Probe {
    let mut fields = article_of(&format!("Comment probe {n}"), n, None);
    fields["faq"] = json!([]);
    let (status, made) = api.call("POST", "/articles", Some(&fields));
    assert_eq!(status, 201, "a plain article: {made}");
    let id = made["id"].as_i64().unwrap();
    let (status, published) =
        api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
    assert_eq!(status, 200, "publishing a plain article: {published}");
    Probe {
        file: file.to_string(),
        payload: payload.to_string(),
        id,
        slug: published["slug"].as_str().unwrap().to_string(),
        topic: None,
        html: None,
        page: None,
    }
}

/// The article fields a payload goes into at once.
const FIELDS: [&str; 8] = [
    "headline",
    "dek",
    "kicker",
    "body_markdown",
    "seo_title",
    "seo_description",
    "faq",
    "topics",
];

fn field_label(field: &str) -> &'static str {
    match field {
        "headline" => "headline",
        "dek" => "dek",
        "kicker" => "kicker",
        "body_markdown" => "body (Markdown with HTML)",
        "seo_title" => "SEO title",
        "seo_description" => "SEO description",
        "faq" => "FAQ question and answer",
        _ => "topic name",
    }
}

/// Posts a reader's comment through the form; its id when it was taken.
fn comment(
    port: u16,
    slug: &str,
    token: &str,
    name: &str,
    email: &str,
    text: &str,
    parent: Option<i64>,
) -> (u16, Option<i64>) {
    let mut form = format!(
        "token={}&name={}&email={}&comment={}&website=",
        encode(token),
        encode(name),
        encode(email),
        encode(text)
    );
    if let Some(p) = parent {
        form.push_str(&format!("&parent={p}"));
    }
    let (status, _, body) = exchange(
        port,
        "POST",
        &format!("/news/{slug}/comments"),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ],
        form.as_bytes(),
    );
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, answer["id"].as_i64())
}

mod with_corpus {
    use super::*;

    mod in_browser {
        use super::*;

        #[test]
        fn no_payload_runs_script_on_any_page() {
            let payloads = payloads::load("xss", SAMPLE_PER_FILE);
            let browser = Browser::start_with(&[RESOLVE_NOTHING_ELSE]);
            browser.before_each_document(HOOK);
            // The hook and the audit catch what they are for: a page that runs a
            // payload is a finding.
            let bad = "data:text/html,<p>x</p><img src=x onerror=alert(1)><a href='javascript:alert(2)'>a</a><iframe></iframe>";
            browser.open(bad);
            std::thread::sleep(Duration::from_millis(300));
            let caught: Vec<String> = browser
                .eval(AUDIT)
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap_or_default().to_string())
                .collect();
            for expected in [
                "alert(1)",
                "handler attribute onerror",
                "script address in href",
                "element <iframe>",
            ] {
                assert!(
                    caught.iter().any(|c| c.starts_with(expected)),
                    "the audit missed {expected:?} on a page made to trip it: {caught:?}"
                );
            }
            let started = Instant::now();
            let dir = temp_dir("attack-xss");
            // A first start makes the database (with the demo site), then the account.
            let first = Server::start(&dir, &[]);
            drop(first);
            std::thread::sleep(Duration::from_millis(300));
            let site = data_dir_args(&dir);
            let site: Vec<&str> = site.iter().map(String::as_str).collect();
            let token = admin_and_token(&site, ADMIN, PASSWORD);
            let server = Server::start(&dir, &UNLIMITED_WRITES);
            let port = server.port;
            let api = Api { port, token };
            let newsroom = Newsroom::sign_in(port, ADMIN, PASSWORD);
            let png = small_png();
            let mut tally = Tally::default();

            // Contributors' fields (unless only the comment fields are asked for).
            let comments_only = std::env::var("BBN_ATTACK_ONLY").as_deref() == Ok("comments");
            let probes: Vec<Probe> = payloads
                .iter()
                .enumerate()
                .map(|(n, (file, payload))| {
                    if comments_only {
                        plain_probe(&api, file, payload, n)
                    } else {
                        make_probe(&api, &newsroom, file, payload, n, &png, &mut tally)
                    }
                })
                .collect();

            // Readers' fields: a comment (approved, so every reader sees it), a
            // reply left pending (the moderation queue), an address.
            let tokens: Vec<String> = probes
                .iter()
                .map(|p| comment_token(port, &p.slug))
                .collect();
            std::thread::sleep(Duration::from_secs(4)); // the form's minimum time
            for (n, (probe, token)) in probes.iter().zip(&tokens).enumerate() {
                let p = &probe.payload;
                let email = format!("reader{n}@example.org");
                let (status, mut id) = comment(
                    port,
                    &probe.slug,
                    token,
                    p,
                    &email,
                    &format!("{p} (comment {n})"),
                    None,
                );
                tally.took("comment name and text", status == 201);
                // A payload too long for a name still goes in as the text.
                let mut name = p.as_str();
                if status != 201 {
                    name = "Reader";
                    let (status, alone) = comment(
                        port,
                        &probe.slug,
                        token,
                        name,
                        &email,
                        &format!("{p} (comment {n})"),
                        None,
                    );
                    tally.took("comment text under a plain name", status == 201);
                    id = alone;
                }
                if let Some(id) = id {
                    let (s, _) = api.call(
                        "POST",
                        &format!("/comments/{id}/status"),
                        Some(&json!({ "status": "approved" })),
                    );
                    assert_eq!(s, 200);
                    let (status, _) = comment(
                        port,
                        &probe.slug,
                        token,
                        name,
                        &email,
                        &format!("{p} (reply {n})"),
                        Some(id),
                    );
                    let field = if name == p {
                        "reply name and text"
                    } else {
                        "reply text under a plain name"
                    };
                    tally.took(field, status == 201);
                }
                let (status, _) = comment(
                    port,
                    &probe.slug,
                    token,
                    "Reader",
                    p,
                    &format!("Address probe {n}"),
                    None,
                );
                tally.took("comment address", status == 201);
            }

            let made = started.elapsed();
            // The pages to open, each with why: first what readers see, then,
            // signed in, what the newsroom sees.
            let mut public: Vec<(String, String)> = Vec::new();
            let mut staff: Vec<(String, String)> = Vec::new();
            for probe in &probes {
                let why = format!("{:?} from {}", probe.payload, probe.file);
                let q = encode(&probe.payload);
                let slug = &probe.slug;
                if comments_only {
                    public.push((format!("/news/{slug}"), why.clone()));
                    staff.push((format!("/news/{slug}"), format!("{why}, signed in")));
                    staff.push((format!("/newsroom/comments?q={q}"), why));
                    continue;
                }
                let mut read = |path: String| public.push((path, why.clone()));
                read(format!("/news/{slug}"));
                read(format!("/search?q={q}"));
                read(format!(
                    "/search?q={q}&section={q}&topic={q}&author={q}&from={q}&until={q}&sort={q}&page={q}"
                ));
                read(format!("/news/{slug}?replytocom={q}&comment={q}"));
                read(format!("/?page={q}&s={q}"));
                read(format!("/?p={q}&cat={q}&page_id={q}"));
                read(format!("/section/world?page={q}"));
                read(format!("/{q}"));
                if let Some((_, html_slug)) = &probe.html {
                    read(format!("/news/{html_slug}"));
                }
                if let Some(topic) = &probe.topic {
                    read(format!("/topic/{topic}"));
                }
                if let Some((_, page_slug)) = &probe.page {
                    read(format!("/{page_slug}"));
                }
                let id = probe.id;
                let mut see = |path: String, why: String| staff.push((path, why));
                see(format!("/newsroom/articles/{id}/edit"), why.clone());
                see(format!("/newsroom/articles/{id}/preview"), why.clone());
                see(format!("/newsroom/articles/{id}/revisions"), why.clone());
                if let Some((page_id, _)) = probe.page {
                    see(format!("/newsroom/pages/{page_id}"), why.clone());
                }
                if let Some((html_id, _)) = probe.html {
                    for screen in ["edit", "preview"] {
                        see(
                            format!("/newsroom/articles/{html_id}/{screen}"),
                            why.clone(),
                        );
                    }
                }
                see(format!("/news/{slug}"), format!("{why}, signed in"));
                see(format!("/newsroom/comments?q={q}"), why.clone());
            }
            for (path, why) in [
                ("/", "the home page's lists"),
                ("/section/world", "a section's list"),
                ("/section/world?page=2", "a section's list"),
                ("/feed.xml", "RSS"),
                ("/feed.atom", "Atom"),
                ("/comments/feed.xml", "the comments feed"),
                ("/sitemap.xml", "the sitemap"),
                ("/news-sitemap.xml", "the news sitemap"),
            ] {
                public.push((path.to_string(), why.to_string()));
            }
            // Lists show 50 to a page; each probe adds two articles, a topic and
            // about one comment of each status to them.
            let lists = probes.len().div_ceil(20) + 1;
            for page in 1..=lists {
                for path in [
                    format!("/newsroom/articles?page={page}"),
                    format!("/newsroom/topics?page={page}"),
                    format!("/newsroom/comments?status=pending&page={page}"),
                    format!("/newsroom/comments?status=approved&page={page}"),
                ] {
                    staff.push((path, "a newsroom list".to_string()));
                }
            }
            // The page list shows 50 to a page too; each probe adds one page.
            for page in 1..=probes.len().div_ceil(50) + 1 {
                staff.push((
                    format!("/newsroom/pages?page={page}"),
                    "a newsroom list".to_string(),
                ));
            }
            for path in ["/newsroom", "/newsroom/picks", "/newsroom/audit"] {
                staff.push((path.to_string(), "a newsroom screen".to_string()));
            }

            // Several browsers share the pages on a long local run
            // (BBN_ATTACK_BROWSERS=n); one opens them all by default.
            let count = std::env::var("BBN_ATTACK_BROWSERS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            let mut browsers = vec![browser];
            while browsers.len() < count {
                let b = Browser::start_with(&[RESOLVE_NOTHING_ELSE]);
                b.before_each_document(HOOK);
                browsers.push(b);
            }
            let share = |jobs: &[(String, String)], k: usize| -> Vec<(String, String)> {
                jobs.iter().skip(k).step_by(count).cloned().collect()
            };
            let seen = std::sync::Mutex::new(Seen::default());
            let parts: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
                let workers: Vec<_> = browsers
                    .iter()
                    .enumerate()
                    .map(|(k, browser)| {
                        let (public, staff, seen) = (share(&public, k), share(&staff, k), &seen);
                        scope.spawn(move || open_all(browser, port, &public, &staff, seen))
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap()).collect()
            });
            for (pages, findings) in parts {
                tally.pages += pages;
                tally.findings.extend(findings);
            }

            let accepted: usize = tally.accepted.values().sum();
            let refused: usize = tally.refused.values().sum();
            let alike = seen.lock().unwrap().alike;
            println!(
                "XSS: {} payloads; {} pages opened in Chromium ({alike} more alike to one opened); {} field submissions taken, {} refused; findings: {}\n  \
                 {:.0} s in all: {:.0} s to make the articles, pages and comments, {:.0} s to open the pages in {} browser(s)",
                payloads.len(),
                tally.pages,
                accepted,
                refused,
                tally.findings.len(),
                started.elapsed().as_secs_f64(),
                made.as_secs_f64(),
                (started.elapsed() - made).as_secs_f64(),
                count,
            );
            let fields: BTreeSet<&str> = tally
                .accepted
                .keys()
                .chain(tally.refused.keys())
                .copied()
                .collect();
            for field in fields {
                println!(
                    "  {field}: {} taken, {} refused",
                    tally.accepted.get(field).copied().unwrap_or(0),
                    tally.refused.get(field).copied().unwrap_or(0)
                );
            }
            assert!(
                tally.findings.is_empty(),
                "{} findings:\n{}",
                tally.findings.len(),
                tally
                    .findings
                    .iter()
                    .take(100)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}
