//! The article form: reading what the editor sent, the no-JavaScript FAQ
//! controls (add, remove, move), and what the editor template receives.

use bbn_core::validate::ArticleDraft;
use bbn_core::{Article, Author, BodyFormat, FaqItem, Section, Status};
use bbn_newsroom::workflow::ArticleWrite;
use serde::Serialize;

/// What the editor form sends.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    pub slug: String,
    pub section_id: Option<i64>,
    /// Topic names, comma-separated; unknown names become new topics.
    pub topics: String,
    pub author_ids: Vec<i64>,
    pub body: String,
    /// Markdown, or HTML for bodies brought in from other systems.
    pub body_format: BodyFormat,
    pub seo_title: String,
    pub seo_description: String,
    pub comments_open: bool,
    pub editors_pick: bool,
    pub faq: Vec<FaqItem>,
    pub image_id: Option<i64>,
    /// The revision the editor started from.
    pub revision: Option<i64>,
    /// Which button was pressed: "save", "preview", or a FAQ control.
    pub action: String,
    /// The rich editor was live and in step with the shared document when
    /// the form was sent (the `live` field, which the editor sets).
    pub live: bool,
    /// Words of a byline's name to find ("Find" without JavaScript).
    pub byline_find: String,
}

/// The longest a form field may be before it is refused outright.
const MAX_FIELD: usize = 1_000_000;

impl ArticleForm {
    pub fn parse(fields: Vec<(String, String)>) -> Result<ArticleForm, String> {
        let mut f = ArticleForm::default();
        let mut questions = Vec::new();
        let mut answers = Vec::new();
        for (key, value) in fields {
            if value.len() > MAX_FIELD {
                return Err(format!("The field {key} is too long."));
            }
            match key.as_str() {
                "headline" => f.headline = value,
                "dek" => f.dek = value,
                "kicker" => f.kicker = value,
                "slug" => f.slug = value,
                "live" => f.live = value == "1",
                "section_id" => f.section_id = value.parse().ok(),
                "topics" => f.topics = value,
                "authors" => {
                    let id = value.parse().map_err(|_| "Unknown author.".to_string())?;
                    f.author_ids.push(id);
                }
                "body" => f.body = value.replace("\r\n", "\n"),
                "body_format" => {
                    f.body_format = BodyFormat::parse(&value)
                        .ok_or_else(|| "Unknown body format.".to_string())?
                }
                "seo_title" => f.seo_title = value,
                "seo_description" => f.seo_description = value,
                "comments_open" => f.comments_open = true,
                "editors_pick" => f.editors_pick = true,
                "faq_question" => questions.push(value),
                "faq_answer" => answers.push(value.replace("\r\n", "\n")),
                "image_id" => f.image_id = value.parse().ok(),
                "revision" => f.revision = value.parse().ok(),
                "action" => f.action = value,
                "byline_find" => f.byline_find = value.trim().chars().take(100).collect(),
                _ => {}
            }
        }
        f.faq = questions
            .into_iter()
            .zip(answers.into_iter().chain(std::iter::repeat(String::new())))
            .filter(|(q, a)| !q.trim().is_empty() || !a.trim().is_empty())
            .map(|(question, answer)| FaqItem { question, answer })
            .collect();
        Ok(f)
    }

    pub fn from_article(a: &Article, picked: bool) -> ArticleForm {
        ArticleForm {
            headline: a.headline.clone(),
            dek: a.dek.clone(),
            kicker: a.kicker.clone(),
            slug: a.slug.clone(),
            section_id: Some(a.section.id),
            topics: a
                .topics
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            author_ids: a.authors.iter().map(|x| x.id).collect(),
            body: a.body_markdown.clone(),
            body_format: a.body_format,
            seo_title: a.seo_title.clone(),
            seo_description: a.seo_description.clone(),
            comments_open: a.comments_open,
            editors_pick: picked,
            faq: a.faq.clone(),
            image_id: a.image.as_ref().map(|m| m.id),
            revision: Some(a.revision),
            action: String::new(),
            live: false,
            byline_find: String::new(),
        }
    }

    /// Applies a FAQ button ("faq-add", "faq-remove-N", "faq-up-N",
    /// "faq-down-N"); true when the press was one, so the form is shown again unsaved.
    pub fn apply_faq_action(&mut self) -> bool {
        let action = self.action.clone();
        if action == "faq-add" {
            self.faq.push(FaqItem {
                question: String::new(),
                answer: String::new(),
            });
            return true;
        }
        let Some((verb, n)) = action.strip_prefix("faq-").and_then(|a| a.rsplit_once('-')) else {
            return false;
        };
        let Ok(i) = n.parse::<usize>() else {
            return false;
        };
        if i >= self.faq.len() {
            return true;
        }
        match verb {
            "remove" => {
                self.faq.remove(i);
            }
            "up" if i > 0 => self.faq.swap(i, i - 1),
            "down" if i + 1 < self.faq.len() => self.faq.swap(i, i + 1),
            _ => {}
        }
        true
    }

