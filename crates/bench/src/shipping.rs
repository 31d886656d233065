//! `ddhub-bench shipping` (issue 17): the pickup list for 10,000 confirmed lines across 500
//! wholesalers, read from a real SQLite database the way `GET /api/v1/pickups` builds it
//! (`services::pickups::list`), and an export declaration batch of 100 lines (rows, XLSX and
//! CSV). `--seed` fills the database in its own process, and each phase runs in its own, so
//! the peak memory (VmHWM) printed is that phase's. Targets: under 1 s and 100 MB each.

use anyhow::Context;
use clap::{Args, ValueEnum};
use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Currency, Krw, Locale, RoundingRule, Timestamp};
use ddhub_shipping::declaration::{self, DeclarationInput};
use ddhub_store::catalog::{self, StyleInput, UpsertOutcome};
use ddhub_store::entity::{export_order, order_line, sku};
use ddhub_store::{Store, StoreOptions, parties};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ShippingPhase {
    Seed,
    Pickup,
    Declaration,
}

#[derive(Args, Debug)]
pub struct ShippingBench {
    #[arg(long, value_enum)]
    phase: ShippingPhase,
    /// The SQLite file to fill (seed) or read (pickup).
    #[arg(long)]
    database: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    lines: usize,
    #[arg(long, default_value_t = 500)]
    wholesalers: usize,
}

const TARGET_SECS: f64 = 1.0;
const TARGET_MB: f64 = 100.0;
const LINES_PER_ORDER: usize = 10;

pub async fn run(b: ShippingBench) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", b.database.display());
    match b.phase {
        ShippingPhase::Seed => seed(&b, &url).await,
        ShippingPhase::Pickup => {
            let store = Store::connect(&StoreOptions::new(url))
                .await
                .context("open database (seed first)")?;
            let start = Instant::now();
            let list = ddhub_app::services::pickups::list(&store, Some("2026-12-06")).await?;
            let secs = start.elapsed().as_secs_f64();
            let lines: usize = list.stops.iter().map(|s| s.lines.len()).sum();
            report("pickup_list", secs, lines, list.stops.len());
            Ok(())
        }
        ShippingPhase::Declaration => {
            let inputs: Vec<DeclarationInput> = (0..100)
                .map(|i| DeclarationInput {
                    order_number: format!("PO-{:06}", i / 5),
                    item_name_en: format!("Loose-fit cable knit cardigan, 70% acrylic, 30% wool, knitted - ivory / free no. {i}"),
                    hs6: "6110.30".into(),
                    hsk10: None,
                    quantity: 2,
                    net_grams: 900,
                    gross_grams: 1000,
                    value_usd_cents: 1_500,
                    usd_per_krw_nanos: 720_000,
                    destination: "JP".into(),
                    incoterm: "DAP".into(),
                    payment_method: "TT".into(),
                    carrier_code: "KPOST".into(),
                    tracking_number: "LK123456789KR".into(),
                    exporter_business_number: "123-45-67890".into(),
                })
                .collect();
            let start = Instant::now();
            let rows = declaration::rows(&inputs)?;
            let (batch, _) = declaration::batch(&rows, 1)?;
            let xlsx = declaration::to_xlsx(batch)?;
            let csv = declaration::to_csv(batch)?;
            let secs = start.elapsed().as_secs_f64();
            anyhow::ensure!(!xlsx.is_empty() && !csv.is_empty());
            report("declaration_batch_100", secs, batch.len(), 1);
            Ok(())
        }
    }
}

fn report(what: &str, secs: f64, lines: usize, groups: usize) {
    // peak_rss is in bytes.
    let mb = crate::peak_rss() as f64 / (1024.0 * 1024.0);
    println!(
        "{}",
        serde_json::json!({
            "bench": what, "lines": lines, "groups": groups,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "vs_1s": (secs / TARGET_SECS * 1000.0).round() / 1000.0,
            "peak_mb": mb.round(),
            "vs_100mb": (mb / TARGET_MB * 100.0).round() / 100.0,
        })
    );
}

async fn seed(b: &ShippingBench, url: &str) -> anyhow::Result<()> {
    let store = Store::connect(&StoreOptions::new(url.to_string()))
        .await
        .context("open database")?;
    store.migrate().await?;
    let (partner, _) = parties::add_partner(
        &store,
        parties::NewPartner {
            name: "bench-shipping".into(),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await?;
    let buildings = ["APM", "청평화", "누죤", "디오트", "테크노"];
    let mut skus: Vec<(i64, i64, i64)> = Vec::new(); // (sku, style, wholesaler)
    for w in 0..b.wholesalers {
        let loc = ShopLocation {
            building: buildings[w % buildings.len()].into(),
            floor: format!("{}층", w % 7 + 1),
            unit: format!("{}-{}", ["A", "B", "C"][w % 3], w % 40 + 1),
        };
        let (shop, _) = parties::add_wholesaler(&store, &format!("shop {w}"), loc).await?;
        let input = StyleInput {
            style_code: format!("KN-{w}"),
            title_ko: "꽈배기 니트 가디건".into(),
            category: "tops/knit/cardigan".into(),
            price: Krw(18_000 + (w as i64 % 20) * 500),
            moq: Quantity(1),
            composition: Vec::new(),
            origin: Some("KR".into()),
            season: None,
            same_day_dispatch: false,
            description_ko: None,
            weight_grams: Some(450),
            measurements: Vec::new(),
            fit_note: None,
            state: StyleState::Active,
            extra: Default::default(),
            skus: ["black", "ivory", "sky_blue", "pink"]
                .iter()
                .map(|c| (c.to_string(), "free".to_string(), StockState::InStock))
                .collect(),
        };
        let txn = store.begin_write().await?;
        let style = match catalog::upsert_style(&txn, shop.id, &input).await? {
            UpsertOutcome::Created(s) | UpsertOutcome::Updated(s) | UpsertOutcome::Unchanged(s) => {
                s
            }
        };
        txn.commit().await?;
        for k in sku::Entity::find()
            .filter(sku::Column::StyleId.eq(style.0))
            .all(store.conn())
            .await?
        {
            skus.push((k.id, style.0, shop.id.0));
        }
    }
    let now = Timestamp::now().0;
    let orders = b.lines.div_ceil(LINES_PER_ORDER);
    for o in 0..orders {
        let order = export_order::Entity::insert(export_order::ActiveModel {
            partner_id: Set(partner.id.0),
            partner_order_id: Set(format!("BENCH-{o:06}")),
            currency: Set("JPY".into()),
            state: Set("confirmed".into()),
            ship_to: Set(r#"{"name":"Bench","country":"JP","address_lines":["1"]}"#.into()),
            notes: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(store.conn())
        .await?
        .last_insert_id;
        let lines: Vec<order_line::ActiveModel> = (0..LINES_PER_ORDER)
            .filter(|i| o * LINES_PER_ORDER + i < b.lines)
            .map(|i| {
                let (sku, style, shop) = skus[(o * LINES_PER_ORDER + i) * 7 % skus.len()];
                order_line::ActiveModel {
                    order_id: Set(order),
                    purchase_request_id: Set(None),
                    sku_id: Set(sku),
                    style_id: Set(style),
                    wholesaler_id: Set(shop),
                    quantity: Set(3),
                    confirmed_quantity: Set(3),
                    unit_price_minor: Set(1944),
                    state: Set("available".into()),
                    backorder_until: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        order_line::Entity::insert_many(lines)
            .exec(store.conn())
            .await?;
    }
    println!(
        "seeded {} lines in {orders} orders across {} wholesalers",
        b.lines, b.wholesalers
    );
    Ok(())
}
