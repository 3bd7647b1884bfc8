//! The section, topic and author counts beside search results.
//!
//! Each index segment numbers its facets (`/section/<slug>␟<name>`…) in a
//! dictionary of its own. Turning a number back into a facet searches that
//! dictionary, and tantivy's facet collector walks all of it on every search
//! in every segment: at a million articles that was most of a search's time.
//! A segment never changes, so here each segment's facets are read once, by
//! number, and a search only counts numbers.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Facet;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};
use tantivy::{DocSet, TERMINATED};

/// What a facet counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Section,
    Topic,
    Author,
}

/// A facet of a segment: its kind and its `slug␟name`.
type Named = Option<(Kind, Arc<str>)>;

/// The facets of each segment the searcher was last seen with, by number.
#[derive(Default)]
pub(crate) struct FacetNames(Mutex<HashMap<SegmentId, Arc<Vec<Named>>>>);

impl FacetNames {
    fn of(&self, segment: &SegmentReader) -> tantivy::Result<Arc<Vec<Named>>> {
        let id = segment.segment_id();
        if let Some(found) = self.0.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(found);
        }
        let reader = segment.facet_reader("facets")?;
        let mut facet = Facet::root();
        let mut names = Vec::with_capacity(reader.num_facets());
        for ord in 0..reader.num_facets() as u64 {
            reader.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path();
            let kind = match path.first().copied() {
                Some("section") => Some(Kind::Section),
                Some("topic") => Some(Kind::Topic),
                Some("author") => Some(Kind::Author),
                _ => None,
            };
            names.push(kind.zip(path.get(1).map(|n| Arc::<str>::from(*n))));
        }
        let names = Arc::new(names);
        if let Ok(mut m) = self.0.lock() {
            m.insert(id, names.clone());
        }
        Ok(names)
    }

    /// Forgets the segments `searcher` no longer has (merged away).
    pub(crate) fn keep_only(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        if let Ok(mut m) = self.0.lock() {
            m.retain(|id, _| live.contains(id));
        }
    }
}

/// Counts of `slug␟name` by kind, over the matches collected.
pub(crate) type Counts = HashMap<(Kind, Arc<str>), u64>;

/// Adds a segment's counts by facet number to `into`.
fn add_by_ord(into: &mut Counts, names: &[Named], by_ord: Vec<u32>) {
    for (ord, n) in by_ord.into_iter().enumerate() {
        if n > 0
            && let Some(Some(key)) = names.get(ord)
        {
            *into.entry(key.clone()).or_default() += u64::from(n);
        }
    }
}

/// Counts the facets of every match.
pub(crate) struct FacetCounter<'a> {
    pub names: &'a FacetNames,
}

pub(crate) struct SegmentCounter {
    names: Arc<Vec<Named>>,
    column: StrColumn,
    counts: Vec<u32>,
}

