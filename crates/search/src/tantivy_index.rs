//! The embedded backend: a tantivy index in a directory of the data dir (or in memory for tests).

use crate::concepts::{self, ConceptIndex, QueryPart};
use crate::doc::{HitDisplay, ListingDoc};
use crate::query::{
    Facets, Hit, PRICE_BUCKETS, SearchQuery, SearchResult, Sort, price_bucket_index,
};
use crate::tokenize::{self, BIGRAM, LATIN, LATIN_STEMMED, is_dense_script};
use crate::{Health, SearchError, SearchIndex};
use async_trait::async_trait;
use ddhub_domain::Locale;
use ddhub_domain::catalog;
use ddhub_domain::measure::Measure;
use ddhub_translate::Glossary;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex, ColumnValues};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, Query,
    RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader,
    TantivyDocument, Term,
};

/// Version of the schema and analysis below. Bump it with any change to fields or tokenisation:
/// an index written with another version is emptied on open and must be rebuilt.
pub const SCHEMA_VERSION: u32 = 5;
const VERSION_FILE: &str = "ddhub-search-schema-version";
const WRITER_HEAP_BYTES: usize = 256 * 1024 * 1024;
const WRITER_HEAP_BYTES_TEST: usize = 32 * 1024 * 1024;

/// What `open` found in the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaStatus {
    /// No index was there: an empty one was created. Fill it (`rebuild`).
    Created,
    /// The index has the current schema.
    Current,
    /// The index had another schema version (`None`: unknown); it was emptied. Rebuild it.
    Recreated { found: Option<u32> },
}

impl SchemaStatus {
    /// Whether the caller should rebuild the index from the database.
    pub fn needs_rebuild(self) -> bool {
        !matches!(self, SchemaStatus::Current)
    }
}

#[derive(Clone, Copy)]
struct LocaleFields {
    title: Field,
    attrs: Field,
    desc: Field,
}

struct Fields {
    style_id: Field,
    text: [LocaleFields; 7],
    concepts: Field,
    /// Style code and wholesaler name (Hangul and romanised), bigram-analysed: buyers search
    /// by `KN-2041` and by `미소니트` / `misoniteu`.
    names: Field,
    /// Concepts of the category path alone (see [`ConceptIndex::category_concepts`]).
    category_concepts: Field,
    category: Field,
    colour: Field,
    colour_family: Field,
    size: Field,
    stock: Field,
    price: Field,
    moq: Field,
    same_day: Field,
    /// 1 when in stock or on backorder, 0 when sold out or archived (excluded by default).
    orderable: Field,
    wholesaler: Field,
    created_at: Field,
    /// 1 when the style has a ready photo: styles without one sort after every style with one
    /// (issue 21: grey squares led the home page).
    has_photo: Field,
    facet_bits: Field,
    size_bits: Field,
    /// The hit's display, stored only (see [`HitDisplay`]).
    display: Field,
    /// One multi-valued field per measure (`m_length` …): every size's value in mm.
    measures: [Field; 11],
}

/// Colour families in bit order of the packed facet column.
const FAMILIES: [&str; 16] = [
    "black", "white", "grey", "beige", "brown", "red", "pink", "orange", "yellow", "green", "blue",
    "navy", "purple", "multi", "metallic", "pattern",
];

/// Facet values of one document packed in two fast-field words, so counting a match costs two
/// column reads instead of walking three multi-valued string columns (5× faster on 100,000
/// styles). Bits 0–7: category index + 1 in the vocabulary (0: none or unknown); bits 8–23:
/// colour families; bits 24–26: price bucket; bit 27: same day. `size_bits`: one bit per size
/// of the vocabulary. Codes outside the closed vocabularies filter normally but are not counted.
fn pack_facets(d: &ListingDoc, families: &[String]) -> (u64, u64) {
    let cat = catalog::categories()
        .all()
        .iter()
        .position(|c| c.code == d.category)
        .map_or(0, |i| (i as u64 + 1).min(255));
    let mut fam = 0u64;
    for f in families {
        if let Some(i) = FAMILIES.iter().position(|x| x == f) {
            fam |= 1 << i;
        }
    }
    let bucket = price_bucket_index(d.price_krw) as u64;
    let bits = cat | (fam << 8) | (bucket << 24) | (u64::from(d.same_day) << 27);
    let mut sizes = 0u64;
    for s in &d.sizes {
        if let Some(i) = catalog::sizes().all().iter().position(|x| x.code == s)
            && i < 64
        {
            sizes |= 1 << i;
        }
    }
    (bits, sizes)
}

fn locale_index(locale: Locale) -> usize {
    Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0)
}

fn analyzer_name(locale: Locale) -> &'static str {
    match locale {
        Locale::En => LATIN_STEMMED,
        Locale::Vi => LATIN,
        Locale::Ko | Locale::Ja | Locale::ZhCn | Locale::ZhTw | Locale::Th => BIGRAM,
    }
}

fn field_suffix(locale: Locale) -> String {
    locale.tag().to_ascii_lowercase().replace('-', "_")
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let style_id = b.add_i64_field("style_id", INDEXED | FAST);
    let text = Locale::ALL.map(|locale| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer_name(locale))
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let s = field_suffix(locale);
        LocaleFields {
            title: b.add_text_field(&format!("title_{s}"), opts.clone()),
            attrs: b.add_text_field(&format!("attrs_{s}"), opts.clone()),
            desc: b.add_text_field(&format!("desc_{s}"), opts),
        }
    });
    let keyword = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        style_id,
        text,
        concepts: b.add_text_field("concepts", keyword.clone()),
        names: b.add_text_field(
            "names",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(BIGRAM)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        category_concepts: b.add_text_field("category_concepts", keyword.clone()),
        category: b.add_text_field("category", keyword.clone()),
        colour: b.add_text_field("colour", keyword.clone()),
        colour_family: b.add_text_field("colour_family", keyword.clone()),
        size: b.add_text_field("size", keyword.clone()),
        stock: b.add_text_field("stock", keyword),
        price: b.add_u64_field("price", INDEXED | FAST),
        moq: b.add_u64_field("moq", INDEXED | FAST),
        same_day: b.add_u64_field("same_day", INDEXED | FAST),
        orderable: b.add_u64_field("orderable", INDEXED),
        wholesaler: b.add_i64_field("wholesaler", INDEXED),
        created_at: b.add_i64_field("created_at", FAST),
        has_photo: b.add_u64_field("has_photo", FAST),
        facet_bits: b.add_u64_field("facet_bits", FAST),
        size_bits: b.add_u64_field("size_bits", FAST),
        display: b.add_text_field("display", TextOptions::default().set_stored()),
        measures: Measure::ALL.map(|m| b.add_u64_field(&format!("m_{}", m.key()), INDEXED | FAST)),
    };
    (b.build(), fields)
}

fn register_tokenizers(index: &Index) {
    let m = index.tokenizers();
    m.register(LATIN_STEMMED, tokenize::latin_stemmed());
    m.register(LATIN, tokenize::latin());
    m.register(BIGRAM, tokenize::bigram());
}

/// Whether the index holds a text term (a field, a token).
type Exists<'a> = dyn Fn(Field, &str) -> bool + 'a;

/// What [`Inner::build_query`] makes.
struct BuiltQuery {
    query: Box<dyn Query>,
    /// Whether the query has text (ranks by score).
    has_text: bool,
    /// What the collector adds to the score of a style by its category's facet value.
    category_bonus: Option<Arc<[f32; 256]>>,
    /// The price window (won, inclusive) the collector keeps matches in.
    price: Option<(u64, u64)>,
    /// The colour families and sizes the collector keeps matches of.
    tail_filter: TailFilter,
}

/// Colour families and sizes a match must have one of, as bits of [`SegmentColumns::tails`];
/// `None`: no such filter (or one the query's postings apply).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct TailFilter {
    families: Option<u64>,
    sizes: Option<u64>,
}

/// The bits of `values` in a closed vocabulary (`index`), or `None` when one is outside it or
/// past 64 (then the postings filter).
fn bit_mask(values: &[String], index: &dyn Fn(&str) -> Option<usize>) -> Option<u64> {
    values.iter().try_fold(0u64, |mask, v| match index(v) {
        Some(i) if i < 64 => Some(mask | 1 << i),
        _ => None,
    })
}

struct Inner {
    reader: IndexReader,
    /// `None` in a process that opened a shared index directory as a reader (see
    /// [`TantivyIndex::open_shared`]) until it takes the writer over.
    writer: Mutex<Option<IndexWriter>>,
    /// The writer lease on a shared directory: an exclusive lock on a file beside the index,
    /// held for the life of the process (the OS drops it when the process dies, even by kill -9).
    lease: Mutex<Option<std::fs::File>>,
    index: Index,
    threads: usize,
    heap: usize,
    fields: Fields,
    /// Replaced when the operator's glossary overrides change ([`TantivyIndex::set_concepts`]).
    concepts: std::sync::RwLock<Arc<ConceptIndex>>,
    analyzers: [TextAnalyzer; 7],
    status: SchemaStatus,
    path: Option<PathBuf>,
    browse_cache: Mutex<BrowseCache>,
    /// Facet and sort columns per segment (held here: the reader keeps its warmer weakly).
    columns: Arc<DecodedColumns>,
    cache_enabled: std::sync::atomic::AtomicBool,
    /// Bumped when the concepts change (answers to text queries may change without a commit).
    concepts_epoch: std::sync::atomic::AtomicU64,
}

/// Search results, valid for one searcher generation: any commit empties it, so a change is
/// never served stale. A query without text walks every orderable style (~2.5 ms on 100,000)
/// and storefronts send the same few all the time; buyers repeat the popular text searches.
#[derive(Default)]
struct BrowseCache {
    generation: u64,
    entries: HashMap<String, SearchResult>,
}

const BROWSE_CACHE_ENTRIES: usize = 4_096;

/// The tantivy backend. Cheap to clone; one per index directory per process (tantivy allows
/// one writer, which this holds behind a mutex).
#[derive(Clone)]
pub struct TantivyIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex")
            .field("path", &self.inner.path)
            .field("status", &self.inner.status)
            .finish()
    }
}

