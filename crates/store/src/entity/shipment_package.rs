//! The `shipment_packages` table: a shipment's parcels, their weight and dimensions, and the
//! tracking number each gets when shipped.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment_packages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub shipment_id: i64,
    pub weight_grams: i32,
    pub length_cm: i32,
    pub width_cm: i32,
    pub height_cm: i32,
    pub tracking_number: Option<String>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
