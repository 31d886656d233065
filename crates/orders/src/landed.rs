//! Landed cost: what a buyer abroad pays to receive a style, estimated from dated data: the
//! shipping from the carrier rate tables shipments use (`locales/shipping/rates/*.toml` or the
//! operator's loaded ones, through [`ddhub_shipping::quote::by_weight`]), and from
//! `locales/landed/rules.tsv` the import duty by HS heading, the import VAT or consumption tax,
//! and the de minimis rules with their exceptions. Pure: no IO, no clock (the caller passes
//! the day, the rate tables and the exchange rate).
//!
//! Money is computed in won and rounded to the won at each line; thresholds written in the
//! destination's currency are compared in that currency through the operator's rate.

use crate::date::CalendarDate;
use ddhub_domain::{Currency, Krw, RatePerKrw, RoundingRule};
use ddhub_shipping::quote::by_weight;
use ddhub_shipping::rates::RateTable;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

const RULES_TSV: &str = include_str!("../../../locales/landed/rules.tsv");

/// Grams of outer packing (the export carton) added to the pieces' shipping weights, which
/// are each piece in its poly bag (`ddhub_domain::weights::shipping_weight`).
pub const PACKING_GRAMS: u32 = 200;

/// The destinations DDHub estimates for; the EU and the UK are one rule each.
pub const DESTINATIONS: [&str; 10] = ["US", "JP", "CN", "TW", "HK", "VN", "TH", "SG", "EU", "GB"];

const EU_MEMBERS: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// The destination rule a country code falls under (`de` → `EU`, `UK` → `GB`).
pub fn destination(country: &str) -> Option<&'static str> {
    let c = country.trim().to_ascii_uppercase();
    let c = match c.as_str() {
        "UK" => "GB".to_string(),
        other if EU_MEMBERS.contains(&other) => "EU".to_string(),
        _ => c,
    };
    DESTINATIONS.into_iter().find(|d| *d == c)
}

/// One row of a data file.
#[derive(Clone, Debug)]
struct Row {
    country: &'static str,
    key: &'static str,
    value: &'static str,
    valid_from: CalendarDate,
    source: &'static str,
}

pub use crate::datafile::DataError;
use crate::datafile::data_lines;

fn parse_rules() -> Result<Vec<Row>, DataError> {
    let file = "locales/landed/rules.tsv";
    let mut out = Vec::new();
    for (line, cells) in data_lines(RULES_TSV) {
        let err = |m: &str| DataError {
            file,
            line,
            message: m.to_string(),
        };
        let [country, key, value, valid_from, source] = cells[..] else {
            return Err(err("expected 5 columns"));
        };
        if !DESTINATIONS.contains(&country) {
            return Err(err("unknown destination"));
        }
        let valid_from = valid_from
            .parse::<CalendarDate>()
            .map_err(|_| err("valid_from is not a yyyy-mm-dd date"))?;
        if source.trim().is_empty() {
            return Err(err("every figure needs its source"));
        }
        let numeric = key.starts_with("duty.")
            || matches!(key, "tax" | "cbec_limit" | "cbec_tax_share")
            || (key == "de_minimis" && value != "none");
        if numeric && value.parse::<i64>().is_err() {
            return Err(err("value must be a whole number"));
        }
        out.push(Row {
            country,
            key,
            value,
            valid_from,
            source,
        });
    }
    Ok(out)
}

static RULES: LazyLock<Result<Vec<Row>, DataError>> = LazyLock::new(parse_rules);

/// Checks the rules file (the crate's tests and `ddhub serve` at start call it).
pub fn check_tables() -> Result<(), DataError> {
    RULES.as_ref().map_err(Clone::clone)?;
    Ok(())
}

/// The country a destination's parcels are priced to when the buyer's own country is not in
/// the rate tables (the EU rule is priced to Germany, its largest market).
pub fn shipping_country(dest: &str) -> &str {
    match dest {
        "EU" => "DE",
        d => d,
    }
}

