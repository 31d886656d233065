//! Shipments (issue 17): operators build, pack, quote and ship them; the partner whose orders
//! a shipment carries reads it (`GET /api/v1/shipments/{id}`; another partner gets 404).

use crate::api_json::ApiJson;
use crate::auth::{OperatorAuth, PartnerOrOperator};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ddhub_app::AppState;
use ddhub_app::services::shipments::{self, ShipmentView};
use ddhub_shipping::package::PackageSpec;
use ddhub_shipping::quote::ServiceQuote;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_shipment))
        .routes(routes!(get_shipment))
        .routes(routes!(add_package))
        .routes(routes!(quote_shipment))
        .routes(routes!(ship_shipment))
        .routes(routes!(shipment_labels))
        .routes(routes!(deliver_shipment))
        .routes(routes!(shipment_invoice))
        .routes(routes!(shipment_packing_list))
}

fn pdf_response(pdf: Vec<u8>, name: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// The shipment's commercial invoice (PDF): every line it carries, of one or several orders
/// of its consignee, with HS codes, origin and the declared value in USD.
#[utoipa::path(get, path = "/api/v1/shipments/{id}/invoice.pdf", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "application/pdf"),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 409, description = "No USD rate, or orders in different currencies", body = ErrorBody)
    ))]
async fn shipment_invoice(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
) -> Result<axum::response::Response, ApiError> {
    let Path(id) = id?;
    let pdf = shipments::papers_pdf(&app.store, id, shipments::ShipmentPaper::Invoice).await?;
    Ok(pdf_response(pdf, format!("invoice-shipment-{id}.pdf")))
}

/// The shipment's packing list (PDF): style, description, HS code, pieces, net and gross
/// weight per line, and the cartons.
#[utoipa::path(get, path = "/api/v1/shipments/{id}/packing-list.pdf", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "application/pdf"),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 409, description = "No USD rate, or orders in different currencies", body = ErrorBody)
    ))]
async fn shipment_packing_list(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
) -> Result<axum::response::Response, ApiError> {
    let Path(id) = id?;
    let pdf = shipments::papers_pdf(&app.store, id, shipments::ShipmentPaper::PackingList).await?;
    Ok(pdf_response(pdf, format!("packing-list-shipment-{id}.pdf")))
}

/// Marks a shipped shipment delivered: each order it carries gets `shipment.delivered` through
/// the event cursor and signed webhooks, and an order whose every shipment has arrived moves
/// to delivered (`order.delivered`).
#[utoipa::path(post, path = "/api/v1/shipments/{id}/delivered", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The shipment, delivered"),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 409, description = "Not shipped yet, or already delivered", body = ErrorBody)
    ))]
async fn deliver_shipment(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
) -> Result<Json<ShipmentView>, ApiError> {
    let Path(id) = id?;
    Ok(Json(shipments::deliver(&app.store, id).await?))
}

/// The shipping labels (PDF, one A6 page per package: sender, consignee, service, weight and
/// a Code 128 barcode of the tracking number).
#[utoipa::path(get, path = "/api/v1/shipments/{id}/labels", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "application/pdf"),
        (status = 409, description = "Not shipped yet (no tracking numbers)", body = ErrorBody)
    ))]
async fn shipment_labels(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
) -> Result<axum::response::Response, ApiError> {
    let Path(id) = id?;
    let pdf = shipments::labels(&app.store, id).await?;
    Ok(pdf_response(pdf, format!("labels-shipment-{id}.pdf")))
}

type PathId = Result<Path<i64>, axum::extract::rejection::PathRejection>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// Received order lines, of one or several orders of the same consignee.
    pub line_ids: Vec<i64>,
}

