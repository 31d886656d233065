//! The `uploads` table: one catalog upload and its progress.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub wholesaler_id: i64,
    pub state: String,
    pub mode: String,
    pub dry_run: bool,
    pub file_name: String,
    /// Path of the stored sheet, relative to the data dir.
    pub file_path: String,
    pub photos_path: Option<String>,
    pub encoding: Option<String>,
    pub sheet_name: Option<String>,
    pub detected_format: Option<String>,
    pub progress: i32,
    /// JSON counts.
    pub counts: String,
    pub failure_code: Option<String>,
    pub failure_ko: Option<String>,
    pub failure_en: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
