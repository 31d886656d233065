//! The whole first schema: wholesalers, partners, API keys, styles, SKUs, photos, translations,
//! exchange rates, export orders, purchase requests, order lines and the job queue.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    big_pk_auto("id")
}

fn times(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(big_integer("created_at"))
        .col(big_integer("updated_at"))
}

fn fk(
    from_table: &str,
    col: &str,
    to: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{col}"))
        .from(Alias::new(from_table), Alias::new(col))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

fn index(table: &str, name: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table)).if_not_exists();
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("wholesalers")
            .col(id())
            .col(string("name"))
            .col(string("building"))
            .col(string("floor"))
            .col(string("unit"));
        m.create_table(times(&mut t).to_owned()).await?;

        let mut t = Table::create();
        t.table("partners")
            .col(id())
            .col(string_uniq("name"))
            .col(string("locale"))
            .col(string("currency"))
            .col(integer("markup_bp"))
            .col(string("rounding"))
            .col(text_null("webhook_url"))
            .col(text_null("webhook_secret"))
            .col(text("settings"));
        m.create_table(times(&mut t).to_owned()).await?;

        let mut t = Table::create();
        t.table("api_keys")
            .col(id())
            .col(string_uniq("key_id"))
            .col(string("role"))
            .col(big_integer_null("wholesaler_id"))
            .col(big_integer_null("partner_id"))
            .col(string("secret_hash"))
            .col(big_integer("created_at"))
            .col(big_integer_null("revoked_at"))
            .foreign_key(&mut fk(
                "api_keys",
                "wholesaler_id",
                "wholesalers",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "api_keys",
                "partner_id",
                "partners",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(t.to_owned()).await?;

        let mut t = Table::create();
        t.table("styles")
            .col(id())
            .col(big_integer("wholesaler_id"))
            .col(string("style_code"))
            .col(text("title_ko"))
            .col(string("category"))
            .col(big_integer("price_krw"))
            .col(integer("moq"))
            .col(text("composition"))
            .col(string_null("origin"))
            .col(string_null("season"))
            .col(boolean("same_day"))
            .col(text_null("description_ko"))
            .col(string("state"))
            .col(text("extra"))
            .col(string("content_hash"))
            .foreign_key(&mut fk(
                "styles",
                "wholesaler_id",
                "wholesalers",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "styles",
            "ux_styles_wholesaler_code",
            &["wholesaler_id", "style_code"],
            true,
        ))
        .await?;
        m.create_index(index(
            "styles",
            "ix_styles_state_updated",
            &["state", "updated_at"],
            false,
        ))
        .await?;

        let mut t = Table::create();
        t.table("skus")
            .col(id())
            .col(big_integer("style_id"))
            .col(string("colour"))
            .col(string("size"))
            .col(string("stock"))
            .foreign_key(&mut fk(
                "skus",
                "style_id",
                "styles",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "skus",
            "ux_skus_style_colour_size",
            &["style_id", "colour", "size"],
            true,
        ))
        .await?;

        let mut t = Table::create();
        t.table("photos")
            .col(id())
            .col(big_integer("style_id"))
            .col(integer("position"))
            .col(text("source_name"))
            .col(string("sha256"))
            .col(string_null("content_type"))
            .col(integer_null("width"))
            .col(integer_null("height"))
            .col(string("state"))
            .col(string_null("phash"))
            .col(text("warnings"))
            .col(text_null("error"))
            .foreign_key(&mut fk(
                "photos",
                "style_id",
                "styles",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "photos",
            "ix_photos_style_position",
            &["style_id", "position"],
            false,
        ))
        .await?;
        m.create_index(index("photos", "ix_photos_sha256", &["sha256"], false))
            .await?;

        let mut t = Table::create();
        t.table("translations")
            .col(id())
            .col(big_integer("style_id"))
            .col(string("locale"))
            .col(string("field"))
            .col(text("value"))
            .col(string("review"))
            .col(string("source_hash"))
            .foreign_key(&mut fk(
                "translations",
                "style_id",
                "styles",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "translations",
            "ux_translations_style_locale_field",
            &["style_id", "locale", "field"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("exchange_rates")
                .col(string("currency").primary_key())
                .col(big_integer("per_krw_nanos"))
                .col(big_integer("updated_at"))
                .to_owned(),
        )
        .await?;

        let mut t = Table::create();
        t.table("export_orders")
            .col(id())
            .col(big_integer("partner_id"))
            .col(string("partner_order_id"))
            .col(string("currency"))
            .col(string("state"))
            .col(text("ship_to"))
            .col(text_null("notes"))
            .foreign_key(&mut fk(
                "export_orders",
                "partner_id",
                "partners",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "export_orders",
            "ux_export_orders_partner_ref",
            &["partner_id", "partner_order_id"],
            true,
        ))
        .await?;

        let mut t = Table::create();
        t.table("purchase_requests")
            .col(id())
            .col(big_integer("order_id"))
            .col(big_integer("wholesaler_id"))
            .col(string("state"))
            .foreign_key(&mut fk(
                "purchase_requests",
                "order_id",
                "export_orders",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "purchase_requests",
                "wholesaler_id",
                "wholesalers",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "purchase_requests",
            "ix_purchase_requests_wholesaler_state",
            &["wholesaler_id", "state"],
            false,
        ))
        .await?;

        let mut t = Table::create();
        t.table("order_lines")
            .col(id())
            .col(big_integer("order_id"))
            .col(big_integer_null("purchase_request_id"))
            .col(big_integer("sku_id"))
            .col(big_integer("style_id"))
            .col(big_integer("wholesaler_id"))
            .col(integer("quantity"))
            .col(integer("confirmed_quantity"))
            .col(big_integer("unit_price_minor"))
            .col(string("state"))
            .col(string_null("backorder_until"))
            .foreign_key(&mut fk(
                "order_lines",
                "order_id",
                "export_orders",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "order_lines",
                "purchase_request_id",
                "purchase_requests",
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut fk(
                "order_lines",
                "sku_id",
                "skus",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "order_lines",
                "style_id",
                "styles",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "order_lines",
                "wholesaler_id",
                "wholesalers",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "order_lines",
            "ix_order_lines_order",
            &["order_id"],
            false,
        ))
        .await?;

        let mut t = Table::create();
        t.table("jobs")
            .col(id())
            .col(string("kind"))
            .col(text("payload"))
            .col(string("state"))
            .col(integer("attempts"))
            .col(integer("max_attempts"))
            .col(big_integer("run_at"))
            .col(big_integer_null("lease_until"))
            .col(string_null("lease_token"))
            .col(text_null("last_error"));
        m.create_table(times(&mut t).to_owned()).await?;
        m.create_index(index(
            "jobs",
            "ix_jobs_state_run_at",
            &["state", "run_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "jobs",
            "ix_jobs_kind_state",
            &["kind", "state"],
            false,
        ))
        .await?;
        Ok(())
    }
}
