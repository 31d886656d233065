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

#[derive(Debug, Clone, Serialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WholesalerView {
    pub id: i64,
    pub name: String,
    pub building: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
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
    /// When nothing matched: the query as the buyer most likely meant it (a typo corrected to
    /// a glossary word), offered only when that query finds styles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    /// When nothing matched: the newest styles, so the page is never blank.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub newest: Vec<HitView>,
}

/// Newest styles shown beside an empty answer.
const NEWEST_ON_EMPTY: u32 = 8;

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

/// The currency asked for (USD when a USD rate is set and none is asked, else won) and its rate.
async fn currency_and_rate(
    app: &AppState,
    asked: Option<&str>,
) -> Result<(Currency, RatePerKrw), AppError> {
    let (currency, rate) = match asked {
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
    Ok((currency, rate))
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
    let (currency, rate) = currency_and_rate(app, p.currency.as_deref()).await?;
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
    // What an empty answer shows instead: the query with a typo corrected (offered only when
    // it finds styles), then the newest styles. The index works them out and runs them in the
    // same turn as the query, only when it finds nothing.
    let fallbacks: ddhub_search::Fallbacks = {
        let (concepts, query) = (listing.concepts(), query.clone());
        std::sync::Arc::new(move || {
            let corrected =
                query.normalized_text().ok().flatten().and_then(|text| {
                    concepts.correction(&ddhub_search::concepts::normalize(&text))
                });
            let retry = corrected.map(|c| SearchQuery {
                q: Some(c),
                per_page: 1,
                page: 1,
                ..query.clone()
            });
            let latest = SearchQuery {
                locale: query.locale,
                sort: Sort::Newest,
                per_page: NEWEST_ON_EMPTY,
                ..SearchQuery::default()
            };
            retry.into_iter().chain([latest]).collect()
        })
    };
    let (result, mut rest) = run(&listing, &query, Some(fallbacks)).await?;
    let mut did_you_mean = None;
    let mut newest = Vec::new();
    if result.total == 0 {
        // The newest styles come last; the corrected query, when there is one, before them.
        let latest = rest.pop().map(|(_, r)| r.hits).unwrap_or_default();
        if let Some((retry, retried)) = rest.pop()
            && retried.total > 0
        {
            did_you_mean = retry.q;
        }
        newest = hit_views(app, &listing, latest, &rate, locale).await?;
    }
    let f = result.facets;
    Ok(SearchView {
        total: result.total,
        took_ms: result.took_ms,
        locale: locale.tag().to_string(),
        currency: currency.code().to_string(),
        hits: hit_views(app, &listing, result.hits, &rate, locale).await?,
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
        did_you_mean,
        newest,
    })
}

/// One search on the index, and its fallbacks when it finds nothing
/// ([`ddhub_search::SearchIndex::search_or_else`]), timed.
async fn run(
    listing: &crate::services::listing::Listing,
    query: &SearchQuery,
    fallbacks: Option<ddhub_search::Fallbacks>,
) -> Result<
    (
        ddhub_search::SearchResult,
        Vec<(SearchQuery, ddhub_search::SearchResult)>,
    ),
    AppError,
> {
    let started = std::time::Instant::now();
    let searched = listing.index.search_or_else(query, fallbacks).await;
    metrics::histogram!(crate::metrics::SEARCH_DURATION, "backend" => listing.index.backend())
        .record(started.elapsed().as_secs_f64());
    searched.map_err(|e| {
        if e.is_bad_query() {
            bad(e.to_string())
        } else {
            AppError::internal(e)
        }
    })
}

/// Hits as the buyer sees them: the stored display, prices in the buyer's currency.
async fn hit_views(
    app: &AppState,
    listing: &crate::services::listing::Listing,
    hits: Vec<ddhub_search::Hit>,
    rate: &RatePerKrw,
    locale: Locale,
) -> Result<Vec<HitView>, AppError> {
    // Hits show what the index stored with them; the database is read only for hits without a
    // stored display (an index filled before displays were kept), leaving out a style deleted
    // since it was indexed.
    let missing: Vec<StyleId> = hits
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
    let mut views = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(d) = hit.display.or_else(|| from_db.remove(&hit.style_id)) else {
            continue;
        };
        let price = rate
            .convert(Krw(d.price_krw), 0, RoundingRule::None)
            .map_err(AppError::internal)?;
        views.push(HitView {
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
    Ok(views)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What the buyer has typed so far, in any language.
    pub q: Option<String>,
    /// ko, en, ja, zh-CN, zh-TW, vi or th: the language of the labels and titles.
    pub locale: Option<String>,
}

/// A category or colour completion: the code to filter by and its name in the buyer's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionView {
    pub code: String,
    pub label: String,
}

/// A style title completion.
#[derive(Debug, Serialize, ToSchema)]
pub struct TitleCompletionView {
    pub style_id: i64,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestView {
    pub q: String,
    pub locale: String,
    pub categories: Vec<CompletionView>,
    pub colours: Vec<CompletionView>,
    pub titles: Vec<TitleCompletionView>,
}

/// Completions shown per kind.
const SUGGESTIONS: usize = 5;

/// Completions for the search box: categories and colours whose names start with what was
/// typed, and titles of the styles the text (or, when it finds none, the first category
/// completion) finds, all in the buyer's language.
pub async fn suggest(app: &AppState, q: &str, locale: Locale) -> Result<SuggestView, AppError> {
    let Some(listing) = app.search.clone() else {
        return Err(AppError::with_detail(
            ErrorCode::NotReady,
            "search is not served here",
        ));
    };
    let typed: String = q.trim().chars().take(100).collect();
    let completions = listing.suggester().complete(&typed, locale, SUGGESTIONS);
    let view = |kind| {
        completions
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| CompletionView {
                code: s.code.clone(),
                label: s.label.clone(),
            })
            .collect::<Vec<_>>()
    };
    let categories = view(ddhub_search::suggest::SuggestionKind::Category);
    let colours = view(ddhub_search::suggest::SuggestionKind::Colour);
    let mut titles = Vec::new();
    if !typed.is_empty() {
        let text_query = |text: &str| SearchQuery {
            q: Some(text.to_string()),
            locale,
            per_page: SUGGESTIONS as u32,
            ..SearchQuery::default()
        };
        // Nothing titled as typed: titles of the first category completion instead.
        let fallback = categories.first().map(|first| {
            let instead = text_query(&first.label);
            std::sync::Arc::new(move || vec![instead.clone()]) as ddhub_search::Fallbacks
        });
        let (mut result, rest) = run(&listing, &text_query(&typed), fallback).await?;
        if let Some((_, instead)) = rest.into_iter().next() {
            result = instead;
        }
        for hit in result.hits {
            if let Some(d) = hit.display
                && !titles
                    .iter()
                    .any(|t: &TitleCompletionView| t.title == d.title)
            {
                titles.push(TitleCompletionView {
                    style_id: hit.style_id,
                    title: d.title,
                });
            }
        }
    }
    Ok(SuggestView {
        q: typed,
        locale: locale.tag().to_string(),
        categories,
        colours,
        titles,
    })
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// ko, en, ja, zh-CN, zh-TW, vi or th; from Accept-Language, then English, when absent.
    pub locale: Option<String>,
    /// Currency of prices (default USD when a USD rate is set, else KRW).
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimilarView {
    pub style_id: i64,
    pub locale: String,
    pub currency: String,
    /// Same category (then its parent), close price, other wholesalers first.
    pub hits: Vec<HitView>,
}

/// Similar answers kept for the index generation they were found in (see
/// [`ddhub_search::SearchIndex::cache_generation`]): every style page shows them, and finding
/// them is up to three searches and a read of their hits. Written here rather than taken from a
/// cache crate because the one rule that matters is "everything goes when the generation
/// moves", which a TTL or LRU cache does not give.
#[derive(Debug, Default)]
pub struct SimilarCache {
    entries: std::sync::Mutex<(u64, HashMap<SimilarKey, SimilarView>)>,
}

/// Style, language, currency and the rate it was converted at.
type SimilarKey = (i64, Locale, ddhub_domain::Currency, i64);

/// Answers kept per generation; the cache starts afresh when full.
const SIMILAR_KEPT: usize = 8_192;

impl SimilarCache {
    fn get(&self, generation: u64, key: &SimilarKey) -> Option<SimilarView> {
        let entries = self.entries.lock().ok()?;
        if entries.0 != generation {
            return None;
        }
        entries.1.get(key).cloned()
    }

    fn put(&self, generation: u64, key: SimilarKey, view: SimilarView) {
        if let Ok(mut entries) = self.entries.lock() {
            // An answer found before the last commit is not worth keeping.
            if generation < entries.0 {
                return;
            }
            if entries.0 != generation || entries.1.len() >= SIMILAR_KEPT {
                entries.1.clear();
                entries.0 = generation;
            }
            entries.1.insert(key, view);
        }
    }
}

/// Similar styles shown per style.
pub const SIMILAR: usize = 8;

/// Styles like a listed one: same category and colours, close price, other wholesalers first
/// (a buyer comparing offers). Any backend: the candidates are ordinary searches.
pub async fn similar(
    app: &AppState,
    style_id: i64,
    locale: Locale,
    currency: Option<&str>,
) -> Result<SimilarView, AppError> {
    if app.search.is_none() {
        return Err(not_served());
    }
    let row = ddhub_store::catalog::listing_rows(&app.store, &[StyleId(style_id)])
        .await?
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)?;
    similar_of(app, &row, locale, currency).await
}

fn not_served() -> AppError {
    AppError::with_detail(ErrorCode::NotReady, "search is not served here")
}

/// [`similar`] for a style already read (the style page has its row).
pub async fn similar_of(
    app: &AppState,
    row: &ddhub_store::catalog::ListingRow,
    locale: Locale,
    currency: Option<&str>,
) -> Result<SimilarView, AppError> {
    let Some(listing) = app.search.clone() else {
        return Err(not_served());
    };
    let style_id = row.style.id.0;
    if row.style.state == ddhub_domain::style::StyleState::Archived {
        return Err(AppError::not_found());
    }
    let (currency, rate) = currency_and_rate(app, currency).await?;
    // The same style, language and prices give the same answer until the index changes.
    let generation = listing.index.cache_generation();
    let key = (style_id, locale, currency, rate.nanos);
    if let Some(generation) = generation
        && let Some(view) = listing.similar_cache.get(generation, &key)
    {
        return Ok(view);
    }
    let colours: Vec<String> = row.skus.iter().map(|s| s.colour.clone()).collect();
    let to = ddhub_search::similar::SimilarTo {
        style_id,
        wholesaler_id: row.wholesaler.id.0,
        category: row.style.category.clone(),
        price_krw: row.style.price.0,
        colour_families: ddhub_search::ListingDoc::colour_families_of(&colours),
    };
    let mut answers = Vec::new();
    let mut found = 0;
    for q in to.queries(locale) {
        // Narrower queries first; stop once there are enough other styles to choose from.
        if found > SIMILAR * 2 {
            break;
        }
        let hits = run(&listing, &q, None).await?.0.hits;
        found += hits.len();
        answers.push(hits);
    }
    let hits = to.rank(answers, SIMILAR);
    let view = SimilarView {
        style_id,
        locale: locale.tag().to_string(),
        currency: currency.code().to_string(),
        hits: hit_views(app, &listing, hits, &rate, locale).await?,
    };
    if let Some(generation) = generation {
        listing.similar_cache.put(generation, key, view.clone());
    }
    Ok(view)
}
