//! Settings applied to styles: prices per currency, sizes per system, labels per locale,
//! exclusions, Google's length limits.

use crate::support::*;
use ddhub_domain::style::{StockState, StyleState};
use ddhub_domain::{Currency, Locale, RoundingRule, WholesalerId};
use ddhub_feeds::gmc::parse_items;
use ddhub_feeds::{
    Availability, CategoryTarget, FeedMapper, FeedSettings, FeedSizeSystem, SkipReason,
};
use std::collections::BTreeSet;

fn price_of(currency: Currency, markup_bp: i32, rounding: RoundingRule, krw: i64) -> String {
    let settings = FeedSettings {
        currency,
        markup_bp,
        rounding,
        ..FeedSettings::default()
    };
    let xml = gmc_xml(&settings, vec![style(1, "P-1", "Tee", "tops", krw)]);
    let items = parse_items(xml.as_bytes()).unwrap();
    items[0].get("price").unwrap().to_string()
}

#[test]
fn prices_convert_with_markup_and_rounding_per_currency() {
    use RoundingRule::*;
    // 18,000 won × 0.00072 = 12.96 USD; +15% = 14.904.
    assert_eq!(price_of(Currency::Usd, 0, None, 18_000), "12.96 USD");
    assert_eq!(price_of(Currency::Usd, 1_500, None, 18_000), "14.90 USD");
    assert_eq!(
        price_of(Currency::Usd, 1_500, WholeUnit, 18_000),
        "15.00 USD"
    );
    assert_eq!(price_of(Currency::Usd, 1_500, Charm99, 18_000), "14.99 USD");
    // JPY has no minor unit: 18,000 × 0.108 = 1,944; charm rounding ends in 99.
    assert_eq!(price_of(Currency::Jpy, 0, None, 18_000), "1944 JPY");
    assert_eq!(price_of(Currency::Jpy, 1_500, None, 18_000), "2236 JPY");
    assert_eq!(price_of(Currency::Jpy, 0, Charm99, 18_000), "1999 JPY");
    assert_eq!(price_of(Currency::Jpy, 0, WholeUnit, 18_000), "1944 JPY");
    // EUR: 18,000 × 0.00066 = 11.88; +10% = 13.068 → 13.07.
    assert_eq!(price_of(Currency::Eur, 1_000, None, 18_000), "13.07 EUR");
    assert_eq!(price_of(Currency::Eur, 1_000, Charm99, 18_000), "13.99 EUR");
}

#[test]
fn no_rate_or_a_rate_in_another_currency_skips_everything() {
    let settings = FeedSettings {
        currency: Currency::Jpy,
        ..FeedSettings::default()
    };
    for rate in [None, Some(rate(Currency::Usd))] {
        let mut mapper = FeedMapper::new(&settings, rate, BASE).unwrap();
        let mut buf = Vec::new();
        for s in sample_catalog() {
            assert_eq!(mapper.map_style(&s, &mut buf), Err(SkipReason::NoRate));
        }
        assert_eq!(mapper.skipped().total_items(), 36);
        assert_eq!(mapper.skipped().total_styles(), 8);
    }
}

fn sizes(system: FeedSizeSystem, size_codes: &[&str]) -> Vec<(String, Option<String>)> {
    let mut s = style(1, "S-1", "Knit", "tops/knit", 10_000);
    s.skus = size_codes
        .iter()
        .enumerate()
        .map(|(i, c)| sku(i as i64 + 1, "black", c, StockState::InStock))
        .collect();
    let settings = FeedSettings {
        size_system: system,
        ..FeedSettings::default()
    };
    let xml = gmc_xml(&settings, vec![s]);
    parse_items(xml.as_bytes())
        .unwrap()
        .iter()
        .map(|i| {
            (
                i.get("size").unwrap().to_string(),
                i.get("size_system").map(str::to_string),
            )
        })
        .collect()
}

fn sized(v: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.map(str::to_string)))
        .collect()
}

