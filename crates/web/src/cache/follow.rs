//! From the change log to the pages it makes stale. Every instance follows
//! the log on its own (writes made by other instances on the same database
//! arrive only this way); a write through this instance is applied before its
//! next cached page is served, so its writer never sees the page from before.

use super::{PageCache, Tag};
use bbn_store::{Change, ChangeMark, Listing, Store, StoreError};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Past this many changed articles in one round, dropping every page is
/// cheaper than finding each (an import, a bulk retag).
const MANY_ARTICLES: usize = 200;
/// Changes read per query.
const BATCH: i64 = 1000;

/// What a round of changes makes stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drop {
    /// The pages showing any of these.
    Tags(Vec<Tag>),
    /// Every page: something all pages show changed (settings, navigation,
    /// Editors' Picks, a section or topic renamed, the footer's pages).
    All,
}

impl Drop {
    pub fn is_empty(&self) -> bool {
        matches!(self, Drop::Tags(tags) if tags.is_empty())
    }

    /// The surrogate keys a CDN in front should purge.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Drop::All => vec![super::tags::SITE_KEY.to_string()],
            Drop::Tags(tags) => tags.iter().map(Tag::to_string).collect(),
        }
    }
}

/// Where a follower stands in the change log.
#[derive(Default)]
pub(super) struct Follower {
    started: bool,
    log: ChangeMark,
}

impl PageCache {
    /// Applies the changes logged since the last round; returns what it
    /// dropped (for the purge hook).
    pub async fn catch_up(&self, store: &Store) -> Result<Vec<Drop>, StoreError> {
        let mut f = self.follower.lock().await;
        self.catch_up_locked(&mut f, store).await
    }

    async fn catch_up_locked(
        &self,
        f: &mut Follower,
        store: &Store,
    ) -> Result<Vec<Drop>, StoreError> {
        let generation = store.generation();
        if !f.started {
            // The cache starts empty: nothing before now can be stale in it.
            f.log = store.change_mark().await?;
            f.started = true;
            self.seen_generation.store(generation, Ordering::Release);
            return Ok(Vec::new());
        }
        let mut dropped = Vec::new();
        while let Some(batch) = f.log.next(store, BATCH).await? {
            let fresh: Vec<&Change> = batch.fresh.iter().collect();
            if !fresh.is_empty() {
                let what = stale(store, &fresh).await?;
                if !what.is_empty() {
                    let n = self.drop_pages(&what);
                    tracing::debug!(
                        pages = n,
                        changes = fresh.len(),
                        "page cache: dropped stale pages"
                    );
                    dropped.push(what);
                }
            }
            f.log.applied(&batch);
            self.applied
                .fetch_add(batch.fresh.len() as u64, Ordering::AcqRel);
            if !batch.full() {
                break;
            }
        }
        self.seen_generation.store(generation, Ordering::Release);
        Ok(dropped)
    }

    /// Catches up when this instance has written since the last round, so
    /// that nobody is served a page from before a write they saw succeed.
    /// Whether every write this instance made is applied.
    pub fn caught_up(&self, store: &Store) -> bool {
        self.seen_generation.load(Ordering::Acquire) == store.generation()
    }

    pub async fn catch_up_if_written(&self, store: &Store) {
        if self.seen_generation.load(Ordering::Acquire) == store.generation() {
            return;
        }
        let mut f = self.follower.lock().await;
        // Requests that waited here behind the one catching up have nothing left to do.
        if self.seen_generation.load(Ordering::Acquire) == store.generation() {
            return;
        }
        if let Err(e) = self.catch_up_locked(&mut f, store).await {
            // Serving on is better than failing; the follower drops what is stale.
            tracing::warn!(error = %e, "page cache could not catch up with a write");
        }
    }

    /// Follows the change log until the process ends, a round every `every`;
    /// each round's drops go to `dropped` (the purge hook) when there is one.
    pub async fn follow(
        self: Arc<Self>,
        store: Store,
        every: Duration,
        dropped: Option<tokio::sync::mpsc::UnboundedSender<Drop>>,
    ) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.catch_up(&store).await {
                Ok(drops) => {
                    if let Some(tx) = &dropped {
                        for d in drops {
                            let _ = tx.send(d);
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "page cache could not follow the change log; retrying")
                }
            }
        }
    }
}

/// The tags of every list a published article stands in.
fn lists(tags: &mut BTreeSet<Tag>, l: &Listing) {
    tags.insert(Tag::Home);
    tags.insert(Tag::SectionList(l.section_id));
    tags.extend(l.topic_ids.iter().map(|t| Tag::TopicList(*t)));
    tags.extend(l.author_ids.iter().map(|a| Tag::AuthorList(*a)));
}

/// What these changes make stale.
pub async fn stale(store: &Store, changes: &[&Change]) -> Result<Drop, StoreError> {
    let mut tags = BTreeSet::new();
    let mut articles: Vec<(i64, Option<Listing>)> = Vec::new();
    let mut comments = Vec::new();
    for c in changes {
        match (c.entity.as_str(), c.op.as_str()) {
            ("article", _) => articles.push((c.entity_id, c.former_listing())),
            ("comment", _) => comments.push(c.entity_id),
            // Nothing a reader sees until an article uses it (and that is logged too).
            ("media", _) | ("user", _) | ("api_key", _) | ("topic" | "author", "create") => {}
            // Shown on every page (navigation, settings, picks, footer), or
            // everywhere an article of theirs is: everything goes.
            _ => return Ok(Drop::All),
        }
    }
    let ids: HashSet<i64> = articles.iter().map(|(id, _)| *id).collect();
    if ids.len() > MANY_ARTICLES {
        return Ok(Drop::All);
    }
    if !ids.is_empty() {
        let ids: Vec<i64> = ids.into_iter().collect();
        let now = store.placements(&ids).await?;
        // Published articles that moved in the lists (or entered them).
        let mut moved = Vec::new();
        for id in &ids {
            // Every page showing it, whatever happened to it.
            tags.insert(Tag::Article(*id));
            let current = now.iter().find(|p| p.article_id == *id);
            let formers: Vec<&Listing> = articles
                .iter()
                .filter(|(a, _)| a == id)
                .filter_map(|(_, l)| l.as_ref())
                .collect();
            let unmoved = |p: &bbn_store::Placement| {
                p.published && !formers.is_empty() && formers.iter().all(|l| **l == p.listing)
            };
            match current {
                // Edited in place, its card as it was: its own page only.
                Some(p) if unmoved(p) => {}
                _ => {
                    tags.insert(Tag::Card(*id));
                    for l in &formers {
                        lists(&mut tags, l);
                    }
                    if let Some(p) = current.filter(|p| p.published) {
                        moved.push(*id);
                        lists(&mut tags, &p.listing);
                    }
                }
            }
        }
        // The Latest News rail changes when an article enters it (one
        // leaving it or changing its card is dropped by its card's tag).
        if !moved.is_empty() {
            let latest = store.latest(crate::views::LATEST_RAIL, 0).await?.items;
            if latest.iter().any(|a| moved.contains(&a.id)) {
                tags.insert(Tag::Latest);
            }
        }
    }
    if !comments.is_empty() {
        for (_, article) in store.comment_articles(&comments).await? {
            tags.insert(Tag::Comments(article));
        }
    }
    Ok(Drop::Tags(tags.into_iter().collect()))
}
