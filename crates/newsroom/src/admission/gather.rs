//! The I/O on either side of `admit`: the facts it judges by, read from the
//! store, and keeping an accepted comment.

use super::{
    DUPLICATE_WINDOW, Facts, Reply, Rules, Submission, Verdict, WINDOW, open_for_comments,
    spam_rule, unusable,
};
use bbn_core::{Article, Moderation, spam};
use bbn_store::{NewComment, Origin, Store, StoreError};

/// What only the request shows about who sent a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sender {
    /// See `Facts::same_origin`.
    pub same_origin: bool,
    /// See `Facts::form_issued_at`.
    pub form_issued_at: Option<i64>,
    /// The salted hash of the sender's address.
    pub ip_hash: String,
}

/// Reads what `admit` needs to judge `s` on `article`. What it would
/// decide before reading a fact is not looked up: nothing for a closed
/// article or a form to fix, no counts for the honeypot's catch or a form
/// without a token, no learning filter for what the plain rules call spam.
pub async fn gather(
    store: &Store,
    article: &Article,
    s: &Submission,
    rules: &Rules<'_>,
    sender: &Sender,
    now: i64,
) -> Result<Facts, StoreError> {
    let mut facts = Facts {
        open: open_for_comments(article, rules.comments, now),
        same_origin: sender.same_origin,
        form_issued_at: sender.form_issued_at,
        ..Facts::default()
    };
    if !facts.open || !facts.same_origin || s.unreadable {
        return Ok(facts);
    }
    if let Some(parent) = s.parent_id {
        facts.reply = match store.reply_depth(parent, article.id).await? {
            Some(depth) => Reply::Depth(depth),
            None => Reply::Unavailable,
        };
    }
    let Some(issued_at) = facts.form_issued_at else {
        return Ok(facts);
    };
    if unusable(s, &facts, rules).is_some() || s.honeypot {
        return Ok(facts);
    }
    (facts.by_address, facts.on_article) = store
        .recent_comment_counts(
            &sender.ip_hash,
            article.id,
            now - WINDOW,
            rules.per_address.max(rules.per_article),
        )
        .await?;
    facts.duplicate = store
        .same_comment_since(&s.text, now - DUPLICATE_WINDOW)
        .await?;
    if spam_rule(s, rules, issued_at, now).is_none() {
        let tokens = spam::tokens(&s.name, &s.email, &s.text);
        let (corpus, counts) = store.spam_knowledge(&tokens).await?;
        if corpus.ready(rules.comments.filter_after) {
            facts.filter_score = Some(spam::score(&tokens, &counts, corpus));
        }
    }
    if rules.comments.moderation == Moderation::Trusted {
        facts.known_commenter = store.has_approved_comment(&s.email.to_lowercase()).await?;
    }
    Ok(facts)
}

/// Keeps an accepted comment with its verdict; returns its id. Committed
/// when this returns: only then may the reader be told it was posted.
pub async fn save(
    store: &Store,
    article_id: i64,
    s: &Submission,
    verdict: &Verdict,
    ip_hash: &str,
    now: i64,
) -> Result<i64, StoreError> {
    store
        .post_comment(
            &NewComment {
                article_id,
                parent_id: s.parent_id,
                author_name: s.name.clone(),
                author_email: s.email.to_lowercase(),
                body: s.text.clone(),
                status: verdict.status,
                created_at: now,
            },
            &Origin {
                ip_hash,
                staff_user_id: None,
                spam_score: verdict.score,
                spam_reason: verdict.spam.map_or("", |r| r.as_str()),
            },
        )
        .await
}
