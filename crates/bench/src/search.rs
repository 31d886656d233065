//! `ddhub bench search`: search over HTTP, end to end, as a buyer's storefront would see it.
//!
//! A generated catalog goes through the real ingestion into a fresh database; the real
//! `ddhub reindex` builds the index (timed, with its size on disk); the real `ddhub serve`
//! (this binary, so build it with `--release`) answers a mixed query set with facets
//! (`ddhub_search::sample::mixed_queries`: five languages, filters, every sort, second pages,
//! three currencies) at concurrency 1 and 32, with the embedded index's result cache (the
//! default) and again without it, so the engine's own latency is printed too. The load generator is a keep-alive HTTP client
//! on one thread of this process recording every latency in an HDR histogram; on a 2-core
//! machine it shares the CPU with the server, which the output says. Prints JSON lines with
//! p50/p95/p99, queries per second and the ratio to the targets; never asserts a time.

use anyhow::Context;
use clap::Args;
use ddhub_app::services::catalog::{self, MediaPaths};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Currency, RatePerKrw};
use ddhub_search::{SearchQuery, Sort};
use ddhub_store::uploads::{self, NewUpload, UploadMode};
use ddhub_store::{Store, StoreOptions, parties};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET_P99_MS: f64 = 20.0;
/// Suggestions as the buyer types: p99 at concurrency 32.
const TARGET_SUGGEST_P99_MS: f64 = 5.0;
const TARGET_REINDEX_S: f64 = 60.0;
/// Exchange rates the benchmark sets (units per won), so prices and price filters convert.
const RATES: [(Currency, &str); 2] = [(Currency::Usd, "0.00072"), (Currency::Jpy, "0.108")];

#[derive(Args, Debug)]
pub struct SearchBench {
    /// Styles in the generated catalog.
    #[arg(long, default_value_t = 100_000)]
    styles: usize,
    /// Requests at concurrency 1 (after a warm-up of 200).
    #[arg(long, default_value_t = 2_000)]
    requests_c1: usize,
    /// Requests at concurrency 32.
    #[arg(long, default_value_t = 9_600)]
    requests_c32: usize,
    /// Database: a fresh SQLite file in the temporary data directory when absent. A PostgreSQL
    /// URL must name an empty database (the benchmark ingests into it).
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the data directory here instead of a temporary one (reuse it with --reuse).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Skip ingestion: the data directory already holds the catalog from an earlier run.
    #[arg(long)]
    reuse: bool,
    /// Skip `ddhub reindex` too (with --reuse): serve the index as it is.
    #[arg(long)]
    no_reindex: bool,
    /// Only the suggestion load (`/api/v1/search/suggest`, target p99 ≤ 5 ms at
    /// concurrency 32), not the search loads.
    #[arg(long)]
    suggest_only: bool,
}

/// Everything the spawned `ddhub` processes need, passed as DDHUB_* variables.
pub(crate) struct Env {
    pub(crate) exe: PathBuf,
    pub(crate) data_dir: PathBuf,
    pub(crate) database_url: String,
    pub(crate) backend: &'static str,
    pub(crate) meilisearch_url: Option<String>,
    pub(crate) meilisearch_key: Option<String>,
}

impl Env {
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        c.args(args)
            .current_dir(&self.data_dir)
            .env("DDHUB_DATA_DIR", &self.data_dir)
            .env("DDHUB_DATABASE_URL", &self.database_url)
            .env("DDHUB_SEARCH_BACKEND", self.backend)
            // The per-IP limiter stays in the path (its cost is part of a request) with a rate
            // the benchmark never reaches from its one address.
            .env("DDHUB_SEARCH_RATE_PER_MINUTE", "1000000000")
            .env_remove("DDHUB_CONFIG")
            .env_remove("RUST_LOG");
        if let Some(u) = &self.meilisearch_url {
            c.env("DDHUB_MEILISEARCH_URL", u);
        }
        if let Some(k) = &self.meilisearch_key {
            c.env("DDHUB_MEILISEARCH_KEY", k);
        }
        c
    }
}

