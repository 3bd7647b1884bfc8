//! Full-text search over published articles, kept current from the change log.
//!
//! The index (tantivy) lives in `<data dir>/search`. It is fed only from the
//! store's change log: every commit to the index carries the last change it
//! applied, so after a restart it catches up from there, and while running
//! it follows new changes (`catch_up`, called by a background task and
//! before a search when this instance has written something). An index that
//! is missing, unreadable or written by another format of bbn is rebuilt.
//! Only published articles are ever in it.

mod build;
mod caches;
mod engine;
mod facets;
mod marked;
pub mod query;
mod related;
mod suggest;

pub use engine::{Facet, Hit, Results, SearchRequest, Sort};
pub use marked::Marked;
#[doc(hidden)]
pub use marked::body_snippet;

use bbn_store::{ChangeMark, SearchDoc, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tantivy::schema::{
    FAST, Facet as TantivyFacet, FacetOptions, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::Mutex;

/// Bumped whenever the schema or the analyzer changes: an index of another
/// format is rebuilt at start.
const FORMAT: &str = "bbn-search-1";
const FORMAT_FILE: &str = "bbn-format";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] bbn_store::StoreError),
    #[error("search index folder: {0}")]
    Open(String),
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// The analyzer every text field and every query goes through: words,
/// lower case, accents folded ("Sergeï" → "sergei"), English stems.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    id: tantivy::schema::Field,
    slug: tantivy::schema::Field,
    headline: tantivy::schema::Field,
    dek: tantivy::schema::Field,
    body: tantivy::schema::Field,
    topics: tantivy::schema::Field,
    authors: tantivy::schema::Field,
    section: tantivy::schema::Field,
    topic: tantivy::schema::Field,
    author: tantivy::schema::Field,
    facets: tantivy::schema::Field,
    published: tantivy::schema::Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("bbn")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        slug: b.add_text_field("slug", STORED),
        headline: b.add_text_field("headline", text(true)),
        dek: b.add_text_field("dek", text(true)),
        body: b.add_text_field("body", text(true)),
        topics: b.add_text_field("topics", text(true)),
        authors: b.add_text_field("authors", text(false)),
        section: b.add_text_field("section", STRING),
        topic: b.add_text_field("topic", STRING),
        author: b.add_text_field("author", STRING),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        published: b.add_i64_field("published", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// The text a stored document holds in `field` ("" when none).
fn stored_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    use tantivy::schema::Value;
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// A facet value carries the slug (for links) and the name (for people).
fn facet(kind: &str, slug: &str, name: &str) -> TantivyFacet {
    TantivyFacet::from_path([kind, &format!("{slug}\u{1f}{name}")])
}

struct Writer {
    writer: IndexWriter,
    /// Where the index stands in the change log; its mark is also the
    /// payload of the index's last commit, so a restart goes on from there.
    follow: ChangeMark,
}

/// How long a search waits for a catch-up already under way (see
/// `Search::catch_up_if_written`).
const CATCH_UP_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The search index of one instance.
pub struct Search {
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<Writer>,
    store: Store,
    /// The store generation last caught up with (see `catch_up_if_written`).
    seen_generation: AtomicU64,
    related: caches::RelatedCache,
    results: caches::ResultsCache,
    doc_freqs: caches::DocFreqs,
    facet_names: facets::FacetNames,
    /// Searches run against the index, not answered from `results`.
    searches_run: AtomicU64,
}

impl Search {
    /// Opens the index in `dir`, rebuilding it when it is missing, unreadable
    /// or of another format, and catches up with the change log.
    pub async fn open(dir: &Path, store: Store) -> Result<Arc<Search>> {
        let search = match Self::open_existing(dir, store.clone()) {
            Ok(Some(s)) => s,
            Ok(None) => {
                tracing::info!(dir = %dir.display(), "no search index yet: building it");
                Self::create_fresh(dir, store.clone())?
            }
            // Another process writes this index: never rebuild under it.
            Err(SearchError::Index(tantivy::TantivyError::LockFailure(..))) => {
                return Err(SearchError::Open(
                    "another bbn is using this search index".into(),
                ));
            }
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "search index unusable: rebuilding it");
                Self::create_fresh(dir, store.clone())?
            }
        };
        let search = Arc::new(search);
        let applied = search.applied().await;
        let ready = if applied == 0 {
            search.rebuild(|_, _| {}).await.map(|_| ())
        } else if applied > store.last_change().await? {
            // The index is ahead of the database: the database was replaced.
            tracing::warn!(dir = %dir.display(), "search index is ahead of the database: rebuilding it");
            search.rebuild(|_, _| {}).await.map(|_| ())
        } else {
            search.catch_up().await.map(|_| ())
        };
        match ready {
            Ok(()) => Ok(search),
            // The database's trouble, not the index's: say so.
            Err(e @ SearchError::Store(_)) => Err(e),
            Err(e) => {
                // An index left unusable (by a crash mid-write, say) is
                // rebuilt from the database rather than keeping bbn down.
                tracing::warn!(dir = %dir.display(), error = %e, "search index could not catch up: rebuilding it");
                drop(search);
                let fresh = Arc::new(Self::create_fresh(dir, store)?);
                fresh.rebuild(|_, _| {}).await?;
                Ok(fresh)
            }
        }
    }

    /// A new, empty index in `dir`, replacing whatever was there (`bbn reindex`).
    pub fn create(dir: &Path, store: Store) -> Result<Arc<Search>> {
        Ok(Arc::new(Self::create_fresh(dir, store)?))
    }

    /// An empty index in memory (tests): its first use catches up with the
    /// whole change log, which on a new database is every article.
    pub fn in_memory(store: Store) -> Result<Arc<Search>> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        Ok(Arc::new(Self::with_index(index, fields, store)?))
    }

    fn open_existing(dir: &Path, store: Store) -> Result<Option<Search>> {
        let format = match std::fs::read_to_string(dir.join(FORMAT_FILE)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if format.trim() != FORMAT {
            return Err(SearchError::Open(format!(
                "written as {:?}, this bbn reads {FORMAT:?}",
                format.trim()
            )));
        }
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Open(e.to_string()))?;
        let index = Index::open(directory)?;
        let (schema, fields) = schema();
        if index.schema() != schema {
            return Err(SearchError::Open("the schema differs".into()));
        }
        Self::with_index(index, fields, store).map(Some)
    }

    fn create_fresh(dir: &Path, store: Store) -> Result<Search> {
        if dir.exists() {
            Self::refuse_if_in_use(dir)?;
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Open(e.to_string()))?;
        let index = Index::create(directory, schema, tantivy::IndexSettings::default())?;
        std::fs::write(dir.join(FORMAT_FILE), FORMAT)?;
        Self::with_index(index, fields, store)
    }

    /// Fails when another process holds the index's writer lock; an index
    /// that cannot even be opened is nobody's and may be replaced.
    fn refuse_if_in_use(dir: &Path) -> Result<()> {
        let Ok(directory) = tantivy::directory::MmapDirectory::open(dir) else {
            return Ok(());
        };
        let Ok(index) = Index::open(directory) else {
            return Ok(());
        };
        match index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000) {
            Err(tantivy::TantivyError::LockFailure(..)) => Err(SearchError::Open(
                "another bbn is using this search index".into(),
            )),
            _ => Ok(()),
        }
    }

    fn with_index(index: Index, fields: Fields, store: Store) -> Result<Search> {
        index.tokenizers().register("bbn", analyzer());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        let writer: IndexWriter =
            index.writer_with_num_threads(threads, 64 * 1024 * 1024 * threads)?;
        // Files a process killed mid-commit wrote but never committed would
        // otherwise be in the way of the same names written again.
        if let Err(e) = writer.garbage_collect_files().wait() {
            tracing::warn!(error = %e, "search index: leftover files could not be removed");
        }
        let applied = index
            .load_metas()?
            .payload
            .and_then(|p| ChangeMark::parse(&p))
            .unwrap_or_default();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Search {
            reader,
            fields,
            writer: Mutex::new(Writer {
                writer,
                follow: applied,
            }),
            store,
            seen_generation: AtomicU64::new(u64::MAX),
            related: caches::RelatedCache::default(),
            results: caches::ResultsCache::default(),
            doc_freqs: caches::DocFreqs::default(),
            facet_names: facets::FacetNames::default(),
            searches_run: AtomicU64::new(0),
        })
    }

    /// The last change of the log the index reflects (but those of the
    /// transactions that were still running when it was read).
    pub async fn applied(&self) -> i64 {
        self.writer.lock().await.follow.seq()
    }

    /// How many articles the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets the cached related articles, search results and word counts
    /// (benchmarks time uncached lookups).
    pub fn clear_caches(&self) {
        self.related.clear();
        self.results.clear();
        self.doc_freqs.clear();
    }

    /// The index's folder size on disk, in bytes (0 in memory).
    pub fn size_on_disk(dir: &Path) -> u64 {
        fn walk(p: &Path) -> u64 {
            std::fs::read_dir(p)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| match e.metadata() {
                            Ok(m) if m.is_dir() => walk(&e.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(dir)
    }

    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, d.id);
        doc.add_text(f.slug, &d.slug);
        doc.add_text(f.headline, &d.headline);
        doc.add_text(f.dek, &d.dek);
        doc.add_text(f.body, d.body_format.plain_text(&d.body_markdown));
        doc.add_text(f.section, &d.section_slug);
        doc.add_facet(f.facets, facet("section", &d.section_slug, &d.section_name));
        for (slug, name) in &d.topics {
            doc.add_text(f.topics, name);
            doc.add_text(f.topic, slug);
            doc.add_facet(f.facets, facet("topic", slug, name));
        }
        for (slug, name) in &d.authors {
            doc.add_text(f.authors, name);
            doc.add_text(f.author, slug);
            doc.add_facet(f.facets, facet("author", slug, name));
        }
        doc.add_i64(f.published, d.published_at);
        doc
    }

    /// Adds an article's document; one whose text cannot be made (a panic
    /// in a text transform) is left out with a log line naming it, so that
    /// start-up, `bbn reindex` and the follower carry on without it.
    fn add_or_skip(&self, writer: &IndexWriter, d: &SearchDoc) -> Result<()> {
        let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.document(d)));
        match made {
            Ok(doc) => {
                writer.add_document(doc)?;
            }
            Err(_) => tracing::error!(
                article = d.id,
                slug = %d.slug,
                "article left out of the search index: its text could not be read"
            ),
        }
        Ok(())
    }

    /// Rebuilds the whole index from the database; `progress(done, total)`
    /// is called after every batch. Returns how many articles it indexed.
    pub async fn rebuild(&self, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
        let mut w = self.writer.lock().await;
        let result = self.rebuild_locked(&mut w, &mut progress).await;
        if result.is_err() {
            // Nothing half-done may reach a later commit.
            let _ = w.writer.rollback();
        }
        result
    }

    async fn rebuild_locked(
        &self,
        w: &mut Writer,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<u64> {
        // Changes up to here are reflected by what is read below.
        let upto = self.store.change_mark().await?;
        let total = self.store.count_published().await?;
        w.writer.delete_all_documents()?;
        let mut after = 0;
        let mut done = 0u64;
        loop {
            let batch = self.store.search_docs_after(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for d in &batch {
                self.add_or_skip(&w.writer, d)?;
            }
            done += batch.len() as u64;
            progress(done, total.max(done));
        }
        self.commit(&mut w.writer, &upto)?;
        w.follow = upto;
        Ok(done)
    }

    /// Commits with `mark` as the last change applied; the mark moves only once it is durable.
    fn commit(&self, writer: &mut IndexWriter, mark: &ChangeMark) -> Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&mark.to_text());
        prepared.commit()?;
        self.reader.reload()?;
        self.related.clear();
        self.results.clear();
        Ok(())
    }

    /// Applies the changes logged since the last one applied. Cheap when there are none.
    pub async fn catch_up(&self) -> Result<usize> {
        let mut w = self.writer.lock().await;
        self.catch_up_locked(&mut w).await
    }

    async fn catch_up_locked(&self, w: &mut Writer) -> Result<usize> {
        let generation = self.store.generation();
        let mut applied_changes = 0;
        while let Some(batch) = w.follow.next(&self.store, 1000).await? {
            let mut articles: Vec<i64> = Vec::new();
            for c in &batch.fresh {
                match c.entity.as_str() {
                    "article" => articles.push(c.entity_id),
                    "section" | "topic" | "author" => {
                        articles.extend(self.store.article_ids_using(&c.entity, c.entity_id).await?)
                    }
                    _ => {}
                }
            }
            articles.sort_unstable();
            articles.dedup();
            // Without articles (comments, settings and the like) there is
            // nothing to index: the mark moves in memory and the next commit
            // makes it durable (after a restart these changes are read
            // again, harmlessly).
            if !articles.is_empty() {
                // Whatever the change was, the article's document now matches the database.
                let docs = self.store.search_docs(&articles).await?;
                for id in &articles {
                    w.writer
                        .delete_term(Term::from_field_i64(self.fields.id, *id));
                }
                for d in &docs {
                    self.add_or_skip(&w.writer, d)?;
                }
                if let Err(e) = self.commit(&mut w.writer, batch.mark()) {
                    let _ = w.writer.rollback();
                    return Err(e);
                }
            }
            applied_changes += batch.fresh.len();
            w.follow.applied(&batch);
            if !batch.full() {
                break;
            }
        }
        self.seen_generation.store(generation, Ordering::Relaxed);
        Ok(applied_changes)
    }

    /// Catches up when this instance has written since the last catch-up,
    /// so that a reader sees an edit at once. When another catch-up is
    /// under way (the follower's, or another search's) it is waited for, up
    /// to `CATCH_UP_WAIT`, and then this one goes on if that one began
    /// before the edit; past the wait (a large import being indexed), or
    /// when catching up fails, the search goes on with the index as it is
    /// (the follower retries).
    pub async fn catch_up_if_written(&self) -> Result<()> {
        if self.seen_generation.load(Ordering::Relaxed) == self.store.generation() {
            return Ok(());
        }
        let Ok(mut w) = tokio::time::timeout(CATCH_UP_WAIT, self.writer.lock()).await else {
            return Ok(());
        };
        if self.seen_generation.load(Ordering::Relaxed) == self.store.generation() {
            return Ok(());
        }
        if let Err(e) = self.catch_up_locked(&mut w).await {
            tracing::warn!(error = %e, "search index could not catch up before a search");
        }
        Ok(())
    }

    /// Follows the change log until the process ends: every `every`.
    pub async fn follow(self: Arc<Self>, every: std::time::Duration) {
        loop {
            tokio::time::sleep(every).await;
            let started = Instant::now();
            match self.catch_up().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(
                    changes = n,
                    ms = started.elapsed().as_millis() as u64,
                    "search index caught up"
                ),
                Err(e) => tracing::warn!(error = %e, "search index could not catch up; retrying"),
            }
        }
    }
}

/// Where an instance keeps its index.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search")
}
