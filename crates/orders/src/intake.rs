//! Order intake: the request body a partner posts, its limits, and the validation against the
//! current catalog that turns it into a [`NormalisedOrder`] or a list of per-line [`Problem`]s.

use crate::messages;
use ddhub_domain::style::{Quantity, StockState};
use ddhub_domain::{Currency, Locale, Money, SkuId, StyleId, WholesalerId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Most lines one order may carry.
pub const MAX_LINES: usize = 200;
/// Quantities a line may ask for, inclusive.
pub const QUANTITY_RANGE: std::ops::RangeInclusive<i64> = 1..=10_000;
pub const MAX_PARTNER_ORDER_ID_CHARS: usize = 64;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ADDRESS_LINES: usize = 4;
pub const MAX_ADDRESS_LINE_CHARS: usize = 100;
pub const MAX_POSTAL_CODE_CHARS: usize = 16;
pub const MAX_NOTES_CHARS: usize = 1_000;
/// Colour and size words of a style-code reference.
pub const MAX_VARIANT_CHARS: usize = 32;

/// The body of `POST /api/v1/orders`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// The partner's own order number; shown on the papers.
    pub partner_order_id: String,
    /// Must be the partner's pricing currency.
    pub currency: Currency,
    pub lines: Vec<LineRequest>,
    pub ship_to: ShipTo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One line: a SKU by id, or by the wholesaler's style code with colour and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<SkuId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Needed only when several wholesalers use the same style code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wholesaler_id: Option<WholesalerId>,
    /// The item's `id` as the partner's feed gave it (`g:id`, Shopify's variant SKU, Shopee's
    /// `global_model_sku`, the Yahoo! sub-code), instead of `sku_id` or style code + colour +
    /// size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// Read as a signed integer so that `0` or `-3` is answered as `bad_quantity`, not as a
    /// body that does not parse.
    pub quantity: i64,
    /// The API's money object, `{"amount": "12.90", "currency": "USD"}` in the order's
    /// currency, or (deprecated) its amount alone; never a JSON number: floats cannot carry
    /// money, and the string keeps the partner's exact digits.
    pub unit_price: PriceInput,
}

/// A line's price as sent: the money object every amount of the API is
/// (docs/api-conventions.md), or the bare decimal string the first API took (still accepted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PriceInput {
    Money { amount: String, currency: String },
    Amount(String),
}

impl PriceInput {
    pub fn amount(&self) -> &str {
        match self {
            PriceInput::Money { amount, .. } | PriceInput::Amount(amount) => amount,
        }
    }

    /// The currency the money object names (`None` for the bare amount).
    pub fn currency(&self) -> Option<&str> {
        match self {
            PriceInput::Money { currency, .. } => Some(currency),
            PriceInput::Amount(_) => None,
        }
    }
}

/// A key of the money object. Refused while the key is read (not after), so that the
/// problem's JSON Pointer ends at the unknown field, as serde's derived structs do.
enum MoneyField {
    Amount,
    Currency,
}

impl<'de> Deserialize<'de> for MoneyField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct K;
        impl serde::de::Visitor<'_> for K {
            type Value = MoneyField;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`amount` or `currency`")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MoneyField, E> {
                match v {
                    "amount" => Ok(MoneyField::Amount),
                    "currency" => Ok(MoneyField::Currency),
                    other => Err(E::unknown_field(other, &["amount", "currency"])),
                }
            }
        }
        d.deserialize_identifier(K)
    }
}

