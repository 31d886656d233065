//! The `order_lines` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub purchase_request_id: Option<i64>,
    pub sku_id: i64,
    pub style_id: i64,
    pub wholesaler_id: i64,
    pub quantity: i32,
    pub confirmed_quantity: i32,
    pub unit_price_minor: i64,
    pub state: String,
    /// ISO date the wholesaler expects a backordered (미송) line.
    pub backorder_until: Option<String>,
    /// Pieces counted in at the hub (issue 17); `None` until the line is received.
    pub received_quantity: Option<i32>,
    pub received_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
