//! Reading an uploaded sheet (XLSX, CSV/TSV in any Korean encoding, JSON) into raw rows that
//! keep the row numbers the owner sees in Excel.

use crate::error::SheetError;
use crate::headers::{ColumnMapping, ColumnRole, resolve_header};
use crate::limits::{MAX_XML_TEXT_BYTES, SheetLimits, XlsxBound, check_xlsx};
use ddhub_domain::text::is_stray_control;
use serde::{Deserialize, Serialize};

/// The file format of an upload. `Auto` looks at the bytes, never at a file name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Auto,
    Xlsx,
    /// Excel 97-2003 (BIFF8 in an OLE compound file), read with the same limits as XLSX.
    Xls,
    /// Delimited text; the delimiter is sniffed among `,` `\t` `;` `|`.
    Csv,
    /// Tab-separated text.
    Tsv,
    /// An array of objects with English keys (see [`crate::Field::key`]).
    Json,
}

/// How to read an upload.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub format: Format,
    /// Text encoding label for CSV/TSV (`utf-8`, `cp949`, `euc-kr` …). `None` detects it:
    /// a BOM wins, then valid UTF-8, then chardetng's guess (CP949 for Korean Excel files).
    pub encoding: Option<String>,
    /// XLSX sheet to read; `None` reads the first.
    pub sheet_name: Option<String>,
    pub limits: SheetLimits,
    /// The wholesaler's saved mapping: its headers count when looking for the header row.
    pub mapping: ColumnMapping,
    /// The name the file was uploaded as: its extension must agree with the content.
    pub file_name: Option<String>,
}

/// Bytes of a file given to the encoding detector.
const DETECT_PREFIX: usize = 256 * 1024;

/// Rows searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// One data row as read: cells as text, untrimmed, by column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RawRow {
    /// 1-based row number as Excel shows it (rows above the header and blank rows count).
    pub row: u32,
    pub cells: Vec<String>,
}

impl RawRow {
    /// The cell of a column, or `""` past the end of a short row.
    pub fn get(&self, col: usize) -> &str {
        self.cells.get(col).map_or("", String::as_str)
    }
}

/// A sheet as read, before validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sheet {
    /// The format actually read.
    pub format: Format,
    /// The text encoding used, for CSV/TSV (`UTF-8`, `EUC-KR` meaning CP949).
    pub encoding: Option<&'static str>,
    /// Whether some bytes were not valid in that encoding (they became U+FFFD).
    pub had_decode_errors: bool,
    /// Cells (Excel row, column index) that held control characters (NUL and the like, never
    /// text anyone typed): they were removed as the sheet was read, so both databases store
    /// the same text (PostgreSQL refuses NUL in text), and each is reported as a warning.
    pub stripped_controls: Vec<(u32, usize)>,
    /// The XLSX sheet read.
    pub sheet_name: Option<String>,
    /// Excel row number of the header row (0 for JSON, which has none).
    pub header_row: u32,
    /// Headers as written, one per column. Columns with data but no header are named by
    /// their Excel column letter.
    pub headers: Vec<String>,
    /// Data rows under the header, blank rows left out.
    pub rows: Vec<RawRow>,
}

/// Reads an upload into raw rows. Fails only when the file as a whole cannot be read or passes
/// a limit; bad cells are for [`crate::validate`].
pub fn read_sheet(bytes: &[u8], opts: &ReadOptions) -> Result<Sheet, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    if bytes.len() > opts.limits.max_bytes {
        return Err(SheetError::TooLarge {
            size: bytes.len(),
            limit: opts.limits.max_bytes,
        });
    }
    check_is_a_sheet(bytes, opts.file_name.as_deref())?;
    let format = match opts.format {
        Format::Auto => sniff_format(bytes),
        f => f,
    };
    match format {
        Format::Xlsx => read_xlsx(bytes, opts),
        Format::Xls => read_xls(bytes, opts),
        Format::Json => read_json(bytes, opts),
        Format::Csv | Format::Auto => read_delimited(bytes, None, opts),
        Format::Tsv => read_delimited(bytes, Some(b'\t'), opts),
    }
}

