//! Idempotency keys of order intake: their stored answers, expiry, and the in-process hold
//! that answers a second request with the same key at once.

use super::*;

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
pub(crate) fn key_state(
    row: idempotency_key::Model,
    fingerprint: &str,
    now: i64,
) -> Option<KeyState> {
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

pub(crate) async fn find_key<C: ConnectionTrait>(
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
pub(crate) fn key_row_of(
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
) -> Result<KeyLookup> {
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
    Ok(KeyLookup {
        state,
        partner: found,
        rate,
    })
}

/// What an order request needs before it is validated: its key's state, its partner and the
/// partner's exchange rate.
#[derive(Debug, Clone)]
pub struct KeyLookup {
    /// `None`: the key is free (or expired); otherwise what to answer at once.
    pub state: Option<KeyState>,
    pub partner: ddhub_domain::partner::Partner,
    pub rate: Option<ddhub_domain::RatePerKrw>,
}

/// Order intake's in-process state, one per [`Store`].
#[derive(Debug, Default)]
pub struct IntakeState {
    /// Keys whose first request is running in this process: a second request with the same
    /// key answers 409 at once instead of validating the same order again.
    pub(crate) in_flight: std::sync::Mutex<HashSet<(i64, String)>>,
    /// SQLite's group-commit writer, started on first use.
    pub(crate) writer: std::sync::OnceLock<tokio::sync::mpsc::Sender<BatchItem>>,
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

/// The key's advisory lock id: a 64-bit hash of (partner, key). `pg_try_advisory_xact_lock`
/// holds it until the transaction ends, so a crashed request leaves nothing behind. Two keys
/// sharing a hash (odds 2^-64) only make one of them answer 409 once.
pub(crate) fn key_lock_id(partner: PartnerId, key: &str) -> i64 {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(partner.0.to_be_bytes());
    h.update(key.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}
