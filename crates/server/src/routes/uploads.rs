//! Catalog uploads (wholesaler key): a sheet and an optional photo ZIP in, a job that reads,
//! validates and commits them, and the row report out as JSON and as an XLSX to fix and upload
//! again.

use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ddhub_app::AppState;
use ddhub_app::services::catalog::MediaPaths;
use ddhub_store::uploads::{self, NewUpload, StoredProblem, Upload, UploadMode};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
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

/// The upload view: the same object `ddhub ingest --json` prints.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadView {
    pub upload_id: i64,
    /// `queued`, `parsing`, `committing`, `done` or `failed`.
    pub state: String,
    /// 0 to 100.
    pub progress: i32,
    pub mode: String,
    pub dry_run: bool,
    pub file_name: String,
    /// `xlsx`, `csv`, `tsv` or `json`, once read.
    pub detected_format: Option<String>,
    pub encoding: Option<String>,
    pub rows: u64,
    pub styles_created: u64,
    pub styles_updated: u64,
    pub styles_unchanged: u64,
    pub styles_archived: u64,
    pub skus: u64,
    pub errors: u64,
    pub warnings: u64,
    pub photos_matched: u64,
    pub photos_missing: u64,
    pub photos_unmatched: u64,
    /// Why the file could not be read at all (state `failed`).
    pub failure: Option<FailureView>,
    /// Every problem; present in `ddhub ingest --json` (the API pages them at `…/errors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ProblemView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FailureView {
    pub code: String,
    pub message_ko: String,
    pub message_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemView {
    /// The Excel row number as the owner sees it.
    pub row: u32,
    /// The header as written.
    pub column: String,
    pub value: String,
    /// `error` or `warning`.
    pub severity: String,
    pub code: String,
    pub message_ko: String,
    pub message_en: String,
}

impl From<StoredProblem> for ProblemView {
    fn from(p: StoredProblem) -> Self {
        ProblemView {
            row: p.row,
            column: p.column,
            value: p.value,
            severity: p.severity,
            code: p.code,
            message_ko: p.message_ko,
            message_en: p.message_en,
        }
    }
}

impl UploadView {
    pub fn from_upload(u: Upload, problems: Option<Vec<ProblemView>>) -> Self {
        let c = u.counts;
        UploadView {
            upload_id: u.id,
            state: u.state.as_str().to_string(),
            progress: u.progress,
            mode: u.mode.as_str().to_string(),
            dry_run: u.dry_run,
            file_name: u.file_name,
            detected_format: u.detected_format,
            encoding: u.encoding,
            rows: c.rows,
            styles_created: c.styles_created,
            styles_updated: c.styles_updated,
            styles_unchanged: c.styles_unchanged,
            styles_archived: c.styles_archived,
            skus: c.skus,
            errors: c.errors,
            warnings: c.warnings,
            photos_matched: c.photos_matched,
            photos_missing: c.photos_missing,
            photos_unmatched: c.photos_unmatched,
            failure: u.failure.map(|f| FailureView {
                code: f.code,
                message_ko: f.message_ko,
                message_en: f.message_en,
            }),
            problems,
        }
    }
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

fn human(limit: u64) -> String {
    if limit >= 1024 * 1024 * 1024 {
        format!("{} GB", limit / (1024 * 1024 * 1024))
    } else {
        format!("{} MB", limit / (1024 * 1024))
    }
}

/// Streams one multipart field to `path`, refusing it past `limit` bytes.
async fn save_field(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    name: &str,
    limit: u64,
) -> Result<u64, ApiError> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(ApiError::internal)?;
    let mut written: u64 = 0;
    loop {
        let chunk = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::UploadTooLarge)
                    .arg("field", name)
                    .arg("limit", human(limit))
            } else {
                ApiError::with_detail(ErrorCode::UploadBadField, e.body_text())
            }
        })?;
        let Some(chunk) = chunk else { break };
        written += chunk.len() as u64;
        if written > limit {
            return Err(ApiError::new(ErrorCode::UploadTooLarge)
                .arg("field", name)
                .arg("limit", human(limit)));
        }
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.sync_all().await.map_err(ApiError::internal)?;
    Ok(written)
}

/// A file name fit to show and store: the last path component, no control characters.
fn clean_name(raw: Option<&str>) -> String {
    let name = raw
        .unwrap_or("upload")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload");
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.trim().is_empty() {
        "upload".into()
    } else {
        name
    }
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
    let multipart = multipart.map_err(ApiError::from)?;
    let upload = receive(&app, wholesaler, multipart, None).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(UploadView::from_upload(upload, None)),
    ))
}

