//! The things a news site is made of.

use serde::{Deserialize, Serialize};

/// Where an article stands in the publishing workflow. Readers only ever see `Published`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Scheduled,
    Published,
    Unpublished,
}

impl Status {
    /// The status as the newsroom and staff previews name it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::InReview => "In review",
            Status::Scheduled => "Scheduled",
            Status::Published => "Published",
            Status::Unpublished => "Unpublished",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "draft" => Status::Draft,
            "in_review" => Status::InReview,
            "scheduled" => Status::Scheduled,
            "published" => Status::Published,
            "unpublished" => Status::Unpublished,
            _ => return None,
        })
    }
}

/// How a body is written. Either way what readers get is the sanitized
/// HTML made from it when it is saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    /// What the newsroom writes.
    #[default]
    Markdown,
    /// HTML, as bodies brought in from other systems are kept.
    Html,
    /// The rich editor's structured document (`crate::document`), as JSON.
    #[serde(rename = "doc")]
    Document,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Markdown => "markdown",
            BodyFormat::Html => "html",
            BodyFormat::Document => "doc",
        }
    }

    pub fn parse(s: &str) -> Option<BodyFormat> {
        match s {
            "markdown" => Some(BodyFormat::Markdown),
            "html" => Some(BodyFormat::Html),
            "doc" => Some(BodyFormat::Document),
            _ => None,
        }
    }

    /// The body as readers get it: sanitized HTML.
    pub fn render(self, body: &str) -> String {
        match self {
            BodyFormat::Markdown => crate::markdown::to_safe_html(body),
            BodyFormat::Html => crate::markdown::sanitize(body),
            BodyFormat::Document => match crate::document::parse(body) {
                Ok(doc) => crate::markdown::sanitize(&crate::document::to_html(&doc)),
                // Refused when written (`check_body`); kept as text if one came in anyway.
                Err(_) => crate::markdown::sanitize(&crate::markdown::escaped_paragraphs(body)),
            },
        }
    }

    /// The body's words without markup (search, summaries).
    pub fn plain_text(self, body: &str) -> String {
        match self {
            BodyFormat::Markdown => crate::markdown::plain_text(body),
            BodyFormat::Html => crate::markdown::html_text(body),
            BodyFormat::Document => crate::document::parse(body).map_or_else(
                |_| body.to_string(),
                |doc| crate::document::plain_text(&doc),
            ),
        }
    }
}

/// Settings an editor changes without touching the server's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub name: String,
    pub description: String,
    pub copyright_holder: String,
    /// IANA zone name; every date a reader sees is in it.
    pub time_zone: String,
    /// Articles per page on section, topic and author pages.
    pub page_size: i64,
    /// BCP 47 language tag of the site's content.
    pub language: String,
    /// Pre-publish checks (see `checks::Check`) that block publishing instead of warning.
    #[serde(default)]
    pub blocking_checks: Vec<String>,
    /// The logo image (media id), shown in the masthead instead of the name in type.
    #[serde(default)]
    pub logo_id: Option<i64>,
    /// The logo's URL, read with the settings (saving ignores it).
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub comments: CommentSettings,
    /// "Most Read" counts article views over this many days.
    pub most_read_days: i64,
    #[serde(default)]
    pub feeds: FeedSettings,
    /// The site's robots.txt as an admin wrote it; empty: bbn's own, which
    /// names the sitemaps.
    #[serde(default)]
    pub robots_txt: String,
}

/// What the RSS, Atom and JSON feeds carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSettings {
    /// Articles per feed, newest first.
    pub items: i64,
    /// Whole articles; false: the dek only, with a link.
    pub full_text: bool,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            items: 20,
            full_text: true,
        }
    }
}

/// How reader comments are taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentSettings {
    pub moderation: Moderation,
    /// Comments close this many days after publication; None: never.
    pub close_after_days: Option<i64>,
    pub max_chars: i64,
    /// How deep replies may nest (1: no replies).
    pub max_depth: i64,
    /// More links than this and a comment goes to spam.
    pub max_links: i64,
    /// Words or addresses, one a line; a comment containing one goes to spam.
    pub blocklist: Vec<String>,
    /// Comments shown per page under an article.
    pub per_page: i64,
    /// The learning filter judges comments once moderators have made this many decisions.
    pub filter_after: i64,
    /// A comment the filter scores at least this (percent) goes straight to spam.
    pub filter_threshold: i64,
}

impl Default for CommentSettings {
    fn default() -> Self {
        CommentSettings {
            moderation: Moderation::Hold,
            close_after_days: None,
            max_chars: 5_000,
            max_depth: 3,
            max_links: 2,
            blocklist: Vec::new(),
            per_page: 50,
            filter_after: 50,
            filter_threshold: 90,
        }
    }
}

