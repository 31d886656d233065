//! One test binary for ddhub-ingest (see STYLE.md): modules by topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cells;
mod csv_spectrum;
mod formats;
mod hostile;
mod measure;
mod not_a_sheet;
mod report;
mod support;
mod xls;
