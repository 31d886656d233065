//! Pickup (사입) in the database: the confirmed lines a runner collects, and the pieces counted
//! in at the hub. What a receipt does to a line and its order is `ddhub-orders`'s
//! (`receiving::receive`); this reads what it needs and writes what it returns.

use crate::entity::{export_order, order_line, sku, style, wholesaler};
use crate::orders::{LineUpdate, OrderRecord, order_for_change, record_order_change};
use crate::{Result, Store, StoreError};
use ddhub_domain::order::{LineState, OrderState};
use ddhub_domain::{OrderLineId, PartnerId, Timestamp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

/// One line to collect, with what the runner and the wholesaler need to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupLine {
    pub line_id: i64,
    pub order_id: i64,
    pub partner_order_id: String,
    pub wholesaler_id: i64,
    pub wholesaler_name: String,
    pub building: String,
    pub floor: String,
    pub unit: String,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    /// Pieces to collect (the confirmed quantity).
    pub quantity: u32,
    /// The wholesale price per piece, in won.
    pub wholesale_price_krw: i64,
    /// The 미송 date of a backordered line.
    pub backorder_until: Option<String>,
}

/// Most ids bound in one `IN (…)`: under both engines' bind limits.
const IN_CHUNK: usize = 20_000;

/// The lines to collect on `date` (`YYYY-MM-DD`): confirmed (available) lines, and backordered
/// lines whose 미송 date has come, of orders still being confirmed, not yet received.
pub async fn pickup_lines(store: &Store, date: &str) -> Result<Vec<PickupLine>> {
    let conn = store.conn();
    let states = [
        OrderState::Confirmed.as_str(),
        OrderState::PartiallyConfirmed.as_str(),
    ];
    let orders: HashMap<i64, String> = export_order::Entity::find()
        .filter(export_order::Column::State.is_in(states))
        // Test orders (issue 22) are never collected.
        .filter(export_order::Column::TestMode.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.partner_order_id))
        .collect();
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let due = Condition::any()
        .add(order_line::Column::State.eq(LineState::Available.as_str()))
        .add(
            Condition::all()
                .add(order_line::Column::State.eq(LineState::Backorder.as_str()))
                .add(order_line::Column::BackorderUntil.lte(date)),
        );
    let order_ids: Vec<i64> = orders.keys().copied().collect();
    let mut lines = Vec::new();
    for chunk in order_ids.chunks(IN_CHUNK) {
        lines.extend(
            order_line::Entity::find()
                .filter(order_line::Column::OrderId.is_in(chunk.iter().copied()))
                .filter(order_line::Column::ReceivedAt.is_null())
                .filter(order_line::Column::ConfirmedQuantity.gt(0))
                .filter(due.clone())
                .all(conn)
                .await?,
        );
    }
    let sku_ids: HashSet<i64> = lines.iter().map(|l| l.sku_id).collect();
    let style_ids: HashSet<i64> = lines.iter().map(|l| l.style_id).collect();
    let wholesaler_ids: HashSet<i64> = lines.iter().map(|l| l.wholesaler_id).collect();
    let skus = by_id(conn, sku_ids, |ids| {
        sku::Entity::find().filter(sku::Column::Id.is_in(ids))
    })
    .await?;
    let skus: HashMap<i64, sku::Model> = skus.into_iter().map(|s| (s.id, s)).collect();
    let styles = by_id(conn, style_ids, |ids| {
        style::Entity::find().filter(style::Column::Id.is_in(ids))
    })
    .await?;
    let styles: HashMap<i64, style::Model> = styles.into_iter().map(|s| (s.id, s)).collect();
    let shops = by_id(conn, wholesaler_ids, |ids| {
        wholesaler::Entity::find().filter(wholesaler::Column::Id.is_in(ids))
    })
    .await?;
    let shops: HashMap<i64, wholesaler::Model> = shops.into_iter().map(|w| (w.id, w)).collect();
    let missing = |what: &str, id: i64| StoreError::Corrupt(format!("order line's {what} {id}"));
    lines
        .into_iter()
        .map(|l| {
            let k = skus
                .get(&l.sku_id)
                .ok_or_else(|| missing("sku", l.sku_id))?;
            let s = styles
                .get(&l.style_id)
                .ok_or_else(|| missing("style", l.style_id))?;
            let w = shops
                .get(&l.wholesaler_id)
                .ok_or_else(|| missing("wholesaler", l.wholesaler_id))?;
            Ok(PickupLine {
                line_id: l.id,
                order_id: l.order_id,
                partner_order_id: orders.get(&l.order_id).cloned().unwrap_or_default(),
                wholesaler_id: w.id,
                wholesaler_name: w.name.clone(),
                building: w.building.clone(),
                floor: w.floor.clone(),
                unit: w.unit.clone(),
                style_code: s.style_code.clone(),
                colour: k.colour.clone(),
                size: k.size.clone(),
                quantity: u32::try_from(l.confirmed_quantity)
                    .map_err(|_| missing("confirmed quantity", l.id))?,
                wholesale_price_krw: s.price_krw,
                backorder_until: l.backorder_until,
            })
        })
        .collect()
}

