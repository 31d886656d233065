//! Landed cost, worked out by hand for each destination (the arithmetic is in each test's
//! comments); every case names the rule it applies, so a change of data shows which figure moved.
//! Shipping comes from the shipped carrier rate tables (`locales/shipping/rates/*.toml`, sample
//! figures effective 2025-01-01): the cheaper of K-Packet and EMS for the weight, which for
//! these parcels is always K-Packet (zone 1 JP/CN/TW/HK, 2 VN/TH/SG, 3 US/DE/GB). Weights are
//! the pieces' shipping weights (`locales/shipping/default_weights.tsv`) plus a 200 g carton.

use ddhub_domain::weights::default_for;
use ddhub_domain::{Currency, Krw, RatePerKrw};
use ddhub_orders::CalendarDate;
use ddhub_orders::landed::{LandedInput, Line, check_tables, destination, estimate};
use ddhub_shipping::quote::SHIPPED_TABLES;
use ddhub_shipping::rates::RateTable;
use std::sync::LazyLock;

static RATES: LazyLock<Vec<RateTable>> = LazyLock::new(|| {
    SHIPPED_TABLES
        .iter()
        .map(|t| RateTable::from_toml(t).unwrap())
        .collect()
});

/// Shipping grams of `n` pieces of a category, from the defaults table.
fn pieces(category: &str, n: u32) -> u32 {
    default_for(category).grams * n
}

fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

fn rate(c: Currency, r: &str) -> Option<RatePerKrw> {
    Some(RatePerKrw::parse(c, r).unwrap())
}

fn input<'a>(
    country: &'a str,
    goods: i64,
    hs: &'a str,
    grams: u32,
    local: Option<RatePerKrw>,
) -> LandedInput<'a> {
    LandedInput {
        country,
        goods: Krw(goods),
        hs_code: hs,
        origin: Some("KR"),
        shipping_grams: grams,
        rates: &RATES,
        date: day("2026-12-06"),
        local_rate: local,
    }
}

fn has_rule(c: &ddhub_orders::landed::LandedCost, id: &str) -> bool {
    c.rules.iter().any(|r| r.id == id)
}

/// (shipping, duty, tax, total) in won.
fn lines(c: &ddhub_orders::landed::LandedCost) -> (i64, i64, i64, i64) {
    (c.shipping.0, c.duty.0, c.tax.0, c.total.0)
}

#[test]
fn data_files_are_well_formed_and_cover_every_destination() {
    check_tables().unwrap();
    assert_eq!(destination("de"), Some("EU"));
    assert_eq!(destination("UK"), Some("GB"));
    assert_eq!(destination("BR"), None);
}

/// JP.de_minimis_excludes: knitted apparel (HS 61) is outside the ¥10,000 waiver.
/// 2 cardigans × ₩18,000 = ₩36,000; 2 × 450 g + 200 g carton = 1,100 g → K-Packet zone 1
/// (1,001–1,100 g) ₩10,700; CIF ₩46,700 (¥5,044, under ¥10,000 but excluded).
/// Duty 10.9% × 46,700 = 5,090.3 → 5,090; consumption tax 10% × (46,700 + 5,090) = 5,179;
/// total 36,000 + 10,700 + 5,090 + 5,179 = 56,969.
#[test]
fn knitted_cardigan_to_japan_under_10000_yen_pays_duty_and_tax() {
    assert_eq!(pieces("tops/knit/cardigan", 2), 900);
    let c = estimate(&input(
        "JP",
        36_000,
        "6110.30",
        pieces("tops/knit/cardigan", 2),
        rate(Currency::Jpy, "0.108"),
    ))
    .unwrap();
    assert_eq!(lines(&c), (10_700, 5_090, 5_179, 56_969));
    assert!(has_rule(&c, "shipping.kpacket.JP"), "{:?}", c.rules);
    assert!(has_rule(&c, "JP.de_minimis_excludes"), "{:?}", c.rules);
    assert!(has_rule(&c, "JP.duty.61"));
    assert!(has_rule(&c, "JP.tax"));
    let ship = c.rules.iter().find(|r| r.line == Line::Shipping).unwrap();
    assert!(ship.text.contains("1100 g"), "{}", ship.text);
    assert!(ship.source.contains("Korea Post"), "{}", ship.source);
}

/// JP.de_minimis: a woven blouse (HS 62) within ¥10,000 pays neither duty nor tax.
/// One blouse 200 g + 200 g carton = 400 g → K-Packet zone 1 ₩6,150; ₩25,000 + ₩6,150 =
/// CIF ₩31,150 (¥3,364) ≤ ¥10,000 → total 31,150.
#[test]
fn woven_blouse_to_japan_under_10000_yen_is_waived() {
    let grams = pieces("tops/blouse", 1);
    assert_eq!(grams, 200);
    let c = estimate(&input(
        "JP",
        25_000,
        "6206.40",
        grams,
        rate(Currency::Jpy, "0.108"),
    ))
    .unwrap();
    assert_eq!(lines(&c), (6_150, 0, 0, 31_150));
    assert!(has_rule(&c, "JP.de_minimis"));
    assert!(!c.rules.iter().any(|r| r.line == Line::Tax));
    // Without the yen rate the threshold cannot be judged: an error, not a guess.
    assert!(estimate(&input("JP", 25_000, "6206.40", grams, None)).is_err());
}

