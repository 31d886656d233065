//! Landed cost, worked out by hand for each destination (the arithmetic is in each test's
//! comments); every case names the rule it applies, so a change of data shows which figure moved.

use ddhub_domain::{Currency, Krw, RatePerKrw};
use ddhub_orders::CalendarDate;
use ddhub_orders::landed::{LandedInput, Line, check_tables, destination, estimate};

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
        net_grams: grams,
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
/// 2 × ₩18,000 = ₩36,000; 800 g + 200 g packing → EMS 1 kg ₩26,500; CIF ₩62,500 (¥6,750).
/// Duty 10.9% × 62,500 = 6,812.5 → 6,813; consumption tax 10% × (62,500 + 6,813) = 6,931.3 →
/// 6,931; total 36,000 + 26,500 + 6,813 + 6,931 = 76,244.
#[test]
fn knitted_cardigan_to_japan_under_10000_yen_pays_duty_and_tax() {
    let c = estimate(&input(
        "JP",
        36_000,
        "6110.30",
        800,
        rate(Currency::Jpy, "0.108"),
    ))
    .unwrap();
    assert_eq!(lines(&c), (26_500, 6_813, 6_931, 76_244));
    assert!(has_rule(&c, "JP.de_minimis_excludes"), "{:?}", c.rules);
    assert!(has_rule(&c, "JP.duty.61"));
    assert!(has_rule(&c, "JP.tax"));
}

/// JP.de_minimis: a woven blouse (HS 62) within ¥10,000 pays neither duty nor tax.
/// ₩25,000 + EMS 500 g ₩23,600 = CIF ₩48,600 (¥5,249) ≤ ¥10,000 → total 48,600.
#[test]
fn woven_blouse_to_japan_under_10000_yen_is_waived() {
    let c = estimate(&input(
        "JP",
        25_000,
        "6206.40",
        200,
        rate(Currency::Jpy, "0.108"),
    ))
    .unwrap();
    assert_eq!(lines(&c), (23_600, 0, 0, 48_600));
    assert!(has_rule(&c, "JP.de_minimis"));
    assert!(!c.rules.iter().any(|r| r.line == Line::Tax));
    // Without the yen rate the threshold cannot be judged: an error, not a guess.
    assert!(estimate(&input("JP", 25_000, "6206.40", 200, None)).is_err());
}

/// US.de_minimis (none since 2025-08-29) and US.duty.61.kr (combined 15% from 2025-11-14).
/// $50 at ₩1 = $0.00075 is ₩66,667; FOB value (freight excluded) 66,667; duty 15% =
/// 10,000.05 → 10,000; no federal VAT; EMS 1 kg ₩38,500; total 66,667 + 38,500 + 10,000 =
/// 115,167.
#[test]
fn a_50_dollar_order_to_the_us_pays_the_combined_15_percent() {
    let c = estimate(&input("US", 66_667, "6110.20", 800, None)).unwrap();
    assert_eq!(lines(&c), (38_500, 10_000, 0, 115_167));
    assert!(has_rule(&c, "US.de_minimis"));
    assert!(has_rule(&c, "US.duty.61.kr"));
    // Between the suspension and the 15% arrangement: KORUS 0%, no de minimis.
    let mut i = input("US", 66_667, "6110.20", 800, None);
    i.date = day("2025-10-01");
    let c = estimate(&i).unwrap();
    assert_eq!(c.duty, Krw(0));
    assert_eq!(c.data_date, day("2025-08-29"));
    // Before the suspension: the $800 de minimis waives it all.
    i.date = day("2025-06-01");
    i.local_rate = rate(Currency::Usd, "0.00075");
    let c = estimate(&i).unwrap();
    assert_eq!(lines(&c), (38_500, 0, 0, 105_167));
    // Not of Korean origin: the MFN rate (16% for chapter 61 here), no 15% cap.
    let mut cn = input("US", 66_667, "6110.20", 800, None);
    cn.origin = Some("CN");
    assert_eq!(estimate(&cn).unwrap().duty, Krw(10_667));
}

/// CN.cbec_limit and CN.cbec_tax_share: ¥3,000 at ₩1 = ¥0.0052 is ₩576,923; 1.5 kg + packing →
/// EMS 2 kg ₩30,500; value ₩607,423 (¥3,158.6) within ¥5,000: duty 0; VAT 13% × 607,423 =
/// 78,965 (78,964.99), at 70% = 55,275.5 → 55,276; total 576,923 + 30,500 + 55,276 = 662,699.
#[test]
fn a_3000_yuan_order_to_china_is_cross_border_e_commerce() {
    let c = estimate(&input(
        "CN",
        576_923,
        "6110.20",
        1_500,
        rate(Currency::Cny, "0.0052"),
    ))
    .unwrap();
    assert_eq!(lines(&c), (30_500, 0, 55_276, 662_699));
    assert!(has_rule(&c, "CN.cbec_limit"));
    assert!(has_rule(&c, "CN.cbec_tax_share"));
}

