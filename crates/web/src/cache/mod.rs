//! The rendered-page cache: every anonymous GET of a reader page (home,
//! articles, sections, topics, authors, static pages; not search) is kept
//! rendered in memory, with its gzip and Brotli forms made once, on first
//! demand, and served with validators (`http.rs`).
//!
//! A page is dropped the moment the change log says something it shows has
//! changed (`follow.rs` turns changes into `Tag`s; pages record theirs while
//! they render, `tags.rs`). Its memory is bounded: past the budget the least
//! recently used pages go. A page also goes after `LIFETIME`, which bounds
//! what no change announces: the date in the masthead, Most Read, related
//! articles, comment forms' age.

mod encoded;
mod follow;
pub(crate) mod http;
pub mod tags;

pub use encoded::Coding;
use encoded::Encoded;
pub use follow::{Drop, stale};
pub use tags::Tag;

use axum::body::Bytes;
use axum::http::HeaderValue;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// The longest a page stays cached without a change dropping it.
pub const LIFETIME: Duration = Duration::from_secs(300);
/// Bookkeeping counted against the budget for each page, besides its bytes.
const OVERHEAD: usize = 512;

/// One rendered page.
pub struct CachedPage {
    pub key: Arc<str>,
    pub content_type: HeaderValue,
    pub body: Bytes,
    /// Its gzip and Brotli copies, made on first demand.
    encoded: Encoded,
    /// A digest of the body: the strong validator of each representation.
    pub etag: String,
    /// `ETag` of each coding (`Coding as usize`) and `Last-Modified`, made once.
    etags: [HeaderValue; 3],
    last_modified: HeaderValue,
    pub modified: SystemTime,
    pub tags: Vec<Tag>,
    /// `Surrogate-Key` and `Cache-Tag`, made once.
    pub surrogate: HeaderValue,
    pub cache_tag: HeaderValue,
    /// The page's own Content-Security-Policy (a page with embeds opens
    /// frames to their providers); None: every page's.
    pub csp: Option<HeaderValue>,
    /// The article a view of this page counts for (Most Read).
    pub view_of: Option<i64>,
    /// Made at; gone by.
    made: Instant,
    expires: Instant,
    used: AtomicU64,
    /// Bytes counted against the budget (compressed forms included once made).
    size: AtomicU64,
}

impl CachedPage {
    pub fn new(
        key: &str,
        content_type: HeaderValue,
        body: Bytes,
        tags: Vec<Tag>,
        view_of: Option<i64>,
        modified: SystemTime,
    ) -> CachedPage {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&body);
        let etag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let etags = [Coding::Identity, Coding::Gzip, Coding::Brotli].map(|coding| {
            let quoted = match coding.name() {
                None => format!("\"{etag}\""),
                Some(name) => format!("\"{etag}-{name}\""),
            };
            // Hex digits and a coding name: always a valid header value.
            HeaderValue::from_str(&quoted).unwrap_or(HeaderValue::from_static("\"\""))
        });
        let last_modified = HeaderValue::from_str(&httpdate::fmt_http_date(modified))
            .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
        let keys = |separator| {
            HeaderValue::from_str(&tags::surrogate_keys(&tags, separator))
                .unwrap_or(HeaderValue::from_static(tags::SITE_KEY))
        };
        let (surrogate, cache_tag) = (keys(" "), keys(","));
        let size = (body.len() + key.len() + 2 * surrogate.len() + OVERHEAD) as u64;
        CachedPage {
            key: key.into(),
            content_type,
            body,
            encoded: Encoded::default(),
            etag,
            etags,
            last_modified,
            modified,
            tags,
            csp: None,
            surrogate,
            cache_tag,
            view_of,
            made: Instant::now(),
            expires: Instant::now() + LIFETIME,
            used: AtomicU64::new(0),
            size: AtomicU64::new(size),
        }
    }

    /// The body in `coding`, compressed on first demand and kept.
    pub fn body_in(&self, coding: Coding) -> Bytes {
        self.encoded.body_in(&self.body, coding, |added| {
            self.size.fetch_add(added, Ordering::Relaxed);
        })
    }

    /// The strong ETag of the representation in `coding`, quoted.
    pub fn etag_of(&self, coding: Coding) -> String {
        String::from_utf8_lossy(self.etag_value(coding).as_bytes()).into_owned()
    }

    pub fn etag_value(&self, coding: Coding) -> &HeaderValue {
        &self.etags[coding as usize]
    }

    pub fn last_modified(&self) -> &HeaderValue {
        &self.last_modified
    }

    fn fresh(&self) -> bool {
        Instant::now() < self.expires
    }

    /// Not to be served after `at` (Unix seconds), when the page changes by itself.
    pub fn expire_at(&mut self, at: i64) {
        let left = Duration::from_secs(u64::try_from(at - bbn_core::time::now()).unwrap_or(0));
        self.expires = self.expires.min(self.made + left);
    }
}

