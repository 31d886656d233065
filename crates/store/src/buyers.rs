//! Storefront buyers: accounts (pending until the operator approves them), their one-time
//! sign-in codes, sessions, one cart each, and which export orders they placed. Only SHA-256
//! hashes of codes and session tokens are stored. What is valid is decided by the buyers
//! service (`ddhub-app`); this persists it.

use crate::entity::{buyer, buyer_order, buyer_session, cart_line};
use crate::{Result, Store, StoreError};
use ddhub_domain::{Locale, SkuId, Timestamp};
use rand::RngExt;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

/// Whether a buyer may order yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerState {
    /// Signed up; the operator has not approved the account.
    Pending,
    Approved,
}

impl BuyerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BuyerState::Pending => "pending",
            BuyerState::Approved => "approved",
        }
    }
}

/// A storefront buyer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Buyer {
    pub id: i64,
    pub email: String,
    pub business_name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub locale: Locale,
    pub state: BuyerState,
    pub created_at: Timestamp,
    pub approved_at: Option<Timestamp>,
    /// Changes with every cart change.
    #[serde(skip)]
    pub cart_rev: i64,
}

fn to_buyer(m: buyer::Model) -> Result<Buyer> {
    Ok(Buyer {
        id: m.id,
        email: m.email,
        business_name: m.business_name,
        country: m.country,
        locale: Locale::from_tag(&m.locale)
            .ok_or_else(|| StoreError::Corrupt(format!("buyer locale {:?}", m.locale)))?,
        state: match m.state.as_str() {
            "pending" => BuyerState::Pending,
            "approved" => BuyerState::Approved,
            other => return Err(StoreError::Corrupt(format!("buyer state {other:?}"))),
        },
        created_at: Timestamp(m.created_at),
        approved_at: m.approved_at.map(Timestamp),
        cart_rev: m.cart_rev,
    })
}

/// A new buyer's fields, already checked by the caller.
#[derive(Debug, Clone)]
pub struct NewBuyer {
    pub email: String,
    pub business_name: String,
    pub country: String,
    pub locale: Locale,
}

/// Adds a pending buyer. A taken e-mail is `Conflict`.
pub async fn add(store: &Store, b: NewBuyer) -> Result<Buyer> {
    let row = buyer::ActiveModel {
        email: Set(b.email),
        business_name: Set(b.business_name),
        country: Set(b.country),
        locale: Set(b.locale.tag().to_string()),
        state: Set(BuyerState::Pending.as_str().to_string()),
        created_at: Set(Timestamp::now().0),
        approved_at: Set(None),
        code_hash: Set(None),
        code_expires_at: Set(None),
        code_attempts: Set(0),
        cart_rev: Set(0),
        ..Default::default()
    }
    .insert(store.conn())
    .await?;
    to_buyer(row)
}

pub async fn get(store: &Store, id: i64) -> Result<Buyer> {
    buyer::Entity::find_by_id(id)
        .one(store.conn())
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(to_buyer)
}

/// The buyer with this (lower-cased) e-mail.
pub async fn find_by_email(store: &Store, email: &str) -> Result<Option<Buyer>> {
    buyer::Entity::find()
        .filter(buyer::Column::Email.eq(email))
        .one(store.conn())
        .await?
        .map(to_buyer)
        .transpose()
}

/// Buyers, oldest first, of one state when given.
pub async fn list(store: &Store, state: Option<BuyerState>) -> Result<Vec<Buyer>> {
    let mut q = buyer::Entity::find();
    if let Some(s) = state {
        q = q.filter(buyer::Column::State.eq(s.as_str()));
    }
    q.order_by_asc(buyer::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_buyer)
        .collect()
}

