//! Index build and query latency on 100,000 generated styles. Prints, never asserts.
//!
//! ```sh
//! cargo bench -p ddhub-search --bench search_bench            # tantivy
//! DDHUB_TEST_MEILISEARCH_URL=http://127.0.0.1:7700 cargo bench -p ddhub-search --bench search_bench
//! DDHUB_BENCH_STYLES=20000 cargo bench -p ddhub-search --bench search_bench   # smaller catalog
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ddhub_search::sample;
use ddhub_search::{MeiliConfig, MeiliIndex, SearchIndex, SearchQuery, TantivyIndex};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET_P99_MS: f64 = 20.0;
const TARGET_BUILD_S: f64 = 60.0;

/// Text queries from the judged set, mixed with filters, sorts and browse-only queries.
fn mixed_queries(n: usize) -> Vec<SearchQuery> {
    sample::mixed_queries(n, 7)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Mean latency per kind of query at concurrency 1, to see where time goes.
async fn breakdown(index: &dyn SearchIndex, queries: &[SearchQuery]) {
    let mut by: std::collections::BTreeMap<String, (f64, usize)> = Default::default();
    for q in queries {
        let kind = format!(
            "{}{:?}",
            if q.q.is_some() { "text+" } else { "browse+" },
            q.sort
        );
        let t = Instant::now();
        index.search(q).await.unwrap();
        let e = by.entry(kind).or_default();
        e.0 += t.elapsed().as_secs_f64() * 1000.0;
        e.1 += 1;
    }
    let parts: Vec<String> = by
        .iter()
        .map(|(k, (ms, n))| format!("{k} {:.2} ms (n={n})", ms / *n as f64))
        .collect();
    println!(
        "  {:<12} mean by kind: {}",
        index.backend(),
        parts.join(", ")
    );
}

async fn load(
    index: Arc<dyn SearchIndex>,
    queries: Arc<Vec<SearchQuery>>,
    concurrency: usize,
    total: usize,
) {
    // Warm-up: one pass over a slice of the set.
    for q in queries.iter().take(100) {
        index.search(q).await.unwrap();
    }
    let started = Instant::now();
    let per_worker = total / concurrency;
    let mut handles = Vec::new();
    for w in 0..concurrency {
        let index = index.clone();
        let queries = queries.clone();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_worker);
            for i in 0..per_worker {
                let q = &queries[(w * 7919 + i) % queries.len()];
                let t = Instant::now();
                index.search(q).await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let wall = started.elapsed();
    all.sort();
    let p99 = percentile(&all, 0.99);
    println!(
        "  {:<12} concurrency {concurrency:>2}: {} queries, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, {:.0} QPS{}",
        index.backend(),
        all.len(),
        percentile(&all, 0.50),
        percentile(&all, 0.95),
        p99,
        all.len() as f64 / wall.as_secs_f64(),
        if concurrency == 32 {
            format!(
                " (p99 target {TARGET_P99_MS} ms: ratio {:.2})",
                p99 / TARGET_P99_MS
            )
        } else {
            String::new()
        }
    );
}

fn main() {
    let n: usize = std::env::var("DDHUB_BENCH_STYLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "search_bench: {n} styles, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let t = Instant::now();
    let docs = sample::catalog(n, 42);
    println!(
        "  generated catalog (7 locales per title) in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let queries = Arc::new(mixed_queries(500));

    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let index = TantivyIndex::open(dir.path().join("search")).unwrap();
        let t = Instant::now();
        index.rebuild(docs.clone()).await.unwrap();
        let build = t.elapsed().as_secs_f64();
        let size_before_merge = index.size_on_disk();
        let t = Instant::now();
        index.optimize().await.unwrap();
        let merge = t.elapsed().as_secs_f64();
        println!(
            "  tantivy full index: {build:.2} s (target {TARGET_BUILD_S} s: ratio {:.2}), then merge to one segment {merge:.2} s; \
             size {:.1} MiB before merge, {:.1} MiB after",
            build / TARGET_BUILD_S,
            size_before_merge as f64 / 1_048_576.0,
            index.size_on_disk() as f64 / 1_048_576.0
        );
        let t = Instant::now();
        let sample_doc = docs[0].clone();
        index.upsert(&[sample_doc]).await.unwrap();
        println!("  tantivy single-style upsert until searchable: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        let tantivy = index.clone();
        let index: Arc<dyn SearchIndex> = Arc::new(index);
        tantivy.set_browse_cache(false);
        println!("  tantivy, browse cache off:");
        breakdown(index.as_ref(), &queries).await;
        load(index.clone(), queries.clone(), 1, 2_000).await;
        load(index.clone(), queries.clone(), 32, 6_400).await;
        tantivy.set_browse_cache(true);
        println!("  tantivy, browse cache on (default; emptied by every commit):");
        load(index.clone(), queries.clone(), 1, 2_000).await;
        load(index.clone(), queries.clone(), 32, 6_400).await;

        match std::env::var("DDHUB_TEST_MEILISEARCH_URL") {
            Err(_) => println!("  meilisearch skipped: DDHUB_TEST_MEILISEARCH_URL is not set"),
            Ok(url) => {
                let key = std::env::var("DDHUB_TEST_MEILISEARCH_KEY").ok();
                let meili = MeiliIndex::connect(MeiliConfig::new(url, key, "ddhub_bench"))
                    .await
                    .unwrap();
                let t = Instant::now();
                meili.rebuild(docs.clone()).await.unwrap();
                println!("  meilisearch full index: {:.2} s", t.elapsed().as_secs_f64());
                let meili: Arc<dyn SearchIndex> = Arc::new(meili);
                breakdown(meili.as_ref(), &queries).await;
                load(meili.clone(), queries.clone(), 1, 2_000).await;
                load(meili.clone(), queries.clone(), 32, 6_400).await;
            }
        }
    });
}
