//! The export declaration worksheet of a shipped shipment (issue 17): the simplified
//! e-commerce export declaration's fields per line, as XLSX (Korean headers) or CSV, in
//! batches of up to 100 lines; refused over ₩4,000,000. The values come from the orders'
//! export papers (`services::orders::papers`: English description, HS code, USD value,
//! weights), the shipment (destination, carrier, tracking) and the configuration (exporter's
//! business number). `docs/export-declaration.md` lists every field and its source.

use crate::error::{AppError, ErrorCode};
use ddhub_domain::{Currency, PartnerId, SkuId};
use ddhub_shipping::declaration::{self, DeclarationInput};
use ddhub_shipping::rates::RateTable;
use ddhub_store::{orders, shipments};
use std::collections::HashSet;

/// How a payment for an export order reaches the hub: the partner pays by bank transfer
/// (telegraphic transfer), the usual code on Korean export declarations.
pub const PAYMENT_METHOD: &str = "TT";

/// A worksheet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

#[derive(Debug, Clone)]
pub struct DeclarationFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
    /// How many batches (files) the shipment makes.
    pub batches: usize,
}

/// Batch `batch` (1-based) of shipment `id`'s worksheet.
pub async fn export(
    app: &crate::App,
    id: i64,
    batch: usize,
    format: Format,
) -> crate::AppResult<DeclarationFile> {
    let store = &app.store;
    let s = shipments::get(store.conn(), id, None).await?;
    if s.state != "shipped" {
        return Err(AppError::with_detail(
            ErrorCode::Conflict,
            "the worksheet needs the carrier's tracking number: ship the shipment first",
        ));
    }
    let tables = super::shipments::rate_tables(store).await?;
    let carrier_code = s
        .service
        .as_deref()
        .and_then(|sv| tables.iter().find(|t| t.service == sv))
        .map(|t: &RateTable| t.carrier_code.clone())
        .unwrap_or_default();
    let tracking: Vec<String> = s
        .packages
        .iter()
        .filter_map(|p| p.tracking_number.clone())
        .collect();
    let usd = ddhub_store::rates::get_rate(store, Currency::Usd)
        .await?
        .ok_or_else(|| AppError::with_detail(ErrorCode::Conflict, "no USD rate is set"))?;
    let brn = app
        .config
        .exporter_business_number
        .clone()
        .unwrap_or_default();
    let mut inputs = Vec::new();
    let mut order_ids: Vec<i64> = s.lines.iter().map(|l| l.1).collect();
    order_ids.sort_unstable();
    order_ids.dedup();
    for order_id in order_ids {
        let record = orders::order_for_change(store.conn(), None, order_id).await?;
        let mine: HashSet<i64> = s
            .lines
            .iter()
            .filter(|l| l.1 == order_id)
            .map(|l| l.0)
            .collect();
        let skus: HashSet<SkuId> = record
            .order
            .lines
            .iter()
            .filter(|l| mine.contains(&l.id.0))
            .map(|l| l.sku_id)
            .collect();
        let papers = super::orders::papers(store, PartnerId(s.partner_id), order_id)
            .await
            .map_err(|e| AppError::with_detail(ErrorCode::Conflict, e.to_string()))?;
        let incoterm = papers.invoice.incoterm.as_str().to_string();
        for l in papers
            .invoice
            .lines
            .iter()
            .filter(|l| skus.contains(&l.sku_id))
        {
            let cents = parse_cents(&l.total_value_usd).ok_or_else(|| {
                AppError::internal(format!("invoice value {:?}", l.total_value_usd))
            })?;
            inputs.push(DeclarationInput {
                order_number: record.order.partner_order_id.clone(),
                item_name_en: l.description.clone(),
                hs6: l.hs_code.to_string(),
                hsk10: None,
                quantity: l.quantity,
                net_grams: l.net_grams,
                gross_grams: l.gross_grams,
                value_usd_cents: cents,
                usd_per_krw_nanos: usd.nanos,
                destination: s.country.clone(),
                incoterm: incoterm.clone(),
                payment_method: PAYMENT_METHOD.into(),
                carrier_code: carrier_code.clone(),
                tracking_number: tracking.join(" "),
                exporter_business_number: brn.clone(),
            });
        }
    }
    let rows = declaration::rows(&inputs)?;
    let (rows, batches) = declaration::batch(&rows, batch)?;
    let (bytes, ext, content_type) = match format {
        Format::Xlsx => (
            declaration::to_xlsx(rows).map_err(AppError::internal)?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Format::Csv => (
            declaration::to_csv(rows).map_err(AppError::internal)?,
            "csv",
            "text/csv; charset=utf-8",
        ),
    };
    Ok(DeclarationFile {
        bytes,
        file_name: format!("declaration-shipment-{id}-batch-{batch}-of-{batches}.{ext}"),
        content_type,
        batches,
    })
}

/// `12.34` → 1234.
fn parse_cents(text: &str) -> Option<i64> {
    let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), "0"));
    let frac = format!("{frac:0<2}");
    if frac.len() != 2 {
        return None;
    }
    int.parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac.parse().ok()?)
}
