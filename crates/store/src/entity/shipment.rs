//! The `shipments` table (issue 17): parcels of one consignee, built by an operator.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub partner_id: i64,
    /// The consignee (the orders' `ship_to`), as JSON.
    pub ship_to: String,
    /// ISO 3166-1 alpha-2 destination.
    pub country: String,
    /// `open`, `shipped`.
    pub state: String,
    pub service: Option<String>,
    pub carrier: Option<String>,
    pub operator_id: i64,
    pub created_at: i64,
    pub shipped_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
