//! Processing a catalog upload: read and validate the sheet (ddhub-ingest), match and store the
//! photos, commit the good rows in batches, and record the row report. The same function runs
//! in the `catalog.upload` job and in `ddhub ingest` on the command line.
//!
//! Nothing is half-applied: a file-level failure (unreadable sheet, hostile ZIP) fails the upload
//! before any style is written; rows with errors are skipped whole; each batch of styles commits
//! in one transaction with its follow-up job; a retried upload is idempotent (unchanged styles
//! are left alone).

use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::{Timestamp, WholesalerId};
use ddhub_ingest::{
    ColumnMapping, Field, PhotoBundle, ReadOptions, SheetError, Validated, ZipError, ZipLimits,
};
use ddhub_store::catalog::{self, StyleInput, UpsertOutcome};
use ddhub_store::uploads::{
    self, StoredProblem, Upload, UploadCounts, UploadFailure, UploadMode, UploadState,
};
use ddhub_store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Styles committed per transaction: big enough to amortise the commit's fsync, small enough
/// that progress moves and a lock is never held for long.
const BATCH: usize = 5_000;

/// Why processing stopped short of `done` or `failed`; the job retries these.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading a stored file: {0}")]
    Io(#[from] std::io::Error),
    #[error("a blocking task failed: {0}")]
    Join(String),
}

/// Where uploads and media live under the data dir.
#[derive(Debug, Clone)]
pub struct MediaPaths {
    pub data_dir: PathBuf,
}

impl MediaPaths {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
        }
    }

    /// A fresh folder for one upload's files, and its path relative to the data dir.
    pub fn new_upload_dir(&self) -> std::io::Result<(PathBuf, String)> {
        let token = hex::encode(rand_bytes());
        let rel = format!("uploads/{}-{token}", Timestamp::now().0);
        let abs = self.data_dir.join(&rel);
        std::fs::create_dir_all(&abs)?;
        Ok((abs, rel))
    }

    pub fn resolve(&self, rel: &str) -> PathBuf {
        self.data_dir.join(rel)
    }

    /// Where an upload's error workbook is kept: beside its sheet (stored as `sheet`), written
    /// once when the upload is read, so a download never reads the sheet again.
    pub fn error_workbook(&self, upload: &Upload) -> PathBuf {
        self.resolve(&upload.file_path)
            .with_file_name("errors.xlsx")
    }

    /// Where media files are written before they are renamed into place (beside the media,
    /// so the rename stays on one filesystem); what a killed process leaves here is swept by
    /// [`crate::services::uploads::sweep_media_tmp`].
    pub fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("media/tmp")
    }

    /// Where an original photo with this SHA-256 is kept (content-addressed: identical uploads
    /// share one file).
    pub fn original(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("00");
        self.data_dir
            .join("media/originals")
            .join(prefix)
            .join(sha256)
    }
}

fn rand_bytes() -> [u8; 8] {
    use rand::RngExt;
    rand::rng().random()
}

fn failure_from_sheet(e: &SheetError) -> UploadFailure {
    UploadFailure {
        code: e.code().to_string(),
        message_ko: e.message_ko(),
        message_en: e.message_en(),
    }
}

fn failure_from_zip(e: &ZipError) -> UploadFailure {
    UploadFailure {
        code: format!("photos_{}", e.code()),
        message_ko: format!("사진 ZIP: {}", e.message_ko()),
        message_en: format!("Photo ZIP: {e}"),
    }
}

/// Builds the reader's column mapping from a wholesaler's saved one (unknown field keys, which
/// can only come from an older version, are ignored).
/// Creates or updates one style of `wholesaler` (the JSON API's upsert by style code), in one
/// transaction; a change wakes the worker for its reindex and translations.
pub async fn put_style(
    app: &crate::AppState,
    wholesaler: WholesalerId,
    input: &StyleInput,
) -> Result<UpsertOutcome, StoreError> {
    let txn = app.store.begin_write().await?;
    let outcome = catalog::upsert_style(&txn, wholesaler, input).await?;
    txn.commit().await?;
    if !matches!(outcome, UpsertOutcome::Unchanged(_)) {
        app.jobs.notify();
    }
    Ok(outcome)
}