/// The line of the estimate a rule applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    Shipping,
    Duty,
    Tax,
}

/// A rule the estimate applied, with its source and the day it applies from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedRule {
    pub line: Line,
    /// A stable id: `JP.de_minimis`, `US.duty.61.kr`, `shipping.kpacket.JP`.
    pub id: String,
    /// What it did, in English (`duty 10.9% of the customs value`).
    pub text: String,
    pub source: String,
    pub valid_from: CalendarDate,
}

/// What the estimate needs.
#[derive(Clone, Debug)]
pub struct LandedInput<'a> {
    /// A destination code or an EU member's (see [`destination`]).
    pub country: &'a str,
    /// The goods' price: unit price × quantity.
    pub goods: Krw,
    /// Six-digit HS code as `dddd.dd` (`6110.20`).
    pub hs_code: &'a str,
    /// Country of origin (ISO alpha-2); `KR` gets Korea's trade agreements.
    pub origin: Option<&'a str>,
    /// Shipping grams of all pieces: `ddhub_domain::weights::shipping_weight` × quantity
    /// ([`PACKING_GRAMS`] of carton is added).
    pub shipping_grams: u32,
    /// The carrier rate tables in force (shipped or loaded by the operator).
    pub rates: &'a [RateTable],
    /// The day the estimate is for: the rules in force that day apply.
    pub date: CalendarDate,
    /// The operator's rate of the destination's currency (thresholds are in it).
    pub local_rate: Option<RatePerKrw>,
}

