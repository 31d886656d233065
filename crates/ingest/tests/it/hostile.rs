//! Hostile uploads: ZIP bombs, many entries, path tricks, an XLSX bomb, row and size limits.

use crate::support::*;
use ddhub_ingest::{
    PhotoBundle, ReadOptions, SheetLimits, ZipError, ZipLimits, match_photos, read_sheet,
};
use std::io::{Cursor, Write};

fn small_limits() -> ZipLimits {
    ZipLimits {
        max_entries: 10,
        max_entry_bytes: 1_000_000,
        max_total_bytes: 3_000_000,
    }
}

/// A ZIP whose only entry declares 10 bytes but inflates to 10 MB: the central directory and
/// local header are patched after writing, as a bomb builder would.
fn under_declared_bomb() -> Vec<u8> {
    let big = vec![0u8; 10_000_000];
    let mut bytes = zip_bytes(&[("bomb.jpg", &big)]);
    let patch = |bytes: &mut Vec<u8>, sig: &[u8], offset: usize| {
        let mut i = 0;
        while let Some(p) = bytes[i..].windows(4).position(|w| w == sig) {
            let at = i + p + offset;
            bytes[at..at + 4].copy_from_slice(&10u32.to_le_bytes());
            i = i + p + 4;
        }
    };
    patch(&mut bytes, b"PK\x03\x04", 22); // local header: uncompressed size
    patch(&mut bytes, b"PK\x01\x02", 24); // central directory: uncompressed size
    bytes
}

#[test]
fn under_declared_entry_is_stopped_while_inflating() {
    let bytes = under_declared_bomb();
    let mut bundle = PhotoBundle::open(Cursor::new(bytes), &small_limits()).unwrap();
    assert_eq!(bundle.entries()[0].declared_size, 10);
    let idx = bundle.entries()[0].index;
    let mut sink = Vec::new();
    let err = bundle.copy_to(idx, &mut sink).unwrap_err();
    // The zip crate may notice the lie itself (CRC/size) or our counter stops it first; either
    // way no more than the limit was written out.
    assert!(
        matches!(err, ZipError::EntryTooLarge { .. } | ZipError::Corrupt(_)),
        "{err:?}"
    );
    assert!(sink.len() as u64 <= 1_000_000 + 64 * 1024);
}

#[test]
fn honest_but_huge_entries_hit_entry_and_total_limits() {
    let two_mb = vec![7u8; 2_000_000];
    let bytes = zip_bytes(&[("a.jpg", &two_mb)]);
    let mut bundle = PhotoBundle::open(Cursor::new(bytes), &small_limits()).unwrap();
    let err = bundle.read(bundle.entries()[0].index).unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large");
    assert!(err.message_ko().contains("a.jpg"));

    let one = vec![1u8; 900_000];
    let entries: Vec<(String, Vec<u8>)> =
        (0..5).map(|i| (format!("p{i}.jpg"), one.clone())).collect();
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let mut bundle = PhotoBundle::open(Cursor::new(zip_bytes(&refs)), &small_limits()).unwrap();
    let idx: Vec<usize> = bundle.entries().iter().map(|e| e.index).collect();
    let mut last = Ok(0);
    for i in idx {
        last = bundle.copy_to(i, &mut std::io::sink());
        if last.is_err() {
            break;
        }
    }
    assert_eq!(last.unwrap_err().code(), "zip_total_too_large");
}

#[test]
fn too_many_entries_is_refused_before_reading() {
    let entries: Vec<(String, Vec<u8>)> =
        (0..11).map(|i| (format!("{i}.jpg"), vec![1u8])).collect();
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let err = PhotoBundle::open(Cursor::new(zip_bytes(&refs)), &small_limits()).unwrap_err();
    assert_eq!(
        err,
        ZipError::TooManyEntries {
            count: 11,
            limit: 10
        }
    );
}

#[test]
fn traversal_and_absolute_names_are_reduced_to_file_names() {
    let bytes = zip_bytes(&[
        ("../../etc/passwd.jpg", b"x"),
        ("/abs/KN-1_1.JPG", b"y"),
        ("C:\\photos\\KN-1_2.jpeg", b"z"),
        ("__MACOSX/._KN-1_1.JPG", b"junk"),
        (".DS_Store", b"junk"),
        ("사진/", b""),
    ]);
    let mut bundle = PhotoBundle::open(Cursor::new(bytes), &ZipLimits::default()).unwrap();
    let names: Vec<&str> = bundle
        .entries()
        .iter()
        .map(|e| e.file_name.as_str())
        .collect();
    assert_eq!(names, ["passwd.jpg", "KN-1_1.JPG", "KN-1_2.jpeg"]);
    for n in &names {
        assert!(!n.contains(['/', '\\', ':']) && *n != "..");
    }
    let idx = bundle.entries()[1].index;
    assert_eq!(bundle.read(idx).unwrap(), b"y");
}

