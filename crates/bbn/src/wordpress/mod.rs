//! `bbn import wordpress FILE.xml [--media-dir DIR] [--dry-run]`: a
//! WordPress site moved into bbn.
//!
//! The export is read twice. The first reading checks the whole file and
//! gathers what posts refer to (people, categories, tags, attachments,
//! menus); a file that is not well-formed stops there, with its line and
//! column, before anything is written. The second reading streams the
//! posts, pages and comments into one transaction (`ImportSession`), so a
//! failure half-way leaves the site as it was, and a dry run rolls back.
//!
//! What maps to what:
//! - authors → bylines and staff accounts, disabled and without a password
//!   until an admin enables them and sets one;
//! - categories → sections (nested as they were); a post's first category
//!   is its section, further ones become topics; tags → topics;
//! - posts → articles (publish → published, future → scheduled,
//!   pending → in review, draft → draft; private and password-protected
//!   posts → drafts, since bbn has neither); sticky posts → Editors' Picks;
//!   excerpts → deks; `_thumbnail_id` → the featured image with its alt
//!   text, caption and credit; Yoast's title and description → SEO fields;
//! - pages → static pages; pages in a navigation menu go in the footer;
//! - comments → comments with their threads, status and dates
//!   (pingbacks and trackbacks are left out);
//! - every post's and page's old permalink, `/?p=ID`, `/?page_id=ID`, and
//!   category and tag archives → 301 redirects.
//!
//! Bodies are kept as sanitized HTML (`bbn_wxr::body::convert` first turns
//! shortcodes, block comments and missing paragraphs into plain HTML).
//! Importing the same export again updates what it made before.
//!
//! Nothing is lost without a word in the report: an item whose id an
//! earlier item had is left out (the first stays), a record edited in bbn
//! since its import is kept as it is, every slug that had to change is
//! listed, an old address that already leads elsewhere keeps leading there,
//! and a body past bbn's limit is left out before it is converted (the
//! reader does not even keep it: see [`LIMITS`]).

mod comments;
mod media;
mod posts;
mod report;
mod survey;
mod terms;

use posts::title;

use crate::config::Config;
use anyhow::Context;
use bbn_core::markdown::html_text;
use bbn_store::ImportSession;
use bbn_wxr::{Limits, ReadError, Reader};
use media::Media;
use report::Report;
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;
use survey::Survey;

/// What one record may cost while the export is read, whatever the file's
/// size: an element's text past bbn's body limit is not kept (no body
/// longer than that is imported anyway), and one piece of XML past 64 MiB
/// stops the import, since the parser must hold it whole.
pub(crate) const LIMITS: Limits = Limits {
    text: bbn_core::validate::MAX_BODY,
    event: 64 << 20,
};

pub async fn run(
    config: Config,
    file: &Path,
    media_dir: Option<&Path>,
    dry_run: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    if let Some(dir) = media_dir
        && !dir.is_dir()
    {
        anyhow::bail!("--media-dir {} is not a folder", dir.display());
    }
    // A dry run writes nothing and may look at a live site.
    let _site = if dry_run {
        None
    } else {
        Some(crate::site_lock::replacing(&config).await?)
    };
    eprintln!("Checking {} …", file.display());
    let survey = survey::survey(file)?;
    eprintln!(
        "Well-formed: {} items, {} authors, {} categories, {} tags, {} attachments.",
        survey.items,
        survey.authors.len(),
        survey.categories.len(),
        survey.tags.len(),
        survey.attachments.len()
    );
    let store = crate::serve::open_store(&config).await?;
    let source = format!("wordpress {}", site_address(&survey));
    let mut report = Report::default();
    report.warnings = survey
        .channel
        .warnings
        .iter()
        .map(|w| format!("line {}, column {}: {}", w.line, w.column, w.message))
        .collect();
    for (id, title, line) in &survey.duplicate_attachments {
        report.duplicate("attachment", &id.to_string(), title, *line);
    }
    let mut session = store.begin_import(&source).await?;
    let mut media = Media::new(
        media_dir,
        config.data_dir.join("media"),
        dry_run,
        config.max_image_megapixels,
    );
    let mut import = Import {
        survey: &survey,
        session: &mut session,
        report: &mut report,
        media: &mut media,
        people: HashMap::new(),
        user_ids: HashMap::new(),
        sections: HashMap::new(),
        topics: HashMap::new(),
        fallback_section: None,
        sticky: Vec::new(),
        seen: HashSet::new(),
    };
    let result = import.everything(file).await;
    let sticky = std::mem::take(&mut import.sticky);
    match result {
        Ok(()) => {
            report.picks_added = session.add_picks(&sticky).await?;
            let nav = session.fill_empty_navigation(7).await?;
            if nav > 0 {
                report.adjusted(
                    "the site had no navigation: the top-level sections with the most published posts are in it",
                    format!("{nav} sections"),
                );
            }
            session.finish(!dry_run).await?;
        }
        Err(e) => {
            session.finish(false).await?;
            return Err(e.context("the import stopped; nothing was written"));
        }
    }
    store.close().await;
    print!("{}", report.render(dry_run));
    let advice = if dry_run {
        "Run again without --dry-run to import."
    } else if report.created("author") > 0 {
        "Imported staff accounts are disabled and have no password: enable them under Newsroom → Staff and set a password (`bbn user reset-password --email …`)."
    } else {
        ""
    };
    println!("\nTook {:.1} s. {advice}", started.elapsed().as_secs_f64());
    Ok(())
}