/// What the console's style list changes by hand (issue 21, item 4): the price, and the 품절
/// switch (a sold-out style stays listed, every SKU sold out; switching back makes it active).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuickEdit {
    pub price: Option<ddhub_domain::Krw>,
    pub sold_out: Option<bool>,
}

/// Applies a [`QuickEdit`] to one style of `wholesaler` through [`put_style`], the very path
/// of an upload's row or the API's PUT: the same rules, change groups, jobs (reindex, feeds)
/// and content hash. An archived style (gone from the catalog) is not edited here: a new upload
/// brings it back. `InvalidBody` names a price out of range.
pub async fn quick_edit(
    app: &crate::AppState,
    wholesaler: WholesalerId,
    id: ddhub_domain::StyleId,
    edit: QuickEdit,
) -> crate::AppResult<UpsertOutcome> {
    use crate::error::{AppError, ErrorCode};
    let mut input = catalog::stored_input(&app.store, wholesaler, id).await?;
    if input.state == StyleState::Archived {
        return Err(AppError::with_detail(
            ErrorCode::Conflict,
            "an archived style is brought back by uploading it again",
        ));
    }
    if let Some(p) = edit.price {
        if !(1..=ddhub_domain::style_rules::MAX_PRICE_KRW).contains(&p.0) {
            return Err(AppError::with_detail(
                ErrorCode::InvalidBody,
                ddhub_domain::style_rules::Breach::PriceOutOfRange.message_en(),
            ));
        }
        input.price = p;
    }
    if let Some(sold_out) = edit.sold_out {
        input.state = if sold_out {
            StyleState::SoldOut
        } else {
            StyleState::Active
        };
    }
    Ok(put_style(app, wholesaler, &input).await?)
}

pub fn mapping_from_saved(saved: &[(String, Option<String>)]) -> ColumnMapping {
    let mut m = ColumnMapping::new();
    for (header, field) in saved {
        match field {
            None => m = m.with(header.clone(), None),
            Some(key) => {
                if let Some(f) = Field::ALL.iter().find(|f| f.key() == key) {
                    m = m.with(header.clone(), Some(*f));
                }
            }
        }
    }
    m
}

/// The store's view of a parsed row (moved, not copied: the catalog is held once).
fn to_input(p: ddhub_ingest::ParsedStyle) -> StyleInput {
    let stock = if p.sold_out {
        StockState::SoldOut
    } else {
        StockState::InStock
    };
    let mut skus = Vec::with_capacity(p.colours.len() * p.sizes.len());
    for c in &p.colours {
        for s in &p.sizes {
            skus.push((c.clone(), s.clone(), stock));
        }
    }
    StyleInput {
        style_code: p.style_code,
        title_ko: p.title_ko,
        category: p.category.unwrap_or_else(|| "uncategorized".to_string()),
        price: p.price,
        moq: Quantity(p.moq.0),
        composition: p.composition,
        origin: p.origin,
        season: p.season,
        same_day_dispatch: p.same_day,
        description_ko: p.description,
        weight_grams: p.weight_grams,
        state: if p.sold_out {
            StyleState::SoldOut
        } else {
            StyleState::Active
        },
        extra: p
            .extra
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect(),
        skus,
        measurements: p.measurements,
        fit_note: p.fit_note,
    }
}

/// A writer that hashes what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A photo extracted from the bundle into the originals store.
#[derive(Debug, Clone)]
struct StoredPhoto {
    style_code: String,
    position: usize,
    file_name: String,
    sha256: String,
}

