//! Publish-to-visible: how long after an editor publishes an article do
//! readers see it on every page that lists it. The article is written and
//! published through bbn's JSON API with a staff token, as a newsroom tool
//! would, and each listing page (home, its section, its topic, its author,
//! and the Latest News rail of an article page) is polled on every instance
//! until the headline appears. With a page cache this is what its
//! invalidation costs readers; with several instances, what following the
//! change log costs.

use crate::http;
use anyhow::{Context, bail};
use bbn_core::Role;
use bbn_store::{ApiKeyKind, NewApiKey, NewUser, Store};
use std::time::{Duration, Instant};

/// The byline the articles go out under: a generated author with many
/// stories, so that the author page is a real one.
const AUTHOR_NAME: &str = "Author 0";
const AUTHOR_SLUG: &str = "author-0";
const SECTION: &str = "world";
const TOPIC_NAME: &str = "Topic 1";
const TOPIC_SLUG: &str = "topic-1";
const EMAIL: &str = "speed-desk@example.org";
/// A page that has not shown the article by then counts as never.
const GIVE_UP: Duration = Duration::from_secs(60);

/// An editor's staff token, made in the store (as `bbn apikey add` would).
pub async fn staff_token(store: &Store) -> anyhow::Result<String> {
    let user_id = match store.user_for_sign_in(EMAIL).await? {
        Some((user, _)) => user.id,
        None => {
            store
                .create_user(&NewUser {
                    email: EMAIL.into(),
                    name: AUTHOR_NAME.into(),
                    role: Role::Editor,
                    password_hash: None,
                })
                .await?
        }
    };
    let issued = store
        .create_api_key(&NewApiKey {
            name: "bbn-bench speed".into(),
            kind: ApiKeyKind::Staff,
            user_id: Some(user_id),
            role: Some(Role::Editor),
            created_by: None,
        })
        .await?;
    Ok(issued.key)
}

/// The pages that list a new article of the section, topic and author above.
pub fn listing_pages(article_page: &str) -> Vec<(&'static str, String)> {
    vec![
        ("home", "/".into()),
        ("section", format!("/section/{SECTION}")),
        ("topic", format!("/topic/{TOPIC_SLUG}")),
        ("author", format!("/author/{AUTHOR_SLUG}")),
        ("article rail", article_page.into()),
    ]
}

/// One publication: how long the publish call took, and per instance and
/// page, when the headline appeared (None: not within a minute).
pub struct Visible {
    pub publish_ms: f64,
    pub seen_ms: Vec<Vec<Option<f64>>>,
}

impl Visible {
    /// When the last page of an instance showed the article.
    pub fn last_ms(&self, instance: usize) -> Option<f64> {
        self.seen_ms[instance]
            .iter()
            .try_fold(0.0_f64, |last, seen| seen.map(|ms| last.max(ms)))
    }
}

/// Writes and publishes article `n` through the API on `ports[0]`, then
/// polls `pages` on every instance until each shows its headline.
pub fn publish_and_watch(
    ports: &[u16],
    token: &str,
    pages: &[(&str, String)],
    run: i64,
    n: usize,
) -> anyhow::Result<Visible> {
    let mut api = http::Client::connect(ports[0])?;
    let headline = format!("Speed check {run} number {n} goes live");
    let draft = format!(
        r#"{{"headline":"{headline}","dek":"A story written by the benchmark to time publishing.","section":"{SECTION}","topics":["{TOPIC_NAME}"],"body_markdown":"The benchmark wrote this story and times how soon readers see it."}}"#
    );
    let bearer = format!("Bearer {token}");
    let auth = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
    ];
    let created = api.call("POST", "/api/v1/articles", &auth, draft.as_bytes())?;
    if created.status != 201 {
        bail!(
            "creating an article answered {}: {}",
            created.status,
            String::from_utf8_lossy(&created.body)
        );
    }
    let id = serde_json::from_slice::<serde_json::Value>(&created.body)?["id"]
        .as_i64()
        .context("the created article has no id")?;
    let started = Instant::now();
    let published = api.call(
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        &auth,
        b"",
    )?;
    if published.status != 200 {
        bail!(
            "publishing answered {}: {}",
            published.status,
            String::from_utf8_lossy(&published.body)
        );
    }
    let publish_ms = started.elapsed().as_secs_f64() * 1000.0;
    // One reader per page and instance, so that each page is seen as soon
    // as it changes rather than after a round of the others.
    let seen_ms = std::thread::scope(|scope| {
        let watchers: Vec<Vec<_>> = ports
            .iter()
            .map(|port| {
                pages
                    .iter()
                    .map(|(_, path)| scope.spawn(|| watch(*port, path, &headline, started)))
                    .collect()
            })
            .collect();
        watchers
            .into_iter()
            .map(|instance| {
                instance
                    .into_iter()
                    .map(|w| w.join().unwrap_or_else(|_| bail!("a watcher panicked")))
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    Ok(Visible {
        publish_ms,
        seen_ms,
    })
}

/// Polls `path` until it shows `headline`: the milliseconds since `started`
/// when it first did.
fn watch(port: u16, path: &str, headline: &str, started: Instant) -> anyhow::Result<Option<f64>> {
    let mut reader = http::Client::connect(port)?;
    while started.elapsed() < GIVE_UP {
        if reader.get_text(path)?.contains(headline) {
            return Ok(Some(started.elapsed().as_secs_f64() * 1000.0));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(None)
}
