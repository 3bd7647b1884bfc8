//! Answering searches and finding related articles.

use crate::facets;
use crate::marked::{BODY_SNIPPET_CHARS, Marked, marked};
use crate::query::{self, Part};
use crate::{Fields, Result, Search, SearchError};
use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
}

/// A search as the reader asked for it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub sort: Sort,
    /// Section, topic and author slugs to narrow to.
    pub section: Option<String>,
    pub topic: Option<String>,
    pub author: Option<String>,
    /// Published at or after / before (Unix seconds).
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub slug: String,
    /// The headline, with the words the search matched.
    pub headline: Marked,
    /// A stretch of the body around the words matched (or the start of the
    /// dek or body when the body has none of them).
    pub snippet: Marked,
    pub published_at: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Facet {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub sections: Vec<Facet>,
    pub topics: Vec<Facet>,
    pub authors: Vec<Facet>,
    /// The facet counts were estimated from an even sample of the matches
    /// (there were more than `FACETS_COUNTED`).
    pub facets_estimated: bool,
    /// Exact words found little, so words one letter off were matched too.
    pub fuzzy: bool,
    /// A spelling of the query that matches better, when there is one.
    pub suggestion: Option<String>,
}

/// Related articles by article id, until the index changes.
#[derive(Default)]
pub(crate) struct RelatedCache(Mutex<HashMap<i64, Vec<i64>>>);

impl RelatedCache {
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }
}

/// How many articles contain each word, as "You may also like" weighs the
/// words of an article: looking a word up costs one dictionary search per
/// index segment and field, hundreds per article, while the news vocabulary
/// repeats from article to article. The counts are kept across index commits
/// (they move by a few articles, which changes no word's weight much) and
/// forgotten when the archive has grown or shrunk by a hundredth since they
/// were taken, or when the memo is full.
#[derive(Default)]
pub(crate) struct DocFreqs(Mutex<DocFreqMemo>);

#[derive(Default)]
struct DocFreqMemo {
    /// The number of articles when the counts were taken.
    docs: u64,
    counts: HashMap<String, u32>,
}

/// Words remembered at most (a few MB).
const DOC_FREQS_KEPT: usize = 100_000;

impl DocFreqs {
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.counts.clear();
        }
    }

    /// The counts of `terms` that are remembered, for an archive of `docs`;
    /// the ones missing are for the caller to look up and `keep`.
    fn known(&self, docs: u64, terms: &[&String]) -> Vec<Option<u32>> {
        let Ok(mut m) = self.0.lock() else {
            return vec![None; terms.len()];
        };
        if m.docs.abs_diff(docs) > m.docs / 100 {
            m.counts.clear();
            m.docs = docs;
        }
        terms.iter().map(|t| m.counts.get(*t).copied()).collect()
    }

    fn keep(&self, found: Vec<(String, u32)>) {
        let Ok(mut m) = self.0.lock() else { return };
        if m.counts.len() + found.len() > DOC_FREQS_KEPT {
            m.counts.clear();
        }
        m.counts.extend(found);
    }
}

/// Results of recent searches, until the index changes: in a spike readers
/// search for the same few words, and a search that matches much of the
/// archive costs milliseconds.
#[derive(Default)]
pub(crate) struct ResultsCache {
    found: Mutex<HashMap<String, Results>>,
    /// Moves with every clear; results made before a clear are not kept.
    epoch: std::sync::atomic::AtomicU64,
    /// Searches being answered, by key: a reader asking for one of them
    /// waits for it instead of answering it again (in a spike, many ask
    /// for the same words at the same moment).
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Searches remembered at most; past it, new ones are not kept until the
/// next change clears the cache.
const RESULTS_KEPT: usize = 1024;

impl ResultsCache {
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.found.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            m.clear();
        }
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    fn get(&self, key: &str) -> Option<Results> {
        self.found.lock().ok()?.get(key).cloned()
    }

