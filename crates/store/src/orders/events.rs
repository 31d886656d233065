//! The order event log (the partners' never-skip changes cursor) and recording order changes.

use super::*;
use crate::seqlog::{self, Log};

/// One event of the order event log, as the changes cursor serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEventRow {
    /// The event's place in the log (the cursor).
    pub seq: i64,
    pub order_id: i64,
    pub event_type: String,
    pub data: serde_json::Value,
    pub created_at: Timestamp,
}

/// Order events of a partner after `after` (the never-skip cursor for polling), up to `limit`.
/// Read under the log's exclusive lock ([`crate::seqlog`]): no id below one it returns can
/// still appear.
pub async fn events_after(
    store: &Store,
    partner: PartnerId,
    after: i64,
    limit: u64,
) -> Result<Vec<OrderEventRow>> {
    use sea_orm::QuerySelect;
    let txn = seqlog::read(store, Log::OrderEvents).await?;
    let rows = order_event::Entity::find()
        .filter(order_event::Column::PartnerId.eq(partner.0))
        .filter(order_event::Column::Id.gt(after))
        .order_by_asc(order_event::Column::Id)
        .limit(limit)
        .all(&txn)
        .await?;
    txn.commit().await?;
    rows.into_iter()
        .map(|e| {
            Ok(OrderEventRow {
                seq: e.id,
                order_id: e.order_id,
                event_type: e.event_type,
                data: serde_json::from_str(&e.payload)?,
                created_at: Timestamp(e.created_at),
            })
        })
        .collect()
}

/// An order as the lifecycle operations and the export papers need it: the order rules' view,
/// and what they do not decide but must keep.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub order: ddhub_domain::order::ExportOrder,
    pub currency: ddhub_domain::Currency,
    pub ship_to: serde_json::Value,
    /// Per line of `order.lines`, in the same order.
    pub details: Vec<LineDetail>,
}

/// What a stored line carries beside the order rules' view of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDetail {
    pub style: StyleId,
    /// The wholesaler's 미송 date, kept as given.
    pub backorder_until: Option<String>,
}

/// An order with every line, read for a change (any partner when `partner` is `None`, the hub
/// operator's view). On PostgreSQL the order row is locked (`FOR UPDATE`) in the caller's
/// transaction, so two changes to one order take turns and neither decides from the other's
/// stale lines; SQLite's writers take turns already.
pub async fn order_for_change<C: ConnectionTrait>(
    conn: &C,
    partner: Option<PartnerId>,
    id: i64,
) -> Result<OrderRecord> {
    let mut q = export_order::Entity::find_by_id(id);
    match partner {
        Some(p) => q = q.filter(export_order::Column::PartnerId.eq(p.0)),
        // The hub's own work (pickup, receiving, shipments) never touches a test order.
        None => q = q.filter(export_order::Column::TestMode.eq(false)),
    }
    let o = lock_order_row(conn, q).await?.ok_or(StoreError::NotFound)?;
    let rows = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    let details = rows
        .iter()
        .map(|l| LineDetail {
            style: StyleId(l.style_id),
            backorder_until: l.backorder_until.clone(),
        })
        .collect();
    let ship_to = serde_json::from_str(&o.ship_to)?;
    let (order, currency) = domain_order(o, &rows)?;
    Ok(OrderRecord {
        order,
        currency,
        ship_to,
        details,
    })
}

/// `q`'s order row, locked for update on PostgreSQL (see [`order_for_change`]).
pub(super) async fn lock_order_row<C: ConnectionTrait>(
    conn: &C,
    q: sea_orm::Select<export_order::Entity>,
) -> Result<Option<export_order::Model>> {
    use sea_orm::QuerySelect;
    let q = if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q.lock_exclusive()
    } else {
        q
    };
    Ok(q.one(conn).await?)
}

