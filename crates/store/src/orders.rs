//! Export orders: idempotency keys, intake in one transaction (order, lines, purchase requests
//! per wholesaler, the stored response and the first event), and reading them back.

use crate::entity::{
    export_order, idempotency_key, order_event, order_line, purchase_request, sku, style,
};
use crate::{Backend, Result, Store, StoreError};
use ddhub_domain::order::{LineState, OrderState, PurchaseRequestState};
use ddhub_domain::{PartnerId, SkuId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How long a key is kept after its first use.
pub const KEY_TTL_MS: i64 = 24 * 3600 * 1000;
/// A key `in_flight` longer than this belongs to a request that died (a crash): it may be taken
/// over.
pub const IN_FLIGHT_TIMEOUT_MS: i64 = 120 * 1000;

/// What an idempotency key says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// Used before with the same body: answer exactly this.
    Replay { status: u16, body: String },
    /// Used before with another body.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// What a stored key row means for a request with `fingerprint` at `now`; `None` when the key
/// is free (never used, expired, or left `in_flight` by a request that died).
fn key_state(row: idempotency_key::Model, fingerprint: &str, now: i64) -> Option<KeyState> {
    if row.expires_at < now
        || (row.state == "in_flight" && row.created_at + IN_FLIGHT_TIMEOUT_MS < now)
    {
        return None;
    }
    Some(if row.fingerprint != fingerprint {
        KeyState::Mismatch
    } else if row.state == "done" {
        KeyState::Replay {
            status: row
                .status
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(500),
            body: row.response.unwrap_or_default(),
        }
    } else {
        // Rows are written `done` with their answer now; an `in_flight` row comes from an
        // older version of this code and is honoured until it times out.
        KeyState::InFlight
    })
}

async fn find_key<C: ConnectionTrait>(
    conn: &C,
    partner: PartnerId,
    key: &str,
) -> Result<Option<idempotency_key::Model>> {
    Ok(idempotency_key::Entity::find()
        .filter(idempotency_key::Column::PartnerId.eq(partner.0))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(conn)
        .await?)
}

/// What `key` already answers for `partner`, read without a write transaction (a replay costs
/// one read); `None` when the key is free. A free key is only taken inside the write that
/// stores its answer ([`commit_keyed`]), which looks again.
pub async fn lookup_key(
    store: &Store,
    partner: PartnerId,
    key: &str,
    fingerprint: &str,
) -> Result<Option<KeyState>> {
    let now = Timestamp::now().0;
    Ok(find_key(store.conn(), partner, key)
        .await?
        .and_then(|row| key_state(row, fingerprint, now)))
}

/// Order intake's in-process state, one per [`Store`].
#[derive(Debug, Default)]
pub struct IntakeState {
    /// Keys whose first request is running in this process: a second request with the same
    /// key answers 409 at once instead of validating the same order again.
    in_flight: std::sync::Mutex<HashSet<(i64, String)>>,
    /// SQLite's group-commit writer, started on first use.
    writer: std::sync::OnceLock<tokio::sync::mpsc::Sender<BatchItem>>,
}

/// A key held by a running request in this process; released when dropped, however the
/// request ends.
#[derive(Debug)]
pub struct KeyHold {
    state: Arc<IntakeState>,
    entry: (i64, String),
}

impl Drop for KeyHold {
    fn drop(&mut self) {
        self.state
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.entry);
    }
}

/// Holds `key` for this request, or `None` when another request of this process holds it
/// (answer 409). Across processes, PostgreSQL's per-key advisory lock in [`commit_keyed`] does
/// the same; SQLite serialises writers, so there the second process waits and replays.
pub fn hold_key(store: &Store, partner: PartnerId, key: &str) -> Option<KeyHold> {
    let entry = (partner.0, key.to_string());
    let inserted = store
        .intake
        .in_flight
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(entry.clone());
    inserted.then(|| KeyHold {
        state: store.intake.clone(),
        entry,
    })
}

