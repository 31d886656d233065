//! `ddhub-bench storefront` (issue 21): the pages a buyer loads, over HTTP, from the real
//! `ddhub serve` on a generated catalog (100,000 styles by default, through the real ingestion
//! and `ddhub reindex`): the search page (`/` with the search benchmark's query mix: five
//! languages, filters, sorts, second pages, three currencies), the style page
//! (`/styles/{id}`, a spread of styles) and a signed-in, approved buyer's cart (`/cart`). Each
//! at concurrency 1 and 32 with the server's defaults (result cache on), printing p50/p95/p99
//! and the ratio of p99 at 32 to the 30 ms target; and the first page's weight before images
//! (HTML, CSS and scripts) in every storefront language, against 100 KB. Latency is what the
//! client measures on loopback (the server's time plus the socket), so it slightly overstates
//! the server's time. The load generator shares the machine's cores with the server.
//! Never asserts a time.

use crate::search::{self, Env, Spawned};
use anyhow::Context;
use clap::Args;
use ddhub_domain::{Locale, StyleId};
use ddhub_store::buyers::{self, CartLine, NewBuyer};
use ddhub_store::{Store, StoreOptions, parties};
use hdrhistogram::Histogram;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET_P99_MS: f64 = 30.0;
const TARGET_FIRST_PAGE_KB: f64 = 100.0;
/// The buyer's session cookie (`crates/server/src/pages/buyer.rs`).
const BUYER_COOKIE: &str = "ddhub_buyer";

#[derive(Args, Debug)]
pub struct StorefrontBench {
    /// Styles in the generated catalog.
    #[arg(long, default_value_t = 100_000)]
    styles: usize,
    /// Requests per page kind at concurrency 32 (a quarter of it at concurrency 1).
    #[arg(long, default_value_t = 6_400)]
    requests: usize,
    /// Keep the data directory here instead of a temporary one (reuse it with --reuse).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Skip ingestion and reindexing: the data directory holds the catalog of an earlier run.
    #[arg(long)]
    reuse: bool,
}

struct Load {
    latency_us: Histogram<u64>,
    errors: usize,
    bytes: u64,
    requests: usize,
    wall: Duration,
}

/// `total` GETs of `paths` (in turn) from `concurrency` workers on one thread.
fn drive(
    base: &str,
    paths: Arc<Vec<String>>,
    cookie: Option<String>,
    concurrency: usize,
    total: usize,
) -> anyhow::Result<Load> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let base = base.to_string();
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency * 2)
            .timeout(Duration::from_secs(60))
            .build()?;
        let get = |client: &reqwest::Client, path: &str| {
            let mut r = client
                .get(format!("{base}{path}"))
                .header("accept-language", "en");
            if let Some(c) = &cookie {
                r = r.header("cookie", c.clone());
            }
            r
        };
        // Warm-up: every path once at most, so first-touch costs are not in the figures.
        for p in paths.iter().take(200) {
            get(&client, p).send().await?.bytes().await?;
        }
        let per_worker = total / concurrency.max(1);
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(concurrency);
        for w in 0..concurrency {
            let paths = paths.clone();
            let request = (0..per_worker)
                .map(|i| get(&client, &paths[(w * 7919 + i) % paths.len()]))
                .collect::<Vec<_>>();
            tasks.push(tokio::spawn(async move {
                let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
                let (mut errors, mut bytes) = (0usize, 0u64);
                for r in request {
                    let t = Instant::now();
                    match r.send().await {
                        Ok(res) if res.status().is_success() => match res.bytes().await {
                            Ok(b) => bytes += b.len() as u64,
                            Err(_) => errors += 1,
                        },
                        Ok(res) => {
                            if errors == 0 {
                                eprintln!("bench storefront: HTTP {}", res.status());
                            }
                            errors += 1;
                        }
                        Err(e) => {
                            if errors == 0 {
                                eprintln!("bench storefront: {e}");
                            }
                            errors += 1;
                        }
                    }
                    latency.saturating_record(t.elapsed().as_micros().max(1) as u64);
                }
                Ok::<_, anyhow::Error>((latency, errors, bytes))
            }));
        }
        let mut load = Load {
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            errors: 0,
            bytes: 0,
            requests: per_worker * concurrency,
            wall: Duration::ZERO,
        };
        for t in tasks {
            let (l, errors, bytes) = t.await??;
            load.latency_us.add(&l)?;
            load.errors += errors;
            load.bytes += bytes;
        }
        load.wall = started.elapsed();
        Ok(load)
    })
}

