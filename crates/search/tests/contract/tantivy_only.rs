//! Behaviour only the embedded backend has: schema versioning in its directory, persistence.

use ddhub_domain::Locale;
use ddhub_search::{SCHEMA_VERSION, SchemaStatus, SearchIndex, SearchQuery, TantivyIndex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_keeps_documents_and_old_schema_is_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = TantivyIndex::open(&path).unwrap();
        assert_eq!(index.schema_status(), SchemaStatus::Created);
        assert!(index.schema_status().needs_rebuild());
        index.upsert(&super::cases::fixtures()).await.unwrap();
    }
    {
        let index = TantivyIndex::open(&path).unwrap();
        assert_eq!(index.schema_status(), SchemaStatus::Current);
        assert_eq!(index.doc_count().await.unwrap(), 11);
        let r = index
            .search(&SearchQuery::text("开衫", Locale::ZhCn))
            .await
            .unwrap();
        assert_eq!(r.total, 2);
    }
    std::fs::write(
        path.join("ddhub-search-schema-version"),
        (SCHEMA_VERSION - 1).to_string(),
    )
    .unwrap();
    let index = TantivyIndex::open(&path).unwrap();
    assert_eq!(
        index.schema_status(),
        SchemaStatus::Recreated {
            found: Some(SCHEMA_VERSION - 1)
        }
    );
    assert_eq!(index.doc_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_character_and_glued_queries() {
    let index = TantivyIndex::in_memory().unwrap();
    index.upsert(&super::cases::fixtures()).await.unwrap();
    // One hanzi inside bigrams: 衫 is in 开衫 (cardigans) only among the fixtures' zh-CN titles.
    let r = index
        .search(&SearchQuery::text("衫", Locale::ZhCn))
        .await
        .unwrap();
    assert!(r.hits.iter().any(|h| h.style_id == 1), "{:?}", r.hits);
    // Glued Korean, as wholesalers write it.
    let r = index
        .search(&SearchQuery::text("꽈배기가디건", Locale::Ko))
        .await
        .unwrap();
    assert_eq!(r.hits.first().map(|h| h.style_id), Some(1));
}
