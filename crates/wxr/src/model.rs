//! What a WordPress export holds, as the reader hands it over: the channel
//! (the site), and records for authors, terms and items (posts, pages,
//! attachments, menu entries, revisions and whatever else WordPress stored).
//!
//! Every field is kept as WordPress wrote it, trimmed where WordPress's own
//! importer trims; interpreting statuses, dates and meta is the importer's
//! business. Text fields that are missing are empty; numbers that are missing
//! or unreadable are `None` where "none" differs from zero and `0` where
//! WordPress itself uses zero for "none" (parents, menu order, user ids).

use crate::date;

/// The exported site, and what the reader noticed on the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub description: String,
    pub language: String,
    /// `1.0`, `1.1` or `1.2`, as written; not checked.
    pub wxr_version: String,
    pub base_site_url: String,
    pub base_blog_url: String,
    /// Things that are not well-formed XML but were read anyway (a bare `&`,
    /// an unknown entity). At most [`MAX_WARNINGS`] are listed; the last one
    /// then says how many more there were.
    pub warnings: Vec<Warning>,
}

/// How many warnings a [`Channel`] lists before it only counts them.
pub const MAX_WARNINGS: usize = 1000;

/// How much of an export the reader holds at once. A WordPress export can
/// be gigabytes; these bounds keep what one record costs in memory small
/// whatever the file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest text of one element, in bytes, that is kept. Longer
    /// texts are dropped and the element named in [`Item::oversized`]; the
    /// export is still read to its end.
    pub text: usize,
    /// The longest single piece of XML (one CDATA section, one run of text,
    /// one tag), in bytes. The parser must hold a piece whole, so a longer
    /// one stops the reading with a syntax error at the place it starts.
    pub event: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            text: 16 << 20,
            event: 64 << 20,
        }
    }
}

/// A place in the export that was read leniently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based.
    pub line: u64,
    /// 1-based, in characters.
    pub column: u64,
    pub message: String,
}

/// One record of the export, in the order the file gives them.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Author(Author),
    Category(Category),
    Tag(Tag),
    /// A term of any other taxonomy (`nav_menu`, `post_format`, custom ones).
    Term(Term),
    Item(Box<Item>),
}

/// `<wp:author>`: a user who wrote something in the export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    /// Missing in WXR 1.0 exports.
    pub id: Option<i64>,
    /// What items name in `dc:creator`.
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

/// `<wp:category>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    /// Missing in WXR 1.0 exports.
    pub term_id: Option<i64>,
    pub nicename: String,
    /// The parent's nicename; empty at the top.
    pub parent: String,
    pub name: String,
    pub description: String,
    pub meta: Vec<Meta>,
}

/// `<wp:tag>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tag {
    pub term_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub meta: Vec<Meta>,
}

/// `<wp:term>`: a term of a taxonomy other than categories and tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    pub term_id: Option<i64>,
    pub taxonomy: String,
    pub slug: String,
    /// The parent's slug; empty at the top.
    pub parent: String,
    pub name: String,
    pub description: String,
    pub meta: Vec<Meta>,
}

/// A key and value from `wp:postmeta`, `wp:commentmeta` or `wp:termmeta`.
/// Values are often PHP-serialized; they are kept as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub key: String,
    pub value: String,
}

/// An item's `<category domain="…" nicename="…">Name</category>`: a term
/// the item is filed under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTerm {
    /// `category`, `post_tag`, `nav_menu`, `post_format`, …; empty in WXR 1.0's
    /// plain `<category>` lines, which repeat the categories without a domain.
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// `<item>`: a post, page, attachment, menu entry, revision, or any other
/// post type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    /// Where the `<item>` tag stands in the export, for messages about it.
    pub line: u64,
    pub title: String,
    pub link: String,
    /// RFC 822, e.g. `Thu, 05 Jan 2012 14:30:46 +0000`.
    pub pub_date: String,
    /// The author's login.
    pub creator: String,
    pub guid: String,
    pub guid_is_permalink: bool,
    pub description: String,
    /// The body as WordPress stores it: HTML, possibly without paragraphs,
    /// with shortcodes and block comments (see [`crate::body::convert`]).
    pub content: String,
    pub excerpt: String,
    /// 0 when missing (WordPress numbers posts from 1).
    pub post_id: i64,
    /// The site's local time, `YYYY-MM-DD HH:MM:SS`.
    pub post_date: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS`; `0000-00-00 00:00:00` for drafts.
    pub post_date_gmt: String,
    pub post_modified: String,
    pub post_modified_gmt: String,
    pub comment_status: String,
    pub ping_status: String,
    /// The slug; empty for drafts that never had one.
    pub post_name: String,
    /// `publish`, `draft`, `pending`, `future`, `private`, `trash`,
    /// `auto-draft`, `inherit` (attachments, revisions), …
    pub status: String,
    /// 0 at the top.
    pub post_parent: i64,
    pub menu_order: i64,
    /// `post`, `page`, `attachment`, `nav_menu_item`, `revision`, …
    pub post_type: String,
    pub post_password: String,
    pub is_sticky: bool,
    /// The file's address, for attachments.
    pub attachment_url: String,
    pub terms: Vec<ItemTerm>,
    /// In the order of the export.
    pub meta: Vec<Meta>,
    pub comments: Vec<Comment>,
    /// Elements of the item (`content:encoded`, `wp:comment_content`, …)
    /// whose text was longer than [`Limits::text`]: their text is not kept
    /// (it is empty here), so that one enormous field never sits in memory.
    pub oversized: Vec<String>,
}

impl Item {
    /// When the item was (or is to be) published, in Unix seconds: from
    /// `post_date_gmt`, else from `pubDate`. `None` for drafts that have
    /// neither.
    pub fn published_unix(&self) -> Option<i64> {
        date::wp_gmt_unix(&self.post_date_gmt).or_else(|| date::rfc822_unix(&self.pub_date))
    }

    /// When the item was last changed, in Unix seconds.
    pub fn modified_unix(&self) -> Option<i64> {
        date::wp_gmt_unix(&self.post_modified_gmt)
    }

    /// The first value stored under `key`, as with WordPress's
    /// `get_post_meta($id, $key, true)`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value.as_str())
    }

    /// The terms the item is filed under in one taxonomy (`category`,
    /// `post_tag`, …).
    pub fn terms_in<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a ItemTerm> + 'a {
        self.terms.iter().filter(move |t| t.domain == domain)
    }
}

/// `<wp:comment>`: a comment, pingback or trackback on an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comment {
    /// 0 when missing.
    pub id: i64,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub date: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub date_gmt: String,
    pub content: String,
    /// `1` (approved), `0` (held), `spam`, `trash`, `post-trashed`.
    pub approved: String,
    /// Empty or `comment` for comments; `pingback`, `trackback`, …
    pub comment_type: String,
    /// The comment this answers; 0 at the top.
    pub parent: i64,
    /// The commenter's account on the exported site; 0 for visitors.
    pub user_id: i64,
    pub meta: Vec<Meta>,
}

impl Comment {
    /// When the comment was written, in Unix seconds (from `date_gmt`).
    pub fn date_unix(&self) -> Option<i64> {
        date::wp_gmt_unix(&self.date_gmt)
    }
}