/// Which comments appear without a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    /// Every comment waits for a moderator.
    Hold,
    /// Commenters with an approved comment under the same email are approved at once.
    Trusted,
    /// Every comment that passes the spam checks appears at once.
    Open,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Hold => "hold",
            Moderation::Trusted => "trusted",
            Moderation::Open => "open",
        }
    }

    pub fn parse(s: &str) -> Option<Moderation> {
        [Moderation::Hold, Moderation::Trusted, Moderation::Open]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            name: "bbn".into(),
            description: "News, published with bbn.".into(),
            copyright_holder: "bbn".into(),
            time_zone: "UTC".into(),
            page_size: 20,
            language: "en".into(),
            blocking_checks: Vec::new(),
            logo_id: None,
            logo_url: None,
            comments: CommentSettings::default(),
            most_read_days: 2,
            feeds: FeedSettings::default(),
            robots_txt: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Place in the navigation, if the section is in it.
    pub nav_position: Option<i64>,
    /// The section this one is part of ("Europe" in "World").
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topic {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A byline: the person credited on articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: String,
    /// What they do ("Political Editor"), shown beside the name in bylines;
    /// empty when the profile gives none.
    pub job_title: String,
}

/// An image with what a reader needs to understand it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Media {
    pub id: i64,
    pub url: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// Resized copies for `srcset` ("URL 480w, URL 960w"); empty when there are none.
    pub srcset: String,
    /// The point crops keep in view, in percent of the width and height.
    pub focal: (i64, i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqItem {
    pub question: String,
    pub answer: String,
}

/// What a list of articles (home, section, topic, author, related) needs of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    pub section_slug: String,
    pub section_name: String,
    pub published_at: i64,
    pub image: Option<Media>,
    /// Approved comments.
    pub comment_count: i64,
}

/// A whole article as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    /// The body as written: Markdown, or HTML when `body_format` says so.
    pub body_markdown: String,
    pub body_format: BodyFormat,
    /// Sanitized when the article was saved.
    pub body_html: String,
    pub section: Section,
    pub status: Status,
    pub image: Option<Media>,
    pub seo_title: String,
    pub seo_description: String,
    pub comments_open: bool,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub updated_at: Option<i64>,
    /// When a scheduled article publishes itself.
    pub scheduled_at: Option<i64>,
    /// The staff account that started it.
    pub created_by: Option<i64>,
    pub revision: i64,
    pub authors: Vec<Author>,
    pub topics: Vec<Topic>,
    pub faq: Vec<FaqItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    Pending,
    Approved,
    Spam,
    Trash,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 4] = [
        CommentStatus::Pending,
        CommentStatus::Approved,
        CommentStatus::Spam,
        CommentStatus::Trash,
    ];

    pub fn parse(s: &str) -> Option<CommentStatus> {
        CommentStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Spam => "spam",
            CommentStatus::Trash => "trash",
        }
    }
}

/// A reader's comment as shown under an article (the email is never shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    /// Written by staff in the newsroom (shown with a badge).
    pub staff: bool,
}

/// What a staff member may do. Each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writes and edits own drafts, submits them for review.
    Contributor,
    /// Also publishes, schedules, updates and unpublishes own articles.
    Author,
    /// Everything on every article; picks, sections, topics, comments.
    Editor,
    /// Also staff accounts and site settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Contributor, Role::Author, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Contributor => "Contributor",
            Role::Author => "Author",
            Role::Editor => "Editor",
            Role::Admin => "Admin",
        }
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub has_password: bool,
    /// The byline this person writes under.
    pub author_id: Option<i64>,
    pub created_at: i64,
}

/// A dated note at the end of an article: a correction of a fact, or an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub id: i64,
    /// "correction" or "update"
    pub kind: String,
    pub body: String,
    pub created_at: i64,
}

/// One saved state of an article, as the revision list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionInfo {
    pub revision: i64,
    pub created_at: i64,
    pub user_name: Option<String>,
    /// What the revision marks beyond a save (`article_revisions.label`):
    /// "submitted", "published", "restored:3", …; None for a plain save.
    pub label: Option<String>,
}

/// Whether a static page is visible to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStatus {
    Draft,
    Published,
}

impl PageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PageStatus::Draft => "draft",
            PageStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<PageStatus> {
        match s {
            "draft" => Some(PageStatus::Draft),
            "published" => Some(PageStatus::Published),
            _ => None,
        }
    }
}

/// A page outside the news flow (About, Contact, Terms), at `/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body_format: BodyFormat,
    /// As written.
    pub body: String,
    /// Sanitized when the page was saved.
    pub body_html: String,
    pub status: PageStatus,
    /// Place in the footer navigation, if the page is in it.
    pub footer_position: Option<i64>,
    pub seo_description: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub modified_at: i64,
}
