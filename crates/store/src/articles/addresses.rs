//! Old addresses (`slug_history`): a renamed article's old slug keeps leading
//! to it with a 301, because readers, search engines and other sites link
//! to it. A write whose article arrives at another article's old address
//! must not end that redirect by itself: a draft leaves it alone (drafts
//! show readers nothing), and going live there takes it only when the write
//! is allowed to (an editor publishing, an operator's bulk load). Without
//! this, anyone who may save a draft could turn a story's linked-to address
//! into a 404, and anyone who may publish could serve their own text at it.

use bbn_core::Status;

/// What a write does with another article's old address that its article holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OldAddress {
    /// The redirect stays: the article is not live there (yet).
    Keep,
    /// The redirect ends: the article is live at the address now.
    Take,
    /// The write is refused: it would put the article live there without leave.
    Refuse,
}

/// The rule for an article saved with `status` at another article's old
/// address. `take`: the write may take addresses. `settled`: the article
/// already held this address with this status, so the question was answered
/// when it got there (an author fixing a typo in a story an editor
/// scheduled at the address is not asking again).
pub(crate) fn old_address(status: Status, take: bool, settled: bool) -> OldAddress {
    match status {
        Status::Published if take || settled => OldAddress::Take,
        // Taken when it goes live (`publish_due`): until then readers
        // following the old address still reach the old article.
        Status::Scheduled if take || settled => OldAddress::Keep,
        Status::Published | Status::Scheduled => OldAddress::Refuse,
        Status::Draft | Status::InReview | Status::Unpublished => OldAddress::Keep,
    }
}

/// The refusal, worded for the person saving.
pub(crate) fn refusal(headline: &str) -> bbn_core::ValidationError {
    bbn_core::ValidationError::new(
        "slug",
        format!(
            "This address still leads to “{headline}”, which had it before. \
             Only an editor can give it to this article, by publishing it; or choose another slug."
        ),
    )
}

/// Settles the slugs of `$articles` (`&[(id, &draft, settled)]`, already
/// written) against `slug_history`: an article's own old address is simply
/// its own again; another article's is kept, taken or refused by
/// `old_address`, `$take` saying whether the write may take addresses.
/// Refusals return `StoreError::Invalid` on the slug from the enclosing
/// function, whose transaction then rolls back.
macro_rules! settle_addresses {
    ($tx:expr, $articles:expr, $take:expr) => {{
        use $crate::articles::addresses::{OldAddress, old_address, refusal};
        let articles: &[(i64, &bbn_core::validate::ArticleDraft, bool)] = $articles;
        let mut refused = Vec::new();
        for chunk in articles.chunks($crate::db::rows_per_statement(1)) {
            let sql = format!(
                "SELECT h.slug, h.article_id, a.headline FROM slug_history h
                 JOIN articles a ON a.id = h.article_id WHERE h.slug IN ({})",
                $crate::db::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
            for (_, d, _) in chunk {
                q = q.bind(&d.slug);
            }
            let held = q.fetch_all(&mut *$tx).await?;
            let mut taken = Vec::new();
            for (slug, owner, headline) in held {
                let Some((id, d, settled)) = chunk.iter().find(|(_, d, _)| d.slug == slug) else {
                    continue;
                };
                let verdict = if owner == *id {
                    OldAddress::Take
                } else {
                    old_address(d.status, $take, *settled)
                };
                match verdict {
                    OldAddress::Take => taken.push(slug),
                    OldAddress::Keep => {}
                    OldAddress::Refuse => refused.push(refusal(&headline)),
                }
            }
            if !taken.is_empty() {
                let sql = format!(
                    "DELETE FROM slug_history WHERE slug IN ({})",
                    $crate::db::placeholders(1, taken.len())
                );
                let mut q = sqlx::query(&sql);
                for slug in &taken {
                    q = q.bind(slug);
                }
                q.execute(&mut *$tx).await?;
            }
        }
        if !refused.is_empty() {
            return Err($crate::StoreError::Invalid(refused));
        }
    }};
}
pub(crate) use settle_addresses;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_write_allowed_to_take_puts_an_article_live_at_an_old_address() {
        use OldAddress::*;
        for status in [Status::Draft, Status::InReview, Status::Unpublished] {
            for take in [false, true] {
                assert_eq!(old_address(status, take, false), Keep, "{status:?}");
            }
        }
        assert_eq!(old_address(Status::Published, false, false), Refuse);
        assert_eq!(old_address(Status::Scheduled, false, false), Refuse);
        assert_eq!(old_address(Status::Published, true, false), Take);
        assert_eq!(
            old_address(Status::Scheduled, true, false),
            Keep,
            "the redirect lasts until the article goes live"
        );
        assert_eq!(old_address(Status::Scheduled, false, true), Keep);
        assert_eq!(old_address(Status::Published, false, true), Take);
    }
}
