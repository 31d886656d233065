//! Throughput and memory of the Google Merchant XML feed: styles → items → XML into a counting
//! sink, plain and gzip, for 10,000 and 100,000 styles (about 6 SKUs each). Each size runs in its
//! own process so the peak resident set (VmHWM) of one does not hide the other's.
//!
//! The marketplace channel writers (issue 18) run beside GMC, with their ratio to its rate
//! (target ≥ 0.8×).
//!
//! `cargo bench -p ddhub-feeds --bench gmc_xml` (prints, never asserts).
//! Targets (issue 7): ≥ 100,000 items/s uncompressed; peak(100k) − peak(10k) ≤ 64 MB.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ddhub_domain::style::{CompositionPart, StockState, StyleState};
use ddhub_domain::{Currency, Krw, RatePerKrw, SkuId, StyleId, Timestamp, WholesalerId};
use ddhub_feeds::{
    Channel, Compression, FeedFormat, FeedMapper, FeedSettings, FeedSku, FeedStyle, write_feed,
};
use std::io::{self, Write};
use std::process::Command;
use std::time::Instant;

/// An `io::sink` that counts bytes.
#[derive(Default)]
struct CountingSink {
    bytes: u64,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
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

/// A deterministic synthetic style: 2–3 colours × 1–3 sizes (about 6 SKUs on average), built on
/// demand so the catalog never sits in memory.
fn style(i: u64) -> FeedStyle {
    let sizes = &SIZES[(i % 4) as usize];
    let n_sizes = if i % 4 == 3 { 1 } else { 3 };
    let n_colours = 2 + (i % 2) as usize;
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
    // 2 colours × 3 sizes or 3 × 3, and every fourth style a single free size: pad those to 6.
    if n_sizes == 1 {
        for c in n_colours..6 {
            skus.push(FeedSku {
                sku_id: SkuId((i * 16 + c as u64) as i64),
                colour: COLOURS[c % COLOURS.len()].to_string(),
                size: "free".to_string(),
                stock: StockState::InStock,
                expected: None,
                image: None,
            });
        }
    }
    FeedStyle {
        style_id: StyleId(i as i64),
        style_code: format!("KN-{i:06}"),
        wholesaler_id: WholesalerId((i % 300) as i64 + 1),
        wholesaler_name: format!("Shop {} (청평화 2층 B-{})", i % 300, i % 40),
        title: format!("Loose-fit cable knit cardigan with pockets & buttons no. {i}"),
        description: "Soft cable knit cardigan, loose fit, two pockets, horn buttons. \
            Wholesale from Dongdaemun, Seoul: MOQ 2 pieces, dispatched within 2 days. \
            Hand wash cold, dry flat. Colours may vary slightly on screen."
            .to_string(),
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
        weight_grams: Some(450),
        extras: Default::default(),
        measurements: Vec::new(),
        fit_note: None,
        shipping_krw: Vec::new(),
    }
}

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(styles: u64) {
    let settings = FeedSettings {
        markup_bp: 1_500,
        rounding: ddhub_domain::RoundingRule::Charm99,
        shipping: vec![ddhub_feeds::ShippingDefault {
            country: "US".into(),
            service: Some("EMS".into()),
            price_minor: 1_500,
        }],
        ..FeedSettings::default()
    };
    let rate = RatePerKrw::parse(Currency::Usd, "0.00072").unwrap();
    let channel = Channel {
        title: "DDHub".into(),
        link: "https://hub.example".into(),
        description: "bench".into(),
    };

    // Generating the styles alone, to show what the feed itself costs.
    let t = Instant::now();
    let mut skus = 0u64;
    for i in 0..styles {
        skus += style(i).skus.len() as u64;
    }
    let gen_secs = t.elapsed().as_secs_f64();

    let mut results = Vec::new();
    for (label, format, compression) in [
        ("gmc-xml", FeedFormat::GmcXml, Compression::Identity),
        ("gmc-xml gzip-1", FeedFormat::GmcXml, Compression::Gzip(1)),
        ("gmc-xml gzip-6", FeedFormat::GmcXml, Compression::Gzip(6)),
        ("csv", FeedFormat::Csv, Compression::Identity),
        ("jsonl", FeedFormat::Jsonl, Compression::Identity),
        ("shopify-csv", FeedFormat::ShopifyCsv, Compression::Identity),
        (
            "shopee-global",
            FeedFormat::ShopeeGlobal,
            Compression::Identity,
        ),
        (
            "yahoo-csv",
            FeedFormat::YahooShoppingCsv,
            Compression::Identity,
        ),
    ] {
        // Yahoo! Japan lists in Japanese and yen, with a product category for each style.
        let yahoo = format == FeedFormat::YahooShoppingCsv;
        let settings = if yahoo {
            let mut s = FeedSettings {
                locale: ddhub_domain::Locale::Ja,
                currency: Currency::Jpy,
                ..settings.clone()
            };
            for code in ["tops", "pants", "dresses", "outerwear", "accessories"] {
                s.category_map.insert(
                    code.into(),
                    ddhub_feeds::CategoryTarget {
                        partner_category: Some("37052".into()),
                        google_category: None,
                    },
                );
            }
            s
        } else {
            settings.clone()
        };
        let rate = if yahoo {
            RatePerKrw::parse(Currency::Jpy, "0.108").unwrap()
        } else {
            rate
        };
        let mut mapper = FeedMapper::new(&settings, Some(rate), "https://hub.example").unwrap();
        let t = Instant::now();
        let (sink, summary) = write_feed(
            format,
            compression,
            CountingSink::default(),
            &channel,
            &mut mapper,
            (0..styles).map(|i| {
                let mut s = style(i);
                // Japanese text for the Japanese channel, so its Shift-JIS encoder works.
                if yahoo {
                    s.title = format!("ゆったり ケーブルニット カーディガン ポケット付き No.{i}");
                    s.description = "柔らかなケーブル編みのカーディガン。ゆったりシルエット、\
                                     ポケット2つ、ボタン留め。東大門の卸から発送。"
                        .to_string();
                }
                s
            }),
        )
        .unwrap();
        let secs = t.elapsed().as_secs_f64();
        // Channels count SKUs in (their rules may leave some out or group them).
        assert_eq!(summary.items + summary.rule_left_out, skus, "{label}");
        results.push((label, skus, secs, sink.bytes));
    }
    let hwm = vm_hwm_kb().unwrap_or(0);
    println!(
        "styles={styles} items={skus} generate_only={:.0} items/s peak_rss_kb={hwm}",
        skus as f64 / gen_secs
    );
    let gmc = results
        .first()
        .map(|(_, items, secs, _)| *items as f64 / secs)
        .unwrap_or(1.0);
    for (label, items, secs, bytes) in results {
        let rate = items as f64 / secs;
        println!(
            "  {label:<15} {rate:>10.0} items/s  {:>5.2}x gmc  {:>7.2} s  {:>8.1} MB out",
            rate / gmc,
            secs,
            bytes as f64 / 1e6
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--styles") {
        let n = args
            .get(pos + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        run(n);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut peaks = Vec::new();
    for styles in [10_000u64, 100_000] {
        let out = Command::new(&exe)
            .args(["--styles", &styles.to_string()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
        let peak = text
            .split_whitespace()
            .find_map(|w| w.strip_prefix("peak_rss_kb="))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        peaks.push(peak);
    }
    println!(
        "peak RSS: 10k styles {:.1} MB, 100k styles {:.1} MB, difference {:.1} MB (target ≤ 64 MB)",
        peaks[0] as f64 / 1024.0,
        peaks[1] as f64 / 1024.0,
        (peaks[1] as f64 - peaks[0] as f64) / 1024.0
    );
}
