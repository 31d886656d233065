//! The buyer storefront: search with facets at `/`, a style at `/styles/{id}`.
//!
//! The search form is a plain GET form over the search API's own parameters, so a page works
//! without JavaScript and its URL can be shared; `storefront.js` submits it as the buyer types
//! and swaps in the results fragment (`partial=results`).

use super::{Ui, asset_url, error_page, format_price, query_string, render};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::negotiate_locale;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ddhub_app::AppState;
use ddhub_app::services::search::{SearchParams, SearchView, execute};
use ddhub_domain::catalog;
use ddhub_domain::{Currency, Krw, Locale, RoundingRule, StyleId};
use ddhub_store::photos::PhotoRecord;
use std::collections::HashMap;

/// Results per page.
const PER_PAGE: u32 = 24;

/// Each language by its own name, for the switch.
const LANGUAGES: [(&str, &str); 7] = [
    ("en", "English"),
    ("ja", "日本語"),
    ("zh-CN", "简体中文"),
    ("zh-TW", "繁體中文"),
    ("vi", "Tiếng Việt"),
    ("th", "ไทย"),
    ("ko", "한국어"),
];

/// A language's own name.
pub fn language_name(tag: &str) -> &'static str {
    LANGUAGES
        .iter()
        .find(|(t, _)| *t == tag)
        .map_or("", |(_, n)| *n)
}

/// The buyer's usual currency in each language, used when it has a rate and none is chosen.
fn home_currency(locale: Locale) -> Currency {
    match locale {
        Locale::Ko => Currency::Krw,
        Locale::Ja => Currency::Jpy,
        Locale::ZhCn => Currency::Cny,
        Locale::ZhTw => Currency::Twd,
        Locale::Vi => Currency::Vnd,
        Locale::Th => Currency::Thb,
        Locale::En => Currency::Usd,
    }
}

/// A choice in a select or a facet list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

/// A colour family with its swatch.
pub struct Swatch {
    pub value: String,
    pub label: String,
    pub hex: String,
    pub count: u64,
    pub selected: bool,
}

/// An image with its responsive sources (normalised variants).
pub struct Picture {
    pub src: String,
    pub srcset_jpeg: String,
    pub srcset_webp: String,
    pub width: u32,
    pub height: u32,
}

