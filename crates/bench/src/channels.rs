//! `ddhub-bench channels`: the marketplace channel writers (Shopify CSV, Shopee global JSON
//! Lines, Yahoo! Shopping Shift-JIS CSV) side by side with the Google Merchant XML writer over
//! the same generated styles (about 6 SKUs each, built on demand so the catalog never sits in
//! memory), into a byte-counting sink. Each (format, size) runs in its own child process so its
//! peak resident set (VmHWM) is its own. Prints items/s, the ratio to GMC's rate (target ≥ 0.8)
//! and peak memory at `--small` and `--styles` styles (target: growth ≤ 64 MB).

use clap::Args;
use ddhub_domain::style::{CompositionPart, StockState, StyleState};
use ddhub_domain::{Currency, Krw, Locale, RatePerKrw, SkuId, StyleId, Timestamp, WholesalerId};
use ddhub_feeds::{
    CategoryTarget, Channel, Compression, FeedFormat, FeedMapper, FeedSettings, FeedSku, FeedStyle,
    write_feed,
};
use std::io::Write;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ChannelsBench {
    /// Styles in the large run.
    #[arg(long, default_value_t = 100_000)]
    styles: u64,
    /// Styles in the small run (the memory growth is measured between the two).
    #[arg(long, default_value_t = 10_000)]
    small: u64,
    /// Run one format only and print its JSON line (what the parent spawns).
    #[arg(long)]
    only: Option<String>,
}

const FORMATS: [FeedFormat; 4] = [
    FeedFormat::GmcXml,
    FeedFormat::ShopifyCsv,
    FeedFormat::ShopeeGlobal,
    FeedFormat::YahooShoppingCsv,
];
const TARGET_RATIO: f64 = 0.8;
const TARGET_GROWTH_MB: f64 = 64.0;

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

const COLOURS: [&str; 8] = [
    "black",
    "ivory",
    "sky_blue",
    "beige",
    "navy",
    "pink",
    "heather_grey",
    "camel",
];
const SIZES: [[&str; 3]; 4] = [
    ["55", "66", "77"],
    ["s", "m", "l"],
    ["25", "27", "29"],
    ["free", "free", "free"],
];
const CATEGORIES: [&str; 6] = [
    "tops/knit/cardigan",
    "pants/denim",
    "dresses/midi",
    "outerwear/coat",
    "tops/blouse",
    "accessories/hat",
];

/// A deterministic style: 2–3 colours × 1–3 sizes, padded to 6 SKUs for free-size styles;
/// Japanese titles for the Japanese channel so its Shift-JIS encoder does real work.
fn style(i: u64, japanese: bool) -> FeedStyle {
    let sizes = &SIZES[(i % 4) as usize];
    let n_sizes = if i % 4 == 3 { 1 } else { 3 };
    let n_colours = if n_sizes == 1 {
        6
    } else {
        2 + (i % 2) as usize
    };
    let mut skus = Vec::with_capacity(n_colours * n_sizes);
    for c in 0..n_colours {
        for size in sizes.iter().take(n_sizes) {
            skus.push(FeedSku {
                sku_id: SkuId((i * 16 + skus.len() as u64) as i64),
                colour: COLOURS[(i as usize + c) % COLOURS.len()].to_string(),
                size: (*size).to_string(),
                stock: if (i + c as u64).is_multiple_of(17) {
                    StockState::Backorder
                } else {
                    StockState::InStock
                },
                expected: None,
                image: None,
            });
        }
    }
    let (title, description) = if japanese {
        (
            format!("ゆったり ケーブルニット カーディガン ポケット付き ボタン No.{i}"),
            "柔らかなケーブル編みのカーディガン。ゆったりシルエット、ポケット2つ、\
             ボタン留め。東大門の卸から、最小注文2点、2日以内に発送。"
                .to_string(),
        )
    } else {
        (
            format!("Loose-fit cable knit cardigan with pockets & buttons no. {i}"),
            "Soft cable knit cardigan, loose fit, two pockets, horn buttons. Wholesale from \
             Dongdaemun, Seoul: MOQ 2 pieces, dispatched within 2 days."
                .to_string(),
        )
    };
    FeedStyle {
        style_id: StyleId(i as i64),
        style_code: format!("KN-{i:06}"),
        wholesaler_id: WholesalerId((i % 300) as i64 + 1),
        wholesaler_name: format!("Shop {}", i % 300),
        title,
        description,
        category: CATEGORIES[(i % 6) as usize].to_string(),
        gender: None,
        price: Krw(12_000 + (i % 50) as i64 * 500),
        moq: 2,
        composition: vec![
            CompositionPart {
                material: "acrylic".into(),
                percent: 70,
            },
            CompositionPart {
                material: "wool".into(),
                percent: 30,
            },
        ],
        origin: Some("KR".into()),
        photos: (1..=4)
            .map(|p| format!("https://cdn.hub.example/gmc/{i}/{p}.jpg"))
            .collect(),
        state: StyleState::Active,
        created_at: Timestamp(1_790_000_000_000),
        updated_at: Timestamp(1_790_000_000_000 + i as i64),
        skus,
        extras: Default::default(),
        weight_grams: Some(450),
        measurements: Vec::new(),
        fit_note: None,
        shipping_krw: Vec::new(),
    }
}

