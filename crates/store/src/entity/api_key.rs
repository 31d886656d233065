//! The `api_keys` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The public part of the key, used to find the row.
    #[sea_orm(unique)]
    pub key_id: String,
    pub role: String,
    pub wholesaler_id: Option<i64>,
    pub partner_id: Option<i64>,
    /// Set for operator keys (`ddh_o_…`).
    pub operator_id: Option<i64>,
    /// SHA-256 of the secret part, hex. The key itself is never stored.
    pub secret_hash: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
