//! Webhook secret rotation (issue 22): the secret being replaced stays valid beside the new one
//! until the partner ends it, and deliveries are signed with both meanwhile.

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
                .table("partners")
                .add_column(text_null("webhook_secret_previous"))
                .to_owned(),
        )
        .await
    }
}
