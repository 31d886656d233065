//! `ddhub-bench …`: benchmark programs that print figures and their ratio to the target.
//! They never assert a time; `scripts/bench-*.sh` run them side by side. They live in their
//! own binary so the production `ddhub` carries none of their code (or hdrhistogram); the
//! search bench drives the `ddhub` binary built beside this one.

mod channels;
mod feeds;
mod search;
mod shipping;
mod storefront;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use ddhub_app::services::catalog::{self, MediaPaths};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_store::uploads::{self, NewUpload, UploadMode};
use ddhub_store::{Store, StoreOptions, parties};
use std::time::Instant;

/// mimalloc, as the production binary uses: the figures measure what `ddhub` runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "ddhub-bench", about = "DDHub's benchmark programs")]
struct Cli {
    #[command(subcommand)]
    command: BenchCmd,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ddhub-bench: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ddhub-bench: {e:#}");
            std::process::ExitCode::from(1)
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Catalog ingestion: parse-only, or full ingest to committed rows.
    Ingest(IngestBench),
    /// Order intake (with idempotency) and webhook delivery.
    Orders(OrdersBench),
    /// A partner's full GMC XML feed from a seeded database: items/s and peak memory.
    Feeds(crate::feeds::FeedsBench),
    /// Search over HTTP: reindex time and size, latency and QPS at concurrency 1 and 32.
    Search(crate::search::SearchBench),
    /// The embedded search engine alone, in process, on an index `search --data-dir` left:
    /// mean and p99 per kind of query, the slowest queries.
    SearchEngine(crate::search::EngineBench),
    /// Issue 17: the pickup list of 10,000 lines / 500 wholesalers, a declaration batch of 100.
    Shipping(crate::shipping::ShippingBench),
    /// Marketplace channel writers beside the GMC writer: items/s, ratio to GMC, peak memory.
    Channels(crate::channels::ChannelsBench),
    /// Issue 21: the storefront's search page, style page and cart over HTTP at concurrency 1
    /// and 32, and the first page's weight before images in every language.
    Storefront(crate::storefront::StorefrontBench),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Phase {
    /// Read and validate only.
    Parse,
    /// Read, validate and commit every style and SKU.
    Full,
}

#[derive(Args, Debug)]
pub struct IngestBench {
    /// Styles in the generated catalog (about 6 SKUs each).
    #[arg(long, default_value_t = 100_000)]
    styles: usize,
    #[arg(long, value_enum, default_value_t = Phase::Full)]
    phase: Phase,
    /// Database for the full phase: a fresh temporary SQLite file when absent.
    #[arg(long)]
    database_url: Option<String>,
}

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

pub async fn run(cmd: BenchCmd) -> anyhow::Result<()> {
    match cmd {
        BenchCmd::Ingest(b) => ingest(b).await,
        BenchCmd::Orders(b) => orders(b).await,
        BenchCmd::Feeds(b) => crate::feeds::run(b).await,
        BenchCmd::Search(b) => crate::search::run(b).await,
        BenchCmd::SearchEngine(b) => tokio::task::block_in_place(|| crate::search::run_engine(b)),
        BenchCmd::Shipping(b) => crate::shipping::run(b).await,
        BenchCmd::Channels(b) => crate::channels::run(b),
        BenchCmd::Storefront(b) => crate::storefront::run(b).await,
    }
}

async fn ingest(b: IngestBench) -> anyhow::Result<()> {
    let csv = ddhub_ingest::sample::sample_catalog_cp949(b.styles, 42);
    let bytes_len = csv.len();
    let dir = tempfile::tempdir()?;
    let (secs, skus, backend) = match b.phase {
        Phase::Parse => {
            let start = Instant::now();
            let (_, v) = ddhub_ingest::ingest(&csv, &ddhub_ingest::ReadOptions::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let secs = start.elapsed().as_secs_f64();
            anyhow::ensure!(
                v.styles.len() == b.styles,
                "{} of {} styles parsed",
                v.styles.len(),
                b.styles
            );
            (secs, v.sku_count(), "none")
        }
        Phase::Full => {
            let url = b.database_url.clone().unwrap_or_else(|| {
                format!("sqlite://{}", dir.path().join("bench.sqlite").display())
            });
            let backend = if url.starts_with("sqlite") {
                "sqlite"
            } else {
                "postgres"
            };
            let store = Store::connect(&StoreOptions::new(url))
                .await
                .context("open database")?;
            store.migrate().await?;
            let (w, _) = parties::add_wholesaler(
                &store,
                &format!("bench-{}", std::process::id()),
                ShopLocation {
                    building: "APM".into(),
                    floor: "1".into(),
                    unit: "1".into(),
                },
            )
            .await?;
            let paths = MediaPaths::new(dir.path());
            let (updir, rel) = paths.new_upload_dir()?;
            std::fs::write(updir.join("sheet"), &csv)?;
            drop(csv);
            let upload = uploads::create(
                &store,
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
            let done = catalog::process(&store, &paths, upload.id, &|_, _| {}).await?;
            let secs = start.elapsed().as_secs_f64();
            anyhow::ensure!(
                done.counts.styles_created as usize == b.styles,
                "{} of {} styles committed: {:?}",
                done.counts.styles_created,
                b.styles,
                done.failure
            );
            store.close().await?;
            (secs, done.counts.skus as usize, backend)
        }
    };
    let rate = b.styles as f64 / secs;
    let target = match (b.phase, backend) {
        (Phase::Full, "postgres") => 10_000.0,
        _ => 20_000.0,
    };
    let peak = peak_rss();
    println!(
        "{}",
        serde_json::json!({
            "bench": "ingest",
            "phase": format!("{:?}", b.phase).to_lowercase(),
            "backend": backend,
            "styles": b.styles,
            "skus": skus,
            "file_bytes": bytes_len,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "styles_per_s": rate.round(),
            "target_styles_per_s": target,
            "ratio_to_target": (rate / target * 100.0).round() / 100.0,
            "peak_rss_mb": peak / (1024 * 1024),
        })
    );
    Ok(())
}

#[derive(Args, Debug)]
pub struct OrdersBench {
    /// Orders to place (each with a fresh Idempotency-Key, plus one replay each).
    #[arg(long, default_value_t = 2_000)]
    orders: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// A fresh temporary SQLite file when absent.
    #[arg(long)]
    database_url: Option<String>,
    /// Database connections in the server's pool: the server's default (`db_max_connections`).
    /// On two cores more PostgreSQL backends only switch more: 16 accepted ~870 orders/s where
    /// 8 accepted ~1,200.
    #[arg(long, default_value_t = 8)]
    db_connections: u32,
    /// How requests reach the server.
    #[arg(long, value_enum, default_value_t = Transport::Http)]
    transport: Transport,
    /// Webhook deliveries in flight at once (the worker pool's concurrency).
    #[arg(long, default_value_t = 16)]
    webhook_workers: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// `ddhub serve`'s own server (`ddhub_server::serve::serve`) on a loopback port, driven by
    /// an HTTP client with keep-alive: what a partner's client sees, minus the network.
    Http,
    /// The same router called in process (no sockets, no HTTP parsing).
    InProcess,
}

/// Sends one order request and returns the status.
#[derive(Clone)]
enum OrderClient {
    Http(reqwest::Client, String),
    Router(axum::Router),
}

impl OrderClient {
    async fn post(&self, auth: &str, key: &str, body: String) -> anyhow::Result<u16> {
        match self {
            OrderClient::Http(client, base) => Ok(client
                .post(format!("{base}/api/v1/orders"))
                .header("authorization", auth)
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .body(body)
                .send()
                .await?
                .status()
                .as_u16()),
            OrderClient::Router(router) => {
                use tower::ServiceExt;
                let req = axum::http::Request::post("/api/v1/orders")
                    .header("authorization", auth)
                    .header("content-type", "application/json")
                    .header("idempotency-key", key)
                    .body(axum::body::Body::from(body))?;
                Ok(router
                    .clone()
                    .oneshot(req)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?
                    .status()
                    .as_u16())
            }
        }
    }
}

/// The 1-minute load average, to read the figures against (other processes share the cores).
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Order intake with idempotency through the real server (over loopback HTTP by default): each
/// order is a new key, then one replay of the same key and body; then webhook delivery of every
/// `order.received` to a local receiver, by the worker pool `ddhub serve` runs.
pub async fn orders(b: OrdersBench) -> anyhow::Result<()> {
    use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
    use ddhub_store::parties::NewPartner;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dir = tempfile::tempdir()?;
    let url = b
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.sqlite").display()));
    let backend = if url.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    let mut opts = StoreOptions::new(url);
    opts.max_connections = b.db_connections;
    let store = Store::connect(&opts).await?;
    store.migrate().await?;
    let tag = std::process::id();
    let (w, _) = parties::add_wholesaler(
        &store,
        &format!("bench-{tag}"),
        ShopLocation {
            building: "APM".into(),
            floor: "1".into(),
            unit: "1".into(),
        },
    )
    .await?;
    let (partner, key) = parties::add_partner(
        &store,
        NewPartner {
            name: format!("bench-{tag}"),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await?;
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Jpy, "0.108")?).await?;
    let csv = ddhub_ingest::sample::sample_catalog_cp949(200, 7);
    let paths = MediaPaths::new(dir.path());
    let (updir, rel) = paths.new_upload_dir()?;
    std::fs::write(updir.join("sheet"), &csv)?;
    let upload = uploads::create(
        &store,
        NewUpload {
            wholesaler: w.id,
            mode: UploadMode::Merge,
            dry_run: false,
            file_name: "b.csv".into(),
            file_path: format!("{rel}/sheet"),
            photos_path: None,
            encoding: None,
            sheet_name: None,
        },
        false,
    )
    .await?;
    catalog::process(&store, &paths, upload.id, &|_, _| {}).await?;
    let rows = ddhub_store::catalog::listing_rows(
        &store,
        &ddhub_store::catalog::style_ids_after(&store, 0, 200).await?,
    )
    .await?;
    let skus: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| r.style.moq.0 <= 2 && r.style.state == ddhub_domain::style::StyleState::Active)
        .flat_map(|r| {
            let price = (r.style.price.0 * 108 + 500) / 1000;
            r.skus
                .iter()
                .filter(|k| k.stock == ddhub_domain::style::StockState::InStock)
                .map(move |k| (k.id.0, price.to_string()))
        })
        .collect();
    anyhow::ensure!(!skus.is_empty(), "the sample catalog has no SKUs");
    // A receiver for the webhooks.
    let received = Arc::new(AtomicUsize::new(0));
    let r2 = received.clone();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let r = r2.clone();
            async move {
                r.fetch_add(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, hook).await });
    let secret = ddhub_orders::webhook::WebhookSecret::generate(&mut rand::rng()).expose();
    ddhub_store::orders::set_webhook(&store, partner.id, &hook_url, &secret).await?;

    let mut config = ddhub_app::Config {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    config.webhooks_allow_private = true;
    // Measure intake, not the per-key limiter.
    config.partner_rate_per_minute = u32::MAX / 2;
    let auth = format!("Bearer {}", key.key);
    let body = |n: usize| {
        let (sku, price) = &skus[n % skus.len()];
        serde_json::json!({
            "partner_order_id": format!("B-{tag}-{n}"), "currency": "JPY",
            "lines": [{"sku_id": sku, "quantity": 2, "unit_price": price}],
            "ship_to": {"name": "Bench", "country": "JP", "address_lines": ["1-1"], "postal_code": "100-0001", "phone": "+81 3 0000 0000"}
        })
        .to_string()
    };
    let server_stop = tokio_util::sync::CancellationToken::new();
    let (client, server) = match b.transport {
        Transport::Http => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let base = format!("http://{}", listener.local_addr()?);
            let stop = server_stop.clone();
            let server = tokio::spawn(ddhub_server::serve::serve(
                config.clone(),
                store.clone(),
                listener,
                false,
                async move { stop.cancelled().await },
            ));
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(b.concurrency)
                .build()?;
            (OrderClient::Http(client, base), Some(server))
        }
        Transport::InProcess => {
            let app = Arc::new(ddhub_app::App::new(
                config.clone(),
                store.clone(),
                ddhub_app::worker::JobSignal::default(),
            )?);
            (OrderClient::Router(ddhub_server::router(app)), None)
        }
    };
    if let OrderClient::Http(c, base) = &client {
        // The server is up once it answers.
        let start = Instant::now();
        while c.get(format!("{base}/readyz")).send().await.is_err() {
            anyhow::ensure!(start.elapsed().as_secs() < 60, "the server never started");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    // The sample catalog's upload queued translation and indexing work, which the server's
    // workers run as it starts: intake is timed once that is done, not against it. (In
    // process, nothing runs them.)
    let queue = ddhub_store::jobs::JobQueue::new(store.clone());
    let settle = Instant::now();
    while b.transport == Transport::Http
        && queue
            .depth()
            .await?
            .iter()
            .any(|d| d.state == "queued" || d.state == "running")
    {
        anyhow::ensure!(
            settle.elapsed().as_secs() < 300,
            "the catalog's jobs did not finish in 5 minutes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sem = Arc::new(tokio::sync::Semaphore::new(b.concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(b.orders);
    for n in 0..b.orders {
        let (client, auth, sem, body) = (client.clone(), auth.clone(), sem.clone(), body(n));
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await;
            let key = format!("bench-{n}");
            // The order, then a replay of the same key and body (a client retrying after a
            // lost answer), which must answer the same.
            let mut answers = Vec::with_capacity(2);
            let mut in_flight = 0u32;
            while answers.len() < 2 {
                let status = client.post(&auth, &key, body.clone()).await?;
                // 409: the key's first request is still running; a client retries later.
                if status == 409 {
                    in_flight += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
                answers.push(status);
            }
            Ok::<(Vec<u16>, u32), anyhow::Error>((answers, in_flight))
        }));
    }
    let mut answered_409 = 0u64;
    for t in tasks {
        let (answers, retries) = t.await??;
        anyhow::ensure!(
            answers.iter().all(|s| *s == 201),
            "an order answered {answers:?}"
        );
        answered_409 += u64::from(retries);
    }
    let intake_secs = started.elapsed().as_secs_f64();
    server_stop.cancel();
    if let Some(server) = server {
        // `serve` closes its store when it stops: open the database again.
        server.await??;
    }
    drop(client);
    let store = Store::connect(&opts).await?;
    let placed = ddhub_store::orders::count_orders(&store, partner.id).await?;
    anyhow::ensure!(
        placed as usize == b.orders,
        "{placed} orders for {} keys",
        b.orders
    );
    // Deliver every order.received.
    let token = tokio_util::sync::CancellationToken::new();
    let media = ddhub_app::media::MediaStore::open("local", dir.path())?;
    config.worker_concurrency = b.webhook_workers;
    let pool = ddhub_app::runtime::worker_pool(
        &config,
        &store,
        &media,
        None,
        ddhub_app::worker::JobSignal::default(),
    );
    let start_delivery = Instant::now();
    let handle = tokio::spawn(pool.run(token.clone()));
    while received.load(Ordering::SeqCst) < b.orders {
        anyhow::ensure!(
            start_delivery.elapsed().as_secs() < 600,
            "webhooks stalled at {}",
            received.load(Ordering::SeqCst)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let delivery_secs = start_delivery.elapsed().as_secs_f64();
    token.cancel();
    let _ = handle.await;
    let rate = b.orders as f64 / intake_secs;
    let target = if backend == "sqlite" { 500.0 } else { 1_000.0 };
    let transport = match b.transport {
        Transport::Http => "http",
        Transport::InProcess => "in-process",
    };
    println!(
        "{}",
        serde_json::json!({
            "bench": "orders", "backend": backend, "transport": transport,
            "measures": "orders accepted per second: each a new Idempotency-Key (validated, written with its lines, purchase request, event, webhook delivery and stored answer) then, once answered, one replay of the same key and body (answered from the stored response); both requests are in the time",
            "orders": b.orders, "replays": b.orders, "answered_409_in_flight": answered_409,
            "concurrency": b.concurrency, "db_connections": b.db_connections,
            "intake_seconds": (intake_secs * 1000.0).round() / 1000.0,
            "orders_per_s": rate.round(), "target_orders_per_s": target,
            "ratio_to_target": (rate / target * 100.0).round() / 100.0,
            "webhook_workers": b.webhook_workers,
            "webhook_deliveries_per_s": (b.orders as f64 / delivery_secs).round(),
            "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "load_average_1m": load_average(),
        })
    );
    store.close().await?;
    Ok(())
}
