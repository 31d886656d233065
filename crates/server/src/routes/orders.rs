//! Export orders from partners (idempotent intake, split into purchase requests per wholesaler)
//! and the wholesalers' view of their purchase requests (발주).

use crate::api_json::ApiJson;
use crate::auth::{PartnerAuth, WholesalerAuth};
use crate::error::{ApiError, AppError, ErrorBody, ErrorCode};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_store::orders;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_order, list_orders))
        .routes(routes!(get_order))
        .routes(routes!(get_event))
        .routes(routes!(list_purchase_requests))
        .routes(routes!(answer_purchase_request))
        .routes(routes!(order_changes))
        .routes(routes!(cancel_order))
        .routes(routes!(documents))
        .routes(routes!(answer_test_order))
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Places an export order. `Idempotency-Key` is required: the same key with the same body
/// answers the original status and body byte for byte; with another body 422; while the first
/// is still running 409. Keys are kept 24 hours, per partner. A request refused by validation
/// (422) did no work and keeps nothing under its key: send the corrected order with the same
/// key. A `partner_order_id` used before answers 409 with `existing_order_id`.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders",
    request_body(content = crate::schemas::OrderRequest, content_type = "application/json",
        description = "The order: your order number, currency, lines (each naming an item of your feed), where it ships"),
    params(("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters, unique per order you mean to place (a UUID): a retry with the same key and body answers the first answer again, byte for byte")),
    security(("partner_key" = [])),
    responses(
        (status = 201, description = "Accepted: the order, its lines split into purchase requests to their wholesalers", body = crate::schemas::Order),
        (status = 400, description = "No or bad Idempotency-Key, or a body that is not JSON", body = ErrorBody),
        (status = 409, description = "The first request with this key is still running, or the partner_order_id is taken (error.existing_order_id names its order)", body = ErrorBody),
        (status = 422, description = "Key reused with another body, or per-line reasons", body = ErrorBody)
    ))]
async fn create_order(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // The body is read as bytes (its fingerprint keys the request), yet it is JSON by contract:
    // one sent as another media type is refused as such, as on every JSON route.
    if headers.contains_key(header::CONTENT_TYPE) && !crate::api_json::is_json(&headers) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
    }
    let raw_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyKeyMissing))?;
    // The caller's language, as the error middleware picks it for every other error.
    let lang = crate::i18n::negotiate_locale(&headers);
    let answer = ddhub_app::services::orders::place(&app, partner, raw_key, &body, lang).await?;
    Ok(json_response(
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
        answer.body,
    ))
}

/// One of the partner's orders with its lines.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The order", body = crate::schemas::Order),
        (status = 404, description = "No such order for this partner", body = ErrorBody)
    ))]
async fn get_order(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<orders::OrderView>, ApiError> {
    let Path(id) = id?;
    Ok(Json(
        orders::get_order(app.store.conn(), partner, id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrQuery {
    /// `open`, `answered` or `cancelled`; every state when absent.
    pub state: Option<String>,
}

/// Your purchase requests (발주): the lines of partners' orders that are yours to answer.
#[utoipa::path(get, path = "/api/v1/purchase-requests", tag = "orders",
    params(PrQuery),
    security(("wholesaler_key" = [])),
    responses((status = 200, description = "Purchase requests, newest first")))]
async fn list_purchase_requests(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    q: Result<Query<PrQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let Query(q) = q?;
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s @ ("open" | "answered" | "cancelled")) => Some(s),
        Some(_) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "state must be open, answered or cancelled",
            ));
        }
    };
    Ok(Json(
        orders::purchase_requests(&app.store, wholesaler, state)
            .await?
            .into_iter()
            .map(purchase_request_json)
            .collect(),
    ))
}

/// A purchase request as the API answers it: its time in RFC 3339 UTC, as every time of the
/// API (docs/api-conventions.md).
fn purchase_request_json(pr: orders::PurchaseRequestView) -> serde_json::Value {
    let created_at = ddhub_orders::date::rfc3339(ddhub_domain::Timestamp(pr.created_at));
    let mut v = serde_json::to_value(pr).unwrap_or_default();
    v["created_at"] = created_at.into();
    v
}

/// Answers a purchase request line by line: `available` (optionally fewer pieces), `backorder`
/// (미송, with the expected date) or `sold_out` (품절). The order's state follows from all its
/// wholesalers' answers; the partner hears of every change (order events). A line may be
/// answered again (미송 → 가능, fewer pieces) until the hub receives it (`line_received`) or the
/// order is packed (409).
#[utoipa::path(post, path = "/api/v1/purchase-requests/{id}/answer", tag = "orders",
    params(("id" = i64, Path, description = "Purchase request id")),
    request_body(content = Object, description = "{lines: [{line_id, answer: available|backorder|sold_out, quantity?, expected_date?}]}"),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The purchase request as answered"),
        (status = 404, description = "No such purchase request for this wholesaler", body = ErrorBody),
        (status = 409, description = "The request was cancelled, or the order is packed or shipped", body = ErrorBody),
        (status = 422, description = "Answers that do not fit the request", body = ErrorBody)
    ))]
