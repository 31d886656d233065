//! Row validation: raw rows in, parsed styles and a problem list out. A row with any error is
//! rejected whole; nothing of it reaches a style.

use crate::cells::{
    parse_colours, parse_composition, parse_flag, parse_moq, parse_origin, parse_photos,
    parse_price, parse_season, parse_sizes, parse_sold_out, parse_weight_grams,
};
use crate::headers::{ColumnMapping, ColumnRole, Field, resolve_headers};
use crate::measure::{MeasureIssue, parse_measure_cell, parse_measure_values};
use crate::problem::{Problem, ProblemCode};
use crate::sheet::{RawRow, Sheet};
use crate::text::{clean, header_key};
use ddhub_domain::Krw;
use ddhub_domain::catalog;
use ddhub_domain::measure::{SizeMeasurements, cm_to_mm};
use ddhub_domain::style::{CompositionPart, Quantity, validate_style_code};
use ddhub_domain::style_rules::{self, Breach, StyleFacts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Prices above this get a warning: Dongdaemun wholesale rarely passes it.
pub use ddhub_domain::style_rules::HIGH_PRICE_WARNING;
/// Longest title kept, in characters.
pub use ddhub_domain::style_rules::MAX_TITLE_CHARS;

/// A style as read from a sheet, normalised to canonical codes. Every colour × size is a SKU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedStyle {
    /// Excel rows this style came from (more than one when colours are listed one per row).
    pub rows: Vec<u32>,
    /// The wholesaler's code: the upsert key.
    pub style_code: String,
    pub title_ko: String,
    /// Category code (`tops/knit/cardigan`); `None` when the sheet has none or it is unknown.
    pub category: Option<String>,
    pub price: Krw,
    pub moq: Quantity,
    pub composition: Vec<CompositionPart>,
    /// ISO 3166-1 alpha-2.
    pub origin: Option<String>,
    /// Season code (`ss`, `fw`, `transitional` …).
    pub season: Option<String>,
    pub same_day: bool,
    pub description: Option<String>,
    pub sold_out: bool,
    /// Shipping weight in grams (무게/중량), when the sheet gives one that reads.
    #[serde(default)]
    pub weight_grams: Option<u32>,
    /// Colour codes, in the sheet's order.
    pub colours: Vec<String>,
    /// Size codes, in the sheet's order.
    pub sizes: Vec<String>,
    /// Photo file names as written.
    pub photos: Vec<String>,
    /// Columns that are no known field, by header as written.
    pub extra: BTreeMap<String, String>,
    /// Measured sizes (실측), one entry per size, in the sheet's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<SizeMeasurements>,
    /// The model's fit note (`모델 168cm 55 착용`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_note: Option<String>,
}

/// The outcome of validating one sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validated {
    /// Styles from rows without errors, in sheet order.
    pub styles: Vec<ParsedStyle>,
    /// Every problem, errors and warnings, by row.
    pub problems: Vec<Problem>,
    /// What each column was taken to be.
    pub columns: Vec<(String, ColumnRole)>,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// Rows skipped because they, or the style they belong to, had an error.
    pub rejected_rows: Vec<u32>,
}

impl Validated {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }
    /// SKUs the accepted styles make (colour × size).
    pub fn sku_count(&self) -> usize {
        self.styles
            .iter()
            .map(|s| s.colours.len() * s.sizes.len())
            .sum()
    }
}

/// Columns a sheet must have for any row to be accepted.
pub const REQUIRED: [Field; 4] = [Field::StyleCode, Field::Title, Field::Price, Field::Colours];