fn lease_path(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".writer.lock");
    dir.with_file_name(name)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The shipped glossary's concepts, built once per process (building them converts every
/// Chinese surface and romanises every Korean one: tens of milliseconds each time).
pub fn builtin_concepts() -> Result<Arc<ConceptIndex>, SearchError> {
    static BUILTIN: std::sync::OnceLock<Arc<ConceptIndex>> = std::sync::OnceLock::new();
    if let Some(c) = BUILTIN.get() {
        return Ok(c.clone());
    }
    let glossary = Glossary::builtin().map_err(|e| SearchError::Glossary(e.to_string()))?;
    let built = concept_index(&glossary)?;
    Ok(BUILTIN.get_or_init(|| built).clone())
}

pub(crate) fn concept_index(glossary: &Glossary) -> Result<Arc<ConceptIndex>, SearchError> {
    ConceptIndex::new(glossary)
        .map(Arc::new)
        .map_err(|e| SearchError::Glossary(e.to_string()))
}

impl TantivyIndex {
    /// Opens (or creates) the index in `dir` with the built-in glossary's concepts. An index of
    /// another schema version is emptied: see [`TantivyIndex::schema_status`].
    pub fn open(dir: impl AsRef<Path>) -> Result<TantivyIndex, SearchError> {
        Self::open_with(dir, builtin_concepts()?)
    }

    /// Like [`TantivyIndex::open`] with the concepts of another glossary (operator overrides).
    pub fn open_with(
        dir: impl AsRef<Path>,
        concepts: Arc<ConceptIndex>,
    ) -> Result<TantivyIndex, SearchError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let version_path = dir.join(VERSION_FILE);
        let has_index = dir.join("meta.json").exists();
        let found = std::fs::read_to_string(&version_path)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        let (schema, fields) = build_schema();
        let (index, status) = if has_index && found == Some(SCHEMA_VERSION) {
            (Index::open_in_dir(dir)?, SchemaStatus::Current)
        } else {
            let status = if has_index {
                tracing::warn!(
                    ?found,
                    current = SCHEMA_VERSION,
                    "search index has another schema version; emptying it for a rebuild"
                );
                for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
                    let p = entry.map_err(io_err(dir))?.path();
                    if p.is_dir() {
                        std::fs::remove_dir_all(&p).map_err(io_err(&p))?;
                    } else {
                        std::fs::remove_file(&p).map_err(io_err(&p))?;
                    }
                }
                SchemaStatus::Recreated { found }
            } else {
                SchemaStatus::Created
            };
            let index = Index::create_in_dir(dir, schema)?;
            std::fs::write(&version_path, SCHEMA_VERSION.to_string())
                .map_err(io_err(&version_path))?;
            (index, status)
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get().clamp(1, 4))
            .unwrap_or(1);
        Self::from_index(
            index,
            fields,
            concepts,
            status,
            Some(dir.to_path_buf()),
            threads,
            WRITER_HEAP_BYTES,
        )
    }

    /// Opens an index directory that several processes share (a fleet on one shared data
    /// dir). Exactly one process writes: the one holding the lease, an exclusive lock on
    /// `<dir>.writer.lock`. That process opens the index as [`TantivyIndex::open`] does; the
    /// others open it read-only, follow the writer's commits, and may take the lease over later
    /// with [`TantivyIndex::try_take_writer`] (when its holder stops or dies, the OS frees it).
    /// A reader waits up to `wait` for the writer to create the index.
    pub fn open_shared(
        dir: impl AsRef<Path>,
        wait: std::time::Duration,
    ) -> Result<TantivyIndex, SearchError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let lease_path = lease_path(dir);
        let lease = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lease_path)
            .map_err(io_err(&lease_path))?;
        match lease.try_lock() {
            Ok(()) => {
                let index = Self::open(dir)?;
                *index
                    .inner
                    .lease
                    .lock()
                    .map_err(|_| SearchError::Other("lease lock poisoned".into()))? = Some(lease);
                Ok(index)
            }
            Err(std::fs::TryLockError::WouldBlock) => Self::open_reader(dir, wait),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&lease_path)(e)),
        }
    }

    fn open_reader(dir: &Path, wait: std::time::Duration) -> Result<TantivyIndex, SearchError> {
        let start = Instant::now();
        let version_path = dir.join(VERSION_FILE);
        loop {
            let found = std::fs::read_to_string(&version_path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            if dir.join("meta.json").exists() && found == Some(SCHEMA_VERSION) {
                break;
            }
            if start.elapsed() >= wait {
                return Err(SearchError::Other(format!(
                    "shared search index {} has no index of schema version {SCHEMA_VERSION} yet \
                     (found {found:?}); its writer has not created it",
                    dir.display()
                )));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let index = Index::open_in_dir(dir)?;
        let (_, fields) = build_schema();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get().clamp(1, 4))
            .unwrap_or(1);
        Self::from_parts(
            index,
            fields,
            builtin_concepts()?,
            SchemaStatus::Current,
            Some(dir.to_path_buf()),
            threads,
            WRITER_HEAP_BYTES,
            false,
        )
    }

    /// Whether this process writes the index (always, except for a reader of a shared one).
    pub fn is_writer(&self) -> bool {
        self.inner
            .writer
            .lock()
            .map(|w| w.is_some())
            .unwrap_or(false)
    }

    /// A reader of a shared directory takes the writer over when the lease is free; `Ok(true)`
    /// when this process is the writer afterwards.
    pub fn try_take_writer(&self) -> Result<bool, SearchError> {
        if self.is_writer() {
            return Ok(true);
        }
        let Some(dir) = self.inner.path.as_deref() else {
            return Ok(false);
        };
        let lease_path = lease_path(dir);
        let lease = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lease_path)
            .map_err(io_err(&lease_path))?;
        match lease.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(false),
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err(&lease_path)(e)),
        }
        let writer = self
            .inner
            .index
            .writer_with_num_threads(self.inner.threads, self.inner.heap)?;
        let mut w = self
            .inner
            .writer
            .lock()
            .map_err(|_| SearchError::Other("search index writer lock poisoned".into()))?;
        *w = Some(writer);
        *self
            .inner
            .lease
            .lock()
            .map_err(|_| SearchError::Other("lease lock poisoned".into()))? = Some(lease);
        drop(w);
        self.inner.reader.reload()?;
        Ok(true)
    }

    /// An index in memory, for tests.
    pub fn in_memory() -> Result<TantivyIndex, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        Self::from_index(
            index,
            fields,
            builtin_concepts()?,
            SchemaStatus::Created,
            None,
            1,
            WRITER_HEAP_BYTES_TEST,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn from_index(
        index: Index,
        fields: Fields,
        concepts: Arc<ConceptIndex>,
        status: SchemaStatus,
        path: Option<PathBuf>,
        threads: usize,
        heap: usize,
    ) -> Result<TantivyIndex, SearchError> {
        Self::from_parts(index, fields, concepts, status, path, threads, heap, true)
    }

    #[allow(clippy::too_many_arguments)]
    fn from_parts(
        index: Index,
        fields: Fields,
        concepts: Arc<ConceptIndex>,
        status: SchemaStatus,
        path: Option<PathBuf>,
        threads: usize,
        heap: usize,
        write: bool,
    ) -> Result<TantivyIndex, SearchError> {
        register_tokenizers(&index);
        let writer: Option<IndexWriter> = if write {
            Some(index.writer_with_num_threads(threads, heap)?)
        } else {
            None
        };
        // The writer reloads right after each commit: a write is searchable when upsert
        // returns. A reader of a shared directory follows the writer's commits as tantivy sees
        // them land in meta.json (within about a second).
        let policy = if write {
            ReloadPolicy::Manual
        } else {
            ReloadPolicy::OnCommitWithDelay
        };
        let columns = Arc::new(DecodedColumns {
            by_segment: Mutex::default(),
            text_fields: fields
                .text
                .iter()
                .flat_map(|lf| [lf.title, lf.attrs])
                .collect(),
        });
        let warmer: Arc<dyn tantivy::Warmer> = columns.clone();
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .doc_store_cache_num_blocks(DOC_STORE_CACHE_BLOCKS)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()?;
        let analyzers = Locale::ALL.map(|l| match analyzer_name(l) {
            LATIN_STEMMED => tokenize::latin_stemmed(),
            LATIN => tokenize::latin(),
            _ => tokenize::bigram(),
        });
        Ok(TantivyIndex {
            inner: Arc::new(Inner {
                reader,
                writer: Mutex::new(writer),
                lease: Mutex::new(None),
                index,
                threads,
                heap,
                fields,
                concepts: std::sync::RwLock::new(concepts),
                analyzers,
                status,
                path,
                browse_cache: Mutex::new(BrowseCache::default()),
                columns,
                cache_enabled: std::sync::atomic::AtomicBool::new(true),
                concepts_epoch: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// What `open` found; rebuild from the database when [`SchemaStatus::needs_rebuild`].
    pub fn schema_status(&self) -> SchemaStatus {
        self.inner.status
    }

    /// Bytes the index files take on disk (0 in memory).
    pub fn size_on_disk(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| {
                            let p = e.path();
                            if p.is_dir() {
                                walk(&p)
                            } else {
                                e.metadata().map(|m| m.len()).unwrap_or(0)
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        self.inner.path.as_deref().map(walk).unwrap_or(0)
    }

    /// Merges segments and waits for it (after a bulk load; searches get faster).
    pub async fn optimize(&self) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        blocking(move || inner.optimize()).await
    }

    /// Turns the result cache on or off (on by default; the benchmarks measure both). It keeps
    /// the results of text and browse queries alike until the next commit.
    pub fn set_browse_cache(&self, enabled: bool) {
        self.inner
            .cache_enabled
            .store(enabled, std::sync::atomic::Ordering::Relaxed);
    }

    /// The concepts queries are expanded with and documents indexed with from now on (the
    /// operator's glossary overrides); cached results are dropped. Documents indexed before
    /// keep their concepts until rewritten (a glossary change re-indexes the styles it touches).
    pub fn set_concepts(&self, concepts: Arc<ConceptIndex>) {
        self.inner.set_concepts(concepts);
    }

    /// The concepts in force.
    pub fn concepts(&self) -> Arc<ConceptIndex> {
        self.inner.concepts()
    }

    /// Searches on the calling thread (the async `search` moves it to a blocking thread).
    pub fn search_blocking(&self, query: &SearchQuery) -> Result<SearchResult, SearchError> {
        self.inner.search(query)
    }
}

/// The threads searches run on: one per core, taking queued searches first come, first served.
/// Searches waiting in one queue keep tail latency close to the mean under load (as threads
/// competing for the cores they would all finish late), and a thread that finishes a search
/// takes the next one without a wake-up. Before, a semaphore in front of tokio's blocking
/// pool passed each turn on through three thread wake-ups, and the cores sat idle 15–25% of
/// an uncached load at concurrency 32. Shared by every index in the process: they share the
/// cores too.
fn search_pool() -> Result<&'static rayon::ThreadPool, SearchError> {
    static POOL: std::sync::OnceLock<Result<rayon::ThreadPool, String>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
            .thread_name(|i| format!("ddhub-search-{i}"))
            // A panicking search fails its request (its answer channel drops), not the process.
            .panic_handler(|_| tracing::error!("a search panicked"))
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| SearchError::Other(format!("search threads: {e}")))
}

/// Runs a search on the search threads ([`search_pool`]), in turn.
async fn on_search_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    search_pool()?.spawn_fifo(move || {
        // The caller may have gone (a closed connection): nobody to answer.
        let _ = tx.send(f());
    });
    rx.await
        .map_err(|_| SearchError::Join("the search stopped before answering".into()))?
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SearchError::Join(e.to_string()))?
}

/// The writer, locked; only made when there is one (so the deref below always finds it).
struct WriterGuard<'a>(std::sync::MutexGuard<'a, Option<IndexWriter>>);

impl std::ops::Deref for WriterGuard<'_> {
    type Target = IndexWriter;
    fn deref(&self) -> &IndexWriter {
        match self.0.as_ref() {
            Some(w) => w,
            None => unreachable!("WriterGuard is only built around a writer"),
        }
    }
}