/// What the cache holds, under one lock.
#[derive(Default)]
struct Pages {
    by_key: HashMap<Arc<str>, Arc<CachedPage>>,
    by_tag: HashMap<Tag, HashSet<Arc<str>>>,
    bytes: u64,
    /// The epoch each tag was last dropped in, so that a render is refused
    /// only when something it shows changed while it rendered, not on any
    /// change at all (under a steady stream of comments nothing would be
    /// kept). Renders begun before `floor` are refused whatever they show:
    /// the map is cleared, and the floor raised, when it grows large.
    dropped_at: HashMap<Tag, u64>,
    floor: u64,
}

/// Tags whose last drop is remembered at most (see `Pages::dropped_at`).
const DROPS_REMEMBERED: usize = 100_000;

impl Pages {
    /// Whether a page showing `tags`, rendered from `began` on, is out of date.
    fn dropped_since(&self, began: u64, tags: &[Tag]) -> bool {
        began < self.floor
            || tags
                .iter()
                .any(|t| self.dropped_at.get(t).is_some_and(|&at| at > began))
    }
}

impl Pages {
    fn remove(&mut self, key: &str) {
        if let Some(page) = self.by_key.remove(key) {
            self.bytes = self.bytes.saturating_sub(page.size.load(Ordering::Relaxed));
            for tag in &page.tags {
                if let Some(keys) = self.by_tag.get_mut(tag) {
                    keys.remove(key);
                    if keys.is_empty() {
                        self.by_tag.remove(tag);
                    }
                }
            }
        }
    }
}

/// The cache of one instance.
pub struct PageCache {
    budget: u64,
    /// `Cache-Control` of the pages it serves.
    pub control: HeaderValue,
    pages: RwLock<Pages>,
    /// Moves on whenever pages are dropped for a change: a render that
    /// started before is not kept if it shows what was dropped.
    epoch: AtomicU64,
    /// A counter standing in for time in least-recently-used order.
    clock: AtomicU64,
    follower: tokio::sync::Mutex<follow::Follower>,
    /// How many changes the follower has applied, for memos that must not
    /// outlive what the cache drops.
    applied: AtomicU64,
    /// The store generation the follower last caught up at.
    seen_generation: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Renders under way, by key: requests for a page being rendered wait
    /// for that render instead of starting their own (a breaking story's
    /// page is asked for by hundreds at once the moment it is dropped).
    flights: std::sync::Mutex<HashMap<Arc<str>, EpochFlight>>,
}

/// One render that several requests wait for: the page, or None when it
/// is not one to share (an error, or the render began before a drop).
pub type Flight = tokio::sync::OnceCell<Option<Arc<CachedPage>>>;
/// A render and the epoch it began in.
type EpochFlight = (u64, Arc<Flight>);

/// Counters for `/healthz` and the logs.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CacheStats {
    pub pages: usize,
    pub bytes: u64,
    pub budget: u64,
    pub hits: u64,
    pub misses: u64,
}

impl PageCache {
    /// A cache of at most `budget` bytes (0 turns caching off) whose pages
    /// browsers and CDNs may keep `max_age` seconds, and serve stale for
    /// `stale` more while they fetch a fresh copy.
    pub fn new(budget: u64, max_age: u32, stale: u32) -> PageCache {
        PageCache {
            budget,
            control: http::public_control(max_age, stale),
            pages: RwLock::default(),
            epoch: AtomicU64::new(0),
            clock: AtomicU64::new(0),
            follower: Default::default(),
            applied: AtomicU64::new(0),
            seen_generation: AtomicU64::new(u64::MAX),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            flights: Default::default(),
        }
    }

    /// The render of `key` to wait for: one begun since the last drop, or a new one.
    pub fn flight(&self, key: &str) -> Arc<Flight> {
        let epoch = self.epoch();
        let Ok(mut flights) = self.flights.lock() else {
            return Arc::default();
        };
        match flights.get(key) {
            Some((e, f)) if *e == epoch => f.clone(),
            _ => {
                let f = Arc::new(Flight::new());
                flights.insert(key.into(), (epoch, f.clone()));
                f
            }
        }
    }

