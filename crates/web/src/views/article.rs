//! The article page's view.

use super::{ImageView, SummaryView, When, author_url, recommended, section_url, topic_url};
use bbn_core::{Article, ArticleSummary, Comment, Correction, FaqItem};
use chrono_tz::Tz;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: i64,
    pub name: String,
    pub posted: When,
    /// Paragraphs of the comment as safe HTML: escaped, with links (see `text`).
    pub paragraphs: Vec<String>,
    /// 0 for a comment on the article, 1 for a reply to it, and so on.
    pub depth: i64,
    pub in_reply_to: Option<String>,
    pub staff: bool,
}

fn comment_view(c: &Comment, zone: Tz, depth: i64, in_reply_to: Option<String>) -> CommentView {
    CommentView {
        id: c.id,
        name: c.author_name.clone(),
        posted: When::new(c.created_at, zone),
        paragraphs: c
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(super::text::paragraph_html)
            .collect(),
        depth,
        in_reply_to,
        staff: c.staff,
    }
}

/// Comments in reading order: each followed by its replies (oldest first at every level).
pub fn comment_views(comments: &[Comment], zone: Tz) -> Vec<CommentView> {
    let known: std::collections::HashSet<i64> = comments.iter().map(|c| c.id).collect();
    let mut out = Vec::with_capacity(comments.len());
    let mut stack: Vec<(&Comment, i64)> = comments
        .iter()
        .filter(|c| c.parent_id.is_none_or(|p| !known.contains(&p)))
        .rev()
        .map(|c| (c, 0))
        .collect();
    while let Some((c, depth)) = stack.pop() {
        let parent_name = c
            .parent_id
            .and_then(|p| comments.iter().find(|x| x.id == p))
            .map(|p| p.author_name.clone());
        out.push(comment_view(c, zone, depth, parent_name));
        let children: Vec<&Comment> = comments
            .iter()
            .filter(|x| x.parent_id == Some(c.id))
            .collect();
        stack.extend(children.into_iter().rev().map(|x| (x, depth + 1)));
    }
    out
}

/// A name in an article's byline, with what they do when their profile says.
#[derive(Debug, Clone, Serialize)]
pub struct BylineView {
    pub name: String,
    pub url: String,
    pub job_title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    pub label: &'static str,
    pub body: String,
    pub when: When,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub url: String,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    pub description: String,
    pub title: String,
    pub section: Link,
    pub authors: Vec<BylineView>,
    pub topic: Option<Link>,
    pub topics: Vec<Link>,
    pub published: Option<When>,
    pub updated: Option<When>,
    pub image: Option<ImageView>,
    pub body_html: String,
    pub faq: Vec<FaqItem>,
    pub related: Vec<SummaryView>,
    pub comments: Vec<CommentView>,
    pub comments_open: bool,
    pub corrections: Vec<CorrectionView>,
}

pub fn article_view(
    a: &Article,
    related: &[ArticleSummary],
    comments: &[Comment],
    corrections: &[Correction],
    zone: Tz,
) -> ArticleView {
    crate::cache::tags::shown(crate::cache::Tag::Article(a.id));
    crate::cache::tags::shown(crate::cache::Tag::Comments(a.id));
    let topics: Vec<Link> = a
        .topics
        .iter()
        .map(|t| Link {
            name: t.name.clone(),
            url: topic_url(&t.slug),
        })
        .collect();
    let published = a.published_at.map(|t| When::new(t, zone));
    // "Updated" shows only when it is later than publication, to the minute.
    let updated = match (a.published_at, a.updated_at) {
        (Some(p), Some(u)) if u / 60 > p / 60 => Some(When::new(u, zone)),
        _ => None,
    };
    ArticleView {
        url: super::article_url(&a.slug),
        headline: a.headline.clone(),
        dek: a.dek.clone(),
        kicker: a.kicker.clone(),
        description: if a.seo_description.is_empty() {
            a.dek.clone()
        } else {
            a.seo_description.clone()
        },
        title: if a.seo_title.is_empty() {
            a.headline.clone()
        } else {
            a.seo_title.clone()
        },
        section: Link {
            name: a.section.name.clone(),
            url: section_url(&a.section.slug),
        },
        authors: a
            .authors
            .iter()
            .map(|p| BylineView {
                name: p.name.clone(),
                url: author_url(&p.slug),
                job_title: p.job_title.clone(),
            })
            .collect(),
        topic: topics.first().cloned(),
        topics,
        published,
        updated,
        image: a.image.as_ref().map(ImageView::from),
        // Sanitized when written, with the sanitizer's version: the store
        // cleans again any body another version (or none) cleaned.
        body_html: a.body_html.clone(),
        faq: a.faq.clone(),
        related: recommended(related, zone),
        comments: comment_views(comments, zone),
        comments_open: a.comments_open,
        corrections: corrections
            .iter()
            .map(|c| CorrectionView {
                label: if c.kind == "correction" {
                    "Correction"
                } else {
                    "Update"
                },
                body: c.body.clone(),
                when: When::new(c.created_at, zone),
            })
            .collect(),
    }
}