fn settings_for(format: FeedFormat) -> FeedSettings {
    let mut s = FeedSettings {
        format,
        markup_bp: 1_500,
        ..FeedSettings::default()
    };
    if format == FeedFormat::YahooShoppingCsv {
        s.locale = Locale::Ja;
        s.currency = Currency::Jpy;
        for (code, id) in [
            ("tops", "1"),
            ("pants", "2"),
            ("dresses", "3"),
            ("outerwear", "4"),
            ("accessories", "5"),
        ] {
            s.category_map.insert(
                code.into(),
                CategoryTarget {
                    partner_category: Some(format!("3760{id}")),
                    google_category: None,
                },
            );
        }
    }
    s
}

fn one(format: FeedFormat, styles: u64) -> anyhow::Result<serde_json::Value> {
    let settings = settings_for(format);
    let rate = match settings.currency {
        Currency::Jpy => RatePerKrw::parse(Currency::Jpy, "0.108"),
        _ => RatePerKrw::parse(Currency::Usd, "0.00072"),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let channel = Channel {
        title: "DDHub".into(),
        link: "https://hub.example".into(),
        description: "bench".into(),
    };
    let japanese = format == FeedFormat::YahooShoppingCsv;
    let mut mapper = FeedMapper::new(&settings, Some(rate), "https://hub.example")?;
    let start = Instant::now();
    let (sink, summary) = write_feed(
        format,
        Compression::Identity,
        CountingSink::default(),
        &channel,
        &mut mapper,
        (0..styles).map(|i| style(i, japanese)),
    )?;
    let secs = start.elapsed().as_secs_f64();
    let items_in = summary.items + summary.rule_left_out + summary.skipped.total_items();
    Ok(serde_json::json!({
        "format": format.as_str(),
        "styles": styles,
        "items_in": items_in,
        "items_out": summary.items,
        "bytes": sink.0,
        "seconds": secs,
        "items_per_s": items_in as f64 / secs,
        "peak_rss_mb": crate::peak_rss() as f64 / (1024.0 * 1024.0),
    }))
}

pub fn run(b: ChannelsBench) -> anyhow::Result<()> {
    if let Some(name) = &b.only {
        let format =
            FeedFormat::parse(name).ok_or_else(|| anyhow::anyhow!("unknown format {name:?}"))?;
        println!("{}", one(format, b.styles)?);
        return Ok(());
    }
    let exe = std::env::current_exe()?;
    let mut runs: Vec<serde_json::Value> = Vec::new();
    for styles in [b.small, b.styles] {
        for format in FORMATS {
            let out = std::process::Command::new(&exe)
                .args([
                    "channels",
                    "--only",
                    format.as_str(),
                    "--styles",
                    &styles.to_string(),
                ])
                .output()?;
            anyhow::ensure!(
                out.status.success(),
                "{}: {}",
                format.as_str(),
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            println!("{v}");
            runs.push(v);
        }
    }
    let get = |f: FeedFormat, styles: u64| {
        runs.iter()
            .find(|r| r["format"] == f.as_str() && r["styles"] == styles)
            .cloned()
            .unwrap_or_default()
    };
    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    let gmc_rate = f(&get(FeedFormat::GmcXml, b.styles), "items_per_s");
    println!(
        "\n{:<20}{:>12}{:>10}{:>11}{:>14}{:>14}{:>10}",
        "format",
        "items/s",
        "vs GMC",
        "items out",
        format!("peak MB {}", b.small),
        format!("peak MB {}", b.styles),
        "growth"
    );
    for format in FORMATS {
        let (small, big) = (get(format, b.small), get(format, b.styles));
        let rate = f(&big, "items_per_s");
        let ratio = if gmc_rate > 0.0 { rate / gmc_rate } else { 0.0 };
        let growth = f(&big, "peak_rss_mb") - f(&small, "peak_rss_mb");
        println!(
            "{:<20}{:>12.0}{:>9.2}x {:>10}{:>14.1}{:>14.1}{:>9.1}M  {}",
            format.as_str(),
            rate,
            ratio,
            big["items_out"],
            f(&small, "peak_rss_mb"),
            f(&big, "peak_rss_mb"),
            growth,
            if ratio >= TARGET_RATIO && growth <= TARGET_GROWTH_MB {
                "meets target"
            } else {
                "BELOW TARGET"
            }
        );
    }
    println!(
        "targets: ≥ {TARGET_RATIO}× GMC's items/s; peak memory growth {} → {} styles ≤ \
         {TARGET_GROWTH_MB} MB",
        b.small, b.styles
    );
    Ok(())
}
