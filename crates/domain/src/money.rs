//! Money: won as integers, partner currencies in their minor unit, rates in fixed point.
//! Floats never carry a price: every conversion is integer arithmetic with one stated rounding.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An amount in Korean won. Won have no minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Krw(pub i64);

impl fmt::Display for Krw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "₩{}", group_thousands(self.0))
    }
}

fn group_thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A currency buyers and partners are quoted in (ISO 4217).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Krw,
    Usd,
    Jpy,
    Cny,
    Twd,
    Hkd,
    Vnd,
    Thb,
    Eur,
    Sgd,
    Gbp,
}

impl Currency {
    pub const ALL: [Currency; 11] = [
        Currency::Krw,
        Currency::Usd,
        Currency::Jpy,
        Currency::Cny,
        Currency::Twd,
        Currency::Hkd,
        Currency::Vnd,
        Currency::Thb,
        Currency::Eur,
        Currency::Sgd,
        Currency::Gbp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Krw => "KRW",
            Currency::Usd => "USD",
            Currency::Jpy => "JPY",
            Currency::Cny => "CNY",
            Currency::Twd => "TWD",
            Currency::Hkd => "HKD",
            Currency::Vnd => "VND",
            Currency::Thb => "THB",
            Currency::Eur => "EUR",
            Currency::Sgd => "SGD",
            Currency::Gbp => "GBP",
        }
    }

    /// Digits after the decimal point in prices. KRW, JPY and VND have none; TWD is quoted in
    /// whole dollars in practice, so DDHub prices it without a minor unit too.
    pub fn minor_digits(self) -> u32 {
        match self {
            Currency::Krw | Currency::Jpy | Currency::Vnd | Currency::Twd => 0,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == up)
            .ok_or_else(|| MoneyError::UnknownCurrency(s.to_string()))
    }
}

/// What can go wrong with money values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
    #[error("invalid rate {0:?}: a positive decimal with at most 9 decimal places")]
    InvalidRate(String),
    #[error("amount out of range")]
    Overflow,
}

/// An amount in a currency's minor unit (cents for USD, yen for JPY).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// The amount as a decimal string with the currency's digits (`15.00`, `1980`).
    pub fn decimal(&self) -> String {
        let digits = self.currency.minor_digits();
        if digits == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(digits);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale_u = scale.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale_u,
            abs % scale_u,
            width = digits as usize
        )
    }
}

/// Money as DDHub's API writes and reads it (docs/api-conventions.md): a decimal string in the
/// currency's major units and its ISO 4217 code, `{"amount": "1944", "currency": "JPY"}`. A
/// string, never a JSON number: floats cannot carry money, and the string keeps exact digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecimalMoney {
    pub amount: String,
    pub currency: String,
}

impl From<Money> for DecimalMoney {
    fn from(m: Money) -> Self {
        DecimalMoney {
            amount: m.decimal(),
            currency: m.currency.code().to_string(),
        }
    }
}

impl DecimalMoney {
    /// An amount in minor units of a currency given by its code; a code this build does not
    /// know keeps the minor units as the amount (nothing stored is dropped).
    pub fn from_minor(minor: i64, currency: &str) -> Self {
        match currency.parse::<Currency>() {
            Ok(c) => Money { minor, currency: c }.into(),
            Err(_) => DecimalMoney {
                amount: minor.to_string(),
                currency: currency.to_string(),
            },
        }
    }
}

impl fmt::Display for Money {
    /// Google Merchant Center's form: `15.00 USD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

/// Units of a currency per one won, fixed point with nine decimal places
/// (`0.108` JPY per won is stored as `108_000_000`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RatePerKrw {
    pub currency: Currency,
    pub nanos: i64,
}

const RATE_SCALE: i128 = 1_000_000_000;

