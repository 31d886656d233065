//! Operator glossary overrides (merged over the shipped glossary at run time), the glossary
//! revision that tells processes to reload them, and the translation memory.

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
        // One row per Korean term the operator added or overrode; `role = variant` rows name
        // the canonical term in `code`, as in the shipped files.
        m.create_table(
            Table::create()
                .table("glossary_overrides")
                .col(string("ko").primary_key())
                .col(string("role"))
                .col(string("code"))
                .col(text("en"))
                .col(text("ja"))
                .col(text("zh_cn"))
                .col(text("zh_tw"))
                .col(text("vi"))
                .col(text("th"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .to_owned(),
        )
        .await?;
        // A single row (id 1): bumped in the same transaction as every override change, so a
        // process compares one integer to know whether its merged glossary is stale.
        m.create_table(
            Table::create()
                .table("glossary_revision")
                .col(integer("id").primary_key())
                .col(big_integer("revision"))
                // Version (content hash) of the merged glossary after the change.
                .col(string("version"))
                .col(big_integer("updated_at"))
                .to_owned(),
        )
        .await?;
        // Machine-translation results by `tm1:` key (source hash, locale, glossary version,
        // provider); the parts are kept as columns for pruning and inspection.
        m.create_table(
            Table::create()
                .table("translation_memory")
                .col(string("key").primary_key())
                .col(string("source_hash"))
                .col(string("locale"))
                .col(string("glossary_version"))
                .col(string("provider"))
                .col(text("value"))
                .col(string("review"))
                .col(big_integer("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_translation_memory_created_at")
                .table("translation_memory")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
