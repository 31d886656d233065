//! Delivered price (landed cost) of a listed style for a buyer abroad: the style's HS code from
//! the export tables, the pure estimate of `ddhub_orders::landed`, and the lines in the buyer's
//! currency. The JSON route, the storefront's style page and the partner feeds call it.

use crate::AppState;
use crate::error::{AppError, ErrorCode};
use crate::services::search::PriceView;
use ddhub_domain::style::{Style, StyleState};
use ddhub_domain::{Currency, Krw, Money, RatePerKrw, RoundingRule, StyleId};
use ddhub_orders::CalendarDate;
use ddhub_orders::export::{Gender, category_defaults, lookup_hs, main_material};
use ddhub_orders::landed::{self, AppliedRule, LandedCost, LandedInput};
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

/// The HS code and net grams of one piece of a style (women's unless the category says men's).
pub fn hs_and_grams(style: &Style) -> Option<(&'static str, u32)> {
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
    Some((entry.code, defaults.net_grams))
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
    let dest = landed::destination(country).ok_or_else(|| {
        bad(format!(
            "country {country:?}: one of {} or an EU member",
            landed::DESTINATIONS.join(", ")
        ))
    })?;
    let row = ddhub_store::catalog::listing_rows(store, &[style_id])
        .await?
        .into_iter()
        .next()
        .filter(|r| r.style.state != StyleState::Archived)
        .ok_or_else(AppError::not_found)?;
    let style = &row.style;
    let quantity = quantity.unwrap_or(style.moq.0).max(1);
    if quantity < style.moq.0 || quantity > MAX_QUANTITY {
        return Err(bad(format!(
            "quantity must be between the minimum order {} and {MAX_QUANTITY}",
            style.moq.0
        )));
    }
    let (hs, grams) = hs_and_grams(style).ok_or_else(|| {
        AppError::with_detail(
            ErrorCode::InvalidQuery,
            format!("no HS code for category {}", style.category),
        )
    })?;
    let local = ddhub_store::rates::get_rate_cached(store, local_currency(dest)).await?;
    let goods = Krw(style
        .price
        .0
        .checked_mul(i64::from(quantity))
        .ok_or_else(|| bad("quantity too large"))?);
    let cost = landed::estimate(&LandedInput {
        country: dest,
        goods,
        hs_code: hs,
        origin: style.origin.as_deref(),
        net_grams: grams.saturating_mul(quantity),
        date,
        local_rate: local,
    })
    .map_err(|e| match e {
        landed::LandedError::NoRate(..) => AppError::with_detail(
            ErrorCode::NotReady,
            format!("{e}: set it with ddhub rates set"),
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

/// `g:shipping` for a partner that lists no shipping of its own: the flat table's price of the
/// style's minimum order to the destination of the partner's currency (none for won).
pub fn feed_shipping(style: &Style, settings: &ddhub_feeds::FeedSettings) -> Vec<(String, Krw)> {
    if !settings.shipping.is_empty() {
        return Vec::new();
    }
    let Some(dest) = destination_of(settings.currency) else {
        return Vec::new();
    };
    let Some((_, grams)) = hs_and_grams(style) else {
        return Vec::new();
    };
    let grams = grams
        .saturating_mul(style.moq.0.max(1))
        .saturating_add(landed::PACKING_GRAMS);
    // GMC wants a country; the EU rule is shown for Germany, its largest market.
    let country = match dest {
        "EU" => "DE",
        d => d,
    };
    landed::shipping_krw(dest, grams)
        .map(|(krw, _)| vec![(country.to_string(), krw)])
        .unwrap_or_default()
}