/// What a keyed request comes to once validated.
#[derive(Debug, Clone)]
pub enum KeyedOutcome {
    /// A valid order to write; `conflict_body` is the answer (409) when the partner's order id
    /// was used before.
    Order {
        order: NewOrder,
        conflict_body: String,
    },
    /// An answer without an order (422 with its reasons), stored and replayed like any other.
    Answer { status: u16, body: String },
}

/// A keyed request ready to commit.
#[derive(Debug, Clone)]
pub struct KeyedWrite {
    pub partner: PartnerId,
    pub key: String,
    pub fingerprint: String,
    pub outcome: KeyedOutcome,
}

/// What [`commit_keyed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// Written: answer this (it is stored under the key).
    Stored { status: u16, body: String },
    /// Nothing written: the key was taken meanwhile (by another process, or a request that
    /// finished between the first look and this write).
    Existing(KeyState),
}

/// Stores a keyed request's outcome: the order (with its lines, purchase requests, first event
/// and webhook delivery) and the key's stored answer commit in one transaction, after the key
/// is checked again inside it. On PostgreSQL the transaction first takes a per-key advisory
/// lock with `pg_try_advisory_xact_lock` (a request holding it is in flight: 409, without
/// waiting); on SQLite the write goes through a group-commit writer (see [`BatchItem`]).
pub async fn commit_keyed(store: &Store, write: KeyedWrite) -> Result<Committed> {
    match store.backend() {
        Backend::Postgres => {
            let txn = store.begin_write().await?;
            if !try_lock_key(&txn, write.partner, &write.key).await? {
                txn.rollback().await?;
                return Ok(Committed::Existing(KeyState::InFlight));
            }
            let done = write_keyed(&txn, &write).await?;
            match done {
                Committed::Stored { .. } => txn.commit().await?,
                Committed::Existing(_) => txn.rollback().await?,
            }
            Ok(done)
        }
        Backend::Sqlite => {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let tx = store
                .intake
                .writer
                .get_or_init(|| spawn_group_writer(store.conn().clone()));
            tx.send(BatchItem { write, reply })
                .await
                .map_err(|_| StoreError::Invalid("the intake writer has stopped".into()))?;
            answer
                .await
                .map_err(|_| StoreError::Invalid("the intake writer has stopped".into()))?
        }
    }
}

/// `pg_try_advisory_xact_lock` on a 64-bit hash of (partner, key): held until the transaction
/// ends, so a crashed request leaves nothing behind. Two keys sharing a hash (odds 2^-64) only
/// make one of them answer 409 once.
async fn try_lock_key<C: ConnectionTrait>(conn: &C, partner: PartnerId, key: &str) -> Result<bool> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(partner.0.to_be_bytes());
    h.update(key.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let lock_id = i64::from_be_bytes(first);
    let row = conn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1) AS got",
            [lock_id.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::Invalid("pg_try_advisory_xact_lock answered no row".into()))?;
    Ok(row.try_get("", "got")?)
}

/// The body of a keyed write, in the caller's transaction (or savepoint).
async fn write_keyed<C: ConnectionTrait>(conn: &C, w: &KeyedWrite) -> Result<Committed> {
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
            Err(StoreError::Conflict(_)) => (409, conflict_body.clone()),
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
    write: KeyedWrite,
    reply: tokio::sync::oneshot::Sender<Result<Committed>>,
}

/// Orders committed together at most (bounds the time the write lock is held).
const GROUP_COMMIT_MAX: usize = 64;

