//! Test mode (issue 22): a partner's `ddh_pt_…` keys speak for a sandbox partner, a copy of
//! the live partner's view (`sandbox_of`), and the orders placed with them are marked
//! `test_mode`, so that no wholesaler ever sees them.

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
                .add_column(big_integer_null("sandbox_of"))
                .to_owned(),
        )
        .await?;
        // One sandbox per live partner.
        m.create_index(
            Index::create()
                .name("partners_sandbox_of")
                .table("partners")
                .col("sandbox_of")
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("export_orders")
                .add_column(boolean("test_mode").default(false))
                .to_owned(),
        )
        .await
    }
}
