//! `ddhub bench …`: benchmark programs that print figures and their ratio to the target.
//! They never assert a time; `scripts/bench-*.sh` run them side by side.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_server::catalog_upload::{self, MediaPaths};
use ddhub_store::uploads::{self, NewUpload, UploadMode};
use ddhub_store::{Store, StoreOptions, parties};
use std::time::Instant;

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Catalog ingestion: parse-only, or full ingest to committed rows.
    Ingest(IngestBench),
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
            let done = catalog_upload::process(&store, &paths, upload.id, &|_, _| {}).await?;
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