    /// The lock held while `key` is being answered.
    fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut flights) = self.flights.lock() else {
            return Arc::default();
        };
        flights.entry(key.to_string()).or_default().clone()
    }

    /// `key` was answered: later readers find it in the cache.
    fn landed(&self, key: &str) {
        if let Ok(mut flights) = self.flights.lock() {
            flights.remove(key);
        }
    }

    fn put(&self, key: String, results: &Results, epoch: u64) {
        if let Ok(mut m) = self.found.lock()
            && self.epoch() == epoch
            && m.len() < RESULTS_KEPT
        {
            m.insert(key, results.clone());
        }
    }
}

/// A word being typed matches as a prefix from this many letters on.
const PREFIX_MIN_CHARS: usize = 3;
/// …and only while the word as typed is in fewer articles than this.
const PREFIX_UNTIL_ARTICLES: u64 = 1_000;
/// How many of an article's most telling words find its related articles.
const RELATED_TERMS: usize = 100;
/// Fewer hits than this and words one letter off are tried too.
const FEW: usize = 3;
/// Words at least this long may match with one typo.
const FUZZY_MIN_CHARS: usize = 5;
/// Up to this many matches, the section, topic and author counts beside
/// the results are exact; past it they are estimated from an even sample of
/// this many, so a search for a word in a million articles does not read a
/// million articles' facets.
pub const FACETS_COUNTED: usize = 20_000;

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
    fn terms(&self, text: &str) -> Vec<String> {
        let mut analyzer = crate::analyzer();
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    fn weighted(f: &Fields) -> [(Field, f32); 5] {
        [
            (f.headline, 3.0),
            (f.topics, 2.0),
            (f.authors, 2.0),
            (f.dek, 1.5),
            (f.body, 1.0),
        ]
    }

    /// A word or phrase matched in any text field, weighted by field.
    fn part_query(
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
    fn common(&self, searcher: &Searcher, word: &str) -> bool {
        Self::weighted(&self.fields).iter().any(|(field, _)| {
            searcher
                .doc_freq(&Term::from_field_text(*field, word))
                .is_ok_and(|n| n >= PREFIX_UNTIL_ARTICLES)
        })
    }

    fn build(
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

    /// Runs a search. Never fails on what the reader typed: an empty or
    /// meaningless query has no results.
    /// The work runs on the blocking pool, so a search that matches much of
    /// the archive holds up no page being served meanwhile.
    pub async fn search(self: &Arc<Self>, req: &SearchRequest) -> Result<Results> {
        self.catch_up_if_written().await?;
        let key = format!("{req:?}");
        if let Some(found) = self.results.get(&key) {
            return Ok(found);
        }
        let flight = self.results.flight(&key);
        let _answering = flight.lock().await;
        // Whoever held the lock before may have answered it meanwhile.
        if let Some(found) = self.results.get(&key) {
            return Ok(found);
        }
        let epoch = self.results.epoch();
        let (me, asked) = (self.clone(), req.clone());
        let answered = tokio::task::spawn_blocking(move || me.search_now(&asked))
            .await
            .map_err(|e| SearchError::Open(format!("a search stopped: {e}")));
        if let Ok(Ok(results)) = &answered {
            self.results.put(key.clone(), results, epoch);
        }
        self.results.landed(&key);
        answered?
    }

    /// How many searches were run against the index since it was opened;
    /// the others were answered from what an earlier one found.
    pub fn searches_run(&self) -> u64 {
        self.searches_run.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn search_now(&self, req: &SearchRequest) -> Result<Results> {
        self.searches_run
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let parsed = query::parse(&req.q);
        let searcher = self.reader.searcher();
        let Some(exact) = self.build(&searcher, req, &parsed, false) else {
            return Ok(Results::default());
        };
        let mut results = self.run(&searcher, &*exact, req)?;
        let has_long_word = parsed
            .required
            .iter()
            .any(|p| matches!(p, Part::Word(w) if w.chars().count() >= FUZZY_MIN_CHARS));
        if results.total < FEW
            && has_long_word
            && let Some(fuzzy) = self.build(&searcher, req, &parsed, true)
        {
            let loose = self.run(&searcher, &*fuzzy, req)?;
            if loose.total > results.total {
                let suggestion = self.suggest_spelling(&parsed, &loose);
                results = Results {
                    fuzzy: true,
                    suggestion,
                    ..loose
                };
            }
        }
        Ok(results)
    }

    fn run(&self, searcher: &Searcher, query: &dyn Query, req: &SearchRequest) -> Result<Results> {
        let per_page = req.per_page.clamp(1, 100);
        let offset = req
            .page
            .max(1)
            .saturating_sub(1)
            .saturating_mul(per_page)
            .min(10_000);
        // The page of hits alone: by relevance, tantivy skips blocks that
        // cannot reach it, so a word in every article costs little more
        // than a rare one.
        let started = std::time::Instant::now();
        let top = TopDocs::with_limit(per_page).and_offset(offset);
        let addresses: Vec<DocAddress> = match req.sort {
            Sort::Relevance => searcher
                .search(query, &top.order_by_score())?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            Sort::Newest => searcher
                .search(
                    query,
                    &top.order_by_fast_field::<i64>("published", Order::Desc),
                )?
                .into_iter()
                .map(|(_, a): (Option<i64>, DocAddress)| a)
                .collect(),
        };
        // Counting every match is cheap (a word's count is its number of
        // articles); facets are read off each match only when there are few.
        let ranked = started.elapsed();
        let total = searcher.search(query, &Count)?;
        let counted = started.elapsed();
        self.facet_names.keep_only(searcher);
        let estimated = total > FACETS_COUNTED;
        let counts = if estimated {
            facets::estimate(searcher, query, &self.facet_names, total, FACETS_COUNTED)?
        } else {
            searcher.search(
                query,
                &facets::FacetCounter {
                    names: &self.facet_names,
                },
            )?
        };
        let faceted = started.elapsed();
        let f = self.fields;
        let mut body_snippets = SnippetGenerator::create(searcher, query, f.body)?;
        body_snippets.set_max_num_chars(BODY_SNIPPET_CHARS);
        let mut headline_snippets = SnippetGenerator::create(searcher, query, f.headline)?;
        headline_snippets.set_max_num_chars(400);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let headline = text(f.headline);
            let headline =
                marked(&headline_snippets, &headline).unwrap_or_else(|| Marked::plain(headline));
            let body = text(f.body);
            let snippet = marked(&body_snippets, &body).unwrap_or_else(|| {
                let dek = text(f.dek);
                let fallback = if dek.is_empty() { &body } else { &dek };
                Marked::plain(fallback.chars().take(BODY_SNIPPET_CHARS).collect())
            });
            hits.push(Hit {
                id: doc
                    .get_first(f.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                slug: text(f.slug),
                headline,
                snippet,
                published_at: doc
                    .get_first(f.published)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
            });
        }
        tracing::debug!(
            total,
            ranked_us = ranked.as_micros() as u64,
            counted_us = counted.as_micros() as u64,
            faceted_us = faceted.as_micros() as u64,
            done_us = started.elapsed().as_micros() as u64,
            "searched"
        );
        let facet_list = |kind| -> Vec<Facet> {
            facets::top(&counts, kind, 12)
                .into_iter()
                .filter_map(|(key, count)| {
                    let (slug, name) = key.split_once('\u{1f}')?;
                    Some(Facet {
                        slug: slug.to_string(),
                        name: name.to_string(),
                        count,
                    })
                })
                .collect()
        };
        Ok(Results {
            total,
            hits,
            sections: facet_list(facets::Kind::Section),
            topics: facet_list(facets::Kind::Topic),
            authors: facet_list(facets::Kind::Author),
            facets_estimated: estimated,
            fuzzy: false,
            suggestion: None,
        })
    }

    /// The query with each word that the looser search matched only as a
    /// near spelling replaced by that spelling (from the top hits' text).
    fn suggest_spelling(&self, parsed: &query::Parsed, loose: &Results) -> Option<String> {
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

    /// "More like this": the document's most telling words (frequent in it,
    /// rare in the index), each looked for in the headline, topics and body,
    /// weighted by how telling it is.
    fn like_this(&self, searcher: &Searcher, address: DocAddress) -> Result<Box<dyn Query>> {
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
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            out.push((text(self.fields.headline), text(self.fields.slug)));
        }
        Ok(out)
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