/// Approves a buyer (approving twice keeps the first time).
pub async fn approve(store: &Store, id: i64) -> Result<Buyer> {
    let b = get(store, id).await?;
    if b.state == BuyerState::Approved {
        return Ok(b);
    }
    buyer::Entity::update_many()
        .col_expr(
            buyer::Column::State,
            Expr::value(BuyerState::Approved.as_str()),
        )
        .col_expr(buyer::Column::ApprovedAt, Expr::value(Timestamp::now().0))
        .filter(buyer::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    get(store, id).await
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_hex() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// Stores a new sign-in code for a buyer (the last one issued is the only one that works).
pub async fn set_code(store: &Store, id: i64, code: &str, expires_at: Timestamp) -> Result<()> {
    buyer::Entity::update_many()
        .col_expr(buyer::Column::CodeHash, Expr::value(sha256_hex(code)))
        .col_expr(buyer::Column::CodeExpiresAt, Expr::value(expires_at.0))
        .col_expr(buyer::Column::CodeAttempts, Expr::value(0))
        .filter(buyer::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// What a presented code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Accepted,
    /// Wrong, expired, used or none issued.
    Refused,
    /// Too many wrong tries on this code: it is void; ask for a new one.
    Exhausted,
}

/// Checks a code of buyer `id`: a right one is used up, a wrong one counts towards
/// `max_attempts` (then the code is void).
pub async fn check_code(
    store: &Store,
    id: i64,
    code: &str,
    max_attempts: i32,
) -> Result<CodeCheck> {
    let txn = store.begin_write().await?;
    let Some(row) = buyer::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(CodeCheck::Refused);
    };
    let (Some(hash), Some(expires)) = (row.code_hash.as_deref(), row.code_expires_at) else {
        return Ok(CodeCheck::Refused);
    };
    if row.code_attempts >= max_attempts {
        return Ok(CodeCheck::Exhausted);
    }
    let right = expires > Timestamp::now().0
        && bool::from(subtle::ConstantTimeEq::ct_eq(
            sha256_hex(code).as_bytes(),
            hash.as_bytes(),
        ));
    if right {
        buyer::Entity::update_many()
            .col_expr(buyer::Column::CodeHash, Expr::value(Option::<String>::None))
            .col_expr(
                buyer::Column::CodeExpiresAt,
                Expr::value(Option::<i64>::None),
            )
            .filter(buyer::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    } else {
        buyer::Entity::update_many()
            .col_expr(
                buyer::Column::CodeAttempts,
                Expr::col(buyer::Column::CodeAttempts).add(1),
            )
            .filter(buyer::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(if right {
        CodeCheck::Accepted
    } else if row.code_attempts + 1 >= max_attempts {
        CodeCheck::Exhausted
    } else {
        CodeCheck::Refused
    })
}

/// A new session: `token` goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub csrf_token: String,
}

/// Opens a session of `lifetime` for buyer `id`, sweeping expired ones.
pub async fn open_session(
    store: &Store,
    id: i64,
    lifetime: std::time::Duration,
) -> Result<OpenedSession> {
    let now = Timestamp::now();
    buyer_session::Entity::delete_many()
        .filter(buyer_session::Column::ExpiresAt.lt(now.0))
        .exec(store.conn())
        .await?;
    let token = random_hex();
    let csrf_token = random_hex();
    buyer_session::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        buyer_id: Set(id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now.0),
        expires_at: Set(now.plus(lifetime).0),
        ..Default::default()
    }
    .insert(store.conn())
    .await?;
    Ok(OpenedSession { token, csrf_token })
}

/// The buyer and CSRF token of a live session cookie.
pub async fn find_session(store: &Store, token: &str) -> Result<Option<(Buyer, String)>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(s) = buyer_session::Entity::find()
        .filter(buyer_session::Column::TokenHash.eq(sha256_hex(token)))
        .one(store.conn())
        .await?
    else {
        return Ok(None);
    };
    if s.expires_at <= Timestamp::now().0 {
        return Ok(None);
    }
    let b = get(store, s.buyer_id).await?;
    Ok(Some((b, s.csrf_token)))
}

/// Ends a session (sign-out). Unknown tokens are fine.
pub async fn close_session(store: &Store, token: &str) -> Result<()> {
    buyer_session::Entity::delete_many()
        .filter(buyer_session::Column::TokenHash.eq(sha256_hex(token)))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// One cart line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartLine {
    pub sku_id: SkuId,
    pub quantity: u32,
}

/// A buyer's cart, in the order lines were added.
pub async fn cart<C: ConnectionTrait>(conn: &C, buyer_id: i64) -> Result<Vec<CartLine>> {
    Ok(cart_line::Entity::find()
        .filter(cart_line::Column::BuyerId.eq(buyer_id))
        .order_by_asc(cart_line::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| CartLine {
            sku_id: SkuId(l.sku_id),
            quantity: u32::try_from(l.quantity).unwrap_or(0),
        })
        .collect())
}

async fn bump_cart<C: ConnectionTrait>(conn: &C, buyer_id: i64) -> Result<()> {
    buyer::Entity::update_many()
        .col_expr(
            buyer::Column::CartRev,
            Expr::col(buyer::Column::CartRev).add(1),
        )
        .filter(buyer::Column::Id.eq(buyer_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets the quantities of SKUs in a cart (0 removes the line), in one transaction. The caller
/// checked quantities and the cart's size.
pub async fn set_cart_lines(store: &Store, buyer_id: i64, lines: &[CartLine]) -> Result<()> {
    let txn = store.begin_write().await?;
    for l in lines {
        if l.quantity == 0 {
            cart_line::Entity::delete_many()
                .filter(cart_line::Column::BuyerId.eq(buyer_id))
                .filter(cart_line::Column::SkuId.eq(l.sku_id.0))
                .exec(&txn)
                .await?;
            continue;
        }
        let quantity = i32::try_from(l.quantity)
            .map_err(|_| StoreError::Invalid("quantity out of range".into()))?;
        cart_line::Entity::insert(cart_line::ActiveModel {
            buyer_id: Set(buyer_id),
            sku_id: Set(l.sku_id.0),
            quantity: Set(quantity),
            created_at: Set(Timestamp::now().0),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([cart_line::Column::BuyerId, cart_line::Column::SkuId])
                .update_column(cart_line::Column::Quantity)
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    bump_cart(&txn, buyer_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Records that buyer placed order `order_id` and empties the cart, in one transaction.
/// Recording the same order again changes nothing (a replayed submission).
pub async fn record_order(store: &Store, buyer_id: i64, order_id: i64) -> Result<()> {
    let txn = store.begin_write().await?;
    buyer_order::Entity::insert(buyer_order::ActiveModel {
        order_id: Set(order_id),
        buyer_id: Set(buyer_id),
        created_at: Set(Timestamp::now().0),
    })
    .on_conflict_do_nothing_on([buyer_order::Column::OrderId])
    .exec(&txn)
    .await?;
    cart_line::Entity::delete_many()
        .filter(cart_line::Column::BuyerId.eq(buyer_id))
        .exec(&txn)
        .await?;
    bump_cart(&txn, buyer_id).await?;
    txn.commit().await?;
    Ok(())
}

/// The ids of a buyer's orders, newest first.
pub async fn order_ids(store: &Store, buyer_id: i64) -> Result<Vec<i64>> {
    Ok(buyer_order::Entity::find()
        .filter(buyer_order::Column::BuyerId.eq(buyer_id))
        .order_by_desc(buyer_order::Column::OrderId)
        .all(store.conn())
        .await?
        .into_iter()
        .map(|o| o.order_id)
        .collect())
}

/// The buyer who placed an order, if a buyer did.
pub async fn buyer_of_order(store: &Store, order_id: i64) -> Result<Option<Buyer>> {
    match buyer_order::Entity::find_by_id(order_id)
        .one(store.conn())
        .await?
    {
        Some(o) => Ok(Some(get(store, o.buyer_id).await?)),
        None => Ok(None),
    }
}
