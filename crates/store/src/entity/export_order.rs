//! The `export_orders` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub partner_id: i64,
    pub partner_order_id: String,
    pub currency: String,
    pub state: String,
    /// JSON object: name, country, address, phone.
    pub ship_to: String,
    pub notes: Option<String>,
    /// Placed with a test key (`ddh_pt_…`): never shown to a wholesaler.
    pub test_mode: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
