//! SQL injection, tried with public payload lists (`../shared/testdata/sqli`,
//! beside the workspace; the suite says so and checks nothing where that
//! folder is missing) through every query parameter and path segment of the
//! public site, bbn's API, the Ghost-compatible API and the newsroom's
//! lists, and through the comment and sign-in forms — on SQLite and on
//! PostgreSQL.
//!
//! Each payload request is set beside a control: the same request with a
//! harmless value the site treats the same way (the payload's words alone
//! for a search, a slug that does not exist for a slug, a word for a
//! number). An anomaly is an answer of 500, a different status or a
//! different set of articles than the control's, text that speaks of SQL
//! or the database, an unpublished article or a password hash shown to a
//! reader, a sign-in let through, an answer slower than a sleeping payload
//! would make it, or a change to what the database holds.
//!
//! By default (CI) an even sample of each payload file is tried;
//! `BBN_ATTACK_FULL=1` tries every line:
//!
//!     BBN_ATTACK_FULL=1 cargo test -p bbn-web --test attack_sqli -- --nocapture

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod browser_like;
mod fixtures;
mod payloads;

use bbn_core::{Role, SiteSettings, Status, password};
use bbn_store::testing::TestDb;
use bbn_store::{ApiKeyKind, NewApiKey, NewUser, Store};
use bbn_web::{AppState, Theme, WebConfig};
use browser_like::{Client, hidden_fields};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Lines tried from each payload file in the default (CI) run.
const SAMPLE_PER_FILE: usize = 12;
/// A payload that makes the database sleep asks for 5 seconds or more.
const SLEPT: Duration = Duration::from_secs(4);
const BASE: &str = "https://news.example";
const DRAFT: &str = "Unreleased embargoed draft";

/// How a parameter is read, and so what its control is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Words searched for in the database (the newsroom's lists): the
    /// control is the payload's words alone.
    Words,
    /// A slug or name looked up: the control is one that does not exist.
    Slug,
    /// A number or date: the control is a word.
    Number,
    /// Filter, order and field syntax, and the search box (which goes to
    /// the search index, whose own query language gives quotes, minus
    /// signs and stars a meaning): no control, only the safety checks.
    Syntax,
}

/// Who asks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Reader,
    Admin,
}

/// A request with one value from outside: `{}` in the address is where it goes.
struct Target {
    address: &'static str,
    kind: Kind,
    who: Who,
    /// In a path segment (percent-encoded) or a query value (form-encoded).
    in_path: bool,
}

const fn q(address: &'static str, kind: Kind) -> Target {
    Target {
        address,
        kind,
        who: Who::Reader,
        in_path: false,
    }
}

const fn p(address: &'static str, kind: Kind) -> Target {
    Target {
        address,
        kind,
        who: Who::Reader,
        in_path: true,
    }
}

const fn staff_q(address: &'static str, kind: Kind) -> Target {
    Target {
        address,
        kind,
        who: Who::Admin,
        in_path: false,
    }
}

const fn staff_p(address: &'static str, kind: Kind) -> Target {
    Target {
        address,
        kind,
        who: Who::Admin,
        in_path: true,
    }
}

use Kind::{Number, Slug, Syntax, Words};

