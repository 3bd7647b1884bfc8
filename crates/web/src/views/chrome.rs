//! The parts every page shares: site name, navigation, Editors' Picks,
//! Latest News and the footer; and the pager of list pages.

use super::{SummaryView, section_url, summaries};
use crate::AppState;
use crate::error::AppError;
use bbn_core::time;
use chrono_tz::Tz;
use serde::Serialize;

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
    pub description: String,
    pub copyright: String,
    pub language: String,
    pub year: i32,
    pub today: String,
    pub nav: Vec<NavItem>,
    pub picks: Vec<SummaryView>,
    pub latest: Vec<SummaryView>,
    pub base_url: String,
    #[serde(skip)]
    pub zone: Tz,
    #[serde(skip)]
    pub page_size: i64,
}

impl Chrome {
    /// Loads the shared parts; `current_section` marks the navigation item of the page.
    pub async fn load(state: &AppState, current_section: Option<&str>) -> Result<Chrome, AppError> {
        let store = &state.store;
        let settings = store.settings().await?;
        let zone: Tz = time::parse_zone(&settings.time_zone).unwrap_or(Tz::UTC);
        let nav = store.nav_sections().await?;
        let picks = store.editors_picks(5).await?;
        let latest = store.latest(6, 0).await?;
        let now = time::now();
        Ok(Chrome {
            year: time::year(now, zone),
            today: time::long_date(now, zone),
            nav: nav
                .into_iter()
                .map(|s| NavItem {
                    current: current_section == Some(s.slug.as_str()),
                    url: section_url(&s.slug),
                    name: s.name,
                })
                .collect(),
            picks: summaries(&picks, zone),
            latest: summaries(&latest.items, zone),
            site_name: settings.name,
            description: settings.description,
            copyright: settings.copyright_holder,
            language: settings.language,
            base_url: state.config.base_url.clone(),
            zone,
            page_size: settings.page_size,
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
