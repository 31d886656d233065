//! `/healthz` (the process is alive) and `/readyz` (it can serve: database reachable, schema
//! current).

use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::State;
use ddhub_app::AppState;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Serialize, ToSchema)]
pub struct Status {
    /// `ok` or `ready`.
    pub status: &'static str,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// Alive: answers as long as the process runs.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = Status)))]
async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// Ready: the database answers and every migration has been applied.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Status),
        (status = 503, description = "Database unreachable or migrations pending", body = ErrorBody)
    ))]
async fn readyz(State(app): State<AppState>) -> Result<Json<Status>, ApiError> {
    if let Err(e) = app.store.ping().await {
        tracing::warn!(error = %e, "readiness: database unreachable");
        return Err(ApiError::with_detail(
            ErrorCode::NotReady,
            "database unreachable",
        ));
    }
    match app.store.pending_migrations().await {
        Ok(0) => Ok(Json(Status { status: "ready" })),
        Ok(n) => Err(ApiError::with_detail(
            ErrorCode::NotReady,
            format!("{n} migrations pending: run ddhub migrate"),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read migrations");
            Err(ApiError::with_detail(
                ErrorCode::NotReady,
                "cannot read the schema version",
            ))
        }
    }
}
