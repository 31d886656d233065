//! `ddhub bench feeds`: a partner's full Google Merchant XML feed built from a real database,
//! as `GET /api/v1/feeds/products` builds it (pages of styles read from the store, mapped,
//! written), into a byte-counting sink. `--seed` fills the database first in its own process,
//! so the feed run's peak memory (VmHWM) is the feed's alone; `scripts/bench-feeds.sh` runs
//! 10,000 and 100,000 styles, plain and gzip, and prints the ratios to the targets.

use anyhow::Context;
use clap::Args;
use ddhub_app::services::catalog::{self, MediaPaths};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
use ddhub_feeds::{Compression, FeedFormat};
use ddhub_store::photos::StoredVariant;
use ddhub_store::uploads::{self, NewUpload, UploadMode};
use ddhub_store::{Store, StoreOptions, parties};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct FeedsBench {
    /// Styles in the generated catalog (about 6 SKUs each).
    #[arg(long, default_value_t = 100_000)]
    styles: usize,
    /// The SQLite file to fill (`--seed`) or to read.
    #[arg(long)]
    database: PathBuf,
    /// Fill the database with the generated catalog, one ready photo per style, and a partner.
    #[arg(long)]
    seed: bool,
    /// gzip the feed (level 1, as the server does).
    #[arg(long)]
    gzip: bool,
    /// Also time the delivered price (landed cost, issue 19) of every style of the feed to the
    /// partner's destination, computed as the storefront and API do (shipping from the carrier
    /// rate tables, duty, tax, de minimis), and print it beside the feed's time with the ratio
    /// (target ≤ 0.10). The styles are read before the clock starts: the feed reads them anyway.
    #[arg(long)]
    landed: bool,
}

const PARTNER: &str = "bench-feeds";
/// Targets of issue 7.
const TARGET_ITEMS_PER_S: f64 = 100_000.0;

/// A sink that counts bytes, so the disk is not what is measured.
#[derive(Default)]
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub async fn run(b: FeedsBench) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", b.database.display());
    if b.seed {
        return seed(&b, &url).await;
    }
    let store = Store::connect(&StoreOptions::new(url))
        .await
        .context("open database (run with --seed first)")?;
    let partner = parties::find_partner_by_name(&store, PARTNER)
        .await?
        .context("no bench partner: run with --seed first")?;
    let settings = ddhub_app::services::feeds::settings_for(&store, partner.id).await?;
    let rate = ddhub_store::rates::get_rate(&store, settings.currency).await?;
    let compression = if b.gzip {
        Compression::Gzip(1)
    } else {
        Compression::Identity
    };
    let handle = tokio::runtime::Handle::current();
    let store2 = store.clone();
    let start = Instant::now();
    let (sink, summary) = tokio::task::spawn_blocking(move || {
        ddhub_app::services::feeds::write_partner_feed(
            &handle,
            &store2,
            &settings,
            rate,
            "https://hub.example",
            "https://media.example",
            FeedFormat::GmcXml,
            compression,
            CountingSink::default(),
        )
    })
    .await??;
    let secs = start.elapsed().as_secs_f64();
    let items = summary.items;
    if b.landed {
        landed_beside(&store, partner.id, secs, items).await?;
    }
    let rate = items as f64 / secs;
    println!(
        "{}",
        serde_json::json!({
            "bench": "feeds",
            "format": "gmc-xml",
            "coding": if b.gzip { "gzip" } else { "identity" },
            "styles": b.styles,
            "items": items,
            "bytes": sink.0,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "items_per_s": rate.round(),
            "target_items_per_s": TARGET_ITEMS_PER_S,
            "ratio_to_target": (rate / TARGET_ITEMS_PER_S * 100.0).round() / 100.0,
            "peak_rss_mb": crate::peak_rss() as f64 / (1024.0 * 1024.0),
        })
    );
    store.close().await?;
    Ok(())
}

