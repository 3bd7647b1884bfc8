//! What an article page needs to show its discussion and the form under
//! it, shared by the page and by the comment handler (which renders the
//! page again with the reader's problems).

use crate::signing;

pub use bbn_newsroom::admission::open_for_comments;

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
