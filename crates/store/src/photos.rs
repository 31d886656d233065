//! Photos of styles: their normalisation results, order, and near-duplicate search.

use crate::changes::ChangeKind;
use crate::entity::{photo, style};
use crate::{Result, Store, StoreError};
use ddhub_domain::style::PhotoState;
use ddhub_domain::{PhotoId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

/// One stored output of a photo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVariant {
    /// `large`, `medium`, `thumb` or a profile name.
    pub name: String,
    /// `jpeg` or `webp`.
    pub format: String,
    pub width: u32,
    pub height: u32,
    /// Storage key under the media store.
    pub key: String,
}

/// A photo as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhotoRecord {
    pub id: PhotoId,
    pub style_id: StyleId,
    pub position: i32,
    pub source_name: String,
    pub sha256: String,
    pub state: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub phash: Option<String>,
    pub warnings: serde_json::Value,
    pub error: Option<String>,
    pub variants: Vec<StoredVariant>,
}

fn to_record(m: photo::Model) -> Result<PhotoRecord> {
    Ok(PhotoRecord {
        id: PhotoId(m.id),
        style_id: StyleId(m.style_id),
        position: m.position,
        source_name: m.source_name,
        sha256: m.sha256,
        state: m.state,
        width: m.width,
        height: m.height,
        phash: m.phash,
        warnings: serde_json::from_str(&m.warnings)?,
        error: m.error,
        variants: match m.variants {
            Some(v) => serde_json::from_str(&v)?,
            None => Vec::new(),
        },
    })
}

pub async fn get(store: &Store, id: PhotoId) -> Result<PhotoRecord> {
    photo::Entity::find_by_id(id.0)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(to_record)
}

/// The photos of a style, in display order.
pub async fn for_style(store: &Store, style: StyleId) -> Result<Vec<PhotoRecord>> {
    photo::Entity::find()
        .filter(photo::Column::StyleId.eq(style.0))
        .order_by_asc(photo::Column::Position)
        .order_by_asc(photo::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_record)
        .collect()
}

/// Another photo with the same bytes that is already normalised (identical uploads are
/// normalised once).
pub async fn ready_twin(store: &Store, sha256: &str, not: PhotoId) -> Result<Option<PhotoRecord>> {
    photo::Entity::find()
        .filter(photo::Column::Sha256.eq(sha256))
        .filter(photo::Column::State.eq(PhotoState::Ready.as_str()))
        .filter(photo::Column::Id.ne(not.0))
        .one(store.conn())
        .await?
        .map(to_record)
        .transpose()
}

/// What normalising a photo measured and made, as the photo's row keeps it.
#[derive(Clone, Copy, Debug)]
pub struct Normalised<'a> {
    pub width: u32,
    pub height: u32,
    pub phash: &'a str,
    pub warnings: &'a serde_json::Value,
    pub variants: &'a [StoredVariant],
}

/// Records a successful normalisation.
pub async fn mark_ready(store: &Store, id: PhotoId, normalised: &Normalised<'_>) -> Result<()> {
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    mark_ready_in(&txn, id, normalised).await?;
    txn.commit().await?;
    Ok(())
}

/// Marks the photo ready and reruns its style's colour check (`check` turns the check's
/// inputs into the stored result, see [`crate::colour_checks`]) in the same write transaction,
/// so no reader sees the photo ready and its style's check not yet counting it: an upload whose
/// photos are all done has every check stored. The check runs in a savepoint: when it fails,
/// the photo is still marked ready and the check's error is the inner result (the style's next
/// photo checks again).
pub async fn mark_ready_and_check<F>(
    store: &Store,
    id: PhotoId,
    style: StyleId,
    normalised: &Normalised<'_>,
    check: F,
) -> Result<Result<()>>
where
    F: FnOnce(&crate::colour_checks::ColourInputs) -> (serde_json::Value, u32),
{
    use sea_orm::TransactionTrait;
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    mark_ready_in(&txn, id, normalised).await?;
    let savepoint = txn.begin().await?;
    let checked = match crate::colour_checks::recheck_in(&savepoint, style, check).await {
        Ok(()) => savepoint.commit().await.map_err(StoreError::from),
        Err(e) => {
            savepoint.rollback().await?;
            Err(e)
        }
    };
    txn.commit().await?;
    Ok(checked)
}