/// The kind of a file whose first bytes say it is a known format that no sheet is (images,
/// documents, archives other than a workbook), or that is binary rather than text.
fn non_sheet_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 11] = [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"%PDF-", "a PDF document"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"\x00\x00\x01\x00", "an icon"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(kind);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("a WebP image");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some("a HEIC image or a video");
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return None;
    }
    // Text has next to no control bytes; a binary file has them throughout (random bytes:
    // one in eight). UTF-16 text (every other byte NUL) is not read either.
    let head = &bytes[..bytes.len().min(8 * 1024)];
    let controls = head
        .iter()
        .filter(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    (controls * 20 > head.len()).then_some("binary data, not text")
}

/// Refuses a file that is not a spreadsheet, or whose name and content disagree (a PNG named
/// `.xlsx` used to be read as a CSV with every column missing).
fn check_is_a_sheet(bytes: &[u8], file_name: Option<&str>) -> Result<(), SheetError> {
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if let Some(kind) = non_sheet_kind(bytes) {
        return Err(SheetError::NotASpreadsheet {
            name: file_name.unwrap_or_default().to_string(),
            found: kind,
        });
    }
    let found = match ext.as_deref() {
        Some("xlsx" | "xlsm") if !zip => Some(if ole {
            "an old Excel (.xls) file named .xlsx"
        } else {
            "not an Excel workbook"
        }),
        Some("csv" | "tsv" | "txt") if zip || ole => Some("an Excel workbook or another archive"),
        _ => None,
    };
    match found {
        Some(found) => Err(SheetError::NotASpreadsheet {
            name: file_name.unwrap_or_default().to_string(),
            found,
        }),
        None => Ok(()),
    }
}

fn sniff_format(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        return Format::Xlsx;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // The OLE compound file of Excel 97-2003.
        return Format::Xls;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Format::Json,
        _ => Format::Csv,
    }
}

/// Collects rows, finds the header row among the first rows, and keeps the rest.
struct Grid {
    max_rows: usize,
    max_columns: usize,
    rows: Vec<RawRow>,
    /// Cells whose control characters were removed (see [`Sheet::stripped_controls`]).
    stripped: Vec<(u32, usize)>,
}

/// Removes stray control characters from a row's cells, noting each cell changed.
fn strip_controls(row: u32, cells: &mut [String], stripped: &mut Vec<(u32, usize)>) {
    for (i, cell) in cells.iter_mut().enumerate() {
        if cell.chars().any(is_stray_control) {
            cell.retain(|c| !is_stray_control(c));
            stripped.push((row, i));
        }
    }
}

impl Grid {
    fn new(limits: &SheetLimits) -> Self {
        Grid {
            max_rows: limits.max_rows,
            max_columns: limits.max_columns,
            rows: Vec::new(),
            stripped: Vec::new(),
        }
    }

    /// Adds a row unless it is blank; trailing blank cells are dropped.
    fn push(&mut self, row: u32, mut cells: Vec<String>) -> Result<(), SheetError> {
        strip_controls(row, &mut cells, &mut self.stripped);
        while cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        if cells.is_empty() {
            return Ok(());
        }
        if cells.len() > self.max_columns {
            return Err(SheetError::TooManyColumns {
                limit: self.max_columns,
            });
        }
        // One extra row may be above the header; the exact count is checked in `finish`.
        if self.rows.len() > self.max_rows + HEADER_SEARCH_ROWS {
            return Err(SheetError::TooManyRows {
                limit: self.max_rows,
            });
        }
        self.rows.push(RawRow { row, cells });
        Ok(())
    }