impl std::ops::DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut IndexWriter {
        match self.0.as_mut() {
            Some(w) => w,
            None => unreachable!("WriterGuard is only built around a writer"),
        }
    }
}

impl Inner {
    fn concepts(&self) -> Arc<ConceptIndex> {
        match self.concepts.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_concepts(&self, concepts: Arc<ConceptIndex>) {
        match self.concepts.write() {
            Ok(mut c) => *c = concepts,
            Err(poisoned) => *poisoned.into_inner() = concepts,
        }
        self.concepts_epoch
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut cache) = self.browse_cache.lock() {
            cache.entries.clear();
        }
    }

    fn lock_writer(&self) -> Result<WriterGuard<'_>, SearchError> {
        let guard = self
            .writer
            .lock()
            .map_err(|_| SearchError::Other("search index writer lock poisoned".into()))?;
        if guard.is_none() {
            return Err(SearchError::Other(
                "this process reads a shared search index; another process holds its writer".into(),
            ));
        }
        Ok(WriterGuard(guard))
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<(), SearchError> {
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn to_document(&self, d: &ListingDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.style_id, d.style_id);
        doc.add_text(f.display, d.stored_display());
        for (i, locale) in Locale::ALL.into_iter().enumerate() {
            let lf = f.text[i];
            let attrs = d.attribute_text(locale);
            for (field, text) in [
                (lf.title, d.title.get(locale)),
                (lf.attrs, attrs.as_str()),
                (lf.desc, d.description.get(locale)),
            ] {
                if !text.is_empty() {
                    doc.add_text(field, text);
                }
            }
        }
        let concepts = self.concepts();
        for c in concepts.doc_concepts(d) {
            doc.add_text(f.concepts, &c);
        }
        for c in concepts.category_concepts(d) {
            doc.add_text(f.category_concepts, &c);
        }
        doc.add_text(f.names, names_text(d));
        for c in d.effective_category_path() {
            doc.add_text(f.category, &c);
        }
        for c in &d.colours {
            doc.add_text(f.colour, c);
        }
        let families = if d.colour_families.is_empty() {
            ListingDoc::colour_families_of(&d.colours)
        } else {
            d.colour_families.clone()
        };
        for c in &families {
            doc.add_text(f.colour_family, c);
        }
        for s in &d.sizes {
            doc.add_text(f.size, s);
        }
        doc.add_text(f.stock, d.stock.as_str());
        doc.add_u64(f.price, d.price_krw.max(0) as u64);
        doc.add_u64(f.moq, u64::from(d.moq));
        doc.add_u64(f.same_day, u64::from(d.same_day));
        doc.add_u64(f.orderable, u64::from(d.stock.is_orderable()));
        doc.add_i64(f.wholesaler, d.wholesaler.id);
        doc.add_i64(f.created_at, d.created_at);
        doc.add_u64(f.has_photo, u64::from(d.thumbnail_url.is_some()));
        let (bits, sizes) = pack_facets(d, &families);
        doc.add_u64(f.facet_bits, bits);
        doc.add_u64(f.size_bits, sizes);
        for size in &d.measurements {
            for (m, mm) in size.present() {
                doc.add_u64(f.measures[m as usize], u64::from(mm));
            }
        }
        doc
    }

    fn upsert(&self, docs: &[ListingDoc]) -> Result<(), SearchError> {
        let prepared: Vec<(i64, TantivyDocument)> = docs
            .iter()
            .map(|d| (d.style_id, self.to_document(d)))
            .collect();
        let mut w = self.lock_writer()?;
        for (id, doc) in prepared {
            w.delete_term(Term::from_field_i64(self.fields.style_id, id));
            w.add_document(doc)?;
        }
        self.commit(&mut w)
    }

    fn delete(&self, ids: &[i64]) -> Result<(), SearchError> {
        let mut w = self.lock_writer()?;
        for id in ids {
            w.delete_term(Term::from_field_i64(self.fields.style_id, *id));
        }
        self.commit(&mut w)
    }

    fn rebuild(&self, docs: Vec<ListingDoc>) -> Result<(), SearchError> {
        let mut w = self.lock_writer()?;
        w.delete_all_documents()?;
        for chunk in docs.chunks(1024) {
            for d in chunk {
                w.add_document(self.to_document(d))?;
            }
        }
        self.commit(&mut w)
    }

    fn clear(&self) -> Result<(), SearchError> {
        let mut w = self.lock_writer()?;
        w.delete_all_documents()?;
        self.commit(&mut w)
    }

    /// A rebuild's batch: added to the writer without a commit, so searches keep the old
    /// content until [`Inner::finish_rebuild`]; the first batch drops every document (also
    /// only at that commit). One commit instead of one per batch, and no per-document delete.
    fn rebuild_batch(&self, docs: &[ListingDoc], first: bool) -> Result<(), SearchError> {
        let prepared: Vec<TantivyDocument> = docs.iter().map(|d| self.to_document(d)).collect();
        let w = self.lock_writer()?;
        if first {
            w.delete_all_documents()?;
        }
        for doc in prepared {
            w.add_document(doc)?;
        }
        Ok(())
    }

    fn finish_rebuild(&self) -> Result<(), SearchError> {
        let mut w = self.lock_writer()?;
        self.commit(&mut w)?;
        drop(w);
        self.optimize()
    }

