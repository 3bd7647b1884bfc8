//! Rules every write obeys, whatever door it comes through (newsroom, API, import, demo).

use crate::{BodyFormat, FaqItem, PageStatus, Status, slug};
use serde::{Deserialize, Serialize};
use thiserror::Error;

mod build;

pub const MAX_HEADLINE: usize = 300;
pub const MAX_SHORT_TEXT: usize = 500;
pub const MAX_BODY: usize = 1_000_000;

/// A field that failed its rule, with a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        ValidationError {
            field,
            message: message.into(),
        }
    }
}

/// An article as a writer submits it, before it has an id. Also what a
/// revision keeps, so that any saved state can be restored as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub slug: String,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    /// Older revisions, saved before bodies could be HTML, read as Markdown.
    #[serde(default)]
    pub body_format: BodyFormat,
    /// The body as written: Markdown, or HTML when `body_format` says so.
    pub body_markdown: String,
    pub section_id: i64,
    pub author_ids: Vec<i64>,
    pub topic_ids: Vec<i64>,
    pub faq: Vec<FaqItem>,
    pub image_id: Option<i64>,
    pub seo_title: String,
    pub seo_description: String,
    pub comments_open: bool,
    pub status: Status,
    /// When it went live; required for published articles.
    pub published_at: Option<i64>,
    /// When a scheduled article publishes itself.
    #[serde(default)]
    pub scheduled_at: Option<i64>,
}

impl From<&crate::Article> for ArticleDraft {
    /// The article as it stands, ready to be edited and saved again.
    fn from(a: &crate::Article) -> ArticleDraft {
        ArticleDraft {
            slug: a.slug.clone(),
            headline: a.headline.clone(),
            dek: a.dek.clone(),
            kicker: a.kicker.clone(),
            body_format: a.body_format,
            body_markdown: a.body_markdown.clone(),
            section_id: a.section.id,
            author_ids: a.authors.iter().map(|x| x.id).collect(),
            topic_ids: a.topics.iter().map(|x| x.id).collect(),
            faq: a.faq.clone(),
            image_id: a.image.as_ref().map(|m| m.id),
            seo_title: a.seo_title.clone(),
            seo_description: a.seo_description.clone(),
            comments_open: a.comments_open,
            status: a.status,
            published_at: a.published_at,
            scheduled_at: a.scheduled_at,
        }
    }
}

impl ArticleDraft {
    /// Trims the text fields, fills the slug from the headline when empty,
    /// and checks every rule, reporting all failures at once.
    pub fn normalize(mut self) -> Result<ArticleDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        self.headline = self.headline.trim().to_string();
        self.dek = self.dek.trim().to_string();
        self.kicker = self.kicker.trim().to_string();
        self.slug = self.slug.trim().to_string();
        if self.slug.is_empty() {
            self.slug = slug::slugify(&self.headline);
        }
        if self.headline.is_empty() {
            errors.push(ValidationError::new("headline", "A headline is required."));
        } else if self.headline.chars().count() > MAX_HEADLINE {
            errors.push(ValidationError::new(
                "headline",
                format!("The headline is longer than {MAX_HEADLINE} characters."),
            ));
        }
        for (field, value) in [
            ("dek", &self.dek),
            ("kicker", &self.kicker),
            ("seo_title", &self.seo_title),
            ("seo_description", &self.seo_description),
        ] {
            if value.chars().count() > MAX_SHORT_TEXT {
                errors.push(ValidationError::new(
                    field,
                    format!("This field is longer than {MAX_SHORT_TEXT} characters."),
                ));
            }
        }
        if !slug::is_valid(&self.slug) {
            errors.push(ValidationError::new(
                "slug",
                "The slug may hold only lowercase letters, digits and single hyphens.",
            ));
        }
        if self.body_markdown.len() > MAX_BODY {
            errors.push(ValidationError::new("body", "The body is too long."));
        } else if let Err(e) = crate::markdown::check_body(self.body_format, &self.body_markdown) {
            errors.push(ValidationError::new("body", format!("{e}; simplify it.")));
        }
        if self.author_ids.is_empty() {
            errors.push(ValidationError::new(
                "authors",
                "At least one author is required.",
            ));
        }
        if self.status == Status::Scheduled && self.scheduled_at.is_none() {
            errors.push(ValidationError::new(
                "scheduled_at",
                "A scheduled article needs a publication time.",
            ));
        }
        if self.status == Status::Published && self.published_at.is_none() {
            errors.push(ValidationError::new(
                "published_at",
                "A published article needs a publication time.",
            ));
        }
        for item in &self.faq {
            if item.question.trim().is_empty() {
                errors.push(ValidationError::new(
                    "faq",
                    "Every FAQ entry needs a question.",
                ));
                break;
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// First path segments the site itself answers; a page may not take one.
pub const RESERVED_PAGE_SLUGS: &[&str] = &[
    "api",
    "assets",
    "author",
    "comments",
    "feed",
    "ghost",
    "healthz",
    "media",
    "news",
    "news-sitemap",
    "newsroom",
    "robots",
    "search",
    "section",
    "sitemap",
    "sitemaps",
    "topic",
];

/// A static page as an editor submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageDraft {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub body_format: BodyFormat,
    pub body: String,
    pub status: PageStatus,
    pub footer_position: Option<i64>,
    #[serde(default)]
    pub seo_description: String,
}

impl PageDraft {
    /// Trims, fills the slug from the title when empty, and checks every
    /// rule, reporting all failures at once.
    pub fn normalize(mut self) -> Result<PageDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        self.title = self.title.trim().to_string();
        self.seo_description = self.seo_description.trim().to_string();
        self.slug = self.slug.trim().to_string();
        if self.slug.is_empty() {
            self.slug = slug::slugify(&self.title);
        }
        if self.title.is_empty() {
            errors.push(ValidationError::new("title", "A title is required."));
        } else if self.title.chars().count() > MAX_HEADLINE {
            errors.push(ValidationError::new(
                "title",
                format!("The title is longer than {MAX_HEADLINE} characters."),
            ));
        }
        if self.seo_description.chars().count() > MAX_SHORT_TEXT {
            errors.push(ValidationError::new(
                "seo_description",
                format!("This field is longer than {MAX_SHORT_TEXT} characters."),
            ));
        }
        if !slug::is_valid(&self.slug) {
            errors.push(ValidationError::new(
                "slug",
                "The slug may hold only lowercase letters, digits and single hyphens.",
            ));
        } else if RESERVED_PAGE_SLUGS.contains(&self.slug.as_str()) {
            errors.push(ValidationError::new(
                "slug",
                format!(
                    "/{} is one of the site's own addresses; choose another slug.",
                    self.slug
                ),
            ));
        }
        if self.body.len() > MAX_BODY {
            errors.push(ValidationError::new("body", "The body is too long."));
        } else if let Err(e) = crate::markdown::check_body(self.body_format, &self.body) {
            errors.push(ValidationError::new("body", format!("{e}; simplify it.")));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ArticleDraft {
        ArticleDraft::new("", "  Ministers meet in Pyongyang ", 1)
            .body("Body")
            .authors(vec![1])
    }

    #[test]
    fn fills_slug_and_trims() {
        let d = draft().normalize().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.headline, "Ministers meet in Pyongyang");
        assert_eq!(d.slug, "ministers-meet-in-pyongyang");
    }

    #[test]
    fn reports_every_broken_field() {
        let mut d = draft();
        d.headline = " ".into();
        d.author_ids.clear();
        d.slug = "Not A Slug".into();
        d.status = Status::Published;
        let errors = d.normalize().err().unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["headline", "slug", "authors", "published_at"]);
    }
}
