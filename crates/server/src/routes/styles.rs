//! A wholesaler's own styles. Tenancy: every query is scoped to the key's wholesaler, and
//! another wholesaler's style answers 404 exactly like a missing one.

use crate::api_json::ApiJson;
use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Path, Query, State};
use ddhub_app::AppState;
use ddhub_domain::measure::SizeMeasurements;
use ddhub_domain::style::{CompositionPart, Quantity, Sku, StockState, Style, StyleState};
use ddhub_domain::style_rules::{self, StyleFacts};
use ddhub_domain::{Krw, StyleId};
use ddhub_store::catalog::{StyleInput, UpsertOutcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_styles))
        .routes(routes!(get_style))
        .routes(routes!(put_style))
}

/// Largest page a client may ask for.
const MAX_PER_PAGE: u64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `active`, `sold_out` or `archived`; every state when absent.
    pub state: Option<String>,
    /// Page number from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Styles per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompositionView {
    pub material: String,
    pub percent: u8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkuView {
    pub id: i64,
    pub colour: String,
    pub size: String,
    /// `in_stock`, `backorder` or `sold_out`.
    pub stock: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StyleView {
    pub id: i64,
    pub style_code: String,
    pub title_ko: String,
    pub category: String,
    /// Wholesale price in won.
    pub price_krw: i64,
    pub moq: u32,
    pub composition: Vec<CompositionView>,
    pub origin: Option<String>,
    pub season: Option<String>,
    pub same_day_dispatch: bool,
    pub description_ko: Option<String>,
    /// The style's own weight in grams, when given.
    pub weight_grams: Option<u32>,
    /// The weight it ships with: its own, or its category's default (`estimated`).
    pub shipping_weight: ShippingWeightView,
    /// `active`, `sold_out` or `archived`.
    pub state: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    /// Present on the single-style view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skus: Option<Vec<SkuView>>,
    /// Present on the single-style view: photos in display order with every variant's URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<ddhub_app::services::photos::PhotoView>>,
    /// Present on the single-style view: measured sizes (실측) in cm, one entry per size;
    /// `_half` keys are flat (단면) measures. Absent measures are left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<MeasurementView>>)]
    pub measurements: Option<Vec<SizeMeasurements>>,
    /// The model's fit note (`모델 168cm 55 착용`), on the single-style view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit_note: Option<String>,
    /// On the single-style view once a photo was normalised: the photos' dominant colours
    /// against the declared colours (CIEDE2000), with each warning's distance and threshold.
    /// Warnings only; nothing is blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour_check: Option<ddhub_app::services::colour_check::ColourCheckView>,
}

/// One size's measured sizes in cm (the schema of `measurements`; absent keys left out).
#[allow(dead_code)] // documents the JSON shape of `ddhub_domain::measure::SizeMeasurements`
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasurementView {
    /// The size code (`s`, `55`, `free`) or the size as the sheet wrote it.
    pub size: String,
    pub shoulder: Option<f64>,
    /// Across the chest laid flat (가슴단면): half the circumference.
    pub chest_half: Option<f64>,
    pub chest: Option<f64>,
    pub length: Option<f64>,
    pub sleeve: Option<f64>,
    pub waist_half: Option<f64>,
    pub waist: Option<f64>,
    pub hip_half: Option<f64>,
    pub thigh: Option<f64>,
    pub rise: Option<f64>,
    pub hem: Option<f64>,
}

/// A shipping weight and whether it is the category's estimate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShippingWeightView {
    pub grams: u32,
    pub estimated: bool,
}

impl StyleView {
    fn from_domain(s: Style, skus: Option<Vec<Sku>>) -> Self {
        let weight = ddhub_domain::weights::shipping_weight(s.weight_grams, &s.category);
        StyleView {
            id: s.id.0,
            style_code: s.style_code,
            title_ko: s.title_ko,
            category: s.category,
            price_krw: s.price.0,
            moq: s.moq.0,
            composition: s
                .composition
                .into_iter()
                .map(|c| CompositionView {
                    material: c.material,
                    percent: c.percent,
                })
                .collect(),
            origin: s.origin,
            season: s.season,
            same_day_dispatch: s.same_day_dispatch,
            description_ko: s.description_ko,
            weight_grams: s.weight_grams,
            shipping_weight: ShippingWeightView {
                grams: weight.grams,
                estimated: weight.estimated,
            },
            state: s.state.as_str().to_string(),
            created_at: s.created_at.0,
            updated_at: s.updated_at.0,
            skus: skus.map(|v| {
                v.into_iter()
                    .map(|k| SkuView {
                        id: k.id.0,
                        colour: k.colour,
                        size: k.size,
                        stock: k.stock.as_str().to_string(),
                    })
                    .collect()
            }),
            photos: None,
            measurements: None,
            fit_note: None,
            colour_check: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StyleList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub styles: Vec<StyleView>,
}

/// The calling wholesaler's styles, most recently changed first.
#[utoipa::path(get, path = "/api/v1/styles", tag = "styles",
    params(ListQuery),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "One page of styles", body = StyleList)
    ))]