/// Rows of `ids`, fetched in chunks.
async fn by_id<C, E, F>(conn: &C, ids: HashSet<i64>, query: F) -> Result<Vec<E::Model>>
where
    C: ConnectionTrait,
    E: EntityTrait,
    F: Fn(Vec<i64>) -> sea_orm::Select<E>,
{
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        out.extend(query(chunk.to_vec()).all(conn).await?);
    }
    Ok(out)
}

/// The orders of these lines (line → order); lines that do not exist are left out.
pub async fn orders_of_lines<C: ConnectionTrait>(
    conn: &C,
    lines: &[OrderLineId],
) -> Result<HashMap<OrderLineId, i64>> {
    let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        for l in order_line::Entity::find()
            .filter(order_line::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(OrderLineId(l.id), l.order_id);
        }
    }
    Ok(out)
}

/// An order about to be received: the order rules' view (row locked, as for any change) and
/// the lines received before.
#[derive(Debug, Clone)]
pub struct ReceiveContext {
    pub record: OrderRecord,
    pub received_before: HashSet<OrderLineId>,
}

/// Reads order `id` for receiving, through the caller's transaction.
pub async fn receive_context<C: ConnectionTrait>(conn: &C, id: i64) -> Result<ReceiveContext> {
    let record = order_for_change(conn, None, id).await?;
    let received_before = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .filter(order_line::Column::ReceivedAt.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|l| OrderLineId(l.id))
        .collect();
    Ok(ReceiveContext {
        record,
        received_before,
    })
}

/// Receipts as they are to be recorded for one order.
#[derive(Debug, Clone)]
pub struct ReceiptRecord<'a> {
    pub partner: PartnerId,
    pub order_id: i64,
    pub order_state: &'a str,
    /// (line, pieces received).
    pub received: &'a [(i64, u32)],
    pub updates: &'a [LineUpdate],
    pub events: &'a [(String, serde_json::Value)],
}

/// Records receipts: each line's count and time, the lines and order the rules changed, and
/// their events (never-skip log, webhooks), through the caller's transaction.
pub async fn record_receipts<C: ConnectionTrait>(conn: &C, r: ReceiptRecord<'_>) -> Result<()> {
    let now = Timestamp::now().0;
    for (line, n) in r.received {
        let n = i32::try_from(*n).map_err(|_| StoreError::Invalid("received".into()))?;
        order_line::Entity::update_many()
            .col_expr(order_line::Column::ReceivedQuantity, Expr::value(n))
            .col_expr(order_line::Column::ReceivedAt, Expr::value(now))
            .filter(order_line::Column::Id.eq(*line))
            .filter(order_line::Column::ReceivedAt.is_null())
            .exec(conn)
            .await?;
    }
    record_order_change(
        conn,
        r.partner.0,
        r.order_id,
        r.order_state,
        r.updates,
        r.events,
    )
    .await
}