impl RatePerKrw {
    /// Parses a decimal such as `0.108` or `0.00072` exactly (no float round trip).
    pub fn parse(currency: Currency, text: &str) -> Result<Self, MoneyError> {
        let bad = || MoneyError::InvalidRate(text.to_string());
        // Operators write small rates as `.00072`: the one rate-only form, read as `0.00072`.
        let t = text.trim();
        let nanos = match t.strip_prefix('.') {
            Some(frac) => parse_fixed(&format!("0.{frac}"), 9),
            None => parse_fixed(t, 9),
        }
        .ok_or_else(bad)?;
        if nanos <= 0 {
            return Err(bad());
        }
        Ok(Self { currency, nanos })
    }

    /// The rate as a decimal string, trailing zeros trimmed.
    pub fn decimal(&self) -> String {
        let int = self.nanos / 1_000_000_000;
        let frac = self.nanos % 1_000_000_000;
        if frac == 0 {
            return int.to_string();
        }
        let f = format!("{frac:09}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }

    /// Converts won into this currency, adds `markup_bp` basis points (1% = 100) and applies
    /// `rounding`. Half-up rounding to the minor unit happens first, then the rounding rule.
    pub fn convert(
        &self,
        amount: Krw,
        markup_bp: i32,
        rounding: RoundingRule,
    ) -> Result<Money, MoneyError> {
        let scale = 10i128.pow(self.currency.minor_digits());
        let numerator = i128::from(amount.0)
            .checked_mul(i128::from(self.nanos))
            .and_then(|v| v.checked_mul(scale))
            .and_then(|v| v.checked_mul(10_000 + i128::from(markup_bp)))
            .ok_or(MoneyError::Overflow)?;
        let denominator = RATE_SCALE * 10_000;
        let minor = div_round_half_up(numerator, denominator);
        let minor = rounding.apply(minor, self.currency);
        let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }
}

fn div_round_half_up(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.abs() * 2 >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

/// How a partner wants converted prices rounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingRule {
    /// To the currency's minor unit only.
    #[default]
    None,
    /// Up to a whole unit (15.20 USD → 16.00 USD).
    WholeUnit,
    /// Charm pricing: up to the next `.99` (15.20 → 15.99); in currencies without a minor unit,
    /// up to the next price ending in 99 (1,523 JPY → 1,599 JPY).
    Charm99,
}

impl RoundingRule {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingRule::None => "none",
            RoundingRule::WholeUnit => "whole_unit",
            RoundingRule::Charm99 => "charm99",
        }
    }

    fn apply(self, minor: i128, currency: Currency) -> i128 {
        let unit = 10i128.pow(currency.minor_digits());
        match self {
            RoundingRule::None => minor,
            RoundingRule::WholeUnit => ceil_to(minor, unit),
            RoundingRule::Charm99 => {
                // Minor-unit currencies end in .99; whole-unit ones end in 99.
                let step = if unit == 1 { 100 } else { unit };
                let up = ceil_to(minor + 1, step);
                (up - 1).max(0)
            }
        }
    }
}

impl FromStr for RoundingRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(RoundingRule::None),
            "whole" | "whole_unit" => Ok(RoundingRule::WholeUnit),
            "charm99" | ".99" | "99" => Ok(RoundingRule::Charm99),
            other => Err(format!(
                "unknown rounding rule {other:?}: expected none, whole_unit or charm99"
            )),
        }
    }
}

fn ceil_to(v: i128, step: i128) -> i128 {
    if v <= 0 {
        return 0;
    }
    v.div_euclid(step) * step + if v.rem_euclid(step) == 0 { 0 } else { step }
}

