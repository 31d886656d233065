#![doc = include_str!("../README.md")]

pub mod cells;
mod error;
mod hash;
mod headers;
mod limits;
pub mod measure;
mod photos;
mod problem;
mod report;
pub mod sample;
mod sheet;
pub mod text;
mod validate;
mod xls;

pub use error::{FileFailure, SheetError, ZipError};
pub use hash::{Changes, FieldHashes};
pub use headers::{ColumnMapping, ColumnRole, Field, resolve_header, resolve_headers};
pub use limits::{SheetLimits, ZipLimits};
pub use photos::{
    BundleEntry, MatchedPhoto, MissingPhoto, PhotoBundle, PhotoMatches, match_photos,
};
pub use problem::{Josa, Problem, ProblemCode, Severity, particle};
pub use report::{ERROR_COLUMN_KO, ReportError, RowReport, error_report_xlsx};
pub use sheet::{
    Format, HEADER_SEARCH_ROWS, RawRow, ReadOptions, Sheet, column_letter, encoding_for_label,
    read_sheet, sniff_delimiter,
};
pub use validate::{
    HIGH_PRICE_WARNING, MAX_TITLE_CHARS, ParsedStyle, REQUIRED, Validated, validate,
};

/// Reads and validates in one call: what the store and the CLI do with an upload.
pub fn ingest(bytes: &[u8], opts: &ReadOptions) -> Result<(Sheet, Validated), SheetError> {
    let sheet = read_sheet(bytes, opts)?;
    let validated = validate(&sheet, &opts.mapping);
    Ok((sheet, validated))
}