/// TW.de_minimis: NT$2,000. ₩90,000 + EMS 500 g ₩22,000 = ₩112,000 (NT$2,576) above it: duty
/// 12% = 13,440; business tax 5% × 125,440 = 6,272; total 131,712. ₩30,000 (NT$1,196 with
/// shipping) is waived.
#[test]
fn taiwan_above_and_below_2000_dollars() {
    let tw = rate(Currency::Twd, "0.023");
    let c = estimate(&input("TW", 90_000, "6204.43", 300, tw)).unwrap();
    assert_eq!(lines(&c), (22_000, 13_440, 6_272, 131_712));
    assert!(has_rule(&c, "TW.duty.62"));
    let c = estimate(&input("TW", 30_000, "6204.43", 300, tw)).unwrap();
    assert_eq!(lines(&c), (22_000, 0, 0, 52_000));
    assert!(has_rule(&c, "TW.de_minimis"));
}

/// HK.duty.61: a free port, no duty and no VAT: ₩50,000 + EMS 1 kg ₩25,000 = 75,000.
#[test]
fn hong_kong_is_a_free_port() {
    let c = estimate(&input("HK", 50_000, "6110.20", 400, None)).unwrap();
    assert_eq!(lines(&c), (25_000, 0, 0, 75_000));
    assert!(has_rule(&c, "HK.duty.61"));
}

/// VN.de_minimis: ended 2025-02-18. ₩20,000 + EMS 500 g ₩24,000 = 44,000; duty 20% = 8,800;
/// VAT 10% × 52,800 = 5,280; total 58,080. Before the end, 44,000 × 18 = VND 792,000 was
/// within VND 1,000,000: total 44,000.
#[test]
fn vietnam_exemption_ended_2025_02_18() {
    let vnd = rate(Currency::Vnd, "18");
    let c = estimate(&input("VN", 20_000, "6109.10", 200, vnd)).unwrap();
    assert_eq!(lines(&c), (24_000, 8_800, 5_280, 58_080));
    assert!(has_rule(&c, "VN.de_minimis"));
    let mut before = input("VN", 20_000, "6109.10", 200, vnd);
    before.date = day("2025-02-17");
    assert_eq!(lines(&estimate(&before).unwrap()), (24_000, 0, 0, 44_000));
}

/// TH.tax (7% from THB 1, 2024-07-05) and TH.de_minimis (duty from THB 1, 2026-01-01).
/// ₩20,000 + EMS 500 g ₩24,000 = 44,000; duty 30% = 13,200; VAT 7% × 57,200 = 4,004; total
/// 61,204. On 2025-10-01 (THB 1,056 ≤ 1,500): duty waived, VAT 7% × 44,000 = 3,080; total 47,080.
#[test]
fn thailand_vat_and_duty_from_the_first_baht() {
    let thb = rate(Currency::Thb, "0.024");
    let c = estimate(&input("TH", 20_000, "6110.30", 300, thb)).unwrap();
    assert_eq!(lines(&c), (24_000, 13_200, 4_004, 61_204));
    assert!(has_rule(&c, "TH.de_minimis") && has_rule(&c, "TH.tax"));
    let mut before = input("TH", 20_000, "6110.30", 300, thb);
    before.date = day("2025-10-01");
    assert_eq!(
        lines(&estimate(&before).unwrap()),
        (24_000, 0, 3_080, 47_080)
    );
}

/// SG.tax: GST 9% on all imports, no duty on apparel. ₩40,000 + EMS 500 g ₩24,000 = 64,000;
/// GST 5,760; total 69,760.
#[test]
fn singapore_gst_on_low_value_goods() {
    let c = estimate(&input("SG", 40_000, "6206.40", 200, None)).unwrap();
    assert_eq!(lines(&c), (24_000, 0, 5_760, 69_760));
    assert!(has_rule(&c, "SG.tax"));
}

/// EU.de_minimis (duty relief up to €150, VAT from €0). Germany: ₩100,000 + EMS 1 kg ₩42,000 =
/// ₩142,000 (€90.88): duty waived; VAT 21% = 29,820; total 171,820.
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
    assert_eq!(lines(&c), (42_000, 0, 29_820, 171_820));
    assert!(has_rule(&c, "EU.de_minimis") && has_rule(&c, "EU.tax"));
}

/// GB.de_minimis (£135, duty only) with goods not of Korean origin: ₩300,000 + EMS 2 kg ₩56,000
/// = ₩356,000 (£195.80): duty 12% = 42,720; VAT 20% × 398,720 = 79,744; total 478,464.
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
    assert_eq!(lines(&c), (56_000, 42_720, 79_744, 478_464));
    assert!(has_rule(&c, "GB.duty.62"));
}
