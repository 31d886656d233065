//! Old Excel 97-2003 files (`.xls`), as POS and ERP systems export them. The fixtures are
//! written by xlwt, an independent BIFF8 writer (`tests/fixtures/xls/make.py`).

use ddhub_ingest::{Format, ReadOptions, ingest, read_sheet};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xls")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn an_xls_export_reads_with_rows_numbered_as_excel_shows_them() {
    let bytes = fixture("pos-export.xls");
    let opts = ReadOptions {
        file_name: Some("pos-export.xls".into()),
        ..Default::default()
    };
    let (sheet, validated) = ingest(&bytes, &opts).unwrap();
    assert_eq!(sheet.format, Format::Xls);
    assert_eq!(sheet.sheet_name.as_deref(), Some("상품목록"));
    // The title row above the header is skipped; the header is Excel's row 2.
    assert_eq!(sheet.header_row, 2);
    assert_eq!(sheet.headers[..3], ["상품코드", "상품명", "도매가"]);
    let errors: Vec<_> = validated.errors().collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let styles = &validated.styles;
    assert_eq!(styles.len(), 2, "{styles:#?}");
    // The merged style code covers both colour rows: one style, two colours.
    let kn = &styles[0];
    assert_eq!(kn.style_code, "KN-2041");
    assert_eq!(kn.price.0, 18_000);
    assert_eq!(kn.colours, ["black", "ivory"]);
    assert_eq!(kn.moq.0, 2);
    assert_eq!(kn.rows, [3, 4]);
    let bl = &styles[1];
    assert_eq!(bl.style_code, "BL-1107");
    // A float cell (12500.0) reads as the number the sheet shows.
    assert_eq!(bl.price.0, 12_500);
    assert_eq!(bl.colours, ["sky_blue", "white"]);
    assert_eq!(bl.sizes, ["55", "66"]);
    assert_eq!(bl.rows, [5]);
}

#[test]
fn another_sheet_of_an_xls_is_read_by_name() {
    let bytes = fixture("pos-export.xls");
    let opts = ReadOptions {
        sheet_name: Some("메모".into()),
        ..Default::default()
    };
    let memo = read_sheet(&bytes, &opts).unwrap();
    assert_eq!(memo.sheet_name.as_deref(), Some("메모"));
    assert_eq!(memo.headers, ["두 번째 시트"]);
    assert!(memo.rows.is_empty());
    let opts = ReadOptions {
        sheet_name: Some("없는시트".into()),
        ..Default::default()
    };
    assert_eq!(
        read_sheet(&bytes, &opts).unwrap_err().code(),
        "sheet_not_found"
    );
}

#[test]
fn an_xls_whose_cells_span_the_whole_grid_is_refused_before_calamine_allocates() {
    // Two cells, A1 and IV65536: calamine would build a 16.7-million-cell grid (half a GB).
    let bytes = fixture("far-corner.xls");
    let err = read_sheet(&bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.code(), "sheet_too_many_cells", "{err}");
    assert!(
        err.message_ko().contains("범위가 너무 넓습니다"),
        "{}",
        err.message_ko()
    );
}

#[test]
fn broken_ole_bytes_are_an_unreadable_workbook_not_a_panic() {
    let bytes = fixture("pos-export.xls");
    for cut in [8, 512, 1024, bytes.len() / 2, bytes.len() - 1] {
        let err = read_sheet(&bytes[..cut], &ReadOptions::default()).unwrap_err();
        assert_eq!(err.code(), "xlsx_unreadable", "cut at {cut}: {err}");
    }
    // Every single-byte flip of the workbook stream is answered, never a panic.
    for at in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[at] ^= 0xA5;
        let _ = read_sheet(&b, &ReadOptions::default());
    }
}

#[test]
fn an_xls_named_xlsx_is_named_for_what_it_is() {
    let bytes = fixture("pos-export.xls");
    let opts = ReadOptions {
        file_name: Some("상품.xlsx".into()),
        ..Default::default()
    };
    let err = read_sheet(&bytes, &opts).unwrap_err();
    assert_eq!(err.code(), "not_a_spreadsheet");
    assert!(err.to_string().contains(".xls"), "{err}");
}