/// Validates every row of a sheet.
///
/// Continuation rows: a row whose style code is blank, or the same as the style directly
/// above, and whose other style-level cells are blank or equal to that style's, adds its
/// colours and sizes to that style. This is how one style listed one colour per row reads,
/// whether its shared cells were merged (see the XLSX merged-cell rule) or left blank. A
/// repeated code anywhere else is `duplicate_style_code` on the later row.
pub fn validate(sheet: &Sheet, mapping: &ColumnMapping) -> Validated {
    let roles = resolve_headers(&sheet.headers, mapping);
    let mut problems = Vec::new();
    let mut cols: HashMap<Field, usize> = HashMap::new();
    let mut extras: Vec<usize> = Vec::new();
    let mut measure_cols: Vec<usize> = Vec::new();
    for (i, (h, role)) in sheet.headers.iter().zip(&roles).enumerate() {
        match role {
            ColumnRole::Measure(_) => measure_cols.push(i),
            ColumnRole::Field(f) => {
                cols.insert(*f, i);
            }
            ColumnRole::Extra => {
                extras.push(i);
                problems.push(Problem::new(
                    sheet.header_row,
                    h,
                    h,
                    ProblemCode::UnknownColumn,
                ));
            }
            ColumnRole::Duplicate(_) => {
                problems.push(Problem::new(
                    sheet.header_row,
                    h,
                    h,
                    ProblemCode::DuplicateColumn,
                ));
            }
            ColumnRole::Ignored => {}
        }
    }
    // Control characters removed while reading: one warning per row (naming its first such
    // cell), so a sheet full of them costs one problem a row like any other.
    let mut last_row = None;
    for &(row, col) in &sheet.stripped_controls {
        if last_row == Some(row) {
            continue;
        }
        last_row = Some(row);
        let header = sheet.headers.get(col).map_or("", String::as_str);
        let value = if row == sheet.header_row {
            header
        } else {
            sheet
                .rows
                .binary_search_by_key(&row, |r| r.row)
                .ok()
                .and_then(|i| sheet.rows[i].cells.get(col))
                .map_or("", String::as_str)
        };
        let shown: String = value.chars().take(80).collect();
        problems.push(Problem::new(
            row,
            header,
            &shown,
            ProblemCode::ControlCharacters,
        ));
    }
    // Bytes the file's encoding could not decode: named by row, so the one row typed in
    // another encoding is found (the rest of the file was read in the best encoding).
    if sheet.had_decode_errors {
        for r in &sheet.rows {
            if let Some((col, v)) = r
                .cells
                .iter()
                .enumerate()
                .find(|(_, c)| c.contains('\u{FFFD}'))
            {
                let header = sheet.headers.get(col).map_or("", String::as_str);
                let shown: String = v.chars().take(80).collect();
                problems.push(Problem::new(
                    r.row,
                    header,
                    &shown,
                    ProblemCode::UndecodableText,
                ));
            }
        }
    }
    let columns = sheet.headers.iter().cloned().zip(roles).collect();
    let missing: Vec<Field> = REQUIRED
        .into_iter()
        .filter(|f| !cols.contains_key(f))
        .collect();
    if !missing.is_empty() {
        for f in missing {
            problems.push(Problem::new(
                sheet.header_row,
                "",
                f.label_ko(),
                ProblemCode::MissingColumn,
            ));
        }
        return Validated {
            styles: Vec::new(),
            problems,
            columns,
            rows: sheet.rows.len(),
            rejected_rows: sheet.rows.iter().map(|r| r.row).collect(),
        };
    }
    let ctx = Ctx {
        sheet,
        cols,
        extras,
        measure_cols,
        stock_is_flag: false,
    };
    let ctx = Ctx {
        stock_is_flag: ctx
            .cols
            .get(&Field::Stock)
            .map(|&i| {
                let k = header_key(&sheet.headers[i]);
                k.contains("품절") || k.contains("soldout")
            })
            .unwrap_or(false),
        ..ctx
    };

    let mut styles: Vec<ParsedStyle> = Vec::new();
    let mut rejected_rows = Vec::new();
    // Index into `styles` (or a rejected marker) of the style the previous row belonged to.
    let mut current: Option<Current> = None;
    let mut seen: HashMap<String, u32> = HashMap::new();

    let ignored: Vec<bool> = columns_ignored(&sheet.headers, mapping);
    let mut rows_seen = 0usize;
    for (row_idx, row) in sheet.rows.iter().enumerate() {
        // A row with text only in ignored columns (our own report's notes) is blank.
        if row
            .cells
            .iter()
            .enumerate()
            .all(|(i, c)| c.trim().is_empty() || ignored.get(i).copied().unwrap_or(false))
        {
            continue;
        }
        rows_seen += 1;
        let code = clean(ctx.cell(row, Field::StyleCode)).into_owned();
        // Continuation of the style directly above?
        if let Some(cur) = &current
            && (code.is_empty() || code == cur.code)
            && ctx.shared_cells_agree(row, &sheet.rows[cur.first_row])
        {
            let mut row_problems = Vec::new();
            let (colours, sizes) = ctx.variants(row, &mut row_problems, true);
            let mut note = None;
            let more = ctx.measurements(row, &sizes, &mut note, &mut row_problems);
            let row_failed = row_problems.iter().any(Problem::is_error);
            problems.extend(row_problems);
            match cur.index {
                Some(i) if !row_failed => {
                    let st = &mut styles[i];
                    st.rows.push(row.row);
                    merge_unique(&mut st.colours, colours);
                    merge_unique(&mut st.sizes, sizes);
                    merge_unique(&mut st.photos, parse_photos(ctx.cell(row, Field::Photos)));
                    merge_measurements(&mut st.measurements, more);
                    if st.fit_note.is_none() {
                        st.fit_note = note;
                    }
                }
                Some(i) => {
                    // A bad variant row rejects its whole style: no style is half-applied.
                    rejected_rows.extend(styles[i].rows.iter().copied());
                    rejected_rows.push(row.row);
                    styles.remove(i);
                    if let Some(c) = &mut current {
                        c.index = None;
                    }
                }
                None => rejected_rows.push(row.row),
            }
            continue;
        }
        let mut row_problems = Vec::new();
        let parsed = ctx.parse_row(row, &code, &mut row_problems);
        if !code.is_empty() {
            if let Some(first) = seen.get(&code) {
                let _ = first;
                row_problems.push(ctx.problem(
                    row,
                    Field::StyleCode,
                    ProblemCode::DuplicateStyleCode,
                ));
            } else {
                seen.insert(code.clone(), row.row);
            }
        }
        let failed = row_problems.iter().any(Problem::is_error);
        problems.extend(row_problems);
        let index = match parsed {
            Some(p) if !failed => {
                styles.push(p);
                Some(styles.len() - 1)
            }
            _ => {
                rejected_rows.push(row.row);
                None
            }
        };
        current = if code.is_empty() {
            None
        } else {
            Some(Current {
                code,
                index,
                first_row: row_idx,
            })
        };
    }
    rejected_rows.sort_unstable();
    Validated {
        styles,
        problems,
        columns,
        rows: rows_seen,
        rejected_rows,
    }
}

