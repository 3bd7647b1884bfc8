//! A reader's query made a tantivy query: words and phrases weighted by
//! field, exclusions, a prefix for the word being typed, words one letter
//! off when asked, and the filters.

use crate::engine::SearchRequest;
use crate::query::{self, Part};
use crate::{Fields, Search};
use std::ops::Bound;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// A word being typed matches as a prefix from this many letters on.
const PREFIX_MIN_CHARS: usize = 3;
/// …and only while the word as typed is in fewer articles than this.
const PREFIX_UNTIL_ARTICLES: u64 = 1_000;
/// Words at least this long may match with one typo.
pub(crate) const FUZZY_MIN_CHARS: usize = 5;

impl Search {
    pub(crate) fn terms(&self, text: &str) -> Vec<String> {
        let mut analyzer = crate::analyzer();
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    pub(crate) fn weighted(f: &Fields) -> [(Field, f32); 5] {
        [
            (f.headline, 3.0),
            (f.topics, 2.0),
            (f.authors, 2.0),
            (f.dek, 1.5),
            (f.body, 1.0),
        ]
    }

    /// A word or phrase matched in any text field, weighted by field.
    pub(crate) fn part_query(
        &self,
        searcher: &Searcher,
        part: &Part,
        prefix: bool,
        fuzzy: bool,
    ) -> Option<Box<dyn Query>> {
        let (text, is_phrase) = match part {
            Part::Word(w) => (w.as_str(), false),
            Part::Phrase(p) => (p.as_str(), true),
        };
        let terms = self.terms(text);
        if terms.is_empty() {
            return None;
        }
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, weight) in Self::weighted(&self.fields) {
            // Several terms (a phrase, or a word the analyzer splits) must stand together.
            let q: Box<dyn Query> = if terms.len() > 1 {
                Box::new(PhraseQuery::new(
                    terms
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                ))
            } else {
                let term = Term::from_field_text(field, &terms[0]);
                let long = text.chars().count() >= FUZZY_MIN_CHARS;
                if fuzzy && long && !is_phrase {
                    Box::new(FuzzyTermQuery::new(term, 1, true))
                } else {
                    let exact: Box<dyn Query> =
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
                    // Short prefixes would expand to half the dictionary,
                    // and a word already in many articles was typed in full
                    // (expanding it would read all those articles again,
                    // and keep the best few from being found without).
                    if prefix
                        && terms[0].chars().count() >= PREFIX_MIN_CHARS
                        && !self.common(searcher, &terms[0])
                    {
                        Box::new(BooleanQuery::new(vec![
                            (Occur::Should, exact),
                            (
                                Occur::Should,
                                Box::new(BoostQuery::new(
                                    Box::new(FuzzyTermQuery::new_prefix(term, 0, true)),
                                    0.5,
                                )),
                            ),
                        ]))
                    } else {
                        exact
                    }
                }
            };
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(q, weight))));
        }
        Some(Box::new(BooleanQuery::new(alternatives)))
    }

    /// Whether `word` is in at least `PREFIX_UNTIL_ARTICLES` articles in
    /// some field.
    pub(crate) fn common(&self, searcher: &Searcher, word: &str) -> bool {
        Self::weighted(&self.fields).iter().any(|(field, _)| {
            searcher
                .doc_freq(&Term::from_field_text(*field, word))
                .is_ok_and(|n| n >= PREFIX_UNTIL_ARTICLES)
        })
    }

    pub(crate) fn build(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        parsed: &query::Parsed,
        fuzzy: bool,
    ) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let last = parsed.required.len().saturating_sub(1);
        for (i, part) in parsed.required.iter().enumerate() {
            let prefix = parsed.open_ended && i == last;
            if let Some(q) = self.part_query(searcher, part, prefix, fuzzy) {
                clauses.push((Occur::Must, q));
            }
        }
        if clauses.is_empty() {
            return None;
        }
        for part in &parsed.excluded {
            if let Some(q) = self.part_query(searcher, part, false, false) {
                clauses.push((Occur::MustNot, q));
            }
        }
        for (field, value) in [
            (f.section, &req.section),
            (f.topic, &req.topic),
            (f.author, &req.author),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        if req.from.is_some() || req.until.is_some() {
            let bound = |v: Option<i64>, upper: bool| match v {
                None => Bound::Unbounded,
                Some(t) if upper => Bound::Excluded(Term::from_field_i64(f.published, t)),
                Some(t) => Bound::Included(Term::from_field_i64(f.published, t)),
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(req.from, false),
                    bound(req.until, true),
                )),
            ));
        }
        if let [(Occur::Must, _)] = clauses.as_slice() {
            // One word or phrase and nothing else: its own query, so that
            // a search for a single word can skip what cannot make the page.
            return clauses.pop().map(|(_, q)| q);
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}
