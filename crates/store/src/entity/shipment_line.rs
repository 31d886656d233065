//! The `shipment_lines` table: which received order lines a shipment carries (a line goes in
//! one shipment at most: `order_line_id` is unique).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub shipment_id: i64,
    #[sea_orm(unique)]
    pub order_line_id: i64,
    pub order_id: i64,
    pub quantity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
