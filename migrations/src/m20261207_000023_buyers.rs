//! Issue 21, buyer ordering: storefront buyers (approved by the operator before they order),
//! their sign-in codes and sessions, one cart per buyer, and the mail outbox (sign-in codes,
//! order received, answers changed) that is sent by SMTP or written to a file.
//!
//! A buyer's orders are ordinary export orders of the built-in storefront partner; the buyer
//! they belong to is `buyer_orders`.

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
                .table("buyers")
                .col(big_pk_auto("id"))
                // Lower-cased; the sign-in name.
                .col(string_uniq("email"))
                .col(string("business_name"))
                .col(string("country"))
                .col(string("locale"))
                // `pending` until the operator approves, then `approved`.
                .col(string("state"))
                .col(big_integer("created_at"))
                .col(big_integer_null("approved_at"))
                // SHA-256 of the one-time sign-in code, its expiry and the wrong tries on it.
                .col(string_null("code_hash"))
                .col(big_integer_null("code_expires_at"))
                .col(integer("code_attempts").default(0))
                // Bumped on every cart change: the idempotency key of the cart's order.
                .col(big_integer("cart_rev").default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_buyers_state")
                .table("buyers")
                .col("state")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("buyer_sessions")
                .col(big_pk_auto("id"))
                .col(string_uniq("token_hash"))
                .col(big_integer("buyer_id"))
                .col(string("csrf_token"))
                .col(big_integer("created_at"))
                .col(big_integer("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_buyer_sessions_buyer_id")
                        .from("buyer_sessions", "buyer_id")
                        .to("buyers", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("cart_lines")
                .col(big_pk_auto("id"))
                .col(big_integer("buyer_id"))
                .col(big_integer("sku_id"))
                .col(integer("quantity"))
                .col(big_integer("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_cart_lines_buyer_id")
                        .from("cart_lines", "buyer_id")
                        .to("buyers", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_cart_lines_buyer_sku")
                .table("cart_lines")
                .col("buyer_id")
                .col("sku_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("buyer_orders")
                .col(big_integer("order_id").primary_key())
                .col(big_integer("buyer_id"))
                .col(big_integer("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_buyer_orders_buyer_id")
                        .from("buyer_orders", "buyer_id")
                        .to("buyers", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_buyer_orders_order_id")
                        .from("buyer_orders", "order_id")
                        .to("export_orders", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_buyer_orders_buyer_id")
                .table("buyer_orders")
                .col("buyer_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("mail_outbox")
                .col(big_pk_auto("id"))
                .col(string("to_addr"))
                .col(string("subject"))
                .col(text("body"))
                // `sign_in_code`, `order_received`, `answers_changed`.
                .col(string("kind"))
                .col(big_integer("created_at"))
                .col(big_integer_null("sent_at"))
                // `smtp` or `file`, once sent.
                .col(string_null("sent_via"))
                .col(integer("attempts").default(0))
                .col(string_null("last_error"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_mail_outbox_sent_at")
                .table("mail_outbox")
                .col("sent_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
