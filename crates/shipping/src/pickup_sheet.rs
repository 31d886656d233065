//! The printable pickup list (issue 17, item 2): the stops in walking order (building, floor,
//! unit), per wholesaler the style codes, colours, sizes, quantities, order references and the
//! amount due at the wholesale price, as an XLSX workbook and as an A4 PDF the runner carries.
//! Wholesalers' names, buildings and colours are Korean, so the PDF embeds a subset of a CJK
//! font ([`crate::font`]).

use crate::font::{EmbeddedFont, FontError};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// One stop of the printed list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetStop {
    pub wholesaler: String,
    pub building: String,
    pub floor: String,
    pub unit: String,
    pub pieces: u32,
    pub amount_due_krw: i64,
    pub lines: Vec<SheetLine>,
}

/// One line of a stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    pub order_ref: String,
    pub style_code: String,
    pub colour: String,
    pub size: String,
    pub quantity: u32,
    pub wholesale_price_krw: i64,
    pub amount_krw: i64,
    /// The 미송 date of a backordered line that has come due.
    pub backorder_until: Option<String>,
}

/// The whole list of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupSheet {
    pub date: String,
    pub stops: Vec<SheetStop>,
    pub pieces: u32,
    pub amount_due_krw: i64,
}

/// A pickup list that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("pickup list workbook: {0}")]
    Xlsx(String),
    #[error(transparent)]
    Font(#[from] FontError),
}

/// The XLSX columns, Korean first (the runners and the hub read Korean).
pub const XLSX_HEADERS: [&str; 12] = [
    "순서",
    "건물",
    "층",
    "호수",
    "도매처",
    "주문번호",
    "품번",
    "색상",
    "사이즈",
    "수량",
    "도매가",
    "금액",
];

/// The list as an XLSX workbook: one row per line in walking order (the stop's place repeated
/// on each row, so the sheet sorts and filters), numbers as numbers, and a total row per stop
/// and for the day.
pub fn to_xlsx(sheet: &PickupSheet) -> Result<Vec<u8>, SheetError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| SheetError::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("사입 목록").map_err(err)?;
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let won = Format::new().set_num_format("#,##0");
    let total = Format::new().set_bold().set_num_format("#,##0");
    ws.write_string_with_format(0, 0, format!("사입 목록 {}", sheet.date), &bold)
        .map_err(err)?;
    for (c, h) in XLSX_HEADERS.iter().enumerate() {
        let c = u16::try_from(c).map_err(|e| SheetError::Xlsx(e.to_string()))?;
        ws.write_string_with_format(1, c, *h, &bold).map_err(err)?;
    }
    let mut row: u32 = 2;
    for (n, s) in sheet.stops.iter().enumerate() {
        let stop_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        for l in &s.lines {
            ws.write_number(row, 0, f64::from(stop_no)).map_err(err)?;
            ws.write_string(row, 1, &s.building).map_err(err)?;
            ws.write_string(row, 2, &s.floor).map_err(err)?;
            ws.write_string(row, 3, &s.unit).map_err(err)?;
            ws.write_string(row, 4, &s.wholesaler).map_err(err)?;
            ws.write_string(row, 5, &l.order_ref).map_err(err)?;
            ws.write_string(row, 6, &l.style_code).map_err(err)?;
            ws.write_string(row, 7, &l.colour).map_err(err)?;
            let size = match &l.backorder_until {
                Some(d) => format!("{} (미송 {d})", l.size),
                None => l.size.clone(),
            };
            ws.write_string(row, 8, &size).map_err(err)?;
            ws.write_number(row, 9, f64::from(l.quantity))
                .map_err(err)?;
            // Won amounts stay far below 2^53, so they are exact as floats.
            ws.write_number_with_format(row, 10, l.wholesale_price_krw as f64, &won)
                .map_err(err)?;
            ws.write_number_with_format(row, 11, l.amount_krw as f64, &won)
                .map_err(err)?;
            row += 1;
        }
        ws.write_string_with_format(row, 4, format!("{} 합계", s.wholesaler), &bold)
            .map_err(err)?;
        ws.write_number_with_format(row, 9, f64::from(s.pieces), &total)
            .map_err(err)?;
        ws.write_number_with_format(row, 11, s.amount_due_krw as f64, &total)
            .map_err(err)?;
        row += 2;
    }
    ws.write_string_with_format(row, 4, "총 합계", &bold)
        .map_err(err)?;
    ws.write_number_with_format(row, 9, f64::from(sheet.pieces), &total)
        .map_err(err)?;
    ws.write_number_with_format(row, 11, sheet.amount_due_krw as f64, &total)
        .map_err(err)?;
    ws.autofit();
    wb.save_to_buffer().map_err(err)
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 36.0;
const FONT: Name<'static> = Name(b"K1");