    fn finish(
        mut self,
        format: Format,
        mapping: &ColumnMapping,
        fill: impl FnOnce(&mut [RawRow], u32),
    ) -> Result<Sheet, SheetError> {
        if self.rows.is_empty() {
            return Err(SheetError::Empty);
        }
        let header_idx = find_header(&self.rows, mapping);
        let mut rows = self.rows.split_off(header_idx + 1);
        let header = self
            .rows
            .pop()
            .map(|r| (r.row, r.cells))
            .unwrap_or_default();
        if rows.len() > self.max_rows {
            return Err(SheetError::TooManyRows {
                limit: self.max_rows,
            });
        }
        fill(&mut rows, header.0);
        let width = rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0)
            .max(header.1.len());
        let mut headers: Vec<String> = header.1.iter().map(|h| h.trim().to_string()).collect();
        headers.resize(width, String::new());
        for (i, h) in headers.iter_mut().enumerate() {
            if h.is_empty() {
                *h = column_letter(i);
            }
        }
        Ok(Sheet {
            format,
            encoding: None,
            had_decode_errors: false,
            stripped_controls: self.stripped,
            sheet_name: None,
            header_row: header.0,
            headers,
            rows,
        })
    }
}

/// The header row is the one among the first [`HEADER_SEARCH_ROWS`] that names the most
/// distinct fields (at least two); failing that, the first row (a plain CSV of other data).
fn find_header(rows: &[RawRow], mapping: &ColumnMapping) -> usize {
    let mut best = (0usize, 0usize);
    for (i, r) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mut fields = std::collections::HashSet::new();
        for c in &r.cells {
            if let ColumnRole::Field(f) = resolve_header(c, mapping) {
                fields.insert(f);
            }
        }
        if fields.len() >= 2 && fields.len() > best.1 {
            best = (i, fields.len());
        }
    }
    best.0
}

/// `A`, `B`, … `Z`, `AA` …: how Excel names column `i` (0-based).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// CSV / TSV

/// Decodes text bytes: an explicit label, else a BOM, else UTF-8 if valid, else chardetng's
/// guess with a Korean top-level-domain hint (so ambiguous bytes lean to CP949).
fn decode<'a>(
    bytes: &'a [u8],
    label: Option<&str>,
    mapping: &ColumnMapping,
) -> Result<
    (
        std::borrow::Cow<'a, str>,
        &'static encoding_rs::Encoding,
        bool,
    ),
    SheetError,
> {
    let enc = match label {
        Some(l) => Some(encoding_for_label(l)?),
        None => None,
    };
    let enc = match enc {
        Some(e) => e,
        None => {
            if let Some((e, _)) = encoding_rs::Encoding::for_bom(bytes) {
                e
            } else if std::str::from_utf8(bytes).is_ok() {
                encoding_rs::UTF_8
            } else {
                best_encoding(bytes, mapping)
            }
        }
    };
    // `decode` removes a BOM and lets it override the label, as browsers do.
    let (text, used, errors) = enc.decode(bytes);
    Ok((text, used, errors))
}

/// The encoding of a file that is not valid UTF-8, chosen as a whole: UTF-8 (one stray CP949
/// row must not turn every header to garbage), CP949, and chardetng's guess (over a prefix: a
/// whole 50 MB file would cost seconds) are each decoded over the prefix and scored by the
/// header cells they make readable, then by the fewest bytes they cannot decode. One invalid
/// byte in a CP949 file made chardetng guess GBK, and GBK reads Hangul as Chinese.
fn best_encoding(bytes: &[u8], mapping: &ColumnMapping) -> &'static encoding_rs::Encoding {
    let n = bytes.len().min(DETECT_PREFIX);
    let prefix = &bytes[..n];
    let mut det = chardetng::EncodingDetector::new();
    det.feed(prefix, n == bytes.len());
    let guess = det.guess(Some(b"kr"), true);
    let mut best: Option<(
        usize,
        std::cmp::Reverse<usize>,
        &'static encoding_rs::Encoding,
    )> = None;
    // In order of preference on a tie (the guess is often one of the first two).
    let mut candidates = vec![encoding_rs::UTF_8, encoding_rs::EUC_KR];
    if !candidates.contains(&guess) {
        candidates.push(guess);
    }
    for enc in candidates {
        let (text, _) = enc.decode_without_bom_handling(prefix);
        let errors = text.matches('\u{FFFD}').count();
        let score = (
            known_header_cells(&text, mapping),
            std::cmp::Reverse(errors),
            enc,
        );
        if best.is_none_or(|b| (score.0, score.1) > (b.0, b.1)) {
            best = Some(score);
        }
    }
    best.map_or(guess, |b| b.2)
}

