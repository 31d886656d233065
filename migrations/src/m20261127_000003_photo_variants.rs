//! The normalised variants of each photo (name, format, size, storage key), as JSON.

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
        m.alter_table(
            Table::alter()
                .table("photos")
                .add_column(text_null("variants"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_photos_phash")
                .table("photos")
                .col("phash")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