/// The landed cost of every style of the catalog, timed, beside the feed's `feed_secs`.
async fn landed_beside(
    store: &Store,
    partner: ddhub_domain::PartnerId,
    feed_secs: f64,
    feed_items: u64,
) -> anyhow::Result<()> {
    use ddhub_app::services::landed::{destination_of, estimate_style, local_currency};
    let settings = ddhub_app::services::feeds::settings_for(store, partner).await?;
    let dest = destination_of(settings.currency).unwrap_or("US");
    let local = ddhub_store::rates::get_rate(store, local_currency(dest)).await?;
    let mut styles = Vec::new();
    let mut after = 0;
    loop {
        let ids = ddhub_store::catalog::style_ids_after(store, after, 10_000).await?;
        let Some(last) = ids.last() else { break };
        after = last.0;
        styles.extend(
            ddhub_store::catalog::listing_rows(store, &ids)
                .await?
                .into_iter()
                .map(|r| r.style),
        );
    }
    let date = ddhub_orders::date::seoul_today();
    let start = Instant::now();
    // Per feed, as a feed would: the rate tables once, then one estimate per style.
    let rates = ddhub_app::services::shipments::rate_tables(store).await?;
    let (mut priced, mut total_krw) = (0u64, 0i64);
    for s in &styles {
        if let Some(Ok(c)) = estimate_style(s, s.moq.0.max(1), dest, &rates, local, date) {
            priced += 1;
            total_krw = total_krw.wrapping_add(c.total.0);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "bench": "feeds-landed",
            "destination": dest,
            "styles": styles.len(),
            "feed_items": feed_items,
            "feed_seconds": (feed_secs * 1000.0).round() / 1000.0,
            "landed_priced": priced,
            "landed_seconds": (secs * 10_000.0).round() / 10_000.0,
            "landed_us_per_style": (secs / styles.len().max(1) as f64 * 1e6 * 100.0).round() / 100.0,
            "ratio_landed_to_feed": (secs / feed_secs.max(1e-9) * 1000.0).round() / 1000.0,
            "target_ratio": 0.10,
            "checksum_krw": total_krw,
        })
    );
    Ok(())
}

async fn seed(b: &FeedsBench, url: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&StoreOptions::new(url.to_string()))
        .await
        .context("open database")?;
    store.migrate().await?;
    let (w, _) = parties::add_wholesaler(
        &store,
        "bench",
        ShopLocation {
            building: "APM".into(),
            floor: "1".into(),
            unit: "1".into(),
        },
    )
    .await?;
    let csv = ddhub_ingest::sample::sample_catalog_cp949(b.styles, 42);
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
    let done = catalog::process(&store, &paths, upload.id, &|_, _| {}).await?;
    anyhow::ensure!(
        done.counts.styles_created as usize == b.styles,
        "{} of {} styles committed: {:?}",
        done.counts.styles_created,
        b.styles,
        done.failure
    );
    // One normalised photo per style (Google needs an image; the feed links it).
    let mut after = 0;
    loop {
        let ids = ddhub_store::catalog::style_ids_after(&store, after, 10_000).await?;
        let Some(last) = ids.last() else { break };
        after = last.0;
        let rows: Vec<_> = ids
            .iter()
            .map(|id| {
                let key = format!("styles/{}/0", id.0);
                let variants = ["large", "medium", "thumb"]
                    .iter()
                    .map(|name| StoredVariant {
                        name: (*name).to_string(),
                        format: "jpeg".into(),
                        width: 1200,
                        height: 1500,
                        key: format!("{key}-{name}.jpg"),
                    })
                    .collect();
                (*id, format!("{:064x}", id.0), variants)
            })
            .collect();
        ddhub_store::photos::insert_ready_bulk(&store, &rows).await?;
    }
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Usd, "0.00075")?).await?;
    parties::add_partner(
        &store,
        parties::NewPartner {
            name: PARTNER.into(),
            locale: Locale::En,
            currency: Currency::Usd,
            markup_bp: 1500,
            rounding: RoundingRule::Charm99,
        },
    )
    .await?;
    store.close().await?;
    eprintln!(
        "seeded {} styles into {} in {:.1}s",
        b.styles,
        b.database.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
