//! Every write survives a crash whole or not at all. A mixed write load runs
//! against `bbn serve` (reader comments; articles created, edited,
//! published and corrected through the API; image uploads; site settings
//! saved through the newsroom's form), the server is killed with SIGKILL at
//! a moment that changes every round, and after the restart:
//!
//! - every write that was acknowledged is there (a write in flight at the
//!   kill may or may not be, but nothing else);
//! - nothing is half-written: every article has the revision it claims,
//!   every media row has its file;
//! - the change log names every row written, and the search index and the
//!   pages agree with the database (current headlines found, replaced and
//!   unpublished ones not).
//!
//! 20 rounds on SQLite and 20 on PostgreSQL; `BBN_CRASH_ROUNDS` changes that.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::Store;
use bbn_store::testing::TestDb;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::client::{
    Api, Newsroom, admin_and_token, comment_token, data_dir_args, form_encode, try_exchange,
};
use support::{Server, UNLIMITED_WRITES, temp_dir};

const ADMIN: &str = "crash-admin@example.com";
const PASSWORD: &str = "correct horse battery staple";
/// The demo article readers comment on.
const COMMENTED: &str = "foreign-ministers-meet-in-pyongyang";

fn rounds() -> usize {
    std::env::var("BBN_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// A word no other write uses, far (in spelling) from every other one, so
/// that search finds exactly the article that carries it.
fn word(round: usize, worker: usize, n: usize, version: usize) -> String {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let h = BuildHasherDefault::<DefaultHasher>::default().hash_one((round, worker, n, version));
    format!("q{h:016x}")
}

/// An article as its writer knows it.
#[derive(Debug, Clone)]
struct Story {
    slug: String,
    /// The headline word of the last acknowledged save.
    word: String,
    /// A save sent without an answer: its word may be the stored one.
    in_flight: Option<String>,
    /// Words of saves acknowledged and later replaced.
    replaced: Vec<String>,
    published: bool,
}

#[derive(Debug, Default)]
struct Ledger {
    comments: Vec<String>,
    stories: BTreeMap<i64, Story>,
    /// Acknowledged uploads: id, path, size.
    uploads: Vec<(i64, String, usize)>,
    settings: Option<String>,
    settings_in_flight: Option<String>,
    /// Answers that were neither an acknowledgement nor silence.
    refused: Vec<String>,
}

#[derive(Default)]
struct Totals {
    rounds: usize,
    comments: usize,
    stories: usize,
    saves: usize,
    publishes: usize,
    uploads: usize,
    settings: usize,
}

fn png(seed: usize) -> Vec<u8> {
    let mut img = image::RgbImage::new(40, 30);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([
            (x as usize * 6 + seed) as u8,
            (y * 8) as u8,
            (seed / 3) as u8,
        ]);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// One round's writers, until the server stops answering or `stop`.
fn write_load(
    port: u16,
    token: &str,
    session: &Newsroom,
    round: usize,
    ledger: &Arc<Mutex<Ledger>>,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut workers = Vec::new();
    // Readers' comments.
    {
        let (ledger, stop) = (ledger.clone(), stop.clone());
        let form_token = comment_token(port, COMMENTED);
        workers.push(std::thread::spawn(move || {
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let text = format!("crash comment {round} {n}");
                let form = format!(
                    "name=Reader&email=reader%40example.com&comment={}&token={}&website=",
                    form_encode(&text),
                    form_encode(&form_token)
                );
                let Some((status, _, _)) = try_exchange(
                    port,
                    "POST",
                    &format!("/news/{COMMENTED}/comments"),
                    &[("Content-Type", "application/x-www-form-urlencoded")],
                    form.as_bytes(),
                ) else {
                    break;
                };
                let mut l = ledger.lock().unwrap();
                if status == 303 {
                    l.comments.push(text);
                } else {
                    l.refused.push(format!("comment: {status}"));
                }
            }
        }));
    }
    // Two writers, each taking its articles from draft to correction.
    for worker in 0..2 {
        let (ledger, stop) = (ledger.clone(), stop.clone());
        let api = Api {
            port,
            token: token.to_string(),
        };
        workers.push(std::thread::spawn(move || {
            'stories: for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let slug = format!("crash-{round}-{worker}-{n}");
                let first = word(round, worker, n, 0);
                let Some((status, made)) = api.try_call(
                    "POST",
                    "/articles",
                    Some(&json!({
                        "headline": format!("Crash story {first}"),
                        "section": "world",
                        "body_markdown": format!("The body of {slug}."),
                        "slug": slug,
                    })),
                ) else {
                    break;
                };
                if status != 201 {
                    ledger
                        .lock()
                        .unwrap()
                        .refused
                        .push(format!("create: {status} {made}"));
                    break;
                }
                let id = made["id"].as_i64().unwrap();
                ledger.lock().unwrap().stories.insert(
                    id,
                    Story {
                        slug: slug.clone(),
                        word: first,
                        in_flight: None,
                        replaced: Vec::new(),
                        published: false,
                    },
                );
                for step in 1..=3 {
                    let (path, body) = if step == 2 {
                        (format!("/articles/{id}/publish"), json!({}))
                    } else {
                        let w = word(round, worker, n, step);
                        ledger
                            .lock()
                            .unwrap()
                            .stories
                            .get_mut(&id)
                            .unwrap()
                            .in_flight = Some(w.clone());
                        (
                            format!("/articles/{id}"),
                            json!({ "headline": format!("Crash story {w}"), "mark_updated": step == 3 }),
                        )
                    };
                    let method = if step == 2 { "POST" } else { "PATCH" };
                    let Some((status, answer)) = api.try_call(method, &path, Some(&body)) else {
                        break 'stories;
                    };
                    let mut l = ledger.lock().unwrap();
                    if status != 200 {
                        l.refused.push(format!("{method} {path}: {status} {answer}"));
                        break 'stories;
                    }
                    let story = l.stories.get_mut(&id).unwrap();
                    if step == 2 {
                        story.published = true;
                    } else if let Some(w) = story.in_flight.take() {
                        let old = std::mem::replace(&mut story.word, w);
                        story.replaced.push(old);
                    }
                }
            }
        }));
    }
    // Uploads.
    {
        let (ledger, stop) = (ledger.clone(), stop.clone());
        let api = Api {
            port,
            token: token.to_string(),
        };
        workers.push(std::thread::spawn(move || {
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let image = png(round * 97 + n);
                let Some((status, media)) =
                    api.try_upload(&format!("alt=Crash+{round}+{n}"), &image)
                else {
                    break;
                };
                let mut l = ledger.lock().unwrap();
                if status != 201 {
                    l.refused.push(format!("upload: {status} {media}"));
                    break;
                }
                let url = media["url"].as_str().unwrap();
                let path = &url[url.find("/media/").unwrap()..];
                l.uploads
                    .push((media["id"].as_i64().unwrap(), path.to_string(), image.len()));
            }
        }));
    }
    // Settings, through the newsroom's form.
    {
        let (ledger, stop) = (ledger.clone(), stop.clone());
        // The session outlives restarts; the server's port does not.
        let session = Newsroom {
            port,
            ..session.clone()
        };
        workers.push(std::thread::spawn(move || {
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let name = format!("Crash Gazette {round} {n}");
                ledger.lock().unwrap().settings_in_flight = Some(name.clone());
                let Some((status, _)) = session.try_post(
                    "/newsroom/settings",
                    &[
                        ("name", &name),
                        ("description", "News"),
                        ("copyright_holder", "Crash Ltd"),
                        ("time_zone", "UTC"),
                        ("page_size", "10"),
                    ],
                ) else {
                    break;
                };
                let mut l = ledger.lock().unwrap();
                if status != 303 {
                    l.refused.push(format!("settings: {status}"));
                    break;
                }
                l.settings = l.settings_in_flight.take();
                std::thread::sleep(Duration::from_millis(20));
            }
        }));
    }
    workers
}