async fn list_styles(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<StyleList>, ApiError> {
    let Query(q) = query?;
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<StyleState>().map_err(|_| {
            ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "state must be active, sold_out or archived",
            )
        })?),
    };
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(50);
    if page == 0 || page > 1_000_000 {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            "page must be between 1 and 1000000",
        ));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            format!("per_page must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    let result =
        ddhub_store::catalog::list_styles(&app.store, wholesaler, state, page - 1, per_page)
            .await?;
    Ok(Json(StyleList {
        total: result.total,
        page,
        per_page,
        styles: result
            .styles
            .into_iter()
            .map(|s| StyleView::from_domain(s, None))
            .collect(),
    }))
}

/// One of the calling wholesaler's styles with its SKUs. Another wholesaler's style is 404.
#[utoipa::path(get, path = "/api/v1/styles/{id}", tag = "styles",
    params(("id" = i64, Path, description = "Style id")),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The style", body = StyleView),
        (status = 404, description = "No such style for this wholesaler", body = ErrorBody)
    ))]
async fn get_style(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<StyleView>, ApiError> {
    // A non-numeric id names no style: the same 404 as a missing one.
    let Path(id) = id?;
    let (style, skus) =
        ddhub_store::catalog::get_style(&app.store, wholesaler, StyleId(id)).await?;
    // The check before the photos: a check is stored with the ready state of the photo it
    // counts, so photos read after it are at least as new (the other order could show a check
    // that counts a photo still shown pending).
    let colour_check = ddhub_app::services::colour_check::of_style(&app.store, StyleId(id)).await?;
    let base = app.config.media_base_url();
    let photos = ddhub_store::photos::for_style(&app.store, StyleId(id))
        .await?
        .into_iter()
        .map(|p| ddhub_app::services::photos::PhotoView::from_record(p, &base))
        .collect();
    let measured = ddhub_store::measurements::of_style(&app.store, StyleId(id)).await?;
    let mut view = StyleView::from_domain(style, Some(skus));
    view.photos = Some(photos);
    view.measurements = Some(measured.measurements);
    view.fit_note = measured.fit_note;
    view.colour_check = colour_check;
    Ok(Json(view))
}

/// A style sent by a program (an ERP, a shop system), in canonical codes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StyleBody {
    pub title_ko: String,
    /// Category code in the category tree, e.g. `outer/cardigan`.
    pub category: String,
    /// Wholesale price in won.
    pub price_krw: i64,
    #[serde(default = "one")]
    pub moq: u32,
    #[serde(default)]
    pub composition: Vec<CompositionBody>,
    pub origin: Option<String>,
    pub season: Option<String>,
    #[serde(default)]
    pub same_day_dispatch: bool,
    pub description_ko: Option<String>,
    /// Shipping weight in grams (1 to 30,000); without it the category's estimate applies.
    pub weight_grams: Option<u32>,
    /// `active` (default), `sold_out` or `archived`.
    pub state: Option<String>,
    /// Colour codes; every colour × size is a SKU.
    pub colours: Vec<String>,
    /// Size codes.
    pub sizes: Vec<String>,
    /// Measured sizes in cm, one entry per size (`{size, shoulder, chest_half, …}`).
    #[serde(default)]
    #[schema(value_type = Vec<MeasurementView>)]
    pub measurements: Vec<SizeMeasurements>,
    /// The model's fit note (`모델 168cm 55 착용`).
    pub fit_note: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompositionBody {
    pub material: String,
    pub percent: u8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UpsertResult {
    pub id: i64,
    /// `created`, `updated` or `unchanged`.
    pub outcome: &'static str,
    /// Rules the style breaks without being refused (a composition that does not add up to
    /// 100%), as an upload reports them as warnings on its row.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

fn check_code(field: &str, v: &str) -> Result<String, ApiError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > 40 || t.chars().any(char::is_control) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidBody,
            format!("{field}: each value must be 1 to 40 characters"),
        ));
    }
    Ok(t.to_string())
}

