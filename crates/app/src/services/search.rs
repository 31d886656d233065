//! Public search as buyers see it: the query in their language and currency, the hits with
//! prices converted, and the facets. The API and the storefront pages both call [`execute`].

use crate::AppState;
use crate::error::{AppError, ErrorCode};
use ddhub_domain::{Currency, Krw, Locale, Money, RatePerKrw, RoundingRule, StyleId};
use ddhub_search::{HitDisplay, SearchQuery, Sort};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words in any of the seven languages.
    pub q: Option<String>,
    /// ko, en, ja, zh-CN, zh-TW, vi or th; from Accept-Language, then English, when absent.
    pub locale: Option<String>,
    /// Currency of prices and price bounds (default USD when a USD rate is set, else KRW).
    pub currency: Option<String>,
    /// Category code; its subcategories are included.
    pub category: Option<String>,
    /// Colour families or colour codes, comma-separated.
    pub colour: Option<String>,
    /// Size codes, comma-separated.
    pub size: Option<String>,
    /// Lowest price, in `currency`.
    pub price_min: Option<String>,
    /// Highest price, in `currency`.
    pub price_max: Option<String>,
    pub moq_max: Option<u32>,
    pub same_day: Option<bool>,
    pub wholesaler: Option<i64>,
    /// relevance (default), newest, price_asc or price_desc.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Measured-size ranges in cm, comma-separated: `length:70..` (at least 70),
    /// `chest_half:..55`, `waist:64..72`. Keys: shoulder, chest_half, chest, length, sleeve,
    /// waist_half, waist, hip_half, thigh, rise, hem. A style matches when one of its sizes does.
    pub measure: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceView {
    /// Decimal amount in the currency's usual digits (`12.96`, `1944`).
    pub amount: String,
    pub currency: String,
}

