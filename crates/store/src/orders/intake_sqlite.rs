//! Order intake on SQLite: one group-commit writer, sea-orm inserts per table.

use super::*;

/// The body of a keyed write, in the caller's transaction (or savepoint).
pub(crate) async fn write_keyed<C: ConnectionTrait>(conn: &C, w: &KeyedWrite) -> Result<Committed> {
    let now = Timestamp::now().0;
    let existing = find_key(conn, w.partner, &w.key).await?;
    if let Some(state) = existing
        .clone()
        .and_then(|row| key_state(row, &w.fingerprint, now))
    {
        return Ok(Committed::Existing(state));
    }
    let (status, body) = match &w.outcome {
        KeyedOutcome::Answer { status, body } => (*status, body.clone()),
        KeyedOutcome::Order {
            order,
            conflict_body,
        } => match insert_order(conn, order).await {
            Ok(created) => (201, serde_json::to_string(&created.view)?),
            Err(StoreError::Conflict(_)) => {
                let existing = export_order::Entity::find()
                    .filter(export_order::Column::PartnerId.eq(order.partner.0))
                    .filter(export_order::Column::PartnerOrderId.eq(order.partner_order_id.clone()))
                    .one(conn)
                    .await?
                    .map(|o| o.id);
                (409, fill_existing_order_id(conflict_body, existing))
            }
            Err(e) => return Err(e),
        },
    };
    match existing {
        // Expired or abandoned: the key starts afresh with this request's answer.
        Some(row) => {
            let mut am: idempotency_key::ActiveModel = row.into();
            am.fingerprint = Set(w.fingerprint.clone());
            am.state = Set("done".into());
            am.status = Set(Some(i32::from(status)));
            am.response = Set(Some(body.clone()));
            am.created_at = Set(now);
            am.expires_at = Set(now + KEY_TTL_MS);
            am.update(conn).await?;
        }
        None => {
            idempotency_key::ActiveModel {
                partner_id: Set(w.partner.0),
                key: Set(w.key.clone()),
                fingerprint: Set(w.fingerprint.clone()),
                state: Set("done".into()),
                status: Set(Some(i32::from(status))),
                response: Set(Some(body.clone())),
                created_at: Set(now),
                expires_at: Set(now + KEY_TTL_MS),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(Committed::Stored { status, body })
}

/// Keyed writes waiting for SQLite's writer.
///
/// SQLite has one writer at a time and, with `synchronous=FULL`, one fsync per commit (about
/// 2 ms on these disks): one transaction per order caps intake near 500 orders/s whatever the
/// CPU. The writer commits every order waiting when it is free in one transaction (group
/// commit, as PostgreSQL does by itself), each order in its own savepoint so that one failing
/// rolls back alone. Nobody is answered before the commit that holds their order returns, so
/// an acknowledged order is on disk; an order and its stored answer are never split.
#[derive(Debug)]
pub struct BatchItem {
    pub(crate) write: KeyedWrite,
    pub(crate) reply: tokio::sync::oneshot::Sender<Result<Committed>>,
}

/// Orders committed together at most (bounds the time the write lock is held).
pub(crate) const GROUP_COMMIT_MAX: usize = 64;

pub(crate) fn spawn_group_writer(
    db: sea_orm::DatabaseConnection,
) -> tokio::sync::mpsc::Sender<BatchItem> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<BatchItem>(1024);
    tokio::spawn(async move {
        // Ends when every `Store` (and so every sender) is gone.
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < GROUP_COMMIT_MAX {
                match rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            commit_group(&db, batch).await;
        }
    });
    tx
}

pub(crate) async fn commit_group(db: &sea_orm::DatabaseConnection, batch: Vec<BatchItem>) {
    use sea_orm::{TransactionOptions, TransactionTrait};
    let failed = |e: &dyn std::fmt::Display| StoreError::Invalid(format!("intake commit: {e}"));
    let txn = match db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    {
        Ok(t) => t,
        Err(e) => {
            for item in batch {
                let _ = item.reply.send(Err(failed(&e)));
            }
            return;
        }
    };
    let mut results = Vec::with_capacity(batch.len());
    for item in &batch {
        let one = async {
            let sp = txn.begin().await?;
            match write_keyed(&sp, &item.write).await {
                Ok(done) => {
                    sp.commit().await?;
                    Ok(done)
                }
                Err(e) => {
                    sp.rollback().await?;
                    Err(e)
                }
            }
        };
        results.push(one.await);
    }
    match txn.commit().await {
        Ok(()) => {
            for (item, r) in batch.into_iter().zip(results) {
                let _ = item.reply.send(r);
            }
        }
        Err(e) => {
            for item in batch {
                let _ = item.reply.send(Err(failed(&e)));
            }
        }
    }
}

/// Writes an order, its lines and one purchase request per wholesaler, and the
/// `order.received` event, through the caller's transaction, in one statement per table. A
/// partner order id used before is `Conflict`, and leaves the transaction usable.
pub async fn insert_order<C: ConnectionTrait>(conn: &C, order: &NewOrder) -> Result<CreatedOrder> {
    use sea_orm::TryInsertResult;
    let now = Timestamp::now().0;
    let inserted = export_order::Entity::insert(export_order::ActiveModel {
        partner_id: Set(order.partner.0),
        partner_order_id: Set(order.partner_order_id.clone()),
        currency: Set(order.currency.code().to_string()),
        state: Set(order.state.as_str().to_string()),
        ship_to: Set(order.ship_to.to_string()),
        notes: Set(order.notes.clone()),
        test_mode: Set(order.test_mode),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        export_order::Column::PartnerId,
        export_order::Column::PartnerOrderId,
    ])
    .exec_with_returning(conn)
    .await;
    let o = match inserted {
        Ok(TryInsertResult::Inserted(o)) => o,
        // sea-orm 2 reports `ON CONFLICT DO NOTHING … RETURNING` that returned no row as
        // `RecordNotFound`, not as `Conflicted`.
        Ok(TryInsertResult::Conflicted | TryInsertResult::Empty)
        | Err(sea_orm::DbErr::RecordNotFound(_)) => {
            return Err(StoreError::Conflict(format!(
                "order {} already exists",
                order.partner_order_id
            )));
        }
        Err(e) => return Err(e.into()),
    };
    order.check_split()?;
    let prs: Vec<(WholesalerId, i64)> =
        purchase_request::Entity::insert_many(order.purchase_requests.iter().map(|w| {
            purchase_request::ActiveModel {
                order_id: Set(o.id),
                wholesaler_id: Set(w.0),
                state: Set(PurchaseRequestState::Open.as_str().to_string()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        }))
        .exec_with_returning(conn)
        .await?
        .into_iter()
        .map(|pr| (WholesalerId(pr.wholesaler_id), pr.id))
        .collect();
    let mut rows = Vec::with_capacity(order.lines.len());
    for l in &order.lines {
        let pr = prs
            .iter()
            .find(|(w, _)| *w == l.wholesaler_id)
            .map(|(_, id)| *id);
        rows.push(order_line::ActiveModel {
            order_id: Set(o.id),
            purchase_request_id: Set(pr),
            sku_id: Set(l.sku_id.0),
            style_id: Set(l.style_id.0),
            wholesaler_id: Set(l.wholesaler_id.0),
            quantity: Set(
                i32::try_from(l.quantity).map_err(|_| StoreError::Invalid("quantity".into()))?
            ),
            confirmed_quantity: Set(0),
            unit_price_minor: Set(l.unit_price_minor),
            state: Set(LineState::Pending.as_str().to_string()),
            backorder_until: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    // Lines are at most `MAX_LINES` (200) × 13 columns: far below either engine's bind limit.
    let mut lines = order_line::Entity::insert_many(rows)
        .exec_with_returning(conn)
        .await?;
    // No engine promises RETURNING's row order; `get_order` reads lines by id.
    lines.sort_by_key(|l| l.id);
    let line_ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let (event_type, payload) = (order.first_event)(&order.as_export_order(o.id, &line_ids));
    let view = OrderView {
        order_id: o.id,
        partner_order_id: o.partner_order_id,
        state: o.state,
        mode: order_mode(o.test_mode),
        lines: lines
            .into_iter()
            .map(|l| line_view(l, &o.currency))
            .collect(),
        currency: o.currency,
    };
    // Last, so the log's append lock is held only from here to the commit.
    crate::seqlog::append_lock(conn, crate::seqlog::Log::OrderEvents).await?;
    let event = order_event::ActiveModel {
        order_id: Set(o.id),
        partner_id: Set(order.partner.0),
        event_type: Set(event_type),
        payload: Set(payload.to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    queue_deliveries(conn, order.partner.0, &[event.id]).await?;
    Ok(CreatedOrder {
        order_id: o.id,
        purchase_requests: prs,
        view,
    })
}
