//! Suggestions: the spelling a search probably meant, and headlines for
//! type-ahead.

use crate::build::FUZZY_MIN_CHARS;
use crate::engine::{Results, SearchRequest};
use crate::query::{self, Part};
use crate::{Result, Search};
use std::collections::HashMap;
use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::schema::Field;

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Lower case with accents folded, for comparing words when suggesting spellings.
fn plain_words(text: &str) -> Vec<String> {
    let mut analyzer =
        tantivy::tokenizer::TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .filter(tantivy::tokenizer::AsciiFoldingFilter)
            .build();
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

impl Search {
    /// The query with each word that the looser search matched only as a
    /// near spelling replaced by that spelling (from the top hits' text).
    pub(crate) fn suggest_spelling(
        &self,
        parsed: &query::Parsed,
        loose: &Results,
    ) -> Option<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for hit in loose.hits.iter().take(10) {
            let text = format!("{} {}", hit.headline.text, hit.snippet.text);
            for w in plain_words(&text) {
                *seen.entry(w).or_default() += 1;
            }
        }
        let mut changed = false;
        let words: Vec<String> = parsed
            .required
            .iter()
            .map(|part| match part {
                Part::Phrase(p) => format!("\"{p}\""),
                Part::Word(w) => {
                    let plain = plain_words(w).join(" ");
                    if plain.chars().count() < FUZZY_MIN_CHARS || seen.contains_key(&plain) {
                        return w.clone();
                    }
                    let best = seen
                        .iter()
                        .filter(|(s, _)| levenshtein(s, &plain) == 1)
                        .max_by_key(|(s, n)| (**n, std::cmp::Reverse((*s).clone())));
                    match best {
                        Some((s, _)) => {
                            changed = true;
                            s.clone()
                        }
                        None => w.clone(),
                    }
                }
            })
            .collect();
        changed.then(|| words.join(" "))
    }

    /// Headlines starting with or containing what is typed, for type-ahead.
    pub async fn suggest(&self, q: &str, limit: usize) -> Result<Vec<(String, String)>> {
        self.catch_up_if_written().await?;
        let mut parsed = query::parse(q);
        if parsed.is_empty() {
            return Ok(Vec::new());
        }
        parsed.open_ended = !q.ends_with(char::is_whitespace);
        let searcher = self.reader.searcher();
        let Some(query) = self.build(&searcher, &SearchRequest::default(), &parsed, false) else {
            return Ok(Vec::new());
        };
        let docs = searcher.search(
            &*query,
            &TopDocs::with_limit(limit.clamp(1, 20)).order_by_score(),
        )?;
        let mut out = Vec::with_capacity(docs.len());
        for (_, address) in docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| crate::stored_text(&doc, field);
            out.push((text(self.fields.headline), text(self.fields.slug)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("lavrov", "lavrof"), 1);
        assert_eq!(levenshtein("korea", "korea"), 0);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}
