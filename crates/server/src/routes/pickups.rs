//! Pickup (사입, issue 17) for hub operators: the day's list in walking order, and receiving
//! the pieces at the hub.

use crate::api_json::ApiJson;
use crate::auth::OperatorAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_app::services::pickups::{self, PickupList, ReceivedOrder, SheetFormat};
use ddhub_orders::receiving::Receipt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pickup_list))
        .routes(routes!(receive))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PickupQuery {
    /// `YYYY-MM-DD`; today in Seoul when absent. Backordered lines come due on their 미송 date.
    pub date: Option<String>,
    /// `json` (default), or the printable list: `pdf` (A4, Korean) or `xlsx`.
    pub format: Option<String>,
}

/// The pickup list: confirmed lines (and backordered ones whose date has come) not yet
/// received, per wholesaler in the order a runner walks (building, floor, unit), with the
/// style codes, colours, sizes, quantities, order references and the amount due at the
/// wholesale price.
#[utoipa::path(get, path = "/api/v1/pickups", tag = "pickups",
    params(PickupQuery),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "{date, stops: [{wholesaler_id, building, floor, unit, pieces, amount_due_krw, lines}], pieces, amount_due_krw}; or the printable list (format=pdf|xlsx)",
            content(("application/json"), ("application/pdf"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "A date that is not YYYY-MM-DD, or an unknown format", body = ErrorBody)
    ))]
async fn pickup_list(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    q: Result<Query<PickupQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q?;
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => {
            let list: PickupList = pickups::list(&app.store, q.date.as_deref()).await?;
            return Ok(Json(list).into_response());
        }
        Some("pdf") => SheetFormat::Pdf,
        Some("xlsx") => SheetFormat::Xlsx,
        Some(_) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "format must be json, pdf or xlsx",
            ));
        }
    };
    let f = pickups::printable(&app.store, &app.config, q.date.as_deref(), format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.file_name),
            ),
        ],
        f.bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveBody {
    /// `[{line_id, received}]`: pieces counted in per line.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<Receipt>,
}

/// Marks lines received at the hub with the pieces counted. Fewer than confirmed is a short
/// count: the line's confirmed quantity drops to it (to none: sold out) and the partner gets
/// `order.line.sold_out` with the refund. All or nothing: a line received twice, more pieces
/// than confirmed or an unknown line refuses the whole request.
#[utoipa::path(post, path = "/api/v1/pickups/receive", tag = "pickups",
    request_body = ReceiveBody,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "Per order: its state and the lines that came in short"),
        (status = 404, description = "A line that does not exist", body = ErrorBody),
        (status = 409, description = "A line already received or not confirmed", body = ErrorBody),
        (status = 422, description = "More pieces than confirmed, or a line twice", body = ErrorBody)
    ))]
async fn receive(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    body: Result<ApiJson<ReceiveBody>, ApiError>,
) -> Result<Json<Vec<ReceivedOrder>>, ApiError> {
    let ApiJson(body) = body?;
    Ok(Json(pickups::receive(&app.store, &body.lines).await?))
}