#[test]
fn photo_names_match_ignoring_case_folders_and_extension() {
    let bytes = zip_bytes(&[
        ("2025/KN-1_1.JPG", b"a"),
        ("kn-1_2.png", b"b"),
        ("extra.jpg", b"c"),
    ]);
    let bundle = PhotoBundle::open(Cursor::new(bytes), &ZipLimits::default()).unwrap();
    let text =
        "상품코드,상품명,도매가,색상,이미지\nKN-1,니트,18000,블랙,kn-1_1.jpg;KN-1_2;KN-1_3.jpg\n";
    let (_, v) = ddhub_ingest::ingest(text.as_bytes(), &ReadOptions::default()).unwrap();
    let m = match_photos(&v.styles, bundle.entries());
    assert_eq!(
        m.matched
            .iter()
            .map(|p| p.file_name.as_str())
            .collect::<Vec<_>>(),
        ["KN-1_1.JPG", "kn-1_2.png"]
    );
    assert_eq!(m.missing.len(), 1);
    assert_eq!(
        (m.missing[0].name.as_str(), m.missing[0].row),
        ("KN-1_3.jpg", 2)
    );
    assert_eq!(m.unmatched, ["extra.jpg"]);
}

#[test]
fn xlsx_bomb_is_refused_before_calamine_opens_it() {
    let mut lines = vec![HEADERS.to_vec()];
    lines.extend(catalog_rows());
    let xlsx = xlsx_bytes(&lines);
    // Add a 20 MB entry of zeros to a real workbook: tiny compressed, huge inflated.
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        w.raw_copy_file(archive.by_index_raw(i).unwrap()).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("xl/media/bomb.bin", opts).unwrap();
    w.write_all(&vec![0u8; 20_000_000]).unwrap();
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 200_000);
    let mut limits = SheetLimits::default();
    limits.zip.max_entry_bytes = 5_000_000;
    let err = read_sheet(
        &bomb,
        &ReadOptions {
            limits,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large");
    assert!(!err.message_ko().is_empty() && !err.message_en().is_empty());
}

#[test]
fn row_and_byte_limits_are_file_errors() {
    let mut text = String::from("상품코드,상품명,도매가,색상\n");
    for i in 0..30 {
        text.push_str(&format!("A-{i},니트,18000,블랙\n"));
    }
    let limits = SheetLimits {
        max_rows: 29,
        ..Default::default()
    };
    let err = read_sheet(
        text.as_bytes(),
        &ReadOptions {
            limits,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "sheet_too_many_rows");
    let limits = SheetLimits {
        max_rows: 30,
        ..Default::default()
    };
    assert!(
        read_sheet(
            text.as_bytes(),
            &ReadOptions {
                limits,
                ..Default::default()
            }
        )
        .is_ok()
    );

    let limits = SheetLimits {
        max_bytes: 10,
        ..Default::default()
    };
    let err = read_sheet(
        text.as_bytes(),
        &ReadOptions {
            limits,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "sheet_too_large");
    assert_eq!(
        read_sheet(b"", &ReadOptions::default()).unwrap_err().code(),
        "sheet_empty"
    );
    assert_eq!(
        read_sheet(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], &ReadOptions::default())
            .unwrap_err()
            .code(),
        "xlsx_unreadable"
    );
    assert_eq!(
        read_sheet(b"PK\x03\x04garbage", &ReadOptions::default())
            .unwrap_err()
            .code(),
        "zip_corrupt"
    );
}

/// An XLSX made by hand from its parts, so a part can hold what no writer would produce.
fn raw_xlsx(shared: &[&str], sheet_rows: &str) -> Vec<u8> {
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    let sst: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let shared_xml = format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst {ns}>{sst}</sst>"#);
    let sheet_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{sheet_rows}</sheetData></worksheet>"#
    );
    zip_bytes(&[
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        ("xl/sharedStrings.xml", shared_xml.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ])
}

const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>"#;

/// Memory within the limits (issue 16, item 6): one huge cell, a huge shared-string table, or a
/// huge CSV cell is refused while it is inflated or read, before a library holds it; the same
/// workbook with sane sizes reads.
#[test]
fn huge_cells_and_string_tables_are_refused_while_reading() {
    let headers = ["상품코드", "상품명", "도매가"];
    let cell = |text: &str| {
        format!(
            r#"{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>K-1</t></is></c><c r="B2" t="inlineStr"><is><t>{text}</t></is></c><c r="C2"><v>18000</v></c></row>"#
        )
    };
    let ok = raw_xlsx(&headers, &cell("꽈배기 니트"));
    let sheet = read_sheet(&ok, &ReadOptions::default()).unwrap();
    assert_eq!(sheet.rows[0].cells[1], "꽈배기 니트");

    let huge = raw_xlsx(&headers, &cell(&"B".repeat(300 * 1024)));
    let err = read_sheet(&huge, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.code(), "sheet_cell_too_long", "{err}");
    assert!(err.message_ko().contains("32,767자"));

    // A shared-string table past its bound (1 MB here; 96 MB by default).
    let filler = "A".repeat(64 * 1024);
    let mut many: Vec<&str> = headers.to_vec();
    many.extend(std::iter::repeat_n(filler.as_str(), 40));
    let table = raw_xlsx(&many, &cell("니트"));
    let small = ReadOptions {
        limits: SheetLimits {
            max_shared_strings_bytes: 1024 * 1024,
            ..Default::default()
        },
        ..Default::default()
    };
    let err = read_sheet(&table, &small).unwrap_err();
    assert_eq!(err.code(), "sheet_too_many_strings", "{err}");
    assert!(read_sheet(&table, &ReadOptions::default()).is_ok());

    // A CSV cell past the same bound.
    let csv = format!(
        "상품코드,상품명,도매가\nK-1,{},18000\n",
        "C".repeat(300 * 1024)
    );
    let err = read_sheet(csv.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(err.code(), "sheet_cell_too_long", "{err}");
}
