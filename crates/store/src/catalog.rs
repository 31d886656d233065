//! Styles and SKUs: reading a wholesaler's catalog, and writing styles (the ingestion path
//! builds on [`upsert_style`]).

use crate::entity::{sku, style};
use crate::jobs::{self, NewJob};
use crate::{Result, Store, StoreError};
use ddhub_domain::style::{CompositionPart, Quantity, Sku, StockState, Style, StyleState};
use ddhub_domain::{Krw, SkuId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub(crate) fn to_style(m: style::Model) -> Result<Style> {
    Ok(Style {
        id: StyleId(m.id),
        wholesaler_id: WholesalerId(m.wholesaler_id),
        style_code: m.style_code,
        title_ko: m.title_ko,
        category: m.category,
        price: Krw(m.price_krw),
        moq: Quantity(u32::try_from(m.moq).map_err(|_| StoreError::Corrupt("moq".into()))?),
        composition: serde_json::from_str::<Vec<CompositionPart>>(&m.composition)?,
        origin: m.origin,
        season: m.season,
        same_day_dispatch: m.same_day,
        description_ko: m.description_ko,
        state: m.state.parse::<StyleState>()?,
        created_at: Timestamp(m.created_at),
        updated_at: Timestamp(m.updated_at),
    })
}

fn to_sku(m: sku::Model) -> Result<Sku> {
    Ok(Sku {
        id: SkuId(m.id),
        style_id: StyleId(m.style_id),
        colour: m.colour,
        size: m.size,
        stock: m.stock.parse::<StockState>()?,
    })
}

/// One page of a wholesaler's styles, newest first.
#[derive(Debug, Clone)]
pub struct StylePage {
    pub styles: Vec<Style>,
    pub total: u64,
}

/// Lists the styles of one wholesaler. Tenancy lives here: there is no way to list across
/// wholesalers through this function.
pub async fn list_styles(
    store: &Store,
    wholesaler: WholesalerId,
    state: Option<StyleState>,
    page: u64,
    per_page: u64,
) -> Result<StylePage> {
    let mut q = style::Entity::find().filter(style::Column::WholesalerId.eq(wholesaler.0));
    if let Some(s) = state {
        q = q.filter(style::Column::State.eq(s.as_str()));
    }
    let total = q.clone().count(store.conn()).await?;
    let rows = q
        .order_by_desc(style::Column::UpdatedAt)
        .order_by_desc(style::Column::Id)
        .offset(page.saturating_mul(per_page))
        .limit(per_page)
        .all(store.conn())
        .await?;
    Ok(StylePage {
        styles: rows.into_iter().map(to_style).collect::<Result<_>>()?,
        total,
    })
}

/// One style with its SKUs, only if it belongs to `wholesaler`: another wholesaler's style is
/// `NotFound`, exactly like a missing one.
pub async fn get_style(
    store: &Store,
    wholesaler: WholesalerId,
    id: StyleId,
) -> Result<(Style, Vec<Sku>)> {
    let row = style::Entity::find_by_id(id.0)
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let skus = sku::Entity::find()
        .filter(sku::Column::StyleId.eq(id.0))
        .order_by_asc(sku::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_sku)
        .collect::<Result<_>>()?;
    Ok((to_style(row)?, skus))
}

/// A style to create or update, keyed by (wholesaler, style code).
#[derive(Debug, Clone)]
pub struct StyleInput {
    pub style_code: String,
    pub title_ko: String,
    pub category: String,
    pub price: Krw,
    pub moq: Quantity,
    pub composition: Vec<CompositionPart>,
    pub origin: Option<String>,
    pub season: Option<String>,
    pub same_day_dispatch: bool,
    pub description_ko: Option<String>,
    pub state: StyleState,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// (colour code, size code, stock) for every SKU.
    pub skus: Vec<(String, String, StockState)>,
    /// Hash of the canonical content: equal hash, nothing to do.
    pub content_hash: String,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created(StyleId),
    Updated(StyleId),
    Unchanged(StyleId),
}

/// Job kind queued whenever a style's listing changes (search indexing picks it up).
pub const JOB_STYLE_CHANGED: &str = "style.changed";

/// Creates or updates a style and its SKUs inside the caller's write transaction, and queues a
/// `style.changed` job in the same transaction when anything changed.
pub async fn upsert_style<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    input: &StyleInput,
) -> Result<UpsertOutcome> {
    let now = Timestamp::now().0;
    let moq = i32::try_from(input.moq.0).map_err(|_| StoreError::Invalid("moq".into()))?;
    let existing = style::Entity::find()
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .filter(style::Column::StyleCode.eq(input.style_code.as_str()))
        .one(conn)
        .await?;
    let composition = serde_json::to_string(&input.composition)?;
    let extra = serde_json::to_string(&input.extra)?;
    let (id, outcome) = match existing {
        Some(row) if row.content_hash == input.content_hash => {
            return Ok(UpsertOutcome::Unchanged(StyleId(row.id)));
        }
        Some(row) => {
            let id = row.id;
            let mut am: style::ActiveModel = row.into();
            am.title_ko = Set(input.title_ko.clone());
            am.category = Set(input.category.clone());
            am.price_krw = Set(input.price.0);
            am.moq = Set(moq);
            am.composition = Set(composition);
            am.origin = Set(input.origin.clone());
            am.season = Set(input.season.clone());
            am.same_day = Set(input.same_day_dispatch);
            am.description_ko = Set(input.description_ko.clone());
            am.state = Set(input.state.as_str().to_string());
            am.extra = Set(extra);
            am.content_hash = Set(input.content_hash.clone());
            am.updated_at = Set(now);
            am.update(conn).await?;
            (id, UpsertOutcome::Updated(StyleId(id)))
        }
        None => {
            let row = style::ActiveModel {
                wholesaler_id: Set(wholesaler.0),
                style_code: Set(input.style_code.clone()),
                title_ko: Set(input.title_ko.clone()),
                category: Set(input.category.clone()),
                price_krw: Set(input.price.0),
                moq: Set(moq),
                composition: Set(composition),
                origin: Set(input.origin.clone()),
                season: Set(input.season.clone()),
                same_day: Set(input.same_day_dispatch),
                description_ko: Set(input.description_ko.clone()),
                state: Set(input.state.as_str().to_string()),
                extra: Set(extra),
                content_hash: Set(input.content_hash.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            (row.id, UpsertOutcome::Created(StyleId(row.id)))
        }
    };
    sync_skus(conn, id, &input.skus, now).await?;
    jobs::enqueue(
        conn,
        NewJob::new(JOB_STYLE_CHANGED, serde_json::json!({ "style_id": id })),
    )
    .await?;
    Ok(outcome)
}

/// Makes the style's SKUs exactly `wanted`: new ones inserted, changed stock updated, ones no
/// longer in the sheet marked sold out (never deleted: orders may point at them).
async fn sync_skus<C: ConnectionTrait>(
    conn: &C,
    style_id: i64,
    wanted: &[(String, String, StockState)],
    now: i64,
) -> Result<()> {
    let current = sku::Entity::find()
        .filter(sku::Column::StyleId.eq(style_id))
        .all(conn)
        .await?;
    for (colour, size, stock) in wanted {
        match current
            .iter()
            .find(|s| &s.colour == colour && &s.size == size)
        {
            Some(s) if s.stock == stock.as_str() => {}
            Some(s) => {
                sku::Entity::update_many()
                    .col_expr(sku::Column::Stock, Expr::value(stock.as_str()))
                    .col_expr(sku::Column::UpdatedAt, Expr::value(now))
                    .filter(sku::Column::Id.eq(s.id))
                    .exec(conn)
                    .await?;
            }
            None => {
                sku::ActiveModel {
                    style_id: Set(style_id),
                    colour: Set(colour.clone()),
                    size: Set(size.clone()),
                    stock: Set(stock.as_str().to_string()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(conn)
                .await?;
            }
        }
    }
    let gone: Vec<i64> = current
        .iter()
        .filter(|s| {
            !wanted
                .iter()
                .any(|(c, z, _)| c == &s.colour && z == &s.size)
        })
        .filter(|s| s.stock != StockState::SoldOut.as_str())
        .map(|s| s.id)
        .collect();
    if !gone.is_empty() {
        sku::Entity::update_many()
            .col_expr(
                sku::Column::Stock,
                Expr::value(StockState::SoldOut.as_str()),
            )
            .col_expr(sku::Column::UpdatedAt, Expr::value(now))
            .filter(sku::Column::Id.is_in(gone))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Counts a wholesaler's styles (for the demo and tests).
pub async fn count_styles(store: &Store, wholesaler: WholesalerId) -> Result<u64> {
    Ok(style::Entity::find()
        .filter(style::Column::WholesalerId.eq(wholesaler.0))
        .count(store.conn())
        .await?)
}

/// A stable hash of everything a style row holds, so re-uploading an unchanged style is a no-op.
pub fn content_hash(input: &StyleInput) -> String {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::json!({
        "code": input.style_code,
        "title": input.title_ko,
        "category": input.category,
        "price": input.price.0,
        "moq": input.moq.0,
        "composition": input.composition,
        "origin": input.origin,
        "season": input.season,
        "same_day": input.same_day_dispatch,
        "description": input.description_ko,
        "state": input.state.as_str(),
        "extra": input.extra,
        "skus": input.skus.iter().map(|(c, s, k)| [c.as_str(), s.as_str(), k.as_str()]).collect::<Vec<_>>(),
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}
