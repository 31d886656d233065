//! Shipments in the database (issue 17): which received lines a shipment carries, its
//! packages and tracking numbers, and the rate tables an operator loaded. What may go in a
//! shipment and what shipping does to the orders is decided by `ddhub-app`'s
//! `services::shipments` with `ddhub-shipping` and `ddhub-orders`; this reads and writes.

use crate::entity::{
    export_order, order_line, rate_table, shipment, shipment_line, shipment_package,
};
use crate::{Result, Store, StoreError};
use ddhub_domain::{OperatorId, OrderLineId, PartnerId, Timestamp};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::{HashMap, HashSet};

/// A line a shipment may be built from, with what the rules check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateLine {
    pub line_id: i64,
    pub order_id: i64,
    pub partner_id: i64,
    /// The order's `ship_to`, as stored (JSON).
    pub ship_to: String,
    pub order_state: String,
    /// `None` until received at the hub.
    pub received_quantity: Option<u32>,
    /// The shipment that already carries it.
    pub in_shipment: Option<i64>,
}

/// The lines `ids` with their orders (lines that do not exist are left out).
pub async fn candidate_lines<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<CandidateLine>> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    let order_ids: HashSet<i64> = lines.iter().map(|l| l.order_id).collect();
    let orders: HashMap<i64, export_order::Model> = export_order::Entity::find()
        .filter(export_order::Column::Id.is_in(order_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    // A test order's lines (issue 22) are not the hub's to ship: left out like unknown lines.
    let lines: Vec<_> = lines
        .into_iter()
        .filter(|l| orders.get(&l.order_id).is_none_or(|o| !o.test_mode))
        .collect();
    let taken: HashMap<i64, i64> = shipment_line::Entity::find()
        .filter(shipment_line::Column::OrderLineId.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.order_line_id, s.shipment_id))
        .collect();
    lines
        .into_iter()
        .map(|l| {
            let o = orders
                .get(&l.order_id)
                .ok_or_else(|| StoreError::Corrupt(format!("line {} has no order", l.id)))?;
            Ok(CandidateLine {
                line_id: l.id,
                order_id: l.order_id,
                partner_id: o.partner_id,
                ship_to: o.ship_to.clone(),
                order_state: o.state.clone(),
                received_quantity: l.received_quantity.and_then(|q| u32::try_from(q).ok()),
                in_shipment: taken.get(&l.id).copied(),
            })
        })
        .collect()
}

/// A shipment to create.
#[derive(Debug, Clone)]
pub struct NewShipment<'a> {
    pub partner: PartnerId,
    pub ship_to: &'a str,
    pub country: &'a str,
    pub operator: OperatorId,
    /// (line, order, pieces).
    pub lines: &'a [(i64, i64, u32)],
}

/// Writes a shipment and its lines through the caller's transaction. Returns its id.
pub async fn create<C: ConnectionTrait>(conn: &C, s: NewShipment<'_>) -> Result<i64> {
    let row = shipment::ActiveModel {
        partner_id: Set(s.partner.0),
        ship_to: Set(s.ship_to.to_string()),
        country: Set(s.country.to_string()),
        state: Set("open".into()),
        service: Set(None),
        carrier: Set(None),
        operator_id: Set(s.operator.0),
        created_at: Set(Timestamp::now().0),
        shipped_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (line, order, qty) in s.lines {
        shipment_line::ActiveModel {
            shipment_id: Set(row.id),
            order_line_id: Set(*line),
            order_id: Set(*order),
            quantity: Set(i32::try_from(*qty).map_err(|_| StoreError::Invalid("quantity".into()))?),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(row.id)
}

/// A package as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackageRow {
    pub id: i64,
    pub weight_grams: u32,
    pub length_cm: u32,
    pub width_cm: u32,
    pub height_cm: u32,
    pub tracking_number: Option<String>,
}

/// A shipment with its lines and packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRecord {
    pub id: i64,
    pub partner_id: i64,
    pub ship_to: String,
    pub country: String,
    pub state: String,
    pub service: Option<String>,
    pub carrier: Option<String>,
    pub created_at: i64,
    pub shipped_at: Option<i64>,
    /// (line, order, pieces).
    pub lines: Vec<(i64, i64, u32)>,
    pub packages: Vec<PackageRow>,
}

/// Shipment `id` (of `partner` when given: another partner's is not found).
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    partner: Option<PartnerId>,
) -> Result<ShipmentRecord> {
    let mut q = shipment::Entity::find_by_id(id);
    if let Some(p) = partner {
        q = q.filter(shipment::Column::PartnerId.eq(p.0));
    }
    let s = q.one(conn).await?.ok_or(StoreError::NotFound)?;
    let lines = shipment_line::Entity::find()
        .filter(shipment_line::Column::ShipmentId.eq(id))
        .order_by_asc(shipment_line::Column::OrderLineId)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| {
            (
                l.order_line_id,
                l.order_id,
                u32::try_from(l.quantity).unwrap_or(0),
            )
        })
        .collect();
    let packages = shipment_package::Entity::find()
        .filter(shipment_package::Column::ShipmentId.eq(id))
        .order_by_asc(shipment_package::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| PackageRow {
            id: p.id,
            weight_grams: u32::try_from(p.weight_grams).unwrap_or(0),
            length_cm: u32::try_from(p.length_cm).unwrap_or(0),
            width_cm: u32::try_from(p.width_cm).unwrap_or(0),
            height_cm: u32::try_from(p.height_cm).unwrap_or(0),
            tracking_number: p.tracking_number,
        })
        .collect();
    Ok(ShipmentRecord {
        id: s.id,
        partner_id: s.partner_id,
        ship_to: s.ship_to,
        country: s.country,
        state: s.state,
        service: s.service,
        carrier: s.carrier,
        created_at: s.created_at,
        shipped_at: s.shipped_at,
        lines,
        packages,
    })
}