/// The most cells one of the first lines has that name a known column.
fn known_header_cells(text: &str, mapping: &ColumnMapping) -> usize {
    text.lines()
        .take(HEADER_SEARCH_ROWS)
        .map(|line| {
            line.split([',', '\t', ';'])
                .filter(|c| {
                    matches!(
                        resolve_header(c.trim().trim_matches('"'), mapping),
                        ColumnRole::Field(_)
                    )
                })
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// WHATWG labels plus the names Korean users know (`cp949`, `ms949`, `uhc`): all mean
/// windows-949, which encoding_rs calls EUC-KR.
pub fn encoding_for_label(label: &str) -> Result<&'static encoding_rs::Encoding, SheetError> {
    let l = label.trim().to_ascii_lowercase();
    match l.as_str() {
        "cp949" | "ms949" | "uhc" | "windows949" | "x-windows-949" | "ks_c_5601" => {
            Ok(encoding_rs::EUC_KR)
        }
        _ => encoding_rs::Encoding::for_label(l.as_bytes())
            .ok_or_else(|| SheetError::UnknownEncoding(label.to_string())),
    }
}

/// Picks the delimiter whose per-line count (outside quotes) is most consistent over the first
/// lines, preferring more columns; `,` when nothing stands out.
pub fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let mut freq = std::collections::HashMap::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(c).or_insert(0usize) += 1;
        }
        let Some((&mode, &agree)) = freq.iter().max_by_key(|(c, n)| (**n, **c)) else {
            continue;
        };
        if (agree, mode) > (best.1, best.2) {
            best = (d, agree, mode);
        }
    }
    best.0
}

/// Line breaks as Excel counts them: `\n`, `\r\n` and a lone `\r` are one each.
fn count_breaks(b: &[u8]) -> u64 {
    let mut n = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut inside = false;
    let mut n = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            inside = !inside;
        } else if b == d && !inside {
            n += 1;
        }
    }
    n
}

fn read_delimited(
    bytes: &[u8],
    delimiter: Option<u8>,
    opts: &ReadOptions,
) -> Result<Sheet, SheetError> {
    let (text, enc, errors) = decode(bytes, opts.encoding.as_deref(), &opts.mapping)?;
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Grid::new(&opts.limits);
    let mut record = csv::StringRecord::new();
    // Excel shows each record as one row, a blank line as a blank row, and a quoted line break
    // as part of its cell. The csv crate skips blank lines and its line numbers are not Excel's,
    // so rows are counted here: line breaks before the record, less those inside quotes.
    let bytes = text.as_bytes();
    let (mut scanned, mut breaks, mut embedded) = (0usize, 0u64, 0u64);
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(SheetError::Csv(e.to_string())),
        }
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > scanned {
            breaks += count_breaks(&bytes[scanned..start]);
            scanned = start;
        }
        let row = 1 + breaks.saturating_sub(embedded);
        // The XLSX bound on one cell's text holds for CSV too.
        if record.iter().any(|c| c.len() > MAX_XML_TEXT_BYTES) {
            return Err(SheetError::CellTooLong {
                limit: MAX_XML_TEXT_BYTES,
            });
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        embedded += cells
            .iter()
            .map(|c| count_breaks(c.as_bytes()))
            .sum::<u64>();
        grid.push(u32::try_from(row).unwrap_or(u32::MAX), cells)?;
    }
    let fmt = if delimiter == b'\t' {
        Format::Tsv
    } else {
        Format::Csv
    };
    let mut sheet = grid.finish(fmt, &opts.mapping, |_, _| {})?;
    sheet.encoding = Some(enc.name());
    sheet.had_decode_errors = errors;
    Ok(sheet)
}

// ---------------------------------------------------------------------------------------------
// XLSX

