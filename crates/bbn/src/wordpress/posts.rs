//! Posts and pages: statuses mapped, bodies converted and their uploads
//! rewritten, old addresses recorded, and the small rules that make a
//! WordPress record fit bbn's (titles, slugs, excerpts, SEO fields).

use super::Import;
use super::old_path;
use super::report::Report;
use anyhow::Context;
use bbn_core::markdown::html_text;
use bbn_core::validate::{ArticleDraft, PageDraft};
use bbn_core::{BodyFormat, PageStatus, Status};
use bbn_store::{ImportedArticle, ImportedPage, RedirectTarget, import_slug};
use bbn_wxr::Item;

impl Import<'_, '_> {
    /// What writing a post or page gave: a record refused by bbn's rules
    /// is left out and named in the report (None); a failure stops the import.
    fn written(
        &mut self,
        kind: &'static str,
        result: bbn_store::Result<(i64, bbn_store::Outcome)>,
        item: &Item,
        label: &str,
    ) -> anyhow::Result<Option<(i64, bbn_store::Outcome)>> {
        for rename in self.session.take_renames() {
            self.report.renamed(rename);
        }
        if let Ok((_, bbn_store::Outcome::Kept)) = &result {
            self.report.kept(kind, label);
        }
        match result {
            Err(bbn_store::StoreError::Invalid(errors)) => {
                let why = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                self.report.skipped(
                    kind,
                    format!("refused by bbn's rules: {why}"),
                    label.to_string(),
                );
                Ok(None)
            }
            other => other
                .map(Some)
                .with_context(|| format!("{kind} {} ({label}), line {}", item.post_id, item.line)),
        }
    }

    pub(super) async fn post(&mut self, item: &Item) -> anyhow::Result<()> {
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
        let Some((id, outcome)) = self.written("post", written, item, &label)? else {
            return Ok(());
        };
        self.report.done("article", outcome);
        if item.is_sticky && status == Status::Published {
            self.sticky.push(id);
        }
        self.redirects(item, RedirectTarget::Article(id), "p")
            .await?;
        self.comments(item, id, &label).await
    }

    pub(super) async fn page(&mut self, item: &Item) -> anyhow::Result<()> {
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
        let Some((id, outcome)) = self.written("page", written, item, &label)? else {
            return Ok(());
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

    pub(super) async fn redirects(
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
        let taken = self.session.redirects(&paths, &target).await?;
        self.report.redirects += paths.len().saturating_sub(taken.len()) as u64;
        self.report.addresses_kept(taken, &title(item));
        Ok(())
    }

    /// The body as HTML bbn keeps: shortcodes and blocks converted, upload
    /// addresses brought into bbn's media where the files are at hand. A
    /// body past bbn's limit is left out before any of that: converting it
    /// would cost memory several times its size, and bring in its media
    /// and report its shortcodes for a post that is not imported.
    pub(super) async fn body(
        &mut self,
        item: &Item,
        label: &str,
    ) -> anyhow::Result<Option<String>> {
        for name in item.oversized.iter().filter(|n| *n != "content:encoded") {
            self.report.adjusted(
                format!(
                    "<{name}> longer than {} bytes was left out",
                    super::LIMITS.text
                ),
                label.to_string(),
            );
        }
        let too_long = || {
            format!(
                "a body longer than bbn's {} bytes",
                bbn_core::validate::MAX_BODY
            )
        };
        // The reader keeps no text past the limit and names the element instead.
        if item.oversized.iter().any(|n| n == "content:encoded")
            || item.content.len() > bbn_core::validate::MAX_BODY
        {
            self.report.skipped("item", too_long(), label.to_string());
            return Ok(None);
        }
        let converted = bbn_wxr::body::convert(&item.content, item.post_id, self.survey);
        // Conversion adds paragraphs: the result is checked again before
        // its media are brought in.
        if converted.html.len() > bbn_core::validate::MAX_BODY {
            self.report.skipped("item", too_long(), label.to_string());
            return Ok(None);
        }
        for name in &converted.unknown_shortcodes {
            self.report.shortcode(name, label);
        }
        // Embeds ([embed], wp:embed blocks, an address alone on its line)
        // come out of the conversion as linked addresses; those a provider
        // takes become click-to-load embeds.
        let (mut html, embeds) = bbn_core::embed::links_to_embeds(&converted.html);
        self.report.embeds += embeds as u64;
        for link in &converted.links {
            if let Some(local) = self.media.rewrite(self.session, link, self.report).await? {
                html = html.replace(link.as_str(), &local);
            }
        }
        if html.len() > bbn_core::validate::MAX_BODY {
            self.report.skipped("item", too_long(), label.to_string());
            return Ok(None);
        }
        Ok(Some(html))
    }
}

/// Why an item with this status is not imported, if it is not.
pub(super) fn left_out(status: &str) -> Option<&'static str> {
    match status {
        "trash" => Some("in the trash"),
        "auto-draft" => Some("an automatic draft WordPress made"),
        "inherit" => Some("a revision"),
        _ => None,
    }
}

/// The record's id in its source: WordPress's post id, or for exports that
/// leave it out, the guid (then the link, then the place in the file).
pub(super) fn source_id(item: &Item) -> String {
    if item.post_id != 0 {
        return item.post_id.to_string();
    }
    [item.guid.trim(), item.link.trim()]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or_else(|| format!("line {}", item.line), |s| format!("guid {s}"))
}

pub(super) fn title(item: &Item) -> String {
    let t = html_text(&item.title);
    if t.is_empty() {
        format!("untitled #{}", item.post_id)
    } else {
        t
    }
}

pub(super) fn headline(item: &Item, report: &mut Report) -> String {
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
pub(super) fn post_slug(item: &Item) -> String {
    let decoded = bbn_store::normalize_path(&format!("/{}", item.post_name));
    let s = import_slug(decoded.trim_start_matches('/'), &html_text(&item.title));
    if s == "untitled" {
        format!("post-{}", item.post_id)
    } else {
        s
    }
}

pub(super) fn yoast(item: &Item, key: &str) -> String {
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
pub(super) fn short(text: &str, max: usize, label: &str, why: &str, report: &mut Report) -> String {
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
