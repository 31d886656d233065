//! The `partners` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub locale: String,
    pub currency: String,
    pub markup_bp: i32,
    pub rounding: String,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    /// The secret being rotated out: still signed with until the partner ends it.
    pub webhook_secret_previous: Option<String>,
    /// JSON object of feed settings (category mapping, size system, image profile …).
    pub settings: String,
    /// Set on a sandbox partner (test mode): the live partner whose view it copies.
    pub sandbox_of: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
