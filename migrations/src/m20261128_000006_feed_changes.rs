//! The catalog change log behind the partner changes feed: one row per style whose feed content
//! may have changed, appended in the writing transaction, numbered by the table's identity in
//! commit order (writers serialise on an advisory lock on PostgreSQL; SQLite has one writer).

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
                .table("catalog_changes")
                .col(big_pk_auto("id"))
                .col(big_integer("style_id"))
                // Denormalised so a partner's view version is one indexed MAX(id).
                .col(big_integer("wholesaler_id"))
                // Set when only one locale's text changed (a translation); NULL for all.
                .col(string_null("locale"))
                .col(string("kind"))
                .col(big_integer("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_catalog_changes_wholesaler")
                .table("catalog_changes")
                .col("wholesaler_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        // Styles written before this migration get one row each, so a partner reading the
        // changes feed from the start sees the whole catalog.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO catalog_changes (style_id, wholesaler_id, locale, kind, created_at) \
                 SELECT id, wholesaler_id, NULL, 'created', updated_at FROM styles ORDER BY id",
            )
            .await?;
        Ok(())
    }
}