fn read_xlsx(bytes: &[u8], opts: &ReadOptions) -> Result<Sheet, SheetError> {
    use calamine::{DataRef, Reader};
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return read_xls(bytes, opts);
    }
    match check_xlsx(
        bytes,
        &opts.limits.zip,
        opts.limits.max_shared_strings_bytes,
    )? {
        None => {}
        Some(XlsxBound::TextRun) => {
            return Err(SheetError::CellTooLong {
                limit: MAX_XML_TEXT_BYTES,
            });
        }
        Some(XlsxBound::SharedStrings) => {
            return Err(SheetError::TooManyStrings {
                limit: opts.limits.max_shared_strings_bytes,
            });
        }
    }
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let name = pick_sheet(wb.sheet_names(), opts)?;
    let mut grid = Grid::new(&opts.limits);
    {
        let mut cells = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| SheetError::Xlsx(e.to_string()))?;
        let mut current: Option<(u32, Vec<String>)> = None;
        while let Some(cell) = cells
            .next_cell()
            .map_err(|e| SheetError::Xlsx(e.to_string()))?
        {
            let (r, c) = cell.get_position();
            let c = c as usize;
            if c >= opts.limits.max_columns {
                return Err(SheetError::TooManyColumns {
                    limit: opts.limits.max_columns,
                });
            }
            let text = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::String(s) => s.clone(),
                DataRef::SharedString(s) => (*s).to_string(),
                DataRef::Int(i) => i.to_string(),
                DataRef::Float(f) => format_float(*f),
                DataRef::Bool(b) => b.to_string(),
                DataRef::DateTime(d) => d.to_string(),
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
                DataRef::Error(e) => format!("#{e:?}"),
            };
            let row_no = r.saturating_add(1);
            if current.as_ref().is_some_and(|(cr, _)| *cr != row_no)
                && let Some((cr, cells)) = current.take()
            {
                grid.push(cr, cells)?;
            }
            let entry = current.get_or_insert_with(|| (row_no, Vec::new()));
            if entry.1.len() <= c {
                entry.1.resize(c + 1, String::new());
            }
            entry.1[c] = text;
        }
        if let Some((cr, cells)) = current.take() {
            grid.push(cr, cells)?;
        }
    }
    let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
    let max_columns = opts.limits.max_columns;
    let mut sheet = grid.finish(Format::Xlsx, &opts.mapping, |rows, header_row| {
        fill_vertical_merges(rows, header_row, &merges, max_columns);
    })?;
    sheet.sheet_name = Some(name);
    Ok(sheet)
}

/// The sheet to read: the one asked for (spaces around the name forgiven) or the first.
fn pick_sheet(names: Vec<String>, opts: &ReadOptions) -> Result<String, SheetError> {
    match &opts.sheet_name {
        Some(n) => names
            .into_iter()
            .find(|s| s == n || s.trim() == n.trim())
            .ok_or_else(|| SheetError::SheetNotFound(n.clone())),
        None => names.into_iter().next().ok_or(SheetError::NoSheets),
    }
}

/// Reads an Excel 97-2003 workbook once [`crate::xls::check_xls`] has bounded what calamine's
/// dense grids will cost. Rows keep their Excel numbers; merges fill down as in XLSX.
fn read_xls(bytes: &[u8], opts: &ReadOptions) -> Result<Sheet, SheetError> {
    use calamine::Reader;
    crate::xls::check_xls(bytes, crate::xls::grid_budget(bytes.len()))?;
    let (name, range, merges) = crate::xls::guarded(|| {
        let mut wb = calamine::Xls::new(std::io::Cursor::new(bytes))
            .map_err(|e| SheetError::Xlsx(e.to_string()))?;
        let name = pick_sheet(wb.sheet_names(), opts)?;
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| SheetError::Xlsx(e.to_string()))?;
        let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
        Ok((name, range, merges))
    })?;
    let mut grid = Grid::new(&opts.limits);
    if let Some((first_row, first_col)) = range.start() {
        let first_col = first_col as usize;
        if first_col.saturating_add(range.width()) > opts.limits.max_columns {
            return Err(SheetError::TooManyColumns {
                limit: opts.limits.max_columns,
            });
        }
        for (i, row) in range.rows().enumerate() {
            let mut cells = vec![String::new(); first_col];
            for value in row {
                let text = crate::xls::cell_text(value).unwrap_or_default();
                // The XLSX bound on one cell's text holds here too.
                if text.len() > MAX_XML_TEXT_BYTES {
                    return Err(SheetError::CellTooLong {
                        limit: MAX_XML_TEXT_BYTES,
                    });
                }
                cells.push(text);
            }
            let row_no = first_row.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            grid.push(row_no.saturating_add(1), cells)?;
        }
    }
    drop(range);
    let max_columns = opts.limits.max_columns;
    let mut sheet = grid.finish(Format::Xls, &opts.mapping, |rows, header_row| {
        fill_vertical_merges(rows, header_row, &merges, max_columns);
    })?;
    sheet.sheet_name = Some(name);
    Ok(sheet)
}

