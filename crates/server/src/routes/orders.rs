//! Export orders from partners (idempotent intake, split into purchase requests per wholesaler)
//! and the wholesalers' view of their purchase requests (발주).

use crate::auth::{PartnerAuth, WholesalerAuth};
use crate::error::{ApiError, AppError, ErrorBody, ErrorCode, error_json};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::{Currency, Money, SkuId, WholesalerId};
use ddhub_orders::intake::{CatalogItem, IntakePolicy, ItemRef, Lookup, OrderRequest};
use ddhub_store::orders::{self, KeyState, NewLine, NewOrder};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_order))
        .routes(routes!(get_order))
        .routes(routes!(list_purchase_requests))
        .routes(routes!(answer_purchase_request))
        .routes(routes!(order_changes))
        .routes(routes!(cancel_order))
        .routes(routes!(documents))
}

/// How far an order's unit price may be from the current feed price (1%): covers a feed
/// fetched just before a rate change.
const PRICE_TOLERANCE_BP: u32 = 100;

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Places an export order. `Idempotency-Key` is required: the same key with the same body
/// answers the original status and body byte for byte; with another body 422; while the first
/// is still running 409. Keys are kept 24 hours, per partner.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders",
    request_body(content = Object, description = "partner_order_id, currency, lines, ship_to, notes"),
    params(("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters")),
    security(("partner_key" = [])),
    responses(
        (status = 201, description = "Accepted: {order_id, state, lines}"),
        (status = 400, description = "No or bad Idempotency-Key, or a body that is not JSON", body = ErrorBody),
        (status = 409, description = "The first request with this key is still running", body = ErrorBody),
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
    if headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| !is_json_media_type(v))
    {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
    }
    let raw_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyKeyMissing))?;
    let key = ddhub_orders::fingerprint::validate_idempotency_key(raw_key)
        .map_err(|e| ApiError::with_detail(ErrorCode::IdempotencyKeyMissing, e.to_string()))?
        .to_string();
    let fp = ddhub_orders::fingerprint::fingerprint(&body)
        .map_err(|e| ApiError::with_detail(ErrorCode::InvalidBody, e.to_string()))?;
    let (state, found, rate) =
        orders::lookup_key_with_partner(&app.store, partner, &key, &fp.0).await?;
    if let Some(state) = state {
        return Ok(key_answer(state));
    }
    // From here to the commit this request is the key's first: a second one with the same
    // key answers 409 rather than validating the same order twice.
    let Some(_hold) = orders::hold_key(&app.store, partner, &key) else {
        return Err(ApiError::new(ErrorCode::IdempotencyInFlight));
    };
    let outcome = intake(&app, &found, rate, &body).await?;
    // The order, its lines, its purchase requests, its first event and the stored answer
    // commit together: an acknowledged order is never lost, and never created twice. Nothing
    // is stored when this fails (a 5xx is not worth replaying): the partner retries the key.
    let write = orders::KeyedWrite {
        partner,
        key,
        fingerprint: fp.0,
        outcome,
    };
    match orders::commit_keyed(&app.store, write).await? {
        orders::Committed::Stored { status, body } => Ok(json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
        )),
        orders::Committed::Existing(state) => Ok(key_answer(state)),
    }
}