async fn mark_ready_in<C: ConnectionTrait>(
    conn: &C,
    id: PhotoId,
    n: &Normalised<'_>,
) -> Result<()> {
    photo::Entity::update_many()
        .col_expr(
            photo::Column::State,
            Expr::value(PhotoState::Ready.as_str()),
        )
        .col_expr(
            photo::Column::Width,
            Expr::value(i32::try_from(n.width).unwrap_or(i32::MAX)),
        )
        .col_expr(
            photo::Column::Height,
            Expr::value(i32::try_from(n.height).unwrap_or(i32::MAX)),
        )
        .col_expr(photo::Column::Phash, Expr::value(n.phash))
        .col_expr(photo::Column::Warnings, Expr::value(n.warnings.to_string()))
        .col_expr(
            photo::Column::Variants,
            Expr::value(serde_json::to_string(n.variants)?),
        )
        .col_expr(photo::Column::Error, Expr::value(Option::<String>::None))
        .col_expr(photo::Column::UpdatedAt, Expr::value(Timestamp::now().0))
        .filter(photo::Column::Id.eq(id.0))
        .exec(conn)
        .await?;
    // A ready photo joins the style's feed items (and is the thumbnail if it comes first).
    record_photo_change(conn, id, true).await
}

/// Appends a change-log row for the style of photo `id` (nothing if the photo is gone). With
/// `only_if_first`, the style is reindexed only when the photo is now its first ready one (the
/// thumbnail): a style's later photos becoming ready do not change what a hit shows.
async fn record_photo_change<C: ConnectionTrait>(
    conn: &C,
    id: PhotoId,
    only_if_first: bool,
) -> Result<()> {
    let row: Option<(i64, i32)> = photo::Entity::find_by_id(id.0)
        .select_only()
        .column(photo::Column::StyleId)
        .column(photo::Column::Position)
        .into_tuple()
        .one(conn)
        .await?;
    let Some((style, position)) = row else {
        return Ok(());
    };
    let style = StyleId(style);
    crate::changes::record_styles(conn, &[style], None, ChangeKind::Photos).await?;
    let reindex = if only_if_first {
        let first: Option<Option<i32>> = photo::Entity::find()
            .select_only()
            .column_as(photo::Column::Position.min(), "first")
            .filter(photo::Column::StyleId.eq(style.0))
            .filter(photo::Column::State.eq(PhotoState::Ready.as_str()))
            .into_tuple()
            .one(conn)
            .await?;
        first.flatten().is_none_or(|first| position <= first)
    } else {
        true
    };
    if reindex {
        crate::catalog::queue_style_changed(conn, &[style], "photos").await?;
    }
    Ok(())
}

/// Records a photo that could not be normalised (it never stops the others).
pub async fn mark_failed(store: &Store, id: PhotoId, code: &str, message: &str) -> Result<()> {
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    let was_ready = photo::Entity::find_by_id(id.0)
        .one(&txn)
        .await?
        .is_some_and(|p| p.state == PhotoState::Ready.as_str());
    photo::Entity::update_many()
        .col_expr(
            photo::Column::State,
            Expr::value(PhotoState::Failed.as_str()),
        )
        .col_expr(
            photo::Column::Error,
            Expr::value(format!("{code}: {message}")),
        )
        .col_expr(photo::Column::UpdatedAt, Expr::value(Timestamp::now().0))
        .filter(photo::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    // Only a photo that was in the feed changes it by failing.
    if was_ready {
        record_photo_change(&txn, id, false).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A normalised photo's perceptual hash, with its style and wholesaler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoHash {
    pub photo: PhotoId,
    pub style: StyleId,
    pub wholesaler: WholesalerId,
    pub phash: String,
}

/// Perceptual hashes of every other normalised photo, for the near-duplicate scan.
pub async fn phashes(store: &Store, not: PhotoId) -> Result<Vec<PhotoHash>> {
    let rows: Vec<(i64, i64, Option<String>)> = photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .column(photo::Column::StyleId)
        .column(photo::Column::Phash)
        .filter(photo::Column::Phash.is_not_null())
        .filter(photo::Column::Id.ne(not.0))
        .into_tuple()
        .all(store.conn())
        .await?;
    let owners: std::collections::HashMap<i64, i64> = style::Entity::find()
        .select_only()
        .column(style::Column::Id)
        .column(style::Column::WholesalerId)
        .filter(
            style::Column::Id.is_in(
                rows.iter()
                    .map(|r| r.1)
                    .collect::<std::collections::BTreeSet<_>>(),
            ),
        )
        .into_tuple::<(i64, i64)>()
        .all(store.conn())
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(id, sid, h)| {
            Some(PhotoHash {
                photo: PhotoId(id),
                style: StyleId(sid),
                wholesaler: WholesalerId(*owners.get(&sid)?),
                phash: h?,
            })
        })
        .collect())
}