impl Picture {
    /// From a photo's variants (`thumb`, `medium`, `large`; JPEG and WebP each); none when the
    /// photo has no JPEG variant to fall back on.
    fn from_photo(p: &PhotoRecord, media_base: &str, preferred: &str) -> Option<Picture> {
        let of = |format: &str| {
            let mut v: Vec<_> = p
                .variants
                .iter()
                .filter(|v| {
                    v.format == format && ["thumb", "medium", "large"].contains(&v.name.as_str())
                })
                .collect();
            v.sort_by_key(|v| v.width);
            v
        };
        let jpeg = of("jpeg");
        let webp = of("webp");
        let main = jpeg.iter().find(|v| v.name == preferred).or(jpeg.first())?;
        let set = |vs: &[&ddhub_store::photos::StoredVariant]| {
            vs.iter()
                .map(|v| format!("{media_base}/{} {}w", v.key, v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(Picture {
            src: format!("{media_base}/{}", main.key),
            srcset_jpeg: set(&jpeg),
            srcset_webp: set(&webp),
            width: main.width,
            height: main.height,
        })
    }
}

/// One result in the grid.
pub struct Card {
    pub href: String,
    pub title: String,
    pub price: String,
    pub wholesaler: String,
    pub picture: Option<Picture>,
}

#[derive(Template)]
#[template(path = "storefront.html")]
pub struct StorefrontPage {
    pub ui: Ui,
    pub css: String,
    pub js: String,
    pub q: String,
    pub lang: String,
    pub currency: String,
    pub languages: Vec<Choice>,
    pub currencies: Vec<Choice>,
    pub results: Results,
}

#[derive(Template)]
#[template(path = "results.html")]
pub struct Results {
    pub ui: Ui,
    pub total: u64,
    /// `14 styles`, `상품 14개`, `1.234 sản phẩm`: the count in the language's word order
    /// and CLDR digits.
    pub count_text: String,
    /// A page past the last one: said so, with the way back to the first.
    pub past_end: Option<String>,
    pub cards: Vec<Card>,
    pub categories: Vec<Choice>,
    pub swatches: Vec<Swatch>,
    pub sizes: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub same_day: bool,
    pub same_day_count: u64,
    pub price_min: String,
    pub price_max: String,
    pub currency: String,
    pub page: u32,
    pub pages: u32,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub error: Option<String>,
    /// A corrected query that finds styles (text, link), when nothing matched.
    pub did_you_mean: Option<(String, String)>,
    /// The newest styles, shown when nothing matched.
    pub newest: Vec<Card>,
}

/// The storefront's query: the search API's parameters, with facets that may repeat.
#[derive(Debug, Default, Clone)]
struct StoreQuery {
    q: String,
    locale: String,
    currency: String,
    category: String,
    colours: Vec<String>,
    sizes: Vec<String>,
    price_min: String,
    price_max: String,
    same_day: bool,
    sort: String,
    page: u32,
    partial: bool,
}

impl StoreQuery {
    fn parse(raw: Option<&str>) -> StoreQuery {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
        let mut q = StoreQuery {
            page: 1,
            ..Default::default()
        };
        for (k, v) in pairs {
            // Bounded: a URL never carries more than a few kilobytes of these.
            let v: String = v.trim().chars().take(200).collect();
            match k.as_str() {
                "q" => q.q = v,
                "locale" => q.locale = v,
                "currency" => q.currency = v,
                "category" => q.category = v,
                "colour" if !v.is_empty() && q.colours.len() < 50 => q.colours.push(v),
                "size" if !v.is_empty() && q.sizes.len() < 50 => q.sizes.push(v),
                "price_min" => q.price_min = v,
                "price_max" => q.price_max = v,
                "same_day" => q.same_day = matches!(v.as_str(), "1" | "true" | "on"),
                "sort" => q.sort = v,
                "page" => q.page = v.parse().unwrap_or(1).clamp(1, 1000),
                "partial" => q.partial = v == "results",
                _ => {}
            }
        }
        q
    }

    /// This query in the page's resolved language and currency.
    fn in_terms(&self, locale: Locale, currency: Currency) -> StoreQuery {
        StoreQuery {
            locale: locale.tag().to_string(),
            currency: currency.code().to_string(),
            ..self.clone()
        }
    }

    /// The pairs of a link to this query with `page`.
    fn pairs(&self, page: u32) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("q", self.q.clone()),
            ("locale", self.locale.clone()),
            ("currency", self.currency.clone()),
            ("category", self.category.clone()),
        ];
        p.extend(self.colours.iter().map(|c| ("colour", c.clone())));
        p.extend(self.sizes.iter().map(|c| ("size", c.clone())));
        p.extend([
            ("price_min", self.price_min.clone()),
            ("price_max", self.price_max.clone()),
            (
                "same_day",
                if self.same_day {
                    "1".into()
                } else {
                    String::new()
                },
            ),
            ("sort", self.sort.clone()),
        ]);
        if page > 1 {
            p.push(("page", page.to_string()));
        }
        p
    }
}

/// The language and currency of a page: the query's, else the browser's language and that
/// language's usual currency when it has a rate, else USD, else won.
async fn language_and_currency(
    app: &AppState,
    headers: &HeaderMap,
    locale: &str,
    currency: &str,
) -> Result<(Locale, Currency, Vec<Currency>), ApiError> {
    let locale = Locale::from_tag(locale).unwrap_or_else(|| negotiate_locale(headers));
    let mut rated: Vec<Currency> = ddhub_store::rates::list_rates(&app.store)
        .await?
        .into_iter()
        .map(|r| r.currency)
        .collect();
    if !rated.contains(&Currency::Krw) {
        rated.insert(0, Currency::Krw);
    }
    let chosen = currency
        .parse::<Currency>()
        .ok()
        .filter(|c| rated.contains(c));
    let currency = chosen
        .or(Some(home_currency(locale)).filter(|c| rated.contains(c)))
        .or(Some(Currency::Usd).filter(|c| rated.contains(c)))
        .unwrap_or(Currency::Krw);
    Ok((locale, currency, rated))
}

fn choices_from(
    counts: &std::collections::BTreeMap<String, u64>,
    selected: &[String],
    label: impl Fn(&str) -> String,
) -> Vec<Choice> {
    counts
        .iter()
        .map(|(value, count)| Choice {
            value: value.clone(),
            label: label(value),
            count: *count,
            selected: selected.contains(value),
        })
        .collect()
}

/// What the page says of a search it could not run, wholly in the buyer's language: the
/// search layer's detail is English (for API callers), so outside English the page names the
/// buyer's own typing (a price box) or says the search could not run, never an English tail.
fn query_problem(sq: &StoreQuery, e: &ddhub_app::AppError, ui: Ui) -> String {
    let not_amount = |t: &str| {
        let t = t.trim();
        !t.is_empty() && ddhub_domain::money::parse_fixed(t, 2).is_none()
    };
    if let Some(bad) = [&sq.price_min, &sq.price_max]
        .into_iter()
        .find(|t| not_amount(t))
    {
        let bad = bad.trim();
        // Korean takes 은/는 by the word's last sound; the other languages ignore the slot.
        return ui.t("bad_price").replace("%{value}", bad).replace(
            "%{eun}",
            ddhub_ingest::particle(bad, ddhub_ingest::Josa::EunNeun),
        );
    }
    if ui.lang == "en" {
        crate::error::message(e, ui.lang, "-")
    } else {
        ui.t("bad_search")
    }
}

/// `GET /`: the storefront search page, or its results fragment (`partial=results`).
pub async fn index(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let sq = StoreQuery::parse(raw.as_deref());
    let (locale, currency, rated) =
        match language_and_currency(&app, &headers, &sq.locale, &sq.currency).await {
            Ok(v) => v,
            Err(e) => return error_page(&e, negotiate_locale(&headers).tag(), "/"),
        };
    let ui = Ui { lang: locale.tag() };
    let params = SearchParams {
        q: Some(sq.q.clone()).filter(|q| !q.is_empty()),
        locale: Some(locale.tag().to_string()),
        currency: Some(currency.code().to_string()),
        category: Some(sq.category.clone()).filter(|c| !c.is_empty()),
        colour: Some(sq.colours.join(",")).filter(|c| !c.is_empty()),
        size: Some(sq.sizes.join(",")).filter(|c| !c.is_empty()),
        price_min: Some(sq.price_min.clone()).filter(|c| !c.is_empty()),
        price_max: Some(sq.price_max.clone()).filter(|c| !c.is_empty()),
        same_day: sq.same_day.then_some(true),
        sort: Some(sq.sort.clone()).filter(|c| !c.is_empty()),
        page: Some(sq.page),
        per_page: Some(PER_PAGE),
        ..Default::default()
    };
    // A bad price bound or sort is the buyer's typing: show it on the page, not an error page.
    let (view, error) = match execute(&app, &params, locale).await {
        Ok(v) => (Some(v), None),
        Err(e) if e.code == ErrorCode::InvalidQuery => (None, Some(query_problem(&sq, &e, ui))),
        Err(e) => return error_page(&e, locale.tag(), "/"),
    };
    // Links and the form keep the resolved language and currency.
    let sq = sq.in_terms(locale, currency);
    let results = match build_results(&app, ui, &sq, locale, currency, view, error).await {
        Ok(r) => r,
        Err(e) => return error_page(&e, locale.tag(), "/"),
    };
    if sq.partial {
        return render(&results);
    }
    let page = StorefrontPage {
        ui,
        css: asset_url("pages.css"),
        js: asset_url("storefront.js"),
        q: sq.q.clone(),
        lang: locale.tag().to_string(),
        currency: currency.code().to_string(),
        languages: language_choices(locale),
        currencies: currency_choices(&rated, currency),
        results,
    };
    render(&page)
}

/// The language menu of a page.
fn language_choices(locale: Locale) -> Vec<Choice> {
    LANGUAGES
        .iter()
        .map(|(tag, name)| Choice {
            value: tag.to_string(),
            label: name.to_string(),
            count: 0,
            selected: *tag == locale.tag(),
        })
        .collect()
}

/// The currency menu of a page: the currencies with a rate.
fn currency_choices(rated: &[Currency], currency: Currency) -> Vec<Choice> {
    rated
        .iter()
        .map(|c| Choice {
            value: c.code().to_string(),
            label: c.code().to_string(),
            count: 0,
            selected: *c == currency,
        })
        .collect()
}

async fn build_results(
    app: &AppState,
    ui: Ui,
    sq: &StoreQuery,
    locale: Locale,
    currency: Currency,
    view: Option<SearchView>,
    error: Option<String>,
) -> Result<Results, ApiError> {
    let media_base = app.config.media_base_url();
    let (total, hits, facets, did_you_mean, newest) = match view {
        Some(v) => (v.total, v.hits, Some(v.facets), v.did_you_mean, v.newest),
        None => (0, Vec::new(), None, None, Vec::new()),
    };
    let ids: Vec<StyleId> = hits
        .iter()
        .chain(&newest)
        .map(|h| StyleId(h.style_id))
        .collect();
    let photos = ddhub_store::photos::ready_for_styles(&app.store, &ids).await?;
    // A style's link carries the whole search (query, filters, sort, page, language, currency)
    // so that its page leads back to exactly these results (issue 21, item 3).
    // (`sq` carries the resolved language and currency already: `storefront_page`.)
    let style_query = query_string(&sq.pairs(sq.page));
    let card = |h: ddhub_app::services::search::HitView| Card {
        href: format!("/styles/{}?{style_query}", h.style_id),
        picture: photos
            .get(&h.style_id)
            .and_then(|p| p.first())
            .and_then(|p| Picture::from_photo(p, &media_base, "medium")),
        title: h.title,
        price: format_price(&h.price.amount, &h.price.currency, locale),
        wholesaler: card_wholesaler(locale, h.wholesaler.name),
    };
    let cards: Vec<Card> = hits.into_iter().map(&card).collect();
    let newest = newest.into_iter().map(&card).collect();
    let did_you_mean = did_you_mean.map(|text| {
        let mut corrected = sq.clone();
        corrected.q = text.clone();
        let href = format!("/?{}", query_string(&corrected.pairs(1)));
        (text, href)
    });
    let (categories, swatches, sizes, same_day_count) = match &facets {
        Some(f) => {
            let mut categories =
                choices_from(&f.category, std::slice::from_ref(&sq.category), |c| {
                    catalog::categories()
                        .get(c)
                        .map_or(c.to_string(), |x| x.labels.get(locale).to_string())
                });
            // The facet counts every level; the select lists the chosen one even at zero.
            if !sq.category.is_empty() && !categories.iter().any(|c| c.selected) {
                categories.push(Choice {
                    value: sq.category.clone(),
                    label: catalog::categories()
                        .get(&sq.category)
                        .map_or(sq.category.clone(), |x| x.labels.get(locale).to_string()),
                    count: 0,
                    selected: true,
                });
            }
            let swatches = f
                .colour
                .iter()
                .map(|(family, count)| {
                    let colours = catalog::colours();
                    let own = colours
                        .get(family)
                        .or_else(|| colours.all().iter().find(|c| c.family == family));
                    Swatch {
                        value: family.clone(),
                        label: own.map_or(family.clone(), |c| c.labels.get(locale).to_string()),
                        hex: own.map_or("#888888".into(), |c| c.hex.to_string()),
                        count: *count,
                        selected: sq.colours.contains(family),
                    }
                })
                .collect();
            let mut sizes = choices_from(&f.size, &sq.sizes, |s| {
                catalog::sizes()
                    .get(s)
                    .map_or(s.to_string(), |x| x.labels.get(locale).to_string())
            });
            sizes.sort_by_key(|c| catalog::size_order(&c.value));
            let same_day = f.same_day.get("true").copied().unwrap_or(0);
            (categories, swatches, sizes, same_day)
        }
        None => Default::default(),
    };
    let sorts = ["relevance", "newest", "price_asc", "price_desc"]
        .iter()
        .map(|s| Choice {
            value: s.to_string(),
            label: ui.t(&format!("sort_{s}")),
            count: 0,
            selected: sq.sort == *s || (sq.sort.is_empty() && *s == "relevance"),
        })
        .collect();
    let pages = u32::try_from(total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .min(1000);
    let href = |page: u32| format!("/?{}", query_string(&sq.pairs(page)));
    let past_end = (cards.is_empty() && total > 0).then(|| href(1));
    Ok(Results {
        ui,
        count_text: ui
            .t("results_count")
            .replace("{n}", &super::format_count(total, locale)),
        past_end,
        total,
        cards,
        categories,
        swatches,
        sizes,
        sorts,
        same_day: sq.same_day,
        same_day_count,
        price_min: sq.price_min.clone(),
        price_max: sq.price_max.clone(),
        currency: currency.code().to_string(),
        page: sq.page,
        pages,
        prev_href: (sq.page > 1).then(|| href(sq.page - 1)),
        next_href: (sq.page < pages).then(|| href(sq.page + 1)),
        error,
        did_you_mean,
        newest,
    })
}

/// One row of the size conversion table.
pub struct SizeRow {
    pub label: String,
    pub alpha: String,
    pub jp: String,
    pub eu: String,
    pub us: String,
}

#[derive(Template)]
#[template(path = "style.html")]
pub struct StylePage {
    pub ui: Ui,
    pub css: String,
    pub lang: String,
    /// The search the buyer came from (query, filters, page), to go back to.
    pub back: String,
    pub style_id: i64,
    pub languages: Vec<Choice>,
    pub currencies: Vec<Choice>,
    /// The search context as hidden fields of the language and currency menus.
    pub context: Vec<(String, String)>,
    pub title: String,
    pub title_ko: String,
    pub style_code: String,
    pub price: String,
    pub moq: u32,
    pub same_day: bool,
    pub wholesaler: String,
    pub category: String,
    pub colours: Vec<String>,
    pub attributes: Vec<String>,
    /// The wholesaler's own description: translated into the page's language (`false`), or
    /// the Korean original, marked as such (`true`).
    pub own_description: Option<(String, bool)>,
    pub sizes: Vec<SizeRow>,
    pub pictures: Vec<Picture>,
    /// Measured sizes (실측), when the wholesaler gave them.
    pub measured: Option<super::measured::MeasuredTable>,
    /// The delivered price to the buyer's country (line, note), when it can be estimated.
    pub landed: Option<(String, String)>,
    /// Similar styles (same category and colours, close price, other wholesalers first).
    pub similar: Vec<Card>,
    /// The colour × size picker (`buyer::picker`), rendered.
    pub picker: String,
    pub buyer_css: String,
}

/// `GET /styles/{id}`: a listed style in the buyer's language and currency.
pub async fn style_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let sq = StoreQuery::parse(raw.as_deref());
    let fallback_lang = Locale::from_tag(&sq.locale)
        .unwrap_or_else(|| negotiate_locale(&headers))
        .tag();
    let added = raw
        .as_deref()
        .is_some_and(|r| r.split('&').any(|p| p == "added=1"));
    let picker = super::buyer::PickerState {
        added,
        ..Default::default()
    };
    match style_view(&app, &headers, id, &sq, picker).await {
        Ok(page) => render(&page),
        Err(e) => error_page(&e, fallback_lang, "/"),
    }
}

/// The style page again after the picker's quantities were refused (422, with the problems).
pub async fn style_with_picker(
    app: &AppState,
    headers: &HeaderMap,
    id: i64,
    locale: Locale,
    picker: super::buyer::PickerState,
) -> Response {
    let sq = StoreQuery {
        locale: locale.tag().to_string(),
        ..Default::default()
    };
    match style_view(app, headers, Ok(Path(id)), &sq, picker).await {
        Ok(page) => {
            let mut res = render(&page);
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_page(&e, locale.tag(), "/"),
    }
}

async fn style_view(
    app: &AppState,
    headers: &HeaderMap,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    sq: &StoreQuery,
    picker: super::buyer::PickerState,
) -> Result<StylePage, ApiError> {
    let Path(id) = id?;
    let (locale, currency, rated) =
        language_and_currency(app, headers, &sq.locale, &sq.currency).await?;
    // The search this page was opened from, in the page's language and currency.
    let ctx = sq.in_terms(locale, currency);
    let row = ddhub_store::catalog::listing_rows(&app.store, &[StyleId(id)])
        .await?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)?;
    // Only what search lists is public: an archived style is gone for buyers.
    if row.style.state == ddhub_domain::style::StyleState::Archived {
        return Err(ApiError::not_found());
    }
    let ui = Ui { lang: locale.tag() };
    let fields = if locale == Locale::Ko {
        Vec::new()
    } else {
        ddhub_store::translations::for_style(&app.store, row.style.id, Some(locale)).await?
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|t| t.field == name)
            .map(|t| t.value.clone())
    };
    let title = if locale == Locale::Ko {
        row.style.title_ko.clone()
    } else {
        field("title").unwrap_or_else(|| match &app.search {
            Some(l) => {
                ddhub_translate::translate_title(&l.glossary(), &row.style.title_ko, locale).title
            }
            None => row.style.title_ko.clone(),
        })
    };
    let rate = ddhub_store::rates::get_rate_cached(&app.store, currency).await?;
    let price = match rate {
        Some(rate) => {
            let m = rate
                .convert(Krw(row.style.price.0), 0, RoundingRule::None)
                .map_err(ApiError::internal)?;
            format_price(&m.decimal(), currency.code(), locale)
        }
        None => format_price(&row.style.price.0.to_string(), "KRW", locale),
    };
    let mut colours: Vec<String> = Vec::new();
    let mut size_codes: Vec<String> = Vec::new();
    for sku in &row.skus {
        let c = catalog::colours()
            .get(&sku.colour)
            .map_or(sku.colour.clone(), |c| c.labels.get(locale).to_string());
        if !colours.contains(&c) {
            colours.push(c);
        }
        if !size_codes.contains(&sku.size) {
            size_codes.push(sku.size.clone());
        }
    }
    size_codes.sort_by_key(|s| catalog::size_order(s));
    let sizes = size_codes
        .iter()
        .map(|code| match catalog::sizes().get(code) {
            Some(s) => SizeRow {
                label: s.labels.get(locale).to_string(),
                alpha: s.alpha.unwrap_or("—").to_string(),
                jp: s.jp.unwrap_or("—").to_string(),
                eu: s.eu.unwrap_or("—").to_string(),
                us: s.us.unwrap_or("—").to_string(),
            },
            None => SizeRow {
                label: code.clone(),
                alpha: "—".into(),
                jp: "—".into(),
                eu: "—".into(),
                us: "—".into(),
            },
        })
        .collect();
    let measured = super::measured::table(
        &ui,
        locale,
        &ddhub_store::measurements::of_style(&app.store, row.style.id).await?,
        super::measured::wants_inches(headers, locale, currency),
    );
    let landed = super::measured::landed_line(app, &ui, &row.style, currency).await;
    let picker = super::buyer::picker(app, headers, &row, locale, picker).await?;
    let media_base = app.config.media_base_url();
    let similar = similar_hits(app, &row, locale, currency).await;
    // The style's photos and its similar styles' in one read.
    let mut photo_of: Vec<StyleId> = vec![row.style.id];
    photo_of.extend(similar.iter().map(|h| StyleId(h.style_id)));
    let photos = ddhub_store::photos::ready_for_styles(&app.store, &photo_of).await?;
    let pictures = photos
        .get(&row.style.id.0)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| Picture::from_photo(p, &media_base, "large"))
        .collect();
    let similar = similar_cards(similar, &photos, &media_base, locale, currency);
    let back = format!("/?{}", query_string(&ctx.pairs(ctx.page)));
    // The language and currency menus resend the search context with the new choice.
    let context = ctx
        .pairs(ctx.page)
        .into_iter()
        .filter(|(k, v)| *k != "locale" && *k != "currency" && !v.is_empty())
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Ok(StylePage {
        ui,
        css: asset_url("pages.css"),
        lang: locale.tag().to_string(),
        back,
        style_id: id,
        languages: language_choices(locale),
        currencies: currency_choices(&rated, currency),
        context,
        title,
        title_ko: row.style.title_ko.clone(),
        style_code: row.style.style_code.clone(),
        price,
        moq: row.style.moq.0,
        same_day: row.style.same_day_dispatch,
        wholesaler: wholesaler_label(locale, &row.wholesaler),
        category: catalog::categories()
            .get(&row.style.category)
            .map_or(row.style.category.clone(), |c| {
                c.labels.get(locale).to_string()
            }),
        colours,
        attributes: field("attributes")
            .map(|a| {
                a.lines()
                    .map(str::to_string)
                    .filter(|l| !l.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        own_description: own_description(&row.style, &fields, locale),
        sizes,
        pictures,
        measured,
        landed,
        similar,
        picker,
        buyer_css: asset_url("buyer.css"),
    })
}

/// The wholesaler as a buyer reads it: in Latin letters beside the Hangul for every language
/// but Korean (`Miso Niteu (미소니트) · Cheongpyeonghwa 2F B-12`), so a buyer can say and
/// write it, and a market porter can still match the sign.
fn wholesaler_label(locale: Locale, w: &ddhub_domain::wholesaler::Wholesaler) -> String {
    if locale == Locale::Ko {
        return format!("{} · {}", w.name, w.location.display_ko());
    }
    let name = match ddhub_translate::romanize::latin_name(&w.name) {
        Some(latin) => format!("{latin} ({})", w.name),
        None => w.name.clone(),
    };
    let l = &w.location;
    let building =
        ddhub_translate::romanize::latin_name(&l.building).unwrap_or_else(|| l.building.clone());
    let floor = l.floor.trim_end_matches('층');
    let floor = if floor.starts_with('B') {
        floor.to_string()
    } else {
        format!("{floor}F")
    };
    format!("{name} · {building} {floor} {}", l.unit)
}

/// A result card's wholesaler: its name in Latin letters outside Korean pages.
pub(crate) fn card_wholesaler(locale: Locale, name: String) -> String {
    if locale == Locale::Ko {
        return name;
    }
    ddhub_translate::romanize::latin_name(&name).unwrap_or(name)
}

/// The wholesaler's own description for this page: its translation when one was made (by a
/// provider or by the wholesaler in the console), else the Korean original, marked.
fn own_description(
    style: &ddhub_domain::style::Style,
    fields: &[ddhub_store::translations::Translation],
    locale: Locale,
) -> Option<(String, bool)> {
    let korean = style
        .description_ko
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())?;
    if locale == Locale::Ko {
        return Some((korean.to_string(), false));
    }
    let translated = fields.iter().find(|t| {
        t.field == "free_text" && t.review != "untranslated" && !t.value.trim().is_empty()
    });
    Some(match translated {
        Some(t) => (t.value.clone(), false),
        None => (korean.to_string(), true),
    })
}

/// The style page's similar styles; none when search is not served here or fails (the page
/// stands without them).
async fn similar_hits(
    app: &AppState,
    row: &ddhub_store::catalog::ListingRow,
    locale: Locale,
    currency: Currency,
) -> Vec<ddhub_app::services::search::HitView> {
    let similar = ddhub_app::services::search::similar_of(app, row, locale, Some(currency.code()));
    match similar.await {
        Ok(v) => v.hits,
        Err(e) => {
            tracing::debug!(error = %e, style = row.style.id.0, "no similar styles");
            Vec::new()
        }
    }
}

/// Similar styles as cards, with their photos among `photos`.
fn similar_cards(
    hits: Vec<ddhub_app::services::search::HitView>,
    photos: &HashMap<i64, Vec<PhotoRecord>>,
    media_base: &str,
    locale: Locale,
    currency: Currency,
) -> Vec<Card> {
    let style_query = query_string(&[
        ("locale", locale.tag().to_string()),
        ("currency", currency.code().to_string()),
    ]);
    hits.into_iter()
        .map(|h| Card {
            href: format!("/styles/{}?{style_query}", h.style_id),
            picture: photos
                .get(&h.style_id)
                .and_then(|p| p.first())
                .and_then(|p| Picture::from_photo(p, media_base, "medium")),
            title: h.title,
            price: format_price(&h.price.amount, &h.price.currency, locale),
            wholesaler: card_wholesaler(locale, h.wholesaler.name),
        })
        .collect()
}
