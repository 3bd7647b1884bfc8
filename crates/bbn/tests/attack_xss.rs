//! Cross-site scripting, tried with public payload lists
//! (`../shared/testdata/xss`, beside the workspace; the suite says so and
//! checks nothing where that folder is missing) in headless Chromium.
//!
//! Each payload goes in through every field a contributor fills (headline,
//! dek, kicker, slug, body, SEO title and description, FAQ question and
//! answer, topic name, image alt text, caption and credit — through bbn's
//! API, which runs the newsroom's own rules) and every field a reader
//! fills (comment name, address and text, a reply; the search box; the
//! query parameters of the public pages). Then the pages that show them
//! are opened: the article, the lists, search, the feeds, and, signed in,
//! the newsroom's editor, preview, revisions, article list and moderation
//! queue.
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

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

#[path = "../../web/tests/payloads/mod.rs"]
mod payloads;
mod support;

use payloads::percent_encode as encode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use support::client::{Api, admin_and_token, data_dir_args, exchange};
use support::webdriver::Browser;
use support::{Server, temp_dir};

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
const found = [...(window.__bbnFound || [])];
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
}

/// Opens a page and adds what the audit finds there.
fn audit(browser: &Browser, base: &str, path: &str, why: &str, tally: &mut Tally) {
    tally.pages += 1;
    if let Err(e) = browser.try_open(&format!("{base}{path}")) {
        tally
            .findings
            .push(format!("{path} ({why}): the page could not be read: {e}"));
        return;
    }
    let found = browser.eval(AUDIT);
    for f in found.as_array().into_iter().flatten() {
        tally.findings.push(format!(
            "{path} ({why}): {}",
            f.as_str().unwrap_or_default()
        ));
    }
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
    // The body again, sent as HTML (as systems that write HTML send it),
    // in an article of its own.
    let (status, made) = api.call(
        "POST",
        "/articles",
        Some(&json!({
            "headline": format!("Probe {n} in HTML"),
            "section": "world",
            "body_html": payload,
            "slug": format!("xss-probe-{n}-html"),
        })),
    );
    tally.took("body (HTML)", status == 201);
    let html = made["id"].as_i64().filter(|_| status == 201).map(|id| {
        let (status, published) =
            api.call("POST", &format!("/articles/{id}/publish"), Some(&json!({})));
        assert_eq!(
            status, 200,
            "publishing the HTML probe for {payload:?}: {published}"
        );
        (id, published["slug"].as_str().unwrap().to_string())
    });
    Probe {
        file: file.to_string(),
        payload: payload.to_string(),
        id,
        slug: published["slug"].as_str().unwrap().to_string(),
        topic: published["topics"][0]["slug"].as_str().map(str::to_string),
        html,
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

/// The comment form's token on an article page.
fn form_token(port: u16, slug: &str) -> String {
    let (_, _, body) = exchange(port, "GET", &format!("/news/{slug}"), &[], b"");
    let page = String::from_utf8_lossy(&body);
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).expect("a comment form") + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
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

#[test]
fn no_payload_runs_script_on_any_page() {
    let Some(payloads) = payloads::load("xss", SAMPLE_PER_FILE) else {
        return;
    };
    // No host but the site's resolves: anything a payload fetches from
    // elsewhere fails at once (and is still seen by the audit).
    let Some(browser) =
        Browser::start_with(&["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])
    else {
        return;
    };
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
    let server = Server::start(
        &dir,
        &[
            "--api-token-per-minute",
            "1000000",
            "--comments-per-address",
            "1000000",
            "--comments-per-article",
            "1000000",
        ],
    );
    let port = server.port;
    let base = format!("http://127.0.0.1:{port}");
    let api = Api { port, token };
    let png = small_png();
    let mut tally = Tally::default();

    // Contributors' fields.
    let probes: Vec<Probe> = payloads
        .iter()
        .enumerate()
        .map(|(n, (file, payload))| make_probe(&api, file, payload, n, &png, &mut tally))
        .collect();

    // Readers' fields: a comment (approved, so every reader sees it), a
    // reply left pending (the moderation queue), an address.
    let tokens: Vec<String> = probes.iter().map(|p| form_token(port, &p.slug)).collect();
    std::thread::sleep(Duration::from_secs(4)); // the form's minimum time
    for (n, (probe, token)) in probes.iter().zip(&tokens).enumerate() {
        let p = &probe.payload;
        let email = format!("reader{n}@example.org");
        let (status, id) = comment(
            port,
            &probe.slug,
            token,
            p,
            &email,
            &format!("{p} (comment {n})"),
            None,
        );
        tally.took("comment name and text", status == 201);
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
                p,
                &email,
                &format!("{p} (reply {n})"),
                Some(id),
            );
            tally.took("reply name and text", status == 201);
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

    // What readers see.
    for probe in &probes {
        let why = format!("{:?} from {}", probe.payload, probe.file);
        let q = encode(&probe.payload);
        let slug = &probe.slug;
        audit(&browser, &base, &format!("/news/{slug}"), &why, &mut tally);
        audit(&browser, &base, &format!("/search?q={q}"), &why, &mut tally);
        audit(
            &browser,
            &base,
            &format!(
                "/search?q={q}&section={q}&topic={q}&author={q}&from={q}&until={q}&sort={q}&page={q}"
            ),
            &why,
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/news/{slug}?replytocom={q}&comment={q}"),
            &why,
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/?page={q}&s={q}"),
            &why,
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/?p={q}&cat={q}&page_id={q}"),
            &why,
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/section/world?page={q}"),
            &why,
            &mut tally,
        );
        audit(&browser, &base, &format!("/{q}"), &why, &mut tally);
        if let Some((_, html_slug)) = &probe.html {
            audit(
                &browser,
                &base,
                &format!("/news/{html_slug}"),
                &why,
                &mut tally,
            );
        }
        if let Some(topic) = &probe.topic {
            audit(
                &browser,
                &base,
                &format!("/topic/{topic}"),
                &why,
                &mut tally,
            );
        }
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
        audit(&browser, &base, path, why, &mut tally);
    }

    // What the newsroom sees.
    browser.clear_cookies();
    browser.open(&format!("{base}/newsroom/sign-in"));
    browser.type_into("#email", ADMIN);
    browser.type_into("#password", PASSWORD);
    browser.click("form.nr-form button[type=submit]");
    assert!(
        browser.url().ends_with("/newsroom"),
        "signed in: {}",
        browser.url()
    );
    for probe in &probes {
        let why = format!("{:?} from {}", probe.payload, probe.file);
        let id = probe.id;
        audit(
            &browser,
            &base,
            &format!("/newsroom/articles/{id}/edit"),
            &why,
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/newsroom/articles/{id}/preview"),
            &why,
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/newsroom/articles/{id}/revisions"),
            &why,
            &mut tally,
        );
        if let Some((html_id, _)) = probe.html {
            for screen in ["edit", "preview"] {
                audit(
                    &browser,
                    &base,
                    &format!("/newsroom/articles/{html_id}/{screen}"),
                    &why,
                    &mut tally,
                );
            }
        }
        audit(
            &browser,
            &base,
            &format!("/news/{}", probe.slug),
            &format!("{why}, signed in"),
            &mut tally,
        );
        audit(
            &browser,
            &base,
            &format!("/newsroom/comments?q={}", encode(&probe.payload)),
            &why,
            &mut tally,
        );
    }
    let lists = probes.len().div_ceil(20) + 1;
    for page in 1..=lists {
        for path in [
            format!("/newsroom/articles?page={page}"),
            format!("/newsroom/comments?status=pending&page={page}"),
            format!("/newsroom/comments?status=approved&page={page}"),
        ] {
            audit(&browser, &base, &path, "a newsroom list", &mut tally);
        }
    }
    for path in [
        "/newsroom",
        "/newsroom/topics",
        "/newsroom/picks",
        "/newsroom/audit",
    ] {
        audit(&browser, &base, path, "a newsroom screen", &mut tally);
    }

    let accepted: usize = tally.accepted.values().sum();
    let refused: usize = tally.refused.values().sum();
    println!(
        "XSS: {} payloads; {} pages opened in Chromium in {:.0} s; {} field submissions taken, {} refused; findings: {}",
        payloads.len(),
        tally.pages,
        started.elapsed().as_secs_f64(),
        accepted,
        refused,
        tally.findings.len()
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