impl From<Money> for PriceView {
    fn from(m: Money) -> Self {
        PriceView {
            amount: m.decimal(),
            currency: m.currency.code().to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WholesalerView {
    pub id: i64,
    pub name: String,
    pub building: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HitView {
    pub style_id: i64,
    pub style_code: String,
    pub title: String,
    pub price: PriceView,
    pub thumbnail_url: Option<String>,
    pub wholesaler: WholesalerView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsView {
    pub category: BTreeMap<String, u64>,
    pub colour: BTreeMap<String, u64>,
    pub size: BTreeMap<String, u64>,
    /// Price buckets in won (`lt_10000`, `10000_20000`, …) → count.
    pub price: BTreeMap<String, u64>,
    pub same_day: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchView {
    pub total: u64,
    pub took_ms: u64,
    pub locale: String,
    pub currency: String,
    pub hits: Vec<HitView>,
    pub facets: FacetsView,
}

pub fn bad(msg: impl Into<String>) -> AppError {
    AppError::with_detail(ErrorCode::InvalidQuery, msg)
}

/// A decimal amount in `currency` → won, rounding so the bound includes what it names.
fn to_krw(text: &str, rate: &RatePerKrw, round_up: bool) -> Result<i64, AppError> {
    let t = text.trim();
    let minor = i128::from(
        ddhub_domain::money::parse_fixed(t, rate.currency.minor_digits())
            .ok_or_else(|| bad(format!("price {t:?} is not an amount in {}", rate.currency)))?,
    );
    let scale = 10i128.pow(rate.currency.minor_digits());
    let num = minor * 1_000_000_000;
    let den = i128::from(rate.nanos) * scale;
    let krw = if round_up {
        (num + den - 1) / den
    } else {
        num / den
    };
    i64::try_from(krw).map_err(|_| bad("price out of range"))
}

/// Runs a search.
pub async fn execute(
    app: &AppState,
    p: &SearchParams,
    locale: Locale,
) -> Result<SearchView, AppError> {
    let Some(listing) = app.search.clone() else {
        return Err(AppError::with_detail(
            ErrorCode::NotReady,
            "search is not served here",
        ));
    };
    let (currency, rate) = match p.currency.as_deref() {
        Some(c) if !c.is_empty() => {
            let currency: Currency = c
                .parse()
                .map_err(|_| bad(format!("unknown currency {c:?}")))?;
            (
                currency,
                ddhub_store::rates::get_rate_cached(&app.store, currency).await?,
            )
        }
        // No currency asked for: USD when a USD rate is set (one read), else won.
        _ => match ddhub_store::rates::get_rate_cached(&app.store, Currency::Usd).await? {
            Some(usd) => (Currency::Usd, Some(usd)),
            None => (
                Currency::Krw,
                ddhub_store::rates::get_rate_cached(&app.store, Currency::Krw).await?,
            ),
        },
    };
    let rate = rate.ok_or_else(|| bad(format!("no exchange rate is set for {currency}")))?;
    let sort = match p.sort.as_deref() {
        None | Some("") | Some("relevance") => Sort::Relevance,
        Some("newest") => Sort::Newest,
        Some("price_asc") => Sort::PriceAsc,
        Some("price_desc") => Sort::PriceDesc,
        Some(other) => {
            return Err(bad(format!(
                "unknown sort {other:?}: relevance, newest, price_asc or price_desc"
            )));
        }
    };
    let list = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let families: std::collections::HashSet<String> = ddhub_domain::catalog::colours()
        .all()
        .iter()
        .map(|c| c.family.to_string())
        .collect();
    let (colour_families, colours): (Vec<String>, Vec<String>) = list(&p.colour)
        .into_iter()
        .partition(|c| families.contains(c));
    let query = SearchQuery {
        q: p.q.clone(),
        locale,
        category: p.category.clone().filter(|c| !c.is_empty()),
        colour_families,
        colours,
        sizes: list(&p.size),
        price_min_krw: p
            .price_min
            .as_deref()
            .map(|t| to_krw(t, &rate, false))
            .transpose()?,
        price_max_krw: p
            .price_max
            .as_deref()
            .map(|t| to_krw(t, &rate, true))
            .transpose()?,
        moq_max: p.moq_max,
        same_day: p.same_day,
        wholesaler: p.wholesaler,
        sort,
        page: p.page.unwrap_or(1),
        per_page: p.per_page.unwrap_or(24),
        include_unavailable: false,
        measures: list(&p.measure)
            .iter()
            .map(|m| {
                ddhub_search::MeasureRange::parse(m).ok_or_else(|| {
                    bad(format!(
                        "measure {m:?}: write a measure key and a range in cm, like length:70.."
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let started = std::time::Instant::now();
    let searched = listing.index.search(&query).await;
    metrics::histogram!(crate::metrics::SEARCH_DURATION, "backend" => listing.index.backend())
        .record(started.elapsed().as_secs_f64());
    let result = searched.map_err(|e| {
        if e.is_bad_query() {
            bad(e.to_string())
        } else {
            AppError::internal(e)
        }
    })?;
    // Hits show what the index stored with them; the database is read only for hits without a
    // stored display (an index filled before displays were kept), leaving out a style deleted
    // since it was indexed.
    let missing: Vec<StyleId> = result
        .hits
        .iter()
        .filter(|h| h.display.is_none())
        .map(|h| StyleId(h.style_id))
        .collect();
    let mut from_db: HashMap<i64, HitDisplay> = HashMap::new();
    if !missing.is_empty() {
        for row in ddhub_store::catalog::search_hits(&app.store, &missing, locale).await? {
            from_db.insert(row.style_id.0, listing.hit_display(row, locale));
        }
    }
    let mut hits = Vec::with_capacity(result.hits.len());
    for hit in result.hits {
        let Some(d) = hit.display.or_else(|| from_db.remove(&hit.style_id)) else {
            continue;
        };
        let price = rate
            .convert(Krw(d.price_krw), 0, RoundingRule::None)
            .map_err(AppError::internal)?;
        hits.push(HitView {
            style_id: hit.style_id,
            style_code: d.style_code,
            title: d.title,
            price: price.into(),
            thumbnail_url: d.thumbnail_url,
            wholesaler: WholesalerView {
                id: d.wholesaler.id,
                name: d.wholesaler.name,
                building: d.wholesaler.building,
            },
        });
    }
    let f = result.facets;
    Ok(SearchView {
        total: result.total,
        took_ms: result.took_ms,
        locale: locale.tag().to_string(),
        currency: currency.code().to_string(),
        hits,
        facets: FacetsView {
            category: f.category,
            colour: f.colour,
            size: f.size,
            price: f.price.into_iter().map(|b| (b.key, b.count)).collect(),
            same_day: BTreeMap::from([
                ("true".to_string(), f.same_day.yes),
                ("false".to_string(), f.same_day.no),
            ]),
        },
    })
}
