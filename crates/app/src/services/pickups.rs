//! Pickup (사입, issue 17): the list a buying runner walks (building → floor → unit, per
//! wholesaler the pieces and the amount due at the wholesale price), and receiving the pieces
//! at the hub. A short count is a partial sold-out decided by `ddhub-orders`
//! ([`ddhub_orders::receiving::receive`]) and told to the partner through the order event log.

use crate::error::{AppError, ErrorCode};
use ddhub_domain::{OrderLineId, WholesalerId};
use ddhub_orders::CalendarDate;
use ddhub_orders::receiving::{Receipt, ReceiveError};
use ddhub_shipping::pickup::{Stop, walk_cmp};
use ddhub_store::orders::LineUpdate;
use ddhub_store::{StoreError, pickups};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One line on the list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PickupItem {
    pub line_id: i64,
    pub order_id: i64,
    pub partner_order_id: String,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    pub quantity: u32,
    pub wholesale_price_krw: i64,
    pub amount_krw: i64,
    /// The 미송 date of a backordered line that has come due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backorder_until: Option<String>,
}

/// One stop of the walk: a wholesaler's unit, what to collect there and what is owed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PickupStop {
    pub wholesaler_id: WholesalerId,
    pub wholesaler_name: String,
    pub building: String,
    pub floor: String,
    pub unit: String,
    pub pieces: u32,
    /// At the wholesale price, in won.
    pub amount_due_krw: i64,
    pub lines: Vec<PickupItem>,
}

/// The day's pickup list, in walking order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PickupList {
    pub date: String,
    pub stops: Vec<PickupStop>,
    pub pieces: u32,
    pub amount_due_krw: i64,
}

/// The list for `date` (today in Seoul when `None`).
pub async fn list(store: &ddhub_store::Store, date: Option<&str>) -> crate::AppResult<PickupList> {
    let date: CalendarDate = match date {
        Some(d) => d.trim().parse().map_err(|e: ddhub_orders::date::BadDate| {
            AppError::with_detail(ErrorCode::InvalidQuery, e.to_string())
        })?,
        None => ddhub_orders::date::seoul_today(),
    };
    let date = date.to_string();
    let lines = pickups::pickup_lines(store, &date).await?;
    Ok(build_list(date, lines))
}

/// Groups lines per wholesaler and orders the stops the way a runner walks. Pure, so the
/// benchmark measures it too.
pub fn build_list(date: String, lines: Vec<pickups::PickupLine>) -> PickupList {
    let mut by_shop: HashMap<i64, PickupStop> = HashMap::new();
    for l in lines {
        let amount = l.wholesale_price_krw.saturating_mul(i64::from(l.quantity));
        let stop = by_shop
            .entry(l.wholesaler_id)
            .or_insert_with(|| PickupStop {
                wholesaler_id: WholesalerId(l.wholesaler_id),
                wholesaler_name: l.wholesaler_name.clone(),
                building: l.building.clone(),
                floor: l.floor.clone(),
                unit: l.unit.clone(),
                pieces: 0,
                amount_due_krw: 0,
                lines: Vec::new(),
            });
        stop.pieces = stop.pieces.saturating_add(l.quantity);
        stop.amount_due_krw = stop.amount_due_krw.saturating_add(amount);
        stop.lines.push(PickupItem {
            line_id: l.line_id,
            order_id: l.order_id,
            partner_order_id: l.partner_order_id,
            style_code: l.style_code,
            colour: l.colour,
            size: l.size,
            quantity: l.quantity,
            wholesale_price_krw: l.wholesale_price_krw,
            amount_krw: amount,
            backorder_until: l.backorder_until,
        });
    }
    let mut stops: Vec<PickupStop> = by_shop.into_values().collect();
    for s in &mut stops {
        s.lines.sort_by(|a, b| {
            (&a.style_code, &a.colour, &a.size, a.order_id, a.line_id).cmp(&(
                &b.style_code,
                &b.colour,
                &b.size,
                b.order_id,
                b.line_id,
            ))
        });
    }
    stops.sort_by(|a, b| {
        walk_cmp(
            &Stop {
                building: &a.building,
                floor: &a.floor,
                unit: &a.unit,
            },
            &Stop {
                building: &b.building,
                floor: &b.floor,
                unit: &b.unit,
            },
        )
        .then_with(|| a.wholesaler_id.0.cmp(&b.wholesaler_id.0))
    });
    PickupList {
        date,
        pieces: stops.iter().fold(0u32, |n, s| n.saturating_add(s.pieces)),
        amount_due_krw: stops
            .iter()
            .fold(0i64, |n, s| n.saturating_add(s.amount_due_krw)),
        stops,
    }
}

/// What receiving did to one order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReceivedOrder {
    pub order_id: i64,
    pub state: String,
    /// Lines that came in short.
    pub short_lines: Vec<i64>,
}