fn report(page: &str, concurrency: usize, load: &Load) {
    let ms = |p: f64| search::round2(load.latency_us.value_at_quantile(p) as f64 / 1000.0);
    let p99 = ms(0.99);
    let mut line = serde_json::json!({
        "bench": "storefront_http",
        "page": page,
        "result_cache": true,
        "concurrency": concurrency,
        "requests": load.requests,
        "errors": load.errors,
        "mean_kb": search::round2(load.bytes as f64 / load.requests.max(1) as f64 / 1024.0),
        "p50_ms": ms(0.50),
        "p95_ms": ms(0.95),
        "p99_ms": p99,
        "max_ms": search::round2(load.latency_us.max() as f64 / 1000.0),
        "qps": (load.requests as f64 / load.wall.as_secs_f64()).round(),
        "load_average": search::load_average(),
    });
    if concurrency == 32 {
        line["target_p99_ms"] = TARGET_P99_MS.into();
        line["ratio_to_target"] = search::round2(p99 / TARGET_P99_MS).into();
    }
    println!("{line}");
}

/// The assets a page links (`/assets/…` stylesheets and scripts): what loads before images.
fn linked_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"/assets/", "src=\"/assets/"] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            let tail = &rest[i + attr.len() - "/assets/".len()..];
            if let Some(end) = tail.find('"') {
                let url = tail[..end].replace("&amp;", "&");
                if !out.contains(&url) {
                    out.push(url);
                }
            }
            rest = &rest[i + attr.len()..];
        }
    }
    out
}

/// The first page's weight before images, per storefront language.
fn first_page_weights(base: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let client = reqwest::Client::new();
        for locale in Locale::ALL {
            let html = client
                .get(format!("{base}/?locale={}", locale.tag()))
                .send()
                .await?
                .error_for_status()?
                .text()
                .await?;
            let mut bytes = html.len();
            let assets = linked_assets(&html);
            for a in &assets {
                bytes += client
                    .get(format!("{base}{a}"))
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?
                    .len();
            }
            let kb = bytes as f64 / 1024.0;
            println!(
                "{}",
                serde_json::json!({
                    "bench": "storefront_first_page",
                    "locale": locale.tag(),
                    "html_kb": search::round2(html.len() as f64 / 1024.0),
                    "assets": assets,
                    "kb_before_images": search::round2(kb),
                    "target_kb": TARGET_FIRST_PAGE_KB,
                    "ratio_to_target": search::round2(kb / TARGET_FIRST_PAGE_KB),
                    "compression": "none (sizes as served, before any gzip)",
                })
            );
        }
        Ok(())
    })
}

/// A signed-in, approved buyer with a cart of three styles; its session cookie.
async fn buyer_with_cart(store: &Store, styles: &[(StyleId, i64, u32)]) -> anyhow::Result<String> {
    let email = "bench-buyer@example.com";
    let buyer = match buyers::find_by_email(store, email).await? {
        Some(b) => b,
        None => {
            buyers::add(
                store,
                NewBuyer {
                    email: email.into(),
                    business_name: "Bench Select Shop".into(),
                    country: "JP".into(),
                    locale: Locale::En,
                },
            )
            .await?
        }
    };
    let buyer = buyers::approve(store, buyer.id).await?;
    let lines: Vec<CartLine> = styles
        .iter()
        .take(3)
        .map(|(_, sku, moq)| CartLine {
            sku_id: ddhub_domain::SkuId(*sku),
            quantity: (*moq).max(1),
        })
        .collect();
    buyers::set_cart_lines(store, buyer.id, &lines).await?;
    let s = buyers::open_session(store, buyer.id, Duration::from_secs(24 * 3600)).await?;
    Ok(format!("{BUYER_COOKIE}={}", s.token))
}

