//! The simplified e-commerce export declaration (전자상거래 간이수출신고) as a worksheet: one
//! row per shipped line with the declaration's fields, in batches of up to 100 lines, for
//! shipments up to ₩4,000,000. The official electronic layout is not public: these are its
//! fields, for the exporter's customs broker or a declaration upload service
//! (`docs/export-declaration.md` says where each value comes from).

use serde::Serialize;

/// Highest declared value of a shipment under the simplified route, won (₩2,000,000 FOB until
/// 2024-07).
pub const SIMPLIFIED_LIMIT_KRW: i64 = 4_000_000;
/// Lines per worksheet file.
pub const MAX_BATCH_LINES: usize = 100;

/// One shipped line, as the service gathers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclarationInput {
    pub order_number: String,
    pub item_name_en: String,
    /// Six digits as `dddd.dd` (HS 2022).
    pub hs6: String,
    /// The 10-digit HSK, when the operator's table has it for `hs6`.
    pub hsk10: Option<String>,
    pub quantity: u32,
    pub net_grams: u64,
    pub gross_grams: u64,
    pub value_usd_cents: i64,
    /// USD per won, nine decimals (the hub's rate table).
    pub usd_per_krw_nanos: i64,
    pub destination: String,
    pub incoterm: String,
    pub payment_method: String,
    pub carrier_code: String,
    pub tracking_number: String,
    pub exporter_business_number: String,
}

/// A worksheet row: every field as text, in [`HEADERS_KO`] order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeclarationRow {
    pub order_number: String,
    pub item_name_en: String,
    pub hs_code: String,
    pub quantity: u32,
    pub unit: &'static str,
    pub net_weight_kg: String,
    pub gross_weight_kg: String,
    pub value_krw: i64,
    pub value_usd: String,
    pub usd_per_krw: String,
    pub currency: &'static str,
    pub destination: String,
    pub incoterm: String,
    pub payment_method: String,
    pub carrier_code: String,
    pub tracking_number: String,
    pub exporter_business_number: String,
    /// What the broker must check (a missing HSK, a missing business number).
    pub remarks: String,
}

/// The worksheet's Korean headers, in column order.
pub const HEADERS_KO: [&str; 18] = [
    "주문번호",
    "품명(영문)",
    "HS부호(10자리)",
    "수량",
    "단위",
    "순중량(kg)",
    "총중량(kg)",
    "신고금액(원)",
    "신고금액(USD)",
    "적용환율(USD/원)",
    "결제통화",
    "목적국",
    "인도조건",
    "결제방법",
    "특송업체부호",
    "운송장번호",
    "수출자 사업자등록번호",
    "비고",
];

/// Why a worksheet is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationError {
    #[error(
        "the shipment's declared value is ₩{total_krw}, over the simplified route's ₩{SIMPLIFIED_LIMIT_KRW}: declare it as a regular export"
    )]
    OverLimit { total_krw: i64 },
    #[error("the shipment has no lines to declare")]
    Empty,
    #[error("batch {batch} does not exist; there are {batches}")]
    NoBatch { batch: usize, batches: usize },
}

/// Over the limit or empty is a conflict with the shipment's state; a batch past the end is
/// not found.
impl ddhub_domain::error::Coded for DeclarationError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        use ddhub_domain::error::ErrorCode;
        match self {
            DeclarationError::OverLimit { .. } | DeclarationError::Empty => ErrorCode::Conflict,
            DeclarationError::NoBatch { .. } => ErrorCode::NotFound,
        }
    }

    fn public_detail(&self) -> Option<String> {
        Some(self.to_string())
    }
}

fn kg(grams: u64) -> String {
    format!("{}.{:03}", grams / 1000, grams % 1000)
}

