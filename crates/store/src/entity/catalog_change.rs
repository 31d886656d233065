//! The `catalog_changes` table: the log behind the partner changes feed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub style_id: i64,
    pub wholesaler_id: i64,
    pub locale: Option<String>,
    pub kind: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
