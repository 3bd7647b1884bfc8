//! Pre-publish checks: what an editor should look at before an article goes
//! out. Each is a warning; a site setting can make chosen ones block publishing.

use crate::validate::ArticleDraft;
use serde::Serialize;

/// A check that failed, with what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub check: Check,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Placeholder,
    ImageAlt,
    EmptyFaqAnswer,
    LongHeadline,
    MissingDescription,
    UnpublishedLink,
}

impl Check {
    pub const ALL: [Check; 6] = [
        Check::Placeholder,
        Check::ImageAlt,
        Check::EmptyFaqAnswer,
        Check::LongHeadline,
        Check::MissingDescription,
        Check::UnpublishedLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::Placeholder => "placeholder",
            Check::ImageAlt => "image_alt",
            Check::EmptyFaqAnswer => "empty_faq_answer",
            Check::LongHeadline => "long_headline",
            Check::MissingDescription => "missing_description",
            Check::UnpublishedLink => "unpublished_link",
        }
    }

    pub fn parse(s: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Check::Placeholder => "Placeholder text left in",
            Check::ImageAlt => "Images without alt text",
            Check::EmptyFaqAnswer => "FAQ questions without answers",
            Check::LongHeadline => "Headline over 110 characters",
            Check::MissingDescription => "No dek or description",
            Check::UnpublishedLink => "Links to unpublished articles",
        }
    }
}

pub const MAX_HEADLINE_CHARS: usize = 110;

/// Words that mean "fill this in later" in a newsroom.
const PLACEHOLDERS: &[&str] = &["TKTK", "TK", "20XX", "lorem ipsum", "[link]", "XXX"];

fn placeholder_in(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    PLACEHOLDERS.iter().copied().find(|p| {
        let needle = p.to_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let start = from + i;
            let end = start + needle.len();
            // "TK" and "XXX" count only as whole words (not in "TKO" or "XXXL").
            let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
            let whole =
                !letter(lower[..start].chars().next_back()) && !letter(lower[end..].chars().next());
            if whole || p.contains(' ') || p.starts_with('[') || p.starts_with("20") {
                return true;
            }
            from = end;
        }
        false
    })
}

/// Slugs of the articles a Markdown body links to (`/news/<slug>` links).
pub fn linked_article_slugs(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rest = markdown;
    while let Some(i) = rest.find("/news/") {
        let after = &rest[i + "/news/".len()..];
        let slug: String = after
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .take(crate::slug::MAX_LEN + 1)
            .collect();
        if !slug.is_empty() && seen.insert(slug.clone()) {
            found.push(slug);
            if found.len() == MAX_LINKS_CHECKED {
                break;
            }
        }
        rest = after;
    }
    found
}

/// Links to articles a body's check looks at: the first this many.
pub const MAX_LINKS_CHECKED: usize = 500;

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn links_are_read_once_each_and_at_most_a_bounded_number() {
        let body = "[a](/news/a) [b](/news/b) [a again](/news/a)";
        assert_eq!(linked_article_slugs(body), ["a", "b"]);
        // 50,000 links: linear, and the first 500 distinct ones.
        let many: String = (0..50_000).map(|i| format!("/news/s{i} ")).collect();
        let found = linked_article_slugs(&many);
        assert_eq!(found.len(), MAX_LINKS_CHECKED);
        assert_eq!(found[499], "s499");
    }
}

