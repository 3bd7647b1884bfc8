//! "You may also like": the articles closest in content to one article.

use crate::{Result, Search};
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// How many of an article's most telling words find its related articles.
const RELATED_TERMS: usize = 100;

impl Search {
    /// "More like this": the document's most telling words (frequent in it,
    /// rare in the index), each looked for in the headline, topics and body,
    /// weighted by how telling it is.
    pub(crate) fn like_this(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<Box<dyn Query>> {
        let f = self.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let mut tf: HashMap<String, f32> = HashMap::new();
        for (field, weight) in [
            (f.headline, 3.0),
            (f.topics, 3.0),
            (f.dek, 1.5),
            (f.body, 1.0),
        ] {
            for value in doc.get_all(field) {
                if let Some(text) = value.as_str() {
                    for term in self.terms(text) {
                        if term.chars().count() >= 3 {
                            *tf.entry(term).or_default() += weight;
                        }
                    }
                }
            }
        }
        let docs = searcher.num_docs();
        let n = docs.max(1) as f32;
        let terms: Vec<&String> = tf.keys().collect();
        let mut known = self.doc_freqs.known(docs, &terms);
        let mut found = Vec::new();
        for (term, df) in terms.iter().zip(known.iter_mut()) {
            if df.is_none() {
                let count = [f.body, f.headline, f.topics]
                    .iter()
                    .map(|field| {
                        searcher
                            .doc_freq(&Term::from_field_text(*field, term))
                            .unwrap_or(0)
                    })
                    .max()
                    .unwrap_or(0) as u32;
                *df = Some(count);
                found.push(((*term).clone(), count));
            }
        }
        self.doc_freqs.keep(found);
        let dfs: HashMap<&str, u32> = terms
            .iter()
            .zip(known)
            .map(|(t, df)| (String::as_str(t), df.unwrap_or(0)))
            .collect();
        let mut telling: Vec<(f32, String)> = Vec::with_capacity(tf.len());
        for (term, freq) in &tf {
            let df = dfs.get(term.as_str()).copied().unwrap_or(0) as f32;
            // Words of this article alone, or of a fifth of all, tell nothing.
            if df < 2.0 || df > (n / 5.0).max(10.0) {
                continue;
            }
            let df = df.min(n);
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            telling.push(((1.0 + freq.ln()) * idf, term.clone()));
        }
        telling.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        telling.truncate(RELATED_TERMS);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (weight, term) in telling {
            for (field, field_weight) in [(f.headline, 1.5), (f.topics, 2.0), (f.body, 1.0)] {
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, &term),
                            IndexRecordOption::WithFreqs,
                        )),
                        weight * field_weight,
                    )),
                ));
            }
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Up to `n` published articles most similar in content to article `id`
    /// (newest first among equals), never itself. Cached until the index changes.
    pub async fn related(&self, id: i64, n: usize) -> Result<Vec<i64>> {
        self.catch_up_if_written().await?;
        if let Ok(cache) = self.related.0.lock()
            && let Some(ids) = cache.get(&id)
        {
            return Ok(ids.iter().copied().take(n).collect());
        }
        let searcher = self.reader.searcher();
        let me = Term::from_field_i64(self.fields.id, id);
        let found = searcher.search(
            &TermQuery::new(me.clone(), IndexRecordOption::Basic),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = found.first() else {
            return Ok(Vec::new());
        };
        let like = self.like_this(&searcher, *address)?;
        let query = BooleanQuery::new(vec![
            (Occur::Should, like),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(me, IndexRecordOption::Basic)),
            ),
        ]);
        let docs = searcher.search(&query, &TopDocs::with_limit(n.max(4) * 3).order_by_score())?;
        // Id and date from the columns: reading each found article's stored
        // text would cost a block decompression apiece.
        // Opening a column reads its block index, so each is opened once per segment.
        let mut columns: HashMap<u32, (Column<i64>, Column<i64>)> = HashMap::new();
        let mut scored: Vec<(f32, i64, i64)> = Vec::with_capacity(docs.len());
        for (score, address) in docs {
            let (published, id) = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                    e.insert((fast.i64("published")?, fast.i64("id")?))
                }
            };
            let at = address.doc_id;
            scored.push((
                score,
                published.first(at).unwrap_or_default(),
                id.first(at).unwrap_or_default(),
            ));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        let ids: Vec<i64> = scored
            .into_iter()
            .map(|(_, _, id)| id)
            .take(n.max(4))
            .collect();
        if let Ok(mut cache) = self.related.0.lock() {
            cache.insert(id, ids.clone());
        }
        Ok(ids.into_iter().take(n).collect())
    }
}
