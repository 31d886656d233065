//! Delivered price (landed cost) of a listed style for a buyer abroad: the style's HS code from
//! the export tables, its shipping weight (`ddhub_domain::weights::shipping_weight`, the one
//! weight shipments use too), the carrier rate tables of the shipments service, the pure
//! estimate of `ddhub_orders::landed`, and the lines in the buyer's currency. The JSON route,
//! the storefront's style page and the partner feeds call it.

use crate::AppState;
use crate::error::{AppError, ErrorCode};
use crate::services::search::PriceView;
use ddhub_domain::style::{Style, StyleState};
use ddhub_domain::{Currency, Krw, Money, RatePerKrw, RoundingRule, StyleId};
use ddhub_orders::CalendarDate;
use ddhub_orders::export::{Gender, category_defaults, lookup_hs, main_material};
use ddhub_orders::landed::{self, AppliedRule, LandedCost, LandedError, LandedInput};
use ddhub_shipping::rates::RateTable;
use ddhub_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

/// Most pieces one estimate covers.
pub const MAX_QUANTITY: u32 = 10_000;

fn bad(msg: impl Into<String>) -> AppError {
    AppError::with_detail(ErrorCode::InvalidQuery, msg)
}

/// The currency a destination's rules are written in (and its buyers pay in).
pub fn local_currency(dest: &str) -> Currency {
    match dest {
        "US" => Currency::Usd,
        "JP" => Currency::Jpy,
        "CN" => Currency::Cny,
        "TW" => Currency::Twd,
        "HK" => Currency::Hkd,
        "VN" => Currency::Vnd,
        "TH" => Currency::Thb,
        "SG" => Currency::Sgd,
        "EU" => Currency::Eur,
        "GB" => Currency::Gbp,
        _ => Currency::Krw,
    }
}

/// The destination a currency's buyers most likely are in (the storefront's guess).
pub fn destination_of(currency: Currency) -> Option<&'static str> {
    landed::DESTINATIONS
        .into_iter()
        .find(|d| local_currency(d) == currency)
}

/// A rule as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleView {
    /// `shipping`, `duty` or `tax`.
    pub line: String,
    /// Stable id of the data row (`JP.de_minimis`, `US.duty.61.kr`).
    pub id: String,
    pub text: String,
    pub source: String,
    /// `yyyy-mm-dd`.
    pub valid_from: String,
}

impl From<&AppliedRule> for RuleView {
    fn from(r: &AppliedRule) -> Self {
        RuleView {
            line: serde_json::to_value(r.line)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            id: r.id.clone(),
            text: r.text.clone(),
            source: r.source.clone(),
            valid_from: r.valid_from.to_string(),
        }
    }
}

/// The delivered price of a style, in the buyer's currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct LandedView {
    /// Always `true`: rates and rules change; a broker confirms a real shipment.
    pub estimate: bool,
    pub style_id: i64,
    pub quantity: u32,
    /// The destination rule applied (`JP`, `EU`, `GB` …).
    pub country: String,
    pub hs_code: String,
    /// Grams shipped: each piece's shipping weight × quantity, plus the carton.
    pub shipping_grams: u32,
    /// `true` when the pieces' weight is the category's estimate (the style gave none).
    pub weight_estimated: bool,
    pub goods: PriceView,
    pub shipping: PriceView,
    pub duty: PriceView,
    pub tax: PriceView,
    pub total: PriceView,
    /// The latest valid-from day of the figures used (`yyyy-mm-dd`).
    pub data_date: String,
    pub rules: Vec<RuleView>,
    #[serde(skip)]
    pub cost: Option<LandedCost>,
    #[serde(skip)]
    pub money: [Money; 5],
}

/// The HS code of a style (women's unless the category says men's).
pub fn hs_code(style: &Style) -> Option<&'static str> {
    let defaults = category_defaults(&style.category)?;
    let gender = if style.category.starts_with("men") {
        Gender::Men
    } else {
        Gender::Women
    };
    let entry = lookup_hs(
        &style.category,
        main_material(&style.composition),
        defaults.construction,
        gender,
    )?;
    Some(entry.code)
}

/// The pure estimate for `quantity` pieces of a style (no IO): what [`estimate`] and the feed
/// benchmark compute per style. `None` when the style's category has no HS code.
pub fn estimate_style(
    style: &Style,
    quantity: u32,
    country: &str,
    rates: &[RateTable],
    local_rate: Option<RatePerKrw>,
    date: CalendarDate,
) -> Option<Result<LandedCost, LandedError>> {
    let hs = hs_code(style)?;
    let weight = ddhub_domain::weights::shipping_weight(style.weight_grams, &style.category);
    let goods = Krw(style.price.0.saturating_mul(i64::from(quantity)));
    Some(landed::estimate(&LandedInput {
        country,
        goods,
        hs_code: hs,
        origin: style.origin.as_deref(),
        shipping_grams: weight.grams.saturating_mul(quantity),
        rates,
        date,
        local_rate,
    }))
}

fn convert(krw: Krw, rate: Option<&RatePerKrw>) -> Result<Money, AppError> {
    match rate {
        None => Ok(Money {
            minor: krw.0,
            currency: Currency::Krw,
        }),
        Some(r) => r
            .convert(krw, 0, RoundingRule::None)
            .map_err(AppError::internal),
    }
}

/// The rate tables' destination for `country`, or the 400 naming what is served.
fn destination_or_bad(country: &str) -> Result<&'static str, AppError> {
    landed::destination(country).ok_or_else(|| {
        bad(format!(
            "country {country:?}: one of {} or an EU member",
            landed::DESTINATIONS.join(", ")
        ))
    })
}