/// Removes a photo of a wholesaler's style. `NotFound` for another wholesaler's.
pub async fn delete(
    store: &Store,
    wholesaler: WholesalerId,
    style: StyleId,
    id: PhotoId,
) -> Result<()> {
    owned_style(store, wholesaler, style).await?;
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    let res = photo::Entity::delete_many()
        .filter(photo::Column::Id.eq(id.0))
        .filter(photo::Column::StyleId.eq(style.0))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    crate::changes::record(&txn, &[(style, wholesaler)], None, ChangeKind::Photos).await?;
    crate::catalog::queue_style_changed(&txn, &[style], "photos").await?;
    txn.commit().await?;
    Ok(())
}

/// Puts a style's photos in the given order; every photo of the style must be listed once.
pub async fn reorder(
    store: &Store,
    wholesaler: WholesalerId,
    style: StyleId,
    order: &[PhotoId],
) -> Result<()> {
    owned_style(store, wholesaler, style).await?;
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    let current: Vec<i64> = photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .filter(photo::Column::StyleId.eq(style.0))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut wanted: Vec<i64> = order.iter().map(|p| p.0).collect();
    let mut have = current.clone();
    wanted.sort_unstable();
    have.sort_unstable();
    if wanted != have {
        return Err(StoreError::Invalid(
            "list every photo of the style exactly once".into(),
        ));
    }
    for (pos, id) in order.iter().enumerate() {
        photo::Entity::update_many()
            .col_expr(
                photo::Column::Position,
                Expr::value(i32::try_from(pos).unwrap_or(i32::MAX)),
            )
            .filter(photo::Column::Id.eq(id.0))
            .exec(&txn)
            .await?;
    }
    // The first photo is the feed's image_link.
    crate::changes::record(&txn, &[(style, wholesaler)], None, ChangeKind::Photos).await?;
    crate::catalog::queue_style_changed(&txn, &[style], "photos").await?;
    txn.commit().await?;
    Ok(())
}

/// The next free position among a style's photos.
pub async fn next_position(store: &Store, style: StyleId) -> Result<usize> {
    let max: Option<i32> = photo::Entity::find()
        .select_only()
        .column_as(photo::Column::Position.max(), "m")
        .filter(photo::Column::StyleId.eq(style.0))
        .into_tuple::<Option<i32>>()
        .one(store.conn())
        .await?
        .flatten();
    Ok(max.map_or(0, |m| usize::try_from(m).unwrap_or(0) + 1))
}