// By hand rather than `#[serde(untagged)]`: an untagged enum answers every mistake with "data
// did not match any variant", while a partner needs to hear which field of the money object is
// wrong (an unknown one by name, a missing `currency`, a number where a string goes).
impl<'de> Deserialize<'de> for PriceInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PriceInput;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a money object {"amount": "1944", "currency": "JPY"}"#)
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PriceInput, E> {
                Ok(PriceInput::Amount(v.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PriceInput, A::Error> {
                use serde::de::Error;
                let (mut amount, mut currency) = (None::<String>, None::<String>);
                while let Some(key) = map.next_key::<MoneyField>()? {
                    match key {
                        MoneyField::Amount if amount.is_none() => amount = Some(map.next_value()?),
                        MoneyField::Currency if currency.is_none() => {
                            currency = Some(map.next_value()?)
                        }
                        MoneyField::Amount => return Err(A::Error::duplicate_field("amount")),
                        MoneyField::Currency => return Err(A::Error::duplicate_field("currency")),
                    }
                }
                Ok(PriceInput::Money {
                    amount: amount.ok_or_else(|| A::Error::missing_field("amount"))?,
                    currency: currency.ok_or_else(|| A::Error::missing_field("currency"))?,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Where the parcel goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipTo {
    pub name: String,
    /// ISO 3166-1 alpha-2, any case on input, upper case once normalised.
    pub country: String,
    pub address_lines: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub phone: String,
}

/// How a line names its item, as the catalog lookup receives it (trimmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemRef<'a> {
    Sku(SkuId),
    Style {
        style_code: &'a str,
        colour: &'a str,
        size: &'a str,
        wholesaler_id: Option<WholesalerId>,
    },
    /// A feed item id, as the partner's feed gave it.
    FeedItem(&'a str),
}

/// Longest feed item id (Google's `g:id` limit, which every DDHub feed keeps).
pub const MAX_ITEM_ID_CHARS: usize = 50;

/// What the catalog knows of one SKU right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogItem {
    pub sku_id: SkuId,
    pub style_id: StyleId,
    pub wholesaler_id: WholesalerId,
    pub stock: StockState,
    /// Minimum order of the style, counted over all its SKUs in the order.
    pub moq: Quantity,
    /// The current feed price in the requested currency (after the partner's markup and
    /// rounding), as the partner's feed shows it.
    pub price: Money,
}

/// The answer of a catalog lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(CatalogItem),
    NotFound,
    /// The style code names styles of several wholesalers and the line gave none.
    Ambiguous(Vec<WholesalerId>),
}

/// The caller's view of the catalog (the server reads it from the store). Any
/// `Fn(&ItemRef, Currency) -> Lookup` closure is one.
pub trait Catalog {
    fn lookup(&self, item: &ItemRef<'_>, currency: Currency) -> Lookup;
}

impl<F> Catalog for F
where
    F: Fn(&ItemRef<'_>, Currency) -> Lookup,
{
    fn lookup(&self, item: &ItemRef<'_>, currency: Currency) -> Lookup {
        self(item, currency)
    }
}

/// The partner's terms that intake checks against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntakePolicy {
    /// The currency the partner's feed is priced in; orders must use it.
    pub partner_currency: Currency,
    /// How far a line's unit price may be from the current feed price, in basis points of the
    /// feed price (100 = 1%). Covers a feed refreshed between the partner's fetch and its order.
    pub price_tolerance_bp: u32,
}

/// Why a part of the request is refused. The tag `code` is stable (API and message key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    UnknownSku,
    AmbiguousStyle {
        wholesaler_ids: Vec<WholesalerId>,
    },
    SoldOut,
    BelowMoq {
        moq: u32,
        ordered: u64,
    },
    PriceMismatch {
        expected: String,
        given: String,
    },
    BadQuantity {
        min: i64,
        max: i64,
    },
    BadPrice {
        currency: Currency,
        digits: u32,
    },
    CurrencyMismatch {
        expected: Currency,
        given: Currency,
    },
    BadReference,
    /// `first` is the 0-based index of the line that already has this SKU.
    DuplicateLine {
        first: usize,
    },
    NoLines,
    TooManyLines {
        max: usize,
    },
    TextEmpty,
    TextTooLong {
        max: usize,
    },
    TextControlChars,
    BadCountry,
    BadPhone,
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::UnknownSku => "unknown_sku",
            Reason::AmbiguousStyle { .. } => "ambiguous_style",
            Reason::SoldOut => "sold_out",
            Reason::BelowMoq { .. } => "below_moq",
            Reason::PriceMismatch { .. } => "price_mismatch",
            Reason::BadQuantity { .. } => "bad_quantity",
            Reason::BadPrice { .. } => "bad_price",
            Reason::CurrencyMismatch { .. } => "currency_mismatch",
            Reason::BadReference => "bad_reference",
            Reason::DuplicateLine { .. } => "duplicate_line",
            Reason::NoLines => "no_lines",
            Reason::TooManyLines { .. } => "too_many_lines",
            Reason::TextEmpty => "text_empty",
            Reason::TextTooLong { .. } => "text_too_long",
            Reason::TextControlChars => "text_control_chars",
            Reason::BadCountry => "bad_country",
            Reason::BadPhone => "bad_phone",
        }
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Reason::BelowMoq { moq, ordered } => {
                vec![("moq", moq.to_string()), ("ordered", ordered.to_string())]
            }
            Reason::PriceMismatch { expected, given } => {
                vec![("expected", expected.clone()), ("given", given.clone())]
            }
            Reason::BadQuantity { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            Reason::BadPrice { currency, digits } => {
                vec![
                    ("currency", currency.to_string()),
                    ("digits", digits.to_string()),
                ]
            }
            Reason::CurrencyMismatch { expected, given } => {
                vec![
                    ("expected", expected.to_string()),
                    ("given", given.to_string()),
                ]
            }
            Reason::DuplicateLine { first } => vec![("first", (first + 1).to_string())],
            Reason::TooManyLines { max } | Reason::TextTooLong { max } => {
                vec![("max", max.to_string())]
            }
            _ => Vec::new(),
        }
    }
}

/// One refused part of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where, as a path into the body: `lines[3].unit_price`, `ship_to.country`.
    pub field: String,
    /// The 0-based line index, for line problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(flatten)]
    pub reason: Reason,
}

impl Problem {
    fn order(field: &str, reason: Reason) -> Self {
        Problem {
            field: field.to_string(),
            line: None,
            reason,
        }
    }

    fn line(i: usize, field: &str, reason: Reason) -> Self {
        Problem {
            field: format!("lines[{i}].{field}"),
            line: Some(i),
            reason,
        }
    }

    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// The message in one locale.
    pub fn message(&self, locale: Locale) -> String {
        messages::message(self.code(), locale, &self.reason.args())
    }

    /// The message in English, Korean and the partner's locale, keyed by BCP 47 tag.
    pub fn messages(&self, partner: Locale) -> BTreeMap<&'static str, String> {
        [Locale::En, Locale::Ko, partner]
            .into_iter()
            .map(|l| (l.tag(), self.message(l)))
            .collect()
    }
}