fn columns_ignored(headers: &[String], mapping: &ColumnMapping) -> Vec<bool> {
    resolve_headers(headers, mapping)
        .into_iter()
        .map(|r| r == ColumnRole::Ignored)
        .collect()
}

struct Current {
    code: String,
    index: Option<usize>,
    /// Index in `sheet.rows` of the style's first row.
    first_row: usize,
}

fn merge_unique<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
    for x in from {
        if !into.contains(&x) {
            into.push(x);
        }
    }
}

struct Ctx<'a> {
    sheet: &'a Sheet,
    cols: HashMap<Field, usize>,
    extras: Vec<usize>,
    /// Columns holding one measure each (`어깨`, `가슴단면` …).
    measure_cols: Vec<usize>,
    stock_is_flag: bool,
}

/// Adds sizes' measures to a style's: a size already there gains the measures it lacked.
fn merge_measurements(into: &mut Vec<SizeMeasurements>, from: Vec<SizeMeasurements>) {
    for m in from {
        match into.iter_mut().find(|x| x.size == m.size) {
            Some(x) => {
                for (k, v) in m.present() {
                    if x.get_mm(k).is_none() {
                        x.set_mm(k, Some(v));
                    }
                }
            }
            None => into.push(m),
        }
    }
}

/// Fields that belong to a style, not to one colour or size row.
const SHARED: [Field; 10] = [
    Field::Title,
    Field::Category,
    Field::Price,
    Field::Composition,
    Field::Origin,
    Field::Season,
    Field::Moq,
    Field::Description,
    Field::SameDay,
    Field::Stock,
];

