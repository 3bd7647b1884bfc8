//! Building an `ArticleDraft` in code (tests, the demo, benchmarks, imports):
//! one constructor with what every article needs and a setter for each of
//! the rest, so that adding a field to the draft is one change here rather
//! than one in every place that writes the struct out in full.

use super::ArticleDraft;
use crate::{BodyFormat, FaqItem, Status};

impl ArticleDraft {
    /// A draft (not published) with a slug (empty: made from the headline
    /// when the draft is normalized), a headline and a section; no authors,
    /// topics, body, image or FAQ, comments open.
    pub fn new(slug: impl Into<String>, headline: impl Into<String>, section_id: i64) -> Self {
        ArticleDraft {
            slug: slug.into(),
            headline: headline.into(),
            dek: String::new(),
            kicker: String::new(),
            body_format: BodyFormat::default(),
            body_markdown: String::new(),
            section_id,
            author_ids: Vec::new(),
            topic_ids: Vec::new(),
            faq: Vec::new(),
            image_id: None,
            seo_title: String::new(),
            seo_description: String::new(),
            comments_open: true,
            status: Status::Draft,
            published_at: None,
            scheduled_at: None,
        }
    }

    /// Published, live since `at`.
    #[must_use]
    pub fn published(mut self, at: i64) -> Self {
        self.status = Status::Published;
        self.published_at = Some(at);
        self.scheduled_at = None;
        self
    }

    /// Scheduled to publish itself at `at`.
    #[must_use]
    pub fn scheduled(mut self, at: i64) -> Self {
        self.status = Status::Scheduled;
        self.scheduled_at = Some(at);
        self.published_at = None;
        self
    }

    /// The byline, in its order.
    #[must_use]
    pub fn authors(mut self, author_ids: Vec<i64>) -> Self {
        self.author_ids = author_ids;
        self
    }

    #[must_use]
    pub fn topics(mut self, topic_ids: Vec<i64>) -> Self {
        self.topic_ids = topic_ids;
        self
    }

    /// The body as Markdown.
    #[must_use]
    pub fn body(mut self, markdown: impl Into<String>) -> Self {
        self.body_format = BodyFormat::Markdown;
        self.body_markdown = markdown.into();
        self
    }

    #[must_use]
    pub fn dek(mut self, dek: impl Into<String>) -> Self {
        self.dek = dek.into();
        self
    }

    #[must_use]
    pub fn kicker(mut self, kicker: impl Into<String>) -> Self {
        self.kicker = kicker.into();
        self
    }

    #[must_use]
    pub fn faq(mut self, faq: Vec<FaqItem>) -> Self {
        self.faq = faq;
        self
    }

    #[must_use]
    pub fn image(mut self, image_id: Option<i64>) -> Self {
        self.image_id = image_id;
        self
    }

    #[must_use]
    pub fn comments_open(mut self, open: bool) -> Self {
        self.comments_open = open;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_draft_passes_the_rules_once_it_has_an_author() {
        let built = ArticleDraft::new("", "Ministers meet", 1).body("Text.");
        let errors = built.clone().normalize().err().unwrap_or_default();
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["authors"]
        );
        let d = built
            .authors(vec![2])
            .published(1_000)
            .normalize()
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.slug, "ministers-meet");
        assert_eq!((d.status, d.published_at), (Status::Published, Some(1_000)));
    }

    #[test]
    fn scheduling_takes_the_place_of_publishing() {
        let d = ArticleDraft::new("s", "H", 1).published(5).scheduled(9);
        assert_eq!(
            (d.status, d.published_at, d.scheduled_at),
            (Status::Scheduled, None, Some(9))
        );
    }
}