/// `₩1,234,567`.
fn won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if amount < 0 {
        format!("-₩{out}")
    } else {
        format!("₩{out}")
    }
}

/// Pages with a cursor; text goes through the embedded font (glyph ids, Identity-H).
struct Pages<'f> {
    font: &'f mut EmbeddedFont,
    pages: Vec<Content>,
    y: f32,
    title: String,
}

impl Pages<'_> {
    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
        let n = self.pages.len();
        let title = self.title.clone();
        self.text(MARGIN, &title, 15.0);
        let page = format!("{n}쪽");
        let w = self.font.width(&page, 8.0);
        self.text(PAGE_W - MARGIN - w, &page, 8.0);
        self.y -= 22.0;
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, text: &str, size: f32) {
        let y = self.y;
        let encoded = self.font.encode(text);
        let c = self.content();
        c.begin_text();
        c.set_font(FONT, size);
        c.next_line(x, y);
        c.show(Str(&encoded));
        c.end_text();
    }

    /// Text cut to `width` points (with `…`), measured with the font's own advances.
    fn cell(&mut self, x: f32, width: f32, text: &str, size: f32, right: bool) {
        let mut t = text.to_string();
        if self.font.width(&t, size) > width {
            while !t.is_empty() && self.font.width(&format!("{t}…"), size) > width {
                t.pop();
            }
            t.push('…');
        }
        let x = if right {
            x + width - self.font.width(&t, size)
        } else {
            x
        };
        self.text(x, &t, size);
    }

    /// A rule in the gap between the row above and the next one: it sits `clear` points above
    /// the next baseline, below the descenders of the row above.
    fn rule(&mut self, width: f32) {
        let y = self.y + 9.0;
        let c = self.content();
        c.set_line_width(width);
        c.move_to(MARGIN, y);
        c.line_to(PAGE_W - MARGIN, y);
        c.stroke();
        self.y -= 3.0;
    }

    /// Moves down; a new page when fewer than `keep` points are left.
    fn down(&mut self, dy: f32, keep: f32) {
        self.y -= dy;
        if self.y < MARGIN + keep {
            self.new_page();
        }
    }
}

/// Column x positions and widths of a line row.
const COLS: [(f32, f32, bool); 7] = [
    (MARGIN, 92.0, false),         // order
    (MARGIN + 96.0, 104.0, false), // style code
    (MARGIN + 204.0, 78.0, false), // colour
    (MARGIN + 286.0, 70.0, false), // size
    (MARGIN + 358.0, 34.0, true),  // quantity
    (MARGIN + 396.0, 58.0, true),  // wholesale price
    (MARGIN + 458.0, 65.0, true),  // amount
];

