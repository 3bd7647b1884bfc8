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

mod media;
mod report;
mod survey;

use crate::config::Config;
use anyhow::Context;
use bbn_core::validate::{ArticleDraft, PageDraft};
use bbn_core::{BodyFormat, CommentStatus, PageStatus, Status, markdown::html_text};
use bbn_store::{
    ImportSession, ImportedArticle, ImportedComment, ImportedPage, ImportedPerson, RedirectTarget,
    import_slug,
};
use bbn_wxr::{Item, ReadError, Reader};
use media::Media;
use report::Report;
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;
use survey::Survey;

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
    let mut session = store.begin_import(&source).await?;
    let mut media = Media::new(media_dir, config.data_dir.join("media"), dry_run);
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

    async fn people(&mut self) -> anyhow::Result<()> {
        for a in &self.survey.authors {
            let name = [
                a.display_name.trim(),
                &format!("{} {}", a.first_name.trim(), a.last_name.trim()),
                a.login.trim(),
            ]
            .into_iter()
            .map(|n| n.trim().to_string())
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| "Unknown author".to_string());
            let login = if a.login.trim().is_empty() {
                name.clone()
            } else {
                a.login.trim().to_string()
            };
            let (author, user, outcome) = self
                .session
                .person(
                    &login,
                    &ImportedPerson {
                        email: a.email.clone(),
                        name,
                    },
                )
                .await?;
            self.report.done("author", outcome);
            self.people.insert(login, (author, user));
            if let Some(id) = a.id {
                self.user_ids.insert(id, user);
            }
        }
        Ok(())
    }

    /// The byline for a post's `dc:creator`, made on the spot for a login
    /// the export's author list does not have.
    async fn person_for(&mut self, login: &str) -> anyhow::Result<(i64, i64)> {
        let login = login.trim();
        if let Some(p) = self.people.get(login) {
            return Ok(*p);
        }
        let name = if login.is_empty() {
            "Unknown author"
        } else {
            login
        };
        let (author, user, outcome) = self
            .session
            .person(
                name,
                &ImportedPerson {
                    email: String::new(),
                    name: name.to_string(),
                },
            )
            .await?;
        self.report.done("author", outcome);
        self.people.insert(login.to_string(), (author, user));
        Ok((author, user))
    }

    /// A byline only a post's terms name (Co-Authors Plus guest authors).
    async fn person_named(&mut self, login: &str, name: &str) -> anyhow::Result<(i64, i64)> {
        let name = if name.trim().is_empty() {
            login
        } else {
            name.trim()
        };
        let (author, user, outcome) = self
            .session
            .person(
                login,
                &ImportedPerson {
                    email: String::new(),
                    name: name.to_string(),
                },
            )
            .await?;
        self.report.done("author", outcome);
        self.people.insert(login.to_string(), (author, user));
        Ok((author, user))
    }

    async fn sections(&mut self) -> anyhow::Result<()> {
        // Parents first, whatever order the export lists them in.
        let mut pending: Vec<&bbn_wxr::Category> = self.survey.categories.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for c in pending {
                let parent = c.parent.trim();
                let parent_id = if parent.is_empty() {
                    None
                } else {
                    self.sections.get(parent).copied()
                };
                if !parent.is_empty()
                    && parent_id.is_none()
                    && before != 0
                    && self.survey.categories.iter().any(|o| o.nicename == parent)
                {
                    rest.push(c);
                    continue;
                }
                let (id, outcome) = self
                    .session
                    .section(
                        &c.nicename,
                        &c.nicename,
                        &html_text(&c.name),
                        &html_text(&c.description),
                        parent_id,
                    )
                    .await?;
                self.report.done("section", outcome);
                self.sections.insert(c.nicename.clone(), id);
                self.category_redirects(c, id).await?;
            }
            if rest.len() == before {
                // A cycle of parents: take them without.
                for c in &rest {
                    let (id, outcome) = self
                        .session
                        .section(
                            &c.nicename,
                            &c.nicename,
                            &html_text(&c.name),
                            &html_text(&c.description),
                            None,
                        )
                        .await?;
                    self.report.done("section", outcome);
                    self.sections.insert(c.nicename.clone(), id);
                }
                break;
            }
            pending = rest;
        }
        Ok(())
    }

    /// `/category/parent/child/` and `/?cat=ID` lead to the section.
    async fn category_redirects(&mut self, c: &bbn_wxr::Category, id: i64) -> anyhow::Result<()> {
        let mut path = vec![c.nicename.clone()];
        let mut parent = c.parent.clone();
        while !parent.is_empty() && path.len() < 20 {
            path.insert(0, parent.clone());
            parent = self
                .survey
                .categories
                .iter()
                .find(|o| o.nicename == parent)
                .map(|o| o.parent.clone())
                .unwrap_or_default();
        }
        self.session
            .redirect(
                &format!("/category/{}", path.join("/")),
                &RedirectTarget::Section(id),
            )
            .await?;
        self.report.redirects += 1;
        if let Some(term) = c.term_id {
            self.session
                .redirect(&format!("/?cat={term}"), &RedirectTarget::Section(id))
                .await?;
            self.report.redirects += 1;
        }
        Ok(())
    }

    async fn tags(&mut self) -> anyhow::Result<()> {
        for t in &self.survey.tags {
            self.topic("tag", &t.slug, &t.name, &t.description).await?;
        }
        Ok(())
    }

    async fn topic(
        &mut self,
        kind: &'static str,
        slug: &str,
        name: &str,
        description: &str,
    ) -> anyhow::Result<i64> {
        if let Some(id) = self.topics.get(&(kind, slug.to_string())) {
            return Ok(*id);
        }
        let name = html_text(name);
        let (id, outcome) = self
            .session
            .topic(kind, slug, slug, &name, &html_text(description))
            .await?;
        self.report.done("topic", outcome);
        self.topics.insert((kind, slug.to_string()), id);
        if kind == "tag" {
            self.session
                .redirects(
                    &[format!("/tag/{slug}"), format!("/?tag={slug}")],
                    &RedirectTarget::Topic(id),
                )
                .await?;
            self.report.redirects += 2;
        }
        Ok(id)
    }

    async fn attachments(&mut self) -> anyhow::Result<()> {
        let mut all: Vec<&survey::Attachment> = self.survey.attachments.values().collect();
        all.sort_by_key(|a| a.id);
        for a in all {
            if !a.is_image() {
                self.report.skipped(
                    "attachment",
                    "not an image (bbn's media library holds images; links to the file are kept)",
                    a.url.clone(),
                );
                continue;
            }
            let (id, outcome) = self.media.attachment(self.session, a, self.report).await?;
            self.report.done("image", outcome);
            let _ = id;
        }
        Ok(())
    }

    async fn items(&mut self, file: &Path) -> anyhow::Result<()> {
        let input =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        let mut reader = Reader::new(BufReader::with_capacity(1 << 16, input));
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

    async fn section_for(&mut self, item: &Item) -> anyhow::Result<i64> {
        if let Some(first) = item.terms_in("category").next() {
            if let Some(id) = self.sections.get(&first.nicename) {
                return Ok(*id);
            }
            // A category the export's list does not have.
            let (id, outcome) = self
                .session
                .section(
                    &first.nicename,
                    &first.nicename,
                    &html_text(&first.name),
                    "",
                    None,
                )
                .await?;
            self.report.done("section", outcome);
            self.sections.insert(first.nicename.clone(), id);
            return Ok(id);
        }
        if let Some(id) = self.fallback_section {
            return Ok(id);
        }
        let (id, outcome) = self
            .session
            .section("uncategorized", "uncategorized", "Uncategorized", "", None)
            .await?;
        self.report.done("section", outcome);
        self.fallback_section = Some(id);
        Ok(id)
    }

    async fn post(&mut self, item: &Item) -> anyhow::Result<()> {
        let label = title(item);
        if let Some(why) = left_out(&item.status) {
            self.report.skipped("post", why, label);
            return Ok(());
        }
        let (status, why) = match (item.status.as_str(), item.post_password.is_empty()) {
            (_, false) => (
                Status::Draft,
                Some("password-protected posts became drafts (bbn has no protected posts)"),
            ),
            ("publish", true) => (Status::Published, None),
            ("future", true) => (Status::Scheduled, None),
            ("pending", true) => (Status::InReview, None),
            ("private", true) => (
                Status::Draft,
                Some("private posts became drafts (bbn has no private posts)"),
            ),
            ("draft", true) => (Status::Draft, None),
            (other, true) => (
                Status::Draft,
                Some(if other.is_empty() {
                    "posts without a status became drafts"
                } else {
                    "posts with an unknown status became drafts"
                }),
            ),
        };
        if let Some(why) = why {
            self.report.adjusted(why, label.clone());
        }
        let when = item.published_unix();
        let now = bbn_core::time::now();
        let (author, user) = self.person_for(&item.creator.clone()).await?;
        // Co-Authors Plus files its bylines as terms of the taxonomy "author".
        let mut author_ids = Vec::new();
        for t in item.terms_in("author") {
            let login = t
                .nicename
                .strip_prefix("cap-")
                .unwrap_or(&t.nicename)
                .to_string();
            let known = self.people.contains_key(&login);
            let (id, _) = if known {
                self.person_for(&login).await?
            } else {
                self.person_named(&login, &html_text(&t.name)).await?
            };
            author_ids.push(id);
        }
        if author_ids.is_empty() {
            author_ids.push(author);
        }
        let section_id = self.section_for(item).await?;
        let mut topic_ids = Vec::new();
        for t in item.terms_in("category").skip(1) {
            topic_ids.push(
                self.topic("category_topic", &t.nicename, &t.name, "")
                    .await?,
            );
        }
        for t in item.terms_in("post_tag") {
            topic_ids.push(self.topic("tag", &t.nicename, &t.name, "").await?);
        }
        let Some(body) = self.body(item, &label).await? else {
            return Ok(());
        };
        let image_id = match item
            .meta("_thumbnail_id")
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            Some(att) => {
                let found = self.session.known("attachment", &att.to_string());
                if found.is_none() {
                    self.report.adjusted(
                        "featured images whose attachment is not in the export were left out",
                        label.clone(),
                    );
                }
                found
            }
            None => None,
        };
        let headline = headline(item, &mut *self.report);
        let draft = ArticleDraft {
            slug: post_slug(item),
            headline,
            dek: short(
                &html_text(&item.excerpt),
                bbn_core::validate::MAX_SHORT_TEXT,
                &label,
                "excerpts longer than 500 characters were shortened",
                self.report,
            ),
            kicker: String::new(),
            body_format: BodyFormat::Html,
            body_markdown: body,
            section_id,
            author_ids,
            topic_ids,
            faq: Vec::new(),
            image_id,
            seo_title: yoast(item, "_yoast_wpseo_title"),
            seo_description: yoast(item, "_yoast_wpseo_metadesc"),
            comments_open: item.comment_status == "open",
            status,
            published_at: match status {
                Status::Published => Some(when.unwrap_or(now)),
                _ => None,
            },
            scheduled_at: (status == Status::Scheduled).then(|| when.unwrap_or(now)),
        };
        let created_at = when.unwrap_or(now);
        let written = self
            .session
            .article(
                &source_id(item),
                ImportedArticle {
                    draft,
                    created_at,
                    modified_at: item.modified_unix().unwrap_or(created_at),
                    created_by: Some(user),
                },
            )
            .await;
        let (id, outcome) = match written {
            Err(bbn_store::StoreError::Invalid(errors)) => {
                let why = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                self.report
                    .skipped("post", format!("refused by bbn's rules: {why}"), label);
                return Ok(());
            }
            other => other
                .with_context(|| format!("post {} ({label}), line {}", item.post_id, item.line))?,
        };
        self.report.done("article", outcome);
        if item.is_sticky && status == Status::Published {
            self.sticky.push(id);
        }
        self.redirects(item, RedirectTarget::Article(id), "p")
            .await?;
        self.comments(item, id, &label).await
    }

    async fn page(&mut self, item: &Item) -> anyhow::Result<()> {
        let label = title(item);
        if let Some(why) = left_out(&item.status) {
            self.report.skipped("page", why, label);
            return Ok(());
        }
        let status = match item.status.as_str() {
            "publish" if item.post_password.is_empty() => PageStatus::Published,
            "publish" => {
                self.report
                    .adjusted("password-protected pages became drafts", label.clone());
                PageStatus::Draft
            }
            "draft" | "pending" => PageStatus::Draft,
            other => {
                self.report.adjusted(
                    format!("pages with status \"{other}\" became drafts"),
                    label.clone(),
                );
                PageStatus::Draft
            }
        };
        let Some(body) = self.body(item, &label).await? else {
            return Ok(());
        };
        let created_at = item.published_unix().unwrap_or_else(bbn_core::time::now);
        let written = self
            .session
            .page(
                &source_id(item),
                ImportedPage {
                    draft: PageDraft {
                        slug: post_slug(item),
                        title: headline(item, &mut *self.report),
                        body_format: BodyFormat::Html,
                        body,
                        status,
                        footer_position: self.survey.menu_pages.get(&item.post_id).copied(),
                        seo_description: yoast(item, "_yoast_wpseo_metadesc"),
                    },
                    created_at,
                    modified_at: item.modified_unix().unwrap_or(created_at),
                },
            )
            .await;
        let (id, outcome) = match written {
            Err(bbn_store::StoreError::Invalid(errors)) => {
                let why = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                self.report
                    .skipped("page", format!("refused by bbn's rules: {why}"), label);
                return Ok(());
            }
            other => other
                .with_context(|| format!("page {} ({label}), line {}", item.post_id, item.line))?,
        };
        self.report.done("page", outcome);
        if item.post_parent != 0 {
            self.report.adjusted(
                "page hierarchy flattened (child pages keep their own address)",
                label.clone(),
            );
        }
        self.redirects(item, RedirectTarget::Page(id), "page_id")
            .await?;
        self.comments(item, 0, &label).await
    }

    async fn redirects(
        &mut self,
        item: &Item,
        target: RedirectTarget,
        key: &str,
    ) -> anyhow::Result<()> {
        let mut paths = Vec::new();
        if item.post_id != 0 {
            paths.push(format!("/?{key}={}", item.post_id));
            if key != "p" {
                paths.push(format!("/?p={}", item.post_id));
            }
        }
        paths.extend(old_path(&item.link));
        if item.guid_is_permalink {
            paths.extend(old_path(&item.guid));
        }
        let mut paths: Vec<String> = paths.iter().map(|p| bbn_store::normalize_path(p)).collect();
        paths.sort();
        paths.dedup();
        self.report.redirects += paths.len() as u64;
        self.session.redirects(&paths, &target).await?;
        Ok(())
    }

    /// The body as HTML bbn keeps: shortcodes and blocks converted, upload
    /// addresses brought into bbn's media where the files are at hand.
    async fn body(&mut self, item: &Item, label: &str) -> anyhow::Result<Option<String>> {
        let converted = bbn_wxr::body::convert(&item.content, item.post_id, self.survey);
        for name in &converted.unknown_shortcodes {
            self.report.shortcode(name, label);
        }
        let mut html = converted.html;
        for link in &converted.links {
            if let Some(local) = self.media.rewrite(self.session, link, self.report).await? {
                html = html.replace(link.as_str(), &local);
            }
        }
        if html.len() > bbn_core::validate::MAX_BODY {
            self.report.skipped(
                "item",
                format!(
                    "a body longer than bbn's {} bytes",
                    bbn_core::validate::MAX_BODY
                ),
                label.to_string(),
            );
            return Ok(None);
        }
        Ok(Some(html))
    }

    async fn comments(&mut self, item: &Item, article_id: i64, label: &str) -> anyhow::Result<()> {
        if item.comments.is_empty() {
            return Ok(());
        }
        if article_id == 0 {
            for _ in &item.comments {
                self.report.skipped(
                    "comment",
                    "on a page (bbn pages take no comments)",
                    label.to_string(),
                );
            }
            return Ok(());
        }
        let mut ordered: Vec<&bbn_wxr::Comment> = item.comments.iter().collect();
        ordered.sort_by_key(|c| (c.date_unix().unwrap_or(0), c.id));
        let importable: HashSet<i64> = item
            .comments
            .iter()
            .filter(|c| matches!(c.comment_type.as_str(), "" | "comment"))
            .map(|c| c.id)
            .collect();
        let external = |c: &bbn_wxr::Comment| {
            if c.id != 0 {
                c.id.to_string()
            } else {
                let place = item
                    .comments
                    .iter()
                    .position(|o| std::ptr::eq(o, c))
                    .unwrap_or(0);
                format!("{} #{place}", source_id(item))
            }
        };
        // Parents go before their replies, whatever the order in the file.
        let mut placed: HashSet<i64> = HashSet::new();
        let mut batch = Vec::new();
        let mut pending = ordered;
        loop {
            let before = pending.len();
            let mut later = Vec::new();
            for c in pending {
                if !matches!(c.comment_type.as_str(), "" | "comment") {
                    self.report.skipped(
                        "comment",
                        format!("{}s are not comments in bbn", c.comment_type),
                        label.to_string(),
                    );
                    continue;
                }
                let parent = match c.parent {
                    0 => None,
                    p if placed.contains(&p) => {
                        item.comments.iter().find(|o| o.id == p).map(external)
                    }
                    p if importable.contains(&p) => {
                        later.push(c);
                        continue;
                    }
                    _ => {
                        self.report.adjusted(
                            "replies to comments that were not imported start their own thread",
                            label.to_string(),
                        );
                        None
                    }
                };
                let body = html_text(&c.content);
                batch.push(ImportedComment {
                    external_id: external(c),
                    parent_external: parent,
                    author_name: if c.author.trim().is_empty() {
                        "Anonymous".into()
                    } else {
                        html_text(&c.author)
                    },
                    author_email: c.author_email.clone(),
                    body: if body.is_empty() {
                        "(empty)".into()
                    } else {
                        body
                    },
                    status: match c.approved.as_str() {
                        "1" | "approve" | "approved" => CommentStatus::Approved,
                        "0" | "hold" => CommentStatus::Pending,
                        "spam" => CommentStatus::Spam,
                        _ => CommentStatus::Trash,
                    },
                    created_at: c.date_unix().unwrap_or_else(bbn_core::time::now),
                    staff_user_id: self.user_ids.get(&c.user_id).copied(),
                });
                placed.insert(c.id);
            }
            if later.is_empty() || later.len() == before {
                for c in later {
                    self.report.skipped(
                        "comment",
                        "in a circle of replies",
                        format!("comment {} on {label}", c.id),
                    );
                }
                break;
            }
            pending = later;
        }
        let outcomes = self
            .session
            .comments(article_id, &batch)
            .await
            .with_context(|| format!("the comments on {label}"))?;
        for outcome in outcomes {
            self.report.done("comment", outcome);
        }
        Ok(())
    }
}

