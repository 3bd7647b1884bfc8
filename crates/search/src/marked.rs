//! What search results show of an article: a stretch of its text with the
//! words the search matched. The index hands back text and ranges, never
//! HTML; whoever shows them escapes the text (the reader site and the API
//! in `bbn-web`).

use crate::query::{self, Part};
use std::ops::Range;
use tantivy::snippet::SnippetGenerator;

/// How much of an article's body a search result shows.
pub(crate) const BODY_SNIPPET_CHARS: usize = 240;

/// Text with the stretches a search matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Marked {
    pub text: String,
    /// Byte ranges of `text`, in order, apart and never empty, each on
    /// character boundaries.
    pub marks: Vec<Range<usize>>,
}

impl Marked {
    /// Text with nothing marked.
    pub fn plain(text: String) -> Marked {
        Marked {
            text,
            marks: Vec::new(),
        }
    }

    /// The text in order, piece by piece, each with whether it is marked.
    pub fn pieces(&self) -> impl Iterator<Item = (&str, bool)> {
        let mut at = 0;
        let mut out = Vec::with_capacity(self.marks.len() * 2 + 1);
        for m in &self.marks {
            if m.start > at {
                out.push((&self.text[at..m.start], false));
            }
            out.push((&self.text[m.clone()], true));
            at = m.end;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out.into_iter()
    }
}

/// The part of `text` around the words a search matched, with those words
/// marked; `None` when none of them is in it.
pub(crate) fn marked(generator: &SnippetGenerator, text: &str) -> Option<Marked> {
    let snippet = generator.snippet(text);
    let fragment = snippet.fragment();
    // Ranges as the snippet gives them, kept only where they are sound, so
    // a surprise in the snippet code can never slice through a character.
    let mut marks: Vec<Range<usize>> = Vec::new();
    for r in snippet.highlighted() {
        let sound = r.start < r.end
            && r.end <= fragment.len()
            && fragment.is_char_boundary(r.start)
            && fragment.is_char_boundary(r.end)
            && marks.last().is_none_or(|last| last.end <= r.start);
        if sound {
            marks.push(r.clone());
        }
    }
    if marks.is_empty() {
        return None;
    }
    Some(Marked {
        text: fragment.to_string(),
        marks,
    })
}

/// The body snippet a search for `q` shows for an article whose body is
/// `text`, made by the same analyzer, query parser and snippet code as a
/// real search (every word weighs the same here, as in a one-article
/// index): the way in for the fuzz target of the text transforms, which
/// has no index or database.
#[doc(hidden)]
pub fn body_snippet(q: &str, text: &str) -> Option<Marked> {
    let mut analyzer = crate::analyzer();
    let mut words = std::collections::BTreeMap::new();
    for part in query::parse(q).required {
        let (Part::Word(w) | Part::Phrase(w)) = part;
        let mut stream = analyzer.token_stream(&w);
        while let Some(t) = stream.next() {
            words.insert(t.text.clone(), 1.0);
        }
    }
    let (_, fields) = crate::schema();
    let generator =
        SnippetGenerator::new(words, crate::analyzer(), fields.body, BODY_SNIPPET_CHARS);
    marked(&generator, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_the_words_of_the_search() {
        let body = "&quot; the £1bn ($1.9bn) <b>investment</b> deal in Zürich";
        let m = body_snippet("investments zurich", body).unwrap();
        assert_eq!(m.text, body);
        let marked: Vec<&str> = m.pieces().filter(|(_, on)| *on).map(|(s, _)| s).collect();
        assert_eq!(marked, ["investment", "Zürich"]);
        let all: String = m.pieces().map(|(s, _)| s).collect();
        assert_eq!(all, body);
        assert_eq!(body_snippet("absent", body), None);
    }
}