async fn owned_style(store: &Store, wholesaler: WholesalerId, style: StyleId) -> Result<()> {
    style::Entity::find_by_id(style.0)
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .one(store.conn())
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// The ready photos of many styles, in display order per style.
pub async fn ready_for_styles(
    store: &Store,
    styles: &[StyleId],
) -> Result<std::collections::HashMap<i64, Vec<PhotoRecord>>> {
    let mut out: std::collections::HashMap<i64, Vec<PhotoRecord>> =
        std::collections::HashMap::new();
    for chunk in styles.chunks(10_000) {
        for m in photo::Entity::find()
            .filter(photo::Column::StyleId.is_in(chunk.iter().map(|s| s.0)))
            .filter(photo::Column::State.eq(PhotoState::Ready.as_str()))
            .order_by_asc(photo::Column::Position)
            .order_by_asc(photo::Column::Id)
            .all(store.conn())
            .await?
        {
            out.entry(m.style_id).or_default().push(to_record(m)?);
        }
    }
    Ok(out)
}

/// Records many photos that are already normalised (benchmarks and bulk loaders that produce
/// the variants themselves), with their change-log rows, in one transaction.
pub async fn insert_ready_bulk(
    store: &Store,
    photos: &[(StyleId, String, Vec<StoredVariant>)],
) -> Result<()> {
    use sea_orm::Set;
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    crate::changes::lock_writers(&txn).await?;
    // 14 columns a row: well under both backends' bind limits.
    for chunk in photos.chunks(2_000) {
        let rows = chunk
            .iter()
            .map(|(style, sha, variants)| {
                let first = variants.first();
                Ok(photo::ActiveModel {
                    style_id: Set(style.0),
                    position: Set(0),
                    source_name: Set(format!("{sha}.jpg")),
                    sha256: Set(sha.clone()),
                    content_type: Set(Some("image/jpeg".into())),
                    width: Set(first.map(|v| i32::try_from(v.width).unwrap_or(i32::MAX))),
                    height: Set(first.map(|v| i32::try_from(v.height).unwrap_or(i32::MAX))),
                    state: Set(PhotoState::Ready.as_str().to_string()),
                    phash: Set(None),
                    warnings: Set("[]".into()),
                    error: Set(None),
                    variants: Set(Some(serde_json::to_string(variants)?)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
            })
            .collect::<Result<Vec<_>>>()?;
        photo::Entity::insert_many(rows).exec(&txn).await?;
    }
    let mut styles: Vec<StyleId> = photos.iter().map(|(s, _, _)| *s).collect();
    styles.sort_unstable_by_key(|s| s.0);
    styles.dedup();
    crate::changes::record_styles(&txn, &styles, None, ChangeKind::Photos).await?;
    crate::catalog::queue_style_changed(&txn, &styles, "photos").await?;
    txn.commit().await?;
    Ok(())
}

/// A photo of an upload that could not be made into listing images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedPhoto {
    pub style_code: String,
    /// The file's name in the ZIP.
    pub source_name: String,
    /// The imaging error's stable code (`corrupt_image`, `heic_unsupported`, …).
    pub code: String,
}

/// The failed photos of the styles an upload last listed, by style code then file name (the
/// upload report's photo section, issue 21: a corrupt photo was counted as matched and said
/// nothing in the console).
pub async fn failed_of_upload(
    store: &Store,
    wholesaler: WholesalerId,
    upload_id: i64,
) -> Result<Vec<FailedPhoto>> {
    let codes: std::collections::HashMap<i64, String> =
        crate::catalog::styles_of_upload(store, wholesaler, upload_id)
            .await?
            .into_iter()
            .collect();
    let ids: Vec<i64> = codes.keys().copied().collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(10_000) {
        let rows: Vec<(i64, String, Option<String>)> = photo::Entity::find()
            .select_only()
            .column(photo::Column::StyleId)
            .column(photo::Column::SourceName)
            .column(photo::Column::Error)
            .filter(photo::Column::StyleId.is_in(chunk.iter().copied()))
            .filter(photo::Column::State.eq(PhotoState::Failed.as_str()))
            .into_tuple()
            .all(store.conn())
            .await?;
        for (style_id, source_name, error) in rows {
            // Stored as `code: message` by `mark_failed`.
            let code = error
                .as_deref()
                .and_then(|e| e.split_once(':'))
                .map_or("unknown", |(c, _)| c)
                .trim()
                .to_string();
            out.push(FailedPhoto {
                style_code: codes.get(&style_id).cloned().unwrap_or_default(),
                source_name,
                code,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.style_code.as_str(), a.source_name.as_str())
            .cmp(&(b.style_code.as_str(), b.source_name.as_str()))
    });
    Ok(out)
}
