//! Public delivered-price estimate (landed cost) of a listed style: shipping, duty and tax to a
//! buyer's country, in their currency. Rate-limited per client IP like search.

use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Query, State};
use ddhub_app::AppState;
use ddhub_app::services::landed::{LandedView, estimate_today};
use ddhub_app::services::search::bad;
use ddhub_domain::{Currency, StyleId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(landed_cost))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LandedQuery {
    pub style_id: i64,
    /// Pieces; the style's minimum order when absent.
    pub quantity: Option<u32>,
    /// US, JP, CN, TW, HK, VN, TH, SG, GB (or UK), EU or an EU member's code.
    pub country: String,
    /// Currency of the answer; the destination's own when absent (won without its rate).
    pub currency: Option<String>,
}

/// Estimates the delivered price of a style: goods, shipping, duty and import tax, with the
/// rule (and its source and valid-from day) each line applied. Always an estimate.
#[utoipa::path(get, path = "/api/v1/landed-cost", tag = "search",
    params(LandedQuery),
    responses(
        (status = 200, description = "The estimate", body = LandedView),
        (status = 400, description = "A bad country, currency or quantity", body = ErrorBody),
        (status = 404, description = "No such listed style", body = ErrorBody),
        (status = 503, description = "No exchange rate for the destination's currency yet", body = ErrorBody)
    ))]
async fn landed_cost(
    State(app): State<AppState>,
    q: Result<Query<LandedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<LandedView>, ApiError> {
    let Query(q) = q.map_err(|e| bad(e.body_text()))?;
    let currency = match q.currency.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(
            c.to_ascii_uppercase()
                .parse::<Currency>()
                .map_err(|_| bad(format!("unknown currency {c:?}")))?,
        ),
    };
    Ok(Json(
        estimate_today(&app, StyleId(q.style_id), q.quantity, &q.country, currency).await?,
    ))
}