/// The list as an A4 PDF in walking order: a heading per stop (place, wholesaler, pieces and
/// amount due), its lines, and the day's total. `font` is a TrueType/OpenType font (or
/// collection) with Hangul: only the glyphs used are embedded.
pub fn to_pdf(sheet: &PickupSheet, font: &[u8]) -> Result<Vec<u8>, SheetError> {
    let mut font = EmbeddedFont::new(font)?;
    let mut p = Pages {
        font: &mut font,
        pages: Vec::new(),
        y: 0.0,
        title: format!("사입 목록 · {}", sheet.date),
    };
    p.new_page();
    let summary = format!(
        "{}곳 · {}장 · 도매가 합계 {}",
        sheet.stops.len(),
        sheet.pieces,
        won(sheet.amount_due_krw)
    );
    p.text(MARGIN, &summary, 10.0);
    p.down(20.0, 60.0);
    if sheet.stops.is_empty() {
        p.text(MARGIN, "이 날짜에 찾아올 물건이 없습니다.", 10.0);
        // Room for the line before the day's total, which would otherwise print over it.
        p.down(16.0, 40.0);
    }
    let heads = ["주문", "품번", "색상", "사이즈", "수량", "도매가", "금액"];
    for (n, s) in sheet.stops.iter().enumerate() {
        // A stop's heading never sits alone at the foot of a page.
        if p.y < MARGIN + 80.0 {
            p.new_page();
        }
        let place = [s.building.as_str(), s.floor.as_str(), s.unit.as_str()]
            .into_iter()
            .filter(|x| !x.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let heading = format!("{}. {place}  {}", n + 1, s.wholesaler);
        p.cell(MARGIN, 330.0, &heading, 11.0, false);
        let due = format!("{}장 · {}", s.pieces, won(s.amount_due_krw));
        p.cell(
            MARGIN + 330.0,
            PAGE_W - 2.0 * MARGIN - 330.0,
            &due,
            11.0,
            true,
        );
        p.down(15.0, 40.0);
        for (i, h) in heads.iter().enumerate() {
            let (x, w, right) = COLS[i];
            p.cell(x, w, h, 8.0, right);
        }
        p.down(12.0, 30.0);
        p.rule(0.5);
        for l in &s.lines {
            let size = match &l.backorder_until {
                Some(d) => format!("{} (미송 {d})", l.size),
                None => l.size.clone(),
            };
            let cells = [
                l.order_ref.clone(),
                l.style_code.clone(),
                l.colour.clone(),
                size,
                l.quantity.to_string(),
                won(l.wholesale_price_krw),
                won(l.amount_krw),
            ];
            for (i, t) in cells.iter().enumerate() {
                let (x, w, right) = COLS[i];
                p.cell(x, w, t, 9.0, right);
            }
            p.down(13.0, 24.0);
        }
        p.down(10.0, 40.0);
    }
    p.rule(1.0);
    let total = format!(
        "총 {}곳 · {}장 · 도매가 합계 {}",
        sheet.stops.len(),
        sheet.pieces,
        won(sheet.amount_due_krw)
    );
    p.text(MARGIN, &total, 10.0);
    let pages = std::mem::take(&mut p.pages);
    let title = p.title.clone();
    finish(pages, &mut font, &title)
}

fn finish(
    pages: Vec<Content>,
    font: &mut EmbeddedFont,
    title: &str,
) -> Result<Vec<u8>, SheetError> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let font_refs = [
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
        Ref::new(7),
        Ref::new(8),
    ];
    let mut next = 9;
    let ids: Vec<(Ref, Ref)> = pages
        .iter()
        .map(|_| {
            let r = (Ref::new(next), Ref::new(next + 1));
            next += 2;
            r
        })
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(ids.len()).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("DDHub"));
    font.write(&mut pdf, font_refs)?;
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_id);
        page.resources().fonts().pair(FONT, font_refs[0]);
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    Ok(pdf.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn won_groups_digits() {
        assert_eq!(won(0), "₩0");
        assert_eq!(won(54_000), "₩54,000");
        assert_eq!(won(1_234_567), "₩1,234,567");
        assert_eq!(won(-2_000), "-₩2,000");
    }
}
