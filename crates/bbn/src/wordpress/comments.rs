//! A post's comments: pingbacks and trackbacks left out, parents placed
//! before their replies, statuses mapped, the thread written at once.

use super::Import;
use super::posts::source_id;
use anyhow::Context;
use bbn_core::CommentStatus;
use bbn_core::markdown::html_text;
use bbn_store::ImportedComment;
use bbn_wxr::Item;
use std::collections::HashSet;

impl Import<'_, '_> {
    pub(super) async fn comments(
        &mut self,
        item: &Item,
        article_id: i64,
        label: &str,
    ) -> anyhow::Result<()> {
        if item.comments.is_empty() {
            return Ok(());
        }
        if article_id == 0 {
            for _ in &item.comments {
                self.report.skipped(
                    "comment",
                    "on a page (bbn pages take no comments)",
                    label.to_string(),
                );
            }
            return Ok(());
        }
        let mut ordered: Vec<&bbn_wxr::Comment> = item.comments.iter().collect();
        ordered.sort_by_key(|c| (c.date_unix().unwrap_or(0), c.id));
        let importable: HashSet<i64> = item
            .comments
            .iter()
            .filter(|c| matches!(c.comment_type.as_str(), "" | "comment"))
            .map(|c| c.id)
            .collect();
        let external = |c: &bbn_wxr::Comment| {
            if c.id != 0 {
                c.id.to_string()
            } else {
                let place = item
                    .comments
                    .iter()
                    .position(|o| std::ptr::eq(o, c))
                    .unwrap_or(0);
                format!("{} #{place}", source_id(item))
            }
        };
        // Parents go before their replies, whatever the order in the file.
        let mut placed: HashSet<i64> = HashSet::new();
        let mut batch = Vec::new();
        let mut pending = ordered;
        loop {
            let before = pending.len();
            let mut later = Vec::new();
            for c in pending {
                if !matches!(c.comment_type.as_str(), "" | "comment") {
                    self.report.skipped(
                        "comment",
                        format!("{}s are not comments in bbn", c.comment_type),
                        label.to_string(),
                    );
                    continue;
                }
                let parent = match c.parent {
                    0 => None,
                    p if placed.contains(&p) => {
                        item.comments.iter().find(|o| o.id == p).map(external)
                    }
                    p if importable.contains(&p) => {
                        later.push(c);
                        continue;
                    }
                    _ => {
                        self.report.adjusted(
                            "replies to comments that were not imported start their own thread",
                            label.to_string(),
                        );
                        None
                    }
                };
                let body = html_text(&c.content);
                batch.push(ImportedComment {
                    external_id: external(c),
                    parent_external: parent,
                    author_name: if c.author.trim().is_empty() {
                        "Anonymous".into()
                    } else {
                        html_text(&c.author)
                    },
                    author_email: c.author_email.clone(),
                    body: if body.is_empty() {
                        "(empty)".into()
                    } else {
                        body
                    },
                    status: match c.approved.as_str() {
                        "1" | "approve" | "approved" => CommentStatus::Approved,
                        "0" | "hold" => CommentStatus::Pending,
                        "spam" => CommentStatus::Spam,
                        _ => CommentStatus::Trash,
                    },
                    created_at: c.date_unix().unwrap_or_else(bbn_core::time::now),
                    staff_user_id: self.user_ids.get(&c.user_id).copied(),
                });
                placed.insert(c.id);
            }
            if later.is_empty() || later.len() == before {
                for c in later {
                    self.report.skipped(
                        "comment",
                        "in a circle of replies",
                        format!("comment {} on {label}", c.id),
                    );
                }
                break;
            }
            pending = later;
        }
        let outcomes = self
            .session
            .comments(article_id, &batch)
            .await
            .with_context(|| format!("the comments on {label}"))?;
        for outcome in outcomes {
            self.report.done("comment", outcome);
        }
        Ok(())
    }
}
