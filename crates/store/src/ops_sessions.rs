//! Operator page sessions (`/ops`): an operator signs in with its operator key and the browser
//! holds a random session token in a cookie. The same design and rules as the console's
//! ([`crate::console_sessions`]): only the token's SHA-256 is stored, sign-out deletes the row,
//! a revoked key ends the session at once.

use crate::console_sessions::{random_hex, token_hash};
use crate::entity::{api_key, ops_session};
use crate::keys::{self, KeyRejection, Principal};
use crate::{Result, Store};
use ddhub_domain::{OperatorId, Timestamp};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// A session as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsSession {
    pub operator: OperatorId,
    /// The synchroniser token every form of this session must send back.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// A new session: `token` goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct OpenedOpsSession {
    pub token: String,
    pub session: OpsSession,
}

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpsSignInRejection {
    Key(KeyRejection),
    /// A wholesaler or partner key: the operator pages are for operators.
    NotOperator,
}

/// Checks an operator key and opens a session of `lifetime` for it.
pub async fn sign_in(
    store: &Store,
    presented_key: &str,
    lifetime: std::time::Duration,
) -> Result<std::result::Result<OpenedOpsSession, OpsSignInRejection>> {
    let presented_key = presented_key.trim();
    let operator = match keys::verify(store, presented_key).await? {
        Ok(Principal::Operator(o)) => o,
        Ok(Principal::Partner(_) | Principal::Wholesaler(_)) => {
            return Ok(Err(OpsSignInRejection::NotOperator));
        }
        Err(r) => return Ok(Err(OpsSignInRejection::Key(r))),
    };
    // verify() accepted the shape, so the key id is the part between the prefix and the secret.
    let key_id = presented_key
        .strip_prefix("ddh_o_")
        .and_then(|r| r.split_once('_'))
        .map(|(id, _)| id)
        .unwrap_or_default();
    let Some(key_row) = api_key::Entity::find()
        .filter(api_key::Column::KeyId.eq(key_id))
        .one(store.conn())
        .await?
    else {
        return Ok(Err(OpsSignInRejection::Key(KeyRejection::Invalid)));
    };
    let now = Timestamp::now();
    let expires_at = now.plus(lifetime);
    // Expired sessions are swept on sign-in, as the console does.
    ops_session::Entity::delete_many()
        .filter(ops_session::Column::ExpiresAt.lt(now.0))
        .exec(store.conn())
        .await?;
    let token = random_hex();
    let csrf_token = random_hex();
    ops_session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        operator_id: Set(operator.0),
        api_key_id: Set(key_row.id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now.0),
        expires_at: Set(expires_at.0),
        ..Default::default()
    }
    .insert(store.conn())
    .await?;
    Ok(Ok(OpenedOpsSession {
        token,
        session: OpsSession {
            operator,
            csrf_token,
            expires_at,
        },
    }))
}

/// The live session of a cookie token: none when unknown, expired, or its key was revoked.
pub async fn find(store: &Store, token: &str) -> Result<Option<OpsSession>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(row) = ops_session::Entity::find()
        .filter(ops_session::Column::TokenHash.eq(token_hash(token)))
        .one(store.conn())
        .await?
    else {
        return Ok(None);
    };
    if row.expires_at <= Timestamp::now().0 {
        return Ok(None);
    }
    let key = api_key::Entity::find_by_id(row.api_key_id)
        .one(store.conn())
        .await?;
    if key.is_none_or(|k| k.revoked_at.is_some()) {
        return Ok(None);
    }
    Ok(Some(OpsSession {
        operator: OperatorId(row.operator_id),
        csrf_token: row.csrf_token,
        expires_at: Timestamp(row.expires_at),
    }))
}

/// Ends the session of a cookie token (sign-out). Unknown tokens are fine.
pub async fn sign_out(store: &Store, token: &str) -> Result<()> {
    ops_session::Entity::delete_many()
        .filter(ops_session::Column::TokenHash.eq(token_hash(token)))
        .exec(store.conn())
        .await?;
    Ok(())
}
