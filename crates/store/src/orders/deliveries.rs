//! Webhook deliveries: one per event for partners with an endpoint, their attempts and replays.

use super::*;

/// For a partner with a webhook endpoint, a delivery row and a delivery job per event, in the
/// caller's transaction (the outbox rule: an event and its delivery commit together).
pub(crate) async fn queue_deliveries<C: ConnectionTrait>(
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
    /// The secret being rotated out, while it is still valid.
    pub previous_secret: Option<String>,
    /// The partner is a sandbox: the webhook is test mode's (marked so in its body).
    pub test_mode: bool,
}

/// One delivery with its event and its partner's endpoint, in one query (the worker runs it
/// for every delivery: three lookups cost two extra round trips each time).
pub async fn delivery_task(store: &Store, id: i64) -> Result<DeliveryTask> {
    use crate::bulk::Sql;
    let mut sql = Sql::new(store.conn().get_database_backend());
    sql.push(
        "SELECT d.state, d.attempts, e.id AS event_id, e.event_type, e.payload, \
         e.created_at AS event_created_at, p.webhook_url, p.webhook_secret, \
         p.webhook_secret_previous, p.sandbox_of \
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
        previous_secret: row.try_get("", "webhook_secret_previous")?,
        test_mode: row.try_get::<Option<i64>>("", "sandbox_of")?.is_some(),
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

/// Rotates a partner's signing secret: `secret` becomes the secret, the one it replaces stays
/// valid beside it (deliveries carry both signatures) until [`end_previous_webhook_secret`].
/// Answers the endpoint's URL; `NotFound` when no endpoint is set.
pub async fn rotate_webhook_secret(
    store: &Store,
    partner: PartnerId,
    secret: &str,
) -> Result<String> {
    use crate::entity::partner as partner_e;
    let txn = store.begin_write().await?;
    let p = partner_e::Entity::find_by_id(partner.0)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let (Some(url), Some(current)) = (p.webhook_url, p.webhook_secret) else {
        return Err(StoreError::NotFound);
    };
    partner_e::Entity::update_many()
        .col_expr(partner_e::Column::WebhookSecret, Expr::value(secret))
        .col_expr(
            partner_e::Column::WebhookSecretPrevious,
            Expr::value(Some(current)),
        )
        .filter(partner_e::Column::Id.eq(partner.0))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(url)
}

/// Ends the secret a rotation replaced: deliveries are signed with the new one only.
/// `NotFound` when no rotation is under way.
pub async fn end_previous_webhook_secret(store: &Store, partner: PartnerId) -> Result<()> {
    use crate::entity::partner as partner_e;
    let res = partner_e::Entity::update_many()
        .col_expr(
            partner_e::Column::WebhookSecretPrevious,
            Expr::value(Option::<String>::None),
        )
        .filter(partner_e::Column::Id.eq(partner.0))
        .filter(partner_e::Column::WebhookSecretPrevious.is_not_null())
        .exec(store.conn())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets a partner's webhook endpoint and signing secret.
pub async fn set_webhook(store: &Store, partner: PartnerId, url: &str, secret: &str) -> Result<()> {
    use crate::entity::partner as partner_e;
    let res = partner_e::Entity::update_many()
        .col_expr(partner_e::Column::WebhookUrl, Expr::value(url))
        .col_expr(partner_e::Column::WebhookSecret, Expr::value(secret))
        .col_expr(
            partner_e::Column::WebhookSecretPrevious,
            Expr::value(Option::<String>::None),
        )
        .filter(partner_e::Column::Id.eq(partner.0))
        .exec(store.conn())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Removes a partner's webhook endpoint and its secret: no event queues a delivery any more,
/// and deliveries still pending end `disabled`. `NotFound` when it has none.
pub async fn remove_webhook(store: &Store, partner: PartnerId) -> Result<()> {
    use crate::entity::partner as partner_e;
    let res = partner_e::Entity::update_many()
        .col_expr(
            partner_e::Column::WebhookUrl,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            partner_e::Column::WebhookSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            partner_e::Column::WebhookSecretPrevious,
            Expr::value(Option::<String>::None),
        )
        .filter(partner_e::Column::Id.eq(partner.0))
        .filter(partner_e::Column::WebhookUrl.is_not_null())
        .exec(store.conn())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
