//! Answering searches and finding related articles.

use crate::build::FUZZY_MIN_CHARS;
use crate::facets;
use crate::marked::{BODY_SNIPPET_CHARS, Marked, marked};
use crate::query::{self, Part};
use crate::{Result, Search, SearchError};
use std::sync::Arc;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

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

/// Fewer hits than this and words one letter off are tried too.
const FEW: usize = 3;
/// Up to this many matches, the section, topic and author counts beside
/// the results are exact; past it they are estimated from an even sample of
/// this many, so a search for a word in a million articles does not read a
/// million articles' facets.
pub const FACETS_COUNTED: usize = 20_000;

impl Search {
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
            let text = |field: Field| crate::stored_text(&doc, field);
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
}
