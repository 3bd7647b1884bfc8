//! "Most Read": counting article page views without knowing readers. A view
//! is one article page answered to something that does not say it is a
//! robot, a link previewer or a prefetch; nothing about the reader is kept
//! (no cookie, no address, no user agent). Counts gather in memory and are
//! added to the database per hour every few seconds and at shutdown.

use axum::http::HeaderMap;
use bbn_store::Store;
use std::collections::HashMap;
use std::sync::Mutex;

/// Substrings of user agents that are not people reading.
const NOT_READERS: [&str; 16] = [
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "embedly",
    "headless",
    "lighthouse",
    "curl/",
    "wget/",
    "python-",
    "go-http-client",
    "okhttp",
    "java/",
    "feedfetcher",
];

/// Whether a request for an article page counts as a reader's view.
pub fn is_reader(headers: &HeaderMap) -> bool {
    let Some(agent) = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let agent = agent.to_ascii_lowercase();
    let prefetch = ["purpose", "sec-purpose", "x-moz", "x-purpose"]
        .iter()
        .any(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("prefetch") || v.contains("preview"))
        });
    !agent.is_empty() && !prefetch && !NOT_READERS.iter().any(|b| agent.contains(b))
}

#[derive(Default)]
pub struct ViewCounter {
    /// (article id, hour) → views not yet in the database.
    pending: Mutex<HashMap<(i64, i64), i64>>,
}

impl ViewCounter {
    pub fn record(&self, article_id: i64, headers: &HeaderMap) {
        if !is_reader(headers) {
            return;
        }
        let hour = bbn_core::time::now() / 3600;
        if let Ok(mut p) = self.pending.lock() {
            *p.entry((article_id, hour)).or_default() += 1;
        }
    }

    /// Adds the gathered views to the database; on failure they are kept for the next try.
    pub async fn flush(&self, store: &Store) -> Result<usize, bbn_store::StoreError> {
        let taken: Vec<((i64, i64), i64)> = match self.pending.lock() {
            Ok(mut p) => p.drain().collect(),
            Err(_) => return Ok(0),
        };
        let rows: Vec<(i64, i64, i64)> = taken.iter().map(|((a, h), n)| (*a, *h, *n)).collect();
        if let Err(e) = store.add_views(&rows).await {
            if let Ok(mut p) = self.pending.lock() {
                for (key, n) in taken {
                    *p.entry(key).or_default() += n;
                }
            }
            return Err(e);
        }
        Ok(rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn agent(ua: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::USER_AGENT,
            HeaderValue::from_str(ua).unwrap_or(HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn robots_and_prefetches_are_not_readers() {
        assert!(is_reader(&agent(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130 Safari/537.36"
        )));
        for ua in [
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "Mozilla/5.0 HeadlessChrome/130",
            "",
        ] {
            assert!(!is_reader(&agent(ua)), "{ua}");
        }
        assert!(!is_reader(&HeaderMap::new()));
        let mut prefetch = agent("Mozilla/5.0 Firefox/130");
        prefetch.insert("sec-purpose", HeaderValue::from_static("prefetch"));
        assert!(!is_reader(&prefetch));
    }
}
