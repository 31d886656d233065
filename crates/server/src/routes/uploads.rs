//! Catalog uploads (wholesaler key): a sheet and an optional photo ZIP in, a job that reads,
//! validates and commits them, and the row report out as JSON and as an XLSX to fix and upload
//! again.

use crate::api_json::ApiJson;
use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ddhub_app::AppState;
use ddhub_app::services::uploads::{ProblemPage, UploadView};
use ddhub_store::uploads;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_upload))
}

pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_upload))
        .routes(routes!(upload_errors))
        .routes(routes!(upload_errors_xlsx))
        .routes(routes!(get_mapping, put_mapping))
}

/// The multipart form of an upload (documentation only; the handler streams the fields).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The sheet: XLSX, CSV/TSV (UTF-8, UTF-8 with BOM or CP949) or JSON.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// A ZIP of photos named in the sheet's photo column.
    #[schema(format = Binary, value_type = Option<String>)]
    photos: Option<Vec<u8>>,
    /// `merge` (default) or `replace`.
    mode: Option<String>,
    /// `true` to validate and report without writing.
    dry_run: Option<bool>,
    /// Force a text encoding (`cp949`, `utf-8`); detected when absent.
    encoding: Option<String>,
    /// The XLSX sheet to read; the first when absent.
    sheet: Option<String>,
}

/// Uploads a catalog sheet (and optionally a photo ZIP). Answers 202 at once; the upload runs
/// as a job: poll `GET /api/v1/catalog/uploads/{id}`.
#[utoipa::path(post, path = "/api/v1/catalog/uploads", tag = "catalog",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("wholesaler_key" = [])),
    responses(
        (status = 202, description = "Accepted; processing as a job", body = UploadView),
        (status = 400, description = "No file, or a bad form field", body = ErrorBody),
        (status = 413, description = "A file over its limit; nothing was saved", body = ErrorBody)
    ))]
async fn create_upload(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<UploadView>), ApiError> {
    let multipart = multipart?;
    let upload = crate::upload_form::receive(&app, wholesaler, multipart, None).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(UploadView::from_upload(upload, None)),
    ))
}

/// An upload's state, progress and counts.
#[utoipa::path(get, path = "/api/v1/catalog/uploads/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "Upload id")),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The upload", body = UploadView),
        (status = 404, description = "No such upload for this wholesaler", body = ErrorBody)
    ))]
async fn get_upload(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<UploadView>, ApiError> {
    let Path(id) = id?;
    let u = uploads::get_for(&app.store, wholesaler, id).await?;
    let done = u.state.is_final();
    let mut view = UploadView::from_upload(u, None);
    if done {
        view.colour_check =
            Some(ddhub_app::services::colour_check::of_upload(&app.store, wholesaler, id).await?);
    }
    Ok(Json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorsQuery {
    /// Page number from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Problems per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<u64>,
    /// `error` or `warning`; both when absent.
    pub severity: Option<String>,
}

/// The row report: every problem with its Excel row, header, value, severity and messages.
#[utoipa::path(get, path = "/api/v1/catalog/uploads/{id}/errors", tag = "catalog",
    params(("id" = i64, Path, description = "Upload id"), ErrorsQuery),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "One page of problems, in row order", body = ProblemPage),
        (status = 404, description = "No such upload for this wholesaler", body = ErrorBody)
    ))]
async fn upload_errors(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    query: Result<Query<ErrorsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ProblemPage>, ApiError> {
    let Path(id) = id?;
    let Query(q) = query?;
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(100);
    if !(1..=1_000_000).contains(&page) || !(1..=1000).contains(&per_page) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            "page between 1 and 1000000, per_page between 1 and 1000",
        ));
    }
    let severity = match q.severity.as_deref() {
        None | Some("") => None,
        Some(s @ ("error" | "warning")) => Some(s),
        Some(_) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "severity must be error or warning",
            ));
        }
    };
    uploads::get_for(&app.store, wholesaler, id).await?;
    let (total, problems) = uploads::problems(&app.store, id, severity, page - 1, per_page).await?;
    Ok(Json(ProblemPage {
        total,
        page,
        per_page,
        problems: problems.into_iter().map(Into::into).collect(),
    }))
}

/// The original rows with a Korean error column added, as XLSX: fix and upload again.
#[utoipa::path(get, path = "/api/v1/catalog/uploads/{id}/errors.xlsx", tag = "catalog",
    params(("id" = i64, Path, description = "Upload id")),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The sheet with an error column",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, description = "No such upload, or its file could not be read", body = ErrorBody),
        (status = 409, description = "The sheet is still being read and its report not yet written: ask again in a moment (`upload_in_progress`)", body = ErrorBody)
    ))]
async fn upload_errors_xlsx(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(id) = id?;
    crate::upload_form::errors_xlsx(&app, wholesaler, id).await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ColumnMappingBody {
    /// Header as written in your sheet → field key (`style_code`, `title`, `price`, `colours`,
    /// `sizes`, …) or `null` to ignore that column.
    pub columns: std::collections::BTreeMap<String, Option<String>>,
}

/// Your saved column mapping, used on every upload.
#[utoipa::path(get, path = "/api/v1/catalog/column-mapping", tag = "catalog",
    security(("wholesaler_key" = [])),
    responses((status = 200, description = "The mapping", body = ColumnMappingBody)))]
async fn get_mapping(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
) -> Result<Json<ColumnMappingBody>, ApiError> {
    let saved = uploads::column_mapping(&app.store, wholesaler).await?;
    Ok(Json(ColumnMappingBody {
        columns: saved.into_iter().collect(),
    }))
}

/// Saves headers of your own (adds to or overrides the saved mapping).
#[utoipa::path(put, path = "/api/v1/catalog/column-mapping", tag = "catalog",
    request_body = ColumnMappingBody,
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The mapping now in force", body = ColumnMappingBody),
        (status = 422, description = "An unknown field key", body = ErrorBody)
    ))]
async fn put_mapping(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    body: Result<ApiJson<ColumnMappingBody>, ApiError>,
) -> Result<Json<ColumnMappingBody>, ApiError> {
    let ApiJson(body) = body?;
    if body.columns.len() > 200 {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidBody,
            "at most 200 columns",
        ));
    }
    let mut entries = Vec::new();
    for (header, field) in body.columns {
        let h = header.trim();
        if h.is_empty() || h.chars().count() > 100 {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidBody,
                "headers must be 1 to 100 characters",
            ));
        }
        if let Some(f) = &field
            && !ddhub_ingest::Field::ALL.iter().any(|k| k.key() == f)
        {
            let keys: Vec<&str> = ddhub_ingest::Field::ALL.iter().map(|k| k.key()).collect();
            return Err(ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("unknown field {f:?}; expected one of {}", keys.join(", ")),
            ));
        }
        entries.push((h.to_string(), field));
    }
    uploads::save_column_mapping(&app.store, wholesaler, &entries).await?;
    get_mapping(State(app), WholesalerAuth(wholesaler)).await
}
