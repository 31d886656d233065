//! The `styles` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "styles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub wholesaler_id: i64,
    pub style_code: String,
    pub title_ko: String,
    pub category: String,
    pub price_krw: i64,
    pub moq: i32,
    /// JSON array of `{material, percent}`.
    pub composition: String,
    pub origin: Option<String>,
    pub season: Option<String>,
    pub same_day: bool,
    pub description_ko: Option<String>,
    pub state: String,
    /// JSON object of the sheet's extra columns.
    pub extra: String,
    /// Hash of the row's canonical content, to tell an unchanged re-upload.
    pub content_hash: String,
    /// The upload that last listed this style.
    pub last_upload_id: Option<i64>,
    /// Shipping weight in grams; 0 when the style gave none (the category default applies).
    pub weight_grams: i32,
    pub created_at: i64,
    pub updated_at: i64,
    /// The model's fit note (`모델 168cm 55 착용`), issue 19.
    pub fit_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