/// Runs every check. `image_alt_missing`: the featured image has no alt text;
/// `unpublished_links`: linked slugs that are not published articles.
pub fn run(
    d: &ArticleDraft,
    image_alt_missing: bool,
    unpublished_links: &[String],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    // A document's words are checked, not its JSON; its images are nodes.
    let document = match d.body_format {
        crate::BodyFormat::Document => crate::document::parse(&d.body_markdown).ok(),
        _ => None,
    };
    let body_words = document
        .as_ref()
        .map_or_else(|| d.body_markdown.clone(), crate::document::plain_text);
    let fields = [
        ("headline", d.headline.as_str()),
        ("dek", d.dek.as_str()),
        ("kicker", d.kicker.as_str()),
        ("body", body_words.as_str()),
        ("SEO title", d.seo_title.as_str()),
        ("SEO description", d.seo_description.as_str()),
    ];
    let faq_text: Vec<&str> = d
        .faq
        .iter()
        .flat_map(|f| [f.question.as_str(), f.answer.as_str()])
        .collect();
    for (name, text) in fields
        .into_iter()
        .chain(faq_text.into_iter().map(|t| ("FAQ", t)))
    {
        if let Some(p) = placeholder_in(text) {
            findings.push(Finding {
                check: Check::Placeholder,
                message: format!("The {name} still contains \"{p}\"."),
            });
        }
    }
    let body_images_without_alt = match &document {
        Some(doc) => crate::document::images_without_alt(doc),
        None => d.body_markdown.matches("![](").count(),
    };
    if image_alt_missing || body_images_without_alt > 0 {
        findings.push(Finding {
            check: Check::ImageAlt,
            message: "Describe every image in its alt text for readers who cannot see it.".into(),
        });
    }
    let empty = d.faq.iter().filter(|f| f.answer.trim().is_empty()).count();
    if empty > 0 {
        findings.push(Finding {
            check: Check::EmptyFaqAnswer,
            message: format!("{empty} FAQ question(s) have no answer."),
        });
    }
    let chars = d.headline.chars().count();
    if chars > MAX_HEADLINE_CHARS {
        findings.push(Finding {
            check: Check::LongHeadline,
            message: format!(
                "The headline has {chars} characters; keep it to {MAX_HEADLINE_CHARS}."
            ),
        });
    }
    if d.dek.trim().is_empty() && d.seo_description.trim().is_empty() {
        findings.push(Finding {
            check: Check::MissingDescription,
            message: "Add a dek or an SEO description: search results and shares show it.".into(),
        });
    }
    for slug in unpublished_links {
        findings.push(Finding {
            check: Check::UnpublishedLink,
            message: format!("The body links to /news/{slug}, which is not published."),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FaqItem;

    fn draft() -> ArticleDraft {
        ArticleDraft::new("s", "A fine headline", 1)
            .dek("A dek.")
            .body("Body text.")
            .authors(vec![1])
    }

    fn checks(d: &ArticleDraft, alt_missing: bool, links: &[String]) -> Vec<Check> {
        run(d, alt_missing, links)
            .into_iter()
            .map(|f| f.check)
            .collect()
    }

    #[test]
    fn a_clean_article_passes() {
        assert!(checks(&draft(), false, &[]).is_empty());
    }

    #[test]
    fn finds_each_problem() {
        for text in [
            "Figures TK",
            "TKTK later",
            "in 20XX the",
            "Lorem ipsum dolor",
            "see [link]",
            "name XXX here",
        ] {
            let mut d = draft();
            d.body_markdown = text.into();
            assert_eq!(checks(&d, false, &[]), [Check::Placeholder], "{text}");
        }
        let mut d = draft();
        d.body_markdown = "A TKO in round two, sizes XXXL, Atkins diet.".into();
        assert!(
            checks(&d, false, &[]).is_empty(),
            "words that merely contain TK or XXX are fine"
        );
        d.body_markdown = "![](/x.jpg)".into();
        assert_eq!(checks(&d, false, &[]), [Check::ImageAlt]);
        assert_eq!(checks(&draft(), true, &[]), [Check::ImageAlt]);
        let mut d = draft();
        d.faq = vec![FaqItem {
            question: "Why?".into(),
            answer: " ".into(),
        }];
        assert_eq!(checks(&d, false, &[]), [Check::EmptyFaqAnswer]);
        let mut d = draft();
        d.headline = "x".repeat(111);
        assert_eq!(checks(&d, false, &[]), [Check::LongHeadline]);
        let mut d = draft();
        d.dek.clear();
        assert_eq!(checks(&d, false, &[]), [Check::MissingDescription]);
        assert_eq!(
            checks(&draft(), false, &["gone".into()]),
            [Check::UnpublishedLink]
        );
    }

    #[test]
    fn finds_linked_articles() {
        assert_eq!(
            linked_article_slugs(
                "See [a](/news/one-two) and [b](https://x.example/news/three) and /news/one-two."
            ),
            ["one-two", "three"]
        );
    }
}