/// US.de_minimis (none since 2025-08-29) and US.duty.61.kr (combined 15% from 2025-11-14).
/// $50 at ₩1 = $0.00075 is ₩66,667 (two knit pullovers, 2 × 400 g + 200 g = 1,000 g →
/// K-Packet zone 3 ₩19,600); FOB value (freight excluded) 66,667; duty 15% = 10,000.05 →
/// 10,000; no federal VAT; total 66,667 + 19,600 + 10,000 = 96,267.
#[test]
fn a_50_dollar_order_to_the_us_pays_the_combined_15_percent() {
    let grams = pieces("tops/knit", 2);
    assert_eq!(grams, 800);
    let c = estimate(&input("US", 66_667, "6110.20", grams, None)).unwrap();
    assert_eq!(lines(&c), (19_600, 10_000, 0, 96_267));
    assert!(has_rule(&c, "US.de_minimis"));
    assert!(has_rule(&c, "US.duty.61.kr"));
    // Between the suspension and the 15% arrangement: KORUS 0%, no de minimis.
    let mut i = input("US", 66_667, "6110.20", grams, None);
    i.date = day("2025-10-01");
    let c = estimate(&i).unwrap();
    assert_eq!(c.duty, Krw(0));
    assert_eq!(c.data_date, day("2025-08-29"));
    // Before the suspension: the $800 de minimis waives it all: 66,667 + 19,600 = 86,267.
    i.date = day("2025-06-01");
    i.local_rate = rate(Currency::Usd, "0.00075");
    let c = estimate(&i).unwrap();
    assert_eq!(lines(&c), (19_600, 0, 0, 86_267));
    // Not of Korean origin: the MFN rate (16% for chapter 61 here), no 15% cap: 10,666.7 →
    // 10,667.
    let mut cn = input("US", 66_667, "6110.20", grams, None);
    cn.origin = Some("CN");
    assert_eq!(estimate(&cn).unwrap().duty, Krw(10_667));
}

/// CN.cbec_limit and CN.cbec_tax_share: ¥3,000 at ₩1 = ¥0.0052 is ₩576,923 (four knit
/// pullovers, 4 × 400 g + 200 g = 1,800 g → K-Packet zone 1 ₩15,250); value ₩592,173
/// (¥3,079.3) within ¥5,000: duty 0; VAT 13% × 592,173 = 76,982.5 → 76,982 (half up on
/// 76,982.49), at 70% = 53,887.4 → 53,887; total 576,923 + 15,250 + 53,887 = 646,060.
#[test]
fn a_3000_yuan_order_to_china_is_cross_border_e_commerce() {
    let grams = pieces("tops/knit", 4);
    assert_eq!(grams, 1_600);
    let c = estimate(&input(
        "CN",
        576_923,
        "6110.20",
        grams,
        rate(Currency::Cny, "0.0052"),
    ))
    .unwrap();
    assert_eq!(lines(&c), (15_250, 0, 53_887, 646_060));
    assert!(has_rule(&c, "CN.cbec_limit"));
    assert!(has_rule(&c, "CN.cbec_tax_share"));
}

/// TW.de_minimis: NT$2,000. ₩90,000 + 300 g + 200 g → K-Packet zone 1 500 g ₩6,800 =
/// ₩96,800 (NT$2,226) above it: duty 12% = 11,616; business tax 5% × 108,416 = 5,420.8 →
/// 5,421; total 113,837. ₩30,000 (₩36,800 with shipping, NT$846) is waived.
#[test]
fn taiwan_above_and_below_2000_dollars() {
    let tw = rate(Currency::Twd, "0.023");
    let c = estimate(&input("TW", 90_000, "6204.43", 300, tw)).unwrap();
    assert_eq!(lines(&c), (6_800, 11_616, 5_421, 113_837));
    assert!(has_rule(&c, "TW.duty.62"));
    let c = estimate(&input("TW", 30_000, "6204.43", 300, tw)).unwrap();
    assert_eq!(lines(&c), (6_800, 0, 0, 36_800));
    assert!(has_rule(&c, "TW.de_minimis"));
}

/// HK.duty.61: a free port, no duty and no VAT: ₩50,000 + 600 g K-Packet zone 1 ₩7,450 =
/// 57,450.
#[test]
fn hong_kong_is_a_free_port() {
    let c = estimate(&input("HK", 50_000, "6110.20", 400, None)).unwrap();
    assert_eq!(lines(&c), (7_450, 0, 0, 57_450));
    assert!(has_rule(&c, "HK.duty.61"));
}

