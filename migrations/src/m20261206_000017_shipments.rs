//! Issue 17, shipments: a style's shipping weight (0 = not given, the category's estimate
//! applies), hub operators with their own API keys (`ddh_o_…`), and the pieces of each order
//! line counted in at the hub (pickup receiving); shipments, their lines and packages, and the
//! carrier rate tables an operator loaded.
//!
//! `api_keys.operator_id` has no foreign key: SQLite cannot add one to an existing table, and
//! operators are never deleted (a key is revoked instead).

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
                .table("styles")
                .add_column(integer("weight_grams").default(0))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("operators")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(big_integer("created_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("api_keys")
                .add_column(big_integer_null("operator_id"))
                .to_owned(),
        )
        .await?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table("order_lines")
                .add_column(integer_null("received_quantity"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("order_lines")
                .add_column(big_integer_null("received_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("shipments")
                .col(big_pk_auto("id"))
                .col(big_integer("partner_id"))
                .col(text("ship_to"))
                .col(string("country"))
                .col(string("state"))
                .col(string_null("service"))
                .col(string_null("carrier"))
                .col(big_integer("operator_id"))
                .col(big_integer("created_at"))
                .col(big_integer_null("shipped_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_shipments_partner_id")
                        .from("shipments", "partner_id")
                        .to("partners", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_shipments_operator_id")
                        .from("shipments", "operator_id")
                        .to("operators", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("shipment_lines")
                .col(big_pk_auto("id"))
                .col(big_integer("shipment_id"))
                .col(big_integer_uniq("order_line_id"))
                .col(big_integer("order_id"))
                .col(integer("quantity"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_shipment_lines_shipment_id")
                        .from("shipment_lines", "shipment_id")
                        .to("shipments", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_shipment_lines_order_line_id")
                        .from("shipment_lines", "order_line_id")
                        .to("order_lines", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_shipment_lines_shipment_id")
                .table("shipment_lines")
                .col("shipment_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("shipment_packages")
                .col(big_pk_auto("id"))
                .col(big_integer("shipment_id"))
                .col(integer("weight_grams"))
                .col(integer("length_cm"))
                .col(integer("width_cm"))
                .col(integer("height_cm"))
                .col(string_null("tracking_number"))
                .col(big_integer("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_shipment_packages_shipment_id")
                        .from("shipment_packages", "shipment_id")
                        .to("shipments", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rate_tables")
                .col(string("service").primary_key())
                .col(text("body"))
                .col(big_integer("loaded_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