async fn answer_purchase_request(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<ApiJson<ddhub_orders::answers::AnswerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let ApiJson(req) = body?;
    match ddhub_app::services::orders::answer(&app, wholesaler, id, &req).await? {
        Ok(view) => Ok(Json(purchase_request_json(view)).into_response()),
        Err(rejection) => Err(answers_invalid(&rejection)),
    }
}

/// Test mode: answers lines of a test order as their wholesalers would, so that your
/// integration sees every event and webhook of the real flow (`order.confirmed`,
/// `order.line.backordered`, …) while no wholesaler is asked. Only a test key (`ddh_pt_…`) may
/// call it, and only for its own test orders. Lines of several wholesalers may be answered at
/// once; all are recorded or none is.
#[utoipa::path(post, path = "/api/v1/test_helpers/orders/{id}/answers", tag = "test mode",
    params(("id" = i64, Path, description = "A test order's id")),
    request_body(content = crate::schemas::AnswerRequest, content_type = "application/json"),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The order as answered", body = crate::schemas::Order),
        (status = 403, description = "Not a test key (ddh_pt_…)", body = ErrorBody),
        (status = 404, description = "No such test order for this key", body = ErrorBody),
        (status = 409, description = "Already answered, or the order has moved on", body = ErrorBody),
        (status = 422, description = "Answers that do not fit the lines", body = ErrorBody)
    ))]
async fn answer_test_order(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<ApiJson<ddhub_orders::answers::AnswerRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    if !ddhub_store::parties::get_partner(&app.store, partner)
        .await?
        .is_test()
    {
        return Err(ApiError::new(ErrorCode::AuthWrongRole).arg("role", "test-mode (ddh_pt_)"));
    }
    let ApiJson(req) = body?;
    match ddhub_app::services::orders::answer_test_order(&app, partner, id, &req).await? {
        Ok(view) => {
            app.jobs.notify();
            Ok(Json(view).into_response())
        }
        Err(rejection) => Err(answers_invalid(&rejection)),
    }
}