/// The estimate, in won.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LandedCost {
    pub destination: &'static str,
    pub goods: Krw,
    pub shipping: Krw,
    pub duty: Krw,
    pub tax: Krw,
    pub total: Krw,
    /// The latest valid-from day among the figures used.
    pub data_date: CalendarDate,
    pub rules: Vec<AppliedRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandedError {
    #[error("no landed-cost rules for country {0:?}")]
    UnknownCountry(String),
    #[error("no exchange rate for {0}, which the rules of {1} are written in")]
    NoRate(Currency, &'static str),
    #[error("no duty rate for HS {0} in {1}")]
    NoDutyRate(String, &'static str),
    #[error("no carrier rate table delivers to {0}")]
    NoShipping(String),
    #[error(transparent)]
    Data(#[from] DataError),
}

/// The rows in force on `date` for a destination: the latest valid-from per key.
fn rules_in_force(dest: &str, date: CalendarDate) -> Result<HashMap<&'static str, Row>, DataError> {
    let rows = RULES.as_ref().map_err(Clone::clone)?;
    let mut out: HashMap<&'static str, Row> = HashMap::new();
    for r in rows
        .iter()
        .filter(|r| r.country == dest && r.valid_from <= date)
    {
        match out.get(r.key) {
            Some(prev) if prev.valid_from > r.valid_from => {}
            _ => {
                out.insert(r.key, r.clone());
            }
        }
    }
    Ok(out)
}

/// The shipping estimate for `grams` (carton included) to `country` under destination rule
/// `dest`: the cheapest carrier service of `rates` by weight, split into parcels at its limit,
/// cited with the table's source and effective date.
pub fn shipping(
    rates: &[RateTable],
    dest: &str,
    country: &str,
    grams: u32,
) -> Result<(Krw, AppliedRule), LandedError> {
    let country = country.trim().to_ascii_uppercase();
    let country = match country.as_str() {
        "UK" => "GB",
        c => c,
    };
    let e = by_weight(rates, country, grams)
        .or_else(|| by_weight(rates, shipping_country(dest), grams))
        .ok_or_else(|| LandedError::NoShipping(country.to_string()))?;
    let valid_from = e.effective_from.parse::<CalendarDate>().map_err(|_| {
        LandedError::Data(DataError {
            file: "shipping rate table",
            line: 0,
            message: format!("{}: effective_from is not a date", e.service),
        })
    })?;
    let text = if e.parcels == 1 {
        format!(
            "{} to {}: one parcel of {} g (pieces plus {PACKING_GRAMS} g carton), ₩{}",
            e.name, e.country, e.grams, e.price_krw
        )
    } else {
        format!(
            "{} to {}: {} parcels for {} g (pieces plus {PACKING_GRAMS} g carton), ₩{}",
            e.name, e.country, e.parcels, e.grams, e.price_krw
        )
    };
    Ok((
        Krw(e.price_krw),
        AppliedRule {
            line: Line::Shipping,
            id: format!("shipping.{}.{}", e.service, e.country),
            text,
            source: e.source,
            valid_from,
        },
    ))
}

fn pct(bp: i64) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    match frac {
        0 => format!("{whole}%"),
        f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

/// `amount × bp / 10,000`, rounded half up to the won.
fn apply_bp(amount: i64, bp: i64) -> i64 {
    let n = i128::from(amount) * i128::from(bp);
    ((n + 5_000) / 10_000) as i64
}

/// Estimates what a buyer in `input.country` pays to receive the goods.
pub fn estimate(input: &LandedInput) -> Result<LandedCost, LandedError> {
    let dest = destination(input.country)
        .ok_or_else(|| LandedError::UnknownCountry(input.country.to_string()))?;
    let rules = rules_in_force(dest, input.date)?;
    let get = |k: &str| rules.get(k);
    let mut applied: Vec<AppliedRule> = Vec::new();
    let mut cite = |line: Line, row: &Row, text: String| {
        applied.push(AppliedRule {
            line,
            id: format!("{dest}.{}", row.key),
            text,
            source: row.source.to_string(),
            valid_from: row.valid_from,
        });
    };

    let grams = input.shipping_grams.saturating_add(PACKING_GRAMS);
    let (shipping, ship_rule) = shipping(input.rates, dest, input.country, grams)?;
    let cif = get("valuation").is_none_or(|r| r.value == "cif");
    let value = input.goods.0 + if cif { shipping.0 } else { 0 };

    let currency = get("currency")
        .and_then(|r| Currency::ALL.into_iter().find(|c| c.code() == r.value))
        .unwrap_or(Currency::Krw);
    // A threshold in local currency against the customs value: converted with the rate.
    let within = |limit: i64| -> Result<bool, LandedError> {
        let rate = input
            .local_rate
            .filter(|r| r.currency == currency)
            .ok_or(LandedError::NoRate(currency, dest))?;
        let local = rate
            .convert(Krw(value), 0, RoundingRule::None)
            .map_err(|_| LandedError::NoRate(currency, dest))?;
        let scale = 10i64.pow(currency.minor_digits());
        Ok(local.minor <= limit.saturating_mul(scale))
    };

    // Duty rate: the longest HS prefix with a row; Korean origin takes its `.kr` row first.
    let digits: String = input.hs_code.chars().filter(char::is_ascii_digit).collect();
    let korean = input.origin.is_some_and(|o| o.eq_ignore_ascii_case("KR"));
    let duty_row = (2..=digits.len()).rev().find_map(|n| {
        let prefix = &digits[..n];
        korean
            .then(|| get(&format!("duty.{prefix}.kr")))
            .flatten()
            .or_else(|| get(&format!("duty.{prefix}")))
    });
    let duty_row = duty_row
        .cloned()
        .ok_or_else(|| LandedError::NoDutyRate(input.hs_code.to_string(), dest))?;
    let duty_bp: i64 = duty_row.value.parse().unwrap_or(0);
    let tax_row = get("tax").cloned();
    let tax_bp: i64 = tax_row
        .as_ref()
        .and_then(|r| r.value.parse().ok())
        .unwrap_or(0);
    let tax_on_duty = get("tax_base").is_none_or(|r| r.value == "value_duty");

    let mut waive_duty = false;
    let mut waive_tax = false;
    let mut tax_share_bp = 10_000;

    // China: cross-border e-commerce retail import within the per-order limit.
    if let Some(limit) = get("cbec_limit").cloned() {
        let limit_v: i64 = limit.value.parse().unwrap_or(0);
        if within(limit_v)? {
            waive_duty = true;
            let share = get("cbec_tax_share").cloned();
            tax_share_bp = share
                .as_ref()
                .and_then(|r| r.value.parse().ok())
                .unwrap_or(10_000);
            cite(
                Line::Duty,
                &limit,
                format!(
                    "cross-border e-commerce order up to {} {limit_v}: duty 0%",
                    currency.code()
                ),
            );
            if let Some(s) = share {
                cite(
                    Line::Tax,
                    &s,
                    format!(
                        "cross-border e-commerce: {} of the import VAT and consumption tax",
                        pct(tax_share_bp)
                    ),
                );
            }
        } else {
            cite(
                Line::Duty,
                &limit,
                format!(
                    "over the cross-border e-commerce limit of {} {limit_v}: general trade duty and tax",
                    currency.code()
                ),
            );
        }
    }

    // De minimis, with the headings it never covers.
    if let Some(dm) = get("de_minimis").cloned() {
        if dm.value == "none" {
            cite(
                Line::Duty,
                &dm,
                "no de minimis: duty and tax from the first unit of value".into(),
            );
        } else {
            let limit: i64 = dm.value.parse().unwrap_or(0);
            let excluded = get("de_minimis_excludes")
                .cloned()
                .filter(|r| r.value.split(',').any(|p| digits.starts_with(p.trim())));
            let scope_all = get("de_minimis_scope").is_none_or(|r| r.value == "all");
            if let Some(ex) = excluded {
                cite(
                    Line::Duty,
                    &ex,
                    format!(
                        "HS {} is not covered by the {} {limit} waiver",
                        input.hs_code,
                        currency.code()
                    ),
                );
            } else if within(limit)? {
                waive_duty = true;
                waive_tax = scope_all;
                let what = if scope_all { "duty and tax" } else { "duty" };
                cite(
                    Line::Duty,
                    &dm,
                    format!(
                        "customs value within {} {limit}: {what} waived",
                        currency.code()
                    ),
                );
            } else {
                cite(
                    Line::Duty,
                    &dm,
                    format!("customs value above {} {limit}", currency.code()),
                );
            }
        }
    }

    let duty = if waive_duty {
        0
    } else {
        cite(
            Line::Duty,
            &duty_row,
            format!(
                "duty {} of the customs value (HS {}{})",
                pct(duty_bp),
                input.hs_code,
                if duty_row.key.ends_with(".kr") {
                    ", Korean origin"
                } else {
                    ""
                }
            ),
        );
        apply_bp(value, duty_bp)
    };
    let tax = match (&tax_row, waive_tax) {
        (Some(row), false) => {
            let base = value + if tax_on_duty { duty } else { 0 };
            let full = apply_bp(base, tax_bp);
            let t = apply_bp(full, tax_share_bp);
            cite(
                Line::Tax,
                row,
                format!(
                    "tax {} of the customs value{}",
                    pct(tax_bp),
                    if tax_on_duty { " plus duty" } else { "" }
                ),
            );
            t
        }
        _ => 0,
    };
    let mut rules = vec![ship_rule];
    rules.extend(applied);
    let data_date = rules
        .iter()
        .map(|r| r.valid_from)
        .max()
        .unwrap_or(input.date);
    Ok(LandedCost {
        destination: dest,
        goods: input.goods,
        shipping,
        duty: Krw(duty),
        tax: Krw(tax),
        total: Krw(input.goods.0 + shipping.0 + duty + tax),
        data_date,
        rules,
    })
}