    fn optimize(&self) -> Result<(), SearchError> {
        let mut w = self.lock_writer()?;
        // The merge policy may be merging some of these segments in the background: a merge
        // that names a segment it has just replaced is refused, so read the committed
        // segments again and retry.
        let mut tries = 0;
        loop {
            let ids = w.index().searchable_segment_ids()?;
            if ids.len() <= 1 {
                break;
            }
            match w.merge(&ids).wait() {
                Ok(_) => break,
                Err(tantivy::TantivyError::InvalidArgument(_)) if tries < 20 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e.into()),
            }
        }
        w.garbage_collect_files().wait()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    fn analyze(&self, locale: Locale, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzers[locale_index(locale)].clone();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    /// Locales whose fields a piece of query text is looked up in: the query's locale, and the
    /// locales its script points to (Hangul → ko; kana → ja; hanzi → ja, zh-CN, zh-TW; Thai → th;
    /// Latin → en).
    fn locales_for(&self, primary: Locale, text: &str) -> Vec<Locale> {
        let mut out = vec![primary];
        let mut add = |l: Locale| {
            if !out.contains(&l) {
                out.push(l);
            }
        };
        for c in text.chars() {
            match c as u32 {
                0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => add(Locale::Ko),
                0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => add(Locale::Ja),
                0x0E00..=0x0E7F => add(Locale::Th),
                _ if is_dense_script(c) => {
                    add(Locale::ZhCn);
                    add(Locale::ZhTw);
                    add(Locale::Ja);
                }
                _ if c.is_ascii_alphabetic() => add(Locale::En),
                _ => {}
            }
        }
        out
    }

    /// Text match of one query word or span in the title and attributes of the
    /// given locales; `None` when it has no tokens.
    ///
    /// For a span that names a concept, the concept term finds the other languages; its text is
    /// then looked up in the primary locale only (intersecting bigram postings in every
    /// script-implied locale was most of the cost of a CJK query).
    fn text_unit(
        &self,
        primary: Locale,
        text: &str,
        concept_span: bool,
        exists: &Exists<'_>,
    ) -> Option<Box<dyn Query>> {
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut has_tokens = false;
        let locales = if concept_span {
            vec![primary]
        } else {
            self.locales_for(primary, text)
        };
        for locale in locales {
            // A simplified query finds traditional listings and the reverse.
            let converted = match locale {
                Locale::ZhCn => character_converter::traditional_to_simplified(text),
                Locale::ZhTw => character_converter::simplified_to_traditional(text),
                _ => std::borrow::Cow::Borrowed(text),
            };
            let tokens = self.analyze(locale, &converted);
            if tokens.is_empty() {
                continue;
            }
            has_tokens = true;
            let lf = self.fields.text[locale_index(locale)];
            let weight = if locale == primary { 1.0 } else { 0.6 };
            // A word the glossary knows is spelt right: no typo expansion (`skirt` must not
            // bring every `shirt`). Meilisearch gets the same list as `disableOnWords`.
            let fuzzy_ok = !concept_span && matches!(locale, Locale::En | Locale::Vi);
            let how: Vec<TokenMatch> = tokens.iter().map(|t| TokenMatch::of(t, fuzzy_ok)).collect();
            // Titles and attributes (which name the category, colours and materials) are
            // searched; descriptions are shown, not searched, on both backends: they were the
            // longest postings of a text query here and 37% of Meilisearch's indexing, for no
            // change on the judged set.
            // A concept span's text only ranks (its concept term matches), and ranks by the
            // title alone: scoring the attributes too was a second intersection of bigram
            // postings sought for every match, 13% of the engine's time over the benchmark's
            // mix, for 0.994 → 0.989 nDCG@10 on the judged set (four `jacket` queries).
            let fields: &[(Field, f32)] = if concept_span {
                &[(lf.title, 3.0)]
            } else {
                &[(lf.title, 3.0), (lf.attrs, 1.0)]
            };
            for &(field, boost) in fields {
                // Every token is required: one the field does not hold (and no typo reading
                // can find) leaves the field out.
                if !tokens
                    .iter()
                    .zip(&how)
                    .all(|(t, &h)| h != TokenMatch::Exact || exists(field, t))
                {
                    continue;
                }
                let per_token: Vec<Box<dyn Query>> = tokens
                    .iter()
                    .zip(&how)
                    .map(|(t, &h)| token_query(field, t, h, &self.columns))
                    .collect();
                let q: Box<dyn Query> = if per_token.len() == 1 {
                    per_token.into_iter().next()?
                } else {
                    Box::new(BooleanQuery::new(
                        per_token.into_iter().map(|q| (Occur::Must, q)).collect(),
                    ))
                };
                shoulds.push((Occur::Should, Box::new(BoostQuery::new(q, boost * weight))));
            }
        }
        if !shoulds.is_empty() {
            Some(Box::new(BooleanQuery::new(shoulds)))
        } else if has_tokens {
            // Words no field holds: nothing matches them (see [`matches_nothing`]).
            Some(Box::new(EmptyQuery))
        } else {
            None
        }
    }

    /// A query word in the style codes and wholesaler names; `None` when it has no tokens,
    /// [`EmptyQuery`] when the names hold none of them.
    fn names_unit(&self, text: &str, exists: &Exists<'_>) -> Option<Box<dyn Query>> {
        let tokens = self.analyze(Locale::Ko, text);
        if tokens.is_empty() {
            return None;
        }
        if !tokens.iter().all(|t| exists(self.fields.names, t)) {
            return Some(Box::new(EmptyQuery));
        }
        let q: Box<dyn Query> = Box::new(BooleanQuery::new(
            tokens
                .iter()
                .map(|t| {
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.names, t),
                            IndexRecordOption::WithFreqs,
                        )) as Box<dyn Query>,
                    )
                })
                .collect(),
        ));
        Some(Box::new(BoostQuery::new(q, 2.0)))
    }

    /// The query; whether it has text (ranks by score); what the collector adds to the score
    /// of a style by its category's facet value (see [`SegmentColumns::words`]).
    ///
    /// Clauses on terms the index does not hold are left out (`exists`): each was an empty
    /// branch of a union, and tantivy still merged the other branches through a buffered union
    /// (a wholesaler-name clause around every concept was a full extra pass over the matches).
    fn build_query(&self, q: &SearchQuery, exists: &Exists<'_>) -> Result<BuiltQuery, SearchError> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut has_text = false;
        let mut category_bonus: Option<Arc<[f32; 256]>> = None;
        if let Some(text) = q.normalized_text()? {
            let norm = concepts::normalize(&text);
            let concept_index = self.concepts();
            // A concept matches by its term, and a colour concept also by its colour family
            // (`白` finds off-white and ivory too, as the colour filter does).
            let concept_terms = |ids: &[String], score: f32| -> Vec<(Occur, Box<dyn Query>)> {
                let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for c in ids {
                    let mut alternatives = vec![f.concepts];
                    if FAMILIES.contains(&c.as_str()) {
                        alternatives.push(f.colour_family);
                    }
                    for field in alternatives {
                        if exists(field, c) {
                            let t = term(field, c);
                            out.push((Occur::Should, Box::new(ConstScoreQuery::new(t, score))));
                        }
                    }
                }
                out
            };
            // A style filed under the concept's category ranks above one whose title merely
            // names it (`와이드 슬랙스` filed as wide pants).
            let category_boost = |ids: &[String]| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(
                    ids.iter()
                        .filter(|c| exists(f.category_concepts, c))
                        .map(|c| {
                            (
                                Occur::Should,
                                Box::new(ConstScoreQuery::new(term(f.category_concepts, c), 1.0))
                                    as Box<dyn Query>,
                            )
                        })
                        .collect(),
                ))
            };
            // Units: (query, for a colour: what matches it without scoring, the concepts whose
            // category ranks a style up). Each word or span may also name a style code or a
            // wholesaler.
            // And the categories whose name in the buyer's language holds the span's text.
            type Unit = (
                Box<dyn Query>,
                Option<Box<dyn Query>>,
                Vec<String>,
                Vec<usize>,
            );
            let mut units: Vec<Unit> = Vec::new();
            let with_names = |unit: Option<Box<dyn Query>>, text: &str| -> Option<Box<dyn Query>> {
                let names = self.names_unit(text, exists);
                match (unit, names) {
                    // Either side alone when the other matches nothing: no union to merge.
                    (Some(u), Some(n)) if matches_nothing(&*n) => Some(u),
                    (Some(u), Some(n)) if matches_nothing(&*u) => Some(n),
                    (Some(u), Some(n)) => Some(Box::new(BooleanQuery::new(vec![
                        (Occur::Should, u),
                        (Occur::Should, n),
                    ]))),
                    (u, n) => u.or(n),
                }
            };
            for part in concept_index.query_parts(&norm) {
                match part {
                    QueryPart::Word { start, end, fuzzy } => {
                        let w = &norm[start..end];
                        let text = self.text_unit(q.locale, w, false, exists);
                        // A kana or hanzi word that names no concept as typed may be a typo
                        // of one (`カーデガン`): its concept then counts, below an exact match.
                        let unit: Option<Box<dyn Query>> = match fuzzy {
                            Some(m) => {
                                let mut shoulds = concept_terms(&m.concepts, 1.5);
                                shoulds.push((Occur::Should, category_boost(&m.concepts)));
                                shoulds.extend(
                                    text.filter(|t| !matches_nothing(&**t))
                                        .map(|t| (Occur::Should, t)),
                                );
                                Some(Box::new(BooleanQuery::new(shoulds)))
                            }
                            None => text,
                        };
                        units
                            .extend(with_names(unit, w).map(|u| (u, None, Vec::new(), Vec::new())));
                    }
                    QueryPart::Concepts { span, colour } => {
                        // The concept is required; its text in the buyer's language ranks,
                        // and so does a category filed under it (added by the collector from
                        // the category column: as postings it was 7% of query time).
                        let span_text = &norm[span.start..span.end];
                        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(
                            Occur::Must,
                            Box::new(BooleanQuery::new(concept_terms(&span.concepts, 2.0))),
                        )];
                        if let Some(u) = self.text_unit(q.locale, span_text, true, exists)
                            && !matches_nothing(&*u)
                        {
                            parts.push((Occur::Should, u));
                        }
                        let unit: Box<dyn Query> = Box::new(BooleanQuery::new(parts));
                        // Next to a garment a colour only ranks by a constant (below): matching
                        // is all it needs, without the text and category clauses that score.
                        let matcher = colour.then(|| {
                            let terms = concept_terms(&span.concepts, 2.0);
                            with_names(Some(Box::new(BooleanQuery::new(terms))), span_text)
                        });
                        if let Some(u) = with_names(Some(unit), span_text) {
                            let named = categories_named(q.locale, span_text);
                            units.push((u, matcher.flatten(), span.concepts, named));
                        }
                    }
                }
            }
            if !units.is_empty() {
                has_text = true;
                // A colour word next to other words ranks rather than filters: `黒 スラックス`
                // shows the black slacks first, then the other slacks (a buyer asked for slacks).
                let narrowing = units.iter().any(|(_, colour, _, _)| colour.is_none());
                let by_category = concept_index.concepts_by_category();
                for (_, colour, ranked, named) in &units {
                    if ranked.is_empty() || (colour.is_some() && narrowing) {
                        continue;
                    }
                    let bonus = category_bonus.get_or_insert_with(|| Arc::new([0.0; 256]));
                    let bonus = Arc::make_mut(bonus);
                    for (i, concepts) in by_category.iter().enumerate() {
                        // 1 for each of the span's concepts the category is filed under (as
                        // each was a constant-score clause), at the category's facet value.
                        let n = ranked.iter().filter(|c| concepts.contains(c)).count();
                        if let Some(b) = bonus.get_mut(i + 1) {
                            *b += n as f32;
                        }
                    }
                    for &i in named {
                        if let Some(b) = bonus.get_mut(i + 1) {
                            *b += CATEGORY_NAMED_BONUS;
                        }
                    }
                }
                clauses.extend(units.into_iter().map(|(u, colour, _, _)| match colour {
                    // A constant above any difference in text scores among the garments:
                    // every style of the colour comes before the others.
                    Some(matcher) if narrowing => (
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(matcher, 100.0)) as Box<dyn Query>,
                    ),
                    _ => (Occur::Must, u),
                }));
            }
        }
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(cat) = &q.category {
            filters.push(term(f.category, cat));
        }
        // With text or a category to lead an unscored search (a field sort), colour families
        // and sizes are checked by the collector from the match's facet word
        // ([`SegmentSortedFacets::keeps`]): as postings, every candidate seeked in a long list
        // (a colour family holds a tenth of the catalog); text+colour by price: 0.31 → 0.20 ms.
        // Alone, their postings lead (fewer documents than every one). Ranked by score, they
        // stay postings: every text match would be scored before the collector dropped it
        // (0.54 → 0.65 ms).
        let scored = has_text && q.sort == Sort::Relevance;
        let led = (!clauses.is_empty() || q.category.is_some()) && !scored;
        let in_collector = |values: &[String], index: &dyn Fn(&str) -> Option<usize>| {
            (led && !values.is_empty())
                .then(|| bit_mask(values, index))
                .flatten()
        };
        let tail_filter = TailFilter {
            families: in_collector(&q.colour_families, &|v| {
                FAMILIES.iter().position(|f| *f == v)
            }),
            sizes: in_collector(&q.sizes, &|v| {
                catalog::sizes().all().iter().position(|s| s.code == v)
            }),
        };
        for (field, values, kept) in [
            (
                f.colour_family,
                &q.colour_families,
                tail_filter.families.is_some(),
            ),
            (f.colour, &q.colours, false),
            (f.size, &q.sizes, tail_filter.sizes.is_some()),
        ] {
            if !values.is_empty() && !kept {
                filters.push(any_of(values.iter().map(|v| term(field, v)).collect()));
            }
        }
        // The price window is checked by the collector against the price column it holds:
        // as a range query, every candidate of a text query seeked in the range's doc set.
        let mut price = None;
        if q.price_min_krw.is_some() || q.price_max_krw.is_some() {
            if q.price_max_krw.is_some_and(|v| v < 0) {
                filters.push(Box::new(EmptyQuery));
            } else {
                price = Some((
                    q.price_min_krw.map_or(0, |v| v.max(0) as u64),
                    q.price_max_krw.map_or(u64::MAX, |v| v as u64),
                ));
            }
        }
        if let Some(m) = q.moq_max {
            filters.push(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_u64(f.moq, u64::from(m))),
            )));
        }
        for r in &q.measures {
            let field = f.measures[r.measure as usize];
            let bound = |v: Option<u32>| {
                v.map_or(Bound::Unbounded, |mm| {
                    Bound::Included(Term::from_field_u64(field, u64::from(mm)))
                })
            };
            filters.push(Box::new(RangeQuery::new(bound(r.min_mm), bound(r.max_mm))));
        }
        if let Some(s) = q.same_day {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_u64(f.same_day, u64::from(s)),
                IndexRecordOption::Basic,
            )));
        }
        if let Some(w) = q.wholesaler {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_i64(f.wholesaler, w),
                IndexRecordOption::Basic,
            )));
        }
        for filter in filters {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        // Unavailable styles are left out by the collector, from a bit set read off the
        // `orderable` postings once per segment (see [`UNAVAILABLE`]).
        if clauses.is_empty() {
            return Ok(BuiltQuery {
                query: Box::new(AllQuery),
                has_text: false,
                category_bonus: None,
                price,
                tail_filter,
            });
        }
        Ok(BuiltQuery {
            query: Box::new(BooleanQuery::new(clauses)),
            has_text,
            category_bonus,
            price,
            tail_filter,
        })
    }

    fn search(&self, q: &SearchQuery) -> Result<SearchResult, SearchError> {
        let started = Instant::now();
        q.validate()?;
        let searcher = self.reader.searcher();
        // Text queries are cached too, by their normalised text and locale (which picks the
        // analyzer and the hits' titles): buyers repeat the popular searches, and a text query
        // costs ~2 ms of a core where a cached answer costs microseconds.
        let text = q.normalized_text()?;
        let cache_key = self
            .cache_enabled
            .load(std::sync::atomic::Ordering::Relaxed)
            .then(|| {
                serde_json::to_string(&SearchQuery {
                    q: text,
                    ..q.clone()
                })
                .ok()
            })
            .flatten();
        let generation = searcher.generation().generation_id();
        if let Some(key) = &cache_key
            && let Ok(cache) = self.browse_cache.lock()
            && cache.generation == generation
            && let Some(hit) = cache.entries.get(key)
        {
            let mut r = hit.clone();
            r.took_ms = started.elapsed().as_millis() as u64;
            return Ok(r);
        }
        let result = self.search_uncached(q, &searcher, started)?;
        if let Some(key) = cache_key
            && let Ok(mut cache) = self.browse_cache.lock()
        {
            if cache.generation != generation || cache.entries.len() >= BROWSE_CACHE_ENTRIES {
                cache.entries.clear();
                cache.generation = generation;
            }
            cache.entries.insert(key, result.clone());
        }
        Ok(result)
    }

    fn search_uncached(
        &self,
        q: &SearchQuery,
        searcher: &tantivy::Searcher,
        started: Instant,
    ) -> Result<SearchResult, SearchError> {
        let exists = |field: Field, text: &str| {
            searcher
                .doc_freq(&Term::from_field_text(field, text))
                .map_or(true, |n| n > 0)
        };
        let BuiltQuery {
            query,
            has_text,
            category_bonus,
            price,
            tail_filter,
        } = self.build_query(q, &exists)?;
        let key = match q.sort {
            Sort::Relevance if has_text => SortKey::Score,
            Sort::PriceAsc => SortKey::PriceAsc,
            Sort::PriceDesc => SortKey::PriceDesc,
            Sort::Relevance | Sort::Newest => SortKey::Newest,
        };
        let collector = SortedFacets {
            columns: self.columns.clone(),
            category_bonus,
            skip_unavailable: !q.include_unavailable,
            price,
            tail_filter,
            key,
            offset: q.offset(),
            limit: q.per_page as usize,
        };
        // Every document carries a same-day bit, so the facet counts also give the total.
        let (docs, facets) = searcher.search(&query, &collector)?;
        let addrs: Vec<(Score, DocAddress)> = docs
            .into_iter()
            .map(|(k, a)| {
                let score = if key == SortKey::Score {
                    score_of_key(k)
                } else {
                    0.0
                };
                (score, a)
            })
            .collect();
        let total = facets.same_day.yes + facets.same_day.no;
        let mut segments: HashMap<u32, (Column<i64>, Arc<SegmentColumns>)> = HashMap::new();
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let (col, columns) = match segments.get(&addr.segment_ord) {
                Some(c) => c.clone(),
                None => {
                    let segment = searcher.segment_reader(addr.segment_ord);
                    let c = (
                        segment.fast_fields().i64("style_id")?,
                        self.columns.of(segment)?,
                    );
                    segments.insert(addr.segment_ord, c.clone());
                    c
                }
            };
            if let Some(style_id) = col.first(addr.doc_id) {
                let display = match columns.displays.get(addr.doc_id as usize) {
                    Some(cell) => match cell.get() {
                        Some(json) => HitDisplay::from_stored(json, q.locale),
                        None => {
                            let stored: TantivyDocument = searcher.doc(addr)?;
                            let json = stored
                                .get_first(self.fields.display)
                                .and_then(|v| tantivy::schema::Value::as_str(&v))
                                .unwrap_or_default();
                            let display = HitDisplay::from_stored(json, q.locale);
                            let _ = cell.set(json.into());
                            display
                        }
                    },
                    None => None,
                };
                hits.push(Hit {
                    style_id,
                    score,
                    display,
                });
            }
        }
        Ok(SearchResult {
            total,
            hits,
            facets,
            took_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// What the `names` field holds: the style code as written and without separators, the
/// wholesaler's name and its romanisation (spaced and glued).
pub(crate) fn names_text(d: &ListingDoc) -> String {
    let code_glued: String = d
        .style_code
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let roman = ddhub_translate::romanize::romanize(&d.wholesaler.name);
    format!(
        "{} {code_glued} {} {roman}",
        d.style_code, d.wholesaler.name
    )
}

/// What a style gains when its category's name in the buyer's language holds the words of a
/// concept span (`jacket` → Jackets, not Blousons & windbreakers, though the glossary reads
/// both 자켓 and 점퍼 as `jacket`). The attribute line, which ends in that name, used to give
/// this through its text score; searching it for every concept span was 13% of the engine's
/// time, and the category's name is known without any postings.
const CATEGORY_NAMED_BONUS: f32 = 3.0;

/// The categories (index in the vocabulary) whose name in `locale` holds `span_text`: for each
/// locale, the names normalised as queries are, once; simplified and traditional Chinese
/// compared in the locale's script.
fn categories_named(locale: Locale, span_text: &str) -> Vec<usize> {
    static NAMES: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        Locale::ALL
            .iter()
            .map(|&l| {
                catalog::categories()
                    .all()
                    .iter()
                    .map(|c| concepts::normalize(c.labels.get(l)))
                    .collect()
            })
            .collect()
    });
    let text = match locale {
        Locale::ZhCn => character_converter::traditional_to_simplified(span_text),
        Locale::ZhTw => character_converter::simplified_to_traditional(span_text),
        _ => std::borrow::Cow::Borrowed(span_text),
    };
    if text.trim().is_empty() {
        return Vec::new();
    }
    names
        .get(locale_index(locale))
        .map(|names| {
            names
                .iter()
                .enumerate()
                .filter(|(_, name)| name.contains(text.as_ref()))
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a query was built to match nothing: its words are in no field of the index.
fn matches_nothing(q: &dyn Query) -> bool {
    q.is::<EmptyQuery>()
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// How [`token_query`] matches a query token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TokenMatch {
    /// The token itself and no other way: a token the field does not hold matches nothing.
    Exact,
    /// Exactly, or a Latin word within this many edits (one from 5 characters, two from 9).
    Fuzzy(u8),
    /// Exactly, or a lone CJK/Hangul character inside the bigrams the field holds.
    InsideBigrams(char),
}

impl TokenMatch {
    fn of(token: &str, fuzzy_ok: bool) -> TokenMatch {
        let mut chars = token.chars();
        let (first, second) = (chars.next(), chars.next());
        if let (Some(c), None) = (first, second)
            && is_dense_script(c)
        {
            return TokenMatch::InsideBigrams(c);
        }
        let len = token.chars().count();
        let latin = token
            .chars()
            .all(|c| c.is_alphabetic() && !is_dense_script(c));
        match (fuzzy_ok && latin, len) {
            (true, 9..) => TokenMatch::Fuzzy(2),
            (true, 5..) => TokenMatch::Fuzzy(1),
            _ => TokenMatch::Exact,
        }
    }
}

/// Exact token, plus a fuzzy match for Latin words scored well below an exact match, or for a
/// lone CJK/Hangul character a match inside bigrams (see [`TokenMatch`]).
fn token_query(
    field: Field,
    token: &str,
    how: TokenMatch,
    columns: &Arc<DecodedColumns>,
) -> Box<dyn Query> {
    let exact: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_text(field, token),
        IndexRecordOption::WithFreqs,
    ));
    let other: Box<dyn Query> = match how {
        TokenMatch::Exact => return exact,
        TokenMatch::Fuzzy(distance) => Box::new(BoostQuery::new(
            Box::new(FuzzyTermQuery::new(
                Term::from_field_text(field, token),
                distance,
                true,
            )),
            0.2,
        )),
        TokenMatch::InsideBigrams(c) => Box::new(ConstScoreQuery::new(
            Box::new(LoneCharQuery {
                field,
                c,
                columns: columns.clone(),
            }),
            0.5,
        )),
    };
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, exact),
        (Occur::Should, other),
    ]))
}