/// An order refused by intake (the server answers 422 with the problems).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the order has {} problem(s)", problems.len())]
pub struct Rejection {
    pub problems: Vec<Problem>,
}

impl Rejection {
    /// Stable error code of the whole rejection.
    pub fn code(&self) -> &'static str {
        "order_invalid"
    }

    /// `{code, message, problems: [{field, line, code, …details, messages: {en, ko, <partner>}}]}`.
    pub fn to_json(&self, partner: Locale) -> serde_json::Value {
        let problems: Vec<serde_json::Value> = self
            .problems
            .iter()
            .map(|p| {
                let mut v = serde_json::to_value(p).unwrap_or(serde_json::Value::Null);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("messages".into(), serde_json::json!(p.messages(partner)));
                }
                v
            })
            .collect();
        // The message says what the code means, so this reads like every other API error.
        serde_json::json!({
            "code": self.code(),
            "message": messages::message(self.code(), partner, &[]),
            "problems": problems,
        })
    }
}

/// An accepted order: trimmed text, resolved SKUs, prices in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NormalisedOrder {
    pub partner_order_id: String,
    pub currency: Currency,
    pub lines: Vec<NormalisedLine>,
    pub ship_to: ShipTo,
    pub notes: Option<String>,
}

/// An accepted line. The unit price is the partner's (within tolerance of the feed price).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NormalisedLine {
    /// Index of the line in the request.
    pub position: usize,
    pub sku_id: SkuId,
    pub style_id: StyleId,
    pub wholesaler_id: WholesalerId,
    pub quantity: u32,
    pub unit_price: Money,
    pub feed_price: Money,
    /// Stock state at intake: a `backorder` SKU is accepted (미송 is normal).
    pub stock: StockState,
}