/// Stops a spawned process (SIGTERM, then kill after 20 s) when dropped.
pub(crate) struct Spawned(pub(crate) Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The data directory a run keeps (`--data-dir`, made absolute) or the temporary one.
pub(crate) fn data_dir(chosen: Option<&Path>, tmp: &Path) -> anyhow::Result<PathBuf> {
    Ok(match chosen {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            std::path::absolute(d)?
        }
        None => tmp.to_path_buf(),
    })
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The generated catalog through the real ingestion, and the benchmark's exchange rates.
pub(crate) async fn ingest(store: &Store, data_dir: &Path, styles: usize) -> anyhow::Result<f64> {
    let (w, _) = parties::add_wholesaler(
        store,
        "bench-search",
        ShopLocation {
            building: "청평화".into(),
            floor: "2".into(),
            unit: "B-12".into(),
        },
    )
    .await?;
    for (currency, rate) in RATES {
        ddhub_store::rates::set_rate(store, RatePerKrw::parse(currency, rate)?).await?;
    }
    let csv = ddhub_ingest::sample::sample_catalog_cp949(styles, 42);
    let paths = MediaPaths::new(data_dir);
    let (updir, rel) = paths.new_upload_dir()?;
    std::fs::write(updir.join("sheet"), &csv)?;
    drop(csv);
    let upload = uploads::create(
        store,
        NewUpload {
            wholesaler: w.id,
            mode: UploadMode::Merge,
            dry_run: false,
            file_name: "bench.csv".into(),
            file_path: format!("{rel}/sheet"),
            photos_path: None,
            encoding: None,
            sheet_name: None,
        },
        false,
    )
    .await?;
    let start = Instant::now();
    let done = catalog::process(store, &paths, upload.id, &|_, _| {}).await?;
    anyhow::ensure!(
        done.counts.styles_created as usize == styles,
        "{} of {styles} styles committed: {:?}",
        done.counts.styles_created,
        done.failure
    );
    Ok(start.elapsed().as_secs_f64())
}

/// The query string of a benchmark query, with a currency and price bounds in it.
pub(crate) fn params(q: &SearchQuery, n: usize) -> Vec<(&'static str, String)> {
    let mut p: Vec<(&'static str, String)> = vec![("locale", q.locale.tag().to_string())];
    if let Some(t) = &q.q {
        p.push(("q", t.clone()));
    }
    // Currencies in turn; bounds are the query's won bounds in that currency.
    let (currency, per_krw) = [("USD", 0.00072), ("JPY", 0.108), ("KRW", 1.0)][n % 3];
    p.push(("currency", currency.to_string()));
    let amount = |krw: i64| match currency {
        "USD" => format!("{:.2}", krw as f64 * per_krw),
        _ => format!("{:.0}", krw as f64 * per_krw),
    };
    if let Some(lo) = q.price_min_krw {
        p.push(("price_min", amount(lo)));
    }
    if let Some(hi) = q.price_max_krw {
        p.push(("price_max", amount(hi)));
    }
    if let Some(c) = &q.category {
        p.push(("category", c.clone()));
    }
    if !q.colour_families.is_empty() {
        p.push(("colour", q.colour_families.join(",")));
    }
    if let Some(s) = q.same_day {
        p.push(("same_day", s.to_string()));
    }
    if let Some(m) = q.moq_max {
        p.push(("moq_max", m.to_string()));
    }
    let sort = match q.sort {
        Sort::Relevance => "relevance",
        Sort::Newest => "newest",
        Sort::PriceAsc => "price_asc",
        Sort::PriceDesc => "price_desc",
    };
    p.push(("sort", sort.to_string()));
    p.push(("page", q.page.to_string()));
    p.push(("per_page", q.per_page.to_string()));
    p
}

/// The part of a search answer the benchmark reads.
#[derive(serde::Deserialize)]
struct Answer {
    total: u64,
    took_ms: u64,
}

/// The part of a suggestion answer the benchmark reads.
#[derive(serde::Deserialize)]
struct SuggestAnswer {
    categories: Vec<serde_json::Value>,
    colours: Vec<serde_json::Value>,
    titles: Vec<serde_json::Value>,
}

/// Which endpoint a load drives: how to read its answers as (engine ms, empty).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Search,
    Suggest,
    /// Meilisearch's own `/indexes/{uid}/search`, posted the body DDHub would send.
    MeiliDirect,
}

/// The part of Meilisearch's search answer the benchmark reads.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct MeiliAnswer {
    total_hits: Option<u64>,
    estimated_total_hits: Option<u64>,
    processing_time_ms: u64,
}

