//! Marketplace channels: each file read back by an independent reader (Python's `csv` and
//! `json` in the channel's encoding) and checked against the channel's rules; diagnostics give
//! every left-out style its reason.

use crate::support::*;
use ddhub_domain::style::StockState;
use ddhub_domain::{Currency, Locale, WholesalerId};
use ddhub_feeds::channels::{shopify, yahoo};
use ddhub_feeds::{
    Action, CategoryTarget, Compression, FeedDiagnostics, FeedFormat, FeedMapper, FeedSettings,
    FeedStyle, Reason, StyleExtras, write_feed, write_feed_observed,
};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Runs `script` with python3 over `file`, returning its stdout as JSON; `None` (and a line
/// saying why) when python3 is not installed, so the test is skipped, not failed.
fn python(script: &str, file: &std::path::Path) -> Option<serde_json::Value> {
    let out = match Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: python3 is not available to read the file back ({e})");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

const READ_CSV: &str = r#"
import csv, json, sys
enc = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'
with open(sys.argv[1], encoding=enc, newline='') as f:
    r = csv.reader(f, strict=True)
    rows = list(r)
print(json.dumps({"header": rows[0], "rows": [dict(zip(rows[0], row)) for row in rows[1:]]}))
"#;

fn write(
    format: FeedFormat,
    settings: &FeedSettings,
    styles: &[FeedStyle],
) -> (Vec<u8>, FeedDiagnostics) {
    let mut mapper = FeedMapper::new(settings, Some(rate(settings.currency)), BASE).unwrap();
    let mut diag = FeedDiagnostics::new(format);
    let (bytes, summary) = write_feed_observed(
        format,
        Compression::Identity,
        Vec::new(),
        &channel(),
        &mut mapper,
        styles.iter().cloned(),
        &mut |r| diag.observe(r),
    )
    .unwrap();
    assert_eq!(summary.items, diag.items_out);
    (bytes, diag)
}

fn temp_file(bytes: &[u8], name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn shopify_csv_groups_variants_and_images_by_handle() {
    let settings = FeedSettings {
        format: FeedFormat::ShopifyCsv,
        ..FeedSettings::default()
    };
    let catalog = sample_catalog();
    let (bytes, diag) = write(FeedFormat::ShopifyCsv, &settings, &catalog);
    assert!(std::str::from_utf8(&bytes).is_ok(), "UTF-8");
    let (_dir, path) = temp_file(&bytes, "shopify.csv");
    let Some(read) = python(READ_CSV, &path) else {
        return;
    };
    let header: Vec<String> = serde_json::from_value(read["header"].clone()).unwrap();
    assert_eq!(header, shopify::COLUMNS);
    let rows: Vec<BTreeMap<String, String>> = serde_json::from_value(read["rows"].clone()).unwrap();

    // Rows of one handle follow each other (Shopify starts a new product at a new handle).
    let mut seen = BTreeSet::new();
    let mut blocks: Vec<(String, Vec<&BTreeMap<String, String>>)> = Vec::new();
    for row in &rows {
        let h = &row["Handle"];
        match blocks.last_mut() {
            Some((last, rs)) if last == h => rs.push(row),
            _ => {
                assert!(seen.insert(h.clone()), "handle {h} split into two blocks");
                blocks.push((h.clone(), vec![row]));
            }
        }
        assert!(
            h.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{h}"
        );
    }
    // Every style with a SKU still selling is one product; the sold-out dress is left out.
    let selling: Vec<&FeedStyle> = catalog
        .iter()
        .filter(|s| s.state != ddhub_domain::style::StyleState::SoldOut)
        .collect();
    assert_eq!(blocks.len(), selling.len());
    let item_ids: BTreeSet<String> = items(&settings, &catalog)
        .into_iter()
        .map(|i| i.id)
        .collect();
    for ((handle, rs), style) in blocks.iter().zip(&selling) {
        let first = rs[0];
        assert!(
            !first["Title"].is_empty(),
            "{handle}: title on the first row"
        );
        assert_eq!(first["Option1 Name"], "Color");
        assert_eq!(first["Option2 Name"], "Size");
        assert_eq!(first["Published"], "TRUE");
        for later in &rs[1..] {
            for product_field in ["Title", "Body (HTML)", "Vendor", "Option1 Name", "Tags"] {
                assert_eq!(
                    later[product_field], "",
                    "{handle}: {product_field} only once"
                );
            }
        }
        let variants: Vec<_> = rs.iter().filter(|r| !r["Variant SKU"].is_empty()).collect();
        let expected = style
            .skus
            .iter()
            .filter(|k| k.stock != StockState::SoldOut)
            .count();
        assert_eq!(variants.len(), expected, "{handle}");
        // Variant rows come first, then rows with only an image.
        assert!(
            rs[..variants.len()]
                .iter()
                .all(|r| !r["Variant SKU"].is_empty())
        );
        for v in &variants {
            assert!(
                item_ids.contains(&v["Variant SKU"]),
                "SKU is the feed item id"
            );
            assert!(!v["Option1 Value"].is_empty() && !v["Option2 Value"].is_empty());
            assert!(v["Variant Price"].parse::<f64>().unwrap() > 0.0);
            assert_eq!(v["Variant Grams"], settings.weight_g.to_string());
        }
        let positions: Vec<usize> = rs
            .iter()
            .filter(|r| !r["Image Src"].is_empty())
            .map(|r| r["Image Position"].parse().unwrap())
            .collect();
        assert_eq!(
            positions,
            (1..=positions.len()).collect::<Vec<_>>(),
            "{handle}"
        );
        assert!(!positions.is_empty());
        for r in rs.iter().filter(|r| !r["Image Src"].is_empty()) {
            assert!(!r["Image Alt Text"].is_empty());
        }
        // Title case, as Shopify stores write English titles.
        assert!(
            first["Title"]
                .split(' ')
                .all(|w| !w.starts_with(|c: char| c.is_ascii_lowercase())
                    || ["a", "and", "in", "of", "with", "the"].contains(&w)),
            "{}",
            first["Title"]
        );
    }
    let dress = diag
        .left_out
        .iter()
        .find(|d| d.style_code == "OP-3")
        .unwrap();
    assert!(dress.issues.iter().all(|i| i.reason == Reason::SoldOut));
    // The cardigan's one sold-out SKU is left out with its reason, the rest go out.
    let cardigan = diag
        .left_out
        .iter()
        .find(|d| d.style_code == "KN-2041")
        .unwrap();
    assert_eq!((cardigan.items_in, cardigan.items_out), (9, 8));
    assert_eq!(
        cardigan.issues[0].item_id.as_deref(),
        Some("7-KN-2041-sky_blue-77")
    );
}

const CHECK_SHOPEE: &str = r#"
import json, sys
limits = {"TW": 60, "PH": 60, "SG": 80, "MY": 80, "TH": 80}
problems, lines = [], []
with open(sys.argv[1], encoding='utf-8') as f:
    for n, line in enumerate(f, 1):
        item = json.loads(line)
        lines.append(item)
        name = item["global_item_name"]
        for m in item["markets"]:
            if len(name) > limits[m]:
                problems.append(f"line {n}: name over {m}'s limit")
        if not 1 <= len(item["image"]["image_url_list"]) <= 9:
            problems.append(f"line {n}: image count")
        tiers = item["tier_variation"]
        if not 1 <= len(tiers) <= 2:
            problems.append(f"line {n}: tiers")
        for model in item["model"]:
            if len(model["tier_index"]) != len(tiers):
                problems.append(f"line {n}: tier_index length")
            for t, i in enumerate(model["tier_index"]):
                if i >= len(tiers[t]["option_list"]):
                    problems.append(f"line {n}: tier_index out of range")
            if model["original_price"] <= 0:
                problems.append(f"line {n}: price")
        combos = [tuple(m["tier_index"]) for m in item["model"]]
        if len(set(combos)) != len(combos):
            problems.append(f"line {n}: duplicate model")
        for k in ("weight",):
            if item[k] <= 0:
                problems.append(f"line {n}: {k}")
        d = item["dimension"]
        if min(d["package_length"], d["package_width"], d["package_height"]) <= 0:
            problems.append(f"line {n}: dimension")
print(json.dumps({"problems": problems, "lines": lines}))
"#;

#[test]
fn shopee_global_items_keep_the_markets_rules() {
    let settings = FeedSettings {
        format: FeedFormat::ShopeeGlobal,
        ..FeedSettings::default()
    };
    let mut catalog = sample_catalog();
    catalog[0].title = "Loose-fit cable knit cardigan with two front pockets and horn buttons \
                        free shipping"
        .into();
    catalog[0].photos = (1..=12).map(|i| format!("{BASE}/p/{i}.jpg")).collect();
    let (bytes, diag) = write(FeedFormat::ShopeeGlobal, &settings, &catalog);
    let text = String::from_utf8(bytes).unwrap();
    // One global item a line, each a JSON object with the API's field names.
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        catalog.len(),
        "sold-out models stay, with stock 0"
    );
    for l in &lines {
        for field in [
            "global_item_sku",
            "global_item_name",
            "description",
            "original_price",
        ] {
            assert!(!l[field].is_null(), "{field}");
        }
    }
    let first = &lines[0];
    let name = first["global_item_name"].as_str().unwrap();
    assert!(name.chars().count() <= 60, "{name}");
    assert!(!name.to_lowercase().contains("free shipping"));
    // Cut at a word boundary: the name is a prefix of the full title, followed by a space.
    let full = "Loose-Fit Cable Knit Cardigan with Two Front Pockets and Horn Buttons";
    assert!(
        full.starts_with(name) && full[name.len()..].starts_with(' '),
        "{name}"
    );
    assert_eq!(
        first["image"]["image_url_list"].as_array().unwrap().len(),
        9
    );
    let card = diag
        .fixed
        .iter()
        .find(|d| d.style_code == "KN-2041")
        .unwrap();
    let reasons: BTreeSet<Reason> = card.issues.iter().map(|i| i.reason).collect();
    assert!(reasons.contains(&Reason::TitleTooLong));
    assert!(reasons.contains(&Reason::ForbiddenWord));
    assert!(reasons.contains(&Reason::TooManyImages));

    let (_dir, path) = temp_file(text.as_bytes(), "shopee.jsonl");
    let Some(read) = python(CHECK_SHOPEE, &path) else {
        return;
    };
    assert_eq!(
        read["problems"],
        serde_json::json!([]),
        "{}",
        read["problems"]
    );
    assert_eq!(read["lines"].as_array().unwrap().len(), lines.len());
}

fn yahoo_settings() -> FeedSettings {
    let mut category_map = BTreeMap::new();
    for (code, id) in [
        ("tops", "1"),
        ("pants", "2"),
        ("shoes", "3"),
        ("outerwear", "4"),
        ("dresses", "5"),
        ("bags", "6"),
    ] {
        category_map.insert(
            code.to_string(),
            CategoryTarget {
                partner_category: Some(format!("3760{id}")),
                google_category: None,
            },
        );
    }
    FeedSettings {
        format: FeedFormat::YahooShoppingCsv,
        locale: Locale::Ja,
        currency: Currency::Jpy,
        category_map,
        ..FeedSettings::default()
    }
}

#[test]
fn yahoo_csv_is_shift_jis_and_refuses_what_it_cannot_carry() {
    let settings = yahoo_settings();
    let mut catalog = sample_catalog();
    catalog[1].title = "ハイライズ ストレート デニム 🌸".into();
    catalog[2].title = "フリル襟ブラウス 니트".into();
    catalog[4].title = "ウールブレンド ロングコート 大人 きれいめ 冬 アウター ロング丈 \
                        ゆったり 体型カバー レディース 通勤 オフィス カジュアル 上品 防寒 \
                        シンプル ベーシック 定番 人気 送料無料"
        .into();
    let (bytes, diag) = write(FeedFormat::YahooShoppingCsv, &settings, &catalog);
    assert!(String::from_utf8(bytes.clone()).is_err() || bytes.is_ascii());
    let (_dir, path) = temp_file(&bytes, "yahoo.csv");

    // Refused, never replaced: the style is left out with the field, character and code point.
    let jeans = diag
        .left_out
        .iter()
        .find(|d| d.style_code == "DN-77")
        .unwrap();
    assert_eq!(jeans.items_out, 0);
    assert_eq!(jeans.issues[0].reason, Reason::Unencodable);
    assert!(
        jeans.issues[0].detail.contains("U+1F338"),
        "{}",
        jeans.issues[0].detail
    );
    assert!(jeans.issues[0].detail.starts_with("name"));
    let blouse = diag
        .left_out
        .iter()
        .find(|d| d.style_code == "BL 11")
        .unwrap();
    assert!(blouse.issues[0].detail.contains("U+B2C8"));
    let coat = diag
        .fixed
        .iter()
        .find(|d| d.style_code == "CT-900")
        .unwrap();
    assert!(coat.issues.iter().any(|i| i.reason == Reason::TitleTooLong));
    assert!(
        coat.issues
            .iter()
            .any(|i| i.reason == Reason::ForbiddenWord)
    );

    // Python's strict `shift_jis` codec (JIS X 0208, no vendor extensions) must read it all.
    let Some(read) = python_with_encoding(&path, "shift_jis") else {
        return;
    };
    let header: Vec<String> = serde_json::from_value(read["header"].clone()).unwrap();
    assert_eq!(header, yahoo::COLUMNS);
    let rows: Vec<BTreeMap<String, String>> = serde_json::from_value(read["rows"].clone()).unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str()).collect();
    assert!(!codes.contains(&"7-DN-77") && !codes.contains(&"7-BL_11"));
    assert!(codes.contains(&"7-KN-2041"));
    for r in &rows {
        // 75 full-width characters, a half-width one counting half.
        let units: usize = r["name"]
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum();
        assert!(units <= 150, "{}", r["name"]);
        assert!(!r["name"].contains("送料無料"));
        assert!(!r["product-category"].is_empty());
        assert!(r["price"].parse::<u64>().unwrap() > 0);
        for sub in r["sub-code"].split('&') {
            let (opts, code) = sub.split_once('=').unwrap();
            assert!(
                opts.starts_with("カラー:") && opts.contains("#サイズ:"),
                "{sub}"
            );
            assert!(code.starts_with(&r["code"]));
        }
        assert!(r["options"].starts_with("カラー ") && r["options"].contains("\n\nサイズ "));
    }
    let coat_row = rows.iter().find(|r| r["code"] == "7-CT-900").unwrap();
    let full = catalog[4].title.replace("送料無料", "");
    let full = full.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(full.starts_with(&coat_row["name"]) && full[coat_row["name"].len()..].starts_with(' '));
}

fn python_with_encoding(path: &std::path::Path, encoding: &str) -> Option<serde_json::Value> {
    let out = match Command::new("python3")
        .arg("-c")
        .arg(READ_CSV)
        .arg(path)
        .arg(encoding)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: python3 is not available to read the file back ({e})");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "python3 could not read the file as {encoding}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn diagnostics_name_every_left_out_style_and_its_reason() {
    let mut catalog = sample_catalog();
    // No photo; photos under the profile; not translated; another wholesaler; sold out.
    catalog[0].photos.clear();
    catalog[1].photos.clear();
    catalog[1].extras.photos_below_profile = 2;
    catalog[2].extras = StyleExtras {
        untranslated: true,
        ..StyleExtras::default()
    };
    catalog[3].wholesaler_id = WholesalerId(99);
    let settings = FeedSettings {
        wholesalers: Some(BTreeSet::from([WholesalerId(7)])),
        ..FeedSettings::default()
    };
    let (_, diag) = write(FeedFormat::ShopifyCsv, &settings, &catalog);
    let reason_of = |code: &str| {
        let d = diag
            .left_out
            .iter()
            .find(|d| d.style_code == code)
            .unwrap_or_else(|| panic!("{code} not in diagnostics"));
        assert_eq!(d.issues[0].action, Action::LeftOut);
        d.issues[0].reason
    };
    assert_eq!(reason_of("KN-2041"), Reason::NoPhoto);
    assert_eq!(reason_of("DN-77"), Reason::PhotoBelowProfile);
    assert_eq!(reason_of("BL 11"), Reason::NotTranslated);
    assert_eq!(reason_of("SH-5"), Reason::ExcludedBySettings);
    assert_eq!(reason_of("OP-3"), Reason::SoldOut);
    assert_eq!(diag.styles_in, catalog.len() as u64);
    assert_eq!(diag.styles_out, 3);
    let skus: u64 = catalog.iter().map(|s| s.skus.len() as u64).sum();
    assert_eq!(diag.items_in, skus);
    for r in [
        Reason::NoPhoto,
        Reason::PhotoBelowProfile,
        Reason::NotTranslated,
        Reason::ExcludedBySettings,
        Reason::SoldOut,
    ] {
        assert_eq!(diag.left_out_by_reason.get(&r), Some(&1), "{r:?}");
        assert!(!r.label_ko().is_empty());
    }
    // GMC keeps untranslated styles (the Korean title stands in) unless the partner asks.
    let (_, gmc) = write(FeedFormat::GmcXml, &settings, &catalog);
    assert!(!gmc.left_out.iter().any(|d| d.style_code == "BL 11"));
    // And a feed that comes back empty says why, style by style.
    let mut empty = sample_catalog();
    for s in &mut empty {
        s.photos.clear();
        s.extras.photos_below_profile = 1;
    }
    let (_, none) = write(FeedFormat::GmcXml, &FeedSettings::default(), &empty);
    assert_eq!(none.items_out, 0);
    assert_eq!(none.left_out.len(), empty.len());
    assert_eq!(
        none.left_out_by_reason.get(&Reason::PhotoBelowProfile),
        Some(&(empty.len() as u64))
    );
}

#[test]
fn plain_write_feed_matches_the_observed_one() {
    let settings = yahoo_settings();
    let mut mapper = FeedMapper::new(&settings, Some(rate(settings.currency)), BASE).unwrap();
    let (plain, _) = write_feed(
        FeedFormat::YahooShoppingCsv,
        Compression::Identity,
        Vec::new(),
        &channel(),
        &mut mapper,
        sample_catalog(),
    )
    .unwrap();
    let (observed, _) = write(FeedFormat::YahooShoppingCsv, &settings, &sample_catalog());
    assert_eq!(plain, observed);
}

#[test]
fn brand_is_in_the_partners_script_with_the_korean_beside_it() {
    let mut catalog = sample_catalog();
    catalog.truncate(1);
    catalog[0].wholesaler_name = "미소 스튜디오".into();
    catalog[0].extras.wholesaler_name_latin = Some("Miso Studio".into());
    let en = items(&FeedSettings::default(), &catalog);
    assert_eq!(en[0].brand, "Miso Studio");
    assert_eq!(en[0].brand_native.as_deref(), Some("미소 스튜디오"));
    let ko = items(
        &FeedSettings {
            locale: Locale::Ko,
            ..FeedSettings::default()
        },
        &catalog,
    );
    assert_eq!(
        (ko[0].brand.as_str(), ko[0].brand_native.as_deref()),
        ("미소 스튜디오", None)
    );
    let (bytes, _) = write(FeedFormat::ShopeeGlobal, &FeedSettings::default(), &catalog);
    let line: serde_json::Value =
        serde_json::from_slice(bytes.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["brand"]["original_brand_name"], "Miso Studio");
    assert_eq!(line["brand"]["native_brand_name"], "미소 스튜디오");
}
