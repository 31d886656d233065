//! Export orders from partners (idempotent intake, split into purchase requests per wholesaler)
//! and the wholesalers' view of their purchase requests (발주).

use crate::app::AppState;
use crate::auth::{PartnerAuth, WholesalerAuth};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
    let raw_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyKeyMissing))?;
    let key = ddhub_orders::fingerprint::validate_idempotency_key(raw_key)
        .map_err(|e| ApiError::with_detail(ErrorCode::IdempotencyKeyMissing, e.to_string()))?
        .to_string();
    let fp = ddhub_orders::fingerprint::fingerprint(&body)
        .map_err(|e| ApiError::with_detail(ErrorCode::InvalidBody, e.to_string()))?;
    match orders::reserve_key(&app.store, partner, &key, &fp.0).await? {
        KeyState::New => {}
        KeyState::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(json_response(status, body));
        }
        KeyState::Mismatch => return Err(ApiError::new(ErrorCode::IdempotencyKeyReused)),
        KeyState::InFlight => return Err(ApiError::new(ErrorCode::IdempotencyInFlight)),
    }
    match intake(&app, partner, &key, &body).await {
        Ok(res) => Ok(res),
        Err(e) => {
            // Nothing was answered: let the partner retry with the same key.
            let _ = orders::release_key(&app.store, partner, &key).await;
            Err(e)
        }
    }
}

async fn intake(
    app: &AppState,
    partner: ddhub_domain::PartnerId,
    key: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let p = ddhub_store::parties::get_partner(&app.store, partner).await?;
    let req: OrderRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            // A body of the wrong shape is an answer too: stored and replayed like any other.
            let body = serde_json::json!({ "error": { "code": "invalid_body", "message": e.to_string() } }).to_string();
            orders::finish_key(app.store.conn(), partner, key, 422, &body).await?;
            return Ok(json_response(StatusCode::UNPROCESSABLE_ENTITY, body));
        }
    };
    let rate = ddhub_store::rates::get_rate(&app.store, p.currency).await?;
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
            let body = serde_json::json!({ "error": rejection.to_json(p.locale) }).to_string();
            orders::finish_key(app.store.conn(), partner, key, 422, &body).await?;
            return Ok(json_response(StatusCode::UNPROCESSABLE_ENTITY, body));
        }
    };
    let new = NewOrder {
        partner,
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
    // The order, its lines, its purchase requests, its first event and the stored answer
    // commit together: an acknowledged order is never lost, and never created twice.
    let txn = app.store.begin_write().await?;
    let created = match orders::insert_order(&txn, &new).await {
        Ok(c) => c,
        Err(ddhub_store::StoreError::Conflict(_)) => {
            drop(txn);
            let body = serde_json::json!({ "error": { "code": "conflict", "message": format!("order {} already exists", new.partner_order_id) } }).to_string();
            orders::finish_key(app.store.conn(), partner, key, 409, &body).await?;
            return Ok(json_response(StatusCode::CONFLICT, body));
        }
        Err(e) => return Err(e.into()),
    };
    let view = orders::get_order(&txn, partner, created.order_id).await?;
    let body = serde_json::to_string(&view).map_err(ApiError::internal)?;
    orders::finish_key(&txn, partner, key, 201, &body).await?;
    txn.commit()
        .await
        .map_err(|e| ApiError::from(ddhub_store::StoreError::from(e)))?;
    Ok(json_response(StatusCode::CREATED, body))
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
