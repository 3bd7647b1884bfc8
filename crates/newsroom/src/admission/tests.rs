//! One test per rule of `admit`, each starting from a submission every
//! rule lets through and breaking one thing.

use super::*;
use bbn_core::Moderation;

const NOW: i64 = 1_700_000_000;

fn settings() -> CommentSettings {
    CommentSettings {
        moderation: Moderation::Open,
        blocklist: vec!["casino".into()],
        ..CommentSettings::default()
    }
}

fn rules(c: &CommentSettings) -> Rules<'_> {
    Rules {
        comments: c,
        min_seconds: 3,
        per_address: 5,
        per_article: 60,
    }
}

fn sent() -> Submission {
    Submission {
        name: "Ann".into(),
        email: "ann@example.com".into(),
        text: "A fair point, well made.".into(),
        ..Submission::default()
    }
}

fn facts() -> Facts {
    Facts {
        open: true,
        same_origin: true,
        form_issued_at: Some(NOW - 60),
        ..Facts::default()
    }
}

fn judge(s: &Submission, f: &Facts, c: &CommentSettings) -> Decision {
    admit(s, f, &rules(c), NOW)
}

fn refused(s: &Submission, f: &Facts, c: &CommentSettings) -> Refusal {
    match judge(s, f, c) {
        Decision::Refuse(why) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn verdict(s: &Submission, f: &Facts, c: &CommentSettings) -> Verdict {
    match judge(s, f, c) {
        Decision::Accept(v) => v,
        other => panic!("expected it accepted, got {other:?}"),
    }
}

#[test]
fn a_sound_comment_is_approved_in_open_mode() {
    let v = verdict(&sent(), &facts(), &settings());
    assert_eq!(
        (v.status, v.spam, v.score),
        (CommentStatus::Approved, None, None)
    );
}

#[test]
fn a_closed_article_refuses_before_anything_else() {
    let f = Facts {
        open: false,
        same_origin: false,
        ..facts()
    };
    assert_eq!(
        refused(&Submission::unreadable(), &f, &settings()),
        Refusal::Closed
    );
}

#[test]
fn another_sites_form_is_refused() {
    let f = Facts {
        same_origin: false,
        ..facts()
    };
    assert_eq!(refused(&sent(), &f, &settings()), Refusal::CrossOrigin);
}

#[test]
fn an_unreadable_form_is_refused() {
    assert_eq!(
        refused(&Submission::unreadable(), &facts(), &settings()),
        Refusal::Unreadable
    );
}

#[test]
fn field_problems_come_back_by_field() {
    let mut s = sent();
    s.problems.insert("name", "Please give a name.".into());
    let Refusal::Fields(fields) = refused(&s, &facts(), &settings()) else {
        panic!("expected field problems");
    };
    assert_eq!(fields["name"], "Please give a name.");
}

#[test]
fn replies_nest_no_deeper_than_allowed_and_only_to_available_comments() {
    let c = settings();
    let deep = Facts {
        reply: Reply::Depth(c.max_depth),
        ..facts()
    };
    assert!(
        matches!(refused(&sent(), &deep, &c), Refusal::Fields(f) if f["comment"].starts_with("Replies cannot nest"))
    );
    let gone = Facts {
        reply: Reply::Unavailable,
        ..facts()
    };
    assert!(
        matches!(refused(&sent(), &gone, &c), Refusal::Fields(f) if f["comment"].contains("not available"))
    );
    let fine = Facts {
        reply: Reply::Depth(c.max_depth - 1),
        ..facts()
    };
    verdict(&sent(), &fine, &c);
}

#[test]
fn the_honeypot_is_discarded_quietly() {
    let s = Submission {
        honeypot: true,
        ..sent()
    };
    // Even without a token: a script is told what a person would be.
    let f = Facts {
        form_issued_at: None,
        ..facts()
    };
    assert_eq!(judge(&s, &f, &settings()), Decision::Discard);
}

#[test]
fn a_form_without_a_valid_token_is_not_recognised() {
    let f = Facts {
        form_issued_at: None,
        ..facts()
    };
    assert_eq!(refused(&sent(), &f, &settings()), Refusal::UnknownForm);
    assert_eq!(form_issued_at(Some("12:1000"), 12), Some(1000));
    assert_eq!(
        form_issued_at(Some("13:1000"), 12),
        None,
        "another article's form"
    );
    assert_eq!(form_issued_at(Some("12:x"), 12), None);
    assert_eq!(form_issued_at(None, 12), None, "forged or missing");
}

#[test]
fn a_form_older_than_a_day_must_be_reloaded() {
    let f = Facts {
        form_issued_at: Some(NOW - MAX_FORM_AGE - 1),
        ..facts()
    };
    assert_eq!(refused(&sent(), &f, &settings()), Refusal::StaleForm);
}

#[test]
fn rate_limits_per_address_and_per_article() {
    let c = settings();
    let by_address = Facts {
        by_address: 5,
        ..facts()
    };
    assert_eq!(refused(&sent(), &by_address, &c), Refusal::TooMany);
    let on_article = Facts {
        on_article: 60,
        ..facts()
    };
    assert_eq!(refused(&sent(), &on_article, &c), Refusal::TooMany);
    let under = Facts {
        by_address: 4,
        on_article: 59,
        ..facts()
    };
    verdict(&sent(), &under, &c);
}

#[test]
fn the_same_text_twice_is_refused() {
    let f = Facts {
        duplicate: true,
        ..facts()
    };
    assert_eq!(refused(&sent(), &f, &settings()), Refusal::Duplicate);
}

#[test]
fn a_form_sent_faster_than_a_person_types_is_spam() {
    let f = Facts {
        form_issued_at: Some(NOW - 1),
        ..facts()
    };
    let v = verdict(&sent(), &f, &settings());
    assert_eq!(
        (v.status, v.spam),
        (CommentStatus::Spam, Some(SpamReason::TooSoon))
    );
}

#[test]
fn too_many_links_is_spam() {
    let s = Submission {
        text: "http://a.example http://b.example www.c.example".into(),
        ..sent()
    };
    let v = verdict(&s, &facts(), &settings());
    assert_eq!(v.spam, Some(SpamReason::Links));
}

#[test]
fn a_blocked_word_anywhere_is_spam() {
    let s = Submission {
        email: "win@CASINO.example".into(),
        ..sent()
    };
    let v = verdict(&s, &facts(), &settings());
    assert_eq!(
        (v.status, v.spam),
        (CommentStatus::Spam, Some(SpamReason::Blocked))
    );
}

#[test]
fn the_learning_filter_judges_what_the_rules_let_through() {
    let c = settings();
    let sure = Facts {
        filter_score: Some(0.95),
        ..facts()
    };
    let v = verdict(&sent(), &sure, &c);
    assert_eq!(
        (v.status, v.spam, v.score),
        (
            CommentStatus::Spam,
            Some(SpamReason::LearnedFilter),
            Some(0.95)
        )
    );
    let doubtful = Facts {
        filter_score: Some(0.6),
        ..facts()
    };
    let v = verdict(&sent(), &doubtful, &c);
    assert_eq!(
        (v.status, v.spam),
        (CommentStatus::Pending, None),
        "a moderator decides"
    );
    let clean = Facts {
        filter_score: Some(0.1),
        ..facts()
    };
    assert_eq!(verdict(&sent(), &clean, &c).status, CommentStatus::Approved);
}

#[test]
fn the_moderation_mode_decides_the_rest() {
    let hold = CommentSettings {
        moderation: Moderation::Hold,
        ..settings()
    };
    assert_eq!(
        verdict(&sent(), &facts(), &hold).status,
        CommentStatus::Pending
    );
    let trusted = CommentSettings {
        moderation: Moderation::Trusted,
        ..settings()
    };
    assert_eq!(
        verdict(&sent(), &facts(), &trusted).status,
        CommentStatus::Pending
    );
    let known = Facts {
        known_commenter: true,
        ..facts()
    };
    assert_eq!(
        verdict(&sent(), &known, &trusted).status,
        CommentStatus::Approved
    );
}

#[test]
fn comments_close_with_the_article_or_after_the_sites_days() {
    let mut a = published(NOW - 10 * 86_400);
    let mut c = settings();
    assert!(open_for_comments(&a, &c, NOW));
    c.close_after_days = Some(7);
    assert!(!open_for_comments(&a, &c, NOW));
    c.close_after_days = None;
    a.comments_open = false;
    assert!(!open_for_comments(&a, &c, NOW));
}

fn published(at: i64) -> Article {
    Article {
        id: 1,
        slug: "a".into(),
        headline: "A".into(),
        dek: String::new(),
        kicker: String::new(),
        body_markdown: String::new(),
        body_format: bbn_core::BodyFormat::Markdown,
        body_html: String::new(),
        section: bbn_core::Section {
            id: 1,
            slug: "news".into(),
            name: "News".into(),
            description: String::new(),
            nav_position: None,
            parent_id: None,
        },
        status: Status::Published,
        image: None,
        seo_title: String::new(),
        seo_description: String::new(),
        comments_open: true,
        created_at: at,
        published_at: Some(at),
        updated_at: None,
        scheduled_at: None,
        created_by: None,
        revision: 1,
        authors: Vec::new(),
        topics: Vec::new(),
        faq: Vec::new(),
    }
}