/// The documents whose field holds a two-character term with the character `c` (a lone CJK
/// or Hangul character typed as a query, inside the bigrams titles are indexed as). The
/// terms come from the segment's [`SegmentColumns::lone_chars`], read off the dictionary when
/// the segment was warmed: as a regex `c.|.c` each such query built an automaton and walked
/// every term of the field (a one-character query cost 3–5 ms, the slowest of the mix).
#[derive(Clone)]
struct LoneCharQuery {
    field: Field,
    c: char,
    columns: Arc<DecodedColumns>,
}

impl std::fmt::Debug for LoneCharQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LoneCharQuery({:?}, {:?})", self.field, self.c)
    }
}

impl Query for LoneCharQuery {
    fn weight(&self, _: tantivy::query::EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for LoneCharQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let columns = self.columns.of(reader)?;
        let Some(terms) = columns
            .lone_chars
            .get(&self.field)
            .and_then(|by_char| by_char.get(&self.c))
        else {
            return Ok(Box::new(tantivy::query::EmptyScorer));
        };
        let inverted = reader.inverted_index(self.field)?;
        let mut docs = tantivy_common::BitSet::with_max_value(reader.max_doc());
        for info in terms {
            let mut postings =
                inverted.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
            loop {
                let block = postings.docs();
                if block.is_empty() {
                    break;
                }
                for &doc in block {
                    docs.insert(doc);
                }
                postings.advance();
            }
        }
        Ok(Box::new(tantivy::query::ConstScorer::new(
            tantivy::query::BitSetDocSet::from(docs),
            boost,
        )))
    }