/// Creates a shipment from received lines of one consignee (one partner order, or several
/// with the same consignee: one parcel for several wholesalers' goods).
#[utoipa::path(post, path = "/api/v1/shipments", tag = "shipments",
    request_body = CreateBody,
    security(("operator_key" = [])),
    responses(
        (status = 201, description = "The shipment"),
        (status = 404, description = "A line that does not exist", body = ErrorBody),
        (status = 409, description = "A line not received, or already in a shipment", body = ErrorBody),
        (status = 422, description = "Lines of different consignees", body = ErrorBody)
    ))]
async fn create_shipment(
    State(app): State<AppState>,
    OperatorAuth(operator): OperatorAuth,
    body: Result<ApiJson<CreateBody>, ApiError>,
) -> Result<(StatusCode, Json<ShipmentView>), ApiError> {
    let ApiJson(body) = body?;
    let view = shipments::create(&app.store, operator, &body.line_ids).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A shipment: its lines, packages, service, carrier and tracking numbers. Operators read any;
/// a partner only one carrying its orders (404 otherwise).
#[utoipa::path(get, path = "/api/v1/shipments/{id}", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    security(("operator_key" = []), ("partner_key" = [])),
    responses(
        (status = 200, description = "The shipment"),
        (status = 404, description = "No such shipment for this caller", body = ErrorBody)
    ))]
async fn get_shipment(
    State(app): State<AppState>,
    who: PartnerOrOperator,
    id: PathId,
) -> Result<Json<ShipmentView>, ApiError> {
    let Path(id) = id?;
    let partner = match who {
        PartnerOrOperator::Partner(p) => Some(p),
        PartnerOrOperator::Operator(_) => None,
    };
    Ok(Json(shipments::get(&app.store, id, partner).await?))
}

/// Adds a package: gross weight in grams and outer dimensions in cm.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/packages", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    request_body(content = Object, description = "{weight_grams, length_cm, width_cm, height_cm}"),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The shipment with the package"),
        (status = 409, description = "The shipment has shipped", body = ErrorBody),
        (status = 422, description = "Zero or absurd weight or dimensions", body = ErrorBody)
    ))]
async fn add_package(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
    body: Result<ApiJson<PackageSpec>, ApiError>,
) -> Result<Json<ShipmentView>, ApiError> {
    let Path(id) = id?;
    let ApiJson(spec) = body?;
    Ok(Json(shipments::add_package(&app.store, id, spec).await?))
}

/// Every carrier service's price for the shipment's packages, with where the figures come
/// from and from which date, or the service's reasons for refusing them.
#[utoipa::path(get, path = "/api/v1/shipments/{id}/quote", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    security(("operator_key" = [])),
    responses((status = 200, description = "[{service, name, carrier, source, effective_from, total_krw?, packages, refusals}]")))]
async fn quote_shipment(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
) -> Result<Json<Vec<ServiceQuote>>, ApiError> {
    let Path(id) = id?;
    Ok(Json(shipments::quotes(&app.store, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipBody {
    /// A service code from the quote: `kpacket`, `ems`.
    pub service: String,
    /// One per package, in the order the packages were added.
    pub tracking_numbers: Vec<String>,
}

/// Ships the shipment: records the service and a tracking number per package, moves its
/// orders (shipped, or a partial `order.shipped` when some of an order's lines stay) and
/// tells the partners.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/ship", tag = "shipments",
    params(("id" = i64, Path, description = "Shipment id")),
    request_body = ShipBody,
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The shipment, shipped"),
        (status = 409, description = "Already shipped, or no packages", body = ErrorBody),
        (status = 422, description = "A service that does not take the packages (with its reasons), or bad tracking numbers", body = ErrorBody)
    ))]
async fn ship_shipment(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: PathId,
    body: Result<ApiJson<ShipBody>, ApiError>,
) -> Result<Json<ShipmentView>, ApiError> {
    let Path(id) = id?;
    let ApiJson(body) = body?;
    Ok(Json(
        shipments::ship(&app.store, id, &body.service, &body.tracking_numbers).await?,
    ))
}