/// Merged-cell rule: a region merged across rows below the header (one style over several
/// colour rows) gives its top-left value to the blank cells of its first column in every row
/// it spans that has other data. Merges across columns only (a title over B:D) copy nothing,
/// so no field receives another field's text.
fn fill_vertical_merges(
    rows: &mut [RawRow],
    header_row: u32,
    merges: &[calamine::Dimensions],
    max_columns: usize,
) {
    for m in merges {
        let (top, col) = (m.start.0.saturating_add(1), m.start.1 as usize);
        let bottom = m.end.0.saturating_add(1);
        if bottom <= top || top <= header_row || col >= max_columns {
            continue;
        }
        let start = rows.partition_point(|r| r.row < top);
        let Some(value) = rows
            .get(start)
            .filter(|r| r.row == top)
            .map(|r| r.get(col).to_string())
        else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        for r in rows[start + 1..].iter_mut().take_while(|r| r.row <= bottom) {
            if r.cells.len() <= col {
                r.cells.resize(col + 1, String::new());
            }
            if r.cells[col].trim().is_empty() {
                r.cells[col] = value.clone();
            }
        }
    }
}

/// Integers print without `.0` (`18000`, not `18000.0`); others as Rust prints them.
pub(crate) fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

fn read_json(bytes: &[u8], opts: &ReadOptions) -> Result<Sheet, SheetError> {
    use serde_json::Value;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(body).map_err(|e| SheetError::Json(e.to_string()))?;
    let Value::Array(items) = value else {
        return Err(SheetError::JsonShape);
    };
    if items.len() > opts.limits.max_rows {
        return Err(SheetError::TooManyRows {
            limit: opts.limits.max_rows,
        });
    }
    let mut headers: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(map) = item else {
            return Err(SheetError::JsonShape);
        };
        let mut cells = vec![String::new(); headers.len()];
        for (k, v) in map {
            let col = *index.entry(k.clone()).or_insert_with(|| {
                headers.push(k.clone());
                headers.len() - 1
            });
            if headers.len() > opts.limits.max_columns {
                return Err(SheetError::TooManyColumns {
                    limit: opts.limits.max_columns,
                });
            }
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = json_cell(v);
        }
        rows.push(RawRow {
            row: u32::try_from(i + 1).unwrap_or(u32::MAX),
            cells,
        });
    }
    let mut stripped = Vec::new();
    strip_controls(0, &mut headers, &mut stripped);
    for r in &mut rows {
        strip_controls(r.row, &mut r.cells, &mut stripped);
    }
    Ok(Sheet {
        format: Format::Json,
        encoding: Some("UTF-8"),
        had_decode_errors: false,
        stripped_controls: stripped,
        sheet_name: None,
        header_row: 0,
        headers,
        rows,
    })
}

fn json_cell(v: serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // Lists (`"colours": ["black", "ivory"]`) become the comma list a sheet would have.
        Value::Array(a) => a.into_iter().map(json_cell).collect::<Vec<_>>().join(","),
        o @ Value::Object(_) => o.to_string(),
    }
}
