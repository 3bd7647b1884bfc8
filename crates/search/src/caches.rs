//! What searching remembers until the index changes: recent results,
//! related articles, and how many articles hold each word.

use crate::engine::Results;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

/// Related articles by article id, until the index changes.
#[derive(Default)]
pub(crate) struct RelatedCache(pub(crate) Mutex<HashMap<i64, Vec<i64>>>);

impl RelatedCache {
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }
}

/// How many articles contain each word, as "You may also like" weighs the
/// words of an article: looking a word up costs one dictionary search per
/// index segment and field, hundreds per article, while the news vocabulary
/// repeats from article to article. The counts are kept across index commits
/// (they move by a few articles, which changes no word's weight much) and
/// forgotten when the archive has grown or shrunk by a hundredth since they
/// were taken, or when the memo is full.
#[derive(Default)]
pub(crate) struct DocFreqs(Mutex<DocFreqMemo>);

#[derive(Default)]
struct DocFreqMemo {
    /// The number of articles when the counts were taken.
    docs: u64,
    counts: HashMap<String, u32>,
}

/// Words remembered at most (a few MB).
const DOC_FREQS_KEPT: usize = 100_000;

impl DocFreqs {
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.counts.clear();
        }
    }

    /// The counts of `terms` that are remembered, for an archive of `docs`;
    /// the ones missing are for the caller to look up and `keep`.
    pub(crate) fn known(&self, docs: u64, terms: &[&String]) -> Vec<Option<u32>> {
        let Ok(mut m) = self.0.lock() else {
            return vec![None; terms.len()];
        };
        if m.docs.abs_diff(docs) > m.docs / 100 {
            m.counts.clear();
            m.docs = docs;
        }
        terms.iter().map(|t| m.counts.get(*t).copied()).collect()
    }

    pub(crate) fn keep(&self, found: Vec<(String, u32)>) {
        let Ok(mut m) = self.0.lock() else { return };
        if m.counts.len() + found.len() > DOC_FREQS_KEPT {
            m.counts.clear();
        }
        m.counts.extend(found);
    }
}

/// Results of recent searches, until the index changes: in a spike readers
/// search for the same few words, and a search that matches much of the
/// archive costs milliseconds.
#[derive(Default)]
pub(crate) struct ResultsCache {
    found: Mutex<HashMap<String, Results>>,
    /// Moves with every clear; results made before a clear are not kept.
    epoch: std::sync::atomic::AtomicU64,
    /// Searches being answered, by key: a reader asking for one of them
    /// waits for it instead of answering it again (in a spike, many ask
    /// for the same words at the same moment).
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Searches remembered at most; past it, new ones are not kept until the
/// next change clears the cache.
const RESULTS_KEPT: usize = 1024;

impl ResultsCache {
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.found.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            m.clear();
        }
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn get(&self, key: &str) -> Option<Results> {
        self.found.lock().ok()?.get(key).cloned()
    }

    /// The lock held while `key` is being answered.
    pub(crate) fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut flights) = self.flights.lock() else {
            return Arc::default();
        };
        flights.entry(key.to_string()).or_default().clone()
    }

    /// `key` was answered: later readers find it in the cache.
    pub(crate) fn landed(&self, key: &str) {
        if let Ok(mut flights) = self.flights.lock() {
            flights.remove(key);
        }
    }

    pub(crate) fn put(&self, key: String, results: &Results, epoch: u64) {
        if let Ok(mut m) = self.found.lock()
            && self.epoch() == epoch
            && m.len() < RESULTS_KEPT
        {
            m.insert(key, results.clone());
        }
    }
}