/// Streams an upload form to disk, records the upload and queues its job. The console passes
/// its session's CSRF token: the form must then send a matching `csrf` field before any file,
/// so that no byte of a forged post is written.
pub async fn receive(
    app: &AppState,
    wholesaler: ddhub_domain::WholesalerId,
    mut multipart: Multipart,
    csrf: Option<&str>,
) -> Result<Upload, ApiError> {
    let mut csrf_checked = csrf.is_none();
    let paths = MediaPaths::new(&app.config.data_dir);
    let (dir, rel) = paths.new_upload_dir().map_err(ApiError::internal)?;
    // Whatever goes wrong before the upload is recorded, its files go.
    let cleanup = scopeguard(dir.clone());
    let mut file: Option<(String, String)> = None;
    let mut photos: Option<String> = None;
    let mut mode = UploadMode::Merge;
    let mut dry_run = false;
    let mut encoding = None;
    let mut sheet = None;
    loop {
        let next = multipart.next_field().await.map_err(ApiError::from)?;
        let Some(mut field) = next else { break };
        let name = field.name().unwrap_or("").to_string();
        if let Some(expected) = csrf
            && !csrf_checked
        {
            if name != "csrf" {
                return Err(ApiError::new(ErrorCode::CsrfInvalid));
            }
            let sent = field
                .text()
                .await
                .map_err(|e| ApiError::with_detail(ErrorCode::UploadBadField, e.body_text()))?;
            if !crate::pages::session::csrf_matches(expected, &sent) {
                return Err(ApiError::new(ErrorCode::CsrfInvalid));
            }
            csrf_checked = true;
            continue;
        }
        match name.as_str() {
            "file" => {
                if file.is_some() {
                    return Err(ApiError::with_detail(
                        ErrorCode::UploadBadField,
                        "more than one 'file'",
                    ));
                }
                let original = clean_name(field.file_name());
                let stored = format!("{rel}/sheet");
                save_field(
                    &mut field,
                    &dir.join("sheet"),
                    "file",
                    app.config.upload_sheet_limit_bytes,
                )
                .await?;
                file = Some((original, stored));
            }
            "photos" => {
                if photos.is_some() {
                    return Err(ApiError::with_detail(
                        ErrorCode::UploadBadField,
                        "more than one 'photos'",
                    ));
                }
                save_field(
                    &mut field,
                    &dir.join("photos.zip"),
                    "photos",
                    app.config.upload_photos_limit_bytes,
                )
                .await?;
                photos = Some(format!("{rel}/photos.zip"));
            }
            "mode" | "dry_run" | "encoding" | "sheet" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::with_detail(ErrorCode::UploadBadField, e.body_text()))?;
                if text.len() > 200 {
                    return Err(ApiError::with_detail(
                        ErrorCode::UploadBadField,
                        format!("'{name}' is too long"),
                    ));
                }
                let text = text.trim().to_string();
                match name.as_str() {
                    "mode" => {
                        mode = text.parse().map_err(|e: String| {
                            ApiError::with_detail(ErrorCode::UploadBadField, e)
                        })?
                    }
                    "dry_run" => {
                        dry_run = match text.as_str() {
                            "" | "false" | "0" | "no" => false,
                            "true" | "1" | "yes" | "on" => true,
                            _ => {
                                return Err(ApiError::with_detail(
                                    ErrorCode::UploadBadField,
                                    "dry_run must be true or false",
                                ));
                            }
                        }
                    }
                    "encoding" => encoding = (!text.is_empty()).then_some(text),
                    _ => sheet = (!text.is_empty()).then_some(text),
                }
            }
            other => {
                return Err(ApiError::with_detail(
                    ErrorCode::UploadBadField,
                    format!(
                        "unknown field {other:?}: expected file, photos, mode, dry_run, encoding or sheet"
                    ),
                ));
            }
        }
    }
    if !csrf_checked {
        return Err(ApiError::new(ErrorCode::CsrfInvalid));
    }
    let Some((file_name, file_path)) = file else {
        return Err(ApiError::new(ErrorCode::UploadMissingFile));
    };
    let upload = uploads::create(
        &app.store,
        NewUpload {
            wholesaler,
            mode,
            dry_run,
            file_name,
            file_path,
            photos_path: photos,
            encoding,
            sheet_name: sheet,
        },
        true,
    )
    .await?;
    cleanup.disarm();
    app.jobs.notify();
    Ok(upload)
}

/// Removes a folder on drop unless disarmed.
struct DirGuard(Option<std::path::PathBuf>);

fn scopeguard(dir: std::path::PathBuf) -> DirGuard {
    DirGuard(Some(dir))
}

impl DirGuard {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for DirGuard {
    fn drop(&mut self) {
        if let Some(d) = self.0.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
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
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    let u = uploads::get_for(&app.store, wholesaler, id).await?;
    Ok(Json(UploadView::from_upload(u, None)))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub problems: Vec<ProblemView>,
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
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    let Query(q) =
        query.map_err(|e| ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text()))?;
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
        (status = 404, description = "No such upload, or its file could not be read", body = ErrorBody)
    ))]
async fn upload_errors_xlsx(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    errors_xlsx(&app, wholesaler, id).await
}

/// The error XLSX of one of a wholesaler's uploads as a download; the console serves it too.
pub async fn errors_xlsx(
    app: &AppState,
    wholesaler: ddhub_domain::WholesalerId,
    id: i64,
) -> Result<axum::response::Response, ApiError> {
    let upload = uploads::get_for(&app.store, wholesaler, id).await?;
    let bytes = ddhub_app::services::catalog::error_report(
        &app.store,
        &MediaPaths::new(&app.config.data_dir),
        &upload,
    )
    .await
    .map_err(ApiError::internal)?
    .ok_or_else(ApiError::not_found)?;
    let stem = upload
        .file_name
        .rsplit_once('.')
        .map_or(upload.file_name.as_str(), |(s, _)| s);
    let ascii: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}-errors.xlsx\"; filename*=UTF-8''{}-errors.xlsx",
        percent(stem)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
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
    body: Result<Json<ColumnMappingBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ColumnMappingBody>, ApiError> {
    let Json(body) = body.map_err(ApiError::from)?;
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
