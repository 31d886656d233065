//! The colour check of a style's photos against its declared colours (issue 19): one row per
//! style, rewritten each time one of its photos is normalised. Warnings only; nothing blocks.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("style_colour_checks")
                .col(big_integer("style_id").primary_key())
                // JSON: `{threshold, declared, photos_checked, warnings: [...]}`.
                .col(text("result"))
                .col(integer("warnings"))
                .col(big_integer("checked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_style_colour_checks_style_id")
                        .from("style_colour_checks", "style_id")
                        .to("styles", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }
}