/// Opens the bundle, matches it against the rows and copies every matched photo into the
/// originals store, checking every limit while reading. Runs on a blocking thread.
fn extract_photos(
    paths: &MediaPaths,
    zip_path: &Path,
    validated: &Validated,
) -> Result<Result<(Vec<StoredPhoto>, ddhub_ingest::PhotoMatches), ZipError>, std::io::Error> {
    let file = std::fs::File::open(zip_path)?;
    let mut bundle = match PhotoBundle::open(std::io::BufReader::new(file), &ZipLimits::PHOTOS) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    let matches = ddhub_ingest::match_photos(&validated.styles, bundle.entries());
    // One copy per archive entry, however many styles share it.
    let mut by_entry: HashMap<usize, String> = HashMap::new();
    let mut stored = Vec::new();
    for m in &matches.matched {
        let sha = match by_entry.get(&m.entry_index) {
            Some(sha) => sha.clone(),
            None => {
                let tmp_dir = paths.tmp_dir();
                std::fs::create_dir_all(&tmp_dir)?;
                let tmp = tmp_dir.join(format!("{}.part", hex::encode(rand_bytes())));
                let mut w = HashingWriter {
                    inner: std::io::BufWriter::new(std::fs::File::create(&tmp)?),
                    hasher: Sha256::new(),
                };
                if let Err(e) = bundle.copy_to(m.entry_index, &mut w) {
                    drop(w);
                    let _ = std::fs::remove_file(&tmp);
                    return Ok(Err(e));
                }
                w.flush()?;
                let sha = hex::encode(w.hasher.finalize());
                let dest = paths.original(&sha);
                if let Some(dir) = dest.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                if dest.exists() {
                    std::fs::remove_file(&tmp)?;
                } else {
                    std::fs::rename(&tmp, &dest)?;
                }
                by_entry.insert(m.entry_index, sha.clone());
                sha
            }
        };
        stored.push(StoredPhoto {
            style_code: m.style_code.clone(),
            position: m.position,
            file_name: m.file_name.clone(),
            sha256: sha,
        });
    }
    Ok(Ok((stored, matches)))
}