/// Adds a package (already validated) to shipment `id`. Returns its id.
pub async fn add_package<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    weight_grams: u32,
    sides_cm: [u32; 3],
) -> Result<i64> {
    let int = |v: u32| i32::try_from(v).map_err(|_| StoreError::Invalid("package".into()));
    let row = shipment_package::ActiveModel {
        shipment_id: Set(id),
        weight_grams: Set(int(weight_grams)?),
        length_cm: Set(int(sides_cm[0])?),
        width_cm: Set(int(sides_cm[1])?),
        height_cm: Set(int(sides_cm[2])?),
        tracking_number: Set(None),
        created_at: Set(Timestamp::now().0),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

/// Lines of `orders` carried by shipments already shipped.
pub async fn shipped_lines<C: ConnectionTrait>(
    conn: &C,
    orders: &[i64],
) -> Result<HashSet<OrderLineId>> {
    let shipped: HashSet<i64> = shipment::Entity::find()
        .filter(shipment::Column::State.eq("shipped"))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    Ok(shipment_line::Entity::find()
        .filter(shipment_line::Column::OrderId.is_in(orders.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .filter(|l| shipped.contains(&l.shipment_id))
        .map(|l| OrderLineId(l.order_line_id))
        .collect())
}

/// Marks shipment `id` shipped with `service` by `carrier`, each package with its tracking
/// number (in package id order), through the caller's transaction.
pub async fn mark_shipped<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    service: &str,
    carrier: &str,
    tracking: &[(i64, String)],
) -> Result<()> {
    let now = Timestamp::now().0;
    shipment::Entity::update_many()
        .col_expr(shipment::Column::State, Expr::value("shipped"))
        .col_expr(shipment::Column::Service, Expr::value(service))
        .col_expr(shipment::Column::Carrier, Expr::value(carrier))
        .col_expr(shipment::Column::ShippedAt, Expr::value(now))
        .filter(shipment::Column::Id.eq(id))
        .exec(conn)
        .await?;
    for (package, number) in tracking {
        shipment_package::Entity::update_many()
            .col_expr(
                shipment_package::Column::TrackingNumber,
                Expr::value(number.as_str()),
            )
            .filter(shipment_package::Column::Id.eq(*package))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The rate tables an operator loaded: (service, TOML).
pub async fn loaded_rate_tables(store: &Store) -> Result<Vec<(String, String)>> {
    Ok(rate_table::Entity::find()
        .order_by_asc(rate_table::Column::Service)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|r| (r.service, r.body))
        .collect())
}

pub(crate) type RateTableCache = crate::ttl::TtlCache<(), Vec<(String, String)>>;

pub(crate) fn rate_table_cache() -> RateTableCache {
    RateTableCache::new(crate::rates::RATE_CACHE_TTL, 1)
}

/// [`loaded_rate_tables`] read at most [`crate::rates::RATE_CACHE_TTL`] ago: every style page
/// shows a delivered price from them, and the operator loads a table a few times a year. A
/// table loaded through this process's store shows at once (it empties the cache); one loaded
/// by another process within the TTL, as exchange rates.
pub async fn loaded_rate_tables_cached(store: &Store) -> Result<Vec<(String, String)>> {
    let ticket = match store.rate_tables.get(&()) {
        Ok(tables) => return Ok(tables),
        Err(ticket) => ticket,
    };
    let tables = loaded_rate_tables(store).await?;
    store.rate_tables.store(ticket, (), tables.clone());
    Ok(tables)
}

/// Stores a (validated) rate table for `service`, replacing the one loaded before, in one
/// statement: the old table stands until the new one is written whole.
pub async fn put_rate_table(store: &Store, service: &str, body: &str) -> Result<()> {
    rate_table::Entity::insert(rate_table::ActiveModel {
        service: Set(service.to_string()),
        body: Set(body.to_string()),
        loaded_at: Set(Timestamp::now().0),
    })
    .on_conflict(
        OnConflict::column(rate_table::Column::Service)
            .update_columns([rate_table::Column::Body, rate_table::Column::LoadedAt])
            .to_owned(),
    )
    .exec(store.conn())
    .await?;
    store.rate_tables.clear();
    Ok(())
}

/// A line received at the hub and in no shipment yet: what an operator builds shipments from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyLine {
    pub line_id: i64,
    pub order_id: i64,
    pub partner_order_id: String,
    pub partner_id: i64,
    /// The order's `ship_to`, as stored (JSON).
    pub ship_to: String,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    /// Pieces counted in at the hub.
    pub received: u32,
}

/// Every received line (with pieces) of orders still being shipped that no shipment carries,
/// by order and line.
pub async fn ready_lines(store: &Store) -> Result<Vec<ReadyLine>> {
    use crate::entity::{sku, style};
    let conn = store.conn();
    let orders: HashMap<i64, export_order::Model> = export_order::Entity::find()
        .filter(export_order::Column::State.is_in(["confirmed", "partially_confirmed", "packed"]))
        .filter(export_order::Column::TestMode.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let order_ids: Vec<i64> = orders.keys().copied().collect();
    let mut lines = Vec::new();
    for chunk in order_ids.chunks(20_000) {
        lines.extend(
            order_line::Entity::find()
                .filter(order_line::Column::OrderId.is_in(chunk.iter().copied()))
                .filter(order_line::Column::ReceivedQuantity.gt(0))
                .all(conn)
                .await?,
        );
    }
    let line_ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let mut taken = HashSet::new();
    for chunk in line_ids.chunks(20_000) {
        taken.extend(
            shipment_line::Entity::find()
                .filter(shipment_line::Column::OrderLineId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|s| s.order_line_id),
        );
    }
    lines.retain(|l| !taken.contains(&l.id));
    let skus: HashMap<i64, sku::Model> = sku::Entity::find()
        .filter(sku::Column::Id.is_in(lines.iter().map(|l| l.sku_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let styles: HashMap<i64, style::Model> = style::Entity::find()
        .filter(style::Column::Id.is_in(lines.iter().map(|l| l.style_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    lines.sort_by_key(|l| (l.order_id, l.id));
    lines
        .into_iter()
        .map(|l| {
            let o = orders
                .get(&l.order_id)
                .ok_or_else(|| StoreError::Corrupt(format!("line {} has no order", l.id)))?;
            let k = skus
                .get(&l.sku_id)
                .ok_or_else(|| StoreError::Corrupt(format!("line {} has no sku", l.id)))?;
            let s = styles
                .get(&l.style_id)
                .ok_or_else(|| StoreError::Corrupt(format!("line {} has no style", l.id)))?;
            Ok(ReadyLine {
                line_id: l.id,
                order_id: l.order_id,
                partner_order_id: o.partner_order_id.clone(),
                partner_id: o.partner_id,
                ship_to: o.ship_to.clone(),
                style_code: s.style_code.clone(),
                colour: k.colour.clone(),
                size: k.size.clone(),
                received: l
                    .received_quantity
                    .and_then(|q| u32::try_from(q).ok())
                    .unwrap_or(0),
            })
        })
        .collect()
}

/// A shipment in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentSummary {
    pub id: i64,
    pub state: String,
    pub country: String,
    pub service: Option<String>,
    pub created_at: i64,
    pub shipped_at: Option<i64>,
}

/// The latest `limit` shipments, newest first.
pub async fn recent(store: &Store, limit: u64) -> Result<Vec<ShipmentSummary>> {
    use sea_orm::QuerySelect;
    Ok(shipment::Entity::find()
        .order_by_desc(shipment::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|s| ShipmentSummary {
            id: s.id,
            state: s.state,
            country: s.country,
            service: s.service,
            created_at: s.created_at,
            shipped_at: s.shipped_at,
        })
        .collect())
}

/// Marks shipment `id` delivered, through the caller's transaction.
pub async fn mark_delivered<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    shipment::Entity::update_many()
        .col_expr(shipment::Column::State, Expr::value("delivered"))
        .filter(shipment::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Of `orders`, those with lines in a shipment not delivered yet (open or on its way).
pub async fn orders_with_undelivered<C: ConnectionTrait>(
    conn: &C,
    orders: &[i64],
) -> Result<HashSet<i64>> {
    let lines = shipment_line::Entity::find()
        .filter(shipment_line::Column::OrderId.is_in(orders.iter().copied()))
        .all(conn)
        .await?;
    let ids: HashSet<i64> = lines.iter().map(|l| l.shipment_id).collect();
    let pending: HashSet<i64> = shipment::Entity::find()
        .filter(shipment::Column::Id.is_in(ids))
        .filter(shipment::Column::State.ne("delivered"))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    Ok(lines
        .into_iter()
        .filter(|l| pending.contains(&l.shipment_id))
        .map(|l| l.order_id)
        .collect())
}