/// `application/json` or a `+json` type, parameters aside.
fn is_json_media_type(value: &axum::http::HeaderValue) -> bool {
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// The answer to a request whose key was used before.
fn key_answer(state: KeyState) -> Response {
    match state {
        KeyState::Replay { status, body } => {
            json_response(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body)
        }
        KeyState::Mismatch => ApiError::new(ErrorCode::IdempotencyKeyReused).into_response(),
        KeyState::InFlight => ApiError::new(ErrorCode::IdempotencyInFlight).into_response(),
    }
}

/// Reads and validates an order: a valid one to write, or the answer (422 with reasons) to
/// store under its key.
async fn intake(
    app: &AppState,
    p: &ddhub_domain::partner::Partner,
    rate: Option<ddhub_domain::RatePerKrw>,
    body: &[u8],
) -> Result<orders::KeyedOutcome, ApiError> {
    let req: OrderRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            // A body of the wrong shape is an answer too: stored and replayed like any other.
            let err = AppError::with_detail(ErrorCode::InvalidBody, e.to_string());
            let body = error_json(&err, p.locale.tag());
            return Ok(orders::KeyedOutcome::Answer { status: 422, body });
        }
    };
    let ids: Vec<SkuId> = req.lines.iter().filter_map(|l| l.sku_id).collect();
    let codes: Vec<String> = req
        .lines
        .iter()
        .filter_map(|l| l.style_code.clone())
        .collect();
    let facts = orders::sku_facts(&app.store, &ids, &codes).await?;
    let lookup = |item: &ItemRef<'_>, currency: Currency| -> Lookup {
        let found: Vec<&orders::SkuFacts> = match item {
            ItemRef::Sku(id) => facts.iter().filter(|f| f.sku_id == *id).collect(),
            ItemRef::Style {
                style_code,
                colour,
                size,
                wholesaler_id,
            } => facts
                .iter()
                .filter(|f| f.style_code == *style_code && f.colour == *colour && f.size == *size)
                .filter(|f| wholesaler_id.is_none_or(|w| f.wholesaler_id == w))
                .collect(),
        };
        match found.as_slice() {
            [] => Lookup::NotFound,
            [f] => {
                let price = rate
                    .and_then(|r| {
                        r.convert(ddhub_domain::Krw(f.price_krw), p.markup_bp, p.rounding)
                            .ok()
                    })
                    .unwrap_or(Money {
                        minor: i64::MAX,
                        currency,
                    });
                let sold_out = f.style_state != StyleState::Active.as_str()
                    || f.stock == StockState::SoldOut.as_str();
                Lookup::Found(CatalogItem {
                    sku_id: f.sku_id,
                    style_id: f.style_id,
                    wholesaler_id: f.wholesaler_id,
                    stock: if sold_out {
                        StockState::SoldOut
                    } else {
                        f.stock.parse().unwrap_or(StockState::InStock)
                    },
                    moq: Quantity(f.moq),
                    price,
                })
            }
            many => Lookup::Ambiguous(
                many.iter()
                    .map(|f| f.wholesaler_id)
                    .collect::<Vec<WholesalerId>>(),
            ),
        }
    };
    let policy = IntakePolicy {
        partner_currency: p.currency,
        price_tolerance_bp: PRICE_TOLERANCE_BP,
    };
    let order = match ddhub_orders::intake::validate_order(&req, &policy, &lookup) {
        Ok(o) => o,
        Err(rejection) => {
            let problems = match rejection.to_json(p.locale).get_mut("problems") {
                Some(serde_json::Value::Array(list)) => std::mem::take(list),
                _ => Vec::new(),
            };
            let err = AppError::new(ErrorCode::OrderInvalid).with_problems(problems);
            let body = error_json(&err, p.locale.tag());
            return Ok(orders::KeyedOutcome::Answer { status: 422, body });
        }
    };
    let new = NewOrder {
        partner: p.id,
        partner_order_id: order.partner_order_id.clone(),
        currency: order.currency.code().to_string(),
        ship_to: serde_json::to_value(&order.ship_to).map_err(ApiError::internal)?,
        notes: order.notes.clone(),
        lines: order
            .lines
            .iter()
            .map(|l| NewLine {
                sku_id: l.sku_id,
                style_id: l.style_id,
                wholesaler_id: l.wholesaler_id,
                quantity: l.quantity,
                unit_price_minor: l.unit_price.minor,
            })
            .collect(),
    };
    let conflict = AppError::with_detail(
        ErrorCode::Conflict,
        format!("order {} already exists", new.partner_order_id),
    );
    let conflict_body = error_json(&conflict, p.locale.tag());
    Ok(orders::KeyedOutcome::Order {
        order: new,
        conflict_body,
    })
}