/// What a load sends: GETs with these query strings, or POSTs of these JSON bodies (with the
/// Meilisearch key, if any).
#[derive(Clone)]
enum Requests {
    Get(Arc<Vec<Vec<(&'static str, String)>>>),
    Post {
        bodies: Arc<Vec<Vec<u8>>>,
        key: Option<String>,
    },
}

impl Requests {
    fn len(&self) -> usize {
        match self {
            Requests::Get(q) => q.len(),
            Requests::Post { bodies, .. } => bodies.len(),
        }
    }

    fn request(&self, client: &reqwest::Client, url: &str, i: usize) -> reqwest::RequestBuilder {
        match self {
            Requests::Get(q) => client.get(url).query(&q[i]),
            Requests::Post { bodies, key } => {
                let r = client
                    .post(url)
                    .header("content-type", "application/json")
                    .body(bodies[i].clone());
                match key {
                    Some(k) => r.bearer_auth(k),
                    None => r,
                }
            }
        }
    }
}

impl Endpoint {
    fn read(self, body: &[u8]) -> Option<(u64, bool)> {
        match self {
            Endpoint::Search => serde_json::from_slice::<Answer>(body)
                .ok()
                .map(|a| (a.took_ms, a.total == 0)),
            Endpoint::MeiliDirect => serde_json::from_slice::<MeiliAnswer>(body).ok().map(|a| {
                let total = a.total_hits.or(a.estimated_total_hits).unwrap_or(0);
                (a.processing_time_ms, total == 0)
            }),
            Endpoint::Suggest => serde_json::from_slice::<SuggestAnswer>(body).ok().map(|a| {
                (
                    0,
                    a.categories.is_empty() && a.colours.is_empty() && a.titles.is_empty(),
                )
            }),
        }
    }
}

struct Run {
    latency_us: Histogram<u64>,
    engine_ms: Histogram<u64>,
    errors: usize,
    zero: usize,
    requests: usize,
    wall: Duration,
}

/// Sends `total` requests from `concurrency` workers (each with its own connection) on a
/// single-threaded runtime, so the load generator takes at most one core.
fn drive(
    endpoint: Endpoint,
    url: String,
    queries: Requests,
    concurrency: usize,
    total: usize,
    warmup: usize,
) -> anyhow::Result<Run> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency.max(1) * 2)
            .timeout(Duration::from_secs(60))
            .build()?;
        for i in 0..warmup.min(queries.len()) {
            queries
                .request(&client, &url, i)
                .send()
                .await?
                .bytes()
                .await?;
        }
        let per_worker = total / concurrency.max(1);
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(concurrency);
        for w in 0..concurrency {
            let (client, url, queries) = (client.clone(), url.clone(), queries.clone());
            tasks.push(tokio::spawn(async move {
                let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
                let mut engine = Histogram::<u64>::new_with_bounds(1, 60_000, 3)?;
                let (mut errors, mut zero) = (0usize, 0usize);
                for i in 0..per_worker {
                    let q = (w * 7919 + i) % queries.len();
                    let t = Instant::now();
                    let answer = match queries.request(&client, &url, q).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.ok(),
                        Ok(r) => {
                            if errors == 0 {
                                eprintln!("bench search: HTTP {} for {q:?}", r.status());
                            }
                            None
                        }
                        Err(e) => {
                            if errors == 0 {
                                eprintln!("bench search: {e}");
                            }
                            None
                        }
                    };
                    latency.saturating_record(t.elapsed().as_micros().max(1) as u64);
                    match answer.and_then(|b| endpoint.read(&b)) {
                        Some((took_ms, empty)) => {
                            engine.saturating_record(took_ms.max(1));
                            if empty {
                                zero += 1;
                            }
                        }
                        None => errors += 1,
                    }
                }
                Ok::<_, anyhow::Error>((latency, engine, errors, zero))
            }));
        }
        let mut run = Run {
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            engine_ms: Histogram::new_with_bounds(1, 60_000, 3)?,
            errors: 0,
            zero: 0,
            requests: per_worker * concurrency,
            wall: Duration::ZERO,
        };
        for t in tasks {
            let (l, e, errors, zero) = t.await??;
            run.latency_us.add(&l)?;
            run.engine_ms.add(&e)?;
            run.errors += errors;
            run.zero += zero;
        }
        run.wall = started.elapsed();
        Ok(run)
    })
}

