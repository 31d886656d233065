//! Glossary-path title throughput: 100,000 titles × 6 export locales on one thread.
//! Prints titles/s and the ratio to the 120,000/s target; never asserts a time.
//!
//! Run: `cargo bench -p ddhub-translate --bench glossary_rate`

use ddhub_domain::Locale;
use ddhub_translate::quality::SHIPPED_DEVSET;
use ddhub_translate::{Glossary, translate_title};
use std::hint::black_box;
use std::time::Instant;

const TITLES: usize = 100_000;
const TARGET_PER_SECOND: f64 = 120_000.0;

fn main() {
    let glossary = match Glossary::builtin() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("glossary failed to load: {e}");
            return;
        }
    };
    // Dev-set titles, varied with a shop name and a tag so the input is not one repeated string.
    let base: Vec<&str> = SHIPPED_DEVSET
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    let shops = ["", "몽실 ", "[당일출고] ", "라온하루 ", "[빠른배송] 소담 "];
    let titles: Vec<String> = (0..TITLES)
        .map(|i| format!("{}{}", shops[i % shops.len()], base[i % base.len()]))
        .collect();

    // Warm up caches and the allocator.
    for t in titles.iter().take(2_000) {
        black_box(translate_title(&glossary, t, Locale::En));
    }
    let start = Instant::now();
    let mut chars = 0usize;
    for t in &titles {
        for locale in Locale::TARGETS {
            chars += black_box(translate_title(&glossary, t, locale)).title.len();
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let translations = (TITLES * Locale::TARGETS.len()) as f64;
    let rate = translations / elapsed;
    println!(
        "glossary_rate: {} titles x {} locales in {:.3} s = {:.0} title translations/s ({:.2}x the {:.0}/s target; {} output bytes)",
        TITLES,
        Locale::TARGETS.len(),
        elapsed,
        rate,
        rate / TARGET_PER_SECOND,
        TARGET_PER_SECOND,
        chars
    );
}
