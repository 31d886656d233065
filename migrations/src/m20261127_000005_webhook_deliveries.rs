//! Webhook deliveries: one row per order event per partner endpoint, with its attempts, the
//! next attempt, and a dead-letter state visible through the API.

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
                .table("webhook_deliveries")
                .col(big_pk_auto("id"))
                .col(big_integer("partner_id"))
                .col(big_integer("event_id"))
                // pending, delivered, dead, disabled
                .col(string("state"))
                .col(integer("attempts"))
                .col(big_integer_null("next_attempt_at"))
                .col(integer_null("last_status"))
                .col(text_null("last_error"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_deliveries_event_id")
                        .from("webhook_deliveries", "event_id")
                        .to("order_events", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_partner_state")
                .table("webhook_deliveries")
                .col("partner_id")
                .col("state")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