fn report(
    endpoint: Endpoint,
    backend: &str,
    result_cache: Option<bool>,
    concurrency: usize,
    run: &Run,
) {
    let ms = |p: f64| round2(run.latency_us.value_at_quantile(p) as f64 / 1000.0);
    let p99 = ms(0.99);
    let qps = run.requests as f64 / run.wall.as_secs_f64();
    let (bench, target) = match endpoint {
        Endpoint::Search | Endpoint::MeiliDirect => ("search_http", TARGET_P99_MS),
        Endpoint::Suggest => ("suggest_http", TARGET_SUGGEST_P99_MS),
    };
    let mut line = serde_json::json!({
        "bench": bench,
        "backend": backend,
        "result_cache": result_cache,
        "concurrency": concurrency,
        "requests": run.requests,
        "errors": run.errors,
        "zero_result_share": round2(run.zero as f64 / run.requests.max(1) as f64),
        "p50_ms": ms(0.50),
        "p95_ms": ms(0.95),
        "p99_ms": p99,
        "max_ms": round2(run.latency_us.max() as f64 / 1000.0),
        "qps": qps.round(),
        "engine_took_ms_mean": round2(run.engine_ms.mean()),
        "engine_took_ms_p99": run.engine_ms.value_at_quantile(0.99),
        "load_average": load_average(),
    });
    if concurrency == 32 {
        line["target_p99_ms"] = target.into();
        line["ratio_to_target"] = round2(p99 / target).into();
    }
    println!("{line}");
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until `ddhub serve` answers `/readyz`.
pub(crate) fn wait_ready(base: &str, server: &mut Spawned) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::new();
    loop {
        if let Some(status) = server.0.try_wait()? {
            anyhow::bail!("ddhub serve exited with {status} (see serve.log in the data directory)");
        }
        let ok = rt.block_on(async {
            client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        });
        if ok {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "ddhub serve not ready in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until a Meilisearch started here answers `/health`.
fn wait_meilisearch(url: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !rt.block_on(async {
        client
            .get(format!("{url}/health"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }) {
        anyhow::ensure!(Instant::now() < deadline, "meilisearch not ready in 60 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// Reindex, serve and load for one backend.
/// The benchmark's texts (the loaded catalog's garment nouns and colours as buyers type them
/// in five languages) and its 500-query mix of them with filters, sorts and pages.
pub(crate) type QueryMix = (
    Vec<(ddhub_domain::Locale, String)>,
    Vec<ddhub_search::SearchQuery>,
);

pub(crate) fn query_mix() -> anyhow::Result<QueryMix> {
    let glossary = ddhub_translate::Glossary::builtin()?;
    let (nouns, colours) = ddhub_ingest::sample::sample_words();
    let texts = ddhub_search::sample::queries_for_words(&glossary, &nouns, &colours);
    let mixed = ddhub_search::sample::mixed_queries_from(&texts, 500, 7);
    Ok((texts, mixed))
}

/// One c=32 search load, for the side-by-side table.
struct SideBySide {
    label: String,
    p99_ms: f64,
    qps: f64,
}

impl SideBySide {
    fn of(label: String, run: &Run) -> Self {
        SideBySide {
            label,
            p99_ms: run.latency_us.value_at_quantile(0.99) as f64 / 1000.0,
            qps: run.requests as f64 / run.wall.as_secs_f64(),
        }
    }
}

/// Every c=32 search load of the run against each other: p99 and QPS ratios, row over column.
fn print_side_by_side(rows: &[SideBySide]) {
    for a in rows {
        for b in rows {
            if std::ptr::eq(a, b) {
                continue;
            }
            println!(
                "{}",
                serde_json::json!({
                    "bench": "search_side_by_side",
                    "concurrency": 32,
                    "this": a.label,
                    "against": b.label,
                    "p99_ms": [round2(a.p99_ms), round2(b.p99_ms)],
                    "p99_ratio": round2(a.p99_ms / b.p99_ms),
                    "qps": [a.qps.round(), b.qps.round()],
                    "qps_ratio": round2(a.qps / b.qps),
                })
            );
        }
    }
}

/// Meilisearch alone: the bodies DDHub sends for the same queries, posted straight to its
/// search endpoint at concurrency 1 and 32 (no DDHub hop: no currency conversion, no hit
/// views; won bounds as the queries have them).
fn bench_meilisearch_direct(
    b: &SearchBench,
    env: &Env,
    queries: &[ddhub_search::SearchQuery],
    side_by_side: &mut Vec<SideBySide>,
) -> anyhow::Result<()> {
    let url = env.meilisearch_url.clone().unwrap_or_default();
    let key = env.meilisearch_key.clone();
    let index = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(ddhub_search::MeiliIndex::connect(
            ddhub_search::MeiliConfig::new(&url, key.clone(), "ddhub_styles"),
        ))?;
    let bodies = queries
        .iter()
        .map(|q| Ok(serde_json::to_vec(&index.search_request(q)?)?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let requests = Requests::Post {
        bodies: Arc::new(bodies),
        key,
    };
    for (concurrency, total) in [(1, b.requests_c1), (32, b.requests_c32)] {
        let run = drive(
            Endpoint::MeiliDirect,
            index.search_url(),
            requests.clone(),
            concurrency,
            total,
            200,
        )?;
        report(
            Endpoint::MeiliDirect,
            "meilisearch_direct",
            None,
            concurrency,
            &run,
        );
        if concurrency == 32 {
            side_by_side.push(SideBySide::of("meilisearch direct".into(), &run));
        }
    }
    Ok(())
}

fn bench_backend(
    b: &SearchBench,
    env: &Env,
    side_by_side: &mut Vec<SideBySide>,
) -> anyhow::Result<()> {
    if !b.no_reindex {
        let start = Instant::now();
        let out = env
            .command(&["reindex"])
            .stderr(Stdio::inherit())
            .output()
            .context("run ddhub reindex")?;
        let wall = start.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(out.status.success(), "ddhub reindex failed: {stdout}");
        let size = if env.backend == "tantivy" {
            serde_json::Value::from(dir_size(&env.data_dir.join("search")) / (1024 * 1024))
        } else {
            serde_json::Value::Null
        };
        println!(
            "{}",
            serde_json::json!({
                "bench": "search_reindex",
                "backend": env.backend,
                "styles": b.styles,
                "command": "ddhub reindex",
                "output": stdout.trim(),
                "wall_seconds": round2(wall),
                "target_seconds": TARGET_REINDEX_S,
                "ratio_to_target": round2(wall / TARGET_REINDEX_S),
                "index_size_mib": size,
                "load_average": load_average(),
            })
        );
    }
    // Queries written for the catalog loaded: its garment nouns and colours as buyers type
    // them in five languages (the judged set's words are for another catalog, and a quarter
    // of them found nothing here).
    let (texts, mixed) = query_mix()?;
    let queries: Arc<Vec<_>> = Arc::new(
        mixed
            .iter()
            .enumerate()
            .map(|(n, q)| params(q, n))
            .collect(),
    );
    // Suggestions: what the box sends while those texts are typed (their prefixes).
    let suggestions: Arc<Vec<Vec<(&'static str, String)>>> = Arc::new(
        texts
            .iter()
            .flat_map(|(locale, text)| {
                let chars: Vec<char> = text.chars().collect();
                (1..=chars.len().min(8)).map(move |n| {
                    vec![
                        ("locale", locale.tag().to_string()),
                        ("q", chars[..n].iter().collect::<String>()),
                    ]
                })
            })
            .collect(),
    );
    // The embedded index serves with its result cache (the default) and then without it, so
    // the engine's own latency is printed too: the 500 queries repeat, and a storefront's
    // popular searches repeat the same way, but its long tail does not.
    let caches: &[Option<bool>] = if env.backend == "tantivy" {
        &[Some(true), Some(false)]
    } else {
        &[None]
    };
    for cache in caches {
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(env.data_dir.join(format!("serve-{}.log", env.backend)))?;
        let mut command = env.command(&["serve", "--no-workers"]);
        command
            .env("DDHUB_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(log.try_clone()?)
            .stderr(log);
        if let Some(on) = cache {
            command.env("DDHUB_SEARCH_RESULT_CACHE", on.to_string());
        }
        let mut server = Spawned(command.spawn().context("start ddhub serve")?);
        wait_ready(&base, &mut server)?;
        let url = format!("{base}/api/v1/search");
        if !b.suggest_only {
            for (concurrency, total) in [(1, b.requests_c1), (32, b.requests_c32)] {
                let run = drive(
                    Endpoint::Search,
                    url.clone(),
                    Requests::Get(queries.clone()),
                    concurrency,
                    total,
                    200,
                )?;
                report(Endpoint::Search, env.backend, *cache, concurrency, &run);
                if concurrency == 32 {
                    let label = match cache {
                        Some(true) => format!("{} (result cache on)", env.backend),
                        Some(false) => format!("{} (engine alone, cache off)", env.backend),
                        None => format!("{} behind DDHub", env.backend),
                    };
                    side_by_side.push(SideBySide::of(label, &run));
                }
            }
        }
        // Suggestions with the server's default (result cache on), as buyers meet them.
        if *cache != Some(false) {
            let url = format!("{base}/api/v1/search/suggest");
            for (concurrency, total) in [(1, b.requests_c1), (32, b.requests_c32)] {
                let run = drive(
                    Endpoint::Suggest,
                    url.clone(),
                    Requests::Get(suggestions.clone()),
                    concurrency,
                    total,
                    200,
                )?;
                report(Endpoint::Suggest, env.backend, *cache, concurrency, &run);
            }
        }
        drop(server);
    }
    Ok(())
}

/// A Meilisearch to compare with: DDHUB_BENCH_MEILISEARCH_URL, or a `meilisearch` binary on
/// the PATH started on a free port (stopped at the end). `Err` says why there is none.
fn meilisearch(data_dir: &Path) -> Result<(String, Option<String>, Option<Spawned>), String> {
    if let Ok(url) = std::env::var("DDHUB_BENCH_MEILISEARCH_URL") {
        return Ok((url, std::env::var("DDHUB_BENCH_MEILISEARCH_KEY").ok(), None));
    }
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("meilisearch"))
        .find(|p| p.is_file());
    let Some(bin) = found else {
        return Err(
            "DDHUB_BENCH_MEILISEARCH_URL is not set and no meilisearch binary is on the PATH"
                .into(),
        );
    };
    let port = free_port().map_err(|e| e.to_string())?;
    let child = Command::new(bin)
        .args(["--no-analytics", "--http-addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--db-path")
        .arg(data_dir.join("meili"))
        .current_dir(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start meilisearch: {e}"))?;
    Ok((
        format!("http://127.0.0.1:{port}"),
        None,
        Some(Spawned(child)),
    ))
}

pub async fn run(b: SearchBench) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data_dir = data_dir(b.data_dir.as_deref(), tmp.path())?;
    let database_url = b
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("ddhub.sqlite").display()));
    println!(
        "{}",
        serde_json::json!({
            "bench": "search_setup",
            "styles": b.styles,
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "database": if database_url.starts_with("sqlite") { "sqlite" } else { "postgres" },
            "data_dir": data_dir.display().to_string(),
            "load_generator": "reqwest keep-alive client on one thread of this process, HDR histogram; it shares the machine's cores with the server",
            "load_average": load_average(),
        })
    );
    if !b.reuse {
        let mut opts = StoreOptions::new(database_url.clone());
        opts.max_connections = 4;
        let store = Store::connect(&opts).await.context("open database")?;
        store.migrate().await?;
        let secs = ingest(&store, &data_dir, b.styles).await?;
        store.close().await?;
        println!(
            "{}",
            serde_json::json!({"bench": "search_ingest", "styles": b.styles, "seconds": round2(secs)})
        );
    }
    let exe = ddhub_binary()?;
    let env = Env {
        exe: exe.clone(),
        data_dir: data_dir.clone(),
        database_url: database_url.clone(),
        backend: "tantivy",
        meilisearch_url: None,
        meilisearch_key: None,
    };
    let mut side_by_side = Vec::new();
    tokio::task::block_in_place(|| bench_backend(&b, &env, &mut side_by_side))?;
    match meilisearch(&data_dir) {
        Err(why) => println!(
            "{}",
            serde_json::json!({"bench": "search_http", "backend": "meilisearch", "skipped": why})
        ),
        Ok((url, key, server)) => {
            let env = Env {
                backend: "meilisearch",
                meilisearch_url: Some(url),
                meilisearch_key: key,
                ..env
            };
            tokio::task::block_in_place(|| {
                if server.is_some() {
                    wait_meilisearch(env.meilisearch_url.as_deref().unwrap_or_default())?;
                }
                bench_backend(&b, &env, &mut side_by_side)?;
                if !b.suggest_only {
                    let (_, mixed) = query_mix()?;
                    bench_meilisearch_direct(&b, &env, &mixed, &mut side_by_side)?;
                }
                Ok::<_, anyhow::Error>(())
            })?;
            drop(server);
        }
    }
    print_side_by_side(&side_by_side);
    Ok(())
}

/// The `ddhub` binary built beside this one (`cargo build --release -p ddhub -p ddhub-bench`).
pub(crate) fn ddhub_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let exe = me.with_file_name("ddhub");
    if !exe.is_file() {
        anyhow::bail!(
            "{} not found: build it beside ddhub-bench (cargo build --release -p ddhub -p ddhub-bench)",
            exe.display()
        );
    }
    Ok(exe)
}

/// `ddhub-bench search-engine`: the embedded engine alone, in this process, on an index the
/// search benchmark left (`--data-dir D` of an earlier `ddhub-bench search`). Every query of
/// the HTTP benchmark's mix runs `--rounds` times on one thread with the result cache off;
/// prints the mean and p99 per kind of query and the slowest queries, to see where the
/// engine's time goes (a profiler then says why). Prints, never asserts.
#[derive(Args, Debug)]
pub struct EngineBench {
    /// The data directory of an earlier `ddhub-bench search --data-dir D` run (its `search`
    /// index is opened; nothing is written to it).
    #[arg(long)]
    data_dir: PathBuf,
    /// Passes over the whole query mix.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// How many of the slowest queries to print.
    #[arg(long, default_value_t = 15)]
    slowest: usize,
}

fn query_kind(q: &SearchQuery) -> String {
    let mut kind = String::from(if q.q.is_some() { "text" } else { "browse" });
    if q.category.is_some() {
        kind.push_str("+category");
    }
    if !q.colour_families.is_empty() {
        kind.push_str("+colour");
    }
    if q.price_min_krw.is_some() || q.price_max_krw.is_some() {
        kind.push_str("+price");
    }
    kind.push_str(&format!(" {:?}", q.sort));
    kind
}

pub fn run_engine(b: EngineBench) -> anyhow::Result<()> {
    let dir = b.data_dir.join("search");
    let index = ddhub_search::TantivyIndex::open(&dir)
        .with_context(|| format!("open the search index in {}", dir.display()))?;
    index.set_browse_cache(false);
    let (_, mixed) = query_mix()?;
    for q in mixed.iter().take(100) {
        index.search_blocking(q)?;
    }
    let mut per_query: Vec<Vec<f64>> = vec![Vec::new(); mixed.len()];
    let started = Instant::now();
    for _ in 0..b.rounds {
        for (i, q) in mixed.iter().enumerate() {
            let t = Instant::now();
            index.search_blocking(q)?;
            per_query[i].push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let mut all: Vec<f64> = per_query.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    println!(
        "{}",
        serde_json::json!({
            "bench": "search_engine",
            "queries": all.len(),
            "mean_ms": round2(all.iter().sum::<f64>() / all.len() as f64),
            "p50_ms": round2(pct(&all, 0.5)),
            "p99_ms": round2(pct(&all, 0.99)),
            "queries_per_core_second": (all.len() as f64 / wall).round(),
        })
    );
    let mut kinds: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (q, times) in mixed.iter().zip(&per_query) {
        kinds.entry(query_kind(q)).or_default().extend(times);
    }
    let total: f64 = all.iter().sum();
    for (kind, mut times) in kinds {
        times.sort_by(f64::total_cmp);
        let sum: f64 = times.iter().sum();
        println!(
            "{}",
            serde_json::json!({
                "bench": "search_engine_kind",
                "kind": kind,
                "n": times.len(),
                "mean_ms": round2(sum / times.len() as f64),
                "p99_ms": round2(pct(&times, 0.99)),
                "share_of_time": round2(sum / total),
            })
        );
    }
    let mut slow: Vec<(f64, &SearchQuery)> = mixed
        .iter()
        .zip(&per_query)
        .map(|(q, t)| (t.iter().sum::<f64>() / t.len().max(1) as f64, q))
        .collect();
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, q) in slow.into_iter().take(b.slowest) {
        println!(
            "{}",
            serde_json::json!({
                "bench": "search_engine_slow",
                "mean_ms": round2(ms),
                "kind": query_kind(q),
                "q": q.q,
                "locale": q.locale.to_string(),
                "page": q.page,
            })
        );
    }
    Ok(())
}
