//! The `glossary_overrides` table: the operator's glossary rows, merged over the shipped files.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "glossary_overrides")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ko: String,
    pub role: String,
    pub code: String,
    pub en: String,
    pub ja: String,
    pub zh_cn: String,
    pub zh_tw: String,
    pub vi: String,
    pub th: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