    pub fn topic_names(&self) -> Vec<String> {
        self.topics
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The write this form describes, for `bbn_newsroom::workflow`: the
    /// article's fields (topics by name), the pick and the revision the
    /// editor started from. Status and dates are the workflow's to set.
    pub fn to_write(&self) -> ArticleWrite {
        ArticleWrite {
            draft: ArticleDraft {
                slug: self.slug.clone(),
                headline: self.headline.clone(),
                dek: self.dek.clone(),
                kicker: self.kicker.clone(),
                body_format: self.body_format,
                body_markdown: self.body.clone(),
                section_id: self.section_id.unwrap_or(0),
                author_ids: self.author_ids.clone(),
                topic_ids: Vec::new(),
                faq: self.faq.clone(),
                image_id: self.image_id,
                seo_title: self.seo_title.clone(),
                seo_description: self.seo_description.clone(),
                comments_open: self.comments_open,
                status: Status::Draft,
                published_at: None,
                scheduled_at: None,
            },
            topics: self.topic_names(),
            editors_pick: self.editors_pick,
            revision: self.revision,
            live: self.live && self.body_format == BodyFormat::Document,
        }
    }
}

#[derive(Serialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Serialize)]
pub struct FormView {
    pub headline: String,
    pub dek: String,
    pub kicker: String,
    pub slug: String,
    pub topics: String,
    pub body: String,
    pub body_format: &'static str,
    /// The rich editor's starting point: the document itself when the body
    /// is one (`body` then holds the HTML it renders to, which the form
    /// without JavaScript edits), else the body rendered to sanitized HTML,
    /// which the editor reads into a document.
    /// (As JSON safe inside a `<script>` element.)
    pub body_document: Option<String>,
    pub body_html: String,
    pub seo_title: String,
    pub seo_description: String,
    pub comments_open: bool,
    pub editors_pick: bool,
    pub faq: Vec<FaqItem>,
    pub image_id: Option<i64>,
    pub revision: Option<i64>,
    pub sections: Vec<Choice>,
    pub authors: Vec<Choice>,
    /// More bylines exist than `authors` lists (found by name).
    pub authors_more: bool,
    /// The words the unchosen names were found by, when a search asked.
    pub byline_find: String,
}

/// How many bylines besides the chosen ones the form lists; past that the
/// byline finder asks the server (`/newsroom/authors/lookup`).
pub const BYLINES_LISTED: usize = 100;

pub fn form_view(f: &ArticleForm, sections: &[Section], authors: &[Author]) -> FormView {
    // The names not chosen that the form lists: those matching the words
    // searched for, when a search asked (the finder without JavaScript).
    let words = f.byline_find.to_lowercase();
    let others = || {
        authors
            .iter()
            .filter(|a| !f.author_ids.contains(&a.id))
            .filter(|a| words.is_empty() || a.name.to_lowercase().contains(&words))
    };
    FormView {
        headline: f.headline.clone(),
        dek: f.dek.clone(),
        kicker: f.kicker.clone(),
        slug: f.slug.clone(),
        topics: f.topics.clone(),
        body: f.body.clone(),
        body_format: f.body_format.as_str(),
        body_document: None,
        body_html: String::new(),
        seo_title: f.seo_title.clone(),
        seo_description: f.seo_description.clone(),
        comments_open: f.comments_open,
        editors_pick: f.editors_pick,
        faq: f.faq.clone(),
        image_id: f.image_id,
        revision: f.revision,
        sections: sections
            .iter()
            .map(|s| Choice {
                id: s.id,
                name: s.name.clone(),
                selected: f.section_id == Some(s.id),
            })
            .collect(),
        // The chosen bylines first, in their order (the order the form
        // sends them back in is the bylines' order), then everyone else.
        authors: f
            .author_ids
            .iter()
            .filter_map(|id| authors.iter().find(|a| a.id == *id))
            .chain(others().take(BYLINES_LISTED))
            .map(|a| Choice {
                id: a.id,
                name: a.name.clone(),
                selected: f.author_ids.contains(&a.id),
            })
            .collect(),
        authors_more: others().count() > BYLINES_LISTED || !words.is_empty(),
        byline_find: f.byline_find.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_repeated_fields_in_order() {
        let f = ArticleForm::parse(pairs(&[
            ("headline", "H"),
            ("authors", "3"),
            ("authors", "1"),
            ("faq_question", "Q1"),
            ("faq_answer", "A1"),
            ("faq_question", ""),
            ("faq_answer", ""),
            ("faq_question", "Q2"),
            ("faq_answer", "A2\r\nmore"),
            ("comments_open", "on"),
        ]))
        .unwrap();
        assert_eq!(f.author_ids, [3, 1]);
        assert_eq!(f.faq.len(), 2, "blank rows are dropped");
        assert_eq!(f.faq[1].answer, "A2\nmore");
        assert!(f.comments_open && !f.editors_pick);
        assert!(ArticleForm::parse(pairs(&[("authors", "x")])).is_err());
    }

    #[test]
    fn faq_buttons_add_remove_and_move() {
        let mut f = ArticleForm::parse(pairs(&[
            ("faq_question", "Q1"),
            ("faq_answer", "A1"),
            ("faq_question", "Q2"),
            ("faq_answer", "A2"),
        ]))
        .unwrap();
        f.action = "faq-down-0".into();
        assert!(f.apply_faq_action());
        assert_eq!(f.faq[0].question, "Q2");
        f.action = "faq-remove-1".into();
        assert!(f.apply_faq_action());
        assert_eq!(f.faq.len(), 1);
        f.action = "faq-add".into();
        assert!(f.apply_faq_action());
        assert_eq!(f.faq.len(), 2);
        f.action = "save".into();
        assert!(!f.apply_faq_action());
    }
}
