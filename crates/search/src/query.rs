//! The query and result model shared by every backend, with the limits a query must respect.

use ddhub_domain::Locale;
use ddhub_domain::measure::Measure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

/// Longest query text accepted, in characters (after trimming).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most whitespace-separated words in a query text.
pub const MAX_QUERY_TERMS: usize = 16;
/// Largest page size.
pub const MAX_PER_PAGE: u32 = 100;
/// Default page size.
pub const DEFAULT_PER_PAGE: u32 = 24;
/// Deepest result a query may page to (`page × per_page`), as Meilisearch's `maxTotalHits`.
pub const MAX_WINDOW: u32 = 10_000;
/// Most values in one filter list (colours, sizes …).
pub const MAX_FILTER_VALUES: usize = 50;

/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best text match first; newest first when there is no text or scores tie.
    #[default]
    Relevance,
    /// Newest `created_at` first.
    Newest,
    PriceAsc,
    PriceDesc,
}

/// A buyer's search. Prices are in won: the caller converts bounds in the buyer's currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// The language the query is written in and the titles are ranked in.
    pub locale: Locale,
    /// A category code: matches the category and every descendant.
    pub category: Option<String>,
    /// Colour families (`blue`); a style matches when it has any of them.
    pub colour_families: Vec<String>,
    /// Colour codes (`sky_blue`); a style matches when it has any of them.
    pub colours: Vec<String>,
    /// Size codes; a style matches when it has any of them.
    pub sizes: Vec<String>,
    pub price_min_krw: Option<i64>,
    pub price_max_krw: Option<i64>,
    pub moq_max: Option<u32>,
    pub same_day: Option<bool>,
    pub wholesaler: Option<i64>,
    pub sort: Sort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Also return sold-out and archived styles (left out by default).
    pub include_unavailable: bool,
    /// Measured-size ranges (실측); a style matches a range when any of its sizes does.
    #[serde(default)]
    pub measures: Vec<MeasureRange>,
}

/// A range of one measure, in millimetres (bounds included): `length ≥ 70 cm` is
/// `{length, min_mm: 700}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureRange {
    #[serde(with = "measure_key")]
    pub measure: Measure,
    pub min_mm: Option<u32>,
    pub max_mm: Option<u32>,
}

mod measure_key {
    use ddhub_domain::measure::Measure;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(m: &Measure, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(m.key())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Measure, D::Error> {
        let k = String::deserialize(d)?;
        Measure::from_key(&k).ok_or_else(|| serde::de::Error::custom(format!("measure {k:?}")))
    }
}

impl MeasureRange {
    /// `length:70..` (at least 70 cm), `chest_half:..55`, `waist:64..72.5`, `length:70`
    /// (exactly); cm, as buyers read them.
    pub fn parse(s: &str) -> Option<MeasureRange> {
        let (key, range) = s.trim().split_once(':')?;
        let measure = Measure::from_key(key.trim())?;
        let cm = |t: &str| -> Option<Option<u32>> {
            let t = t.trim();
            if t.is_empty() {
                return Some(None);
            }
            t.parse::<f64>()
                .ok()
                .and_then(ddhub_domain::measure::cm_to_mm)
                .map(Some)
        };
        let (min_mm, max_mm) = match range.split_once("..") {
            Some((lo, hi)) => (cm(lo)?, cm(hi)?),
            None => {
                let v = cm(range)?;
                (v, v)
            }
        };
        if min_mm.is_none() && max_mm.is_none() {
            return None;
        }
        Some(MeasureRange {
            measure,
            min_mm,
            max_mm,
        })
    }
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            q: None,
            locale: Locale::En,
            category: None,
            colour_families: Vec::new(),
            colours: Vec::new(),
            sizes: Vec::new(),
            price_min_krw: None,
            price_max_krw: None,
            moq_max: None,
            same_day: None,
            wholesaler: None,
            sort: Sort::Relevance,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            include_unavailable: false,
            measures: Vec::new(),
        }
    }
}

impl SearchQuery {
    /// A text query in a locale, other fields default.
    pub fn text(q: &str, locale: Locale) -> SearchQuery {
        SearchQuery {
            q: Some(q.to_string()),
            locale,
            ..SearchQuery::default()
        }
    }

    /// The query text after NFKC, control characters removed and whitespace collapsed;
    /// `None` when there is no text.
    pub fn normalized_text(&self) -> Result<Option<String>, QueryError> {
        let Some(raw) = self.q.as_deref() else {
            return Ok(None);
        };
        let cleaned: String = raw
            .nfkc()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        if words.is_empty() {
            return Ok(None);
        }
        let text = words.join(" ");
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                chars,
                max: MAX_QUERY_CHARS,
            });
        }
        if words.len() > MAX_QUERY_TERMS {
            return Err(QueryError::TooManyTerms {
                terms: words.len(),
                max: MAX_QUERY_TERMS,
            });
        }
        Ok(Some(text))
    }

    /// Checks paging, bounds and list sizes; backends call it before anything else.
    pub fn validate(&self) -> Result<(), QueryError> {
        self.normalized_text()?;
        if self.page == 0 {
            return Err(QueryError::BadPage);
        }
        if self.per_page == 0 || self.per_page > MAX_PER_PAGE {
            return Err(QueryError::BadPerPage {
                per_page: self.per_page,
                max: MAX_PER_PAGE,
            });
        }
        if u64::from(self.page) * u64::from(self.per_page) > u64::from(MAX_WINDOW) {
            return Err(QueryError::TooDeep { max: MAX_WINDOW });
        }
        if let (Some(lo), Some(hi)) = (self.price_min_krw, self.price_max_krw)
            && lo > hi
        {
            return Err(QueryError::BadPriceRange { min: lo, max: hi });
        }
        if [
            self.colour_families.len(),
            self.colours.len(),
            self.sizes.len(),
        ]
        .iter()
        .any(|&n| n > MAX_FILTER_VALUES)
        {
            return Err(QueryError::TooManyFilterValues {
                max: MAX_FILTER_VALUES,
            });
        }
        if self.measures.len() > Measure::ALL.len() {
            return Err(QueryError::TooManyFilterValues {
                max: Measure::ALL.len(),
            });
        }
        for r in &self.measures {
            if let (Some(lo), Some(hi)) = (r.min_mm, r.max_mm)
                && lo > hi
            {
                return Err(QueryError::BadCode(format!("{}:{lo}..{hi} mm", r.measure)));
            }
        }
        let codes = self
            .category
            .iter()
            .chain(&self.colour_families)
            .chain(&self.colours)
            .chain(&self.sizes);
        for code in codes {
            if code.is_empty()
                || code.len() > 64
                || code.chars().any(|c| c.is_control() || c == '"')
            {
                return Err(QueryError::BadCode(code.clone()));
            }
        }
        Ok(())
    }

    /// Index of the first hit.
    pub fn offset(&self) -> usize {
        (self.page.saturating_sub(1) as usize) * self.per_page as usize
    }
}

