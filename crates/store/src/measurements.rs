//! Measured sizes (실측) per style and size, and the model's fit note (issue 19). Written by
//! [`crate::catalog::upsert_styles`] with the style; read for the API, pages, feeds and index.

use crate::entity::{style, style_measurement as sm};
use crate::{Result, Store};
use ddhub_domain::StyleId;
use ddhub_domain::measure::{Measure, SizeMeasurements};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// A style's measured sizes and fit note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeasuredSizes {
    pub measurements: Vec<SizeMeasurements>,
    pub fit_note: Option<String>,
}

/// Most ids bound in one `IN` list.
const CHUNK: usize = 10_000;

fn to_row(style_id: i64, position: usize, m: &SizeMeasurements) -> sm::ActiveModel {
    let v = |k: Measure| Set(m.get_mm(k).and_then(|mm| i32::try_from(mm).ok()));
    sm::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        style_id: Set(style_id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        size: Set(m.size.clone()),
        shoulder_mm: v(Measure::Shoulder),
        chest_half_mm: v(Measure::ChestHalf),
        chest_mm: v(Measure::Chest),
        length_mm: v(Measure::Length),
        sleeve_mm: v(Measure::Sleeve),
        waist_half_mm: v(Measure::WaistHalf),
        waist_mm: v(Measure::Waist),
        hip_half_mm: v(Measure::HipHalf),
        thigh_mm: v(Measure::Thigh),
        rise_mm: v(Measure::Rise),
        hem_mm: v(Measure::Hem),
    }
}

fn from_row(r: &sm::Model) -> SizeMeasurements {
    let mut m = SizeMeasurements::new(r.size.clone());
    let cols = [
        (Measure::Shoulder, r.shoulder_mm),
        (Measure::ChestHalf, r.chest_half_mm),
        (Measure::Chest, r.chest_mm),
        (Measure::Length, r.length_mm),
        (Measure::Sleeve, r.sleeve_mm),
        (Measure::WaistHalf, r.waist_half_mm),
        (Measure::Waist, r.waist_mm),
        (Measure::HipHalf, r.hip_half_mm),
        (Measure::Thigh, r.thigh_mm),
        (Measure::Rise, r.rise_mm),
        (Measure::Hem, r.hem_mm),
    ];
    for (k, v) in cols {
        m.set_mm(k, v.and_then(|x| u32::try_from(x).ok()));
    }
    m
}

/// Makes the stored measured sizes of each style exactly the given ones (inside the caller's
/// transaction). Sizes repeated in one list keep their first entry.
pub(crate) async fn replace<C: ConnectionTrait>(
    conn: &C,
    styles: &[(i64, &[SizeMeasurements])],
) -> Result<()> {
    let ids: Vec<i64> = styles.iter().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(CHUNK) {
        sm::Entity::delete_many()
            .filter(sm::Column::StyleId.is_in(chunk.iter().copied()))
            .exec(conn)
            .await?;
    }
    let mut rows = Vec::new();
    for (id, list) in styles {
        let mut seen = std::collections::HashSet::new();
        for (pos, m) in list.iter().enumerate() {
            if !m.is_empty() && seen.insert(m.size.as_str()) {
                rows.push(to_row(*id, pos, m));
            }
        }
    }
    // 15 columns a row: well under both engines' bind limits per statement.
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let batch: Vec<sm::ActiveModel> = it.by_ref().take(1_000).collect();
        sm::Entity::insert_many(batch).exec(conn).await?;
    }
    Ok(())
}

/// The stored measured sizes of these styles, by style, in sheet order.
pub async fn of_styles_in<C: ConnectionTrait>(
    conn: &C,
    ids: &[StyleId],
) -> Result<HashMap<StyleId, Vec<SizeMeasurements>>> {
    let mut out: HashMap<StyleId, Vec<SizeMeasurements>> = HashMap::new();
    let raw: Vec<i64> = ids.iter().map(|s| s.0).collect();
    for chunk in raw.chunks(CHUNK) {
        for r in sm::Entity::find()
            .filter(sm::Column::StyleId.is_in(chunk.iter().copied()))
            .order_by_asc(sm::Column::StyleId)
            .order_by_asc(sm::Column::Position)
            .all(conn)
            .await?
        {
            out.entry(StyleId(r.style_id))
                .or_default()
                .push(from_row(&r));
        }
    }
    Ok(out)
}

/// Measured sizes and fit notes of these styles (styles with neither are left out).
pub async fn of_styles(store: &Store, ids: &[StyleId]) -> Result<HashMap<StyleId, MeasuredSizes>> {
    let mut out: HashMap<StyleId, MeasuredSizes> = of_styles_in(store.conn(), ids)
        .await?
        .into_iter()
        .map(|(id, measurements)| {
            (
                id,
                MeasuredSizes {
                    measurements,
                    fit_note: None,
                },
            )
        })
        .collect();
    let raw: Vec<i64> = ids.iter().map(|s| s.0).collect();
    for chunk in raw.chunks(CHUNK) {
        let notes: Vec<(i64, Option<String>)> = style::Entity::find()
            .select_only()
            .column(style::Column::Id)
            .column(style::Column::FitNote)
            .filter(style::Column::Id.is_in(chunk.iter().copied()))
            .filter(style::Column::FitNote.is_not_null())
            .into_tuple()
            .all(store.conn())
            .await?;
        for (id, note) in notes {
            out.entry(StyleId(id)).or_default().fit_note = note;
        }
    }
    Ok(out)
}

/// One style's measured sizes and fit note (empty when it has none).
pub async fn of_style(store: &Store, id: StyleId) -> Result<MeasuredSizes> {
    Ok(of_styles(store, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}