/// Processes upload `id` to `done` or `failed`. `progress` hears each state and percentage.
pub async fn process(
    store: &Store,
    paths: &MediaPaths,
    id: i64,
    progress: &(dyn Fn(UploadState, i32) + Send + Sync),
) -> Result<Upload, ProcessError> {
    let upload = uploads::get(store, id).await?;
    if upload.state.is_final() {
        return Ok(upload);
    }
    // An attempt cut short while committing (a crash, a lost lease): some batches may be in
    // already. Its progress never goes back, and its counts are taken from the catalog.
    let resumed = upload.state == UploadState::Committing;
    let floor = if resumed { upload.progress } else { 0 };
    // What the cut-short attempt had already made live (issue 16, item 9): the report says so
    // plainly, since those styles were visible before the rest of the upload.
    let live_early = if resumed {
        let before = catalog::upload_outcome_counts(
            store.conn(),
            upload.wholesaler_id,
            id,
            upload.created_at,
        )
        .await?;
        (before.created + before.updated) as u64
    } else {
        0
    };
    let report = |state: UploadState, pct: i32| {
        let pct = pct.max(floor);
        progress(state, pct);
        uploads::set_state(store, id, state, pct)
    };
    report(UploadState::Parsing, 5).await?;
    let started = std::time::Instant::now();
    let saved = uploads::column_mapping(store, upload.wholesaler_id).await?;
    let opts = ReadOptions {
        encoding: upload.encoding.clone(),
        sheet_name: upload.sheet_name.clone(),
        mapping: mapping_from_saved(&saved),
        file_name: Some(upload.file_name.clone()),
        ..Default::default()
    };
    let sheet_path = paths.resolve(&upload.file_path);
    let bytes = tokio::fs::read(&sheet_path).await?;
    let parsed = tokio::task::spawn_blocking(move || ddhub_ingest::ingest(&bytes, &opts))
        .await
        .map_err(|e| ProcessError::Join(e.to_string()))?;
    let (sheet, validated) = match parsed {
        Ok(ok) => ok,
        Err(e) => {
            uploads::finish(
                store.conn(),
                id,
                &UploadCounts::default(),
                Some(&failure_from_sheet(&e)),
            )
            .await?;
            return Ok(uploads::get(store, id).await?);
        }
    };
    uploads::set_detected(
        store,
        id,
        &format!("{:?}", sheet.format).to_lowercase(),
        sheet.encoding,
    )
    .await?;
    // The error workbook, once, from the sheet already in memory (the download only streams
    // it: re-reading a hostile sheet per request made it a denial-of-service lever).
    let workbook_path = paths.error_workbook(&upload);
    let (sheet, validated) = tokio::task::spawn_blocking(move || {
        let written = write_error_workbook(&sheet, &validated.problems, &workbook_path);
        (sheet, validated, written)
    })
    .await
    .map_err(|e| ProcessError::Join(e.to_string()))
    .and_then(|(sheet, validated, written)| written.map(|()| (sheet, validated)))?;
    drop(sheet);
    let problems: Vec<StoredProblem> = validated
        .problems
        .iter()
        .map(|p| StoredProblem {
            row: p.row,
            column: p.column.clone(),
            value: p.value.clone(),
            severity: p.severity.as_str().to_string(),
            code: p.code.as_str().to_string(),
            message_ko: p.message_ko.clone(),
            message_en: p.message_en.clone(),
        })
        .collect();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "upload read and validated"
    );
    uploads::replace_problems(store, id, &problems).await?;
    report(UploadState::Parsing, 25).await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        problems = problems.len(),
        "upload problems stored"
    );

    let mut counts = UploadCounts {
        rows: validated.rows as u64,
        skus: validated.sku_count() as u64,
        errors: validated.errors().count() as u64,
        warnings: validated.warnings().count() as u64,
        ..Default::default()
    };
    drop(problems);

    // Photos are extracted before any style is written, so a hostile bundle changes nothing.
    let mut photos: Vec<StoredPhoto> = Vec::new();
    let validated = if let Some(rel) = &upload.photos_path {
        let zip_path = paths.resolve(rel);
        let p = paths.clone();
        let (extracted, validated) = tokio::task::spawn_blocking(move || {
            let r = extract_photos(&p, &zip_path, &validated);
            (r, validated)
        })
        .await
        .map_err(|e| ProcessError::Join(e.to_string()))?;
        let extracted = extracted?;
        match extracted {
            Ok((stored, matches)) => {
                counts.photos_matched = matches.matched.len() as u64;
                counts.photos_missing = matches.missing.len() as u64;
                counts.photos_unmatched = matches.unmatched.len() as u64;
                counts.unmatched_photos = matches
                    .unmatched
                    .iter()
                    .take(uploads::MAX_UNMATCHED_NAMES)
                    .cloned()
                    .collect();
                photos = stored;
            }
            Err(e) => {
                uploads::finish(store.conn(), id, &counts, Some(&failure_from_zip(&e))).await?;
                return Ok(uploads::get(store, id).await?);
            }
        }
        validated
    } else {
        validated
    };
    // The parsed rows are consumed here: peak memory holds one copy of the catalog, not two.
    let inputs: Vec<StyleInput> = validated.styles.into_iter().map(to_input).collect();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "upload rows converted"
    );

    if upload.dry_run {
        let dry = catalog::classify(store.conn(), upload.wholesaler_id, &inputs).await?;
        counts.styles_created = dry.created as u64;
        counts.styles_updated = dry.updated as u64;
        counts.styles_unchanged = dry.unchanged as u64;
        uploads::finish(store.conn(), id, &counts, None).await?;
        progress(UploadState::Done, 100);
        return Ok(uploads::get(store, id).await?);
    }

    report(UploadState::Committing, 30).await?;
    let total = inputs.len().max(1);
    let mut ids_by_code: HashMap<String, i64> = HashMap::with_capacity(inputs.len());
    for (n, chunk) in inputs.chunks(BATCH).enumerate() {
        let txn = store.begin_write().await?;
        let out = catalog::upsert_styles(&txn, upload.wholesaler_id, Some(id), chunk).await?;
        txn.commit().await.map_err(StoreError::from)?;
        for (input, outcome) in chunk.iter().zip(out.outcomes) {
            let sid = match outcome {
                UpsertOutcome::Created(s) => {
                    counts.styles_created += 1;
                    s
                }
                UpsertOutcome::Updated(s) => {
                    counts.styles_updated += 1;
                    s
                }
                UpsertOutcome::Unchanged(s) => {
                    counts.styles_unchanged += 1;
                    s
                }
            };
            ids_by_code.insert(input.style_code.clone(), sid.0);
        }
        let done = (n + 1) * BATCH;
        let pct = 30 + i32::try_from(60 * done.min(total) / total).unwrap_or(60);
        report(UploadState::Committing, pct).await?;
    }
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "upload styles committed"
    );
    if !photos.is_empty() {
        attach_photos(store, &photos, &ids_by_code).await?;
    }
    if resumed {
        let done = catalog::upload_outcome_counts(
            store.conn(),
            upload.wholesaler_id,
            id,
            upload.created_at,
        )
        .await?;
        counts.styles_created = done.created as u64;
        counts.styles_updated = done.updated as u64;
        counts.styles_unchanged = done.unchanged as u64;
        counts.styles_live_early = live_early;
    }
    let txn = store.begin_write().await?;
    if upload.mode == UploadMode::Replace {
        counts.styles_archived = catalog::archive_unlisted(&txn, upload.wholesaler_id, id)
            .await?
            .len() as u64;
    }
    uploads::finish(&txn, id, &counts, None).await?;
    txn.commit().await.map_err(StoreError::from)?;
    progress(UploadState::Done, 100);
    Ok(uploads::get(store, id).await?)
}

