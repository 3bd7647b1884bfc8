//! "Most Read": counting article page views without knowing readers. A view
//! is one article page answered to something that does not say it is a
//! robot, a link previewer or a prefetch, and a reader counts once per
//! article per hour: otherwise one address reloading a page, by hand or by
//! script, could put any article at the top of the rail. Nothing about the
//! reader is kept beyond the hour, nor written anywhere (no cookie, no
//! address, no user agent). Counts gather in memory and are added to the
//! database per hour every few seconds and at shutdown.
//!
//! Each instance remembers only its own readers: behind a balancer that
//! spreads one address over several instances, that address counts once per
//! instance. Small, and not worth a shared store on every page view.

use axum::http::HeaderMap;
use bbn_store::Store;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::Mutex;

/// How many (reader, article) pairs an instance remembers within an hour.
/// About 16 bytes each plus the table's slack: some 10 MB at most. Past it,
/// pairs not yet seen are not counted until the hour turns, so a flood of
/// made-up addresses costs memory it cannot grow and buys no views.
pub const SEEN_PER_HOUR: usize = 300_000;

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
    pending: Mutex<Pending>,
    /// A key made at start-up: readers are remembered by a keyed hash of
    /// their address, which means nothing outside this process.
    salt: RandomState,
    /// The Most Read rail as pages last showed it.
    rail: Mutex<Vec<i64>>,
}

#[derive(Default)]
struct Pending {
    /// (article id, hour) → views not yet in the database.
    counts: HashMap<(i64, i64), i64>,
    /// The hour `seen` is about.
    hour: i64,
    /// (reader's hash, article id) already counted this hour.
    seen: HashSet<(u64, i64)>,
}

/// Who a reader is for counting: their address, or for IPv6 their /64
/// network, which one household or telephone holds whole and can pick
/// addresses from at will.
fn reader_key(address: Option<IpAddr>) -> Option<IpAddr> {
    match address? {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some(IpAddr::V4(v4)),
            None => Some(IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into())),
        },
        v4 => Some(v4),
    }
}

impl ViewCounter {
    /// Readers' views move Most Read without a change in the log: given the
    /// rail as it now is, whether it moved since the last call (the pages
    /// showing it are then for the caller to drop).
    pub fn rail_moved(&self, ids: Vec<i64>) -> bool {
        match self.rail.lock() {
            Ok(mut shown) if *shown != ids => {
                *shown = ids;
                true
            }
            _ => false,
        }
    }

    /// Counts a view of an article by the reader at `address` (None: a
    /// request that did not come through the server, all such being one
    /// reader), unless it is a robot's or that reader was counted for this
    /// article within the hour.
    pub fn record(&self, article_id: i64, headers: &HeaderMap, address: Option<IpAddr>) {
        if !is_reader(headers) {
            return;
        }
        let hour = bbn_core::time::now() / 3600;
        let reader = self.salt.hash_one(reader_key(address));
        let Ok(mut p) = self.pending.lock() else {
            return;
        };
        if p.hour != hour {
            p.hour = hour;
            p.seen.clear();
            p.seen.shrink_to(SEEN_PER_HOUR / 16);
        }
        let pair = (reader, article_id);
        if p.seen.contains(&pair) || p.seen.len() >= SEEN_PER_HOUR {
            return;
        }
        p.seen.insert(pair);
        *p.counts.entry((article_id, hour)).or_default() += 1;
    }

    /// Adds the gathered views to the database; on failure they are kept for the next try.
    pub async fn flush(&self, store: &Store) -> Result<usize, bbn_store::StoreError> {
        let taken: Vec<((i64, i64), i64)> = match self.pending.lock() {
            Ok(mut p) => p.counts.drain().collect(),
            Err(_) => return Ok(0),
        };
        let rows: Vec<(i64, i64, i64)> = taken.iter().map(|((a, h), n)| (*a, *h, *n)).collect();
        if let Err(e) = store.add_views(&rows).await {
            if let Ok(mut p) = self.pending.lock() {
                for (key, n) in taken {
                    *p.counts.entry(key).or_default() += n;
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

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0";

    fn counted(v: &ViewCounter) -> i64 {
        v.pending.lock().unwrap().counts.values().sum()
    }

    #[test]
    fn a_reader_counts_once_per_article_in_an_hour() {
        let v = ViewCounter::default();
        let h = agent(FIREFOX);
        let one = "203.0.113.5".parse().ok();
        for _ in 0..50 {
            v.record(7, &h, one);
        }
        assert_eq!(counted(&v), 1);
        v.record(8, &h, one);
        v.record(7, &h, "203.0.113.6".parse().ok());
        assert_eq!(counted(&v), 3, "another article, another reader");
        // One IPv6 network is one reader, however many addresses it picks.
        v.record(7, &h, "2001:db8:1:2::1".parse().ok());
        v.record(7, &h, "2001:db8:1:2:ffff::9".parse().ok());
        v.record(7, &h, "2001:db8:1:3::1".parse().ok());
        assert_eq!(counted(&v), 5);
    }

    #[test]
    fn past_the_cap_new_readers_are_not_counted() {
        let v = ViewCounter::default();
        let h = agent(FIREFOX);
        for n in 0..SEEN_PER_HOUR as u32 {
            v.record(1, &h, Some(IpAddr::V4(n.into())));
        }
        assert_eq!(counted(&v), SEEN_PER_HOUR as i64);
        v.record(1, &h, Some(IpAddr::V4(u32::MAX.into())));
        v.record(2, &h, Some(IpAddr::V4(0.into())));
        assert_eq!(counted(&v), SEEN_PER_HOUR as i64, "nothing grows");
        assert_eq!(v.pending.lock().unwrap().seen.len(), SEEN_PER_HOUR);
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
