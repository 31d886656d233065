//! The `style_measurements` table: measured sizes (실측), one row per size of a style.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "style_measurements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub style_id: i64,
    /// Order of the size in the wholesaler's sheet.
    pub position: i32,
    pub size: String,
    pub shoulder_mm: Option<i32>,
    pub chest_half_mm: Option<i32>,
    pub chest_mm: Option<i32>,
    pub length_mm: Option<i32>,
    pub sleeve_mm: Option<i32>,
    pub waist_half_mm: Option<i32>,
    pub waist_mm: Option<i32>,
    pub hip_half_mm: Option<i32>,
    pub thigh_mm: Option<i32>,
    pub rise_mm: Option<i32>,
    pub hem_mm: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
