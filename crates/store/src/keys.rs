//! API keys: `ddh_w_<key id>_<secret>` for wholesalers, `ddh_p_…` for partners, `ddh_pt_…`
//! for partners in test mode (the key of the partner's sandbox copy), `ddh_o_…` for hub
//! operators.
//!
//! The key id (public, 12 hex characters) finds the row; the secret (256 random bits, 64 hex
//! characters) is stored only as its SHA-256 and compared in constant time. A key is shown once,
//! when it is made.

use crate::entity::api_key;
use crate::{Result, Store, StoreError};
use ddhub_domain::{ApiKeyId, OperatorId, PartnerId, Timestamp, WholesalerId};
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How long a verified key is trusted without reading its row again. Every API request
/// verifies its key, and at order-intake rates that read was one of the few statements an
/// order costs. A key revoked through this process's store is refused at once (revoking
/// empties the cache); one revoked by another process (`ddhub key revoke` while servers run)
/// within this.
pub const VERIFIED_KEY_TTL: Duration = Duration::from_secs(5);
/// Most keys remembered; the cache starts afresh when full.
const VERIFIED_KEY_ENTRIES: usize = 10_000;

/// Keys verified recently, by the SHA-256 of the whole presented key (the secret itself is
/// not kept). A revocation here empties it, and a verification that read its row before the
/// revocation does not put the key back.
pub(crate) type VerifiedKeys = crate::ttl::TtlCache<[u8; 32], Principal>;

pub(crate) fn verified_keys() -> VerifiedKeys {
    VerifiedKeys::new(VERIFIED_KEY_TTL, VERIFIED_KEY_ENTRIES)
}

/// Who a key speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    Wholesaler(WholesalerId),
    Partner(PartnerId),
    /// A hub operator: pickup, receiving, shipments and declarations.
    Operator(OperatorId),
}

impl Principal {
    fn role(self) -> &'static str {
        match self {
            Principal::Wholesaler(_) => "wholesaler",
            Principal::Partner(_) => "partner",
            Principal::Operator(_) => "operator",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Principal::Wholesaler(_) => "ddh_w_",
            Principal::Partner(_) => "ddh_p_",
            Principal::Operator(_) => "ddh_o_",
        }
    }
}

/// A freshly made key: `key` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub id: ApiKeyId,
    /// The public key id, printed by listings and used by `ddhub key revoke`.
    pub key_id: String,
    pub key: String,
}

/// Why a presented key was not accepted. Each has its own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRejection {
    /// Not of the form `ddh_w_<12 hex>_<64 hex>` or `ddh_p_…`.
    #[error("malformed API key")]
    Malformed,
    /// Well-formed, but no such key or the secret does not match.
    #[error("unknown API key")]
    Invalid,
    #[error("revoked API key")]
    Revoked,
}

const KEY_ID_HEX: usize = 12;
/// The prefix of a test-mode partner key; its row's role is [`TEST_PARTNER_ROLE`].
pub const TEST_PARTNER_PREFIX: &str = "ddh_pt_";
const TEST_PARTNER_ROLE: &str = "partner_test";

/// The prefix a key row's role is shown with.
fn role_prefix(role: &str) -> Option<&'static str> {
    Some(match role {
        "wholesaler" => "ddh_w_",
        "partner" => "ddh_p_",
        TEST_PARTNER_ROLE => TEST_PARTNER_PREFIX,
        "operator" => "ddh_o_",
        _ => return None,
    })
}
const SECRET_HEX: usize = 64;

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Splits a presented key into (role prefix, key id, secret), checking its shape only.
fn parse(presented: &str) -> Option<(&str, &str, &str)> {
    let (prefix, rest) = if let Some(r) = presented.strip_prefix("ddh_w_") {
        ("ddh_w_", r)
    } else if let Some(r) = presented.strip_prefix("ddh_p_") {
        ("ddh_p_", r)
    } else if let Some(r) = presented.strip_prefix(TEST_PARTNER_PREFIX) {
        (TEST_PARTNER_PREFIX, r)
    } else if let Some(r) = presented.strip_prefix("ddh_o_") {
        ("ddh_o_", r)
    } else {
        return None;
    };
    let (key_id, secret) = rest.split_once('_')?;
    let hex_ok = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    (hex_ok(key_id, KEY_ID_HEX) && hex_ok(secret, SECRET_HEX)).then_some((prefix, key_id, secret))
}

