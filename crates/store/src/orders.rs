//! Export orders: idempotency keys, intake in one transaction (order, lines, purchase requests
//! per wholesaler, the stored response and the first event), and reading them back.

use crate::entity::{export_order, idempotency_key, order_event, order_line, purchase_request};
use crate::{Backend, Result, Store, StoreError};
use ddhub_domain::jobs::{JobPayload, WebhookDeliver};
use ddhub_domain::order::{LineState, OrderState, PurchaseRequestState};
use ddhub_domain::{PartnerId, SkuId, StyleId, Timestamp, WholesalerId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashSet;
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

/// The key row a query read with `LEFT JOIN idempotency_keys k` and the `key_*` aliases.
fn key_row_of(
    row: &sea_orm::QueryResult,
    partner: PartnerId,
    key: &str,
) -> Result<Option<idempotency_key::Model>> {
    let Some(id) = row.try_get::<Option<i64>>("", "key_row")? else {
        return Ok(None);
    };
    Ok(Some(idempotency_key::Model {
        id,
        partner_id: partner.0,
        key: key.to_string(),
        fingerprint: row.try_get("", "key_fingerprint")?,
        state: row.try_get("", "key_state")?,
        status: row.try_get("", "key_status")?,
        response: row.try_get("", "key_response")?,
        created_at: row.try_get("", "key_created_at")?,
        expires_at: row.try_get("", "key_expires_at")?,
    }))
}

/// An order request's first read, in one statement: what `key` already answers for `partner`
/// (`None` when the key is free; a replay needs nothing else) and the partner with its
/// currency's rate (a new order is priced with them). `NotFound` when the partner does not
/// exist. Read without a write transaction (a replay costs one read); a free key is only taken
/// inside the write that stores its answer ([`commit_keyed`]), which looks again.
pub async fn lookup_key_with_partner(
    store: &Store,
    partner: PartnerId,
    key: &str,
    fingerprint: &str,
) -> Result<(
    Option<KeyState>,
    ddhub_domain::partner::Partner,
    Option<ddhub_domain::RatePerKrw>,
)> {
    use sea_orm::FromQueryResult;
    let mut sql = crate::bulk::Sql::new(store.conn().get_database_backend());
    sql.push(
        "SELECT p.*, r.per_krw_nanos AS rate_nanos, k.id AS key_row, \
         k.fingerprint AS key_fingerprint, k.state AS key_state, k.status AS key_status, \
         k.response AS key_response, k.created_at AS key_created_at, \
         k.expires_at AS key_expires_at FROM partners p \
         LEFT JOIN exchange_rates r ON r.currency = p.currency \
         LEFT JOIN idempotency_keys k ON k.partner_id = p.id AND k.key = ",
    )
    .bind(key.to_string())
    .push(" WHERE p.id = ")
    .bind(partner.0);
    let row = store
        .conn()
        .query_one_raw(sql.build())
        .await?
        .ok_or(StoreError::NotFound)?;
    let nanos: Option<i64> = row.try_get("", "rate_nanos")?;
    let found =
        crate::parties::to_partner(crate::entity::partner::Model::from_query_result(&row, "")?)?;
    let rate = crate::rates::rate_of(found.currency, nanos);
    let state =
        key_row_of(&row, partner, key)?.and_then(|k| key_state(k, fingerprint, Timestamp::now().0));
    Ok((state, found, rate))
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
            let done = write_keyed_pg(&txn, &write).await?;
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

/// The body of a keyed write on PostgreSQL, in the caller's transaction (READ COMMITTED, as
/// every connection is opened: each statement sees what committed before it), which must roll
/// back on [`Committed::Existing`] (the second statement may have written the order): two
/// statements where [`write_keyed`] takes about ten.
///
/// Intake is bound by round trips, not by work: each statement costs both processes a wake-up,
/// a parse and a plan, and at ~13 statements an order PostgreSQL intake stayed near 500
/// orders/s on two cores. So the first statement takes the key's advisory lock (without
/// waiting: 409 when another request holds it) and the event-order lock, reads the key's
/// row and the partner's webhook endpoint, and draws every id the order needs from its
/// table's sequence; the second is one data-modifying CTE that writes the order, its purchase
/// requests, lines, first event, webhook delivery and job, and the key with its stored answer
/// (made here from the drawn ids, so it is known before the write). A partner order id used
/// before makes the order insert write nothing, every later insert of the order reads from
/// it and writes nothing too, and the key stores the 409 answer instead.
async fn write_keyed_pg<C: ConnectionTrait>(conn: &C, w: &KeyedWrite) -> Result<Committed> {
    use crate::bulk::Sql;
    let now = Timestamp::now().0;
    let order = match &w.outcome {
        KeyedOutcome::Order { order, .. } => Some(order),
        KeyedOutcome::Answer { .. } => None,
    };
    let mut wholesalers: Vec<i64> = Vec::new();
    for l in order.map(|o| o.lines.as_slice()).unwrap_or_default() {
        if !wholesalers.contains(&l.wholesaler_id.0) {
            wholesalers.push(l.wholesaler_id.0);
        }
    }
    let n_lines = order.map_or(0, |o| o.lines.len());
    // The locks come first, in a subquery of the FROM list (volatile, so never flattened into
    // the projection): the key's, taken without waiting (held: another request with this key
    // is in flight, 409), and the event-order lock, shared, held from before an event id is
    // drawn below to the commit (see [`EVENT_ORDER_LOCK`]).
    let mut first = Sql::new(sea_orm::DatabaseBackend::Postgres);
    first.push(
        "SELECT l.got, k.id AS key_row, k.fingerprint AS key_fingerprint, k.state AS key_state, \
         k.status AS key_status, k.response AS key_response, k.created_at AS key_created_at, \
         k.expires_at AS key_expires_at, \
         (SELECT p.webhook_url IS NOT NULL AND p.webhook_secret IS NOT NULL \
            FROM partners p WHERE p.id = ",
    );
    first
        .bind(w.partner.0)
        .push(
            ") AS hook, \
             nextval(pg_get_serial_sequence('export_orders', 'id')) AS order_id, \
             nextval(pg_get_serial_sequence('order_events', 'id')) AS event_id, \
             nextval(pg_get_serial_sequence('webhook_deliveries', 'id')) AS delivery_id, \
             ARRAY(SELECT nextval(pg_get_serial_sequence('purchase_requests', 'id')) \
                   FROM generate_series(1, ",
        )
        .bind(i64::try_from(wholesalers.len()).unwrap_or(0))
        .push(
            ")) AS pr_ids, \
             ARRAY(SELECT nextval(pg_get_serial_sequence('order_lines', 'id')) \
                   FROM generate_series(1, ",
        )
        .bind(i64::try_from(n_lines).unwrap_or(0))
        .push(
            ")) AS line_ids \
             FROM (SELECT pg_try_advisory_xact_lock(",
        )
        .bind(key_lock_id(w.partner, &w.key))
        .push(&format!(
            ") AS got, pg_advisory_xact_lock_shared({EVENT_ORDER_LOCK})::text AS shared) AS l \
             LEFT JOIN idempotency_keys k ON k.partner_id = "
        ))
        .bind(w.partner.0)
        .push(" AND k.key = ")
        .bind(w.key.clone());
    let row = conn
        .query_one_raw(first.build())
        .await?
        .ok_or_else(|| StoreError::Invalid("intake: the key query answered no row".into()))?;
    let got: bool = row.try_get("", "got")?;
    if !got {
        return Ok(Committed::Existing(KeyState::InFlight));
    }
    // The row this request may replace (expired), as read: the key's upsert below replaces
    // only that one (see there).
    let mut seen = (-1i64, -1i64);
    if let Some(existing) = key_row_of(&row, w.partner, &w.key)? {
        seen = (existing.id, existing.created_at);
        if let Some(state) = key_state(existing, &w.fingerprint, now) {
            return Ok(Committed::Existing(state));
        }
    }
    let hook: Option<bool> = row.try_get("", "hook")?;
    let order_id: i64 = row.try_get("", "order_id")?;
    let event_id: i64 = row.try_get("", "event_id")?;
    let delivery_id: i64 = row.try_get("", "delivery_id")?;
    let pr_ids: Vec<i64> = row.try_get("", "pr_ids")?;
    let mut line_ids: Vec<i64> = row.try_get("", "line_ids")?;
    line_ids.sort_unstable();
    if pr_ids.len() != wholesalers.len() || line_ids.len() != n_lines {
        return Err(StoreError::Invalid(
            "intake: sequences answered too few ids".into(),
        ));
    }

    let mut sql = Sql::new(sea_orm::DatabaseBackend::Postgres);
    let (status, body) = match (&w.outcome, order) {
        (KeyedOutcome::Order { conflict_body, .. }, Some(order)) => {
            let pr_of = |wid: i64| {
                wholesalers
                    .iter()
                    .position(|x| *x == wid)
                    .map(|i| pr_ids[i])
            };
            let mut lines = Vec::with_capacity(n_lines);
            for (l, id) in order.lines.iter().zip(&line_ids) {
                lines.push(LineView {
                    line_id: *id,
                    sku_id: l.sku_id.0,
                    style_id: l.style_id.0,
                    wholesaler_id: l.wholesaler_id.0,
                    quantity: i32::try_from(l.quantity)
                        .map_err(|_| StoreError::Invalid("quantity".into()))?,
                    confirmed_quantity: 0,
                    unit_price_minor: l.unit_price_minor,
                    state: LineState::Pending.as_str().to_string(),
                    backorder_until: None,
                });
            }
            let state = OrderState::AwaitingWholesalers.as_str();
            let view = OrderView {
                order_id,
                partner_order_id: order.partner_order_id.clone(),
                state: state.to_string(),
                currency: order.currency.clone(),
                lines,
            };
            let created = serde_json::to_string(&view)?;
            let payload = serde_json::json!({ "order_id": order_id, "state": state }).to_string();
            let job = serde_json::to_string(&WebhookDeliver { delivery_id })?;
            sql.push(
                "WITH o AS (INSERT INTO export_orders (id, partner_id, partner_order_id, \
                 currency, state, ship_to, notes, created_at, updated_at) VALUES (",
            )
            .bind(order_id)
            .push(", ")
            .bind(w.partner.0)
            .push(", ")
            .bind(order.partner_order_id.clone())
            .push(", ")
            .bind(order.currency.clone())
            .push(", ")
            .bind(state)
            .push(", ")
            .bind(order.ship_to.to_string())
            .push(", ")
            .bind(order.notes.clone())
            .push(", ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(
                ") ON CONFLICT (partner_id, partner_order_id) DO NOTHING RETURNING id), \
                 pr AS (INSERT INTO purchase_requests (id, order_id, wholesaler_id, state, \
                 created_at, updated_at) SELECT u.id, o.id, u.w, ",
            )
            .bind(PurchaseRequestState::Open.as_str())
            .push(", ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(" FROM o, UNNEST(")
            .bind(pr_ids.clone())
            .push("::bigint[], ")
            .bind(wholesalers.clone())
            .push(
                "::bigint[]) AS u(id, w) RETURNING id), \
                 l AS (INSERT INTO order_lines (id, order_id, purchase_request_id, sku_id, \
                 style_id, wholesaler_id, quantity, confirmed_quantity, unit_price_minor, \
                 state, backorder_until, created_at, updated_at) \
                 SELECT u.id, o.id, u.pr, u.sku, u.style, u.w, u.q, 0, u.price, ",
            )
            .bind(LineState::Pending.as_str())
            .push(", NULL, ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(" FROM o, UNNEST(")
            .bind(line_ids.clone())
            .push("::bigint[], ")
            .bind(
                order
                    .lines
                    .iter()
                    .map(|l| pr_of(l.wholesaler_id.0).unwrap_or(0))
                    .collect::<Vec<i64>>(),
            )
            .push("::bigint[], ")
            .bind(order.lines.iter().map(|l| l.sku_id.0).collect::<Vec<i64>>())
            .push("::bigint[], ")
            .bind(
                order
                    .lines
                    .iter()
                    .map(|l| l.style_id.0)
                    .collect::<Vec<i64>>(),
            )
            .push("::bigint[], ")
            .bind(
                order
                    .lines
                    .iter()
                    .map(|l| l.wholesaler_id.0)
                    .collect::<Vec<i64>>(),
            )
            .push("::bigint[], ")
            .bind(view.lines.iter().map(|l| l.quantity).collect::<Vec<i32>>())
            .push("::int[], ")
            .bind(
                order
                    .lines
                    .iter()
                    .map(|l| l.unit_price_minor)
                    .collect::<Vec<i64>>(),
            )
            .push(
                "::bigint[]) AS u(id, pr, sku, style, w, q, price) RETURNING id), \
                 e AS (INSERT INTO order_events (id, order_id, partner_id, event_type, \
                 payload, created_at) SELECT ",
            )
            .bind(event_id)
            .push(", o.id, ")
            .bind(w.partner.0)
            .push(", 'order.received', ")
            .bind(payload)
            .push(", ")
            .bind(now)
            .push(
                " FROM o RETURNING id), \
                 d AS (INSERT INTO webhook_deliveries (id, partner_id, event_id, state, \
                 attempts, next_attempt_at, last_status, last_error, created_at, updated_at) \
                 SELECT ",
            )
            .bind(delivery_id)
            .push(", ")
            .bind(w.partner.0)
            .push(", e.id, 'pending', 0, ")
            .bind(now)
            .push(", NULL, NULL, ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(" FROM e WHERE ")
            .bind(hook.unwrap_or(false))
            .push(
                " RETURNING id), \
                 j AS (INSERT INTO jobs (kind, payload, state, attempts, max_attempts, \
                 run_at, lease_until, lease_token, last_error, created_at, updated_at) \
                 SELECT ",
            )
            .bind(WebhookDeliver::KIND)
            .push(", ")
            .bind(job)
            .push(", 'queued', 0, 3, ")
            .bind(now)
            .push(", NULL, NULL, NULL, ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(" FROM d RETURNING id), ");
            (
                // Resolved by the statement: 201 when the order was written, else 409.
                None,
                Some((created, conflict_body.clone())),
            )
        }
        (KeyedOutcome::Answer { status, body }, _) => {
            sql.push("WITH ");
            (Some((*status, body.clone())), None)
        }
        (KeyedOutcome::Order { .. }, None) => {
            return Err(StoreError::Invalid(
                "intake: an order without its order".into(),
            ));
        }
    };
    sql.push(
        "k AS (INSERT INTO idempotency_keys (partner_id, key, fingerprint, state, status, \
         response, created_at, expires_at) VALUES (",
    )
    .bind(w.partner.0)
    .push(", ")
    .bind(w.key.clone())
    .push(", ")
    .bind(w.fingerprint.clone())
    .push(", 'done', ");
    match (&status, &body) {
        (Some((status, answer)), _) => {
            sql.bind(i32::from(*status)).push(", ").bind(answer.clone());
        }
        (None, Some((created, conflict))) => {
            sql.push("CASE WHEN EXISTS (SELECT 1 FROM o) THEN 201 ELSE 409 END, ")
                .push("CASE WHEN EXISTS (SELECT 1 FROM o) THEN ")
                .bind(created.clone())
                .push(" ELSE ")
                .bind(conflict.clone())
                .push(" END");
        }
        (None, None) => {
            return Err(StoreError::Invalid("intake: no answer to store".into()));
        }
    }
    sql.push(", ")
        .bind(now)
        .push(", ")
        .bind(now + KEY_TTL_MS)
        // An expired or abandoned key starts afresh with this request's answer, but only the
        // row the first statement read. Its snapshot was taken before it got the key's lock, so
        // a request that held the lock and committed in between is not in it: the row that
        // request wrote (new, or a replaced one with a new creation time) makes the upsert
        // write nothing and this statement answer no row, and the caller rolls back.
        .push(
            ") ON CONFLICT (partner_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, \
             state = EXCLUDED.state, status = EXCLUDED.status, response = EXCLUDED.response, \
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at \
             WHERE idempotency_keys.id = ",
        )
        .bind(seen.0)
        .push(" AND idempotency_keys.created_at = ")
        .bind(seen.1)
        .push(
            " RETURNING status, response) \
             SELECT status, response FROM k",
        );
    let Some(stored) = conn.query_one_raw(sql.build()).await? else {
        // Read again in a new statement (a fresh snapshot): the answer of the request that
        // took the key meanwhile. It is in flight again only if that row is gone or expired.
        let state = find_key(conn, w.partner, &w.key)
            .await?
            .and_then(|row| key_state(row, &w.fingerprint, now))
            .unwrap_or(KeyState::InFlight);
        return Ok(Committed::Existing(state));
    };
    let status: i32 = stored.try_get("", "status")?;
    let body: Option<String> = stored.try_get("", "response")?;
    Ok(Committed::Stored {
        status: u16::try_from(status).unwrap_or(500),
        body: body.unwrap_or_default(),
    })
}

/// The key's advisory lock id: a 64-bit hash of (partner, key). `pg_try_advisory_xact_lock`
/// holds it until the transaction ends, so a crashed request leaves nothing behind. Two keys
/// sharing a hash (odds 2^-64) only make one of them answer 409 once.
fn key_lock_id(partner: PartnerId, key: &str) -> i64 {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(partner.0.to_be_bytes());
    h.update(key.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
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

/// Facts for the SKUs named by id or by style code (every SKU of those styles), in one query.
pub async fn sku_facts(store: &Store, ids: &[SkuId], codes: &[String]) -> Result<Vec<SkuFacts>> {
    if ids.is_empty() && codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = crate::bulk::Sql::new(store.conn().get_database_backend());
    sql.push(
        "SELECT k.id AS sku_id, k.colour, k.size, k.stock, s.id AS style_id, s.wholesaler_id, \
         s.style_code, s.state, s.moq, s.price_krw \
         FROM skus k JOIN styles s ON s.id = k.style_id WHERE ",
    );
    if !ids.is_empty() {
        sql.in_list("k.id", ids.iter().map(|s| s.0.into()).collect());
    }
    if !codes.is_empty() {
        if !ids.is_empty() {
            sql.push(" OR ");
        }
        sql.in_list(
            "s.style_code",
            codes.iter().map(|c| c.clone().into()).collect(),
        );
    }
    let rows = store.conn().query_all_raw(sql.build()).await?;
    let mut seen = HashSet::new();
    let mut facts = Vec::with_capacity(rows.len());
    for r in rows {
        let sku_id: i64 = r.try_get("", "sku_id")?;
        if !seen.insert(sku_id) {
            continue;
        }
        let moq: i32 = r.try_get("", "moq")?;
        facts.push(SkuFacts {
            sku_id: SkuId(sku_id),
            style_id: StyleId(r.try_get("", "style_id")?),
            wholesaler_id: WholesalerId(r.try_get("", "wholesaler_id")?),
            style_code: r.try_get("", "style_code")?,
            colour: r.try_get("", "colour")?,
            size: r.try_get("", "size")?,
            stock: r.try_get("", "stock")?,
            style_state: r.try_get("", "state")?,
            moq: u32::try_from(moq).unwrap_or(1),
            price_krw: r.try_get("", "price_krw")?,
        });
    }
    Ok(facts)
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

/// A purchase request about to be answered, with its whole order as the order rules see it.
#[derive(Debug, Clone)]
pub struct AnswerContext {
    pub request_state: ddhub_domain::order::PurchaseRequestState,
    pub order: ddhub_domain::order::ExportOrder,
    /// The lines of this purchase request (the wholesaler's own).
    pub mine: Vec<ddhub_domain::OrderLineId>,
}

/// The purchase request `id` of `wholesaler` and its order, read through the caller's
/// transaction (the answer is decided and written in it).
pub async fn answer_context<C: ConnectionTrait>(
    conn: &C,
    wholesaler: WholesalerId,
    id: i64,
) -> Result<AnswerContext> {
    let pr = purchase_request::Entity::find_by_id(id)
        .filter(purchase_request::Column::WholesalerId.eq(wholesaler.0))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let order = export_order::Entity::find_by_id(pr.order_id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let rows = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(pr.order_id))
        .order_by_asc(order_line::Column::Id)
        .all(conn)
        .await?;
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
    let currency: ddhub_domain::Currency = order
        .currency
        .parse()
        .map_err(|_| corrupt("order currency", &order.currency))?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut mine = Vec::new();
    for l in &rows {
        if l.purchase_request_id == Some(id) {
            mine.push(ddhub_domain::OrderLineId(l.id));
        }
        lines.push(ddhub_domain::order::OrderLine {
            id: ddhub_domain::OrderLineId(l.id),
            order_id: ddhub_domain::OrderId(l.order_id),
            sku_id: ddhub_domain::SkuId(l.sku_id),
            wholesaler_id: WholesalerId(l.wholesaler_id),
            quantity: u32::try_from(l.quantity).map_err(|_| corrupt("line quantity", "<0"))?,
            confirmed_quantity: u32::try_from(l.confirmed_quantity)
                .map_err(|_| corrupt("confirmed quantity", "<0"))?,
            unit_price: ddhub_domain::Money {
                minor: l.unit_price_minor,
                currency,
            },
            state: l
                .state
                .parse()
                .map_err(|_| corrupt("line state", &l.state))?,
        });
    }
    Ok(AnswerContext {
        request_state: pr
            .state
            .parse()
            .map_err(|_| corrupt("purchase request state", &pr.state))?,
        order: ddhub_domain::order::ExportOrder {
            id: ddhub_domain::OrderId(order.id),
            partner_id: PartnerId(order.partner_id),
            partner_order_id: order.partner_order_id,
            state: order
                .state
                .parse()
                .map_err(|_| corrupt("order state", &order.state))?,
            lines,
        },
        mine,
    })
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
            crate::jobs::NewJob::of(&WebhookDeliver { delivery_id: d.id }).max_attempts(3),
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

/// One delivery with its event and its partner's endpoint, in one query (the worker runs it
/// for every delivery: three lookups cost two extra round trips each time).
pub async fn delivery_task(store: &Store, id: i64) -> Result<DeliveryTask> {
    use crate::bulk::Sql;
    let mut sql = Sql::new(store.conn().get_database_backend());
    sql.push(
        "SELECT d.state, d.attempts, e.id AS event_id, e.event_type, e.payload, \
         e.created_at AS event_created_at, p.webhook_url, p.webhook_secret \
         FROM webhook_deliveries d \
         JOIN order_events e ON e.id = d.event_id \
         JOIN partners p ON p.id = d.partner_id WHERE d.id = ",
    )
    .bind(id);
    let row = store
        .conn()
        .query_one_raw(sql.build())
        .await?
        .ok_or(StoreError::NotFound)?;
    let attempts: i32 = row.try_get("", "attempts")?;
    let payload: String = row.try_get("", "payload")?;
    Ok(DeliveryTask {
        id,
        state: row.try_get("", "state")?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        event_id: row.try_get("", "event_id")?,
        event_type: row.try_get("", "event_type")?,
        payload: serde_json::from_str(&payload)?,
        event_created_at: row.try_get("", "event_created_at")?,
        url: row.try_get("", "webhook_url")?,
        secret: row.try_get("", "webhook_secret")?,
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
    let update = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(state))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
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
        .filter(webhook_delivery::Column::Id.eq(id));
    let follow_up = state == "pending" && next_attempt_at.is_some();
    if !follow_up && !disable_partner_endpoint {
        // The common case (delivered, dead): one statement, no transaction to open.
        let done = update.exec(store.conn()).await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        return Ok(());
    }
    let txn = store.begin_write().await?;
    if update.exec(&txn).await?.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    if disable_partner_endpoint {
        let d = webhook_delivery::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
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
            crate::jobs::NewJob::of(&WebhookDeliver { delivery_id: id })
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
        crate::jobs::NewJob::of(&WebhookDeliver { delivery_id: id }).max_attempts(3),
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