async fn strings(store: &Store, sql: &str) -> Vec<String> {
    store.query_strings(sql).await.unwrap()
}

/// Whether the site's search page, asked for one word, lists the article at `slug`.
fn finds(port: u16, word: &str, slug: &str) -> bool {
    let (status, _, body) =
        try_exchange(port, "GET", &format!("/search?q={word}"), &[], b"").unwrap();
    assert_eq!(status, 200, "search for {word}");
    // Only the results list: the page's rails link the newest articles too.
    let page = String::from_utf8_lossy(&body);
    let Some(start) = page.find("<ol class=\"search-results\">") else {
        return false;
    };
    let list = &page[start..start + page[start..].find("</ol>").unwrap()];
    list.contains(&format!("href=\"/news/{slug}\""))
}

/// Everything the ledger says, checked against the restarted site.
async fn check(
    store: &Store,
    dir: &Path,
    port: u16,
    log: &Mutex<String>,
    ledger: &Ledger,
    round: usize,
    totals: &mut Totals,
) {
    assert!(
        ledger.refused.is_empty(),
        "round {round}: writes refused while the server ran: {:?}",
        ledger.refused
    );
    // Comments: each acknowledged one exactly once.
    let stored = strings(
        store,
        &format!("SELECT body FROM comments WHERE body LIKE 'crash comment {round} %'"),
    )
    .await;
    for text in &ledger.comments {
        assert_eq!(
            stored.iter().filter(|s| *s == text).count(),
            1,
            "round {round}: acknowledged comment {text:?}"
        );
    }
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        stored.len(),
        "round {round}: a comment stored twice"
    );

    // Articles: the acknowledged save (or the one in flight), published when acknowledged.
    let rows = strings(
        store,
        &format!(
            "SELECT CAST(id AS TEXT) || ' ' || status || ' ' || slug || ' ' || headline FROM articles WHERE slug LIKE 'crash-{round}-%'"
        ),
    )
    .await;
    // id → (status, slug, headline)
    let mut in_db: BTreeMap<i64, (String, String, String)> = BTreeMap::new();
    for row in rows {
        let mut parts = row.splitn(4, ' ');
        let id: i64 = parts.next().unwrap().parse().unwrap();
        let status = parts.next().unwrap().to_string();
        let slug = parts.next().unwrap().to_string();
        let headline = parts.next().unwrap().to_string();
        in_db.insert(id, (status, slug, headline));
    }
    for (id, story) in &ledger.stories {
        let (status, _, headline) = in_db.get(id).unwrap_or_else(|| {
            panic!("round {round}: acknowledged article {} is gone", story.slug)
        });
        let stored_word = headline.trim_start_matches("Crash story ");
        assert!(
            stored_word == story.word || story.in_flight.as_deref() == Some(stored_word),
            "round {round}: {} has {headline:?}, acknowledged {:?} (in flight {:?})",
            story.slug,
            story.word,
            story.in_flight
        );
        if story.published {
            assert_eq!(
                status, "published",
                "round {round}: {} acknowledged as published",
                story.slug
            );
        }
    }

    // Nothing half-written: every article has the revision it claims, and
    // this test's articles' revisions hold their headlines.
    let torn = store
        .query_i64(
            "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_revisions r \
             WHERE r.article_id = a.id AND r.revision = a.revision)",
        )
        .await
        .unwrap();
    assert_eq!(torn, 0, "round {round}: articles without their revision");
    let torn = store
        .query_i64(
            "SELECT COUNT(*) FROM articles a WHERE a.slug LIKE 'crash-%' AND NOT EXISTS \
             (SELECT 1 FROM article_revisions r WHERE r.article_id = a.id \
             AND r.revision = a.revision AND r.snapshot LIKE '%' || a.headline || '%')",
        )
        .await
        .unwrap();
    assert_eq!(
        torn, 0,
        "round {round}: a revision that is not its article's"
    );
    // Every media row has its file, and each acknowledged upload is served whole.
    for path in strings(store, "SELECT url FROM media WHERE url LIKE '/media/%'").await {
        assert!(
            dir.join(path.trim_start_matches('/')).is_file(),
            "round {round}: media row {path} without its file"
        );
    }
    for (id, path, size) in &ledger.uploads {
        let rows = store
            .query_i64(&format!("SELECT COUNT(*) FROM media WHERE id = {id}"))
            .await
            .unwrap();
        assert_eq!(rows, 1, "round {round}: acknowledged upload {id} is gone");
        let (status, _, body) = try_exchange(port, "GET", path, &[], b"").unwrap();
        assert_eq!(
            (status, body.len()),
            (200, *size),
            "round {round}: upload {path}"
        );
    }
    // Settings: the acknowledged save or the one in flight, and the pages say so.
    let name = strings(store, "SELECT name FROM site_settings")
        .await
        .remove(0);
    if let Some(acked) = &ledger.settings {
        assert!(
            name == *acked || ledger.settings_in_flight.as_deref() == Some(name.as_str()),
            "round {round}: the site is called {name:?}, acknowledged {acked:?}"
        );
    }
    let (_, _, home) = try_exchange(port, "GET", "/", &[], b"").unwrap();
    assert!(
        String::from_utf8_lossy(&home).contains(&name),
        "round {round}: the home page does not name the site {name:?}"
    );

    // The change log names every row this test wrote.
    for (rows, entity) in [
        ("articles x WHERE x.slug LIKE 'crash-%'", "article"),
        ("comments x WHERE x.body LIKE 'crash comment %'", "comment"),
        ("media x WHERE x.alt LIKE 'Crash %'", "media"),
    ] {
        let missing = store
            .query_i64(&format!(
                "SELECT COUNT(*) FROM {rows} AND NOT EXISTS \
                 (SELECT 1 FROM changes c WHERE c.entity = '{entity}' AND c.entity_id = x.id)"
            ))
            .await
            .unwrap();
        assert_eq!(
            missing, 0,
            "round {round}: {entity} rows missing from the change log"
        );
    }

    // Search and pages agree with the database (search catches up from the
    // change log after the restart; give it a moment).
    let deadline = Instant::now() + Duration::from_secs(20);
    for (id, (status, slug, headline)) in &in_db {
        let current = headline.trim_start_matches("Crash story ").to_string();
        let published = status == "published";
        let story = ledger.stories.get(id);
        loop {
            let found = finds(port, &current, slug);
            // Every other headline this article had or was sent.
            let stale = story
                .into_iter()
                .flat_map(|s| s.replaced.iter().chain([&s.word]).chain(&s.in_flight))
                .filter(|w| **w != current)
                .any(|w| finds(port, w, slug));
            if found == published && !stale {
                break;
            }
            if Instant::now() >= deadline {
                let changes = strings(
                    store,
                    &format!(
                        "SELECT CAST(seq AS TEXT) || ' ' || op || ' at ' || CAST(at AS TEXT) FROM changes \
                         WHERE entity = 'article' AND entity_id = {id} ORDER BY seq"
                    ),
                )
                .await;
                let last = store
                    .query_i64("SELECT MAX(seq) FROM changes")
                    .await
                    .unwrap();
                panic!(
                    "round {round}: search disagrees about {slug} ({status}, {headline:?}): \
                     found {found}, a replaced headline still found: {stale}; its changes {changes:?}, \
                     the log's last {last}; {story:?}; server log:\n{}",
                    log.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let (code, _, page) =
            try_exchange(port, "GET", &format!("/news/{slug}"), &[], b"").unwrap();
        if published {
            assert_eq!(code, 200, "round {round}: /news/{slug}");
            assert!(
                String::from_utf8_lossy(&page).contains(&current),
                "round {round}: /news/{slug} does not show {current}"
            );
        } else {
            assert_eq!(code, 404, "round {round}: draft /news/{slug} is public");
        }
    }

    // The audit log: an entry for every acknowledged staff write, with its
    // status; entries left at 0 (cut short) only for writes in flight at a
    // kill, at most one for each of the four staff writers a round.
    let count = |sql: String| async move { store.query_i64(&sql).await.unwrap() as usize };
    let uploads = totals.uploads + ledger.uploads.len();
    let logged = count(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'POST /api/v1/media' AND status = 201"
            .into(),
    )
    .await;
    assert!(
        logged >= uploads,
        "round {round}: {uploads} uploads acknowledged, {logged} in the audit log"
    );
    let stories = totals.stories + ledger.stories.len();
    let logged = count(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'POST /api/v1/articles' AND status = 201"
            .into(),
    )
    .await;
    assert!(
        logged >= stories,
        "round {round}: {stories} articles made, {logged} in the audit log"
    );
    for (id, story) in &ledger.stories {
        let logged = count(format!(
            "SELECT COUNT(*) FROM audit_log WHERE target = '/api/v1/articles/{id}' AND status = 200"
        ))
        .await;
        assert!(
            logged >= story.replaced.len(),
            "round {round}: article {id}: {} later saves acknowledged, {logged} in the audit log",
            story.replaced.len()
        );
    }
    let cut_short = count("SELECT COUNT(*) FROM audit_log WHERE status = 0".into()).await;
    assert!(
        cut_short <= 4 * (totals.rounds + 1),
        "round {round}: {cut_short} audit entries cut short"
    );

    totals.rounds += 1;
    totals.comments += ledger.comments.len();
    totals.stories += ledger.stories.len();
    totals.saves += ledger
        .stories
        .values()
        .map(|s| 1 + s.replaced.len())
        .sum::<usize>();
    totals.publishes += ledger.stories.values().filter(|s| s.published).count();
    totals.uploads += ledger.uploads.len();
    totals.settings += usize::from(ledger.settings.is_some());
}

async fn crash_rounds(backend: &str, store: Store, dir: PathBuf, site: Vec<String>) {
    let site_refs: Vec<&str> = site.iter().map(String::as_str).collect();
    let token = admin_and_token(&site_refs, ADMIN, PASSWORD);
    let mut args: Vec<&str> = UNLIMITED_WRITES.to_vec();
    // `--data-dir` is the server's own argument; the rest names the database.
    args.extend(site_refs.iter().skip(2));
    let mut server = Server::start_logged(&dir, &args);
    let session = Newsroom::sign_in(server.port, ADMIN, PASSWORD);
    let mut totals = Totals::default();
    for round in 0..rounds() {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let workers = write_load(server.port, &token, &session, round, &ledger, &stop);
        // Somewhere between 0.3 and 2.2 s into the load, different each round.
        let wait = 300 + (word(round, 9, 9, 9).as_bytes()[5] as u64 % 20) * 100;
        std::thread::sleep(Duration::from_millis(wait));
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
        server = Server::start_logged(&dir, &args);
        let ledger = std::mem::take(&mut *ledger.lock().unwrap());
        check(
            &store,
            &dir,
            server.port,
            &server.log,
            &ledger,
            round,
            &mut totals,
        )
        .await;
    }
    server.terminate();
    let said = format!(
        "\ncrash test ({backend}): {} rounds of SIGKILL under load; acknowledged writes checked: \
         {} comments, {} articles created with {} saves and {} publishes, {} uploads, {} rounds of settings saves\n",
        totals.rounds,
        totals.comments,
        totals.stories,
        totals.saves,
        totals.publishes,
        totals.uploads,
        totals.settings
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), said.as_bytes());
    assert!(totals.saves > 0 && totals.uploads > 0 && totals.comments > 0);
    // Each round runs at least 0.3 s; a settings save takes milliseconds.
    assert!(
        totals.settings * 2 >= totals.rounds,
        "settings were saved in only {} of {} rounds: is the load reaching the restarted server?",
        totals.settings,
        totals.rounds
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_writes_survive_sigkill_on_sqlite() {
    let dir = temp_dir("crash-sqlite");
    // The first start makes the site; then its database is watched from here.
    let first = Server::start(&dir, &[]);
    first.terminate();
    let store = Store::open_sqlite(&dir.join("bbn.db")).await.unwrap();
    let site = data_dir_args(&dir);
    crash_rounds("SQLite", store.clone(), dir.clone(), site).await;
    store.close().await;
    std::fs::remove_dir_all(dir).unwrap();
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn acknowledged_writes_survive_sigkill_on_postgres() {
        let db = TestDb::postgres().await;
        let dir = temp_dir("crash-pg");
        let mut site = data_dir_args(&dir);
        site.extend(["--database-url".to_string(), db.url.clone()]);
        // The first start makes the site in the empty database.
        let first = Server::start(&dir, &["--database-url", &db.url]);
        first.terminate();
        crash_rounds("PostgreSQL", db.store.clone(), dir.clone(), site).await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