/// The owner columns of a key's row: (wholesaler, partner, operator).
fn owners(principal: Principal) -> (Option<i64>, Option<i64>, Option<i64>) {
    match principal {
        Principal::Wholesaler(w) => (Some(w.0), None, None),
        Principal::Partner(p) => (None, Some(p.0), None),
        Principal::Operator(o) => (None, None, Some(o.0)),
    }
}

/// Makes a key for `principal` inside the caller's transaction.
pub async fn issue<C: ConnectionTrait>(conn: &C, principal: Principal) -> Result<IssuedKey> {
    issue_as(conn, principal, principal.role(), principal.prefix()).await
}

/// Makes a test-mode key (`ddh_pt_…`) for `sandbox`, a sandbox partner
/// (`parties::sandbox_partner`), inside the caller's transaction.
pub async fn issue_test<C: ConnectionTrait>(conn: &C, sandbox: PartnerId) -> Result<IssuedKey> {
    issue_as(
        conn,
        Principal::Partner(sandbox),
        TEST_PARTNER_ROLE,
        TEST_PARTNER_PREFIX,
    )
    .await
}

async fn issue_as<C: ConnectionTrait>(
    conn: &C,
    principal: Principal,
    role: &str,
    prefix: &str,
) -> Result<IssuedKey> {
    // The thread's generator is not Send: drawn before any await, so that issuing a key
    // works inside a request's (multi-threaded) future.
    let (id_bytes, secret_bytes): ([u8; KEY_ID_HEX / 2], [u8; SECRET_HEX / 2]) = {
        let mut rng = rand::rng();
        (rng.random(), rng.random())
    };
    let key_id = hex::encode(id_bytes);
    let secret = hex::encode(secret_bytes);
    let (wholesaler_id, partner_id, operator_id) = owners(principal);
    let row = api_key::ActiveModel {
        key_id: Set(key_id.clone()),
        role: Set(role.to_string()),
        wholesaler_id: Set(wholesaler_id),
        partner_id: Set(partner_id),
        operator_id: Set(operator_id),
        secret_hash: Set(sha256_hex(&secret)),
        created_at: Set(Timestamp::now().0),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(IssuedKey {
        id: ApiKeyId(row.id),
        key: format!("{prefix}{key_id}_{secret}"),
        key_id,
    })
}

/// Re-creates a key's row from a key printed earlier (the demo keeps its keys so that a re-run
/// prints the same ones). Refuses a key whose id is taken by another secret.
pub async fn restore<C: ConnectionTrait>(conn: &C, principal: Principal, key: &str) -> Result<()> {
    let (prefix, key_id, secret) =
        parse(key).ok_or_else(|| StoreError::Invalid("malformed API key".into()))?;
    // A `ddh_pt_` key is a partner's (its sandbox's) in test mode.
    let role = match (prefix, principal) {
        (TEST_PARTNER_PREFIX, Principal::Partner(_)) => TEST_PARTNER_ROLE,
        _ if prefix == principal.prefix() => principal.role(),
        _ => return Err(StoreError::Invalid("key is for another role".into())),
    };
    if let Some(existing) = api_key::Entity::find()
        .filter(api_key::Column::KeyId.eq(key_id))
        .one(conn)
        .await?
    {
        if existing.secret_hash != sha256_hex(secret) {
            return Err(StoreError::Conflict("api key id".into()));
        }
        return Ok(());
    }
    let (wholesaler_id, partner_id, operator_id) = owners(principal);
    api_key::ActiveModel {
        key_id: Set(key_id.to_string()),
        role: Set(role.to_string()),
        wholesaler_id: Set(wholesaler_id),
        partner_id: Set(partner_id),
        operator_id: Set(operator_id),
        secret_hash: Set(sha256_hex(secret)),
        created_at: Set(Timestamp::now().0),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Checks a presented key and says whom it speaks for.
pub async fn verify(store: &Store, presented: &str) -> Result<Result<Principal, KeyRejection>> {
    let Some((prefix, key_id, secret)) = parse(presented) else {
        return Ok(Err(KeyRejection::Malformed));
    };
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    let ticket = match store.verified_keys.get(&digest) {
        Ok(principal) => return Ok(Ok(principal)),
        Err(ticket) => ticket,
    };
    let Some(row) = api_key::Entity::find()
        .filter(api_key::Column::KeyId.eq(key_id))
        .one(store.conn())
        .await?
    else {
        return Ok(Err(KeyRejection::Invalid));
    };
    let presented_hash = sha256_hex(secret);
    let matches: bool = presented_hash
        .as_bytes()
        .ct_eq(row.secret_hash.as_bytes())
        .into();
    let principal = match (
        row.role.as_str(),
        row.wholesaler_id,
        row.partner_id,
        row.operator_id,
    ) {
        ("wholesaler", Some(w), _, _) => Principal::Wholesaler(WholesalerId(w)),
        ("partner" | TEST_PARTNER_ROLE, _, Some(p), _) => Principal::Partner(PartnerId(p)),
        ("operator", _, _, Some(o)) => Principal::Operator(OperatorId(o)),
        _ => return Err(StoreError::Corrupt(format!("api key {key_id}: bad role"))),
    };
    if !matches || Some(prefix) != role_prefix(&row.role) {
        return Ok(Err(KeyRejection::Invalid));
    }
    if row.revoked_at.is_some() {
        return Ok(Err(KeyRejection::Revoked));
    }
    store.verified_keys.store(ticket, digest, principal);
    Ok(Ok(principal))
}

/// Revokes a key by its public id. `NotFound` when there is no such key.
pub async fn revoke(store: &Store, key_id: &str) -> Result<()> {
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyId.eq(key_id.trim()))
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let mut am: api_key::ActiveModel = row.into();
    am.revoked_at = Set(Some(Timestamp::now().0));
    am.update(store.conn()).await?;
    store.verified_keys.clear();
    Ok(())
}

/// A key as listings show it (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeySummary {
    pub key_id: String,
    pub role: String,
    pub created_at: i64,
    pub revoked: bool,
}

/// The keys of a wholesaler or partner.
pub async fn list_for(store: &Store, principal: Principal) -> Result<Vec<KeySummary>> {
    let q = api_key::Entity::find();
    let q = match principal {
        Principal::Wholesaler(w) => q.filter(api_key::Column::WholesalerId.eq(w.0)),
        Principal::Partner(p) => q.filter(api_key::Column::PartnerId.eq(p.0)),
        Principal::Operator(o) => q.filter(api_key::Column::OperatorId.eq(o.0)),
    };
    Ok(q.all(store.conn())
        .await?
        .into_iter()
        .map(|r| KeySummary {
            key_id: r.key_id,
            role: r.role,
            created_at: r.created_at,
            revoked: r.revoked_at.is_some(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let id = "0123456789ab";
        let secret = "f".repeat(64);
        assert!(parse(&format!("ddh_w_{id}_{secret}")).is_some());
        assert!(parse(&format!("ddh_p_{id}_{secret}")).is_some());
        assert!(parse(&format!("ddh_o_{id}_{secret}")).is_some());
        assert_eq!(
            parse(&format!("ddh_pt_{id}_{secret}")).map(|p| p.0),
            Some(TEST_PARTNER_PREFIX)
        );
        assert!(parse(&format!("ddh_pt{id}_{secret}")).is_none());
        assert!(parse(&format!("ddh_o_{id}_{}", "f".repeat(63))).is_none());
        assert!(parse(&format!("ddh_x_{id}_{secret}")).is_none());
        assert!(parse(&format!("ddh_w_{id}_{}", "f".repeat(63))).is_none());
        assert!(parse(&format!("ddh_w_{id}_{}", "F".repeat(64))).is_none());
        assert!(parse("ddh_w_").is_none());
        assert!(parse("").is_none());
    }
}
