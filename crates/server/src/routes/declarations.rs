//! The export declaration worksheet of a shipped shipment (issue 17), for operators.

use crate::auth::OperatorAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_app::services::declarations::{self, Format};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(declaration))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeclarationQuery {
    /// `xlsx` (default, Korean headers) or `csv` (UTF-8 with BOM).
    pub format: Option<String>,
    /// 1-based batch of up to 100 lines; 1 when absent. `X-Declaration-Batches` says how many.
    pub batch: Option<usize>,
}

/// The simplified e-commerce export declaration's fields per line of a shipped shipment, as a
/// worksheet for the exporter's customs broker (the official electronic layout is not
/// public). Refused (409) for a shipment declared over ₩4,000,000, with the reason.
#[utoipa::path(get, path = "/api/v1/declarations/{shipment_id}", tag = "shipments",
    params(("shipment_id" = i64, Path, description = "Shipment id"), DeclarationQuery),
    security(("operator_key" = [])),
    responses(
        (status = 200, description = "The worksheet (XLSX or CSV)"),
        (status = 400, description = "An unknown format", body = ErrorBody),
        (status = 404, description = "No such shipment or batch", body = ErrorBody),
        (status = 409, description = "Not shipped yet, or over ₩4,000,000", body = ErrorBody)
    ))]
async fn declaration(
    State(app): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    q: Result<Query<DeclarationQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let Query(q) = q?;
    let format = match q.format.as_deref() {
        None | Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        Some(_) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "format must be xlsx or csv",
            ));
        }
    };
    let f = declarations::export(&app, id, q.batch.unwrap_or(1), format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.file_name),
            ),
            (
                header::HeaderName::from_static("x-declaration-batches"),
                f.batches.to_string(),
            ),
        ],
        f.bytes,
    )
        .into_response())
}
