//! The order event log (the partners' never-skip changes cursor) and recording order changes.

use super::*;

/// The lock that keeps the order changes cursor from skipping (PostgreSQL only: SQLite
/// serialises writers, so its event ids are in commit order already).
///
/// An event id comes from a sequence when the row is inserted, but transactions commit in
/// their own order: a reader polling `id > cursor` could see id 11 before 10 commits and move
/// past 10. Writers take this lock *shared* just before inserting events and hold it to their
/// commit, so writers never wait for each other; a reader takes it *exclusive* (in
/// [`events_after`]), which waits until every writer that holds an id has committed or rolled
/// back, and reads while holding it: every id below what it sees is final.
pub(crate) const EVENT_ORDER_LOCK: i64 = 84_120_001;

pub(crate) async fn lock_event_order<C: ConnectionTrait>(conn: &C) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock_shared({EVENT_ORDER_LOCK})"
        ))
        .await?;
    }
    Ok(())
}

/// Order events of a partner after `after` (the never-skip cursor for polling), up to `limit`.
/// On PostgreSQL the read holds the event lock exclusively (see [`EVENT_ORDER_LOCK`]): it
/// waits for writers already holding event ids to finish, so no id below one it returns can
/// still appear.
pub async fn events_after(
    store: &Store,
    partner: PartnerId,
    after: i64,
    limit: u64,
) -> Result<Vec<(i64, i64, String, serde_json::Value, i64)>> {
    use sea_orm::{QuerySelect, TransactionTrait};
    let query = order_event::Entity::find()
        .filter(order_event::Column::PartnerId.eq(partner.0))
        .filter(order_event::Column::Id.gt(after))
        .order_by_asc(order_event::Column::Id)
        .limit(limit);
    let rows = match store.backend() {
        Backend::Postgres => {
            let txn = store.conn().begin().await?;
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({EVENT_ORDER_LOCK})"))
                .await?;
            let rows = query.all(&txn).await?;
            txn.commit().await?;
            rows
        }
        Backend::Sqlite => query.all(store.conn()).await?,
    };
    rows.into_iter()
        .map(|e| {
            Ok((
                e.id,
                e.order_id,
                e.event_type,
                serde_json::from_str(&e.payload)?,
                e.created_at,
            ))
        })
        .collect()
}

/// An order with every line, for lifecycle operations (any partner when `partner` is `None`,
/// the hub operator's view). Returns (partner id, partner order id, state, currency, ship_to,
/// lines).
pub async fn order_for_change<C: ConnectionTrait>(
    conn: &C,
    partner: Option<PartnerId>,
    id: i64,
) -> Result<(
    i64,
    String,
    String,
    String,
    serde_json::Value,
    Vec<order_line::Model>,
)> {
    let mut q = export_order::Entity::find_by_id(id);
    if let Some(p) = partner {
        q = q.filter(export_order::Column::PartnerId.eq(p.0));
    }
    let o = q.one(conn).await?.ok_or(StoreError::NotFound)?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    Ok((
        o.partner_id,
        o.partner_order_id,
        o.state,
        o.currency,
        serde_json::from_str(&o.ship_to)?,
        lines,
    ))
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
    lock_event_order(conn).await?;
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