#[test]
fn korean_sizes_are_converted_through_the_feed() {
    use FeedSizeSystem::*;
    let codes = ["44", "55", "66", "77", "88", "free"];
    assert_eq!(
        sizes(Jp, &codes),
        sized(&[
            ("7", Some("JP")),
            ("9", Some("JP")),
            ("11", Some("JP")),
            ("13", Some("JP")),
            ("15", Some("JP")),
            ("One Size", Some("JP"))
        ])
    );
    // The domain vocabulary (and DOMAIN.md) has 55 ≈ S, 66 ≈ M.
    assert_eq!(
        sizes(Intl, &codes),
        sized(&[
            ("XS", None),
            ("S", None),
            ("M", None),
            ("L", None),
            ("XL", None),
            ("One Size", None)
        ])
    );
    assert_eq!(
        sizes(Eu, &["55", "66_half"]),
        sized(&[("36", Some("EU")), ("38-40", Some("EU"))])
    );
    assert_eq!(
        sizes(Uk, &["55", "77"]),
        sized(&[("8", Some("UK")), ("12", Some("UK"))])
    );
    assert_eq!(
        sizes(Us, &["25", "28", "30"]),
        sized(&[("25", Some("US")), ("28", Some("US")), ("30", Some("US"))])
    );
    assert_eq!(
        sizes(Jp, &["230", "245"]),
        sized(&[("23.0", Some("JP")), ("24.5", Some("JP"))])
    );
    assert_eq!(
        sizes(Us, &["230", "245"]),
        sized(&[("6", Some("US")), ("7.5", Some("US"))])
    );
    assert_eq!(sizes(Intl, &["240"]), sized(&[("37.5", Some("EU"))]));
    assert_eq!(
        sizes(Eu, &["95", "m"]),
        sized(&[("M", Some("EU")), ("M", Some("EU"))])
    );
}

#[test]
fn labels_follow_the_partner_locale() {
    let settings = FeedSettings {
        locale: Locale::Ja,
        currency: Currency::Jpy,
        size_system: FeedSizeSystem::Jp,
        ..FeedSettings::default()
    };
    let items = items(&settings, &sample_catalog());
    let first = &items[0];
    assert_eq!(first.color, "ブラック");
    assert_eq!(first.size, "9");
    assert_eq!(first.material.as_deref(), Some("70% アクリル/30% ウール"));
    assert_eq!(first.title, "Loose-fit cable knit cardigan - ブラック - 9");
    assert!(first.product_type.starts_with("トップス > "));
    let coat = items.iter().find(|i| i.id.starts_with("7-CT-900")).unwrap();
    // Four fibres: Google takes three, the largest.
    assert_eq!(
        coat.material.as_deref().map(|m| m.matches('/').count()),
        Some(2)
    );
    assert_eq!(coat.google_product_category, "5598");
}

#[test]
fn availability_follows_sku_and_style_state() {
    let items = items(&FeedSettings::default(), &sample_catalog());
    let by_id = |id: &str| items.iter().find(|i| i.id == id).unwrap();
    assert_eq!(
        by_id("7-KN-2041-sky_blue-77").availability,
        Availability::OutOfStock
    );
    assert_eq!(
        by_id("7-KN-2041-black-55").availability,
        Availability::InStock
    );
    let jeans27 = by_id("7-DN-77-mid_wash-27");
    assert_eq!(jeans27.availability, Availability::Backorder);
    // No expected date: updated_at + 14 days.
    assert_eq!(
        jeans27.availability_date.as_deref(),
        Some("2026-10-05T14:13:20Z")
    );
    let jeans28 = by_id("7-DN-77-mid_wash-28");
    assert_eq!(
        jeans28.availability_date.as_deref(),
        Some("2026-10-03T04:00:00Z")
    );
    // A sold-out style is out of stock whatever its SKUs say.
    assert_eq!(
        by_id("7-OP-3-navy-free").availability,
        Availability::OutOfStock
    );
    // Whitespace in a code becomes `_` in ids; links escape it.
    assert!(items.iter().any(|i| i.id == "7-BL_11-white-free"));
}