impl NormalisedOrder {
    /// Sum of quantity × unit price, or `None` on overflow (impossible within the limits).
    pub fn total(&self) -> Option<Money> {
        let mut minor: i64 = 0;
        for l in &self.lines {
            minor = minor.checked_add(l.unit_price.minor.checked_mul(i64::from(l.quantity))?)?;
        }
        Some(Money {
            minor,
            currency: self.currency,
        })
    }
}

/// Parses a positive decimal price with at most the currency's minor digits (`12.9`, `12.90`,
/// `1980`). No sign, exponent, grouping or currency symbol.
pub fn parse_price(text: &str, currency: Currency) -> Option<Money> {
    let minor = ddhub_domain::money::parse_fixed(text, currency.minor_digits())?;
    (minor > 0).then_some(Money { minor, currency })
}

/// Whether `given` is within `tolerance_bp` basis points of `expected`.
pub fn within_tolerance(given: Money, expected: Money, tolerance_bp: u32) -> bool {
    if given.currency != expected.currency {
        return false;
    }
    let diff = (i128::from(given.minor) - i128::from(expected.minor)).abs();
    diff * 10_000 <= i128::from(expected.minor).abs() * i128::from(tolerance_bp)
}

fn check_text(
    problems: &mut Vec<Problem>,
    make: impl Fn(Reason) -> Problem,
    value: &str,
    max: usize,
    allow_newlines: bool,
) -> String {
    let t = value.trim();
    if t.is_empty() {
        problems.push(make(Reason::TextEmpty));
    } else if t.chars().count() > max {
        problems.push(make(Reason::TextTooLong { max }));
    } else if t
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r')))
    {
        problems.push(make(Reason::TextControlChars));
    }
    t.to_string()
}

fn valid_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (6..=20).contains(&digits)
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))
}

fn normalise_ship_to(s: &ShipTo, problems: &mut Vec<Problem>) -> ShipTo {
    let at = |f: &'static str| move |r| Problem::order(f, r);
    let name = check_text(problems, at("ship_to.name"), &s.name, MAX_NAME_CHARS, false);
    let country = s.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        problems.push(Problem::order("ship_to.country", Reason::BadCountry));
    }
    if s.address_lines.is_empty() {
        problems.push(Problem::order("ship_to.address_lines", Reason::TextEmpty));
    } else if s.address_lines.len() > MAX_ADDRESS_LINES {
        problems.push(Problem::order(
            "ship_to.address_lines",
            Reason::TextTooLong {
                max: MAX_ADDRESS_LINES,
            },
        ));
    }
    let address_lines = s
        .address_lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let field = format!("ship_to.address_lines[{i}]");
            check_text(
                problems,
                |r| Problem::order(&field, r),
                l,
                MAX_ADDRESS_LINE_CHARS,
                false,
            )
        })
        .collect();
    let postal_code = s
        .postal_code
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            check_text(
                problems,
                at("ship_to.postal_code"),
                p,
                MAX_POSTAL_CODE_CHARS,
                false,
            )
        });
    let phone = s.phone.trim().to_string();
    if !valid_phone(&phone) {
        problems.push(Problem::order("ship_to.phone", Reason::BadPhone));
    }
    ShipTo {
        name,
        country,
        address_lines,
        postal_code,
        phone,
    }
}

