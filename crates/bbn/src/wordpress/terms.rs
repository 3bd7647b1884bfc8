//! What posts refer to, written first: people, sections (with their old
//! category addresses), topics, images.

use super::{Import, survey};
use bbn_core::markdown::html_text;
use bbn_store::{ImportedPerson, RedirectTarget};
use bbn_wxr::Item;

impl Import<'_, '_> {
    pub(super) async fn people(&mut self) -> anyhow::Result<()> {
        for a in &self.survey.authors {
            let name = [
                a.display_name.trim(),
                &format!("{} {}", a.first_name.trim(), a.last_name.trim()),
                a.login.trim(),
            ]
            .into_iter()
            .map(|n| n.trim().to_string())
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| "Unknown author".to_string());
            let login = if a.login.trim().is_empty() {
                name.clone()
            } else {
                a.login.trim().to_string()
            };
            let (author, user, outcome) = self
                .session
                .person(
                    &login,
                    &ImportedPerson {
                        email: a.email.clone(),
                        name,
                    },
                )
                .await?;
            self.report.done("author", outcome);
            self.people.insert(login, (author, user));
            if let Some(id) = a.id {
                self.user_ids.insert(id, user);
            }
        }
        Ok(())
    }

    /// The byline for a post's `dc:creator`, made on the spot for a login
    /// the export's author list does not have.
    pub(super) async fn person_for(&mut self, login: &str) -> anyhow::Result<(i64, i64)> {
        let login = login.trim();
        if let Some(p) = self.people.get(login) {
            return Ok(*p);
        }
        let name = if login.is_empty() {
            "Unknown author"
        } else {
            login
        };
        let (author, user, outcome) = self
            .session
            .person(
                name,
                &ImportedPerson {
                    email: String::new(),
                    name: name.to_string(),
                },
            )
            .await?;
        self.report.done("author", outcome);
        self.people.insert(login.to_string(), (author, user));
        Ok((author, user))
    }

    /// A byline only a post's terms name (Co-Authors Plus guest authors).
    pub(super) async fn person_named(
        &mut self,
        login: &str,
        name: &str,
    ) -> anyhow::Result<(i64, i64)> {
        let name = if name.trim().is_empty() {
            login
        } else {
            name.trim()
        };
        let (author, user, outcome) = self
            .session
            .person(
                login,
                &ImportedPerson {
                    email: String::new(),
                    name: name.to_string(),
                },
            )
            .await?;
        self.report.done("author", outcome);
        self.people.insert(login.to_string(), (author, user));
        Ok((author, user))
    }

    pub(super) async fn sections(&mut self) -> anyhow::Result<()> {
        // Parents first, whatever order the export lists them in.
        let mut pending: Vec<&bbn_wxr::Category> = self.survey.categories.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for c in pending {
                let parent = c.parent.trim();
                let parent_id = if parent.is_empty() {
                    None
                } else {
                    self.sections.get(parent).copied()
                };
                if !parent.is_empty()
                    && parent_id.is_none()
                    && before != 0
                    && self.survey.categories.iter().any(|o| o.nicename == parent)
                {
                    rest.push(c);
                    continue;
                }
                self.section(c, parent_id).await?;
            }
            if rest.len() == before {
                // A cycle of parents: take them without.
                for c in rest {
                    self.section(c, None).await?;
                }
                break;
            }
            pending = rest;
        }
        Ok(())
    }

    /// One category as a section, with its old addresses.
    async fn section(&mut self, c: &bbn_wxr::Category, parent: Option<i64>) -> anyhow::Result<()> {
        let (id, outcome) = self
            .session
            .section(
                &c.nicename,
                &c.nicename,
                &html_text(&c.name),
                &html_text(&c.description),
                parent,
            )
            .await?;
        self.report.done("section", outcome);
        self.sections.insert(c.nicename.clone(), id);
        self.category_redirects(c, id).await
    }

    /// `/category/parent/child/` and `/?cat=ID` lead to the section.
    pub(super) async fn category_redirects(
        &mut self,
        c: &bbn_wxr::Category,
        id: i64,
    ) -> anyhow::Result<()> {
        let mut path = vec![c.nicename.clone()];
        let mut parent = c.parent.clone();
        while !parent.is_empty() && path.len() < 20 {
            path.insert(0, parent.clone());
            parent = self
                .survey
                .categories
                .iter()
                .find(|o| o.nicename == parent)
                .map(|o| o.parent.clone())
                .unwrap_or_default();
        }
        let mut paths = vec![format!("/category/{}", path.join("/"))];
        if let Some(term) = c.term_id {
            paths.push(format!("/?cat={term}"));
        }
        let taken = self
            .session
            .redirects(&paths, &RedirectTarget::Section(id))
            .await?;
        self.report.redirects += paths.len().saturating_sub(taken.len()) as u64;
        self.report
            .addresses_kept(taken, &format!("category {}", c.nicename));
        Ok(())
    }

    pub(super) async fn tags(&mut self) -> anyhow::Result<()> {
        for t in &self.survey.tags {
            self.topic("tag", &t.slug, &t.name, &t.description).await?;
        }
        Ok(())
    }

    pub(super) async fn topic(
        &mut self,
        kind: &'static str,
        slug: &str,
        name: &str,
        description: &str,
    ) -> anyhow::Result<i64> {
        if let Some(id) = self.topics.get(&(kind, slug.to_string())) {
            return Ok(*id);
        }
        let name = html_text(name);
        let (id, outcome) = self
            .session
            .topic(kind, slug, slug, &name, &html_text(description))
            .await?;
        self.report.done("topic", outcome);
        self.topics.insert((kind, slug.to_string()), id);
        if kind == "tag" {
            let taken = self
                .session
                .redirects(
                    &[format!("/tag/{slug}"), format!("/?tag={slug}")],
                    &RedirectTarget::Topic(id),
                )
                .await?;
            self.report.redirects += 2 - taken.len() as u64;
            self.report.addresses_kept(taken, &format!("tag {slug}"));
        }
        Ok(id)
    }

    pub(super) async fn attachments(&mut self) -> anyhow::Result<()> {
        let mut all: Vec<&survey::Attachment> = self.survey.attachments.values().collect();
        all.sort_by_key(|a| a.id);
        for a in all {
            if !a.is_image() {
                self.report.skipped(
                    "attachment",
                    "not an image (bbn's media library holds images; links to the file are kept)",
                    a.url.clone(),
                );
                continue;
            }
            let (_, outcome) = self.media.attachment(self.session, a, self.report).await?;
            self.report.done("image", outcome);
        }
        Ok(())
    }

    pub(super) async fn section_for(&mut self, item: &Item) -> anyhow::Result<i64> {
        if let Some(first) = item.terms_in("category").next() {
            if let Some(id) = self.sections.get(&first.nicename) {
                return Ok(*id);
            }
            // A category the export's list does not have.
            let (id, outcome) = self
                .session
                .section(
                    &first.nicename,
                    &first.nicename,
                    &html_text(&first.name),
                    "",
                    None,
                )
                .await?;
            self.report.done("section", outcome);
            self.sections.insert(first.nicename.clone(), id);
            return Ok(id);
        }
        if let Some(id) = self.fallback_section {
            return Ok(id);
        }
        let (id, outcome) = self
            .session
            .section("uncategorized", "uncategorized", "Uncategorized", "", None)
            .await?;
        self.report.done("section", outcome);
        self.fallback_section = Some(id);
        Ok(id)
    }
}