fn spawn_group_writer(db: sea_orm::DatabaseConnection) -> tokio::sync::mpsc::Sender<BatchItem> {
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

async fn commit_group(db: &sea_orm::DatabaseConnection, batch: Vec<BatchItem>) {
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

/// What the catalog says of one SKU at intake.
#[derive(Debug, Clone)]
pub struct SkuFacts {
    pub sku_id: SkuId,
    pub style_id: StyleId,
    pub wholesaler_id: WholesalerId,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    pub stock: String,
    pub style_state: String,
    pub moq: u32,
    pub price_krw: i64,
}

/// Facts for the SKUs named by id or by (style code, colour, size).
pub async fn sku_facts(store: &Store, ids: &[SkuId], codes: &[String]) -> Result<Vec<SkuFacts>> {
    let mut skus = Vec::new();
    if !ids.is_empty() {
        skus.extend(
            sku::Entity::find()
                .filter(sku::Column::Id.is_in(ids.iter().map(|s| s.0)))
                .all(store.conn())
                .await?,
        );
    }
    let mut styles: HashMap<i64, style::Model> = HashMap::new();
    if !codes.is_empty() {
        for s in style::Entity::find()
            .filter(style::Column::StyleCode.is_in(codes.iter().cloned()))
            .all(store.conn())
            .await?
        {
            styles.insert(s.id, s);
        }
        let by_code: Vec<i64> = styles.keys().copied().collect();
        skus.extend(
            sku::Entity::find()
                .filter(sku::Column::StyleId.is_in(by_code))
                .all(store.conn())
                .await?,
        );
    }
    let missing: Vec<i64> = skus
        .iter()
        .map(|k| k.style_id)
        .filter(|id| !styles.contains_key(id))
        .collect();
    if !missing.is_empty() {
        for s in style::Entity::find()
            .filter(style::Column::Id.is_in(missing))
            .all(store.conn())
            .await?
        {
            styles.insert(s.id, s);
        }
    }
    let mut seen = std::collections::HashSet::new();
    Ok(skus
        .into_iter()
        .filter(|k| seen.insert(k.id))
        .filter_map(|k| {
            let s = styles.get(&k.style_id)?;
            Some(SkuFacts {
                sku_id: SkuId(k.id),
                style_id: StyleId(s.id),
                wholesaler_id: WholesalerId(s.wholesaler_id),
                style_code: s.style_code.clone(),
                colour: k.colour,
                size: k.size,
                stock: k.stock,
                style_state: s.state.clone(),
                moq: u32::try_from(s.moq).unwrap_or(1),
                price_krw: s.price_krw,
            })
        })
        .collect())
}

/// One accepted line of a new order.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub sku_id: SkuId,
    pub style_id: StyleId,
    pub wholesaler_id: WholesalerId,
    pub quantity: u32,
    pub unit_price_minor: i64,
}

/// A new order, already validated.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub partner: PartnerId,
    pub partner_order_id: String,
    pub currency: String,
    pub ship_to: serde_json::Value,
    pub notes: Option<String>,
    pub lines: Vec<NewLine>,
}

/// The lock that keeps the order changes cursor from skipping (PostgreSQL only: SQLite
/// serialises writers, so its event ids are in commit order already).
///
/// An event id comes from a sequence when the row is inserted, but transactions commit in
/// their own order: a reader polling `id > cursor` could see id 11 before 10 commits and move
/// past 10. Writers take this lock *shared* just before inserting events and hold it to their
/// commit, so writers never wait for each other; a reader takes it *exclusive* (in
/// [`events_after`]), which waits until every writer that holds an id has committed or rolled
/// back, and reads while holding it: every id below what it sees is final.
const EVENT_ORDER_LOCK: i64 = 84_120_001;

async fn lock_event_order<C: ConnectionTrait>(conn: &C) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock_shared({EVENT_ORDER_LOCK})"
        ))
        .await?;
    }
    Ok(())
}