impl StyleBody {
    /// The style to write, and the warnings of the rules it breaks without being refused.
    fn into_input(self, code: &str) -> Result<(StyleInput, Vec<String>), ApiError> {
        let invalid = |m: String| ApiError::with_detail(ErrorCode::InvalidBody, m);
        let title = self.title_ko.trim().to_string();
        let mut composition = Vec::new();
        for c in self.composition {
            composition.push(CompositionPart {
                material: check_code("composition material", &c.material)?,
                percent: c.percent,
            });
        }
        let state = match self.state.as_deref() {
            None => StyleState::Active,
            Some(s) => s
                .parse()
                .map_err(|_| invalid("state must be active, sold_out or archived".into()))?,
        };
        let colours = self
            .colours
            .iter()
            .map(|c| check_code("colours", c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut sizes = self
            .sizes
            .iter()
            .map(|c| check_code("sizes", c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut warnings = Vec::new();
        if sizes.is_empty() {
            // As a sheet row without sizes: one size, and a warning.
            warnings.push(style_rules::Breach::NoSizes.message_en());
            sizes.push("free".into());
        }
        // The style rules a sheet row meets too (ddhub_domain::style_rules): the same style
        // gets the same answer here and in an upload.
        let breaches = style_rules::check(&StyleFacts {
            style_code: code,
            title_ko: &title,
            price_krw: self.price_krw,
            moq: self.moq,
            description_ko: self.description_ko.as_deref(),
            composition: &composition,
            colours: colours.len(),
            sizes: sizes.len(),
        });
        let mut title = title;
        for b in breaches {
            if !b.is_warning() {
                return Err(invalid(b.message_en()));
            }
            if b == style_rules::Breach::TitleTooLong {
                title = title.chars().take(style_rules::MAX_TITLE_CHARS).collect();
            }
            warnings.push(b.message_en());
        }
        let stock = if state == StyleState::SoldOut {
            StockState::SoldOut
        } else {
            StockState::InStock
        };
        let mut skus = Vec::new();
        for c in &colours {
            for z in &sizes {
                if !skus
                    .iter()
                    .any(|(a, b, _): &(String, String, StockState)| a == c && b == z)
                {
                    skus.push((c.clone(), z.clone(), stock));
                }
            }
        }
        for m in &self.measurements {
            if m.size.trim().is_empty() || m.size.chars().count() > 40 {
                return Err(invalid(
                    "measurements: each size must be 1 to 40 characters".into(),
                ));
            }
            for (k, mm) in m.present() {
                if !k.is_plausible(mm) {
                    let (lo, hi) = k.plausible_cm();
                    return Err(invalid(format!(
                        "measurements: {} {} of size {} is outside {lo} to {hi} cm",
                        k.key(),
                        ddhub_domain::measure::mm_to_cm(mm),
                        m.size
                    )));
                }
            }
        }
        let fit_note = self
            .fit_note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if fit_note.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err(invalid("fit_note: at most 200 characters".into()));
        }
        let input = StyleInput {
            style_code: code.trim().to_string(),
            title_ko: title,
            category: check_code("category", &self.category)?,
            price: Krw(self.price_krw),
            moq: Quantity(self.moq),
            composition,
            origin: self.origin.map(|o| check_code("origin", &o)).transpose()?,
            season: self.season.map(|o| check_code("season", &o)).transpose()?,
            same_day_dispatch: self.same_day_dispatch,
            description_ko: self.description_ko,
            weight_grams: match self.weight_grams {
                Some(g)
                    if !(ddhub_domain::weights::MIN_GRAMS..=ddhub_domain::weights::MAX_GRAMS)
                        .contains(&g) =>
                {
                    return Err(ApiError::with_detail(
                        ErrorCode::InvalidBody,
                        "weight_grams: 1 to 30000",
                    ));
                }
                w => w,
            },
            state,
            extra: Default::default(),
            skus,
            measurements: self.measurements,
            fit_note,
        };
        Ok((input, warnings))
    }
}

/// Creates or updates one of the calling wholesaler's styles by its own style code. Sending
/// the same body twice changes nothing the second time.
#[utoipa::path(put, path = "/api/v1/styles/by-code/{style_code}", tag = "styles",
    params(("style_code" = String, Path, description = "The wholesaler's own style code (상품코드)")),
    request_body = StyleBody,
    security(("wholesaler_key" = [])),
    responses(
        (status = 201, description = "Created", body = UpsertResult),
        (status = 200, description = "Updated or unchanged", body = UpsertResult),
        (status = 409, description = "Created at the same moment by another request: send again (`conflict`)", body = ErrorBody),
        (status = 422, description = "Invalid style", body = ErrorBody)
    ))]
async fn put_style(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    code: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: Result<ApiJson<StyleBody>, ApiError>,
) -> Result<(axum::http::StatusCode, Json<UpsertResult>), ApiError> {
    // A code that is not UTF-8 once decoded names no style, as on every other style path.
    let Path(code) = code?;
    let ApiJson(body) = body?;
    let (input, warnings) = body.into_input(&code)?;
    let outcome = ddhub_app::services::catalog::put_style(&app, wholesaler, &input).await?;
    let (status, id, word) = match outcome {
        UpsertOutcome::Created(id) => (axum::http::StatusCode::CREATED, id, "created"),
        UpsertOutcome::Updated(id) => (axum::http::StatusCode::OK, id, "updated"),
        UpsertOutcome::Unchanged(id) => (axum::http::StatusCode::OK, id, "unchanged"),
    };
    Ok((
        status,
        Json(UpsertResult {
            id: id.0,
            outcome: word,
            warnings,
        }),
    ))
}