fn item_ref<'a>(
    i: usize,
    line: &'a LineRequest,
    problems: &mut Vec<Problem>,
) -> Option<ItemRef<'a>> {
    let style = (
        line.style_code.as_deref().map(str::trim),
        line.colour.as_deref().map(str::trim),
        line.size.as_deref().map(str::trim),
    );
    if let Some(id) = line.item_id.as_deref().map(str::trim) {
        if line.sku_id.is_some() || style != (None, None, None) || line.wholesaler_id.is_some() {
            problems.push(Problem::line(i, "item_id", Reason::BadReference));
            return None;
        }
        let before = problems.len();
        check_text(
            problems,
            |r| Problem::line(i, "item_id", r),
            id,
            MAX_ITEM_ID_CHARS,
            false,
        );
        return (problems.len() == before).then_some(ItemRef::FeedItem(id));
    }
    match (line.sku_id, style) {
        (Some(sku), (None, None, None)) if line.wholesaler_id.is_none() => Some(ItemRef::Sku(sku)),
        (None, (Some(code), Some(colour), Some(size))) => {
            let before = problems.len();
            let max_code = ddhub_domain::style::MAX_STYLE_CODE_CHARS;
            check_text(
                problems,
                |r| Problem::line(i, "style_code", r),
                code,
                max_code,
                false,
            );
            for (field, v) in [("colour", colour), ("size", size)] {
                check_text(
                    problems,
                    |r| Problem::line(i, field, r),
                    v,
                    MAX_VARIANT_CHARS,
                    false,
                );
            }
            (problems.len() == before).then_some(ItemRef::Style {
                style_code: code,
                colour,
                size,
                wholesaler_id: line.wholesaler_id,
            })
        }
        _ => {
            problems.push(Problem::line(i, "sku_id", Reason::BadReference));
            None
        }
    }
}

