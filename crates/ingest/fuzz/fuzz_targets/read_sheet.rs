//! Any bytes, as any format, must read to a sheet or a SheetError: never a panic, never an
//! allocation past the limits. Run: `cargo +nightly fuzz run read_sheet` in crates/ingest.
#![no_main]

use ddhub_ingest::{Format, ReadOptions, SheetLimits, ZipLimits, read_sheet, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = SheetLimits {
        max_bytes: 1 << 20,
        max_rows: 2_000,
        max_columns: 64,
        zip: ZipLimits { max_entries: 64, max_entry_bytes: 8 << 20, max_total_bytes: 16 << 20 },
        max_shared_strings_bytes: 4 << 20,
    };
    for format in [Format::Auto, Format::Csv, Format::Xlsx, Format::Xls, Format::Json] {
        let opts = ReadOptions { format, limits: limits.clone(), ..Default::default() };
        if let Ok(sheet) = read_sheet(data, &opts) {
            let _ = validate(&sheet, &opts.mapping);
        }
    }
});
