//! Web console sessions. A wholesaler signs in with its API key; the browser then holds a random
//! session token in a cookie. The table (not a signed cookie) is the design because the servers
//! may be many processes on PostgreSQL with no shared secret on disk, and because sign-out and a
//! revoked key must end a session at once: the row goes, or its key's `revoked_at` is checked on
//! every request.

use crate::entity::{api_key, console_session};
use crate::keys::{self, KeyRejection, Principal};
use crate::{Result, Store};
use ddhub_domain::{Timestamp, WholesalerId};
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// A session as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub wholesaler: WholesalerId,
    /// The synchroniser token every form of this session must send back.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// A new session: `token` goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub session: ConsoleSession,
}

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRejection {
    Key(KeyRejection),
    /// A partner key: the console is for wholesalers.
    NotWholesaler,
}

pub(crate) fn random_hex() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks a wholesaler key and opens a session of `lifetime` for it.
pub async fn sign_in(
    store: &Store,
    presented_key: &str,
    lifetime: std::time::Duration,
) -> Result<Result<OpenedSession, SignInRejection>> {
    let presented_key = presented_key.trim();
    let wholesaler = match keys::verify(store, presented_key).await? {
        Ok(Principal::Wholesaler(w)) => w,
        Ok(Principal::Partner(_) | Principal::Operator(_)) => {
            return Ok(Err(SignInRejection::NotWholesaler));
        }
        Err(r) => return Ok(Err(SignInRejection::Key(r))),
    };
    // verify() accepted the shape, so the key id is the part between the prefix and the secret.
    let key_id = presented_key
        .strip_prefix("ddh_w_")
        .and_then(|r| r.split_once('_'))
        .map(|(id, _)| id)
        .unwrap_or_default();
    let Some(key_row) = api_key::Entity::find()
        .filter(api_key::Column::KeyId.eq(key_id))
        .one(store.conn())
        .await?
    else {
        return Ok(Err(SignInRejection::Key(KeyRejection::Invalid)));
    };
    let now = Timestamp::now();
    let expires_at = now.plus(lifetime);
    // Expired sessions are swept on sign-in: cheap, and the table never grows unbounded.
    console_session::Entity::delete_many()
        .filter(console_session::Column::ExpiresAt.lt(now.0))
        .exec(store.conn())
        .await?;
    let token = random_hex();
    let csrf_token = random_hex();
    console_session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        wholesaler_id: Set(wholesaler.0),
        api_key_id: Set(key_row.id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now.0),
        expires_at: Set(expires_at.0),
        ..Default::default()
    }
    .insert(store.conn())
    .await?;
    Ok(Ok(OpenedSession {
        token,
        session: ConsoleSession {
            wholesaler,
            csrf_token,
            expires_at,
        },
    }))
}

/// The live session of a cookie token: none when unknown, expired, or its key was revoked.
pub async fn find(store: &Store, token: &str) -> Result<Option<ConsoleSession>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(row) = console_session::Entity::find()
        .filter(console_session::Column::TokenHash.eq(token_hash(token)))
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
    Ok(Some(ConsoleSession {
        wholesaler: WholesalerId(row.wholesaler_id),
        csrf_token: row.csrf_token,
        expires_at: Timestamp(row.expires_at),
    }))
}

/// Ends the session of a cookie token (sign-out). Unknown tokens are fine.
pub async fn sign_out(store: &Store, token: &str) -> Result<()> {
    console_session::Entity::delete_many()
        .filter(console_session::Column::TokenHash.eq(token_hash(token)))
        .exec(store.conn())
        .await?;
    Ok(())
}