/// The ids an intake wrote.
#[derive(Debug, Clone)]
pub struct CreatedOrder {
    pub order_id: i64,
    /// Purchase request id per wholesaler.
    pub purchase_requests: Vec<(WholesalerId, i64)>,
    /// The order as [`get_order`] would read it back, made from the rows the inserts returned.
    pub view: OrderView,
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
        currency: Set(order.currency.clone()),
        state: Set(OrderState::AwaitingWholesalers.as_str().to_string()),
        ship_to: Set(order.ship_to.to_string()),
        notes: Set(order.notes.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        export_order::Column::PartnerId,
        export_order::Column::PartnerOrderId,
    ])
    .exec_with_returning(conn)
    .await?;
    let o = match inserted {
        TryInsertResult::Inserted(o) => o,
        TryInsertResult::Conflicted | TryInsertResult::Empty => {
            return Err(StoreError::Conflict(format!(
                "order {} already exists",
                order.partner_order_id
            )));
        }
    };
    let mut wholesalers: Vec<WholesalerId> = Vec::new();
    for l in &order.lines {
        if !wholesalers.contains(&l.wholesaler_id) {
            wholesalers.push(l.wholesaler_id);
        }
    }
    let prs: Vec<(WholesalerId, i64)> =
        purchase_request::Entity::insert_many(wholesalers.iter().map(|w| {
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
    let view = OrderView {
        order_id: o.id,
        partner_order_id: o.partner_order_id,
        state: o.state,
        currency: o.currency,
        lines: lines.into_iter().map(line_view).collect(),
    };
    // Last, so the event lock is held only from here to the commit.
    lock_event_order(conn).await?;
    let event = order_event::ActiveModel {
        order_id: Set(o.id),
        partner_id: Set(order.partner.0),
        event_type: Set("order.received".into()),
        payload: Set(serde_json::json!({ "order_id": o.id, "state": OrderState::AwaitingWholesalers.as_str() }).to_string()),
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

/// An order as its partner sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrderView {
    pub order_id: i64,
    pub partner_order_id: String,
    pub state: String,
    pub currency: String,
    pub lines: Vec<LineView>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LineView {
    pub line_id: i64,
    pub sku_id: i64,
    pub style_id: i64,
    pub wholesaler_id: i64,
    pub quantity: i32,
    pub confirmed_quantity: i32,
    pub unit_price_minor: i64,
    pub state: String,
    pub backorder_until: Option<String>,
}

fn line_view(l: order_line::Model) -> LineView {
    LineView {
        line_id: l.id,
        sku_id: l.sku_id,
        style_id: l.style_id,
        wholesaler_id: l.wholesaler_id,
        quantity: l.quantity,
        confirmed_quantity: l.confirmed_quantity,
        unit_price_minor: l.unit_price_minor,
        state: l.state,
        backorder_until: l.backorder_until,
    }
}

/// An order of `partner` (another partner's is `NotFound`).
pub async fn get_order<C: ConnectionTrait>(
    conn: &C,
    partner: PartnerId,
    id: i64,
) -> Result<OrderView> {
    let o = export_order::Entity::find_by_id(id)
        .filter(export_order::Column::PartnerId.eq(partner.0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    Ok(OrderView {
        order_id: o.id,
        partner_order_id: o.partner_order_id,
        state: o.state,
        currency: o.currency,
        lines: lines.into_iter().map(line_view).collect(),
    })
}

/// A purchase request (발주) as its wholesaler sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PurchaseRequestView {
    pub id: i64,
    pub order_id: i64,
    pub state: String,
    pub created_at: i64,
    pub lines: Vec<LineView>,
}

/// A wholesaler's purchase requests, optionally of one state, newest first.
pub async fn purchase_requests(
    store: &Store,
    wholesaler: WholesalerId,
    state: Option<&str>,
) -> Result<Vec<PurchaseRequestView>> {
    let mut q = purchase_request::Entity::find()
        .filter(purchase_request::Column::WholesalerId.eq(wholesaler.0));
    if let Some(s) = state {
        q = q.filter(purchase_request::Column::State.eq(s));
    }
    let prs = q
        .order_by_desc(purchase_request::Column::Id)
        .all(store.conn())
        .await?;
    let mut out = Vec::with_capacity(prs.len());
    for pr in prs {
        let lines = order_line::Entity::find()
            .filter(order_line::Column::PurchaseRequestId.eq(pr.id))
            .order_by_asc(order_line::Column::Id)
            .all(store.conn())
            .await?;
        out.push(PurchaseRequestView {
            id: pr.id,
            order_id: pr.order_id,
            state: pr.state,
            created_at: pr.created_at,
            lines: lines.into_iter().map(line_view).collect(),
        });
    }
    Ok(out)
}

/// Orders a partner has (for tests and the operator).
pub async fn count_orders(store: &Store, partner: PartnerId) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(export_order::Entity::find()
        .filter(export_order::Column::PartnerId.eq(partner.0))
        .count(store.conn())
        .await?)
}

/// A purchase request of `wholesaler` with every line of its order (another wholesaler's is
/// `NotFound`). Returns (request state, order id, order state, order currency, all lines).
pub async fn purchase_request_for_answer<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    id: i64,
) -> Result<(String, i64, String, String, Vec<order_line::Model>)> {
    let pr = purchase_request::Entity::find_by_id(id)
        .filter(purchase_request::Column::WholesalerId.eq(wholesaler.0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let order = export_order::Entity::find_by_id(pr.order_id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(pr.order_id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    Ok((pr.state, order.id, order.state, order.currency, lines))
}

/// One line's new answer.
#[derive(Debug, Clone)]
pub struct LineUpdate {
    pub line_id: i64,
    pub state: String,
    pub confirmed_quantity: u32,
    pub backorder_until: Option<String>,
}

/// A wholesaler's answers as they are to be recorded.
#[derive(Debug, Clone)]
pub struct AnswerRecord<'a> {
    pub partner: i64,
    pub order_id: i64,
    pub purchase_request: i64,
    pub request_state: &'a str,
    pub order_state: &'a str,
    pub updates: &'a [LineUpdate],
    pub events: &'a [(String, serde_json::Value)],
}

/// Records a wholesaler's answers, the request and order states, and their events, through the
/// caller's transaction.
pub async fn record_answers<C: ConnectionTrait>(conn: &C, r: AnswerRecord<'_>) -> Result<()> {
    let AnswerRecord {
        partner,
        order_id,
        purchase_request,
        request_state,
        order_state,
        updates,
        events,
    } = r;
    purchase_request::Entity::update_many()
        .col_expr(purchase_request::Column::State, Expr::value(request_state))
        .col_expr(
            purchase_request::Column::UpdatedAt,
            Expr::value(Timestamp::now().0),
        )
        .filter(purchase_request::Column::Id.eq(purchase_request))
        .exec(conn)
        .await?;
    record_order_change(conn, partner, order_id, order_state, updates, events).await
}

/// The partner of an order.
pub async fn order_partner<C: ConnectionTrait>(conn: &C, order_id: i64) -> Result<i64> {
    export_order::Entity::find_by_id(order_id)
        .one(conn)
        .await?
        .map(|o| o.partner_id)
        .ok_or(StoreError::NotFound)
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

/// Job kind that delivers one webhook.
pub const JOB_WEBHOOK_DELIVER: &str = "webhook.deliver";

/// For a partner with a webhook endpoint, a delivery row and a delivery job per event, in the
/// caller's transaction (the outbox rule: an event and its delivery commit together).
async fn queue_deliveries<C: ConnectionTrait>(
    conn: &C,
    partner: i64,
    events: &[i64],
) -> Result<()> {
    use crate::entity::{partner as partner_e, webhook_delivery};
    let has_endpoint = partner_e::Entity::find_by_id(partner)
        .one(conn)
        .await?
        .is_some_and(|p| p.webhook_url.is_some() && p.webhook_secret.is_some());
    if !has_endpoint {
        return Ok(());
    }
    let now = Timestamp::now().0;
    for event in events {
        let d = webhook_delivery::ActiveModel {
            partner_id: Set(partner),
            event_id: Set(*event),
            state: Set("pending".into()),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            last_status: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        crate::jobs::enqueue(
            conn,
            crate::jobs::NewJob::new(
                JOB_WEBHOOK_DELIVER,
                serde_json::json!({ "delivery_id": d.id }),
            )
            .max_attempts(3),
        )
        .await?;
    }
    Ok(())
}

/// Everything one delivery attempt needs.
#[derive(Debug, Clone)]
pub struct DeliveryTask {
    pub id: i64,
    pub state: String,
    pub attempts: u32,
    pub event_id: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub event_created_at: i64,
    pub url: Option<String>,
    pub secret: Option<String>,
}

pub async fn delivery_task(store: &Store, id: i64) -> Result<DeliveryTask> {
    use crate::entity::{partner as partner_e, webhook_delivery};
    let d = webhook_delivery::Entity::find_by_id(id)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let e = order_event::Entity::find_by_id(d.event_id)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let p = partner_e::Entity::find_by_id(d.partner_id)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(DeliveryTask {
        id,
        state: d.state,
        attempts: u32::try_from(d.attempts).unwrap_or(0),
        event_id: e.id,
        event_type: e.event_type,
        payload: serde_json::from_str(&e.payload)?,
        event_created_at: e.created_at,
        url: p.webhook_url,
        secret: p.webhook_secret,
    })
}

/// Records an attempt: `state` (pending, delivered, dead, disabled), the next attempt (for
/// pending), and what the endpoint answered. A pending delivery gets its next job, at
/// `next_attempt_at`, in the same transaction.
pub async fn record_attempt(
    store: &Store,
    id: i64,
    state: &str,
    next_attempt_at: Option<i64>,
    status: Option<u16>,
    error: Option<&str>,
    disable_partner_endpoint: bool,
) -> Result<()> {
    use crate::entity::{partner as partner_e, webhook_delivery};
    let now = Timestamp::now().0;
    let txn = store.begin_write().await?;
    let d = webhook_delivery::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(state))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::value(d.attempts + 1),
        )
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .col_expr(
            webhook_delivery::Column::LastStatus,
            Expr::value(status.map(i32::from)),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(error.map(|e| e.chars().take(1000).collect::<String>())),
        )
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if disable_partner_endpoint {
        partner_e::Entity::update_many()
            .col_expr(
                partner_e::Column::WebhookUrl,
                Expr::value(Option::<String>::None),
            )
            .filter(partner_e::Column::Id.eq(d.partner_id))
            .exec(&txn)
            .await?;
    }
    if state == "pending"
        && let Some(at) = next_attempt_at
    {
        crate::jobs::enqueue(
            &txn,
            crate::jobs::NewJob::new(
                JOB_WEBHOOK_DELIVER,
                serde_json::json!({ "delivery_id": id }),
            )
            .max_attempts(3)
            .run_at(Timestamp(at)),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A delivery as the partner sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryView {
    pub id: i64,
    pub event_id: i64,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

pub async fn deliveries(
    store: &Store,
    partner: PartnerId,
    state: Option<&str>,
) -> Result<Vec<DeliveryView>> {
    use crate::entity::webhook_delivery;
    let mut q =
        webhook_delivery::Entity::find().filter(webhook_delivery::Column::PartnerId.eq(partner.0));
    if let Some(s) = state {
        q = q.filter(webhook_delivery::Column::State.eq(s));
    }
    Ok(q.order_by_desc(webhook_delivery::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id,
            event_id: d.event_id,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
        })
        .collect())
}

/// Sends a dead or disabled delivery again (the partner fixed its endpoint).
pub async fn replay_delivery(store: &Store, partner: PartnerId, id: i64) -> Result<()> {
    use crate::entity::webhook_delivery;
    let txn = store.begin_write().await?;
    let d = webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::PartnerId.eq(partner.0))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if d.state == "pending" {
        return Err(StoreError::Conflict(
            "the delivery is still being attempted".into(),
        ));
    }
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value("pending"))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(Timestamp::now().0),
        )
        .filter(webhook_delivery::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    crate::jobs::enqueue(
        &txn,
        crate::jobs::NewJob::new(
            JOB_WEBHOOK_DELIVER,
            serde_json::json!({ "delivery_id": id }),
        )
        .max_attempts(3),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a partner's webhook endpoint and signing secret.
pub async fn set_webhook(store: &Store, partner: PartnerId, url: &str, secret: &str) -> Result<()> {
    use crate::entity::partner as partner_e;
    let res = partner_e::Entity::update_many()
        .col_expr(partner_e::Column::WebhookUrl, Expr::value(url))
        .col_expr(partner_e::Column::WebhookSecret, Expr::value(secret))
        .filter(partner_e::Column::Id.eq(partner.0))
        .exec(store.conn())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
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
