//! Meilisearch backend (stub while the tantivy side lands).
pub struct MeiliConfig;
pub struct MeiliIndex;
