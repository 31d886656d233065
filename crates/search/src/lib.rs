#![doc = include_str!("../README.md")]

pub mod concepts;
pub mod doc;
pub mod meili;
pub mod query;
pub mod relevance;
pub mod sample;
pub mod similar;
pub mod suggest;
pub mod tantivy_index;
pub mod tokenize;

pub use doc::{HitDisplay, ListingDoc, LocalizedText, StockState, StyleFields, WholesalerRef};
pub use meili::{MeiliConfig, MeiliIndex};
pub use query::{
    Facets, Hit, MeasureRange, PRICE_BUCKETS, PriceBucket, QueryError, SameDayFacet, SearchQuery,
    SearchResult, Sort,
};
pub use tantivy_index::{SCHEMA_VERSION, SchemaStatus, TantivyIndex};

use async_trait::async_trait;

/// What can go wrong in a search backend.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query is refused (answer 400).
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("meilisearch: {0}")]
    Meilisearch(#[from] meilisearch_sdk::errors::Error),
    #[error("meilisearch task {task_uid} failed: {message}")]
    MeilisearchTask { task_uid: u32, message: String },
    #[error("index directory {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("glossary: {0}")]
    Glossary(String),
    #[error("search worker stopped: {0}")]
    Join(String),
    #[error("{0}")]
    Other(String),
}

impl SearchError {
    /// Whether the caller's query is at fault (400) rather than the engine (503/500).
    pub fn is_bad_query(&self) -> bool {
        matches!(self, SearchError::Query(_))
    }
}

/// What an empty answer searches instead ([`SearchIndex::search_or_else`]), worked out only
/// when the query finds nothing: a typo correction costs an edit-distance scan of the glossary.
pub type Fallbacks = std::sync::Arc<dyn Fn() -> Vec<SearchQuery> + Send + Sync>;

/// Health of a backend.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    pub backend: String,
    pub ok: bool,
    pub detail: String,
}

/// A search engine holding listing documents. Object safe: the server holds
/// `Arc<dyn SearchIndex>`. Every write is searchable when its future resolves.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// `tantivy` or `meilisearch`.
    fn backend(&self) -> &'static str;
    /// A value that changes whenever any search answer may change (a commit, new concepts),
    /// so answers derived from searches may be kept while it stays the same; `None` when they
    /// must not be kept: the engine cannot tell cheaply (Meilisearch), or its result cache is
    /// off (measuring the engine alone).
    fn cache_generation(&self) -> Option<u64> {
        None
    }
    /// Inserts or replaces documents by `style_id`.
    async fn upsert(&self, docs: &[ListingDoc]) -> Result<(), SearchError>;
    /// Removes documents by `style_id`; unknown ids are ignored.
    async fn delete(&self, style_ids: &[i64]) -> Result<(), SearchError>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResult, SearchError>;
    /// Runs `query` and, only when it finds nothing, the queries `fallbacks` makes (a
    /// corrected query, the newest styles), in order: the answer, and each fallback with its
    /// answer (none when `query` found something). The embedded engine runs them in one turn of
    /// its search queue, so an empty answer does not wait in line once per search: under load
    /// that wait is most of a search's latency, and empty answers were the slowest 1% at
    /// concurrency 32.
    async fn search_or_else(
        &self,
        query: &SearchQuery,
        fallbacks: Option<Fallbacks>,
    ) -> Result<(SearchResult, Vec<(SearchQuery, SearchResult)>), SearchError> {
        let first = self.search(query).await?;
        let mut rest = Vec::new();
        if first.total == 0
            && let Some(make) = fallbacks
        {
            for f in make() {
                let answer = self.search(&f).await?;
                rest.push((f, answer));
            }
        }
        Ok((first, rest))
    }
    /// Replaces the whole content with `docs`.
    async fn rebuild(&self, docs: Vec<ListingDoc>) -> Result<(), SearchError>;
    /// Removes every document.
    async fn clear(&self) -> Result<(), SearchError>;
    async fn health(&self) -> Health;
    /// Documents held, sold-out and archived ones included.
    async fn doc_count(&self) -> Result<u64, SearchError>;
    /// Compacts the index after a bulk load (tantivy merges its segments into one, which makes
    /// every search cheaper); nothing to do for engines that manage this themselves.
    async fn optimize(&self) -> Result<(), SearchError> {
        Ok(())
    }
    /// Adds a batch of a full rebuild (`first`: the batch that starts it, which drops every
    /// document). Engines that can stage the new content keep it unseen until
    /// [`SearchIndex::finish_rebuild`], so searches meanwhile see the old content; by default
    /// each batch is searchable as it lands.
    async fn rebuild_batch(&self, docs: &[ListingDoc], first: bool) -> Result<(), SearchError> {
        if first {
            self.clear().await?;
        }
        self.upsert(docs).await
    }
    /// Ends a rebuild started with [`SearchIndex::rebuild_batch`]: the new content becomes
    /// searchable and is compacted.
    async fn finish_rebuild(&self) -> Result<(), SearchError> {
        self.optimize().await
    }
    /// Expands queries (and indexes documents) with these concepts from now on: the glossary
    /// in force changed (operator overrides).
    async fn set_concepts(
        &self,
        concepts: std::sync::Arc<concepts::ConceptIndex>,
    ) -> Result<(), SearchError>;
}
