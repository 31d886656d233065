//! Catalog uploads as their callers see them: the upload view (the same object the API answers
//! and `ddhub ingest --json` prints), its problems page by page, and recording a new upload.

use crate::AppState;
use crate::error::ErrorCode;
use ddhub_domain::WholesalerId;
use ddhub_store::uploads::{self, NewUpload, StoredProblem, Upload};
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Styles that went live before the upload finished: an attempt was cut short mid-commit
    /// (a crash) and the upload resumed. Zero when it ran through once.
    pub styles_live_early: u64,
    /// Why the file could not be read at all (state `failed`).
    pub failure: Option<FailureView>,
    /// Every problem; present in `ddhub ingest --json` (the API pages them at `…/errors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ProblemView>>,
    /// Photos against declared colours (issue 19), on the API's finished upload: the upload's
    /// styles with colour warnings, filled in as their photos are normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour_check: Option<crate::services::colour_check::UploadColourReport>,
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
            styles_live_early: c.styles_live_early,
            failure: u.failure.map(|f| FailureView {
                code: f.code,
                message_ko: f.message_ko,
                message_en: f.message_en,
            }),
            problems,
            colour_check: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub problems: Vec<ProblemView>,
}

/// Records an upload whose files are saved under the data dir and queues its job.
pub async fn create(app: &AppState, upload: NewUpload) -> crate::AppResult<Upload> {
    let upload = uploads::create(&app.store, upload, true).await?;
    app.jobs.notify();
    Ok(upload)
}

/// The error workbook of one of a wholesaler's uploads and the name to download it as (the
/// stem of the uploaded file): `None` when the upload's file can no longer be read.
pub async fn error_workbook(
    app: &AppState,
    wholesaler: WholesalerId,
    id: i64,
) -> crate::AppResult<Option<(std::path::PathBuf, String)>> {
    let upload = uploads::get_for(&app.store, wholesaler, id).await?;
    let paths = crate::services::catalog::MediaPaths::new(&app.config.data_dir);
    use crate::services::catalog::ErrorWorkbook;
    let path = match crate::services::catalog::error_workbook(&app.store, &paths, &upload)
        .await
        .map_err(crate::AppError::internal)?
    {
        ErrorWorkbook::Ready(path) => Some(path),
        ErrorWorkbook::Gone => None,
        ErrorWorkbook::NotYet => {
            return Err(crate::AppError::new(ErrorCode::UploadInProgress)
                .arg("state", upload.state.as_str()));
        }
    };
    let stem = upload
        .file_name
        .rsplit_once('.')
        .map_or(upload.file_name.as_str(), |(s, _)| s)
        .to_string();
    Ok(path.map(|p| (p, stem)))
}

/// Removes files from the media temporary folder ([`MediaPaths::tmp_dir`]) last written more
/// than `min_age` ago: what a process killed while writing a photo leaves behind (a live
/// writer's file is younger). Returns how many were removed.
///
/// [`MediaPaths::tmp_dir`]: crate::services::catalog::MediaPaths::tmp_dir
pub async fn sweep_media_tmp(
    data_dir: &std::path::Path,
    min_age: std::time::Duration,
) -> crate::AppResult<usize> {
    let dir = crate::services::catalog::MediaPaths::new(data_dir).tmp_dir();
    let mut entries = match tokio::fs::read_dir(&dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(crate::AppError::internal(e)),
    };
    let mut removed = 0;
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(crate::AppError::internal)?
    {
        let Ok(meta) = entry.metadata().await else {
            continue;
        };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .unwrap_or_default();
        if meta.is_file() && age >= min_age {
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(file = ?entry.path(), error = %e, "stale media temporary file not removed")
                }
            }
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed media temporary files (left by a crash)");
    }
    Ok(removed)
}

/// Removes upload folders that no upload row names and that are older than `min_age` (by the
/// time in their name): what a process killed mid-transfer leaves behind. Younger ones may
/// still be arriving (a transfer may take up to an hour). Returns how many were removed.
pub async fn sweep_orphan_dirs(
    store: &ddhub_store::Store,
    data_dir: &std::path::Path,
    min_age: std::time::Duration,
) -> crate::AppResult<usize> {
    let root = data_dir.join("uploads");
    let mut entries = match tokio::fs::read_dir(&root).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(crate::AppError::internal(e)),
    };
    let now = ddhub_domain::Timestamp::now().0;
    let min_age_ms = i64::try_from(min_age.as_millis()).unwrap_or(i64::MAX);
    // Old enough folders first: the upload rows are read only when there is one to judge.
    let mut old = Vec::new();
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(crate::AppError::internal)?
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `<created ms>-<token>`, as `MediaPaths::new_upload_dir` names them; anything else is
        // not ours to remove.
        let Some(created) = name
            .split_once('-')
            .and_then(|(ms, _)| ms.parse::<i64>().ok())
        else {
            continue;
        };
        if now.saturating_sub(created) >= min_age_ms {
            old.push((name, entry.path()));
        }
    }
    if old.is_empty() {
        return Ok(0);
    }
    let in_use = uploads::upload_dirs(store).await?;
    let mut removed = 0;
    for (name, path) in old {
        if in_use.contains(&format!("uploads/{name}")) {
            continue;
        }
        match tokio::fs::remove_dir_all(&path).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(dir = %name, error = %e, "orphan upload folder not removed"),
        }
    }
    if removed > 0 {
        tracing::info!(
            removed,
            "removed upload folders no upload names (left by a crash)"
        );
    }
    Ok(removed)
}
