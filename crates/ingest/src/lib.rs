#![doc = include_str!("../README.md")]

mod error;
mod headers;
mod limits;
mod sheet;
pub mod text;

pub use error::{FileFailure, SheetError, ZipError};
pub use headers::{ColumnMapping, ColumnRole, Field, resolve_header, resolve_headers};
pub use limits::{SheetLimits, ZipLimits};
pub use sheet::{
    Format, HEADER_SEARCH_ROWS, RawRow, ReadOptions, Sheet, column_letter, encoding_for_label,
    read_sheet, sniff_delimiter,
};
