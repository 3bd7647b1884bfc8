//! The purge hook (`--purge-url`): after every change, one POST naming the
//! surrogate keys of the pages that went stale, so a CDN in front drops
//! exactly those and keeps the rest. Pages carry the same keys in their
//! `Surrogate-Key` and `Cache-Tag` headers.
//!
//! Instances on one database share the work through a cursor in it: each
//! stretch of the change log is claimed by one instance, which tells the
//! hook. The request is tried three times; a stretch whose request never
//! got through (or whose instance died before sending it) stays stale at
//! the CDN until its `max-age` runs out.
//!
//! The request: `POST <url>` with `Content-Type: application/json`, the keys
//! also in a `Surrogate-Key` header (space-separated), `Authorization: Bearer
//! <token>` when a token is set, and the body
//! `{"keys": ["article-12", "section-3", …], "from": 41, "to": 44}`
//! (the change log's sequence numbers). The key `site` means every page.
//!
//! Most Read moves with readers' views, not with the change log: when an
//! instance finds its rail moved (once a minute at most), it sends
//! `{"keys": ["most-read"]}` on its own, without `from` and `to`. Instances
//! share the views but each looks for itself, so a CDN may hear one move
//! once per instance; purging a key twice is harmless.

use crate::config::Secret;
use crate::webhooks::guard::Reach;
use crate::webhooks::send::Client;
use bbn_store::Store;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use std::time::Duration;

/// The cursor's name in `change_cursors`.
const CURSOR: &str = "purge";
const EVERY: Duration = Duration::from_millis(250);
const ATTEMPTS: u32 = 3;

pub struct Hook {
    pub url: String,
    pub token: Option<Secret>,
}

/// The running hook: its task, and a way to tell it of purges the change
/// log does not know of.
pub struct Purger {
    pub task: tokio::task::JoinHandle<()>,
    pub others: Others,
}

/// Purges from outside the change log, for the hook's task to send.
#[derive(Clone)]
pub struct Others(tokio::sync::mpsc::Sender<Vec<String>>);

impl Others {
    /// Most Read moved: the pages showing it are stale at the CDN.
    pub fn most_read_moved(&self) {
        let key = bbn_web::cache::Tag::MostRead.to_string();
        // A full queue already holds a purge the CDN will get.
        let _ = self.0.try_send(vec![key]);
    }
}

pub fn spawn(store: Store, hook: Hook) -> anyhow::Result<Purger> {
    hook.url
        .parse::<hyper::Uri>()
        .map_err(|e| anyhow::anyhow!("--purge-url {:?}: {e}", hook.url))?;
    // The purge URL is the operator's own, often a cache on this machine or
    // network, so it may be anywhere.
    let client = Client::new(Duration::from_secs(10), Reach::Anywhere)?;
    let (others, mut queued) = tokio::sync::mpsc::channel::<Vec<String>>(4);
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = step(&store, &hook, &client).await {
                        tracing::warn!(error = %e, "purge hook: could not read the change log; retrying");
                    }
                }
                Some(keys) = queued.recv() => {
                    let body = serde_json::json!({ "keys": keys }).to_string();
                    tell(&hook, &client, &keys, &body).await;
                }
            }
        }
    });
    Ok(Purger {
        task,
        others: Others(others),
    })
}

/// Claims the changes since the shared cursor and tells the hook what they made stale.
async fn step(store: &Store, hook: &Hook, client: &Client) -> Result<(), bbn_store::StoreError> {
    let from = store.change_cursor(CURSOR).await?;
    let Some(batch) = from.next(store, 1000).await? else {
        return Ok(());
    };
    if !store.claim_changes(CURSOR, &from, batch.mark()).await? {
        return Ok(());
    }
    let claimed: Vec<&bbn_store::Change> = batch.fresh.iter().collect();
    let stale = bbn_web::cache::stale(store, &claimed).await?;
    if stale.is_empty() {
        return Ok(());
    }
    let keys = stale.keys();
    let body = serde_json::json!({ "keys": keys, "from": from.seq(), "to": batch.mark().seq() })
        .to_string();
    tell(hook, client, &keys, &body).await;
    Ok(())
}

/// Sends one purge, trying three times.
async fn tell(hook: &Hook, client: &Client, keys: &[String], body: &str) {
    for attempt in 1..=ATTEMPTS {
        let Ok(request) = request(hook, keys, body) else {
            tracing::error!("purge hook: cannot make a request to {}", hook.url);
            return;
        };
        match client.send(request).await {
            Ok(status) if (200..300).contains(&status) => {
                tracing::debug!(body, "purge hook told");
                return;
            }
            Ok(status) => tracing::warn!(status, attempt, "purge hook refused a purge"),
            Err(why) => tracing::warn!(%why, attempt, "purge hook unreachable"),
        }
        tokio::time::sleep(Duration::from_secs(u64::from(attempt * attempt))).await;
    }
    tracing::error!(
        body,
        "purge hook: gave up on a purge; those pages stay stale at the CDN until they expire"
    );
}

fn request(
    hook: &Hook,
    keys: &[String],
    body: &str,
) -> Result<hyper::Request<Full<Bytes>>, hyper::http::Error> {
    let mut r = hyper::Request::post(hook.url.as_str())
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(USER_AGENT, HeaderValue::from_static("bbn-purge"));
    if let Ok(v) = HeaderValue::from_str(&keys.join(" ")) {
        r = r.header("surrogate-key", v);
    }
    if let Some(token) = &hook.token
        && let Ok(v) = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
    {
        r = r.header(AUTHORIZATION, v);
    }
    r.body(Full::new(Bytes::from(body.to_string())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use std::sync::{Arc, Mutex};

    type Inbox = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

    #[tokio::test]
    async fn a_move_of_most_read_is_purged_without_a_change() {
        let db = bbn_store::testing::TestDb::sqlite().await;
        let inbox: Inbox = Arc::default();
        let app = axum::Router::new()
            .route(
                "/purge",
                axum::routing::post(
                    |State(inbox): State<Inbox>, headers: HeaderMap, body: String| async move {
                        let keys = headers
                            .get("surrogate-key")
                            .map(|v| v.to_str().unwrap().to_string())
                            .unwrap_or_default();
                        inbox
                            .lock()
                            .unwrap()
                            .push((keys, serde_json::from_str(&body).unwrap()));
                        StatusCode::NO_CONTENT
                    },
                ),
            )
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/purge", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let purger = spawn(db.store.clone(), Hook { url, token: None }).unwrap();
        purger.others.most_read_moved();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while inbox.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "no purge arrived");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let purges = inbox.lock().unwrap().clone();
        assert_eq!(
            purges,
            vec![(
                "most-read".to_string(),
                serde_json::json!({ "keys": ["most-read"] })
            )],
            "the key alone: the change log is not involved"
        );
        purger.task.abort();
    }
}
