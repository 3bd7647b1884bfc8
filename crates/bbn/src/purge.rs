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

use crate::config::Secret;
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

pub fn spawn(store: Store, hook: Hook) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    hook.url
        .parse::<hyper::Uri>()
        .map_err(|e| anyhow::anyhow!("--purge-url {:?}: {e}", hook.url))?;
    let client = Client::new(Duration::from_secs(10))?;
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = step(&store, &hook, &client).await {
                tracing::warn!(error = %e, "purge hook: could not read the change log; retrying");
            }
        }
    }))
}

/// Claims the changes since the shared cursor and tells the hook what they made stale.
async fn step(store: &Store, hook: &Hook, client: &Client) -> Result<(), bbn_store::StoreError> {
    let from = store.change_cursor(CURSOR).await?;
    let changes = store.changes_since(from, 1000).await?;
    let to = bbn_store::applied_through(from, &changes, bbn_core::time::now());
    if to == from || !store.claim_changes(CURSOR, from, to).await? {
        return Ok(());
    }
    let claimed: Vec<&bbn_store::Change> = changes.iter().filter(|c| c.seq <= to).collect();
    let stale = bbn_web::cache::stale(store, &claimed).await?;
    if stale.is_empty() {
        return Ok(());
    }
    let keys = stale.keys();
    let body = serde_json::json!({ "keys": keys, "from": from, "to": to }).to_string();
    for attempt in 1..=ATTEMPTS {
        let Ok(request) = request(hook, &keys, &body) else {
            tracing::error!("purge hook: cannot make a request to {}", hook.url);
            return Ok(());
        };
        match client.send(request).await {
            Ok(status) if (200..300).contains(&status) => {
                tracing::debug!(from, to, keys = keys.len(), "purge hook told");
                return Ok(());
            }
            Ok(status) => tracing::warn!(status, attempt, "purge hook refused a purge"),
            Err(why) => tracing::warn!(%why, attempt, "purge hook unreachable"),
        }
        tokio::time::sleep(Duration::from_secs(u64::from(attempt * attempt))).await;
    }
    tracing::error!(
        from,
        to,
        "purge hook: gave up on a purge; those pages stay stale at the CDN until they expire"
    );
    Ok(())
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