    fn explain(
        &self,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(tantivy::query::Explanation::new(
            "a term holding the character",
            1.0,
        ))
    }
}

/// The values of a column every document has, read directly (batch reads unpack whole blocks);
/// other columns go through their index with a default.
fn dense<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static>(
    column: Column<T>,
    default: T,
) -> Arc<dyn ColumnValues<T>> {
    match column.index {
        ColumnIndex::Full => column.values,
        _ => column.first_or_default_col(default),
    }
}

/// Decompressed blocks of stored documents kept per segment (16 KiB each). A hit's display is
/// read from the store once and then kept by document ([`SegmentColumns::displays`]), so this
/// cache only serves the first reads. At most 4 MiB.
const DOC_STORE_CACHE_BLOCKS: usize = 256;

/// The columns every search reads for each match (facets, sort keys), decoded from the fast
/// fields into plain arrays once per segment: reading the bit-packed columns through tantivy's
/// column interface was a tenth of an uncached search's profile. ~23 bytes a style (2.3 MB for
/// 100,000). A [`tantivy::Warmer`] decodes new segments at each reload, before searches see them; a
/// segment no live searcher holds is dropped.
///
/// What the collector reads of a match is one word per style ([`SegmentColumns::words`]): its
/// facet values as two small numbers (see [`SegmentFacets`]), whether it has a photo and
/// whether it can be ordered.
struct SegmentColumns {
    /// Per document: bits 0–11 its head (`category index + 1` (0: none) × 16 + price bucket
    /// × 2 + same day), bit 12 [`HAS_PHOTO`], bit 13 [`UNAVAILABLE`], bits 32–63 the index
    /// of its (colour-family set, size set) pair in [`SegmentColumns::tails`]. One read per
    /// match: as five columns (head, family set, size set, photo, an availability bit set),
    /// each match cost five cache misses over a large result.
    words: Vec<u64>,
    /// The distinct (colour-family bit set, size bit set) pairs of the segment (bits as in
    /// [`pack_facets`]), by index; a catalog has few.
    tails: Vec<(u64, u64)>,
    created: Vec<i64>,
    price: Vec<u64>,
    /// Every document in the order of each field sort ([`SortKey::order_index`]): a sorted
    /// query takes its page by walking this order past the documents it did not match,
    /// instead of keeping a running top list. Styles are indexed oldest first, so for
    /// "newest" nearly every match beat the running list and was pushed and pruned (a third
    /// of a browse page's cost).
    orders: [Vec<DocId>; 3],
    /// Per text field, the two-character terms by each dense-script character they hold
    /// (see [`LoneCharQuery`]).
    lone_chars: HashMap<Field, HashMap<char, Vec<tantivy::postings::TermInfo>>>,
    /// Each document's stored display (JSON, see [`HitDisplay`]) once a page has shown it.
    /// Reading it from the store each time (the block cache's lookup, the skip index, the
    /// document's decoding) was 8% of an uncached search; kept, a display costs its length
    /// (~350 bytes a style), at most the store's size unpacked.
    displays: Vec<std::sync::OnceLock<Box<str>>>,
}

/// Heads a [`SegmentColumns::words`] can hold: 256 category values × 8 buckets × 2.
const HEADS: usize = 256 * 16;
const HEAD_MASK: u64 = HEADS as u64 - 1;
/// In a [`SegmentColumns::words`] word: the style has a ready photo.
const HAS_PHOTO: u64 = 1 << 12;
/// In a [`SegmentColumns::words`] word: the style cannot be ordered (sold out, archived).
/// Searches leave it out in the collector: as a `MustNot` clause every candidate seeked in
/// the `orderable` postings (5% of query time).
const UNAVAILABLE: u64 = 1 << 13;

impl SegmentColumns {
    fn decode(segment: &SegmentReader, text_fields: &[Field]) -> tantivy::Result<SegmentColumns> {
        fn all<T: PartialOrd + Copy + Default + std::fmt::Debug + Send + Sync + 'static>(
            column: Column<T>,
            default: T,
            max_doc: u32,
        ) -> Vec<T> {
            let values = dense(column, default);
            let docs: Vec<DocId> = (0..max_doc).collect();
            let mut out = vec![T::default(); max_doc as usize];
            values.get_vals(&docs, &mut out);
            out
        }
        let ff = segment.fast_fields();
        let n = segment.max_doc();
        let bits = all(ff.u64("facet_bits")?, 0, n);
        let size_bits = all(ff.u64("size_bits")?, 0, n);
        let created = all(ff.i64("created_at")?, i64::MIN, n);
        let price = all(ff.u64("price")?, 0, n);
        let photo: Vec<bool> = all(ff.u64("has_photo")?, 0, n)
            .into_iter()
            .map(|p| p != 0)
            .collect();
        let order = |key: SortKey| -> Vec<DocId> {
            let keys: Vec<u64> = (0..n as usize)
                .map(|d| key.of(created[d], price[d], photo[d]))
                .collect();
            let mut docs: Vec<DocId> = (0..n).collect();
            // Larger keys first, ties to the lower document (as the top lists merge).
            docs.sort_unstable_by(|&a, &b| keys[b as usize].cmp(&keys[a as usize]).then(a.cmp(&b)));
            docs
        };
        let orders = [
            order(SortKey::Newest),
            order(SortKey::PriceAsc),
            order(SortKey::PriceDesc),
        ];
        // Each document's (colour families, sizes) pair interned in order of first appearance.
        let mut tail_index: HashMap<(u64, u64), u64> = HashMap::new();
        let mut tails = Vec::new();
        let mut words: Vec<u64> = (0..n as usize)
            .map(|d| {
                let b = bits[d];
                let head = ((b & 0xFF) << 4) | (((b >> 24) & 0x7) << 1) | ((b >> 27) & 1);
                let pair = ((b >> 8) & 0xFFFF, size_bits[d]);
                let tail = *tail_index.entry(pair).or_insert_with(|| {
                    tails.push(pair);
                    tails.len() as u64 - 1
                });
                let photo = if photo[d] { HAS_PHOTO } else { 0 };
                head | photo | (tail << 32)
            })
            .collect();
        let orderable = segment.schema().get_field("orderable")?;
        use tantivy::DocSet as _;
        if let Some(mut postings) = segment.inverted_index(orderable)?.read_postings(
            &Term::from_field_u64(orderable, 0),
            IndexRecordOption::Basic,
        )? {
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if let Some(w) = words.get_mut(doc as usize) {
                    *w |= UNAVAILABLE;
                }
                doc = postings.advance();
            }
        }
        let mut lone_chars = HashMap::new();
        for &field in text_fields {
            let mut by_char: HashMap<char, Vec<tantivy::postings::TermInfo>> = HashMap::new();
            let inverted = segment.inverted_index(field)?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                let Ok(text) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                let mut chars = text.chars();
                if let (Some(a), Some(b), None) = (chars.next(), chars.next(), chars.next()) {
                    if is_dense_script(a) {
                        by_char.entry(a).or_default().push(terms.value().clone());
                    }
                    if b != a && is_dense_script(b) {
                        by_char.entry(b).or_default().push(terms.value().clone());
                    }
                }
            }
            if !by_char.is_empty() {
                lone_chars.insert(field, by_char);
            }
        }
        Ok(SegmentColumns {
            displays: (0..n).map(|_| std::sync::OnceLock::new()).collect(),
            lone_chars,
            words,
            tails,
            created,
            price,
            orders,
        })
    }
}

/// [`SegmentColumns`] by segment.
struct DecodedColumns {
    by_segment: Mutex<HashMap<tantivy::index::SegmentId, Arc<SegmentColumns>>>,
    /// The searched text fields (titles and attributes), whose terms
    /// [`SegmentColumns::lone_chars`] indexes.
    text_fields: Vec<Field>,
}