/// Answers that do not fit their lines: 422 with one problem per line.
fn answers_invalid(rejection: &ddhub_orders::answers::AnswerRejection) -> ApiError {
    let problems = rejection
        .problems
        .iter()
        .map(|p| serde_json::to_value(p).unwrap_or_default())
        .collect();
    AppError::new(ErrorCode::AnswersInvalid)
        .with_problems(problems)
        .into()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_cursor` of the previous page; from the start when absent.
    pub cursor: Option<String>,
    /// Events per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// Every status change of the partner's orders, in commit order, after `cursor`. The cursor is
/// the event sequence, never a time window: no change is skipped.
#[utoipa::path(get, path = "/api/v1/orders/changes", tag = "orders",
    params(ChangesQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "A page of events", body = crate::schemas::EventPage),
        (status = 400, description = "Malformed cursor (`invalid_cursor`) or limit out of range (`invalid_query`)", body = ErrorBody)
    ))]
async fn order_changes(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    q: Result<Query<ChangesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q?;
    let after = parse_cursor(q.cursor.as_deref())?.unwrap_or(0);
    let limit = page_limit(q.limit)?;
    let mut rows = orders::events_after(&app.store, partner, after, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = rows.last().map_or(after, |r| r.seq);
    let events: Vec<serde_json::Value> = rows.into_iter().map(event_json).collect();
    Ok(Json(
        serde_json::json!({ "events": events, "next_cursor": format!("v1.{next}"), "has_more": has_more }),
    ))
}

/// The position a `next_cursor` of this API holds (`v1.<n>`); `None` for the first page. One
/// form and one error code (`invalid_cursor`) for every cursor of the orders API.
fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    match cursor {
        None | Some("") => Ok(None),
        Some(c) => c
            .strip_prefix("v1.")
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::with_detail(
                    ErrorCode::InvalidCursor,
                    "cursor must be a next_cursor this API returned",
                )
            }),
    }
}

/// A page size: 1 to 1000, 100 when absent.
fn page_limit(limit: Option<u64>) -> Result<u64, ApiError> {
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            "limit must be between 1 and 1000",
        ));
    }
    Ok(limit)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Only orders in this state: `awaiting_wholesalers`, `confirmed`, `partly_confirmed`,
    /// `cancelled`, `shipped`, … (every state when absent).
    pub state: Option<String>,
    /// Only the order you placed with this `partner_order_id`.
    pub partner_order_id: Option<String>,
    /// The `next_cursor` of the previous page; the newest orders when absent.
    pub cursor: Option<String>,
    /// Orders per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// Your orders, newest first, with their lines; page with `next_cursor` while `has_more`.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(OrderListQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "A page of orders", body = crate::schemas::OrderPage),
        (status = 400, description = "Malformed cursor (`invalid_cursor`) or limit out of range (`invalid_query`)", body = ErrorBody)
    ))]
async fn list_orders(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    q: Result<Query<OrderListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q?;
    let filter = orders::OrderListFilter {
        state: q.state.filter(|s| !s.is_empty()),
        partner_order_id: q.partner_order_id.filter(|s| !s.is_empty()),
        before: parse_cursor(q.cursor.as_deref())?,
    };
    let limit = page_limit(q.limit)?;
    let mut page = orders::list_orders(&app.store, partner, &filter, limit + 1).await?;
    let has_more = page.len() as u64 > limit;
    page.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = match (has_more, page.last()) {
        (true, Some(last)) => Some(format!("v1.{}", last.order_id)),
        _ => None,
    };
    Ok(Json(
        serde_json::json!({ "orders": page, "next_cursor": next, "has_more": has_more }),
    ))
}

/// One event of your orders by its `seq`: the changes feed's `seq`, and the number in a
/// webhook's `webhook-id` (`msg_ddhub_<seq>`), to re-read what a webhook announced.
#[utoipa::path(get, path = "/api/v1/events/{seq}", tag = "orders",
    params(("seq" = i64, Path, description = "The event's sequence number")),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The event", body = crate::schemas::OrderEvent),
        (status = 404, description = "No such event for this partner", body = ErrorBody)
    ))]
async fn get_event(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    seq: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Path(seq) = seq?;
    let e = orders::event(&app.store, partner, seq).await?;
    Ok(Json(event_json(e)))
}

/// An event as the API answers it (`OrderEvent` in the document): its time in RFC 3339 UTC.
fn event_json(e: orders::OrderEventRow) -> serde_json::Value {
    serde_json::json!({
        "seq": e.seq,
        "order_id": e.order_id,
        "type": e.event_type,
        "data": e.data,
        "created_at": ddhub_orders::date::rfc3339(e.created_at),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    pub reason: Option<String>,
}

/// Cancels an order before it ships; every line's amount becomes refundable.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    request_body = Option<CancelBody>,
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The order", body = crate::schemas::Order),
        (status = 404, description = "No such order for this partner", body = ErrorBody),
        (status = 409, description = "Too late to cancel (shipped or delivered)", body = ErrorBody)
    ))]
async fn cancel_order(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<Option<ApiJson<CancelBody>>, ApiError>,
) -> Result<Json<orders::OrderView>, ApiError> {
    let Path(id) = id?;
    // The body is optional; one that is sent must be JSON of the right shape.
    let reason = body?
        .and_then(|ApiJson(b)| b.reason)
        .map(|r| r.chars().take(500).collect());
    ddhub_app::services::orders::apply(
        &app.store,
        Some(partner),
        id,
        ddhub_app::services::orders::Operation::Cancel(reason),
    )
    .await?;
    app.jobs.notify();
    Ok(Json(
        orders::get_order(app.store.conn(), partner, id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocQuery {
    /// `json` (default) or `pdf`.
    pub format: Option<String>,
}

/// The export papers of a packed order: `invoice` (commercial invoice) or `packing_list`, with
/// HS codes, origin, quantities, weights and the declared value in USD.
#[utoipa::path(get, path = "/api/v1/orders/{id}/documents/{kind}", tag = "orders",
    params(("id" = i64, Path, description = "Order id"), ("kind" = String, Path, description = "invoice or packing_list"), DocQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The document as JSON or PDF",
            content(("application/json"), ("application/pdf"))),
        (status = 404, description = "No such order or document", body = ErrorBody),
        (status = 409, description = "The order is not packed yet", body = ErrorBody)
    ))]
async fn documents(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
    q: Result<Query<DocQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Path((id, kind)) = path?;
    let Query(q) = q?;
    let pdf = match q.format.as_deref() {
        None | Some("") | Some("json") => false,
        Some("pdf") => true,
        Some(_) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "format must be json or pdf",
            ));
        }
    };
    if kind != "invoice" && kind != "packing_list" {
        return Err(ApiError::not_found());
    }
    let papers = match ddhub_app::services::orders::papers(&app.store, partner, id).await {
        Ok(p) => p,
        Err(ddhub_app::services::orders::PapersError::Store(e)) => return Err(e.into()),
        Err(ddhub_app::services::orders::PapersError::NotPacked(s)) => {
            return Err(ApiError::with_detail(
                ErrorCode::Conflict,
                format!("the order is {s}: papers exist once it is packed"),
            ));
        }
        Err(e) => return Err(ApiError::with_detail(ErrorCode::Conflict, e.to_string())),
    };
    Ok(match (kind.as_str(), pdf) {
        ("invoice", false) => Json(&papers.invoice).into_response(),
        ("invoice", true) => (
            [(header::CONTENT_TYPE, "application/pdf")],
            ddhub_orders::export::pdf::invoice_pdf(&papers.invoice),
        )
            .into_response(),
        (_, false) => Json(&papers.packing_list).into_response(),
        (_, true) => (
            [(header::CONTENT_TYPE, "application/pdf")],
            ddhub_orders::export::pdf::packing_list_pdf(&papers.packing_list),
        )
            .into_response(),
    })
}
