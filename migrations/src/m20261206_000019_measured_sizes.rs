//! Measured sizes (실측, issue 19): one row per size of a style with its measures in
//! millimetres (absent ones NULL; `_half` columns are flat 단면 measures, never doubled), and
//! the model's fit note on the style.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The measure columns, in the API's order (`ddhub_domain::measure::Measure::ALL`).
const MEASURES: [&str; 11] = [
    "shoulder_mm",
    "chest_half_mm",
    "chest_mm",
    "length_mm",
    "sleeve_mm",
    "waist_half_mm",
    "waist_mm",
    "hip_half_mm",
    "thigh_mm",
    "rise_mm",
    "hem_mm",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("style_measurements")
            .col(big_pk_auto("id"))
            .col(big_integer("style_id"))
            .col(integer("position"))
            .col(string("size"));
        for c in MEASURES {
            t.col(integer_null(c));
        }
        t.foreign_key(
            ForeignKey::create()
                .name("fk_style_measurements_style_id")
                .from("style_measurements", "style_id")
                .to("styles", "id")
                .on_delete(ForeignKeyAction::Cascade),
        );
        m.create_table(t.to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ux_style_measurements_style_size")
                .table("style_measurements")
                .col("style_id")
                .col("size")
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("styles")
                .add_column(text_null("fit_note"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
