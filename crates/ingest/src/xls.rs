//! Old Excel 97-2003 workbooks (`.xls`, BIFF8 in an OLE compound file), as many POS and ERP
//! systems in the market still export them. calamine reads them; this module bounds what that
//! costs first.
//!
//! calamine parses every sheet of an `.xls` when it opens it and turns each into a dense grid
//! (`Range::from_sparse`): one cell in A1 and one in IV65536 cost 16.7 million cells, half a
//! gigabyte, before any row reaches us. It also reserves room for the area a sheet's DIMENSIONS
//! record claims, which a hostile file can set to billions. No library offers a bound for that, so
//! [`check_xls`] walks the BIFF records itself (the framing is four bytes: type and length) and
//! refuses a workbook whose grids would pass the memory budget, before calamine allocates.

use crate::error::SheetError;
use calamine::Data;
use std::io::{Cursor, Read};

/// Bytes one grid cell costs in calamine (its `Data` value; the range of formulas has the same
/// shape, so a sheet with formulas costs twice).
const CELL_BYTES: u64 = std::mem::size_of::<Data>() as u64;

/// The most rows and columns a BIFF8 sheet can have (Excel 97-2003: 65,536 × 256).
const BIFF8_ROWS: u64 = 65_536;
const BIFF8_COLUMNS: u64 = 256;

/// The memory a workbook's grids may take: 20 times the file or 256 MB, whichever is larger
/// (the bound every upload is held to; see the crate's README).
pub(crate) fn grid_budget(file_len: usize) -> u64 {
    (file_len as u64).saturating_mul(20).max(256 * 1024 * 1024)
}

/// Cells calamine will hold for one sheet: the bounding box of its cell records.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
    formulas: Option<((u32, u32), (u32, u32))>,
}

impl Extent {
    fn add(&mut self, row: u32, first_col: u32, last_col: u32) {
        self.rows = Some(match self.rows {
            None => (row, row),
            Some((a, b)) => (a.min(row), b.max(row)),
        });
        self.cols = Some(match self.cols {
            None => (first_col, last_col),
            Some((a, b)) => (a.min(first_col), b.max(last_col)),
        });
    }

    fn add_formula(&mut self, row: u32, col: u32) {
        self.formulas = Some(match self.formulas {
            None => ((row, row), (col, col)),
            Some(((r0, r1), (c0, c1))) => ((r0.min(row), r1.max(row)), (c0.min(col), c1.max(col))),
        });
    }

    fn cells(&self) -> u64 {
        let span = |(a, b): (u32, u32)| u64::from(b.saturating_sub(a)) + 1;
        let values = match (self.rows, self.cols) {
            (Some(r), Some(c)) => span(r) * span(c),
            _ => 0,
        };
        let formulas = self.formulas.map_or(0, |(r, c)| span(r) * span(c));
        values + formulas
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Walks the workbook stream of an `.xls` and refuses it when calamine's dense grids (or the
/// room it reserves for a sheet's declared dimensions) would pass `budget` bytes.
pub(crate) fn check_xls(bytes: &[u8], budget: u64) -> Result<(), SheetError> {
    let unreadable = |e: std::io::Error| SheetError::Xlsx(e.to_string());
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    let path = if file.is_stream("/Workbook") {
        "/Workbook"
    } else if file.is_stream("/Book") {
        "/Book"
    } else {
        return Err(SheetError::Xlsx(
            "the file holds no Excel workbook stream".into(),
        ));
    };
    let mut stream = Vec::new();
    file.open_stream(path)
        .map_err(unreadable)?
        // The stream is at most the file's size: a compound file stores it uncompressed.
        .take(bytes.len() as u64)
        .read_to_end(&mut stream)
        .map_err(unreadable)?;

    let too_big = |cells: u64| SheetError::TooManyCells {
        cells,
        limit: budget / CELL_BYTES,
    };
    let mut total = 0u64;
    let mut sheet = Extent::default();
    let mut at = 0usize;
    while let (Some(typ), Some(len)) = (u16_at(&stream, at), u16_at(&stream, at + 2)) {
        let start = at + 4;
        let Some(data) = stream.get(start..start + len as usize) else {
            break; // a truncated last record: calamine reports it
        };
        at = start + len as usize;
        match typ {
            // BOF: a new substream (the globals, a sheet, a chart); EOF ends one.
            0x0809 | 0x000A => {
                total = total.saturating_add(sheet.cells());
                sheet = Extent::default();
            }
            // BOUNDSHEET8: where a sheet's records start; calamine slices the stream there.
            0x0085 if u32_at(data, 0).is_none_or(|pos| pos as usize >= stream.len()) => {
                return Err(SheetError::Xlsx(
                    "a sheet starts past the end of the workbook stream".into(),
                ));
            }
            // DIMENSIONS: calamine reserves rows × columns cells for it.
            0x0200 => {
                let (rows, cols) = match data.len() {
                    10 => (
                        u16_at(data, 2)
                            .unwrap_or(0)
                            .saturating_sub(u16_at(data, 0).unwrap_or(0)),
                        u16_at(data, 6)
                            .unwrap_or(0)
                            .saturating_sub(u16_at(data, 4).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u32_at(data, 4)
                            .unwrap_or(0)
                            .saturating_sub(u32_at(data, 0).unwrap_or(0)),
                        u16_at(data, 10)
                            .unwrap_or(0)
                            .saturating_sub(u16_at(data, 8).unwrap_or(0)),
                    ),
                    _ => (0, 0),
                };
                let (rows, cols) = (u64::from(rows), u64::from(cols));
                if rows > BIFF8_ROWS || cols > BIFF8_COLUMNS {
                    return Err(too_big(rows.saturating_mul(cols)));
                }
            }
            // Cells with (row, column) first: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    sheet.add(r, c, c);
                }
            }
            // FORMULA: a value cell, and a cell of the grid of formulas.
            0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    sheet.add(r, c, c);
                    sheet.add_formula(r, c);
                }
            }
            // MULRK: row, first column, …, last column in the record's last two bytes.
            0x00BD if data.len() >= 6 => {
                if let (Some(r), Some(c0), Some(c1)) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    u16_at(data, data.len() - 2),
                ) {
                    sheet.add(r, c0, c1.max(c0));
                }
            }
            _ => {}
        }
        if total
            .saturating_add(sheet.cells())
            .saturating_mul(CELL_BYTES)
            > budget
        {
            return Err(too_big(total.saturating_add(sheet.cells())));
        }
    }
    Ok(())
}

/// Runs calamine's `.xls` parser so that a damaged file is an answer, not a crash: the parser
/// slices the stream at offsets the file gives (a position past the end panics inside calamine
/// 0.38), and no bound of ours can foresee every such offset.
pub(crate) fn guarded<T>(parse: impl FnOnce() -> Result<T, SheetError>) -> Result<T, SheetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).unwrap_or_else(|_| {
        Err(SheetError::Xlsx(
            "the workbook is damaged (the reader stopped on it)".into(),
        ))
    })
}

/// A cell's text as the sheet shows it (numbers without a stray `.0`), `None` when empty.
pub(crate) fn cell_text(value: &Data) -> Option<String> {
    Some(match value {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::sheet::format_float(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    })
}
