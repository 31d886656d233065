//! The `photos` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub style_id: i64,
    pub position: i32,
    pub source_name: String,
    pub sha256: String,
    pub content_type: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub state: String,
    pub phash: Option<String>,
    /// JSON array of warning codes.
    pub warnings: String,
    pub error: Option<String>,
    /// JSON array of `{name, format, width, height, key}` once normalised.
    pub variants: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
