//! The parts every page shares: site name, navigation, Editors' Picks,
//! Latest News, Most Read and the footer; and the pager of list pages.

use super::{SummaryView, rail, section_url};
use crate::AppState;
use crate::cache::tags::{Tag, shown};
use crate::error::AppError;
use bbn_core::{ArticleSummary, Section, SiteSettings, time};
use chrono_tz::Tz;
use serde::Serialize;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// What every page shows and every page would otherwise query again.
struct SharedParts {
    settings: SiteSettings,
    nav: Vec<Section>,
    picks: Vec<ArticleSummary>,
    latest: Vec<ArticleSummary>,
    most_read: Vec<ArticleSummary>,
    footer_pages: Vec<bbn_store::PageLink>,
}

/// Keeps the shared parts in memory while they are current: until the next
/// write through this instance's store (its generation moves on) or the
/// next change the page cache applies (writes by other instances), and at
/// most `MAX_AGE` (with no page cache following the log).
#[derive(Default)]
pub struct SharedPartsMemo {
    slot: RwLock<Option<(Currency, Instant, Arc<SharedParts>)>>,
    /// Held while the parts are made again: the renders that find the memo
    /// out of date at the same moment wait for one remake, not one each.
    remaking: tokio::sync::Mutex<()>,
    /// Moves when the memo is forgotten on purpose (Most Read moved).
    forgotten: std::sync::atomic::AtomicU64,
}

/// What the memo is current with: the store's generation, the page
/// cache's position in the change log, and the times it was forgotten.
type Currency = (u64, u64, u64);

const MAX_AGE: Duration = Duration::from_secs(1);
/// With the page cache following the change log, what no change announces
/// (Most Read moving with readers' views) may wait this long.
const MAX_AGE_FOLLOWING: Duration = Duration::from_secs(60);

/// How many articles the Latest News rail shows.
pub const LATEST_RAIL: i64 = 6;

/// The Most Read rail: the articles read most over the site's window.
pub async fn most_read(
    store: &bbn_store::Store,
    settings: &SiteSettings,
) -> Result<Vec<ArticleSummary>, bbn_store::StoreError> {
    let since_hour = time::now() / 3600 - settings.most_read_days.clamp(1, 30) * 24 + 1;
    store.most_read(since_hour, 5).await
}

impl SharedPartsMemo {
    /// Makes the parts again on next use (and refuses a remake under way).
    pub fn forget(&self) {
        self.forgotten
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    fn currency(&self, state: &AppState) -> Currency {
        (
            state.store.generation(),
            state.pages.applied(),
            self.forgotten.load(std::sync::atomic::Ordering::Acquire),
        )
    }

    fn current(&self, state: &AppState) -> Option<Arc<SharedParts>> {
        let generation = self.currency(state);
        let max_age = if state.pages.enabled() {
            MAX_AGE_FOLLOWING
        } else {
            MAX_AGE
        };
        let slot = self.slot.read().ok()?;
        let (g, at, parts) = slot.as_ref()?;
        (*g == generation && at.elapsed() < max_age).then(|| parts.clone())
    }

    async fn get(&self, state: &AppState) -> Result<Arc<SharedParts>, AppError> {
        if let Some(parts) = self.current(state) {
            return Ok(parts);
        }
        let _remaking = self.remaking.lock().await;
        if let Some(parts) = self.current(state) {
            return Ok(parts);
        }
        // Taken before reading, so that a write landing meanwhile leaves
        // the memo out of date rather than current with stale parts.
        let generation = self.currency(state);
        let store = &state.store;
        let settings = store.settings().await?;
        let parts = Arc::new(SharedParts {
            most_read: most_read(store, &settings).await?,
            settings,
            nav: store.nav_sections().await?,
            picks: store.editors_picks(5).await?,
            latest: store.latest(LATEST_RAIL, 0).await?.items,
            footer_pages: store.footer_pages().await?,
        });
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((generation, Instant::now(), parts.clone()));
        }
        Ok(parts)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub name: String,
    pub url: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    pub site_name: String,
    pub logo_url: Option<String>,
    pub description: String,
    pub copyright: String,
    pub language: String,
    pub year: i32,
    pub today: String,
    pub nav: Vec<NavItem>,
    /// Static pages chosen for the footer (About, Contact…).
    pub footer_pages: Vec<NavItem>,
    pub picks: Vec<SummaryView>,
    pub latest: Vec<SummaryView>,
    /// Read most over the site's window (shown on home and article pages).
    pub most_read: Vec<SummaryView>,
    pub base_url: String,
    #[serde(skip)]
    pub zone: Tz,
    #[serde(skip)]
    pub page_size: i64,
    /// The navigation's sections, for pages that show a block per section.
    #[serde(skip)]
    pub nav_sections: Vec<Section>,
    /// How comments are taken in (from the memoized settings).
    #[serde(skip)]
    pub comments: bbn_core::CommentSettings,
    #[serde(skip)]
    pub feeds: bbn_core::FeedSettings,
}

impl Chrome {
    /// Loads the shared parts; `current_section` marks the navigation item of the page.
    pub async fn load(state: &AppState, current_section: Option<&str>) -> Result<Chrome, AppError> {
        let parts = state.shared.get(state).await?;
        shown(Tag::Latest);
        let settings = &parts.settings;
        let zone: Tz = time::parse_zone(&settings.time_zone).unwrap_or(Tz::UTC);
        let now = time::now();
        Ok(Chrome {
            year: time::year(now, zone),
            today: time::long_date(now, zone),
            nav: parts
                .nav
                .iter()
                .map(|s| NavItem {
                    current: current_section == Some(s.slug.as_str()),
                    url: section_url(&s.slug),
                    name: s.name.clone(),
                })
                .collect(),
            footer_pages: parts
                .footer_pages
                .iter()
                .map(|p| NavItem {
                    current: false,
                    url: super::page_url(&p.slug),
                    name: p.title.clone(),
                })
                .collect(),
            picks: rail(&parts.picks, zone),
            latest: rail(&parts.latest, zone),
            most_read: rail(&parts.most_read, zone),
            site_name: settings.name.clone(),
            logo_url: settings.logo_url.clone(),
            description: settings.description.clone(),
            copyright: settings.copyright_holder.clone(),
            language: settings.language.clone(),
            base_url: state.config.base_url.clone(),
            zone,
            page_size: settings.page_size,
            nav_sections: parts.nav.clone(),
            comments: settings.comments.clone(),
            feeds: settings.feeds.clone(),
        })
    }
}

/// Links between the pages of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(base: &str, page: u32, has_more: bool) -> Pager {
        let link = |p: u32| {
            if p == 1 {
                base.to_string()
            } else {
                format!("{base}?page={p}")
            }
        };
        Pager {
            page,
            prev: (page > 1).then(|| link(page - 1)),
            next: has_more.then(|| link(page + 1)),
        }
    }
}