#[test]
fn settings_exclude_and_count() {
    let catalog = sample_catalog();
    let run = |settings: FeedSettings, styles: &[ddhub_feeds::FeedStyle]| {
        let mut mapper = FeedMapper::new(&settings, Some(rate(Currency::Usd)), BASE).unwrap();
        let mut buf = Vec::new();
        let mut kept = 0;
        for s in styles {
            if mapper.map_style(s, &mut buf).is_ok() {
                kept += buf.len();
            }
        }
        (kept, mapper.skipped().clone())
    };

    let (kept, skipped) = run(
        FeedSettings {
            categories: Some(BTreeSet::from(["tops".to_string()])),
            ..FeedSettings::default()
        },
        &catalog,
    );
    // Cardigan 9, blouse 2, tee 4 are tops (subtrees included).
    assert_eq!(kept, 15);
    assert_eq!(skipped.items.get(&SkipReason::Category), Some(&21));
    assert_eq!(skipped.styles.get(&SkipReason::Category), Some(&5));

    let mut other = catalog.clone();
    other[0].wholesaler_id = WholesalerId(8);
    let (kept, skipped) = run(
        FeedSettings {
            wholesalers: Some(BTreeSet::from([WholesalerId(8)])),
            ..FeedSettings::default()
        },
        &other,
    );
    assert_eq!(kept, 9);
    assert_eq!(skipped.items.get(&SkipReason::Wholesaler), Some(&27));

    let mut few = catalog.clone();
    few[1].photos.truncate(1);
    few[2].photos.clear();
    few[3].state = StyleState::Archived;
    let (kept, skipped) = run(
        FeedSettings {
            min_photos: 2,
            ..FeedSettings::default()
        },
        &few,
    );
    // A style with no photo at all says so rather than "too few".
    let none = few[2].skus.len() as u64;
    assert_eq!(skipped.items.get(&SkipReason::NoPhoto), Some(&none));
    assert_eq!(
        skipped.items.get(&SkipReason::TooFewPhotos),
        Some(&(8 - none))
    );
    assert_eq!(skipped.items.get(&SkipReason::Archived), Some(&5));
    assert_eq!(kept, 36 - 13);
}

#[test]
fn partner_category_map_wins_over_the_default() {
    let mut settings = FeedSettings::default();
    settings.category_map.insert(
        "tops".into(),
        CategoryTarget {
            partner_category: Some("JP-TOPS".into()),
            google_category: Some("Apparel & Accessories > Clothing > Shirts & Tops".into()),
        },
    );
    let items = items(&settings, &sample_catalog());
    let cardigan = &items[0];
    assert_eq!(cardigan.partner_category.as_deref(), Some("JP-TOPS"));
    assert_eq!(
        cardigan.google_product_category,
        "Apparel & Accessories > Clothing > Shirts & Tops"
    );
    let jeans = items.iter().find(|i| i.id.starts_with("7-DN-77")).unwrap();
    assert_eq!(jeans.partner_category, None);
    assert_eq!(jeans.google_product_category, "204");
}

#[test]
fn long_texts_respect_google_limits() {
    let mut s = style(
        1,
        &"C".repeat(60),
        &"Very long title ".repeat(20),
        "tops",
        10_000,
    );
    s.description = "설명 ".repeat(3_000);
    s.skus = vec![sku(9, "sky_blue", "55_half", StockState::InStock)];
    let items = items(&FeedSettings::default(), &[s]);
    let item = &items[0];
    assert!(item.title.chars().count() <= 150, "{}", item.title);
    assert!(item.title.ends_with(" - Sky blue - 4-6"), "{}", item.title);
    assert!(item.description.chars().count() <= 5000);
    assert!(!item.description.ends_with(' '));
    // The natural id would pass 50 characters: the short numeric form is used.
    assert_eq!(item.id, "7-s1-9");
    assert_eq!(item.item_group_id, "7-s1");
    assert!(item.mpn.chars().count() <= 70);
}

#[test]
fn link_template_placeholders_are_escaped() {
    let settings = FeedSettings {
        link_template: "{base_url}/w/{style_code}?c={colour}&s={size}&k={sku_id}".into(),
        ..FeedSettings::default()
    };
    let mut s = style(3, "BL 11/가", "Blouse", "tops/blouse", 10_000);
    s.skus = vec![sku(5, "white", "free", StockState::InStock)];
    let items = items(&settings, &[s]);
    assert_eq!(
        items[0].link,
        "https://hub.example/w/BL%2011%2F%EA%B0%80?c=white&s=free&k=5"
    );
    assert!(FeedMapper::new(&settings, None, "ftp://x").is_err());
}