/// A spread of styles over the catalog: (style, its first SKU, its MOQ).
async fn sample_styles(store: &Store) -> anyhow::Result<Vec<(StyleId, i64, u32)>> {
    let w = parties::find_wholesaler_by_name(store, "bench-search")
        .await?
        .context("the bench wholesaler is missing: run without --reuse")?;
    let mut out = Vec::new();
    for page in [0u64, 40, 80, 120, 160, 199] {
        let list = ddhub_store::catalog::list_styles(store, w.id, None, page, 100).await?;
        for s in list.styles {
            out.push((s.id, s.moq.0));
        }
    }
    let mut with_skus = Vec::with_capacity(out.len());
    for (id, moq) in out {
        let (_, skus) = ddhub_store::catalog::get_style(store, w.id, id).await?;
        if let Some(k) = skus.first() {
            with_skus.push((id, k.id.0, moq));
        }
    }
    anyhow::ensure!(!with_skus.is_empty(), "no styles in the catalog");
    Ok(with_skus)
}

pub async fn run(b: StorefrontBench) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data_dir = search::data_dir(b.data_dir.as_deref(), tmp.path())?;
    let database_url = format!("sqlite://{}", data_dir.join("ddhub.sqlite").display());
    let mut opts = StoreOptions::new(database_url.clone());
    opts.max_connections = 4;
    let store = Store::connect(&opts).await.context("open database")?;
    store.migrate().await?;
    println!(
        "{}",
        serde_json::json!({
            "bench": "storefront_setup",
            "styles": b.styles,
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "database": "sqlite",
            "load_generator": "reqwest keep-alive client on one thread of this process, HDR histogram; it shares the machine's cores with the server",
        })
    );
    if !b.reuse {
        let secs = search::ingest(&store, &data_dir, b.styles).await?;
        println!(
            "{}",
            serde_json::json!({"bench": "storefront_ingest", "styles": b.styles, "seconds": search::round2(secs)})
        );
    }
    let styles = sample_styles(&store).await?;
    let cookie = buyer_with_cart(&store, &styles).await?;
    store.close().await?;

    let env = Env {
        exe: search::ddhub_binary()?,
        data_dir: data_dir.clone(),
        database_url,
        backend: "tantivy",
        meilisearch_url: None,
        meilisearch_key: None,
    };
    tokio::task::block_in_place(|| -> anyhow::Result<()> {
        if !b.reuse {
            let out = env
                .command(&["reindex"])
                .stderr(Stdio::inherit())
                .output()
                .context("run ddhub reindex")?;
            anyhow::ensure!(out.status.success(), "ddhub reindex failed");
        }
        let port = search::free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(data_dir.join("serve-storefront.log"))?;
        let mut command = env.command(&["serve", "--no-workers"]);
        command
            .env("DDHUB_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(log.try_clone()?)
            .stderr(log);
        let mut server = Spawned(command.spawn().context("start ddhub serve")?);
        search::wait_ready(&base, &mut server)?;

        // The search page with the search benchmark's query mix, as storefront links.
        let (_, mixed) = search::query_mix()?;
        let search_paths: Vec<String> = mixed
            .iter()
            .enumerate()
            .map(|(n, q)| {
                let mut query = form_urlencoded::Serializer::new(String::new());
                for (k, v) in search::params(q, n) {
                    if !matches!(k, "per_page" | "moq_max") {
                        query.append_pair(k, &v);
                    }
                }
                format!("/?{}", query.finish())
            })
            .collect();
        let currencies = ["USD", "JPY", "KRW"];
        let style_paths: Vec<String> = styles
            .iter()
            .enumerate()
            .map(|(n, (id, _, _))| {
                let locale = Locale::ALL[n % Locale::ALL.len()];
                format!(
                    "/styles/{}?locale={}&currency={}",
                    id.0,
                    locale.tag(),
                    currencies[n % 3]
                )
            })
            .collect();
        let cart_paths: Vec<String> = Locale::ALL
            .iter()
            .map(|l| format!("/cart?locale={}", l.tag()))
            .collect();
        for (page, paths, cookie) in [
            ("search", search_paths, None),
            ("style", style_paths, None),
            ("cart", cart_paths, Some(cookie.clone())),
        ] {
            let paths = Arc::new(paths);
            for (concurrency, total) in [(1, b.requests / 4), (32, b.requests)] {
                let load = drive(&base, paths.clone(), cookie.clone(), concurrency, total)?;
                report(page, concurrency, &load);
            }
        }
        first_page_weights(&base)?;
        drop(server);
        Ok(())
    })
}