/// Every GET parameter and path segment the site, its APIs and the
/// newsroom's lists take. `KEY` stands for a Content API key.
const TARGETS: &[Target] = &[
    // The reader site.
    q("/search?q={}", Syntax),
    q("/search?q=story&section={}", Slug),
    q("/search?q=story&topic={}", Slug),
    q("/search?q=story&author={}", Slug),
    q("/search?q=story&from={}", Number),
    q("/search?q=story&until={}", Number),
    q("/search?q=story&page={}", Number),
    q("/search?q=story&sort={}", Syntax),
    q("/search/suggest?q={}", Syntax),
    q("/?page={}", Number),
    q("/?s={}", Words),
    q("/?p={}", Number),
    q("/?page_id={}", Number),
    q("/?cat={}", Slug),
    q("/section/world?page={}", Number),
    q("/topic/talks?page={}", Number),
    q("/author/omar-said?page={}", Number),
    q("/news/ministers-meet?replytocom={}", Number),
    p("/news/{}", Slug),
    p("/section/{}", Slug),
    p("/topic/{}", Slug),
    p("/author/{}", Slug),
    p("/{}", Slug),
    p("/section/{}/feed.xml", Slug),
    p("/topic/{}/feed.json", Slug),
    p("/sitemaps/{}", Slug),
    // bbn's API.
    q("/api/v1/articles?section={}", Slug),
    q("/api/v1/articles?topic={}", Slug),
    q("/api/v1/articles?author={}", Slug),
    q("/api/v1/articles?page={}", Number),
    q("/api/v1/articles?per_page={}", Number),
    p("/api/v1/articles/{}", Number),
    p("/api/v1/articles/by-slug/{}", Slug),
    p("/api/v1/articles/{}/comments", Number),
    q("/api/v1/search?q={}", Syntax),
    q("/api/v1/search?q=story&section={}", Slug),
    q("/api/v1/search?q=story&sort={}", Syntax),
    // The Ghost-compatible Content API.
    q("/ghost/api/content/posts/?key=KEY&filter={}", Syntax),
    q("/ghost/api/content/posts/?key=KEY&order={}", Syntax),
    q("/ghost/api/content/posts/?key=KEY&fields={}", Syntax),
    q("/ghost/api/content/posts/?key=KEY&include={}", Syntax),
    q("/ghost/api/content/posts/?key=KEY&limit={}", Number),
    q("/ghost/api/content/posts/?key=KEY&page={}", Number),
    q("/ghost/api/content/tags/?key=KEY&filter={}", Syntax),
    q("/ghost/api/content/authors/?key=KEY&filter={}", Syntax),
    q("/ghost/api/content/posts/?key={}", Slug),
    p("/ghost/api/content/posts/slug/{}/?key=KEY", Slug),
    p("/ghost/api/content/tags/slug/{}/?key=KEY", Slug),
    p("/ghost/api/content/authors/slug/{}/?key=KEY", Slug),
    // The newsroom's lists, signed in as an admin.
    staff_q("/newsroom/articles?q={}", Slug),
    staff_q("/newsroom/articles?status={}", Slug),
    staff_q("/newsroom/articles?section={}", Slug),
    staff_q("/newsroom/articles?author={}", Slug),
    staff_q("/newsroom/articles?topic={}", Slug),
    staff_q("/newsroom/articles?page={}", Number),
    staff_q("/newsroom/comments?status={}", Slug),
    staff_q("/newsroom/comments?q={}", Slug),
    staff_q("/newsroom/comments?article={}", Number),
    staff_q("/newsroom/audit?user={}", Number),
    staff_q("/newsroom/audit?before={}", Number),
    staff_p("/newsroom/articles/{}/edit", Number),
    staff_p("/newsroom/articles/{}/revisions", Number),
];

/// Text that means a database error reached the client.
const LEAKS: &[&str] = &[
    "syntax error",
    "sqlstate",
    "sqlx",
    "sqlite",
    "postgres",
    "unterminated",
    "unrecognized token",
    "no such column",
    "no such table",
    "no such function",
    "database error",
    "pg_catalog",
    "error returned from database",
    "$argon2",
];

struct Site {
    store: Store,
    reader: Client,
    admin: Client,
    key: String,
    _db: TestDb,
}

async fn site(db: TestDb) -> Site {
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
    let omar = store
        .create_author("omar-said", "Omar Said", "")
        .await
        .unwrap();
    let talks = store.create_topic("talks", "Talks", "").await.unwrap();
    let now = bbn_core::time::now();
    let mut drafts: Vec<_> = (0..8)
        .map(|i| {
            fixtures::published(
                world,
                vec![omar],
                vec![talks],
                &format!("Story {i} of the talks"),
                now - 3600 - i * 60,
            )
        })
        .collect();
    drafts[0].slug = "ministers-meet".into();
    store.create_articles(drafts).await.unwrap();
    let mut hidden = fixtures::published(world, vec![omar], vec![talks], DRAFT, now);
    hidden.status = Status::Draft;
    hidden.published_at = None;
    store.create_article(hidden).await.unwrap();
    store
        .create_user(&NewUser {
            email: "boss@example.com".into(),
            name: "Boss".into(),
            role: Role::Admin,
            password_hash: Some(password::hash("a long enough phrase").unwrap()),
        })
        .await
        .unwrap();
    let key = store
        .create_api_key(&NewApiKey {
            name: "reader app".into(),
            kind: ApiKeyKind::Content,
            user_id: None,
            role: None,
            created_by: None,
        })
        .await
        .unwrap()
        .key;
    let mut config = WebConfig::new(BASE);
    config.comment_min_seconds = 0;
    config.comments_per_address = 1_000_000;
    config.comments_per_article = 1_000_000;
    config.api_public_per_minute = 1_000_000;
    config.api_content_per_minute = 1_000_000;
    config.api_token_per_minute = 1_000_000;
    let router = bbn_web::router(AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        config,
    ));
    let mut admin = Client::new(router.clone());
    admin
        .sign_in("boss@example.com", "a long enough phrase")
        .await;
    Site {
        store,
        reader: Client::new(router),
        admin,
        key,
        _db: db,
    }
}