/// Records pieces counted in at the hub, for lines of any orders, all or nothing: one
/// transaction, and any refused receipt (a line received twice, more pieces than confirmed,
/// an unknown line) refuses the batch.
pub async fn receive(
    store: &ddhub_store::Store,
    receipts: &[Receipt],
) -> crate::AppResult<Vec<ReceivedOrder>> {
    if receipts.is_empty() {
        return Err(AppError::with_detail(
            ErrorCode::InvalidBody,
            "lines: at least one receipt",
        ));
    }
    let txn = store.begin_write().await?;
    let ids: Vec<OrderLineId> = receipts.iter().map(|r| r.line_id).collect();
    let owner = pickups::orders_of_lines(&txn, &ids).await?;
    let mut per_order: BTreeMap<i64, Vec<Receipt>> = BTreeMap::new();
    for r in receipts {
        let order = owner
            .get(&r.line_id)
            .ok_or(ReceiveError::UnknownLine(r.line_id))?;
        per_order.entry(*order).or_default().push(*r);
    }
    let mut out = Vec::new();
    for (order_id, receipts) in per_order {
        let pickups::ReceiveContext {
            record,
            received_before,
        } = pickups::receive_context(&txn, order_id).await?;
        let mut order = record.order.clone();
        let events = ddhub_orders::receiving::receive(&mut order, &receipts, &received_before)?;
        let mut updates = Vec::new();
        let mut short_lines = Vec::new();
        for (i, (before, after)) in record.order.lines.iter().zip(&order.lines).enumerate() {
            if before.state != after.state || before.confirmed_quantity != after.confirmed_quantity
            {
                short_lines.push(after.id.0);
                updates.push(LineUpdate {
                    line_id: after.id.0,
                    state: after.state.as_str().to_string(),
                    confirmed_quantity: after.confirmed_quantity,
                    backorder_until: record
                        .details
                        .get(i)
                        .and_then(|d| d.backorder_until.clone()),
                });
            }
        }
        let events: Vec<(String, serde_json::Value)> = events
            .into_iter()
            .map(|e| (e.event_type.as_str().to_string(), e.data))
            .collect();
        let received: Vec<(i64, u32)> =
            receipts.iter().map(|r| (r.line_id.0, r.received)).collect();
        pickups::record_receipts(
            &txn,
            pickups::ReceiptRecord {
                partner: order.partner_id,
                order_id,
                order_state: order.state.as_str(),
                received: &received,
                updates: &updates,
                events: &events,
            },
        )
        .await?;
        out.push(ReceivedOrder {
            order_id,
            state: order.state.as_str().to_string(),
            short_lines,
        });
    }
    txn.commit().await.map_err(StoreError::from)?;
    Ok(out)
}

/// The printable list's file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Pdf,
    Xlsx,
}

/// A printable pickup list file.
#[derive(Debug, Clone)]
pub struct SheetFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
}

/// Where a font with Hangul usually is on Debian, when `pdf_font` is not set.
const SYSTEM_FONTS: [&str; 3] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
];

/// The font file for PDFs that print Korean: `pdf_font`, else the first system font found.
pub fn korean_font(config: &crate::config::Config) -> crate::AppResult<Vec<u8>> {
    let candidates: Vec<std::path::PathBuf> = match &config.pdf_font {
        Some(p) => vec![p.clone()],
        None => SYSTEM_FONTS.iter().map(std::path::PathBuf::from).collect(),
    };
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            return Ok(bytes);
        }
    }
    Err(AppError::internal(format!(
        "no font with Hangul for the PDF: set pdf_font (DDHUB_PDF_FONT); tried {candidates:?}"
    )))
}

/// The list as the printable sheet's rows.
pub fn sheet(list: &PickupList) -> ddhub_shipping::pickup_sheet::PickupSheet {
    use ddhub_shipping::pickup_sheet::{PickupSheet, SheetLine, SheetStop};
    PickupSheet {
        date: list.date.clone(),
        pieces: list.pieces,
        amount_due_krw: list.amount_due_krw,
        stops: list
            .stops
            .iter()
            .map(|s| SheetStop {
                wholesaler: s.wholesaler_name.clone(),
                building: s.building.clone(),
                floor: s.floor.clone(),
                unit: s.unit.clone(),
                pieces: s.pieces,
                amount_due_krw: s.amount_due_krw,
                lines: s
                    .lines
                    .iter()
                    .map(|l| SheetLine {
                        order_ref: l.partner_order_id.clone(),
                        style_code: l.style_code.clone(),
                        colour: colour_ko(&l.colour),
                        size: size_ko(&l.size),
                        quantity: l.quantity,
                        wholesale_price_krw: l.wholesale_price_krw,
                        amount_krw: l.amount_krw,
                        backorder_until: l.backorder_until.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The printable pickup list of `date` (today in Seoul when `None`) as PDF or XLSX.
pub async fn printable(
    store: &ddhub_store::Store,
    config: &crate::config::Config,
    date: Option<&str>,
    format: SheetFormat,
) -> crate::AppResult<SheetFile> {
    use ddhub_shipping::pickup_sheet;
    let list = list(store, date).await?;
    let rows = sheet(&list);
    let (bytes, ext, content_type) = match format {
        SheetFormat::Xlsx => (
            pickup_sheet::to_xlsx(&rows).map_err(AppError::internal)?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        SheetFormat::Pdf => {
            let font = korean_font(config)?;
            (
                pickup_sheet::to_pdf(&rows, &font).map_err(AppError::internal)?,
                "pdf",
                "application/pdf",
            )
        }
    };
    Ok(SheetFile {
        bytes,
        file_name: format!("pickup-{}.{ext}", list.date),
        content_type,
    })
}

/// A colour as the market names it (`블랙`), for the papers people read at the stalls; the
/// vocabulary code (`black`) when the vocabulary does not know it.
pub fn colour_ko(code: &str) -> String {
    ddhub_domain::catalog::colours()
        .get(code)
        .map_or(code.to_string(), |c| {
            c.labels.get(ddhub_domain::Locale::Ko).to_string()
        })
}

/// A size as the market names it (`프리`, `55`).
pub fn size_ko(code: &str) -> String {
    ddhub_domain::catalog::sizes()
        .get(code)
        .map_or(code.to_string(), |z| {
            z.labels.get(ddhub_domain::Locale::Ko).to_string()
        })
}
