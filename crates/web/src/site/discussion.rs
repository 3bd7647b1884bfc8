//! What an article page needs to show its discussion and the form under
//! it, shared by the page and by the comment handler (which renders the
//! page again with the reader's problems).

use crate::signing;
use bbn_core::{Article, CommentSettings, Status};

/// Whether readers may comment on the article now.
pub fn open_for_comments(a: &Article, s: &CommentSettings, now: i64) -> bool {
    a.comments_open
        && a.status == Status::Published
        && match (s.close_after_days, a.published_at) {
            (Some(days), Some(published)) => now < published + days * 86_400,
            _ => true,
        }
}

/// The token the form carries: which article, when it was shown, signed.
pub fn form_token(secret: &str, article_id: i64, now: i64) -> String {
    signing::sign(secret, &format!("{article_id}:{now}"))
}

/// The reader's own pending comment ids, from their signed cookie.
pub fn pending_ids(secret: &str, parts_cookie: Option<&str>) -> Vec<i64> {
    parts_cookie
        .and_then(|c| signing::verify(secret, c))
        .map(|m| m.split('-').filter_map(|id| id.parse().ok()).collect())
        .unwrap_or_default()
}