impl Ctx<'_> {
    fn cell<'r>(&self, row: &'r RawRow, f: Field) -> &'r str {
        self.cols.get(&f).map_or("", |&i| row.get(i))
    }

    fn header(&self, f: Field) -> &str {
        self.cols
            .get(&f)
            .map_or(f.label_ko(), |&i| self.sheet.headers[i].as_str())
    }

    fn problem(&self, row: &RawRow, f: Field, code: ProblemCode) -> Problem {
        Problem::new(row.row, self.header(f), self.cell(row, f).trim(), code)
    }

    fn problem_value(&self, row: &RawRow, f: Field, value: &str, code: ProblemCode) -> Problem {
        Problem::new(row.row, self.header(f), value, code)
    }

    /// A continuation row may leave shared cells blank or repeat them, nothing else.
    fn shared_cells_agree(&self, row: &RawRow, first: &RawRow) -> bool {
        SHARED.iter().all(|&f| {
            let v = self.cell(row, f).trim();
            v.is_empty() || v == self.cell(first, f).trim()
        })
    }

    fn variants(
        &self,
        row: &RawRow,
        problems: &mut Vec<Problem>,
        continuation: bool,
    ) -> (Vec<String>, Vec<String>) {
        let colours_raw = self.cell(row, Field::Colours);
        let colours = if colours_raw.trim().is_empty() {
            if !continuation {
                problems.push(self.problem(row, Field::Colours, ProblemCode::MissingColours));
            }
            Vec::new()
        } else {
            match parse_colours(colours_raw) {
                Ok(c) => c.into_iter().map(str::to_string).collect(),
                Err(item) => {
                    problems.push(self.problem_value(
                        row,
                        Field::Colours,
                        &item,
                        ProblemCode::UnknownColour,
                    ));
                    Vec::new()
                }
            }
        };
        let sizes_raw = self.cell(row, Field::Sizes);
        let sizes = if sizes_raw.trim().is_empty() {
            if !continuation {
                problems.push(self.problem(row, Field::Sizes, ProblemCode::MissingSizes));
                vec!["free".to_string()]
            } else {
                Vec::new()
            }
        } else {
            match parse_sizes(sizes_raw) {
                Ok(s) => s.into_iter().map(str::to_string).collect(),
                Err(issue) => {
                    problems.push(self.problem_value(row, Field::Sizes, &issue.item, issue.code));
                    Vec::new()
                }
            }
        };
        (colours, sizes)
    }

    fn parse_row(
        &self,
        row: &RawRow,
        code: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<ParsedStyle> {
        use ProblemCode as P;
        match validate_style_code(code) {
            Ok(()) => {}
            Err("empty") => problems.push(self.problem(row, Field::StyleCode, P::MissingStyleCode)),
            Err("too_long") => {
                problems.push(self.problem(row, Field::StyleCode, P::StyleCodeTooLong))
            }
            Err(_) => problems.push(self.problem(row, Field::StyleCode, P::InvalidStyleCode)),
        }

        let title_raw = clean(self.cell(row, Field::Title));
        let mut title: String = title_raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            problems.push(self.problem(row, Field::Title, P::MissingTitle));
        } else if title.chars().count() > MAX_TITLE_CHARS {
            problems.push(self.problem(row, Field::Title, P::TitleTooLong));
            title = title.chars().take(MAX_TITLE_CHARS).collect();
        }

        let price_raw = self.cell(row, Field::Price);
        let price = if price_raw.trim().is_empty() {
            problems.push(self.problem(row, Field::Price, P::MissingPrice));
            None
        } else {
            match parse_price(price_raw) {
                Ok(p) => {
                    if p.0 > HIGH_PRICE_WARNING {
                        problems.push(self.problem(row, Field::Price, P::PriceUnusuallyHigh));
                    }
                    Some(p)
                }
                Err(code) => {
                    problems.push(self.problem(row, Field::Price, code));
                    None
                }
            }
        };

        let (colours, sizes) = self.variants(row, problems, false);

        let category_raw = clean(self.cell(row, Field::Category));
        let category = if category_raw.is_empty() {
            None
        } else {
            let c = catalog::category_for(&category_raw).map(|c| c.code.to_string());
            if c.is_none() {
                problems.push(self.problem(row, Field::Category, P::UnknownCategory));
            }
            c
        };

        let comp_raw = self.cell(row, Field::Composition);
        let mut composition = Vec::new();
        if !comp_raw.trim().is_empty() {
            let comp = parse_composition(comp_raw);
            for w in &comp.unknown {
                problems.push(self.problem_value(row, Field::Composition, w, P::UnknownMaterial));
            }
            if comp.parts.is_empty() && comp.unknown.is_empty() {
                problems.push(self.problem(row, Field::Composition, P::CompositionUnparsed));
            } else if comp.has_percent && comp.total != 100 {
                problems.push(self.problem_value(
                    row,
                    Field::Composition,
                    &format!("{}%", comp.total),
                    P::CompositionTotal,
                ));
            }
            composition = comp.parts;
        }

        let origin_raw = self.cell(row, Field::Origin);
        let origin = if origin_raw.trim().is_empty() {
            None
        } else {
            let o = parse_origin(origin_raw);
            if o.is_none() {
                problems.push(self.problem(row, Field::Origin, P::UnknownOrigin));
            }
            o.map(str::to_string)
        };

        let season_raw = self.cell(row, Field::Season);
        let season = if season_raw.trim().is_empty() {
            None
        } else {
            let s = parse_season(season_raw);
            if s.is_none() {
                problems.push(self.problem(row, Field::Season, P::UnknownSeason));
            }
            s.map(str::to_string)
        };

        let moq = match parse_moq(self.cell(row, Field::Moq)) {
            Ok(n) => Quantity(n),
            Err(code) => {
                problems.push(self.problem(row, Field::Moq, code));
                Quantity(1)
            }
        };

        // A `[당일출고]` tag in the title says the same as the flag column when that is blank.
        let title_says_same_day = title.contains("당일출고") || title.contains("당일발송");
        let flag_raw = self.cell(row, Field::SameDay);
        let same_day = if flag_raw.trim().is_empty() {
            title_says_same_day
        } else {
            parse_flag(flag_raw).unwrap_or_else(|| {
                problems.push(self.problem(row, Field::SameDay, P::InvalidFlag));
                false
            })
        };

        let sold_out = parse_sold_out(self.cell(row, Field::Stock), self.stock_is_flag)
            .unwrap_or_else(|| {
                problems.push(self.problem(row, Field::Stock, P::InvalidStock));
                false
            });

        let description =
            Some(clean(self.cell(row, Field::Description)).into_owned()).filter(|d| !d.is_empty());

        let weight_raw = self.cell(row, Field::Weight);
        let weight_grams = if weight_raw.trim().is_empty() {
            None
        } else {
            parse_weight_grams(weight_raw)
                .map_err(|code| problems.push(self.problem(row, Field::Weight, code)))
                .ok()
        };

        // The style rules the JSON API applies too (ddhub_domain::style_rules). The cell readers
        // above already report what they check with the same limits (code, title, price, MOQ,
        // composition, colours, sizes); these two only the style as a whole can break.
        let facts = StyleFacts {
            style_code: code,
            title_ko: &title,
            price_krw: price.map_or(1, |p| p.0),
            moq: moq.0,
            description_ko: description.as_deref(),
            composition: &composition,
            colours: colours.len().max(1),
            sizes: sizes.len().max(1),
        };
        for breach in style_rules::check(&facts) {
            match breach {
                Breach::DescriptionTooLong => problems.push(
                    self.problem_value(
                        row,
                        Field::Description,
                        &description
                            .as_deref()
                            .map_or(0, |d| d.chars().count())
                            .to_string(),
                        P::DescriptionTooLong,
                    ),
                ),
                Breach::TooManySkus(n) => problems.push(self.problem_value(
                    row,
                    Field::Sizes,
                    &n.to_string(),
                    P::TooManySkus,
                )),
                _ => {}
            }
        }

        let mut fit_note = None;
        let measurements = self.measurements(row, &sizes, &mut fit_note, problems);
        let fit_note = fit_note.or_else(|| {
            // A fit note written in the description (`모델 168cm 55 착용`).
            description
                .as_deref()
                .and_then(|d| {
                    d.lines()
                        .find(|l| crate::measure::is_fit_note(l) && l.contains("착용"))
                })
                .map(|l| l.trim().chars().take(200).collect())
        });

        let mut extra = BTreeMap::new();
        for &i in &self.extras {
            let v = clean(row.get(i));
            if !v.is_empty() {
                extra.insert(self.sheet.headers[i].clone(), v.into_owned());
            }
        }

        Some(ParsedStyle {
            rows: vec![row.row],
            style_code: code.to_string(),
            title_ko: title,
            category,
            price: price?,
            moq,
            composition,
            origin,
            season,
            same_day,
            description,
            sold_out,
            weight_grams,
            colours,
            sizes,
            photos: parse_photos(self.cell(row, Field::Photos)),
            extra,
            measurements,
            fit_note,
        })
    }

    /// The measured sizes a row gives: its measure cell (per size or a free line), then its
    /// per-measure columns for the row's sizes. Problems are warnings; bad values are dropped.
    fn measurements(
        &self,
        row: &RawRow,
        sizes: &[String],
        fit_note: &mut Option<String>,
        problems: &mut Vec<Problem>,
    ) -> Vec<SizeMeasurements> {
        use ProblemCode as P;
        // A free line names no size: it is the style's only size, or one size (FREE).
        let default_size = match sizes {
            [one] => one.clone(),
            _ => "free".to_string(),
        };
        let mut out: Vec<SizeMeasurements> = Vec::new();
        let raw = self.cell(row, Field::Measurements);
        if !raw.trim().is_empty() {
            let cell = parse_measure_cell(raw);
            for issue in &cell.issues {
                problems.push(match issue {
                    MeasureIssue::Implausible {
                        size,
                        measure,
                        value,
                    } => {
                        let (lo, hi) = measure.plausible_cm();
                        let v = format!(
                            "{}{} {value}cm ({lo}~{hi}cm)",
                            size.as_deref().map(|s| format!("{s} ")).unwrap_or_default(),
                            measure.label_ko()
                        );
                        self.problem_value(row, Field::Measurements, &v, P::MeasurementImplausible)
                    }
                    MeasureIssue::Unreadable(t) => {
                        self.problem_value(row, Field::Measurements, t, P::MeasurementUnreadable)
                    }
                });
            }
            *fit_note = cell.fit_note;
            for r in cell.sizes {
                let mut m = r.measures;
                m.size = r.size.unwrap_or_else(|| default_size.clone());
                merge_measurements(&mut out, vec![m]);
            }
        }
        let note = clean(self.cell(row, Field::FitNote));
        if !note.is_empty() {
            *fit_note = Some(note.chars().take(200).collect());
        }
        for &i in &self.measure_cols {
            let header = self.sheet.headers[i].as_str();
            let Some(word) = crate::measure::measure_word(header) else {
                continue;
            };
            let values = match parse_measure_values(row.get(i)) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(t) => {
                    problems.push(Problem::new(row.row, header, &t, P::MeasurementUnreadable));
                    continue;
                }
            };
            // One value for the row's size, or one per size in the sizes cell's order.
            let targets: Vec<String> = if values.len() == 1 {
                vec![default_size.clone()]
            } else if values.len() == sizes.len() {
                sizes.to_vec()
            } else {
                problems.push(Problem::new(
                    row.row,
                    header,
                    row.get(i).trim(),
                    P::MeasurementUnreadable,
                ));
                continue;
            };
            for (size, cm) in targets.into_iter().zip(values) {
                let Some(mm) = cm_to_mm(cm) else { continue };
                let (measure, mm) = word.resolve(mm);
                if !measure.is_plausible(mm) {
                    let (lo, hi) = measure.plausible_cm();
                    let v = format!("{size} {} {cm}cm ({lo}~{hi}cm)", measure.label_ko());
                    problems.push(Problem::new(row.row, header, &v, P::MeasurementImplausible));
                    continue;
                }
                let mut m = SizeMeasurements::new(size);
                m.set_mm(measure, Some(mm));
                merge_measurements(&mut out, vec![m]);
            }
        }
        out
    }
}
