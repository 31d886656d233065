//! A style's photos as their owner sees them: states, checks, near-duplicates and the URLs of
//! every normalised variant.

use crate::AppState;
use crate::error::{AppError, ErrorCode};
use crate::services::catalog::MediaPaths;
use ddhub_domain::StyleId;
use ddhub_store::photos::{self, PhotoRecord};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One variant's URLs by format.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantView {
    pub width: u32,
    pub height: u32,
    /// `jpeg` / `webp` → URL.
    pub urls: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: i64,
    pub position: i32,
    pub source_name: String,
    /// `pending`, `ready` or `failed`.
    pub state: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Checks (size, blank, blur) and near-duplicates found across styles and wholesalers.
    #[schema(value_type = Object)]
    pub warnings: serde_json::Value,
    /// Why normalisation failed.
    pub error: Option<String>,
    /// `large`, `medium`, `thumb` and each marketplace profile → URLs.
    pub variants: BTreeMap<String, VariantView>,
}

impl PhotoView {
    pub fn from_record(p: PhotoRecord, media_base: &str) -> Self {
        let mut variants: BTreeMap<String, VariantView> = BTreeMap::new();
        for v in p.variants {
            let entry = variants
                .entry(v.name.clone())
                .or_insert_with(|| VariantView {
                    width: v.width,
                    height: v.height,
                    urls: BTreeMap::new(),
                });
            entry
                .urls
                .insert(v.format, format!("{media_base}/{}", v.key));
        }
        PhotoView {
            id: p.id.0,
            position: p.position,
            source_name: p.source_name,
            state: p.state,
            width: p.width,
            height: p.height,
            // A photo not yet normalised stores `[]`; the API answers an object either way.
            warnings: match p.warnings {
                serde_json::Value::Array(a) if a.is_empty() => serde_json::json!({}),
                w => w,
            },
            error: p.error,
            variants,
        }
    }
}

/// Keeps `bytes` as an original under their SHA-256, once, and returns the hash. Written aside
/// and renamed: a crash never leaves half an original under its hash, and two uploads of the
/// same photo at once each write their own temporary file.
fn store_original(paths: &MediaPaths, bytes: &[u8]) -> std::io::Result<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    let dest = paths.original(&sha);
    if !dest.exists() {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp_dir = paths.tmp_dir();
        std::fs::create_dir_all(&tmp_dir)?;
        crate::services::catalog::write_whole_via(&tmp_dir, &dest, bytes)?;
    }
    Ok(sha)
}

/// Adds one photo (its bytes as uploaded) to a style the caller owns: the original is kept once
/// by content under the data dir, and the photo is recorded with its normalisation job
/// (`ddhub_store::catalog::add_photo`, the one way a photo joins a style, which sheet bundles
/// take too). `conflict` when the style already has these bytes.
pub async fn add(
    app: &AppState,
    style: StyleId,
    name: &str,
    bytes: Vec<u8>,
) -> crate::AppResult<PhotoRecord> {
    if bytes.is_empty() {
        return Err(AppError::with_detail(
            ErrorCode::UploadBadField,
            "the photo is empty",
        ));
    }
    // Hashing up to the photo limit and writing are blocking work: off the async threads,
    // in one go.
    let paths = MediaPaths::new(&app.config.data_dir);
    let sha = tokio::task::spawn_blocking(move || store_original(&paths, &bytes))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let position = photos::next_position(&app.store, style).await?;
    let txn = app.store.begin_write().await?;
    let Some(photo_id) = ddhub_store::catalog::add_photo(&txn, style, name, &sha, position).await?
    else {
        txn.rollback()
            .await
            .map_err(ddhub_store::StoreError::from)?;
        return Err(AppError::with_detail(
            ErrorCode::Conflict,
            "this style already has this photo",
        ));
    };
    txn.commit().await.map_err(ddhub_store::StoreError::from)?;
    app.jobs.notify();
    Ok(photos::get(&app.store, photo_id).await?)
}