/// The exported site's address, which names the import's source: the same
/// site imported again updates what its first import made.
fn site_address(s: &Survey) -> String {
    let c = &s.channel;
    let address = [&c.base_blog_url, &c.base_site_url, &c.link]
        .into_iter()
        .find(|a| !a.trim().is_empty())
        .map(|a| a.trim().trim_end_matches('/').to_string());
    address.unwrap_or_else(|| format!("untitled site \"{}\"", c.title))
}

/// The path (and query, for `?p=` links) of an address on the old site,
/// when it names something other than the site's root.
fn old_path(link: &str) -> Option<String> {
    let link = link.trim();
    let rest = match link.find("://") {
        Some(i) => {
            let after = &link[i + 3..];
            &after[after.find('/').unwrap_or(after.len())..]
        }
        None if link.starts_with('/') => link,
        None => return None,
    };
    let path = bbn_store::normalize_path(rest);
    (path != "/").then_some(path)
}

struct Import<'a, 's> {
    survey: &'a Survey,
    session: &'a mut ImportSession<'s>,
    report: &'a mut Report,
    media: &'a mut Media,
    /// author login → (author id, user id)
    people: HashMap<String, (i64, i64)>,
    /// the old site's user id → staff account
    user_ids: HashMap<i64, i64>,
    /// category nicename → section id
    sections: HashMap<String, i64>,
    /// (kind, slug) → topic id
    topics: HashMap<(&'static str, String), i64>,
    fallback_section: Option<i64>,
    sticky: Vec<i64>,
    /// The ids of the posts and pages read so far. WordPress numbers them
    /// in one sequence, so an id seen twice (two exports pasted together,
    /// an exporter's bug) means two records claim one `/?p=ID`.
    seen: HashSet<String>,
}

impl Import<'_, '_> {
    async fn everything(&mut self, file: &Path) -> anyhow::Result<()> {
        let c = &self.survey.channel;
        if self
            .session
            .settings_for_new_site(&c.title, &html_text(&c.description), &c.language)
            .await?
        {
            self.report.adjusted(
                "a new site took the export's name, description and language",
                c.title.clone(),
            );
        }
        self.people().await?;
        self.sections().await?;
        self.tags().await?;
        self.attachments().await?;
        self.items(file).await
    }

    async fn items(&mut self, file: &Path) -> anyhow::Result<()> {
        let input =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        let mut reader = Reader::with_limits(BufReader::with_capacity(1 << 16, input), LIMITS);
        let mut progress = Progress::new(self.survey.items);
        // Pages last: their menu places and parents are known by then.
        loop {
            let record = reader.next_record().map_err(|e| match e {
                ReadError::Syntax {
                    line,
                    column,
                    message,
                }
                | ReadError::NotWxr {
                    line,
                    column,
                    message,
                } => {
                    anyhow::anyhow!("{}:{line}:{column}: {message}", file.display())
                }
                other => anyhow::anyhow!("{other}"),
            })?;
            let Some(record) = record else { break };
            if let bbn_wxr::Record::Item(item) = record {
                progress.tick();
                match item.post_type.as_str() {
                    "post" | "page" if !self.first_with_id(&item) => {}
                    "post" => self.post(&item).await?,
                    "page" => self.page(&item).await?,
                    "attachment" => {}
                    "nav_menu_item" => self.report.skipped(
                        "item",
                        "menu entries (menu pages go in the footer)",
                        title(&item),
                    ),
                    "revision" => self.report.skipped(
                        "item",
                        "revisions (bbn keeps its own from now on)",
                        title(&item),
                    ),
                    other => self.report.skipped(
                        "item",
                        format!("post type \"{other}\" has no counterpart in bbn"),
                        title(&item),
                    ),
                }
            }
        }
        progress.done();
        Ok(())
    }

    /// Whether no earlier post or page of the export had this item's id;
    /// a later one is named in the report and left out, so the first keeps
    /// its record and its `/?p=ID`.
    fn first_with_id(&mut self, item: &bbn_wxr::Item) -> bool {
        let id = posts::source_id(item);
        if self.seen.insert(id.clone()) {
            return true;
        }
        self.report
            .duplicate(&item.post_type, &id, &title(item), item.line);
        false
    }
}

/// A progress bar on a terminal; a line per tenth otherwise.
struct Progress {
    total: u64,
    done: u64,
    terminal: bool,
    shown: u64,
    started: Instant,
}

impl Progress {
    fn new(total: u64) -> Progress {
        Progress {
            total,
            done: 0,
            terminal: std::io::stderr().is_terminal(),
            shown: 0,
            started: Instant::now(),
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        let step = if self.terminal {
            (self.total / 200).max(1)
        } else {
            (self.total / 10).max(1)
        };
        if self.done - self.shown >= step || self.done == self.total {
            self.shown = self.done;
            self.show();
        }
    }

    fn show(&self) {
        let width = 30;
        let filled = (self.done * width / self.total.max(1)) as usize;
        let rate = self.done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        let line = format!(
            "[{}{}] {}/{} items, {:.0}/s",
            "#".repeat(filled),
            " ".repeat(width as usize - filled.min(width as usize)),
            self.done,
            self.total,
            rate
        );
        let mut err = std::io::stderr();
        if self.terminal {
            let _ = write!(err, "\r{line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    fn done(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::old_path;

    #[test]
    fn old_addresses_are_paths_on_the_old_site() {
        assert_eq!(
            old_path("https://example.com/2011/05/hello-world/").as_deref(),
            Some("/2011/05/hello-world")
        );
        assert_eq!(
            old_path("http://example.com/?p=12").as_deref(),
            Some("/?p=12")
        );
        assert_eq!(
            old_path("https://example.com/blog/about/").as_deref(),
            Some("/blog/about")
        );
        assert_eq!(old_path("https://example.com/"), None);
        assert_eq!(old_path("https://example.com"), None);
        assert_eq!(old_path("not a link"), None);
    }
}