/// USD cents in won at `nanos` USD per won, rounded half up.
fn krw_of(cents: i64, nanos: i64) -> i64 {
    if nanos <= 0 {
        return 0;
    }
    // won = cents / 100 / (nanos / 1e9) = cents × 1e7 / nanos
    let n = i128::from(cents) * 10_000_000;
    let d = i128::from(nanos);
    let q = (n + d / 2) / d;
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// The rows of a shipment, refused whole when its total is over the simplified limit.
pub fn rows(lines: &[DeclarationInput]) -> Result<Vec<DeclarationRow>, DeclarationError> {
    if lines.is_empty() {
        return Err(DeclarationError::Empty);
    }
    let rows: Vec<DeclarationRow> = lines.iter().map(row).collect();
    let total_krw = rows.iter().fold(0i64, |t, r| t.saturating_add(r.value_krw));
    if total_krw > SIMPLIFIED_LIMIT_KRW {
        return Err(DeclarationError::OverLimit { total_krw });
    }
    Ok(rows)
}

fn row(l: &DeclarationInput) -> DeclarationRow {
    let mut remarks = Vec::new();
    let hs_code = match &l.hsk10 {
        Some(h) => h.clone(),
        None => {
            remarks.push(format!("HSK 10자리 확인 필요 (HS {})", l.hs6));
            l.hs6.replace('.', "")
        }
    };
    if l.exporter_business_number.trim().is_empty() {
        remarks.push("수출자 사업자등록번호 없음 (exporter_business_number)".to_string());
    }
    let usd_rate = format!(
        "{}.{:09}",
        l.usd_per_krw_nanos / 1_000_000_000,
        l.usd_per_krw_nanos % 1_000_000_000
    );
    DeclarationRow {
        order_number: l.order_number.clone(),
        item_name_en: l.item_name_en.clone(),
        hs_code,
        quantity: l.quantity,
        unit: "PCE",
        net_weight_kg: kg(l.net_grams),
        gross_weight_kg: kg(l.gross_grams),
        value_krw: krw_of(l.value_usd_cents, l.usd_per_krw_nanos),
        value_usd: format!("{}.{:02}", l.value_usd_cents / 100, l.value_usd_cents % 100),
        usd_per_krw: usd_rate,
        currency: "USD",
        destination: l.destination.clone(),
        incoterm: l.incoterm.clone(),
        payment_method: l.payment_method.clone(),
        carrier_code: l.carrier_code.clone(),
        tracking_number: l.tracking_number.clone(),
        exporter_business_number: l.exporter_business_number.clone(),
        remarks: remarks.join("; "),
    }
}

/// Batch `n` (1-based) of at most [`MAX_BATCH_LINES`] rows, and how many batches there are.
pub fn batch(
    rows: &[DeclarationRow],
    n: usize,
) -> Result<(&[DeclarationRow], usize), DeclarationError> {
    let batches = rows.len().div_ceil(MAX_BATCH_LINES).max(1);
    let chunk = rows
        .chunks(MAX_BATCH_LINES)
        .nth(n.wrapping_sub(1))
        .ok_or(DeclarationError::NoBatch { batch: n, batches })?;
    Ok((chunk, batches))
}

/// A row's cells as text, in [`HEADERS_KO`] order.
pub fn cells(r: &DeclarationRow) -> [String; 18] {
    [
        r.order_number.clone(),
        r.item_name_en.clone(),
        r.hs_code.clone(),
        r.quantity.to_string(),
        r.unit.to_string(),
        r.net_weight_kg.clone(),
        r.gross_weight_kg.clone(),
        r.value_krw.to_string(),
        r.value_usd.clone(),
        r.usd_per_krw.clone(),
        r.currency.to_string(),
        r.destination.clone(),
        r.incoterm.clone(),
        r.payment_method.clone(),
        r.carrier_code.clone(),
        r.tracking_number.clone(),
        r.exporter_business_number.clone(),
        r.remarks.clone(),
    ]
}

/// A worksheet that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("declaration worksheet: {0}")]
pub struct WriteError(String);

/// The rows as an XLSX workbook: one sheet, Korean headers in bold, numbers as numbers.
pub fn to_xlsx(rows: &[DeclarationRow]) -> Result<Vec<u8>, WriteError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| WriteError(e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("간이수출신고").map_err(err)?;
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    for (c, h) in HEADERS_KO.iter().enumerate() {
        let c = u16::try_from(c).map_err(|e| WriteError(e.to_string()))?;
        ws.write_string_with_format(0, c, *h, &bold).map_err(err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|e| WriteError(e.to_string()))?;
        for (c, v) in cells(r).iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| WriteError(e.to_string()))?;
            // Quantity and the won amount are numbers; every other cell stays text (codes
            // such as HS and business numbers keep their leading zeros).
            match c {
                3 => ws.write_number(row, c, f64::from(r.quantity)),
                // Below 2^53, so exact as a float.
                7 => ws.write_number(row, c, r.value_krw as f64),
                _ => ws.write_string(row, c, v),
            }
            .map_err(err)?;
        }
    }
    ws.autofit();
    wb.save_to_buffer().map_err(err)
}

/// The rows as CSV in UTF-8 with a byte-order mark (Korean Excel opens it as UTF-8).
pub fn to_csv(rows: &[DeclarationRow]) -> Result<Vec<u8>, WriteError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(HEADERS_KO)
            .map_err(|e| WriteError(e.to_string()))?;
        for r in rows {
            w.write_record(cells(r))
                .map_err(|e| WriteError(e.to_string()))?;
        }
        w.flush().map_err(|e| WriteError(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input(cents: i64) -> DeclarationInput {
        DeclarationInput {
            order_number: "PO-1".into(),
            item_name_en: "Cable knit cardigan".into(),
            hs6: "6110.30".into(),
            hsk10: None,
            quantity: 3,
            net_grams: 1050,
            gross_grams: 1200,
            value_usd_cents: cents,
            // 0.00072 USD per won: ₩1,388.89 per dollar.
            usd_per_krw_nanos: 720_000,
            destination: "JP".into(),
            incoterm: "DAP".into(),
            payment_method: "TT".into(),
            carrier_code: "KPOST".into(),
            tracking_number: "LK123456789KR".into(),
            exporter_business_number: "123-45-67890".into(),
        }
    }

    #[test]
    fn a_row_carries_every_field_in_won_and_dollars() {
        let r = rows(&[input(4_500)]).unwrap();
        // $45.00 / 0.00072 = ₩62,500.
        assert_eq!(r[0].value_krw, 62_500);
        assert_eq!(r[0].value_usd, "45.00");
        assert_eq!(r[0].net_weight_kg, "1.050");
        assert_eq!(r[0].hs_code, "611030");
        assert!(r[0].remarks.contains("HSK"));
        assert_eq!(cells(&r[0]).len(), HEADERS_KO.len());
    }

    #[test]
    fn the_4_million_won_limit_is_enforced_at_the_edge() {
        // ₩4,000,000 × 0.00072 = $2,880.00: at the limit passes, a cent over is refused.
        assert!(rows(&[input(288_000)]).is_ok());
        let e = rows(&[input(288_001)]).unwrap_err();
        assert!(matches!(e, DeclarationError::OverLimit { .. }));
        assert!(e.to_string().contains("4000000"), "{e}");
    }

    #[test]
    fn batches_hold_at_most_100_lines() {
        let r = rows(&vec![input(1); 250]).unwrap();
        assert_eq!(batch(&r, 1).unwrap().0.len(), 100);
        assert_eq!(batch(&r, 3).unwrap(), (&r[200..], 3));
        assert!(matches!(
            batch(&r, 4),
            Err(DeclarationError::NoBatch {
                batch: 4,
                batches: 3
            })
        ));
        assert!(batch(&r, 0).is_err());
    }
}
