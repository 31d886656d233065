//! Order intake on PostgreSQL: two statements, the second one data-modifying CTE.

use super::*;

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
pub(crate) async fn write_keyed_pg<C: ConnectionTrait>(
    conn: &C,
    w: &KeyedWrite,
) -> Result<Committed> {
    use crate::bulk::Sql;
    let now = Timestamp::now().0;
    let order = match &w.outcome {
        KeyedOutcome::Order { order, .. } => Some(order),
        KeyedOutcome::Answer { .. } => None,
    };
    if let Some(o) = order {
        o.check_split()?;
    }
    let wholesalers: Vec<i64> = order
        .map(|o| o.purchase_requests.iter().map(|w| w.0).collect())
        .unwrap_or_default();
    let n_lines = order.map_or(0, |o| o.lines.len());
    // The locks come first, in a subquery of the FROM list (volatile, so never flattened into
    // the projection): the key's, taken without waiting (held: another request with this key
    // is in flight, 409), and the event-order lock, shared, held from before an event id is
    // drawn below to the commit (see [`crate::seqlog`]).
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
            ") AS got, {}::text AS shared) AS l \
             LEFT JOIN idempotency_keys k ON k.partner_id = ",
            crate::seqlog::append_lock_sql(crate::seqlog::Log::OrderEvents)
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
                    unit_price: ddhub_domain::DecimalMoney::from_minor(
                        l.unit_price_minor,
                        order.currency.code(),
                    ),
                    state: LineState::Pending.as_str().to_string(),
                    backorder_until: None,
                    received: false,
                });
            }
            let state = order.state.as_str();
            let view = OrderView {
                order_id,
                partner_order_id: order.partner_order_id.clone(),
                state: state.to_string(),
                mode: order_mode(order.test_mode),
                currency: order.currency.code().to_string(),
                lines,
            };
            let created = serde_json::to_string(&view)?;
            let (event_type, payload) =
                (order.first_event)(&order.as_export_order(order_id, &line_ids));
            let payload = payload.to_string();
            let job = serde_json::to_string(&WebhookDeliver { delivery_id })?;
            sql.push(
                "WITH o AS (INSERT INTO export_orders (id, partner_id, partner_order_id, \
                 currency, state, ship_to, notes, test_mode, created_at, updated_at) VALUES (",
            )
            .bind(order_id)
            .push(", ")
            .bind(w.partner.0)
            .push(", ")
            .bind(order.partner_order_id.clone())
            .push(", ")
            .bind(order.currency.code())
            .push(", ")
            .bind(state)
            .push(", ")
            .bind(order.ship_to.to_string())
            .push(", ")
            .bind(order.notes.clone())
            .push(", ")
            .bind(order.test_mode)
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
            .push(", ")
            .bind(event_type)
            .push(", ")
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
                Some((
                    created,
                    conflict_body.clone(),
                    order.partner_order_id.clone(),
                )),
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
        (None, Some((created, conflict, partner_order_id))) => {
            sql.push("CASE WHEN EXISTS (SELECT 1 FROM o) THEN 201 ELSE 409 END, ")
                .push("CASE WHEN EXISTS (SELECT 1 FROM o) THEN ")
                .bind(created.clone())
                .push(" ELSE replace(")
                .bind(conflict.clone())
                .push(", ")
                .bind(EXISTING_ORDER_ID_SLOT)
                .push(", '\"existing_order_id\":' || COALESCE((SELECT id::text FROM export_orders WHERE partner_id = ")
                .bind(w.partner.0)
                .push(" AND partner_order_id = ")
                .bind(partner_order_id.clone())
                .push("), 'null')) END");
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
