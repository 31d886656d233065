//! The colour check of each style's photos against its declared colours (issue 19): the
//! inputs (ready photos' measured colours, the SKUs' colours) read and the result written in
//! the write transaction that marks a photo ready, so two photos of a style finishing at once
//! cannot leave a result that saw only one of them, and no reader sees a ready photo its
//! style's check does not count.

use crate::entity::{photo, sku, style, style_colour_check as cc};
use crate::{Result, Store};
use ddhub_domain::style::PhotoState;
use ddhub_domain::{StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// What a colour check reads: each ready photo's stored warnings (JSON, in display order) and
/// the style's distinct SKU colours in first-seen order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColourInputs {
    pub photo_warnings: Vec<serde_json::Value>,
    pub colours: Vec<String>,
}

/// A stored check: its JSON result and when it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredColourCheck {
    pub style_id: StyleId,
    pub style_code: String,
    pub result: serde_json::Value,
    pub warnings: u32,
    pub checked_at: Timestamp,
}

/// Reads the inputs of `style`, lets `check` turn them into a result and its warning count,
/// and stores it, in the caller's write transaction (which has taken the writers' lock; the
/// photo job's, with the photo it marks ready). Nothing happens when the style is gone.
pub(crate) async fn recheck_in<C, F>(conn: &C, style_id: StyleId, check: F) -> Result<()>
where
    C: ConnectionTrait,
    F: FnOnce(&ColourInputs) -> (serde_json::Value, u32),
{
    if style::Entity::find_by_id(style_id.0)
        .one(conn)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let photo_warnings = photo::Entity::find()
        .select_only()
        .column(photo::Column::Warnings)
        .filter(photo::Column::StyleId.eq(style_id.0))
        .filter(photo::Column::State.eq(PhotoState::Ready.as_str()))
        .order_by_asc(photo::Column::Position)
        .order_by_asc(photo::Column::Id)
        .into_tuple::<String>()
        .all(conn)
        .await?
        .iter()
        .map(|w| serde_json::from_str(w))
        .collect::<std::result::Result<Vec<serde_json::Value>, _>>()?;
    let mut colours: Vec<String> = Vec::new();
    for c in sku::Entity::find()
        .select_only()
        .column(sku::Column::Colour)
        .filter(sku::Column::StyleId.eq(style_id.0))
        .order_by_asc(sku::Column::Id)
        .into_tuple::<String>()
        .all(conn)
        .await?
    {
        if !colours.contains(&c) {
            colours.push(c);
        }
    }
    let (result, warnings) = check(&ColourInputs {
        photo_warnings,
        colours,
    });
    cc::Entity::insert(cc::ActiveModel {
        style_id: Set(style_id.0),
        result: Set(result.to_string()),
        warnings: Set(i32::try_from(warnings).unwrap_or(i32::MAX)),
        checked_at: Set(Timestamp::now().0),
    })
    .on_conflict(
        OnConflict::column(cc::Column::StyleId)
            .update_columns([
                cc::Column::Result,
                cc::Column::Warnings,
                cc::Column::CheckedAt,
            ])
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

fn to_stored(m: cc::Model, style_code: String) -> Result<StoredColourCheck> {
    Ok(StoredColourCheck {
        style_id: StyleId(m.style_id),
        style_code,
        result: serde_json::from_str(&m.result)?,
        warnings: u32::try_from(m.warnings).unwrap_or(0),
        checked_at: Timestamp(m.checked_at),
    })
}

/// The latest check of one style, if its photos were ever checked.
pub async fn of_style(store: &Store, style_id: StyleId) -> Result<Option<StoredColourCheck>> {
    cc::Entity::find_by_id(style_id.0)
        .one(store.conn())
        .await?
        .map(|m| to_stored(m, String::new()))
        .transpose()
}

/// The checks with warnings of many styles, by style id.
pub async fn with_warnings_of(
    store: &Store,
    styles: &[StyleId],
) -> Result<std::collections::HashMap<i64, StoredColourCheck>> {
    let mut out = std::collections::HashMap::new();
    for chunk in styles.chunks(10_000) {
        for m in cc::Entity::find()
            .filter(cc::Column::StyleId.is_in(chunk.iter().map(|s| s.0)))
            .filter(cc::Column::Warnings.gt(0))
            .all(store.conn())
            .await?
        {
            out.insert(m.style_id, to_stored(m, String::new())?);
        }
    }
    Ok(out)
}

/// The checks with warnings of the styles an upload of `wholesaler` last listed, by style code
/// (the upload report's photo-colour section).
pub async fn with_warnings_of_upload(
    store: &Store,
    wholesaler: WholesalerId,
    upload_id: i64,
) -> Result<Vec<StoredColourCheck>> {
    let styles = crate::catalog::styles_of_upload(store, wholesaler, upload_id).await?;
    let ids: Vec<StyleId> = styles.iter().map(|(id, _)| StyleId(*id)).collect();
    let mut checks = with_warnings_of(store, &ids).await?;
    let mut out = Vec::new();
    for (id, code) in styles {
        if let Some(mut c) = checks.remove(&id) {
            c.style_code = code;
            out.push(c);
        }
    }
    Ok(out)
}

/// Photos of the upload's styles still waiting for normalisation: the colour section of the
/// report is complete when this is zero.
pub async fn pending_photos_of_upload(
    store: &Store,
    wholesaler: WholesalerId,
    upload_id: i64,
) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    let ids: Vec<i64> = crate::catalog::styles_of_upload(store, wholesaler, upload_id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut n = 0;
    for chunk in ids.chunks(10_000) {
        n += photo::Entity::find()
            .filter(photo::Column::StyleId.is_in(chunk.iter().copied()))
            .filter(photo::Column::State.eq(PhotoState::Pending.as_str()))
            .count(store.conn())
            .await?;
    }
    Ok(n)
}