    /// The render of `key` is over: later requests find the page in the cache.
    pub fn landed(&self, key: &str, flight: &Arc<Flight>) {
        if let Ok(mut flights) = self.flights.lock()
            && flights
                .get(key)
                .is_some_and(|(_, f)| Arc::ptr_eq(f, flight))
        {
            flights.remove(key);
        }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// How many changes of the log have been applied so far (what memos of
    /// shared page parts key on: it moves whenever one is, late or not).
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        if let Some(page) = self.hit(key) {
            return Some(page);
        }
        // Not there, or there and out of date: then it goes.
        let there = self
            .pages
            .read()
            .is_ok_and(|pages| pages.by_key.contains_key(key));
        if there
            && let Ok(mut pages) = self.pages.write()
            && pages.by_key.get(key).is_some_and(|p| !p.fresh())
        {
            pages.remove(key);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// The fresh page under `key`, counted as a hit; a miss leaves no trace
    /// (the request goes on to `get` it the long way).
    pub fn hit(&self, key: &str) -> Option<Arc<CachedPage>> {
        let page = self.pages.read().ok()?.by_key.get(key).cloned()?;
        if !page.fresh() {
            return None;
        }
        page.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(page)
    }

    /// Keeps `page`, unless pages showing something it shows were dropped
    /// since `epoch` (when its render began), or it alone would take more
    /// than a tenth of the budget.
    pub fn insert(&self, page: Arc<CachedPage>, epoch: u64) -> bool {
        let size = page.size.load(Ordering::Relaxed);
        if !self.enabled() || size > self.budget / 10 {
            return false;
        }
        let Ok(mut pages) = self.pages.write() else {
            return false;
        };
        // Checked under the lock that dropping also takes: a drop either
        // happened before (and this page is refused) or comes after (and finds it).
        if pages.dropped_since(epoch, &page.tags) {
            return false;
        }
        page.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        pages.remove(&page.key);
        for tag in &page.tags {
            pages
                .by_tag
                .entry(*tag)
                .or_default()
                .insert(page.key.clone());
        }
        pages.bytes += size;
        pages.by_key.insert(page.key.clone(), page);
        if pages.bytes > self.budget {
            Self::evict(&mut pages, self.budget - self.budget / 10);
        }
        true
    }

    /// Least recently used first, until the cache holds at most `target` bytes.
    fn evict(pages: &mut Pages, target: u64) {
        // Compressed forms made since a page came in count now.
        pages.bytes = pages
            .by_key
            .values()
            .map(|p| p.size.load(Ordering::Relaxed))
            .sum();
        let mut order: Vec<(u64, Arc<str>)> = pages
            .by_key
            .values()
            .map(|p| (p.used.load(Ordering::Relaxed), p.key.clone()))
            .collect();
        order.sort_unstable();
        for (_, key) in order {
            if pages.bytes <= target {
                break;
            }
            pages.remove(&key);
        }
    }

    /// Drops the pages showing any of `tags` (or every page); returns how many went.
    pub fn drop_pages(&self, what: &Drop) -> usize {
        let Ok(mut pages) = self.pages.write() else {
            return 0;
        };
        let now = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        if pages.dropped_at.len() >= DROPS_REMEMBERED {
            pages.dropped_at.clear();
            pages.floor = now;
        }
        match what {
            Drop::All => {
                let n = pages.by_key.len();
                *pages = Pages {
                    floor: now,
                    ..Pages::default()
                };
                n
            }
            Drop::Tags(tags) => {
                for tag in tags {
                    pages.dropped_at.insert(*tag, now);
                }
                let keys: HashSet<Arc<str>> = tags
                    .iter()
                    .filter_map(|t| pages.by_tag.get(t))
                    .flat_map(|keys| keys.iter().cloned())
                    .collect();
                for key in &keys {
                    pages.remove(key);
                }
                keys.len()
            }
        }
    }

    pub fn stats(&self) -> CacheStats {
        let (pages, bytes) = self
            .pages
            .read()
            .map(|p| (p.by_key.len(), p.bytes))
            .unwrap_or_default();
        CacheStats {
            pages,
            bytes,
            budget: self.budget,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(key: &str, body: &str, tags: Vec<Tag>) -> Arc<CachedPage> {
        Arc::new(CachedPage::new(
            key,
            HeaderValue::from_static("text/html; charset=utf-8"),
            Bytes::from(body.to_string()),
            tags,
            None,
            SystemTime::now(),
        ))
    }

    #[test]
    fn a_change_drops_exactly_the_pages_that_show_it() {
        let cache = PageCache::new(10 << 20, 60, 300);
        let e = cache.epoch();
        assert!(cache.insert(page("/news/a", "a", vec![Tag::Article(1), Tag::Latest]), e));
        assert!(cache.insert(page("/news/b", "b", vec![Tag::Article(2), Tag::Latest]), e));
        assert!(cache.insert(
            page(
                "/section/x",
                "x",
                vec![Tag::Article(1), Tag::SectionList(7)]
            ),
            e
        ));
        assert_eq!(cache.drop_pages(&Drop::Tags(vec![Tag::Article(1)])), 2);
        assert!(cache.get("/news/a").is_none());
        assert!(cache.get("/section/x").is_none());
        assert!(cache.get("/news/b").is_some());
        assert_eq!(cache.drop_pages(&Drop::All), 1);
        assert_eq!(cache.stats().pages, 0);
        assert_eq!(cache.stats().bytes, 0);
    }

    #[test]
    fn a_render_that_began_before_a_drop_is_not_kept() {
        let cache = PageCache::new(10 << 20, 60, 300);
        let began = cache.epoch();
        cache.drop_pages(&Drop::Tags(vec![Tag::Home]));
        assert!(!cache.insert(page("/", "old", vec![Tag::Home]), began));
        assert!(cache.get("/").is_none());
    }

    #[test]
    fn a_render_is_kept_through_drops_of_what_it_does_not_show() {
        let cache = PageCache::new(10 << 20, 60, 300);
        let began = cache.epoch();
        cache.drop_pages(&Drop::Tags(vec![Tag::Article(9), Tag::Comments(9)]));
        assert!(cache.insert(page("/news/a", "a", vec![Tag::Article(1)]), began));
        assert!(!cache.insert(
            page("/news/b", "b", vec![Tag::Article(2), Tag::Comments(9)]),
            began
        ));
        // A drop of everything refuses every render begun before it.
        let began = cache.epoch();
        cache.drop_pages(&Drop::All);
        assert!(!cache.insert(page("/news/c", "c", vec![Tag::Article(3)]), began));
        assert!(cache.insert(page("/news/c", "c", vec![Tag::Article(3)]), cache.epoch()));
    }

    #[test]
    fn past_the_budget_the_least_recently_used_go() {
        let body = "x".repeat(9_000);
        let cache = PageCache::new(100_000, 60, 300);
        for i in 0..8 {
            assert!(cache.insert(page(&format!("/p{i}"), &body, vec![Tag::Article(i)]), 0));
        }
        // Use the first page, then add more than the budget holds.
        assert!(cache.get("/p0").is_some());
        for i in 8..12 {
            cache.insert(page(&format!("/p{i}"), &body, vec![Tag::Article(i)]), 0);
        }
        let stats = cache.stats();
        assert!(stats.bytes <= 100_000, "{stats:?}");
        assert!(cache.get("/p0").is_some(), "recently used, kept");
        assert!(cache.get("/p1").is_none(), "least recently used, gone");
        assert!(cache.get("/p11").is_some());
        // The tag index forgets evicted pages too.
        assert_eq!(cache.drop_pages(&Drop::Tags(vec![Tag::Article(1)])), 0);
    }

    #[test]
    fn compressed_forms_are_made_once_and_read_back() {
        let p = page("/", &"Big Big News. ".repeat(500), Vec::new());
        let gz = p.body_in(Coding::Gzip);
        assert!(gz.len() < p.body.len() / 5);
        assert_eq!(
            p.body_in(Coding::Gzip).as_ptr(),
            gz.as_ptr(),
            "kept, not made again"
        );
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain)
            .unwrap();
        assert_eq!(plain.as_bytes(), &p.body[..]);
        let br = p.body_in(Coding::Brotli);
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut plain).unwrap();
        assert_eq!(plain, p.body);
        assert_ne!(p.etag_of(Coding::Gzip), p.etag_of(Coding::Brotli));
    }

    #[test]
    fn a_page_past_its_lifetime_is_a_miss() {
        let cache = PageCache::new(1 << 20, 60, 300);
        let mut p = CachedPage::new(
            "/",
            HeaderValue::from_static("text/html"),
            Bytes::from_static(b"old"),
            Vec::new(),
            None,
            SystemTime::now(),
        );
        p.expires = Instant::now();
        assert!(cache.insert(Arc::new(p), 0));
        assert!(cache.get("/").is_none());
        assert_eq!(cache.stats().pages, 0);
        // A page that changes by itself (comments closing) goes then.
        let mut p = page("/news/a", "open", Vec::new());
        Arc::get_mut(&mut p)
            .unwrap()
            .expire_at(bbn_core::time::now() - 1);
        assert!(cache.insert(p, 0));
        assert!(cache.get("/news/a").is_none());
    }
}
