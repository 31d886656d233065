//! A wholesaler's own styles. Tenancy: every query is scoped to the key's wholesaler, and
//! another wholesaler's style answers 404 exactly like a missing one.

use crate::app::AppState;
use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Path, Query, State};
use ddhub_domain::StyleId;
use ddhub_domain::style::{Sku, Style, StyleState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_styles))
        .routes(routes!(get_style))
}

/// Largest page a client may ask for.
const MAX_PER_PAGE: u64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `active`, `sold_out` or `archived`; every state when absent.
    pub state: Option<String>,
    /// Page number from 1.
    pub page: Option<u64>,
    /// Styles per page, 1 to 200 (default 50).
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
    /// `active`, `sold_out` or `archived`.
    pub state: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    /// Present on the single-style view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skus: Option<Vec<SkuView>>,
}

impl StyleView {
    fn from_domain(s: Style, skus: Option<Vec<Sku>>) -> Self {
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
        (status = 200, description = "One page of styles", body = StyleList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 403, description = "Not a wholesaler key", body = ErrorBody)
    ))]
async fn list_styles(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<StyleList>, ApiError> {
    let Query(q) =
        query.map_err(|e| ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text()))?;
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
            "page must be 1 or more",
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
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "No such style for this wholesaler", body = ErrorBody)
    ))]
async fn get_style(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<StyleView>, ApiError> {
    // A non-numeric id names no style: the same 404 as a missing one.
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    let (style, skus) =
        ddhub_store::catalog::get_style(&app.store, wholesaler, StyleId(id)).await?;
    Ok(Json(StyleView::from_domain(style, Some(skus))))
}