/// One of the partner's orders with its lines.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "Order id")),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The order"),
        (status = 404, description = "No such order for this partner", body = ErrorBody)
    ))]
async fn get_order(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<orders::OrderView>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
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
) -> Result<Json<Vec<orders::PurchaseRequestView>>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text()))?;
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
        orders::purchase_requests(&app.store, wholesaler, state).await?,
    ))
}

/// Answers a purchase request line by line: `available` (optionally fewer pieces), `backorder`
/// (미송, with the expected date) or `sold_out` (품절). The order's state follows from all its
/// wholesalers' answers; the partner hears of every change (order events).
#[utoipa::path(post, path = "/api/v1/purchase-requests/{id}/answer", tag = "orders",
    params(("id" = i64, Path, description = "Purchase request id")),
    request_body(content = Object, description = "{lines: [{line_id, answer: available|backorder|sold_out, quantity?, expected_date?}]}"),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The purchase request as answered"),
        (status = 404, description = "No such purchase request for this wholesaler", body = ErrorBody),
        (status = 409, description = "Already answered, or the order has moved on", body = ErrorBody),
        (status = 422, description = "Answers that do not fit the request", body = ErrorBody)
    ))]
async fn answer_purchase_request(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<
        Json<ddhub_orders::answers::AnswerRequest>,
        axum::extract::rejection::JsonRejection,
    >,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    let Json(req) = body.map_err(ApiError::from)?;
    match ddhub_app::services::orders::answer(&app, wholesaler, id, &req).await? {
        Ok(view) => Ok(Json(view).into_response()),
        Err(rejection) => {
            let problems = rejection
                .problems
                .iter()
                .map(|p| serde_json::to_value(p).unwrap_or_default())
                .collect();
            Err(AppError::new(ErrorCode::AnswersInvalid)
                .with_problems(problems)
                .into())
        }
    }
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
    responses((status = 200, description = "{events: [...], next_cursor, has_more}")))]
async fn order_changes(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    q: Result<Query<ChangesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text()))?;
    let after = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .strip_prefix("v1.")
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::with_detail(
                    ErrorCode::InvalidQuery,
                    "cursor must be a next_cursor this API returned",
                )
            })?,
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            "limit must be between 1 and 1000",
        ));
    }
    let mut rows = orders::events_after(&app.store, partner, after, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = rows.last().map_or(after, |r| r.0);
    let events: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(seq, order_id, kind, payload, at)| serde_json::json!({ "seq": seq, "order_id": order_id, "type": kind, "data": payload, "created_at": at }))
        .collect();
    Ok(Json(
        serde_json::json!({ "events": events, "next_cursor": format!("v1.{next}"), "has_more": has_more }),
    ))
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
        (status = 200, description = "The order"),
        (status = 404, description = "No such order for this partner", body = ErrorBody),
        (status = 409, description = "Too late to cancel (shipped or delivered)", body = ErrorBody)
    ))]
async fn cancel_order(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<Option<Json<CancelBody>>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<orders::OrderView>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    // The body is optional; one that is sent must be JSON of the right shape.
    let reason = body
        .map_err(ApiError::from)?
        .and_then(|Json(b)| b.reason)
        .map(|r| r.chars().take(500).collect());
    match ddhub_app::services::orders::apply(
        &app.store,
        Some(partner),
        id,
        ddhub_app::services::orders::Operation::Cancel(reason),
    )
    .await
    {
        Ok(_) => {}
        Err(ddhub_app::services::orders::OpError::Store(e)) => return Err(e.into()),
        Err(ddhub_app::services::orders::OpError::Lifecycle(e)) => {
            return Err(ApiError::with_detail(ErrorCode::Conflict, e.to_string()));
        }
        Err(e) => return Err(ApiError::internal(e)),
    }
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
    let Path((id, kind)) = path.map_err(|_| ApiError::not_found())?;
    let Query(q) = q.map_err(|e| ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text()))?;
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
