//! The demo site that a new database is filled with: "Big Big News", written
//! for bbn (see demo/). Dates are relative to today, so the demo always looks current.

use anyhow::{Context, anyhow, bail};
use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, FaqItem, SiteSettings};
use bbn_store::{NewComment, Store};
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use rust_embed::RustEmbed;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(RustEmbed)]
#[folder = "demo/"]
struct DemoFiles;

#[derive(Deserialize)]
struct SiteFile {
    site: SiteInfo,
    sections: Vec<Named>,
    authors: Vec<AuthorInfo>,
    topics: Vec<Named>,
}

#[derive(Deserialize)]
struct SiteInfo {
    name: String,
    description: String,
    copyright_holder: String,
    time_zone: String,
}

#[derive(Deserialize)]
struct Named {
    slug: String,
    name: String,
    description: String,
}

#[derive(Deserialize)]
struct AuthorInfo {
    slug: String,
    name: String,
    bio: String,
    #[serde(default)]
    job_title: String,
}

#[derive(Deserialize)]
struct FrontMatter {
    slug: String,
    headline: String,
    dek: String,
    kicker: String,
    section: String,
    authors: Vec<String>,
    topics: Vec<String>,
    days_ago: i64,
    time: String,
    editors_pick: bool,
    comments_open: bool,
    #[serde(default)]
    faq: Vec<FaqItem>,
    #[serde(default)]
    comments: Vec<DemoComment>,
}

#[derive(Deserialize)]
struct DemoComment {
    name: String,
    email: String,
    minutes_after: i64,
    text: String,
}

fn text(name: &str) -> anyhow::Result<String> {
    let file = DemoFiles::get(name).ok_or_else(|| anyhow!("demo file {name} is missing"))?;
    Ok(String::from_utf8(file.data.into_owned())?)
}

fn split_front_matter(source: &str) -> anyhow::Result<(&str, &str)> {
    let rest = source
        .strip_prefix("+++\n")
        .ok_or_else(|| anyhow!("no front matter"))?;
    let end = rest
        .find("\n+++\n")
        .ok_or_else(|| anyhow!("front matter is not closed"))?;
    Ok((&rest[..end], &rest[end + 5..]))
}

fn id_of(map: &HashMap<String, i64>, kind: &str, slug: &str) -> anyhow::Result<i64> {
    map.get(slug)
        .copied()
        .ok_or_else(|| anyhow!("unknown {kind} {slug}"))
}

/// Fills an empty store with the demo site; returns the number of articles.
#[derive(Deserialize)]
struct PageFront {
    title: String,
    footer: Option<i64>,
    #[serde(default)]
    description: String,
}

/// The demo's static pages (About, Contact…), in the footer.
async fn load_pages(store: &Store) -> anyhow::Result<()> {
    let mut names: Vec<String> = DemoFiles::iter()
        .filter(|n| n.starts_with("pages/"))
        .map(|n| n.to_string())
        .collect();
    names.sort();
    for name in names {
        let source = text(&name)?;
        let (front, body) = split_front_matter(&source).with_context(|| name.clone())?;
        let fm: PageFront = toml::from_str(front).with_context(|| name.clone())?;
        let slug = name
            .trim_start_matches("pages/")
            .trim_end_matches(".md")
            .to_string();
        store
            .create_page(bbn_core::validate::PageDraft {
                slug,
                title: fm.title,
                body_format: bbn_core::BodyFormat::Markdown,
                body: body.trim().to_string(),
                status: bbn_core::PageStatus::Published,
                footer_position: fm.footer,
                seo_description: fm.description,
            })
            .await
            .with_context(|| name.clone())?;
    }
    Ok(())
}

pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let site: SiteFile = toml::from_str(&text("site.toml")?).context("demo/site.toml")?;
    let zone = bbn_core::time::parse_zone(&site.site.time_zone)
        .ok_or_else(|| anyhow!("bad demo time zone"))?;
    let mut sections = HashMap::new();
    for (i, s) in site.sections.iter().enumerate() {
        sections.insert(
            s.slug.clone(),
            store
                .create_section(&s.slug, &s.name, &s.description, Some(i as i64))
                .await?,
        );
    }
    let mut authors = HashMap::new();
    for a in &site.authors {
        let id = store.create_author(&a.slug, &a.name, &a.bio).await?;
        if !a.job_title.is_empty() {
            let profile = bbn_store::ProfileEdit {
                name: a.name.clone(),
                bio: a.bio.clone(),
                job_title: a.job_title.clone(),
                ..Default::default()
            };
            store.save_author_profile(id, &profile).await?;
        }
        authors.insert(a.slug.clone(), id);
    }
    let mut topics = HashMap::new();
    for t in &site.topics {
        topics.insert(
            t.slug.clone(),
            store.create_topic(&t.slug, &t.name, &t.description).await?,
        );
    }

    let mut names: Vec<String> = DemoFiles::iter()
        .filter(|n| n.starts_with("articles/"))
        .map(|n| n.to_string())
        .collect();
    names.sort();
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let mut picks = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let source = text(name)?;
        let (front, body) = split_front_matter(&source).with_context(|| name.clone())?;
        let fm: FrontMatter = toml::from_str(front).with_context(|| name.clone())?;
        let local_time = NaiveTime::parse_from_str(&fm.time, "%H:%M")
            .with_context(|| format!("{name}: time"))?;
        let day = today - Duration::days(fm.days_ago);
        let Some(local) = zone
            .from_local_datetime(&day.and_time(local_time))
            .earliest()
        else {
            bail!("{name}: that local time does not exist");
        };
        // A story "from today" never appears to come from the future; earlier files stay first.
        let published = local
            .timestamp()
            .min(now.timestamp() - 600 - index as i64 * 60);
        let author_ids = fm
            .authors
            .iter()
            .map(|a| id_of(&authors, "author", a))
            .collect::<Result<_, _>>()?;
        let topic_ids = fm
            .topics
            .iter()
            .map(|t| id_of(&topics, "topic", t))
            .collect::<Result<_, _>>()?;
        let draft = ArticleDraft::new(
            fm.slug.clone(),
            fm.headline,
            id_of(&sections, "section", &fm.section)?,
        )
        .dek(fm.dek)
        .kicker(fm.kicker)
        .body(body.trim())
        .authors(author_ids)
        .topics(topic_ids)
        .faq(fm.faq)
        .comments_open(fm.comments_open)
        .published(published);
        let id = store
            .create_article(draft)
            .await
            .with_context(|| name.clone())?;
        if fm.editors_pick {
            picks.push(id);
        }
        for c in fm.comments {
            store
                .add_comment(&NewComment {
                    article_id: id,
                    parent_id: None,
                    author_name: c.name,
                    author_email: c.email,
                    body: c.text,
                    status: CommentStatus::Approved,
                    created_at: (published + c.minutes_after * 60).min(now.timestamp()),
                })
                .await?;
        }
    }
    store.set_editors_picks(&picks).await?;
    load_pages(store).await?;
    store
        .save_settings(&SiteSettings {
            name: site.site.name,
            description: site.site.description,
            copyright_holder: site.site.copyright_holder,
            time_zone: site.site.time_zone,
            page_size: 10,
            language: "en".into(),
            blocking_checks: Vec::new(),
            logo_id: None,
            logo_url: None,
            comments: Default::default(),
            most_read_days: 2,
            ..Default::default()
        })
        .await?;
    Ok(names.len())
}