/// VN.de_minimis: ended 2025-02-18. ₩20,000 + 400 g K-Packet zone 2 ₩7,500 = 27,500; duty
/// 20% = 5,500; VAT 10% × 33,000 = 3,300; total 36,300. Before the end, 27,500 × 18 =
/// VND 495,000 was within VND 1,000,000: total 27,500.
#[test]
fn vietnam_exemption_ended_2025_02_18() {
    let vnd = rate(Currency::Vnd, "18");
    let c = estimate(&input("VN", 20_000, "6109.10", 200, vnd)).unwrap();
    assert_eq!(lines(&c), (7_500, 5_500, 3_300, 36_300));
    assert!(has_rule(&c, "VN.de_minimis"));
    let mut before = input("VN", 20_000, "6109.10", 200, vnd);
    before.date = day("2025-02-17");
    assert_eq!(lines(&estimate(&before).unwrap()), (7_500, 0, 0, 27_500));
}

/// TH.tax (7% from THB 1, 2024-07-05) and TH.de_minimis (duty from THB 1, 2026-01-01).
/// ₩20,000 + 500 g K-Packet zone 2 ₩8,400 = 28,400; duty 30% = 8,520; VAT 7% × 36,920 =
/// 2,584.4 → 2,584; total 39,504. On 2025-10-01 (THB 682 ≤ 1,500): duty waived, VAT 7% ×
/// 28,400 = 1,988; total 30,388.
#[test]
fn thailand_vat_and_duty_from_the_first_baht() {
    let thb = rate(Currency::Thb, "0.024");
    let c = estimate(&input("TH", 20_000, "6110.30", 300, thb)).unwrap();
    assert_eq!(lines(&c), (8_400, 8_520, 2_584, 39_504));
    assert!(has_rule(&c, "TH.de_minimis") && has_rule(&c, "TH.tax"));
    let mut before = input("TH", 20_000, "6110.30", 300, thb);
    before.date = day("2025-10-01");
    assert_eq!(
        lines(&estimate(&before).unwrap()),
        (8_400, 0, 1_988, 30_388)
    );
}

/// SG.tax: GST 9% on all imports, no duty on apparel. ₩40,000 + 400 g K-Packet zone 2 ₩7,500
/// = 47,500; GST 4,275; total 51,775.
#[test]
fn singapore_gst_on_low_value_goods() {
    let c = estimate(&input("SG", 40_000, "6206.40", 200, None)).unwrap();
    assert_eq!(lines(&c), (7_500, 0, 4_275, 51_775));
    assert!(has_rule(&c, "SG.tax"));
}

/// EU.de_minimis (duty relief up to €150, VAT from €0). Germany: ₩100,000 + 1,000 g K-Packet
/// zone 3 (priced to DE) ₩19,600 = ₩119,600 (€76.54): duty waived; VAT 21% = 25,116; total
/// 144,716.
#[test]
fn eu_duty_relief_but_vat_from_the_first_euro() {
    let c = estimate(&input(
        "DE",
        100_000,
        "6110.20",
        800,
        rate(Currency::Eur, "0.00064"),
    ))
    .unwrap();
    assert_eq!(c.destination, "EU");
    assert_eq!(lines(&c), (19_600, 0, 25_116, 144_716));
    assert!(has_rule(&c, "EU.de_minimis") && has_rule(&c, "EU.tax"));
    assert!(has_rule(&c, "shipping.kpacket.DE"), "{:?}", c.rules);
    // An EU member the rate tables do not list is priced to Germany, the rule's reference.
    let c = estimate(&input(
        "AT",
        100_000,
        "6110.20",
        800,
        rate(Currency::Eur, "0.00064"),
    ))
    .unwrap();
    assert!(has_rule(&c, "shipping.kpacket.DE"), "{:?}", c.rules);
}

/// GB.de_minimis (£135, duty only) with goods not of Korean origin: ₩300,000 + 1,200 g
/// K-Packet zone 3 ₩22,600 = ₩322,600 (£177.43): duty 12% = 38,712; VAT 20% × 361,312 =
/// 72,262.4 → 72,262; total 433,574.
#[test]
fn uk_above_135_pounds_not_korean_origin() {
    let mut i = input(
        "UK",
        300_000,
        "6204.43",
        1_000,
        rate(Currency::Gbp, "0.00055"),
    );
    i.origin = Some("CN");
    let c = estimate(&i).unwrap();
    assert_eq!(lines(&c), (22_600, 38_712, 72_262, 433_574));
    assert!(has_rule(&c, "GB.duty.62"));
}

/// Every destination rule is reached by the shipped rate tables (through its reference
/// country for the EU), so no estimate lacks a shipping line.
#[test]
fn every_destination_has_shipping() {
    for d in ddhub_orders::landed::DESTINATIONS {
        let country = ddhub_orders::landed::shipping_country(d);
        assert!(
            ddhub_shipping::quote::by_weight(&RATES, country, 1_000).is_some(),
            "{d}"
        );
    }
}