impl Collector for FacetCounter<'_> {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let names = self.names.of(segment)?;
        let column = segment
            .fast_fields()
            .str("facets")?
            .ok_or_else(|| tantivy::TantivyError::SchemaError("no facets column".into()))?;
        Ok(SegmentCounter {
            counts: vec![0; names.len()],
            names,
            column,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::new();
        for fruit in fruits {
            for (key, n) in fruit {
                *all.entry(key).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for ord in self.column.term_ords(doc) {
            if let Some(n) = self.counts.get_mut(ord as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::new();
        add_by_ord(&mut out, &self.names, self.counts);
        out
    }
}

/// Matches read in a row from each place a large result set is sampled.
const WINDOW: u32 = 256;

/// Facet counts of a query that matches `total` articles, estimated from
/// about `sample` of its matches: those in evenly spaced runs of article
/// numbers (which follow publication), scaled up. Unlike taking every n-th
/// match, the matches between the runs are skipped, not walked.
pub(crate) fn estimate(
    searcher: &Searcher,
    query: &dyn Query,
    names: &FacetNames,
    total: usize,
    sample: usize,
) -> tantivy::Result<Counts> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let share = (sample as f64 / total.max(1) as f64).min(1.0);
    let mut counts = Counts::new();
    let mut seen = 0u64;
    for segment in searcher.segment_readers() {
        let names = names.of(segment)?;
        let Some(column) = segment.fast_fields().str("facets")? else {
            continue;
        };
        let mut by_ord = vec![0u32; names.len()];
        let alive = segment.alive_bitset();
        let max_doc = segment.max_doc();
        let windows = ((f64::from(max_doc) * share) / f64::from(WINDOW))
            .ceil()
            .max(1.0) as u32;
        let stride = (max_doc / windows).max(WINDOW);
        let mut scorer = weight.scorer(segment, 1.0)?;
        let mut start = 0u32;
        while start < max_doc {
            let mut doc = scorer.doc();
            if doc < start {
                doc = scorer.seek(start);
            }
            while doc != TERMINATED && doc < start + WINDOW {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    seen += 1;
                    for ord in column.term_ords(doc) {
                        if let Some(n) = by_ord.get_mut(ord as usize) {
                            *n += 1;
                        }
                    }
                }
                doc = scorer.advance();
            }
            if doc == TERMINATED {
                break;
            }
            start = start.saturating_add(stride);
        }
        add_by_ord(&mut counts, &names, by_ord);
    }
    let scale = total as f64 / seen.max(1) as f64;
    for n in counts.values_mut() {
        *n = (*n as f64 * scale).round() as u64;
    }
    Ok(counts)
}

/// The `k` most counted of `kind`, most first (then by name).
pub(crate) fn top(counts: &Counts, kind: Kind, k: usize) -> Vec<(&str, u64)> {
    let mut found: Vec<(&str, u64)> = counts
        .iter()
        .filter(|((of, _), _)| *of == kind)
        .map(|((_, name), n)| (&**name, *n))
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    found.truncate(k);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{FacetOptions, Schema};

    fn index(writes: &[&[&str]]) -> tantivy::Index {
        let mut schema = Schema::builder();
        let facets = schema.add_facet_field("facets", FacetOptions::default());
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Each commit makes a segment of its own, numbering its facets anew.
        for docs in writes {
            for paths in docs.chunks(2) {
                let mut doc = tantivy::TantivyDocument::new();
                for p in paths {
                    doc.add_facet(facets, Facet::from(*p));
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        index
    }

    #[test]
    fn counts_by_kind_across_segments() {
        let index = index(&[
            &["/section/world\u{1f}World", "/topic/korea\u{1f}Korea"],
            &[
                "/section/sport\u{1f}Sport",
                "/author/ana\u{1f}Ana",
                "/section/world\u{1f}World",
                "/topic/korea\u{1f}Korea",
                "/section/world\u{1f}World",
                "/author/ana\u{1f}Ana",
            ],
        ]);
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let names = FacetNames::default();
        let counts = searcher
            .search(&AllQuery, &FacetCounter { names: &names })
            .unwrap();
        assert_eq!(
            top(&counts, Kind::Section, 12),
            [("world\u{1f}World", 3), ("sport\u{1f}Sport", 1)]
        );
        assert_eq!(top(&counts, Kind::Topic, 12), [("korea\u{1f}Korea", 2)]);
        assert_eq!(top(&counts, Kind::Author, 1), [("ana\u{1f}Ana", 2)]);
        assert_eq!(names.0.lock().unwrap().len(), 2, "each segment read once");

        assert_eq!(searcher.search(&AllQuery, &Count).unwrap(), 4);

        let empty = tantivy::Index::create_in_ram(Schema::builder().build());
        names.keep_only(&empty.reader().unwrap().searcher());
        assert!(
            names.0.lock().unwrap().is_empty(),
            "gone segments are forgotten"
        );
    }

    #[test]
    fn a_large_result_set_is_estimated_from_runs_of_matches() {
        let sections = ["/section/world\u{1f}World", "/section/sport\u{1f}Sport"];
        // 30,000 articles, two in three on World; 9,000 more in a later segment, all Sport.
        let first: Vec<&str> = (0..30_000)
            .flat_map(|n| [sections[usize::from(n % 3 == 2)], "/topic/t\u{1f}T"])
            .collect();
        let second: Vec<&str> = (0..9_000)
            .flat_map(|_| [sections[1], "/topic/t\u{1f}T"])
            .collect();
        let index = index(&[&first, &second]);
        let searcher = index.reader().unwrap().searcher();
        let names = FacetNames::default();
        let counts = estimate(&searcher, &AllQuery, &names, 39_000, 2_000).unwrap();
        let near = |got: u64, want: u64| got.abs_diff(want) * 20 < want;
        let sections = top(&counts, Kind::Section, 12);
        assert!(
            near(sections[0].1, 20_000) && sections[0].0.starts_with("world"),
            "{sections:?}"
        );
        assert!(near(sections[1].1, 19_000), "{sections:?}");
        assert_eq!(
            top(&counts, Kind::Topic, 12),
            [("t\u{1f}T", 39_000)],
            "every match has it"
        );
    }
}
