//! A partner's webhook endpoint and its deliveries (dead letters included), with replay.

use crate::api_json::ApiJson;
use crate::auth::PartnerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ddhub_app::AppState;
use ddhub_store::orders;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_endpoint, remove_endpoint))
        .routes(routes!(rotate_secret))
        .routes(routes!(end_previous_secret))
        .routes(routes!(list_deliveries))
        .routes(routes!(replay))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    /// An https URL (http only where private targets are allowed).
    pub url: String,
}

/// Sets the endpoint order events are delivered to, and answers a new signing secret
/// (`whsec_…`, shown once).
#[utoipa::path(put, path = "/api/v1/webhooks/endpoint", tag = "webhooks",
    request_body = EndpointBody,
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The endpoint and its new secret", body = crate::schemas::WebhookEndpoint),
        (status = 422, description = "Not an acceptable target", body = ErrorBody)
    ))]
async fn set_endpoint(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    body: Result<ApiJson<EndpointBody>, ApiError>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ApiJson(body) = body?;
    let url = ddhub_orders::webhook::parse_target(&body.url, app.config.webhooks_allow_private)
        .map_err(|e| ApiError::with_detail(ErrorCode::InvalidBody, e.to_string()))?;
    let secret = ddhub_orders::webhook::WebhookSecret::generate(&mut rand::rng()).expose();
    orders::set_webhook(&app.store, partner, url.as_str(), &secret).await?;
    Ok(Json(
        serde_json::json!({ "url": url.as_str(), "secret": secret }),
    ))
}

/// A rotated signing secret.
#[derive(Debug, serde::Serialize, ToSchema)]
#[schema(example = json!({"url": "https://shop.example/hooks/ddhub",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "previous_secret_valid": true}))]
pub struct RotatedSecret {
    pub url: String,
    /// The new `whsec_` secret (shown once).
    pub secret: String,
    /// The secret it replaces still signs every delivery beside the new one (two `v1,`
    /// signatures in `webhook-signature`) until you end it.
    pub previous_secret_valid: bool,
}

/// Rotates the signing secret without missing a webhook: answers a new secret, and until you
/// end the previous one (`DELETE /api/v1/webhooks/endpoint/previous-secret`) every delivery is
/// signed with both, so your receiver can switch at its own pace. Rotating again replaces the
/// previous secret with the current one.
#[utoipa::path(post, path = "/api/v1/webhooks/endpoint/secret", tag = "webhooks",
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The new secret; the previous one stays valid", body = RotatedSecret),
        (status = 404, description = "No endpoint is set", body = ErrorBody)
    ))]
async fn rotate_secret(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
) -> Result<Json<RotatedSecret>, ApiError> {
    let secret = ddhub_orders::webhook::WebhookSecret::generate(&mut rand::rng()).expose();
    let url = orders::rotate_webhook_secret(&app.store, partner, &secret).await?;
    Ok(Json(RotatedSecret {
        url,
        secret,
        previous_secret_valid: true,
    }))
}

/// Ends the previous secret of a rotation: deliveries are signed with the new one only.
#[utoipa::path(delete, path = "/api/v1/webhooks/endpoint/previous-secret", tag = "webhooks",
    security(("partner_key" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "No rotation is under way", body = ErrorBody)
    ))]
async fn end_previous_secret(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
) -> Result<StatusCode, ApiError> {
    orders::end_previous_webhook_secret(&app.store, partner).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the endpoint and its secret: events are no longer delivered, and deliveries still
/// pending end `disabled` (replay them after setting an endpoint again).
#[utoipa::path(delete, path = "/api/v1/webhooks/endpoint", tag = "webhooks",
    security(("partner_key" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No endpoint is set", body = ErrorBody)
    ))]
async fn remove_endpoint(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
) -> Result<StatusCode, ApiError> {
    orders::remove_webhook(&app.store, partner).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// `pending`, `delivered`, `dead` or `disabled`.
    pub state: Option<String>,
}

/// Webhook deliveries, newest first; `state=dead` lists the dead letters.
#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "webhooks",
    params(DeliveriesQuery),
    security(("partner_key" = [])),
    responses((status = 200, description = "Deliveries", body = Vec<WebhookDelivery>)))]
async fn list_deliveries(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    q: Result<Query<DeliveriesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<WebhookDelivery>>, ApiError> {
    let Query(q) = q?;
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s @ ("pending" | "delivered" | "dead" | "disabled")) => Some(s),
        Some(_) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "state must be pending, delivered, dead or disabled",
            ));
        }
    };
    let list = orders::deliveries(&app.store, partner, state).await?;
    Ok(Json(list.into_iter().map(WebhookDelivery::from).collect()))
}

/// One delivery of one event to your endpoint.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    /// The event delivered (`GET /api/v1/events/{seq}`; `webhook-id` is `msg_ddhub_<seq>`).
    pub event_id: i64,
    /// `pending`, `delivered`, `dead` (out of retries: replay it) or `disabled` (no endpoint,
    /// or it answered 410).
    pub state: String,
    pub attempts: i32,
    /// When the next attempt is due, RFC 3339 UTC; `null` when none is.
    #[schema(format = DateTime)]
    pub next_attempt_at: Option<String>,
    /// The HTTP status of the last attempt.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

impl From<orders::DeliveryView> for WebhookDelivery {
    fn from(d: orders::DeliveryView) -> Self {
        WebhookDelivery {
            id: d.id,
            event_id: d.event_id,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d
                .next_attempt_at
                .map(|t| ddhub_orders::date::rfc3339(ddhub_domain::Timestamp(t))),
            last_status: d.last_status,
            last_error: d.last_error,
        }
    }
}

/// Sends a dead or disabled delivery again.
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/replay", tag = "webhooks",
    params(("id" = i64, Path, description = "Delivery id")),
    security(("partner_key" = [])),
    responses(
        (status = 202, description = "Queued"),
        (status = 404, description = "No such delivery", body = ErrorBody),
        (status = 409, description = "Still being attempted", body = ErrorBody)
    ))]
async fn replay(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id?;
    orders::replay_delivery(&app.store, partner, id).await?;
    app.jobs.notify();
    Ok(StatusCode::ACCEPTED)
}