/// Estimates the delivered price of `quantity` pieces of a listed style to `country`, in
/// `currency` (the destination's own when `None`, won when that has no rate).
pub async fn estimate(
    store: &Store,
    style_id: StyleId,
    quantity: Option<u32>,
    country: &str,
    currency: Option<Currency>,
    date: CalendarDate,
) -> Result<LandedView, AppError> {
    destination_or_bad(country)?;
    let row = ddhub_store::catalog::listing_rows(store, &[style_id])
        .await?
        .into_iter()
        .next()
        .filter(|r| r.style.state != StyleState::Archived)
        .ok_or_else(AppError::not_found)?;
    estimate_for(store, &row.style, quantity, country, currency, date).await
}

/// [`estimate`] of a style already read (the style page has it; reading it again was three
/// of the page's queries).
pub async fn estimate_for(
    store: &Store,
    style: &Style,
    quantity: Option<u32>,
    country: &str,
    currency: Option<Currency>,
    date: CalendarDate,
) -> Result<LandedView, AppError> {
    let dest = destination_or_bad(country)?;
    let style_id = style.id;
    let quantity = quantity.unwrap_or(style.moq.0).max(1);
    if quantity < style.moq.0 || quantity > MAX_QUANTITY {
        return Err(bad(format!(
            "quantity must be between the minimum order {} and {MAX_QUANTITY}",
            style.moq.0
        )));
    }
    let no_hs = || {
        AppError::with_detail(
            ErrorCode::InvalidQuery,
            format!("no HS code for category {}", style.category),
        )
    };
    let hs = hs_code(style).ok_or_else(no_hs)?;
    style
        .price
        .0
        .checked_mul(i64::from(quantity))
        .ok_or_else(|| bad("quantity too large"))?;
    let local = ddhub_store::rates::get_rate_cached(store, local_currency(dest)).await?;
    let rates = crate::services::shipments::rate_tables(store).await?;
    let weight = ddhub_domain::weights::shipping_weight(style.weight_grams, &style.category);
    let cost = estimate_style(style, quantity, country, &rates, local, date)
        .ok_or_else(no_hs)?
        .map_err(|e| match e {
            landed::LandedError::NoRate(..) => AppError::with_detail(
                ErrorCode::NotReady,
                format!("{e}: set it with ddhub rates set"),
            ),
            landed::LandedError::NoShipping(_) => AppError::with_detail(
                ErrorCode::NotReady,
                format!("{e}: load one with ddhub shipping rates load"),
            ),
            other => AppError::internal(other),
        })?;
    let currency = currency.unwrap_or(if local.is_some() {
        local_currency(dest)
    } else {
        Currency::Krw
    });
    let rate = if currency == Currency::Krw {
        None
    } else {
        Some(
            ddhub_store::rates::get_rate_cached(store, currency)
                .await?
                .ok_or_else(|| bad(format!("no exchange rate for {}", currency.code())))?,
        )
    };
    let goods_m = convert(cost.goods, rate.as_ref())?;
    let shipping_m = convert(cost.shipping, rate.as_ref())?;
    let duty_m = convert(cost.duty, rate.as_ref())?;
    let tax_m = convert(cost.tax, rate.as_ref())?;
    // The total is the sum of the lines as shown, so the page adds up.
    let total_m = Money {
        minor: goods_m.minor + shipping_m.minor + duty_m.minor + tax_m.minor,
        currency: goods_m.currency,
    };
    Ok(LandedView {
        estimate: true,
        style_id: style_id.0,
        quantity,
        country: dest.to_string(),
        hs_code: hs.to_string(),
        shipping_grams: weight
            .grams
            .saturating_mul(quantity)
            .saturating_add(landed::PACKING_GRAMS),
        weight_estimated: weight.estimated,
        goods: PriceView::from(goods_m),
        shipping: PriceView::from(shipping_m),
        duty: PriceView::from(duty_m),
        tax: PriceView::from(tax_m),
        total: PriceView::from(total_m),
        data_date: cost.data_date.to_string(),
        rules: cost.rules.iter().map(RuleView::from).collect(),
        cost: Some(cost),
        money: [goods_m, shipping_m, duty_m, tax_m, total_m],
    })
}

/// [`estimate`] for today (Seoul), as the API and pages answer.
pub async fn estimate_today(
    app: &AppState,
    style_id: StyleId,
    quantity: Option<u32>,
    country: &str,
    currency: Option<Currency>,
) -> Result<LandedView, AppError> {
    estimate(
        &app.store,
        style_id,
        quantity,
        country,
        currency,
        ddhub_orders::date::seoul_today(),
    )
    .await
}

/// `g:shipping` for a partner that lists no shipping of its own: the rate tables' estimate
/// for the style's minimum order (shipping weight × MOQ plus the carton) to the destination of
/// the partner's currency (none for won).
pub fn feed_shipping(
    style: &Style,
    settings: &ddhub_feeds::FeedSettings,
    rates: &[RateTable],
) -> Vec<(String, Krw)> {
    if !settings.shipping.is_empty() {
        return Vec::new();
    }
    let Some(dest) = destination_of(settings.currency) else {
        return Vec::new();
    };
    let grams = ddhub_domain::weights::shipping_weight(style.weight_grams, &style.category)
        .grams
        .saturating_mul(style.moq.0.max(1))
        .saturating_add(landed::PACKING_GRAMS);
    // GMC wants a country; the EU rule is shown for Germany, its largest market.
    let country = landed::shipping_country(dest);
    landed::shipping(rates, dest, country, grams)
        .map(|(krw, _)| vec![(country.to_string(), krw)])
        .unwrap_or_default()
}