/// The order rules' view of a stored order and its lines (in line id order), and its currency.
/// The one conversion from rows: a value the rules do not know is a corrupt row, never a
/// default.
pub(super) fn domain_order(
    o: export_order::Model,
    rows: &[order_line::Model],
) -> Result<(ddhub_domain::order::ExportOrder, ddhub_domain::Currency)> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
    let currency: ddhub_domain::Currency = o
        .currency
        .parse()
        .map_err(|_| corrupt("order currency", &o.currency))?;
    let lines = rows
        .iter()
        .map(|l| {
            Ok(ddhub_domain::order::OrderLine {
                id: ddhub_domain::OrderLineId(l.id),
                order_id: ddhub_domain::OrderId(l.order_id),
                sku_id: SkuId(l.sku_id),
                wholesaler_id: WholesalerId(l.wholesaler_id),
                quantity: u32::try_from(l.quantity)
                    .map_err(|_| corrupt("line quantity", &l.quantity.to_string()))?,
                confirmed_quantity: u32::try_from(l.confirmed_quantity).map_err(|_| {
                    corrupt("confirmed quantity", &l.confirmed_quantity.to_string())
                })?,
                unit_price: ddhub_domain::Money {
                    minor: l.unit_price_minor,
                    currency,
                },
                state: l
                    .state
                    .parse()
                    .map_err(|_| corrupt("line state", &l.state))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let order = ddhub_domain::order::ExportOrder {
        id: ddhub_domain::OrderId(o.id),
        partner_id: PartnerId(o.partner_id),
        state: o
            .state
            .parse()
            .map_err(|_| corrupt("order state", &o.state))?,
        partner_order_id: o.partner_order_id,
        lines,
    };
    Ok((order, currency))
}

/// Records a lifecycle change: the order's state, lines that changed, and the events (with
/// their webhook deliveries), through the caller's transaction.
pub async fn record_order_change<C: ConnectionTrait>(
    conn: &C,
    partner: i64,
    order_id: i64,
    order_state: &str,
    updates: &[LineUpdate],
    events: &[(String, serde_json::Value)],
) -> Result<()> {
    let now = Timestamp::now().0;
    for u in updates {
        order_line::Entity::update_many()
            .col_expr(order_line::Column::State, Expr::value(u.state.as_str()))
            .col_expr(
                order_line::Column::ConfirmedQuantity,
                Expr::value(i32::try_from(u.confirmed_quantity).unwrap_or(i32::MAX)),
            )
            .col_expr(
                order_line::Column::BackorderUntil,
                Expr::value(u.backorder_until.clone()),
            )
            .col_expr(order_line::Column::UpdatedAt, Expr::value(now))
            .filter(order_line::Column::Id.eq(u.line_id))
            .exec(conn)
            .await?;
    }
    export_order::Entity::update_many()
        .col_expr(export_order::Column::State, Expr::value(order_state))
        .col_expr(export_order::Column::UpdatedAt, Expr::value(now))
        .filter(export_order::Column::Id.eq(order_id))
        .exec(conn)
        .await?;
    seqlog::append_lock(conn, Log::OrderEvents).await?;
    let mut ids = Vec::with_capacity(events.len());
    for (kind, payload) in events {
        let e = order_event::ActiveModel {
            order_id: Set(order_id),
            partner_id: Set(partner),
            event_type: Set(kind.clone()),
            payload: Set(payload.to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        ids.push(e.id);
    }
    queue_deliveries(conn, partner, &ids).await?;
    Ok(())
}

/// One event of a partner's orders by its sequence number (another partner's is `NotFound`).
/// An event is final once it can be read: appenders commit it with the change it reports.
pub async fn event(store: &Store, partner: PartnerId, seq: i64) -> Result<OrderEventRow> {
    let e = order_event::Entity::find_by_id(seq)
        .filter(order_event::Column::PartnerId.eq(partner.0))
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(OrderEventRow {
        seq: e.id,
        order_id: e.order_id,
        event_type: e.event_type,
        data: serde_json::from_str(&e.payload)?,
        created_at: Timestamp(e.created_at),
    })
}
