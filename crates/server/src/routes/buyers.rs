//! Storefront buyers for hub operators (issue 21): the accounts waiting for approval, and
//! approving one so it may send order requests.

use crate::auth::OperatorAuth;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use ddhub_app::AppState;
use ddhub_app::services::buyers;
use ddhub_store::buyers::Buyer;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_buyers))
        .routes(routes!(approve_buyer))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BuyerQuery {
    /// `pending` (the default) or `all`.
    pub state: Option<String>,
}

/// Storefront buyers, oldest first: those waiting for approval, or all with `state=all`.
#[utoipa::path(get, path = "/api/v1/buyers", tag = "buyers",
    params(BuyerQuery),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "{buyers: [{id, email, business_name, country, locale, state, created_at, approved_at}]}"),
        (status = 400, description = "A state other than pending or all", body = ErrorBody)
    ))]
async fn list_buyers(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    q: Result<Query<BuyerQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q?;
    let all = match q.state.as_deref() {
        None | Some("pending") => false,
        Some("all") => true,
        Some(other) => {
            return Err(ApiError::with_detail(
                crate::error::ErrorCode::InvalidQuery,
                format!("state must be pending or all, not {other:?}"),
            ));
        }
    };
    let list: Vec<Buyer> = buyers::list(&app, all).await?;
    Ok(Json(serde_json::json!({ "buyers": list })))
}

/// Approves a buyer: from now on its cart can be sent as an order request. Approving an
/// approved buyer changes nothing. The buyer is told by e-mail.
#[utoipa::path(post, path = "/api/v1/buyers/{id}/approve", tag = "buyers",
    params(("id" = i64, Path, description = "The buyer's id")),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The buyer: {id, email, business_name, country, locale, state, created_at, approved_at}"),
        (status = 404, description = "No such buyer", body = ErrorBody)
    ))]
async fn approve_buyer(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<Buyer>, ApiError> {
    let Path(id) = id?;
    Ok(Json(buyers::approve(&app, id).await?))
}
