//! Idempotency keys for order intake (scoped to the partner, kept at least 24 hours) and the
//! order event outbox (every status change, in commit order, for webhooks and polling).

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
                .table("idempotency_keys")
                .col(big_pk_auto("id"))
                .col(big_integer("partner_id"))
                .col(string("key"))
                .col(string("fingerprint"))
                // `in_flight` while the first request runs, then `done` with its response.
                .col(string("state"))
                .col(integer_null("status"))
                .col(text_null("response"))
                .col(big_integer("created_at"))
                .col(big_integer("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_idempotency_keys_partner_id")
                        .from("idempotency_keys", "partner_id")
                        .to("partners", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_idempotency_keys_partner_key")
                .table("idempotency_keys")
                .col("partner_id")
                .col("key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("order_events")
                .col(big_pk_auto("id"))
                .col(big_integer("order_id"))
                .col(big_integer("partner_id"))
                .col(string("event_type"))
                .col(text("payload"))
                .col(big_integer("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_events_order_id")
                        .from("order_events", "order_id")
                        .to("export_orders", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_order_events_partner")
                .table("order_events")
                .col("partner_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