/// A query the engine refuses; the caller answers 400 with the code of [`QueryError::code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("query text has {chars} characters, at most {max} are allowed")]
    TooLong { chars: usize, max: usize },
    #[error("query text has {terms} words, at most {max} are allowed")]
    TooManyTerms { terms: usize, max: usize },
    #[error("page numbers start at 1")]
    BadPage,
    #[error("per_page {per_page} is outside 1..={max}")]
    BadPerPage { per_page: u32, max: u32 },
    #[error("results beyond the first {max} cannot be paged to")]
    TooDeep { max: u32 },
    #[error("price_min {min} is above price_max {max}")]
    BadPriceRange { min: i64, max: i64 },
    #[error("a filter list has more than {max} values")]
    TooManyFilterValues { max: usize },
    #[error("invalid filter code {0:?}")]
    BadCode(String),
}

impl QueryError {
    /// Stable snake_case code, also the key of the message in `locales/`.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::TooLong { .. } => "search_query_too_long",
            QueryError::TooManyTerms { .. } => "search_query_too_many_terms",
            QueryError::BadPage => "search_bad_page",
            QueryError::BadPerPage { .. } => "search_bad_per_page",
            QueryError::TooDeep { .. } => "search_too_deep",
            QueryError::BadPriceRange { .. } => "search_bad_price_range",
            QueryError::TooManyFilterValues { .. } => "search_too_many_filter_values",
            QueryError::BadCode(_) => "search_bad_filter_code",
        }
    }
}

/// One hit. `score` is the backend's relevance score for `Sort::Relevance` (comparable only
/// within one result), 0 for the other sorts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub style_id: i64,
    pub score: f32,
    /// What the storefront shows, as indexed (`None` when the index holds no display for it,
    /// say a Meilisearch index filled before displays were stored).
    #[serde(default)]
    pub display: Option<crate::doc::HitDisplay>,
}

/// A fixed price range in won: `min_krw <= price < max_krw` (`max_krw` `None`: no upper bound).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBucket {
    pub key: String,
    pub min_krw: i64,
    pub max_krw: Option<i64>,
    pub count: u64,
}

/// The fixed price buckets, in won: under 10,000; 10,000–20,000; 20,000–30,000; 30,000–50,000;
/// 50,000–100,000; 100,000 and more. Fixed so a facet means the same on every page and backend.
pub const PRICE_BUCKETS: [(&str, i64, Option<i64>); 6] = [
    ("lt_10000", 0, Some(10_000)),
    ("10000_20000", 10_000, Some(20_000)),
    ("20000_30000", 20_000, Some(30_000)),
    ("30000_50000", 30_000, Some(50_000)),
    ("50000_100000", 50_000, Some(100_000)),
    ("gte_100000", 100_000, None),
];

/// Index into [`PRICE_BUCKETS`] of a price (negative prices count as the first bucket).
pub fn price_bucket_index(price_krw: i64) -> usize {
    PRICE_BUCKETS
        .iter()
        .position(|(_, _, max)| max.is_none_or(|m| price_krw < m))
        .unwrap_or(PRICE_BUCKETS.len() - 1)
}

/// Key of the bucket a price falls in.
pub fn price_bucket_key(price_krw: i64) -> &'static str {
    PRICE_BUCKETS[price_bucket_index(price_krw)].0
}

/// Counts of `same_day` values among the matches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameDayFacet {
    #[serde(rename = "true")]
    pub yes: u64,
    #[serde(rename = "false")]
    pub no: u64,
}

/// Counts over every match of the query and its filters (not only the page). A category count
/// includes its descendants: a cardigan counts for `tops/knit/cardigan`, `tops/knit` and `tops`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub category: BTreeMap<String, u64>,
    /// By colour family.
    pub colour: BTreeMap<String, u64>,
    pub size: BTreeMap<String, u64>,
    /// Every bucket of [`PRICE_BUCKETS`], in that order, zero counts included.
    pub price: Vec<PriceBucket>,
    pub same_day: SameDayFacet,
}

impl Facets {
    /// Price buckets from counts in [`PRICE_BUCKETS`] order.
    pub fn price_from_counts(counts: [u64; 6]) -> Vec<PriceBucket> {
        PRICE_BUCKETS
            .iter()
            .zip(counts)
            .map(|((key, min, max), count)| PriceBucket {
                key: (*key).to_string(),
                min_krw: *min,
                max_krw: *max,
                count,
            })
            .collect()
    }
}

/// The answer to a [`SearchQuery`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Matches in all, not only this page.
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    pub took_ms: u64,
}
