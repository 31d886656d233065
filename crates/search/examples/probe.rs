//! Times single queries on a 100,000-style in-memory index (a profiling aid, prints only).
#![allow(clippy::unwrap_used)]
use ddhub_domain::Locale;
use ddhub_search::{SearchQuery, Sort, TantivyIndex, sample};
use std::time::Instant;

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let index = TantivyIndex::in_memory().unwrap();
    let docs = sample::catalog(100_000, 42);
    rt.block_on(async {
        use ddhub_search::SearchIndex;
        index.rebuild(docs).await.unwrap();
        index.optimize().await.unwrap();
    });
    index.set_browse_cache(false);
    let cases: Vec<(&str, SearchQuery)> = vec![
        ("cardigan en", SearchQuery::text("cardigan", Locale::En)),
        ("pants en", SearchQuery::text("pants", Locale::En)),
        ("skirt en", SearchQuery::text("skirt", Locale::En)),
        ("coat en", SearchQuery::text("coat", Locale::En)),
        ("jakcet en", SearchQuery::text("jakcet", Locale::En)),
        (
            "カーディガン ja",
            SearchQuery::text("カーディガン", Locale::Ja),
        ),
        ("黑色开衫 zh", SearchQuery::text("黑色开衫", Locale::ZhCn)),
        ("가디건 ko", SearchQuery::text("가디건", Locale::Ko)),
        ("browse", SearchQuery::default()),
        (
            "browse price",
            SearchQuery {
                sort: Sort::PriceAsc,
                ..SearchQuery::default()
            },
        ),
        (
            "browse tops/knit",
            SearchQuery {
                category: Some("tops/knit".into()),
                ..SearchQuery::default()
            },
        ),
    ];
    let only = std::env::var("PROBE_ONLY").ok();
    for (name, q) in cases {
        if only.as_deref().is_some_and(|o| !name.starts_with(o)) {
            continue;
        }
        let mut total = 0;
        let n: usize = std::env::var("PROBE_N")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        let t = Instant::now();
        for _ in 0..n {
            total = index.search_blocking(&q).unwrap().total;
        }
        println!(
            "{name:<20} {:>8.3} ms  total {total}",
            t.elapsed().as_secs_f64() * 1000.0 / n as f64
        );
    }
}
