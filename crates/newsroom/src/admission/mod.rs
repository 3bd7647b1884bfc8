//! Comment admission: what a reader's comment becomes (approved, held for
//! a moderator, spam) or why it is refused, with the reason.
//!
//! `admit` is a pure function of what was sent (`Submission`), what was
//! found out about it beforehand (`Facts`: `gather` reads them from the
//! store; the caller adds what only the request shows, its origin and the
//! signed form token) and the site's rules. The rules, in order: the
//! article takes comments, the request comes from the site's own pages,
//! the form is readable and its fields are sound (a reply nests no deeper
//! than allowed), the honeypot, the signed form token (forged, or older
//! than a day), rate limits per address and per article, the same text
//! twice in a day, then spam: too soon after the form was shown, too many
//! links, the blocklist, the learning filter once moderators have taught
//! it enough; last the moderation mode.

mod gather;
mod submission;

pub use gather::{Sender, gather, save};
pub use submission::{ControlCharacter, Submission, clean, links_in};

use bbn_core::{Article, CommentSettings, CommentStatus, Moderation, Status};
use std::collections::BTreeMap;

/// A form older than this must be reloaded.
pub const MAX_FORM_AGE: i64 = 24 * 3600;
/// The rate limits count comments over this many seconds.
pub const WINDOW: i64 = 600;
/// The same text again within this many seconds is refused.
pub const DUPLICATE_WINDOW: i64 = 86_400;

/// The site's rules for comments: its settings and the operator's limits.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub comments: &'a CommentSettings,
    /// A comment posted sooner than this after its form was shown is spam.
    pub min_seconds: i64,
    /// At most this many comments from one address in `WINDOW`.
    pub per_address: i64,
    /// At most this many comments on one article in `WINDOW`.
    pub per_article: i64,
}

/// Where a reply would sit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reply {
    /// Not a reply.
    #[default]
    TopLevel,
    /// A reply this deep (1: to a top-level comment).
    Depth(i64),
    /// The comment replied to is not an approved comment of the article.
    Unavailable,
}

/// What was found out about a submission before it is judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The article takes comments now.
    pub open: bool,
    /// The request came from the site's own pages, or said nothing of where
    /// it came from (old clients; the signed token still stands).
    pub same_origin: bool,
    /// When the form was shown, from its signed token; None when the token
    /// is missing, forged, or names another article.
    pub form_issued_at: Option<i64>,
    pub reply: Reply,
    /// Comments in the last `WINDOW` from the sender's address and on the article.
    pub by_address: i64,
    pub on_article: i64,
    /// The same text was posted within `DUPLICATE_WINDOW`.
    pub duplicate: bool,
    /// The learning filter's spam probability (0-1), once it has learned enough.
    pub filter_score: Option<f64>,
    /// The sender's email address already has an approved comment.
    pub known_commenter: bool,
}

/// What becomes of a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Stored with this fate.
    Accept(Verdict),
    /// Not stored, but answered as a person's comment would be: the
    /// honeypot's catch is told nothing a script could learn from.
    Discard,
    Refuse(Refusal),
}

/// The fate of an accepted comment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub status: CommentStatus,
    /// Why it went to spam on arrival.
    pub spam: Option<SpamReason>,
    /// The learning filter's score, when it judged.
    pub score: Option<f64>,
}

/// Why a submission is not taken; the caller words it for its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Closed,
    CrossOrigin,
    Unreadable,
    /// Fields to fix, with what to tell the person.
    Fields(BTreeMap<&'static str, String>),
    /// The form's token is missing, forged or for another article.
    UnknownForm,
    /// The form is more than `MAX_FORM_AGE` old.
    StaleForm,
    /// A rate limit was reached.
    TooMany,
    Duplicate,
}

/// Why a comment went to spam on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpamReason {
    TooSoon,
    Links,
    Blocked,
    LearnedFilter,
}

impl SpamReason {
    /// As moderators read it beside the comment.
    pub fn as_str(self) -> &'static str {
        match self {
            SpamReason::TooSoon => "posted sooner after the form was shown than a person types",
            SpamReason::Links => "more links than the site allows",
            SpamReason::Blocked => "a blocked word or address",
            SpamReason::LearnedFilter => "the learning filter",
        }
    }
}

/// Whether readers may comment on the article now.
pub fn open_for_comments(a: &Article, s: &CommentSettings, now: i64) -> bool {
    a.comments_open
        && a.status == Status::Published
        && match (s.close_after_days, a.published_at) {
            (Some(days), Some(published)) => now < published + days * 86_400,
            _ => true,
        }
}

