//! The `style_colour_checks` table: the latest colour check of a style's photos (issue 19).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "style_colour_checks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub style_id: i64,
    /// JSON: `{threshold, declared, photos_checked, warnings}`.
    pub result: String,
    /// Number of warnings in `result`, for listing styles with any.
    pub warnings: i32,
    pub checked_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
