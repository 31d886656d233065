//! The `column_mappings` table: a wholesaler's own header → field choices.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "column_mappings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub wholesaler_id: i64,
    pub header: String,
    /// A field key, or `None` to ignore the column.
    pub field: Option<String>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
