//! The row report: JSON structures for the API, and an XLSX copy of the sheet with an error
//! column in Korean that the owner fixes and uploads again.

use crate::problem::{Problem, Severity};
use crate::sheet::Sheet;
use crate::validate::Validated;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts and problems of one validation, as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub rows: usize,
    pub styles: usize,
    pub skus: usize,
    pub rejected_rows: usize,
    pub errors: usize,
    pub warnings: usize,
    pub problems: Vec<Problem>,
}

impl RowReport {
    pub fn new(v: &Validated) -> RowReport {
        RowReport {
            rows: v.rows,
            styles: v.styles.len(),
            skus: v.sku_count(),
            rejected_rows: v.rejected_rows.len(),
            errors: v.errors().count(),
            warnings: v.warnings().count(),
            problems: v.problems.clone(),
        }
    }
}

/// Header of the added column.
pub const ERROR_COLUMN_KO: &str = "오류 내용";

/// Failure to write the report workbook.
#[derive(Debug, thiserror::Error)]
#[error("could not write the error report: {0}")]
pub struct ReportError(String);

/// Writes an XLSX with the header row and every data row of the sheet as read, plus a last
/// column listing each row's problems in Korean (errors first, marked `[오류]`, then warnings,
/// marked `[확인]`). With `only_problem_rows`, rows without problems are left out, so the file
/// holds just what needs fixing; row numbers of the original are kept in a first column.
pub fn error_report_xlsx(
    sheet: &Sheet,
    problems: &[Problem],
    only_problem_rows: bool,
) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ReportError(e.to_string());
    let mut by_row: BTreeMap<u32, Vec<&Problem>> = BTreeMap::new();
    for p in problems {
        by_row.entry(p.row).or_default().push(p);
    }
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("오류 보고서").map_err(err)?;
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let red = Format::new()
        .set_font_color(Color::RGB(0xC0_00_00))
        .set_text_wrap();
    let highlight = Format::new().set_background_color(Color::RGB(0xFF_EB_EE));

    ws.write_string_with_format(0, 0, "원본 행", &bold)
        .map_err(err)?;
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c + 1)?, cell_text(h), &bold)
            .map_err(err)?;
    }
    let err_col = col(sheet.headers.len() + 1)?;
    ws.write_string_with_format(0, err_col, ERROR_COLUMN_KO, &bold)
        .map_err(err)?;
    // Problems about the header itself (missing or unknown columns) go in the header row's cell.
    if let Some(ps) = by_row.get(&sheet.header_row) {
        ws.write_string_with_format(1, err_col, cell_text(&message(ps, sheet)), &red)
            .map_err(err)?;
    }
    let mut out_row: u32 = if by_row.contains_key(&sheet.header_row) {
        2
    } else {
        1
    };
    for r in &sheet.rows {
        let ps = by_row.get(&r.row);
        if only_problem_rows && ps.is_none() {
            continue;
        }
        ws.write_number(out_row, 0, f64::from(r.row)).map_err(err)?;
        let has_error = ps.is_some_and(|ps| ps.iter().any(|p| p.severity == Severity::Error));
        for (c, v) in r.cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if has_error && ps.is_some_and(|ps| ps.iter().any(|p| p.column == sheet.headers[c])) {
                ws.write_string_with_format(out_row, col(c + 1)?, cell_text(v), &highlight)
                    .map_err(err)?;
            } else {
                ws.write_string(out_row, col(c + 1)?, cell_text(v))
                    .map_err(err)?;
            }
        }
        if let Some(ps) = ps {
            ws.write_string_with_format(out_row, err_col, cell_text(&message(ps, sheet)), &red)
                .map_err(err)?;
        }
        out_row += 1;
    }
    ws.set_column_width(err_col, 60).map_err(err)?;
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// Most characters an Excel cell holds (Excel's specification and limits; a longer string is
/// an error for rust_xlsxwriter, and Excel would refuse the file).
const MAX_CELL_CHARS: usize = 32_767;

/// `v` as a cell can hold it: cut at Excel's limit with a marker saying so (the original is
/// in the upload; the error column says what is wrong with it).
fn cell_text(v: &str) -> std::borrow::Cow<'_, str> {
    const MARK: &str = " …(잘림)";
    if v.len() <= MAX_CELL_CHARS || v.chars().count() <= MAX_CELL_CHARS {
        return std::borrow::Cow::Borrowed(v);
    }
    let keep = MAX_CELL_CHARS - MARK.chars().count();
    let mut out: String = v.chars().take(keep).collect();
    out.push_str(MARK);
    std::borrow::Cow::Owned(out)
}

fn col(i: usize) -> Result<u16, ReportError> {
    u16::try_from(i).map_err(|_| ReportError(format!("column {i} out of range")))
}

fn message(ps: &[&Problem], _sheet: &Sheet) -> String {
    let mut sorted: Vec<&&Problem> = ps.iter().collect();
    sorted.sort_by_key(|p| p.severity);
    sorted
        .iter()
        .map(|p| {
            let tag = match p.severity {
                Severity::Error => "[오류]",
                Severity::Warning => "[확인]",
            };
            if p.column.is_empty() {
                format!("{tag} {}", p.message_ko)
            } else {
                format!("{tag} {}: {}", p.column, p.message_ko)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