/// Why an item with this status is not imported, if it is not.
fn left_out(status: &str) -> Option<&'static str> {
    match status {
        "trash" => Some("in the trash"),
        "auto-draft" => Some("an automatic draft WordPress made"),
        "inherit" => Some("a revision"),
        _ => None,
    }
}

/// The record's id in its source: WordPress's post id, or for exports that
/// leave it out, the guid (then the link, then the place in the file).
fn source_id(item: &Item) -> String {
    if item.post_id != 0 {
        return item.post_id.to_string();
    }
    [item.guid.trim(), item.link.trim()]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or_else(|| format!("line {}", item.line), |s| format!("guid {s}"))
}

fn title(item: &Item) -> String {
    let t = html_text(&item.title);
    if t.is_empty() {
        format!("untitled #{}", item.post_id)
    } else {
        t
    }
}

fn headline(item: &Item, report: &mut Report) -> String {
    let t = html_text(&item.title).replace('\n', " ");
    if t.trim().is_empty() {
        report.adjusted(
            "items without a title were titled \"Untitled\"",
            format!("#{}", item.post_id),
        );
        return "Untitled".to_string();
    }
    short(
        &t,
        bbn_core::validate::MAX_HEADLINE,
        &t,
        "titles longer than 300 characters were shortened",
        report,
    )
}

/// The slug: WordPress's when bbn accepts it (non-ASCII slugs are percent-
/// encoded there), else one from the title, else `post-ID`.
fn post_slug(item: &Item) -> String {
    let decoded = bbn_store::normalize_path(&format!("/{}", item.post_name));
    let s = import_slug(decoded.trim_start_matches('/'), &html_text(&item.title));
    if s == "untitled" {
        format!("post-{}", item.post_id)
    } else {
        s
    }
}

fn yoast(item: &Item, key: &str) -> String {
    match item.meta(key) {
        // Yoast's templates (%%title%% %%sep%%) mean nothing outside WordPress.
        Some(v) if !v.contains("%%") => {
            let t = html_text(v);
            t.chars().take(bbn_core::validate::MAX_SHORT_TEXT).collect()
        }
        _ => String::new(),
    }
}

/// `text` cut at a word to at most `max` characters, with an ellipsis.
fn short(text: &str, max: usize, label: &str, why: &str, report: &mut Report) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    report.adjusted(why, label.to_string());
    let cut: String = text.chars().take(max - 1).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|i| *i > max / 2)
        .map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end())
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
