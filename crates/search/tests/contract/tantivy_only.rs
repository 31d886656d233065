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

/// The embedded engine counts facets from per-segment histograms and reads field-sorted pages
/// off precomputed orders; both must give what a plain count and sort of the documents give,
/// across segments, deletions, unavailable styles, ties and filters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facets_and_field_sorts_match_a_plain_count_and_sort() {
    use ddhub_search::{ListingDoc, Sort, StockState};
    use std::collections::BTreeMap;
    let index = TantivyIndex::in_memory().unwrap();
    let mut docs = ddhub_search::sample::catalog(400, 11);
    for d in &mut docs {
        // Ties in price and creation time, a few without a photo or unavailable.
        d.price_krw = 8_000 + (d.style_id % 7) * 4_000;
        d.created_at = 1_700_000_000_000 + (d.style_id % 50) * 1_000;
        if d.style_id % 9 == 0 {
            d.thumbnail_url = None;
        }
        d.stock = match d.style_id % 13 {
            0 => StockState::SoldOut,
            1 => StockState::Backorder,
            _ => StockState::InStock,
        };
    }
    for chunk in docs.chunks(70) {
        index.upsert(chunk).await.unwrap(); // one segment per batch
    }
    let deleted: Vec<i64> = docs
        .iter()
        .map(|d| d.style_id)
        .filter(|id| id % 17 == 0)
        .collect();
    index.delete(&deleted).await.unwrap();
    let live: Vec<&ListingDoc> = docs
        .iter()
        .filter(|d| d.style_id % 17 != 0 && d.stock.is_orderable())
        .collect();
    let families = |d: &ListingDoc| {
        if d.colour_families.is_empty() {
            ListingDoc::colour_families_of(&d.colours)
        } else {
            d.colour_families.clone()
        }
    };
    // The most common top-level category.
    let mut tops: BTreeMap<String, usize> = BTreeMap::new();
    for d in &live {
        *tops
            .entry(d.category_path.last().cloned().unwrap())
            .or_default() += 1;
    }
    let category = tops.into_iter().max_by_key(|(_, n)| *n).unwrap().0;
    let family = families(&docs[0]).first().cloned().unwrap();
    // The most common size of the category and a second family, for the filters the
    // collector applies when a category leads the search.
    let mut by_size: BTreeMap<String, usize> = BTreeMap::new();
    for d in live.iter().filter(|d| d.category_path.contains(&category)) {
        for s in &d.sizes {
            *by_size.entry(s.clone()).or_default() += 1;
        }
    }
    let size = by_size.into_iter().max_by_key(|(_, n)| *n).unwrap().0;
    let other_family = live
        .iter()
        .flat_map(|d| families(d))
        .find(|f| *f != family)
        .unwrap();
    let queries = [
        SearchQuery::default(),
        SearchQuery {
            category: Some(category.clone()),
            ..SearchQuery::default()
        },
        SearchQuery {
            colour_families: vec![family.clone()],
            price_min_krw: Some(12_000),
            price_max_krw: Some(24_000),
            ..SearchQuery::default()
        },
        SearchQuery {
            same_day: Some(true),
            ..SearchQuery::default()
        },
        SearchQuery {
            category: Some(category.clone()),
            colour_families: vec![family.clone(), other_family.clone()],
            sizes: vec![size.clone()],
            ..SearchQuery::default()
        },
        SearchQuery {
            sizes: vec![size.clone()],
            ..SearchQuery::default()
        },
    ];
    for base in queries {
        let matches: Vec<&ListingDoc> = live
            .iter()
            .copied()
            .filter(|d| {
                base.category
                    .as_ref()
                    .is_none_or(|c| d.category_path.contains(c))
            })
            .filter(|d| {
                base.colour_families.is_empty()
                    || families(d).iter().any(|f| base.colour_families.contains(f))
            })
            .filter(|d| base.price_min_krw.is_none_or(|lo| d.price_krw >= lo))
            .filter(|d| base.price_max_krw.is_none_or(|hi| d.price_krw <= hi))
            .filter(|d| base.same_day.is_none_or(|s| d.same_day == s))
            .filter(|d| base.sizes.is_empty() || d.sizes.iter().any(|s| base.sizes.contains(s)))
            .collect();
        assert!(matches.len() > 10, "{base:?} matches too few to test");
        let mut colours: BTreeMap<String, u64> = BTreeMap::new();
        let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
        let mut categories: BTreeMap<String, u64> = BTreeMap::new();
        for d in &matches {
            for f in families(d) {
                *colours.entry(f).or_default() += 1;
            }
            for s in &d.sizes {
                *sizes.entry(s.clone()).or_default() += 1;
            }
            for c in &d.category_path {
                *categories.entry(c.clone()).or_default() += 1;
            }
        }
        for sort in [Sort::Newest, Sort::PriceAsc, Sort::PriceDesc] {
            let mut expected = matches.clone();
            // Styles with a photo first, then the sort, ties by the order they were indexed.
            expected.sort_by_key(|d| {
                let key = match sort {
                    Sort::PriceAsc => d.price_krw,
                    Sort::PriceDesc => -d.price_krw,
                    _ => -d.created_at,
                };
                (d.thumbnail_url.is_none(), key)
            });
            let mut seen = Vec::new();
            for page in 1.. {
                let q = SearchQuery {
                    sort,
                    page,
                    per_page: 25,
                    ..base.clone()
                };
                let r = index.search(&q).await.unwrap();
                assert_eq!(r.total, matches.len() as u64, "{q:?} total");
                assert_eq!(r.facets.colour, colours, "{q:?} colour facet");
                assert_eq!(r.facets.size, sizes, "{q:?} size facet");
                assert_eq!(r.facets.category, categories, "{q:?} category facet");
                assert_eq!(
                    r.facets.same_day.yes,
                    matches.iter().filter(|d| d.same_day).count() as u64
                );
                if r.hits.is_empty() {
                    break;
                }
                seen.extend(r.hits.iter().map(|h| h.style_id));
            }
            let keys = |ids: &[i64]| -> Vec<(bool, i64)> {
                ids.iter()
                    .map(|id| {
                        let d = docs.iter().find(|d| d.style_id == *id).unwrap();
                        let key = match sort {
                            Sort::PriceAsc => d.price_krw,
                            Sort::PriceDesc => -d.price_krw,
                            _ => -d.created_at,
                        };
                        (d.thumbnail_url.is_none(), key)
                    })
                    .collect()
            };
            let want: Vec<i64> = expected.iter().map(|d| d.style_id).collect();
            // Same styles, in the same order of keys (ties may come in any order).
            let mut sorted_seen = seen.clone();
            sorted_seen.sort_unstable();
            let mut sorted_want = want.clone();
            sorted_want.sort_unstable();
            assert_eq!(
                sorted_seen, sorted_want,
                "{base:?} {sort:?}: every match once"
            );
            assert_eq!(keys(&seen), keys(&want), "{base:?} {sort:?}: order");
        }
    }
}

/// Clauses on terms the index does not hold are left out of the query; a word no field holds
/// must still make the query find nothing (every word is required), not be dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_the_index_does_not_hold_still_finds_nothing() {
    let index = TantivyIndex::in_memory().unwrap();
    index.upsert(&super::cases::fixtures()).await.unwrap();
    let found = |text: &'static str, locale| {
        let index = index.clone();
        async move {
            index
                .search(&SearchQuery::text(text, locale))
                .await
                .unwrap()
                .total
        }
    };
    assert!(found("cardigan", Locale::En).await > 0);
    assert_eq!(found("cardigan qqzzxvv", Locale::En).await, 0);
    assert!(found("가디건", Locale::Ko).await > 0);
    assert_eq!(found("가디건 뷁뷁", Locale::Ko).await, 0);
    assert_eq!(found("뷁뷁", Locale::Ko).await, 0);
}