/// Reads an unsigned decimal (`1980`, `12.9`, `0.00072`) with at most `scale` fraction digits
/// as a count of 10^-`scale` units: the one decimal reader of prices, price bounds and rates.
/// Digits, then optionally a point and one to `scale` digits; no sign, exponent, grouping or
/// symbol (callers say in their own words what they expected). `None` when the text is not
/// such a number or its value does not fit in an `i64`. Written here because the rule is
/// this small and exact (integer arithmetic, no float), not worth a decimal crate.
pub fn parse_fixed(text: &str, scale: u32) -> Option<i64> {
    let t = text.trim();
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return None,
        None => (t, ""),
    };
    if int.is_empty()
        || frac.len() > scale as usize
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut units: i64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        units = units.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let missing = scale - u32::try_from(frac.len()).ok()?;
    units.checked_mul(10i64.checked_pow(missing)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rate(c: Currency, s: &str) -> RatePerKrw {
        RatePerKrw::parse(c, s).unwrap_or(RatePerKrw {
            currency: c,
            nanos: 1,
        })
    }

    #[test]
    fn converts_with_markup_and_rounding() {
        let usd = rate(Currency::Usd, "0.00072");
        // 18,000 won × 0.00072 = 12.96 USD
        let m = usd.convert(Krw(18_000), 0, RoundingRule::None);
        assert_eq!(m.map(|m| m.to_string()), Ok("12.96 USD".to_string()));
        // +15% = 14.904 → 14.90
        let m = usd.convert(Krw(18_000), 1_500, RoundingRule::None);
        assert_eq!(m.map(|m| m.to_string()), Ok("14.90 USD".to_string()));
        let m = usd.convert(Krw(18_000), 1_500, RoundingRule::WholeUnit);
        assert_eq!(m.map(|m| m.to_string()), Ok("15.00 USD".to_string()));
        let m = usd.convert(Krw(18_000), 1_500, RoundingRule::Charm99);
        assert_eq!(m.map(|m| m.to_string()), Ok("14.99 USD".to_string()));
        let jpy = rate(Currency::Jpy, "0.108");
        let m = jpy.convert(Krw(18_000), 0, RoundingRule::None);
        assert_eq!(m.map(|m| m.to_string()), Ok("1944 JPY".to_string()));
        let m = jpy.convert(Krw(18_000), 0, RoundingRule::Charm99);
        assert_eq!(m.map(|m| m.to_string()), Ok("1999 JPY".to_string()));
    }

    #[test]
    fn rate_parsing_is_exact_and_strict() {
        assert_eq!(rate(Currency::Jpy, "0.108").nanos, 108_000_000);
        assert_eq!(rate(Currency::Usd, ".00072").nanos, 720_000);
        assert_eq!(rate(Currency::Jpy, "0.108").decimal(), "0.108");
        for bad in ["", "-1", "0", "1e3", "0.0000000001", "abc", "1.2.3"] {
            assert!(RatePerKrw::parse(Currency::Usd, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn krw_groups_thousands() {
        assert_eq!(Krw(18_000).to_string(), "₩18,000");
        assert_eq!(Krw(1_234_567).to_string(), "₩1,234,567");
        assert_eq!(Krw(999).to_string(), "₩999");
    }

    proptest! {
        #[test]
        fn rounding_never_lowers_price(won in 0i64..100_000_000, nanos in 1i64..2_000_000_000, bp in 0i32..10_000) {
            let r = RatePerKrw { currency: Currency::Usd, nanos };
            let plain = r.convert(Krw(won), bp, RoundingRule::None).map(|m| m.minor).unwrap_or(0);
            for rule in [RoundingRule::WholeUnit, RoundingRule::Charm99] {
                let rounded = r.convert(Krw(won), bp, rule).map(|m| m.minor).unwrap_or(-1);
                prop_assert!(rounded >= plain);
                prop_assert!(rounded - plain < 100);
            }
        }
    }

    #[test]
    fn one_decimal_reader_for_prices_bounds_and_rates() {
        assert_eq!(parse_fixed("1980", 0), Some(1980));
        assert_eq!(parse_fixed(" 12.9 ", 2), Some(1290));
        assert_eq!(parse_fixed("12.90", 2), Some(1290));
        assert_eq!(parse_fixed("0.00072", 9), Some(720_000));
        assert_eq!(
            parse_fixed("12.999", 2),
            None,
            "more digits than the currency has"
        );
        for bad in [
            "", ".", "5.", ".5", "-1", "+1", "1e3", "1,000", "$5", "1.2.3", "１２",
        ] {
            assert_eq!(parse_fixed(bad, 2), None, "{bad:?}");
        }
        assert_eq!(parse_fixed("92233720368547758.07", 2), Some(i64::MAX));
        assert_eq!(parse_fixed("92233720368547758.08", 2), None, "past i64");
    }
}
