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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorted_paging_across_segments_is_complete_and_ordered() {
    use ddhub_search::Sort;
    let index = TantivyIndex::in_memory().unwrap();
    let mut docs = ddhub_search::sample::catalog(90, 3);
    for d in &mut docs {
        d.stock = ddhub_search::StockState::InStock;
        d.price_krw = 10_000 + (d.style_id % 4) * 1_000; // many ties
    }
    for chunk in docs.chunks(30) {
        index.upsert(chunk).await.unwrap(); // one segment per batch
    }
    for sort in [Sort::PriceAsc, Sort::PriceDesc, Sort::Newest] {
        let mut seen = Vec::new();
        for page in 1..=10 {
            let q = SearchQuery {
                sort,
                page,
                per_page: 10,
                ..SearchQuery::default()
            };
            let r = index.search(&q).await.unwrap();
            assert_eq!(r.total, 90);
            seen.extend(r.hits.iter().map(|h| h.style_id));
        }
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 90, "{sort:?}: every style exactly once");
        let key = |id: i64| {
            let d = &docs[(id - 1) as usize];
            match sort {
                Sort::PriceAsc => d.price_krw,
                Sort::PriceDesc => -d.price_krw,
                _ => -d.created_at,
            }
        };
        assert!(
            seen.windows(2).all(|w| key(w[0]) <= key(w[1])),
            "{sort:?} order"
        );
    }
}
