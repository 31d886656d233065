//! Catalog uploads: their state and counts, their row report, and wholesalers' saved column
//! mappings.

use crate::entity::{column_mapping, upload, upload_problem};
use crate::jobs::{self, NewJob};
use crate::{Result, Store, StoreError};
use ddhub_domain::{Timestamp, WholesalerId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

/// Where an upload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    Queued,
    Parsing,
    Committing,
    Done,
    Failed,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Queued => "queued",
            UploadState::Parsing => "parsing",
            UploadState::Committing => "committing",
            UploadState::Done => "done",
            UploadState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "queued" => UploadState::Queued,
            "parsing" => UploadState::Parsing,
            "committing" => UploadState::Committing,
            "done" => UploadState::Done,
            "failed" => UploadState::Failed,
            other => return Err(StoreError::Corrupt(format!("upload state {other:?}"))),
        })
    }

    pub fn is_final(self) -> bool {
        matches!(self, UploadState::Done | UploadState::Failed)
    }
}

/// What an upload does with styles the sheet does not list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UploadMode {
    /// Leaves them alone.
    #[default]
    Merge,
    /// Archives them (never deletes).
    Replace,
}

impl UploadMode {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadMode::Merge => "merge",
            UploadMode::Replace => "replace",
        }
    }
}

impl std::str::FromStr for UploadMode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim() {
            "" | "merge" => Ok(UploadMode::Merge),
            "replace" => Ok(UploadMode::Replace),
            other => Err(format!("mode must be merge or replace, not {other:?}")),
        }
    }
}

/// The counts of an upload, as the API and CLI show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadCounts {
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
    /// Styles an interrupted attempt made live before the upload finished (a crash mid-commit:
    /// its batches were visible before the rest). Zero when the upload ran through once.
    #[serde(default)]
    pub styles_live_early: u64,
    /// Names of the ZIP's photos that matched no style code (the first
    /// [`MAX_UNMATCHED_NAMES`]), for the report; the count above has them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched_photos: Vec<String>,
}

/// Unmatched photo names kept with an upload's counts.
pub const MAX_UNMATCHED_NAMES: usize = 200;

/// A file-level failure: the file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadFailure {
    pub code: String,
    pub message_ko: String,
    pub message_en: String,
}

/// An upload as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub id: i64,
    pub wholesaler_id: WholesalerId,
    pub state: UploadState,
    pub mode: UploadMode,
    pub dry_run: bool,
    pub file_name: String,
    pub file_path: String,
    pub photos_path: Option<String>,
    pub encoding: Option<String>,
    pub sheet_name: Option<String>,
    pub detected_format: Option<String>,
    pub progress: i32,
    pub counts: UploadCounts,
    pub failure: Option<UploadFailure>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

fn to_upload(m: upload::Model) -> Result<Upload> {
    Ok(Upload {
        id: m.id,
        wholesaler_id: WholesalerId(m.wholesaler_id),
        state: UploadState::parse(&m.state)?,
        mode: m.mode.parse().map_err(StoreError::Corrupt)?,
        dry_run: m.dry_run,
        file_name: m.file_name,
        file_path: m.file_path,
        photos_path: m.photos_path,
        encoding: m.encoding,
        sheet_name: m.sheet_name,
        detected_format: m.detected_format,
        progress: m.progress,
        counts: serde_json::from_str(&m.counts)?,
        failure: match (m.failure_code, m.failure_ko, m.failure_en) {
            (Some(code), Some(message_ko), Some(message_en)) => Some(UploadFailure {
                code,
                message_ko,
                message_en,
            }),
            _ => None,
        },
        created_at: Timestamp(m.created_at),
        finished_at: m.finished_at.map(Timestamp),
    })
}

/// What a new upload is made with. Its files are already stored under the data dir.
#[derive(Clone, Debug)]
pub struct NewUpload {
    pub wholesaler: WholesalerId,
    pub mode: UploadMode,
    pub dry_run: bool,
    pub file_name: String,
    pub file_path: String,
    pub photos_path: Option<String>,
    pub encoding: Option<String>,
    pub sheet_name: Option<String>,
}