/// When the form was shown, from its token's verified message
/// (`article:time`), if it names `article_id`.
pub fn form_issued_at(message: Option<&str>, article_id: i64) -> Option<i64> {
    let (article, issued) = message?.split_once(':')?;
    (article.parse::<i64>().ok()? == article_id)
        .then(|| issued.parse::<i64>().ok())
        .flatten()
}

/// Judges a submission. See the module's doc for the order of the rules.
pub fn admit(s: &Submission, facts: &Facts, rules: &Rules<'_>, now: i64) -> Decision {
    if let Some(why) = unusable(s, facts, rules) {
        return Decision::Refuse(why);
    }
    if s.honeypot {
        return Decision::Discard;
    }
    match facts.form_issued_at {
        None => Decision::Refuse(Refusal::UnknownForm),
        Some(issued_at) => match unwelcome(facts, rules, issued_at, now) {
            Some(why) => Decision::Refuse(why),
            None => Decision::Accept(verdict(s, facts, rules, issued_at, now)),
        },
    }
}

/// What makes a submission unusable whoever sent it: a closed article, a
/// post from another site, a form that cannot be read or fields to fix.
pub fn unusable(s: &Submission, facts: &Facts, rules: &Rules<'_>) -> Option<Refusal> {
    if !facts.open {
        return Some(Refusal::Closed);
    }
    if !facts.same_origin {
        return Some(Refusal::CrossOrigin);
    }
    if s.unreadable {
        return Some(Refusal::Unreadable);
    }
    let fields = field_problems(s, facts.reply, rules.comments.max_depth);
    (!fields.is_empty()).then_some(Refusal::Fields(fields))
}

/// The form's fields and where a reply would sit.
fn field_problems(s: &Submission, reply: Reply, max_depth: i64) -> BTreeMap<&'static str, String> {
    let mut problems = s.problems.clone();
    match reply {
        Reply::Depth(depth) if depth >= max_depth => {
            problems.insert(
                "comment",
                "Replies cannot nest deeper here; reply to the comment above instead.".into(),
            );
        }
        Reply::Unavailable => {
            problems.insert(
                "comment",
                "The comment you replied to is not available.".into(),
            );
        }
        Reply::TopLevel | Reply::Depth(_) => {}
    }
    problems
}

/// A stale form, a sender over the rate limits, a text already posted.
fn unwelcome(facts: &Facts, rules: &Rules<'_>, issued_at: i64, now: i64) -> Option<Refusal> {
    if now - issued_at > MAX_FORM_AGE {
        Some(Refusal::StaleForm)
    } else if facts.by_address >= rules.per_address || facts.on_article >= rules.per_article {
        Some(Refusal::TooMany)
    } else if facts.duplicate {
        Some(Refusal::Duplicate)
    } else {
        None
    }
}

/// The spam rules that need no learning: a form sent faster than a person
/// types, too many links, a blocked word or address.
pub fn spam_rule(
    s: &Submission,
    rules: &Rules<'_>,
    issued_at: i64,
    now: i64,
) -> Option<SpamReason> {
    let c = rules.comments;
    let lower = format!("{}\n{}\n{}", s.name, s.email, s.text).to_lowercase();
    if now - issued_at < rules.min_seconds {
        Some(SpamReason::TooSoon)
    } else if links_in(&s.text) > c.max_links {
        Some(SpamReason::Links)
    } else if c
        .blocklist
        .iter()
        .any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
    {
        Some(SpamReason::Blocked)
    } else {
        None
    }
}

/// Spam by the rules; else by the learning filter (which judges what the
/// rules let through); else as the moderation mode says.
fn verdict(s: &Submission, facts: &Facts, rules: &Rules<'_>, issued_at: i64, now: i64) -> Verdict {
    let c = rules.comments;
    if let Some(reason) = spam_rule(s, rules, issued_at, now) {
        return Verdict {
            status: CommentStatus::Spam,
            spam: Some(reason),
            score: None,
        };
    }
    let score = facts.filter_score;
    let (status, spam) = match score {
        Some(p) if p * 100.0 >= c.filter_threshold as f64 => {
            (CommentStatus::Spam, Some(SpamReason::LearnedFilter))
        }
        // Doubtful: a moderator decides, whatever the moderation mode.
        Some(p) if p >= 0.5 => (CommentStatus::Pending, None),
        _ => match c.moderation {
            Moderation::Open => (CommentStatus::Approved, None),
            Moderation::Trusted if facts.known_commenter => (CommentStatus::Approved, None),
            _ => (CommentStatus::Pending, None),
        },
    };
    Verdict {
        status,
        spam,
        score,
    }
}

#[cfg(test)]
mod tests;
