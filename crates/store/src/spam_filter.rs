//! The store side of the learning spam filter (`bbn_core::spam` scores):
//! what moderators' decisions teach it, kept as per-token and overall
//! counts (`spam_tokens`, `spam_corpus`) in the same transaction as the
//! decisions, and what it knows when a comment is scored.

use crate::db::placeholders;
use crate::{Result, Store, with_pool};
use bbn_core::spam::{Corpus, TokenCounts};
use std::collections::HashMap;

/// What a moderator's decision teaches the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lesson {
    Spam,
    Ham,
}

impl Lesson {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Lesson::Spam => "spam",
            Lesson::Ham => "ham",
        }
    }

    pub(crate) fn parse(s: Option<&str>) -> Option<Lesson> {
        match s {
            Some("spam") => Some(Lesson::Spam),
            Some("ham") => Some(Lesson::Ham),
            _ => None,
        }
    }
}

/// Runs a `Lessons`' statements in the caller's transaction (on either backend).
macro_rules! apply_lessons {
    ($tx:expr, $lessons:expr) => {
        for (sql, binds) in $lessons.statements() {
            let mut q = sqlx::query(&sql);
            for (token, spam, ham) in binds {
                q = match token {
                    Some(t) => q.bind(t).bind(spam).bind(ham),
                    None => q.bind(spam).bind(ham),
                };
            }
            q.execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use apply_lessons;

/// How many token rows one statement updates.
const TOKEN_BATCH: usize = 200;

/// What a set of decisions teaches (or takes back), summed.
#[derive(Default)]
pub(crate) struct Lessons {
    corpus: Corpus,
    tokens: HashMap<String, TokenCounts>,
}

/// One statement's bind values: (token, spam, ham); no token for the corpus row.
type Binds = Vec<(Option<String>, i64, i64)>;

impl Lessons {
    pub(crate) fn add(&mut self, tokens: &[String], lesson: Option<Lesson>, sign: i64) {
        let Some(lesson) = lesson else { return };
        let (spam, ham) = match lesson {
            Lesson::Spam => (sign, 0),
            Lesson::Ham => (0, sign),
        };
        self.corpus.spam += spam;
        self.corpus.ham += ham;
        for t in tokens {
            let d = self.tokens.entry(t.clone()).or_default();
            d.spam += spam;
            d.ham += ham;
        }
    }

    /// The statements that apply it: the corpus row, then token rows in
    /// sorted order (concurrent moderators lock them in the same order).
    pub(crate) fn statements(self) -> Vec<(String, Binds)> {
        let mut out = Vec::new();
        if self.corpus != Corpus::default() {
            out.push((
                "UPDATE spam_corpus SET spam = spam + $1, ham = ham + $2 WHERE id = 1".to_string(),
                vec![(None, self.corpus.spam, self.corpus.ham)],
            ));
        }
        let mut deltas: Vec<(String, TokenCounts)> = self
            .tokens
            .into_iter()
            .filter(|(_, d)| *d != TokenCounts::default())
            .collect();
        deltas.sort_by(|a, b| a.0.cmp(&b.0));
        for batch in deltas.chunks(TOKEN_BATCH) {
            let values = (0..batch.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            out.push((
                format!(
                    "INSERT INTO spam_tokens (token, spam, ham) VALUES {values}
                     ON CONFLICT (token) DO UPDATE SET spam = spam_tokens.spam + excluded.spam,
                       ham = spam_tokens.ham + excluded.ham"
                ),
                batch
                    .iter()
                    .map(|(t, d)| (Some(t.clone()), d.spam, d.ham))
                    .collect(),
            ));
        }
        out
    }
}

impl Store {
    /// How many decisions the spam filter has learned from.
    pub async fn spam_corpus(&self) -> Result<Corpus> {
        let (spam, ham): (i64, i64) = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT spam, ham FROM spam_corpus WHERE id = 1").fetch_optional(p).await?
        })
        .unwrap_or_default();
        Ok(Corpus { spam, ham })
    }

    /// What the spam filter knows of these tokens, and how much it has learned.
    #[tracing::instrument(skip_all)]
    pub async fn spam_knowledge(
        &self,
        tokens: &[String],
    ) -> Result<(Corpus, HashMap<String, TokenCounts>)> {
        let corpus = self.spam_corpus().await?;
        let mut counts = HashMap::with_capacity(tokens.len());
        for batch in tokens.chunks(1000) {
            let sql = format!(
                "SELECT token, spam, ham FROM spam_tokens WHERE token IN ({})",
                placeholders(1, batch.len())
            );
            let rows: Vec<(String, i64, i64)> = with_pool!(&self.pool, p => {
                let mut q = sqlx::query_as(&sql);
                for t in batch {
                    q = q.bind(t);
                }
                q.fetch_all(p).await?
            });
            counts.extend(
                rows.into_iter()
                    .map(|(t, spam, ham)| (t, TokenCounts { spam, ham })),
            );
        }
        Ok((corpus, counts))
    }
}