impl DecodedColumns {
    /// The segment's columns, decoded now if the warmer has not (a searcher that predates it).
    fn of(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let id = segment.segment_id();
        if let Ok(map) = self.by_segment.lock()
            && let Some(c) = map.get(&id)
        {
            return Ok(c.clone());
        }
        let decoded = Arc::new(SegmentColumns::decode(segment, &self.text_fields)?);
        if let Ok(mut map) = self.by_segment.lock() {
            map.insert(id, decoded.clone());
        }
        Ok(decoded)
    }
}

impl tantivy::Warmer for DecodedColumns {
    fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.of(segment)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&tantivy::SearcherGeneration]) {
        let live: std::collections::HashSet<tantivy::index::SegmentId> = live_generations
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        if let Ok(mut map) = self.by_segment.lock() {
            map.retain(|id, _| live.contains(id));
        }
    }
}

/// Counts facet values over every match: one increment per match in each of two histograms
/// (category × price bucket × same day, and the (colour-family set, size set) pair), spread
/// into the per-value counts once per segment at the end. Counting each value of each match
/// (about ten increments behind data-dependent loops) was a fifth of an uncached search.
/// The segment's columns are the caller's ([`SegmentSortedFacets`] holds them).
struct SegmentFacets {
    heads: Vec<u32>,
    tails: Vec<u32>,
}

impl SegmentFacets {
    /// Counts one match by its [`SegmentColumns::words`] word.
    #[inline]
    fn count(&mut self, word: u64) {
        self.heads[(word & HEAD_MASK) as usize] += 1;
        self.tails[(word >> 32) as usize] += 1;
    }

    /// The counts, spread from the histograms (`c`: this segment's columns).
    fn harvest(self, c: &SegmentColumns) -> Box<SegmentCounts> {
        let mut counts = SegmentCounts::zero();
        for (head, &n) in self.heads.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let n = u64::from(n);
            counts.category[head >> 4] += n;
            counts.price[((head >> 1) & 0x7).min(5)] += n;
            counts.same_day[head & 1] += n;
        }
        fn spread(n: u64, mut bits: u64, out: &mut [u64]) {
            while bits != 0 {
                out[bits.trailing_zeros() as usize] += n;
                bits &= bits - 1;
            }
        }
        for (&n, &(families, sizes)) in self.tails.iter().zip(&c.tails) {
            if n != 0 {
                spread(u64::from(n), families, &mut counts.family);
                spread(u64::from(n), sizes, &mut counts.size);
            }
        }
        Box::new(counts)
    }
}

/// Raw per-segment counts, turned into [`Facets`] once after merging.
struct SegmentCounts {
    category: [u64; 256],
    family: [u64; 16],
    price: [u64; 6],
    same_day: [u64; 2],
    size: [u64; 64],
}

impl SegmentCounts {
    fn zero() -> SegmentCounts {
        SegmentCounts {
            category: [0; 256],
            family: [0; 16],
            price: [0; 6],
            same_day: [0; 2],
            size: [0; 64],
        }
    }
}

impl SegmentFacets {
    fn new(c: &SegmentColumns) -> SegmentFacets {
        SegmentFacets {
            heads: vec![0; HEADS],
            tails: vec![0; c.tails.len()],
        }
    }
}

/// The facets of the whole result from each segment's counts.
fn merge_counts(fruits: impl IntoIterator<Item = Box<SegmentCounts>>) -> Facets {
    let mut sum = SegmentCounts::zero();
    for f in fruits {
        fn add<const N: usize>(dst: &mut [u64; N], src: &[u64; N]) {
            for (d, s) in dst.iter_mut().zip(src) {
                *d += s;
            }
        }
        add(&mut sum.category, &f.category);
        add(&mut sum.family, &f.family);
        add(&mut sum.price, &f.price);
        add(&mut sum.same_day, &f.same_day);
        add(&mut sum.size, &f.size);
    }
    let mut category: BTreeMap<String, u64> = BTreeMap::new();
    let cats = catalog::categories().all();
    for (i, &n) in sum.category.iter().enumerate().skip(1) {
        if n == 0 {
            continue;
        }
        if let Some(leaf) = cats.get(i - 1) {
            for c in leaf.lineage() {
                *category.entry(c.code.to_string()).or_insert(0) += n;
            }
        }
    }
    let colour = FAMILIES
        .iter()
        .zip(sum.family)
        .filter(|(_, n)| *n > 0)
        .map(|(f, n)| ((*f).to_string(), n))
        .collect();
    let size = catalog::sizes()
        .all()
        .iter()
        .zip(sum.size)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (s.code.to_string(), n))
        .collect();
    Facets {
        category,
        colour,
        size,
        price: Facets::price_from_counts(sum.price),
        same_day: crate::query::SameDayFacet {
            yes: sum.same_day[1],
            no: sum.same_day[0],
        },
    }
}

/// The order of the top documents: a fast field, or the text score.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Newest,
    PriceAsc,
    PriceDesc,
    /// Styles with a photo first, each group by score.
    Score,
}

impl SortKey {
    /// The key of a document for a field sort, larger first. The top bit says the style has a
    /// photo (those sort first); the 63 below it carry the sort key (creation time loses its
    /// lowest bit, 2 ms, to make room; a price never reaches 2^63). Zero below the photo bit
    /// for [`SortKey::Score`], whose key is the score.
    fn of(self, created: i64, price: u64, photo: bool) -> u64 {
        const LOW: u64 = (1 << 63) - 1;
        let low = match self {
            SortKey::Newest => ((created as u64) ^ (1 << 63)) >> 1,
            SortKey::PriceAsc => !price & LOW,
            SortKey::PriceDesc => price & LOW,
            SortKey::Score => 0,
        };
        (u64::from(photo) << 63) | low
    }

    /// Which of [`SegmentColumns::orders`] a field sort walks.
    fn order_index(self) -> Option<usize> {
        match self {
            SortKey::Newest => Some(0),
            SortKey::PriceAsc => Some(1),
            SortKey::PriceDesc => Some(2),
            SortKey::Score => None,
        }
    }
}

/// A score as bits that order as the scores do (larger is better).
fn score_bits(score: Score) -> u64 {
    let b = score.to_bits();
    u64::from(if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    })
}

/// The score back from [`score_bits`] (the low 32 bits of a key).
fn score_of_key(key: u64) -> Score {
    let b = key as u32;
    Score::from_bits(if b & 0x8000_0000 != 0 {
        b & 0x7FFF_FFFF
    } else {
        !b
    })
}

/// Facets and the top documents by a fast field or by score in one pass over the matches.
/// By score: a running top list. By a field: the matches are marked in a bit set and the page
/// is read off the segment's precomputed order ([`SegmentColumns::orders`]). Keys are mapped so
/// that larger is better; ties go to the lower document address.
struct SortedFacets {
    columns: Arc<DecodedColumns>,
    /// Added to a match's score by its category (see [`Inner::build_query`]).
    category_bonus: Option<Arc<[f32; 256]>>,
    /// Leave out the styles that cannot be ordered.
    skip_unavailable: bool,
    /// Keep only the styles priced in this window (won, inclusive).
    price: Option<(u64, u64)>,
    /// Keep only the styles of these colour families and sizes.
    tail_filter: TailFilter,
    key: SortKey,
    offset: usize,
    limit: usize,
}

struct SegmentSortedFacets {
    facets: SegmentFacets,
    columns: Arc<SegmentColumns>,
    skip_unavailable: bool,
    price: Option<(u64, u64)>,
    tail_filter: TailFilter,
    category_bonus: Option<Arc<[f32; 256]>>,
    key: SortKey,
    keep: usize,
    segment: u32,
    /// By score: candidates `(key, doc)`, pruned to `keep` when it doubles.
    best: Vec<(u64, DocId)>,
    threshold: Option<u64>,
    /// By a field: the matched documents, one bit each.
    matched: Vec<u64>,
}

impl SegmentSortedFacets {
    fn offer(&mut self, key: u64, doc: DocId) {
        if self.keep == 0 || self.threshold.is_some_and(|t| key < t) {
            return;
        }
        self.best.push((key, doc));
        if self.best.len() >= self.keep * 2 {
            self.prune();
        }
    }

    /// Whether a match is kept: orderable (unless asked for all), in the price window, of
    /// the colour families and sizes asked for.
    #[inline]
    fn keeps(&self, c: &SegmentColumns, doc: DocId, word: u64) -> bool {
        if self.skip_unavailable && word & UNAVAILABLE != 0 {
            return false;
        }
        if let Some((lo, hi)) = self.price
            && !(lo..=hi).contains(&c.price[doc as usize])
        {
            return false;
        }
        if self.tail_filter != TailFilter::default() {
            let (families, sizes) = c.tails[(word >> 32) as usize];
            let misses = |asked: Option<u64>, has: u64| asked.is_some_and(|m| m & has == 0);
            if misses(self.tail_filter.families, families) || misses(self.tail_filter.sizes, sizes)
            {
                return false;
            }
        }
        true
    }

    fn prune(&mut self) {
        if self.best.len() > self.keep {
            let keep = self.keep;
            self.best
                .select_nth_unstable_by(keep - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.best.truncate(keep);
            self.threshold = self.best.iter().map(|b| b.0).min();
        }
    }
}

impl SegmentCollector for SegmentSortedFacets {
    type Fruit = (Vec<(u64, DocAddress)>, Box<SegmentCounts>);

    fn collect_block(&mut self, docs: &[DocId]) {
        let c = &*self.columns;
        for &doc in docs {
            let word = c.words[doc as usize];
            if !self.keeps(c, doc, word) {
                continue;
            }
            self.facets.count(word);
            self.matched[(doc >> 6) as usize] |= 1 << (doc & 63);
        }
    }

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.key == SortKey::Score {
            let word = self.columns.words[doc as usize];
            if !self.keeps(&self.columns, doc, word) {
                return;
            }
            self.facets.count(word);
            let score = match &self.category_bonus {
                Some(b) => score + b[((word & HEAD_MASK) >> 4) as usize],
                None => score,
            };
            let photo = word & HAS_PHOTO != 0;
            self.offer((u64::from(photo) << 63) | score_bits(score), doc);
            return;
        }
        self.collect_block(&[doc]);
    }