fn address_with(target: &Target, value: &str, key: &str) -> String {
    let encoded = if target.in_path {
        payloads::percent_encode(value)
    } else {
        serde_urlencoded::to_string([("v", value)]).unwrap()[2..].to_string()
    };
    target
        .address
        .replace("KEY", key)
        .replacen("{}", &encoded, 1)
}

/// The harmless value the site should treat as it treats `payload`.
fn control(kind: Kind, payload: &str) -> Option<String> {
    match kind {
        Kind::Words => {
            let words: String = payload
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect();
            Some(if words.trim().is_empty() {
                "zzqv".into()
            } else {
                words
            })
        }
        Kind::Slug => Some("no-such-thing".into()),
        Kind::Number => Some("many".into()),
        Kind::Syntax => None,
    }
}

/// Whether a payload is an ordinary value for this kind of parameter (a
/// plain number for a number, a plain slug for a slug): not an attack, and
/// rightly answered differently from the control.
fn ordinary(kind: Kind, payload: &str) -> bool {
    let t = payload.trim();
    match kind {
        Kind::Number => t.parse::<i64>().is_ok() || t.parse::<f64>().is_ok(),
        Kind::Slug => t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        Kind::Words | Kind::Syntax => false,
    }
}

/// The articles an answer names: `/news/<slug>` links in pages and feeds,
/// `id` and `slug` values in JSON.
fn articles_named(body: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        // Error bodies carry a fresh id each time.
                        if k == "errors" {
                            continue;
                        }
                        if k == "id" || k == "slug" {
                            out.insert(v.to_string());
                        }
                        walk(v, out);
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        walk(&json, &mut found);
        return found;
    }
    for part in body.split("/news/").skip(1) {
        let slug: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !slug.is_empty() {
            found.insert(slug);
        }
    }
    found
}

/// What an answer must never hold, whatever was asked.
fn unsafe_text(body: &str, payload: &str, who: Who) -> Option<String> {
    let lower = body.to_lowercase();
    let asked = payload.to_lowercase();
    for leak in LEAKS {
        if lower.contains(leak) && !asked.contains(leak) {
            return Some(format!("answer mentions {leak:?}"));
        }
    }
    if who == Who::Reader && body.contains(DRAFT) {
        return Some("an unpublished article reached a reader".into());
    }
    None
}

struct Tally {
    requests: usize,
    anomalies: Vec<String>,
}

impl Tally {
    fn anomaly(&mut self, what: String) {
        if self.anomalies.len() < 200 {
            self.anomalies.push(what);
        }
    }
}

async fn one_request(
    site: &mut Site,
    who: Who,
    address: &str,
) -> (axum::http::StatusCode, String, Duration) {
    let client = match who {
        Who::Reader => &mut site.reader,
        Who::Admin => &mut site.admin,
    };
    let started = Instant::now();
    let page = client.get(address).await;
    (page.status, page.body, started.elapsed())
}

