//! The `rate_tables` table: carrier rate tables the operator loaded (`ddhub shipping rates
//! load`), one per service, replacing the shipped one of the same service.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_tables")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service: String,
    /// The table's TOML, as validated when loaded.
    pub body: String,
    pub loaded_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