/// Checks a request against the partner's terms and the current catalog. Every problem is
/// reported at once; an order is accepted only with none.
///
/// Rules: the order currency is the partner's; 1 to [`MAX_LINES`] lines; quantity within
/// [`QUANTITY_RANGE`]; each line names one item (a SKU id, or style code + colour + size); an
/// item appears once; the SKU exists and is not sold out (backorder is accepted); the unit price
/// is within the tolerance of the current feed price; each style's lines add up to its MOQ.
pub fn validate_order(
    req: &OrderRequest,
    policy: &IntakePolicy,
    catalog: &impl Catalog,
) -> Result<NormalisedOrder, Rejection> {
    let mut problems = Vec::new();
    let partner_order_id = check_text(
        &mut problems,
        |r| Problem::order("partner_order_id", r),
        &req.partner_order_id,
        MAX_PARTNER_ORDER_ID_CHARS,
        false,
    );
    let currency_ok = req.currency == policy.partner_currency;
    if !currency_ok {
        problems.push(Problem::order(
            "currency",
            Reason::CurrencyMismatch {
                expected: policy.partner_currency,
                given: req.currency,
            },
        ));
    }
    if req.lines.is_empty() {
        problems.push(Problem::order("lines", Reason::NoLines));
    } else if req.lines.len() > MAX_LINES {
        problems.push(Problem::order(
            "lines",
            Reason::TooManyLines { max: MAX_LINES },
        ));
    }
    let ship_to = normalise_ship_to(&req.ship_to, &mut problems);
    let notes = req
        .notes
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            check_text(
                &mut problems,
                |r| Problem::order("notes", r),
                n,
                MAX_NOTES_CHARS,
                true,
            )
        });

    let mut lines = Vec::new();
    let mut moq_rows: Vec<(usize, StyleId, Quantity, Option<u32>)> = Vec::new();
    let mut first_by_sku: HashMap<SkuId, usize> = HashMap::new();
    let lines_in = if req.lines.len() > MAX_LINES {
        &[][..]
    } else {
        &req.lines[..]
    };
    for (i, line) in lines_in.iter().enumerate() {
        let quantity = match u32::try_from(line.quantity) {
            Ok(q) if QUANTITY_RANGE.contains(&line.quantity) => Some(q),
            _ => {
                problems.push(Problem::line(
                    i,
                    "quantity",
                    Reason::BadQuantity {
                        min: *QUANTITY_RANGE.start(),
                        max: *QUANTITY_RANGE.end(),
                    },
                ));
                None
            }
        };
        let mut price = parse_price(line.unit_price.amount(), req.currency);
        // The money object's currency is the order's: anything else is named on its field
        // (and the amount is not judged in a currency it was not given in).
        let mut currency_named = false;
        if let Some(code) = line.unit_price.currency() {
            match code.parse::<Currency>() {
                Ok(given) if given == req.currency => {}
                Ok(given) => {
                    problems.push(Problem::line(
                        i,
                        "unit_price.currency",
                        Reason::CurrencyMismatch {
                            expected: req.currency,
                            given,
                        },
                    ));
                    currency_named = true;
                    price = None;
                }
                Err(_) => price = None,
            }
        }
        if price.is_none() && !currency_named {
            problems.push(Problem::line(
                i,
                "unit_price",
                Reason::BadPrice {
                    currency: req.currency,
                    digits: req.currency.minor_digits(),
                },
            ));
        }
        let Some(item) = item_ref(i, line, &mut problems) else {
            continue;
        };
        if !currency_ok {
            continue;
        }
        // A line that named its item by feed id hears about it on that field.
        let item_field = match item {
            ItemRef::FeedItem(_) => "item_id",
            _ => "sku_id",
        };
        let found = match catalog.lookup(&item, req.currency) {
            Lookup::Found(found) => found,
            Lookup::NotFound => {
                problems.push(Problem::line(i, item_field, Reason::UnknownSku));
                continue;
            }
            Lookup::Ambiguous(mut wholesaler_ids) => {
                wholesaler_ids.sort_unstable();
                problems.push(Problem::line(
                    i,
                    "wholesaler_id",
                    Reason::AmbiguousStyle { wholesaler_ids },
                ));
                continue;
            }
        };
        if let Some(&first) = first_by_sku.get(&found.sku_id) {
            problems.push(Problem::line(
                i,
                item_field,
                Reason::DuplicateLine { first },
            ));
            continue;
        }
        first_by_sku.insert(found.sku_id, i);
        if found.stock == StockState::SoldOut {
            problems.push(Problem::line(i, item_field, Reason::SoldOut));
        }
        if let Some(given) = price
            && !within_tolerance(given, found.price, policy.price_tolerance_bp)
        {
            problems.push(Problem::line(
                i,
                "unit_price",
                Reason::PriceMismatch {
                    expected: found.price.decimal(),
                    given: given.decimal(),
                },
            ));
        }
        if let (Some(quantity), Some(unit_price)) = (quantity, price) {
            lines.push(NormalisedLine {
                position: i,
                sku_id: found.sku_id,
                style_id: found.style_id,
                wholesaler_id: found.wholesaler_id,
                quantity,
                unit_price,
                feed_price: found.price,
                stock: found.stock,
            });
        }
        moq_rows.push((i, found.style_id, found.moq, quantity));
    }

    // MOQ is per style (a wholesaler's 최소수량 counts any mix of its colours and sizes).
    let mut per_style: BTreeMap<StyleId, (u32, u64)> = BTreeMap::new();
    for (_, style, moq, q) in &moq_rows {
        let e = per_style.entry(*style).or_insert((moq.0, 0));
        e.1 += u64::from(q.unwrap_or(0));
    }
    for (i, style, _, q) in &moq_rows {
        if let (Some((moq, ordered)), Some(_)) = (per_style.get(style), q)
            && *ordered < u64::from(*moq)
        {
            problems.push(Problem::line(
                *i,
                "quantity",
                Reason::BelowMoq {
                    moq: *moq,
                    ordered: *ordered,
                },
            ));
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line.map_or(0, |l| l + 1));
        return Err(Rejection { problems });
    }
    Ok(NormalisedOrder {
        partner_order_id,
        currency: req.currency,
        lines,
        ship_to,
        notes,
    })
}
