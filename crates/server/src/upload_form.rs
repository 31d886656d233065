//! The upload form (multipart: a sheet, a photo ZIP, options) read from a request and streamed
//! to disk, and the error workbook as a download. The API route and the console page both take
//! uploads through here; recording them is `ddhub_app::services::uploads`.

use crate::error::{ApiError, ErrorCode};
use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ddhub_app::AppState;
use ddhub_app::services::catalog::MediaPaths;
use ddhub_store::uploads::{NewUpload, Upload, UploadMode};
use tokio::io::AsyncWriteExt;

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
    let mut file = tokio::fs::File::create(path).await?;
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
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
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
    let (dir, rel) = paths.new_upload_dir()?;
    // Whatever goes wrong before the upload is recorded, its files go.
    let cleanup = scopeguard(dir.clone());
    let mut file: Option<(String, String)> = None;
    let mut photos: Option<String> = None;
    let mut mode = UploadMode::Merge;
    let mut dry_run = false;
    let mut encoding = None;
    let mut sheet = None;
    loop {
        let next = multipart.next_field().await?;
        let Some(mut field) = next else { break };
        let name = field.name().unwrap_or("").to_string();
        if let Some(expected) = csrf
            && !csrf_checked
        {
            if name != "csrf" {
                return Err(ApiError::new(ErrorCode::CsrfInvalid));
            }
            let sent = field.text().await?;
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
                // A browser sends a file input left empty as a part with no file name and no
                // bytes (the console's upload form always has the photo input): no ZIP, not a
                // damaged one.
                let unnamed = field.file_name().is_none_or(|n| n.trim().is_empty());
                let path = dir.join("photos.zip");
                let written = save_field(
                    &mut field,
                    &path,
                    "photos",
                    app.config.upload_photos_limit_bytes,
                )
                .await?;
                if written == 0 && unnamed {
                    tokio::fs::remove_file(&path).await?;
                    continue;
                }
                photos = Some(format!("{rel}/photos.zip"));
            }
            "mode" | "dry_run" | "encoding" | "sheet" => {
                let text = field.text().await?;
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
    let upload = ddhub_app::services::uploads::create(
        app,
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
    )
    .await?;
    cleanup.disarm();
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

/// The error XLSX of one of a wholesaler's uploads as a download; the console serves it too.
pub async fn errors_xlsx(
    app: &AppState,
    wholesaler: ddhub_domain::WholesalerId,
    id: i64,
) -> Result<axum::response::Response, ApiError> {
    let (path, stem) = ddhub_app::services::uploads::error_workbook(app, wholesaler, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Streamed from the file made at ingest: a download costs a file read, and stops when
    // the client goes away.
    let file = tokio::fs::File::open(&path).await?;
    let len = file.metadata().await?.len();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let stem = stem.as_str();
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
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        body,
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
