//! Which element fills which field. Elements are matched by their qualified
//! names (`wp:post_id`), never by namespace URI: exports declare the `wp`
//! namespace as `http://` or `https://`, and version 1.0, 1.1 or 1.2.
//!
//! Names, ids, slugs, addresses, dates and statuses are trimmed; bodies,
//! descriptions and meta values are kept exactly.

use super::text::ElementText;
use crate::model::{Author, Category, Channel, Comment, Item, Meta, Tag, Term};

/// A number as WordPress writes it; `None` when missing or unreadable.
pub fn int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

pub fn channel(c: &mut Channel, name: &str, text: &mut ElementText) {
    let field = match name {
        "title" => &mut c.title,
        "link" => &mut c.link,
        "description" => &mut c.description,
        "language" => &mut c.language,
        "wp:wxr_version" => &mut c.wxr_version,
        "wp:base_site_url" => &mut c.base_site_url,
        "wp:base_blog_url" => &mut c.base_blog_url,
        _ => return,
    };
    *field = text.take_trimmed();
}

pub fn author(a: &mut Author, name: &str, text: &mut ElementText) {
    let field = match name {
        "wp:author_id" => {
            a.id = int(&text.take());
            return;
        }
        "wp:author_login" => &mut a.login,
        "wp:author_email" => &mut a.email,
        "wp:author_display_name" => &mut a.display_name,
        "wp:author_first_name" => &mut a.first_name,
        "wp:author_last_name" => &mut a.last_name,
        _ => return,
    };
    *field = text.take_trimmed();
}

pub fn category(c: &mut Category, name: &str, text: &mut ElementText) {
    match name {
        "wp:term_id" => c.term_id = int(&text.take()),
        "wp:category_nicename" => c.nicename = text.take_trimmed(),
        "wp:category_parent" => c.parent = text.take_trimmed(),
        "wp:cat_name" => c.name = text.take_trimmed(),
        "wp:category_description" => c.description = text.take(),
        _ => {}
    }
}

pub fn tag(t: &mut Tag, name: &str, text: &mut ElementText) {
    match name {
        "wp:term_id" => t.term_id = int(&text.take()),
        "wp:tag_slug" => t.slug = text.take_trimmed(),
        "wp:tag_name" => t.name = text.take_trimmed(),
        "wp:tag_description" => t.description = text.take(),
        _ => {}
    }
}

pub fn term(t: &mut Term, name: &str, text: &mut ElementText) {
    match name {
        "wp:term_id" => t.term_id = int(&text.take()),
        "wp:term_taxonomy" => t.taxonomy = text.take_trimmed(),
        "wp:term_slug" => t.slug = text.take_trimmed(),
        "wp:term_parent" => t.parent = text.take_trimmed(),
        "wp:term_name" => t.name = text.take_trimmed(),
        "wp:term_description" => t.description = text.take(),
        _ => {}
    }
}

pub fn item(i: &mut Item, name: &str, text: &mut ElementText) {
    let field = match name {
        "content:encoded" => {
            i.content = text.take();
            return;
        }
        "excerpt:encoded" => {
            i.excerpt = text.take();
            return;
        }
        "description" => {
            i.description = text.take();
            return;
        }
        "wp:post_id" => {
            i.post_id = int(&text.take()).unwrap_or(0);
            return;
        }
        "wp:post_parent" => {
            i.post_parent = int(&text.take()).unwrap_or(0);
            return;
        }
        "wp:menu_order" => {
            i.menu_order = int(&text.take()).unwrap_or(0);
            return;
        }
        "wp:is_sticky" => {
            i.is_sticky = int(&text.take()).unwrap_or(0) != 0;
            return;
        }
        "title" => &mut i.title,
        "link" => &mut i.link,
        "pubDate" => &mut i.pub_date,
        "dc:creator" => &mut i.creator,
        "guid" => &mut i.guid,
        "wp:post_date" => &mut i.post_date,
        "wp:post_date_gmt" => &mut i.post_date_gmt,
        "wp:post_modified" => &mut i.post_modified,
        "wp:post_modified_gmt" => &mut i.post_modified_gmt,
        "wp:comment_status" => &mut i.comment_status,
        "wp:ping_status" => &mut i.ping_status,
        "wp:post_name" => &mut i.post_name,
        "wp:status" => &mut i.status,
        "wp:post_type" => &mut i.post_type,
        "wp:post_password" => &mut i.post_password,
        "wp:attachment_url" => &mut i.attachment_url,
        _ => return,
    };
    *field = text.take_trimmed();
}

pub fn comment(c: &mut Comment, name: &str, text: &mut ElementText) {
    let field = match name {
        "wp:comment_content" => {
            c.content = text.take();
            return;
        }
        "wp:comment_id" => {
            c.id = int(&text.take()).unwrap_or(0);
            return;
        }
        "wp:comment_parent" => {
            c.parent = int(&text.take()).unwrap_or(0);
            return;
        }
        "wp:comment_user_id" => {
            c.user_id = int(&text.take()).unwrap_or(0);
            return;
        }
        "wp:comment_author" => &mut c.author,
        "wp:comment_author_email" => &mut c.author_email,
        "wp:comment_author_url" => &mut c.author_url,
        "wp:comment_author_IP" => &mut c.author_ip,
        "wp:comment_date" => &mut c.date,
        "wp:comment_date_gmt" => &mut c.date_gmt,
        "wp:comment_approved" => &mut c.approved,
        "wp:comment_type" => &mut c.comment_type,
        _ => return,
    };
    *field = text.take_trimmed();
}

pub fn meta(m: &mut Meta, name: &str, text: &mut ElementText) {
    match name {
        "wp:meta_key" => m.key = text.take_trimmed(),
        "wp:meta_value" => m.value = text.take(),
        _ => {}
    }
}
