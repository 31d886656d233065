//! Catalog uploads and their row reports, wholesalers' saved column mappings, and the upload
//! that last listed each style (so `mode=replace` can archive the styles a sheet left out).

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
                .table("uploads")
                .col(big_pk_auto("id"))
                .col(big_integer("wholesaler_id"))
                .col(string("state"))
                .col(string("mode"))
                .col(boolean("dry_run"))
                .col(text("file_name"))
                .col(text("file_path"))
                .col(text_null("photos_path"))
                .col(string_null("encoding"))
                .col(string_null("sheet_name"))
                .col(string_null("detected_format"))
                .col(integer("progress"))
                // Counts, as JSON: rows, styles created/updated/unchanged/archived, skus,
                // photos matched/missing/unmatched, errors, warnings.
                .col(text("counts"))
                .col(string_null("failure_code"))
                .col(text_null("failure_ko"))
                .col(text_null("failure_en"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .col(big_integer_null("finished_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_uploads_wholesaler_id")
                        .from("uploads", "wholesaler_id")
                        .to("wholesalers", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_uploads_wholesaler")
                .table("uploads")
                .col("wholesaler_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("upload_problems")
                .col(big_pk_auto("id"))
                .col(big_integer("upload_id"))
                .col(integer("row"))
                .col(text("column"))
                .col(text("value"))
                .col(string("severity"))
                .col(string("code"))
                .col(text("message_ko"))
                .col(text("message_en"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_upload_problems_upload_id")
                        .from("upload_problems", "upload_id")
                        .to("uploads", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_upload_problems_upload")
                .table("upload_problems")
                .col("upload_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("column_mappings")
                .col(big_pk_auto("id"))
                .col(big_integer("wholesaler_id"))
                .col(text("header"))
                // A field key (`style_code`, `price` …), or NULL for "ignore this column".
                .col(string_null("field"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_column_mappings_wholesaler_id")
                        .from("column_mappings", "wholesaler_id")
                        .to("wholesalers", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_column_mappings_wholesaler_header")
                .table("column_mappings")
                .col("wholesaler_id")
                .col("header")
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("styles")
                .add_column(big_integer_null("last_upload_id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