/// Records an upload. With `queue`, its processing job is written in the same transaction and
/// the upload starts `queued`; without (the CLI processes in place), it starts `parsing`.
pub async fn create(store: &Store, new: NewUpload, queue: bool) -> Result<Upload> {
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    let row = upload::ActiveModel {
        wholesaler_id: Set(new.wholesaler.0),
        state: Set(if queue {
            UploadState::Queued
        } else {
            UploadState::Parsing
        }
        .as_str()
        .to_string()),
        mode: Set(new.mode.as_str().to_string()),
        dry_run: Set(new.dry_run),
        file_name: Set(new.file_name),
        file_path: Set(new.file_path),
        photos_path: Set(new.photos_path),
        encoding: Set(new.encoding),
        sheet_name: Set(new.sheet_name),
        detected_format: Set(None),
        progress: Set(0),
        counts: Set(serde_json::to_string(&UploadCounts::default())?),
        failure_code: Set(None),
        failure_ko: Set(None),
        failure_en: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if queue {
        // An upload is worth only a few tries: a file that fails three times will not parse.
        jobs::enqueue(
            &txn,
            NewJob::of(&ddhub_domain::jobs::CatalogUpload { upload_id: row.id }).max_attempts(3),
        )
        .await?;
    }
    txn.commit().await?;
    to_upload(row)
}

/// An upload, only if it belongs to `wholesaler` (another's is `NotFound`).
pub async fn get_for(store: &Store, wholesaler: WholesalerId, id: i64) -> Result<Upload> {
    upload::Entity::find_by_id(id)
        .filter(upload::Column::WholesalerId.eq(wholesaler.0))
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(to_upload)
}

/// A wholesaler's uploads, newest first, one page (the console's list of past uploads), and
/// how many there are.
pub async fn list_for(
    store: &Store,
    wholesaler: WholesalerId,
    page: u64,
    per_page: u64,
) -> Result<(u64, Vec<Upload>)> {
    let q = upload::Entity::find().filter(upload::Column::WholesalerId.eq(wholesaler.0));
    let total = q.clone().count(store.conn()).await?;
    let (offset, limit) = crate::page_window(page, per_page);
    let rows = q
        .order_by_desc(upload::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(store.conn())
        .await?;
    Ok((
        total,
        rows.into_iter().map(to_upload).collect::<Result<_>>()?,
    ))
}

/// An upload by id (for the job that processes it).
pub async fn get(store: &Store, id: i64) -> Result<Upload> {
    upload::Entity::find_by_id(id)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(to_upload)
}

/// Moves an upload to `state` with `progress` (0-100).
pub async fn set_state(store: &Store, id: i64, state: UploadState, progress: i32) -> Result<()> {
    upload::Entity::update_many()
        .col_expr(upload::Column::State, Expr::value(state.as_str()))
        .col_expr(
            upload::Column::Progress,
            Expr::value(progress.clamp(0, 100)),
        )
        .col_expr(upload::Column::UpdatedAt, Expr::value(Timestamp::now().0))
        .filter(upload::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// Records what the reader found out about the file.
pub async fn set_detected(
    store: &Store,
    id: i64,
    format: &str,
    encoding: Option<&str>,
) -> Result<()> {
    upload::Entity::update_many()
        .col_expr(upload::Column::DetectedFormat, Expr::value(format))
        .col_expr(
            upload::Column::Encoding,
            Expr::value(encoding.map(str::to_string)),
        )
        .filter(upload::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// Ends an upload: `done` with its counts, or `failed` with a file-level failure.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    counts: &UploadCounts,
    failure: Option<&UploadFailure>,
) -> Result<()> {
    let now = Timestamp::now().0;
    let state = if failure.is_some() {
        UploadState::Failed
    } else {
        UploadState::Done
    };
    upload::Entity::update_many()
        .col_expr(upload::Column::State, Expr::value(state.as_str()))
        .col_expr(upload::Column::Progress, Expr::value(100))
        .col_expr(
            upload::Column::Counts,
            Expr::value(serde_json::to_string(counts)?),
        )
        .col_expr(
            upload::Column::FailureCode,
            Expr::value(failure.map(|f| f.code.clone())),
        )
        .col_expr(
            upload::Column::FailureKo,
            Expr::value(failure.map(|f| f.message_ko.clone())),
        )
        .col_expr(
            upload::Column::FailureEn,
            Expr::value(failure.map(|f| f.message_en.clone())),
        )
        .col_expr(upload::Column::UpdatedAt, Expr::value(now))
        .col_expr(upload::Column::FinishedAt, Expr::value(now))
        .filter(upload::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// One problem of the row report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProblem {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub severity: String,
    pub code: String,
    pub message_ko: String,
    pub message_en: String,
}

/// Replaces the row report of an upload (a retried job writes it afresh).
pub async fn replace_problems(store: &Store, id: i64, problems: &[StoredProblem]) -> Result<()> {
    let txn = store.begin_write().await?;
    upload_problem::Entity::delete_many()
        .filter(upload_problem::Column::UploadId.eq(id))
        .exec(&txn)
        .await?;
    // Eight values a row; stay well under every engine's bind limit.
    for chunk in problems.chunks(3_000) {
        let rows = chunk.iter().map(|p| upload_problem::ActiveModel {
            upload_id: Set(id),
            row: Set(i32::try_from(p.row).unwrap_or(i32::MAX)),
            column: Set(p.column.chars().take(500).collect()),
            value: Set(p.value.chars().take(1_000).collect()),
            severity: Set(p.severity.clone()),
            code: Set(p.code.clone()),
            message_ko: Set(p.message_ko.clone()),
            message_en: Set(p.message_en.clone()),
            ..Default::default()
        });
        upload_problem::Entity::insert_many(rows).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A page of an upload's row report, in row order, optionally only one severity.
pub async fn problems(
    store: &Store,
    id: i64,
    severity: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<(u64, Vec<StoredProblem>)> {
    let mut q = upload_problem::Entity::find().filter(upload_problem::Column::UploadId.eq(id));
    if let Some(s) = severity {
        q = q.filter(upload_problem::Column::Severity.eq(s));
    }
    let total = q.clone().count(store.conn()).await?;
    let rows = q
        .order_by_asc(upload_problem::Column::Row)
        .order_by_asc(upload_problem::Column::Id)
        .offset(crate::page_window(page, per_page).0)
        .limit(crate::page_window(page, per_page).1)
        .all(store.conn())
        .await?;
    Ok((
        total,
        rows.into_iter()
            .map(|r| StoredProblem {
                row: u32::try_from(r.row).unwrap_or(0),
                column: r.column,
                value: r.value,
                severity: r.severity,
                code: r.code,
                message_ko: r.message_ko,
                message_en: r.message_en,
            })
            .collect(),
    ))
}

/// A wholesaler's saved column mapping: header as written → field key (`None`: ignore).
pub async fn column_mapping(
    store: &Store,
    wholesaler: WholesalerId,
) -> Result<Vec<(String, Option<String>)>> {
    Ok(column_mapping::Entity::find()
        .filter(column_mapping::Column::WholesalerId.eq(wholesaler.0))
        .order_by_asc(column_mapping::Column::Header)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|m| (m.header, m.field))
        .collect())
}

/// Saves (adds to or overrides) a wholesaler's column mapping.
pub async fn save_column_mapping(
    store: &Store,
    wholesaler: WholesalerId,
    entries: &[(String, Option<String>)],
) -> Result<()> {
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    for (header, field) in entries {
        column_mapping::Entity::insert(column_mapping::ActiveModel {
            wholesaler_id: Set(wholesaler.0),
            header: Set(header.clone()),
            field: Set(field.clone()),
            updated_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                column_mapping::Column::WholesalerId,
                column_mapping::Column::Header,
            ])
            .update_columns([
                column_mapping::Column::Field,
                column_mapping::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The folders (relative to the data dir) that uploads' files live in: every folder that
/// holds an upload's sheet or photo bundle.
pub async fn upload_dirs(store: &Store) -> Result<std::collections::HashSet<String>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(String, Option<String>)> = upload::Entity::find()
        .select_only()
        .column(upload::Column::FilePath)
        .column(upload::Column::PhotosPath)
        .into_tuple()
        .all(store.conn())
        .await?;
    let parent = |p: &str| p.rsplit_once('/').map(|(d, _)| d.to_string());
    Ok(rows
        .iter()
        .flat_map(|(f, p)| [parent(f), p.as_deref().and_then(parent)])
        .flatten()
        .collect())
}