async fn every_parameter_resists_injection(db: TestDb) {
    let payloads = payloads::load("sqli", SAMPLE_PER_FILE);
    let mut site = site(db).await;
    let before = (
        site.store.site_counts().await.unwrap(),
        site.store.users().await.unwrap().len(),
    );
    let mut tally = Tally {
        requests: 0,
        anomalies: Vec::new(),
    };
    let key = site.key.clone();

    for target in TARGETS {
        for (file, payload) in &payloads {
            let address = address_with(target, payload, &key);
            let (status, body, took) = one_request(&mut site, target.who, &address).await;
            tally.requests += 1;
            let at = format!("{} with {payload:?} ({file})", target.address);
            if status.is_server_error() {
                tally.anomaly(format!("{at}: {status}"));
                continue;
            }
            if let Some(why) = unsafe_text(&body, payload, target.who) {
                tally.anomaly(format!("{at}: {why}"));
            }
            if took > SLEPT {
                tally.anomaly(format!("{at}: took {took:?}"));
            }
            if ordinary(target.kind, payload) {
                continue;
            }
            let Some(harmless) = control(target.kind, payload) else {
                continue;
            };
            let control_address = address_with(target, &harmless, &key);
            let (c_status, c_body, _) = one_request(&mut site, target.who, &control_address).await;
            tally.requests += 1;
            if c_status != status {
                tally.anomaly(format!(
                    "{at}: {status}, but {c_status} for the control {harmless:?}"
                ));
            } else if articles_named(&c_body) != articles_named(&body) {
                tally.anomaly(format!(
                    "{at}: other articles than for the control {harmless:?}: {:?} against {:?}",
                    articles_named(&body),
                    articles_named(&c_body)
                ));
            }
        }
    }

    // The forms: a comment's fields are stored as given; sign-in never lets a payload in.
    let article = site.reader.get("/news/ministers-meet").await;
    let hidden: Vec<(String, String)> = hidden_fields(&article.body);
    let mut posted = Vec::new();
    for (n, (file, payload)) in payloads.iter().enumerate() {
        for field in ["name", "email", "comment"] {
            // The control keeps what the form's own rules judge (letters,
            // spaces that trimming removes, control characters it refuses)
            // and loses every symbol SQL gives a meaning to.
            let harmless: String = payload
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c.is_whitespace() || c.is_control() {
                        c
                    } else {
                        'x'
                    }
                })
                .collect();
            if harmless == *payload {
                continue;
            }
            let mut statuses = Vec::new();
            for value in [payload.as_str(), harmless.as_str()] {
                // Each text differs (payload, field, control), so none is
                // refused as a repeat of another.
                let text = format!("A reader's view, number {n} ({field}) {value}");
                let mut fields: Vec<(&str, &str)> = hidden
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                fields.retain(|(k, _)| *k != field);
                let name = format!("Reader {n}");
                let email = format!("reader{n}@example.org");
                for (k, v) in [("name", &name), ("email", &email), ("comment", &text)] {
                    if k != field {
                        fields.push((k, v.as_str()));
                    }
                }
                let given = if field == "comment" {
                    text.as_str()
                } else {
                    value
                };
                fields.push((field, given));
                let answer = site
                    .reader
                    .post_form("/news/ministers-meet/comments", &fields)
                    .await;
                tally.requests += 1;
                if answer.status.is_server_error() {
                    tally.anomaly(format!(
                        "comment {field} {payload:?} ({file}): {}",
                        answer.status
                    ));
                }
                if let Some(why) = unsafe_text(&answer.body, value, Who::Reader) {
                    tally.anomaly(format!("comment {field} {payload:?} ({file}): {why}"));
                }
                statuses.push(answer.status);
                if field == "comment" && value == payload && answer.status.is_redirection() {
                    posted.push(text.trim().to_string());
                }
            }
            // A name or address too long for the field is refused as its control is.
            if statuses[0] != statuses[1] {
                tally.anomaly(format!(
                    "comment {field} {payload:?} ({file}): {} but {} for the control",
                    statuses[0], statuses[1]
                ));
            }
        }
    }
    let stored: BTreeSet<String> = site
        .store
        .moderation_queue(None, None, None, 1_000_000, 0)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|c| c.body)
        .collect();
    for text in &posted {
        if !stored.contains(text) {
            tally.anomaly(format!("the comment {text:?} was not stored as written"));
        }
    }

    let mut guesser = Client::new(site.reader.router());
    let form = guesser.get("/newsroom/sign-in").await;
    for (n, (file, payload)) in payloads.iter().enumerate() {
        for (email, pass) in [
            (payload.as_str(), "a long enough phrase"),
            ("boss@example.com", payload.as_str()),
        ] {
            // From an address of its own each time, so the limiter lets every one be judged.
            guesser.send_from(std::net::IpAddr::V4(std::net::Ipv4Addr::from(
                0x0a00_0000 + n as u32 * 2 + u32::from(email == "boss@example.com"),
            )));
            let answer = guesser
                .submit(
                    "/newsroom/sign-in",
                    &form.body,
                    &[("email", email), ("password", pass)],
                )
                .await;
            tally.requests += 1;
            if answer.status != axum::http::StatusCode::UNAUTHORIZED
                && answer.status != axum::http::StatusCode::TOO_MANY_REQUESTS
            {
                tally.anomaly(format!(
                    "sign-in with {payload:?} ({file}): {}",
                    answer.status
                ));
            }
            if let Some(why) = unsafe_text(&answer.body, payload, Who::Reader) {
                tally.anomaly(format!("sign-in with {payload:?} ({file}): {why}"));
            }
        }
    }

    let after = (
        site.store.site_counts().await.unwrap(),
        site.store.users().await.unwrap().len(),
    );
    if (after.0.articles, after.0.media, after.1) != (before.0.articles, before.0.media, before.1) {
        tally.anomaly(format!(
            "the database changed: {before:?} before, {after:?} after"
        ));
    }
    println!(
        "SQL injection: {} payloads, {} targets and 5 form fields, {} requests, {} anomalies",
        payloads.len(),
        TARGETS.len(),
        tally.requests,
        tally.anomalies.len()
    );
    assert!(
        tally.anomalies.is_empty(),
        "{} anomalies:\n{}",
        tally.anomalies.len(),
        tally.anomalies.join("\n")
    );
}

/// The payload lists are the shared corpus: `with_corpus::` in the names.
mod with_corpus {
    use super::*;
    bbn_store::on_both_backends!(every_parameter_resists_injection);
}