/// Records the extracted photos on their styles (new ones only, each with its normalisation
/// job), in one transaction.
async fn attach_photos(
    store: &Store,
    photos: &[StoredPhoto],
    ids_by_code: &HashMap<String, i64>,
) -> Result<(), ProcessError> {
    let txn = store.begin_write().await?;
    for p in photos {
        let Some(style_id) = ids_by_code.get(&p.style_code) else {
            continue;
        };
        // New photos only; their normalisation jobs are queued with them.
        catalog::add_photo(
            &txn,
            ddhub_domain::StyleId(*style_id),
            &p.file_name,
            &p.sha256,
            p.position,
        )
        .await?;
    }
    txn.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Writes the error workbook of `sheet` to `path` (through a temporary file and a rename, so
/// a reader never sees half of it). A sheet without problems gets its header row only.
fn write_error_workbook(
    sheet: &ddhub_ingest::Sheet,
    problems: &[ddhub_ingest::Problem],
    path: &Path,
) -> Result<(), ProcessError> {
    let bytes = ddhub_ingest::error_report_xlsx(sheet, problems, problems.is_empty())
        .map_err(|e| ProcessError::Io(std::io::Error::other(e.to_string())))?;
    write_whole(path, &bytes)?;
    Ok(())
}

/// Writes `bytes` to `path` whole or not at all (a reader sees all of it or none): through a
/// temporary file of its own in the same folder, renamed into place. A fixed temporary name
/// let two writers truncate and rename each other's.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_whole_via(path.parent().unwrap_or_else(|| Path::new(".")), path, bytes)
}

/// [`write_whole`] with the temporary file in `tmp_dir`, which must be on `path`'s filesystem.
pub(crate) fn write_whole_via(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut builder = tempfile::Builder::new();
    // The mode a plain write gives (0666 less the umask), not tempfile's owner-only 0600: the
    // deployment's other processes may read these files as before.
    #[cfg(unix)]
    builder
        .permissions(<std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666));
    let mut tmp = builder.tempfile_in(tmp_dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Builders of error workbooks for uploads read before workbooks were kept: one at a time,
/// whoever asks (each is built once, then kept).
static LEGACY_WORKBOOKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Where an upload's error workbook stands.
#[derive(Debug)]
pub enum ErrorWorkbook {
    /// Written: its path.
    Ready(PathBuf),
    /// The sheet is still being read; the ingest writes the workbook when it has.
    NotYet,
    /// None was kept and the sheet cannot be read any more.
    Gone,
}

/// The error workbook of an upload (the original rows and a Korean error column). Uploads
/// read by this version have it from their ingest; for older ones it is built once here and
/// kept.
pub async fn error_workbook(
    store: &Store,
    paths: &MediaPaths,
    upload: &Upload,
) -> Result<ErrorWorkbook, ProcessError> {
    let path = paths.error_workbook(upload);
    if tokio::fs::try_exists(&path).await? {
        return Ok(ErrorWorkbook::Ready(path));
    }
    // The ingest writes the whole workbook as soon as it has read the sheet, before it stores
    // the problems. Until then one built here from the problems stored so far would miss
    // them, and would be kept.
    if matches!(upload.state, UploadState::Queued | UploadState::Parsing) {
        return Ok(ErrorWorkbook::NotYet);
    }
    let _turn = LEGACY_WORKBOOKS
        .acquire()
        .await
        .map_err(|e| ProcessError::Join(e.to_string()))?;
    // Another request may have built it while this one waited.
    if tokio::fs::try_exists(&path).await? {
        return Ok(ErrorWorkbook::Ready(path));
    }
    let Some(bytes) = legacy_error_report(store, paths, upload).await? else {
        return Ok(ErrorWorkbook::Gone);
    };
    let target = path.clone();
    tokio::task::spawn_blocking(move || write_whole(&target, &bytes))
        .await
        .map_err(|e| ProcessError::Join(e.to_string()))??;
    Ok(ErrorWorkbook::Ready(path))
}

/// An older upload's error report, built from its sheet read again, or `None` when the file
/// cannot be read as a sheet any more.
async fn legacy_error_report(
    store: &Store,
    paths: &MediaPaths,
    upload: &Upload,
) -> Result<Option<Vec<u8>>, ProcessError> {
    let (_, problems) = uploads::problems(store, upload.id, None, 0, u64::MAX / 2).await?;
    let saved = uploads::column_mapping(store, upload.wholesaler_id).await?;
    let opts = ReadOptions {
        encoding: upload.encoding.clone(),
        sheet_name: upload.sheet_name.clone(),
        mapping: mapping_from_saved(&saved),
        file_name: Some(upload.file_name.clone()),
        ..Default::default()
    };
    let path = paths.resolve(&upload.file_path);
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    tokio::task::spawn_blocking(move || {
        let Ok(sheet) = ddhub_ingest::read_sheet(&bytes, &opts) else {
            return Ok(None);
        };
        let problems: Vec<ddhub_ingest::Problem> = problems
            .into_iter()
            .filter_map(|p| {
                let code: ddhub_ingest::ProblemCode =
                    serde_json::from_value(serde_json::Value::String(p.code.clone())).ok()?;
                Some(ddhub_ingest::Problem {
                    row: p.row,
                    column: p.column,
                    value: p.value,
                    severity: code.severity(),
                    code,
                    message_ko: p.message_ko,
                    message_en: p.message_en,
                })
            })
            .collect();
        Ok(ddhub_ingest::error_report_xlsx(&sheet, &problems, false).ok())
    })
    .await
    .map_err(|e| ProcessError::Join(e.to_string()))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::write_whole;

    /// Whole writes land complete, replace what was there, leave no temporary file behind,
    /// and get the mode a plain write gets under the same umask.
    #[test]
    fn a_whole_write_replaces_and_has_the_mode_of_a_plain_write() {
        let dir = tempfile::tempdir().unwrap();
        let (plain, whole) = (dir.path().join("plain"), dir.path().join("whole.xlsx"));
        std::fs::write(&plain, b"x").unwrap();
        write_whole(&whole, b"first").unwrap();
        write_whole(&whole, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&whole).unwrap(), b"second, longer");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(mode(&whole), mode(&plain));
        }
    }
}
