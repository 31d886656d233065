//! Hub operators: the people who run pickup, receiving and shipments, each with API keys
//! (`ddh_o_…`, the same rules as wholesalers' and partners' keys).

use crate::entity::operator;
use crate::keys::{self, IssuedKey, Principal};
use crate::{Result, Store, StoreError};
use ddhub_domain::{OperatorId, Timestamp};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

/// Longest operator name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A hub operator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Operator {
    pub id: OperatorId,
    pub name: String,
    pub created_at: Timestamp,
}

fn to_operator(m: operator::Model) -> Operator {
    Operator {
        id: OperatorId(m.id),
        name: m.name,
        created_at: Timestamp(m.created_at),
    }
}

/// Adds an operator and its first key, in one transaction. The name is trimmed, 1 to
/// [`MAX_NAME_CHARS`] characters, without control characters.
pub async fn add_operator(store: &Store, name: &str) -> Result<(Operator, IssuedKey)> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(StoreError::Invalid(format!(
            "operator name must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    let txn = store.begin_write().await?;
    let row = operator::ActiveModel {
        name: Set(name.to_string()),
        created_at: Set(Timestamp::now().0),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let key = keys::issue(&txn, Principal::Operator(OperatorId(row.id))).await?;
    txn.commit().await?;
    Ok((to_operator(row), key))
}

/// Every operator, oldest first.
pub async fn list_operators(store: &Store) -> Result<Vec<Operator>> {
    Ok(operator::Entity::find()
        .order_by_asc(operator::Column::Id)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_operator)
        .collect())
}