    fn harvest(mut self) -> Self::Fruit {
        if let Some(order) = self.key.order_index() {
            // The first `keep` matches in the field's order: about keep × (segment ÷ matches)
            // bit tests, at most one per document.
            let c = &*self.columns;
            let mut found = 0;
            for &doc in &c.orders[order] {
                if found == self.keep {
                    break;
                }
                if self.matched[(doc >> 6) as usize] & (1 << (doc & 63)) != 0 {
                    let d = doc as usize;
                    let photo = c.words[d] & HAS_PHOTO != 0;
                    self.best
                        .push((self.key.of(c.created[d], c.price[d], photo), doc));
                    found += 1;
                }
            }
        } else {
            self.prune();
        }
        let segment = self.segment;
        let best = self
            .best
            .into_iter()
            .map(|(k, d)| (k, DocAddress::new(segment, d)))
            .collect();
        (best, self.facets.harvest(&self.columns))
    }
}

impl Collector for SortedFacets {
    /// The page's documents with their keys (see [`score_of_key`]), and the facets.
    type Fruit = (Vec<(u64, DocAddress)>, Facets);
    type Child = SegmentSortedFacets;

    fn for_segment(&self, ord: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let columns = self.columns.of(segment)?;
        Ok(SegmentSortedFacets {
            facets: SegmentFacets::new(&columns),
            columns,
            category_bonus: self.category_bonus.clone(),
            skip_unavailable: self.skip_unavailable,
            price: self.price,
            tail_filter: self.tail_filter,
            key: self.key,
            keep: self.offset + self.limit,
            segment: ord,
            best: Vec::new(),
            threshold: None,
            matched: if self.key == SortKey::Score {
                Vec::new()
            } else {
                vec![0; (segment.max_doc() as usize).div_ceil(64)]
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        self.key == SortKey::Score
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(u64, DocAddress)>, Box<SegmentCounts>)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut all = Vec::new();
        let mut counts = Vec::new();
        for (best, c) in fruits {
            all.extend(best);
            counts.push(c);
        }
        all.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let docs = all.into_iter().skip(self.offset).take(self.limit).collect();
        Ok((docs, merge_counts(counts)))
    }
}

const _: () = assert!(PRICE_BUCKETS.len() == 6);

#[async_trait]
impl SearchIndex for TantivyIndex {
    fn backend(&self) -> &'static str {
        "tantivy"
    }

    fn cache_generation(&self) -> Option<u64> {
        use std::sync::atomic::Ordering;
        if !self.inner.cache_enabled.load(Ordering::Relaxed) {
            return None;
        }
        // Commits are counted by the searcher generation; concept changes are rare, so
        // they take the high bits (2^40 commits before the two could meet).
        let commits = self.inner.reader.searcher().generation().generation_id();
        let epoch = self.inner.concepts_epoch.load(Ordering::SeqCst);
        Some(commits.wrapping_add(epoch << 40))
    }

    async fn set_concepts(&self, concepts: Arc<ConceptIndex>) -> Result<(), SearchError> {
        self.inner.set_concepts(concepts);
        Ok(())
    }

    async fn upsert(&self, docs: &[ListingDoc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        let inner = self.inner.clone();
        let docs = docs.to_vec();
        blocking(move || inner.upsert(&docs)).await
    }

    async fn delete(&self, style_ids: &[i64]) -> Result<(), SearchError> {
        if style_ids.is_empty() {
            return Ok(());
        }
        let inner = self.inner.clone();
        let ids = style_ids.to_vec();
        blocking(move || inner.delete(&ids)).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResult, SearchError> {
        Ok(self.search_or_else(query, None).await?.0)
    }

    async fn search_or_else(
        &self,
        query: &SearchQuery,
        fallbacks: Option<crate::Fallbacks>,
    ) -> Result<(SearchResult, Vec<(SearchQuery, SearchResult)>), SearchError> {
        query.validate()?;
        let inner = self.inner.clone();
        let query = query.clone();
        on_search_thread(move || {
            let first = inner.search(&query)?;
            let mut rest = Vec::new();
            if first.total == 0
                && let Some(make) = fallbacks
            {
                for f in make() {
                    // `Inner::search` validates each fallback as it does any query.
                    let answer = inner.search(&f)?;
                    rest.push((f, answer));
                }
            }
            Ok((first, rest))
        })
        .await
    }

    async fn rebuild(&self, docs: Vec<ListingDoc>) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        blocking(move || inner.rebuild(docs)).await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        blocking(move || inner.clear()).await
    }

    async fn health(&self) -> Health {
        let docs = self.inner.reader.searcher().num_docs();
        Health {
            backend: "tantivy".into(),
            ok: true,
            detail: format!(
                "{docs} documents, schema version {SCHEMA_VERSION}{}",
                if self.is_writer() {
                    ""
                } else {
                    ", reader of a shared index"
                }
            ),
        }
    }

    async fn doc_count(&self) -> Result<u64, SearchError> {
        Ok(self.inner.reader.searcher().num_docs())
    }

    async fn optimize(&self) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        blocking(move || inner.optimize()).await
    }

    async fn rebuild_batch(&self, docs: &[ListingDoc], first: bool) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        let docs = docs.to_vec();
        blocking(move || inner.rebuild_batch(&docs, first)).await
    }

    async fn finish_rebuild(&self) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        blocking(move || inner.finish_rebuild()).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeSet;
    use tantivy::collector::DocSetCollector;

    /// The glossary reads both 자켓 (jackets) and 점퍼 (blousons, titled "… jacket" in English)
    /// as `jacket`; a buyer typing the word finds the category named so in their language
    /// first.
    #[test]
    fn a_category_named_by_the_query_ranks_first() {
        let index = TantivyIndex::in_memory().unwrap();
        let docs = crate::sample::catalog(
            crate::relevance::CATALOG_SIZE,
            crate::relevance::CATALOG_SEED,
        );
        index.inner.rebuild(docs.clone()).unwrap();
        let category: HashMap<i64, &str> = docs
            .iter()
            .map(|d| (d.style_id, d.category.as_str()))
            .collect();
        for (locale, q) in [
            (Locale::En, "jacket"),
            (Locale::ZhCn, "夹克"),
            (Locale::ZhTw, "夾克"),
        ] {
            let r = index.inner.search(&SearchQuery::text(q, locale)).unwrap();
            let first: Vec<&str> = r
                .hits
                .iter()
                .take(10)
                .map(|h| category[&h.style_id])
                .collect();
            // A blouson titled exactly "夹克" may come among them, not before them.
            assert_eq!(first[..3], ["outerwear/jacket"; 3], "{q}");
            let jackets = first.iter().filter(|c| **c == "outerwear/jacket").count();
            assert!(jackets >= 8, "{q}: {first:?}");
            // Blousons still match, after.
            assert!(
                r.hits
                    .iter()
                    .any(|h| category[&h.style_id] == "outerwear/jumper")
            );
        }
        let at = |code: &str| {
            catalog::categories()
                .all()
                .iter()
                .position(|c| c.code == code)
                .unwrap()
        };
        let named = categories_named(Locale::En, "jacket");
        assert!(named.contains(&at("outerwear/jacket")), "{named:?}");
        assert!(!named.contains(&at("outerwear/jumper")), "{named:?}");
        assert!(categories_named(Locale::En, " ").is_empty());
    }

    /// Typo readings only for Latin words of 5 characters and more (two edits from 9) where
    /// the field allows them; a lone CJK or Hangul character also inside bigrams; every other
    /// token exactly.
    #[test]
    fn each_token_matches_as_its_script_and_length_allow() {
        use TokenMatch::*;
        for (token, fuzzy_ok, expected) in [
            ("skirt", true, Fuzzy(1)),
            ("skirt", false, Exact),
            ("cardigans", true, Fuzzy(2)),
            ("coat", true, Exact),
            ("áo", true, Exact),
            ("cà", false, Exact),
            ("padding1", true, Exact),
            ("裤", true, InsideBigrams('裤')),
            ("셔", false, InsideBigrams('셔')),
            ("裤子", true, Exact),
            ("ニット", true, Exact),
            ("a", true, Exact),
        ] {
            assert_eq!(
                TokenMatch::of(token, fuzzy_ok),
                expected,
                "{token} {fuzzy_ok}"
            );
        }
    }

    /// [`LoneCharQuery`] finds exactly what the regex `c.|.c` it replaces finds, over several
    /// segments with deleted documents, for every dense-script character of the titles.
    #[test]
    fn a_lone_character_finds_what_the_regex_found() {
        let index = TantivyIndex::in_memory().unwrap();
        let inner = &index.inner;
        let docs = crate::sample::catalog(240, 11);
        for chunk in docs.chunks(60) {
            inner.upsert(chunk).unwrap(); // one segment per batch
        }
        // Replacing some styles deletes their first copies.
        inner.upsert(&docs[10..40]).unwrap();
        inner
            .delete(&[docs[50].style_id, docs[130].style_id])
            .unwrap();
        let searcher = inner.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);
        let found = |q: &dyn Query| -> BTreeSet<DocAddress> {
            searcher
                .search(q, &DocSetCollector)
                .unwrap()
                .into_iter()
                .collect()
        };
        let mut checked = 0;
        for locale in [Locale::ZhCn, Locale::ZhTw, Locale::Ja, Locale::Ko] {
            let chars: BTreeSet<char> = docs
                .iter()
                .flat_map(|d| d.title.get(locale).chars().collect::<Vec<_>>())
                .filter(|c| is_dense_script(*c))
                .collect();
            let lf = inner.fields.text[locale_index(locale)];
            for field in [lf.title, lf.attrs] {
                for &c in chars.iter().take(40) {
                    let regex =
                        tantivy::query::RegexQuery::from_pattern(&format!("{c}.|.{c}"), field)
                            .unwrap();
                    let lone = LoneCharQuery {
                        field,
                        c,
                        columns: inner.columns.clone(),
                    };
                    let expected = found(&regex);
                    assert_eq!(found(&lone), expected, "{c} in {locale:?}");
                    checked += usize::from(!expected.is_empty());
                }
            }
        }
        assert!(checked > 50, "only {checked} characters matched anything");
    }
}
