//! Files that are not sheets, names that disagree with the content, and encodings decided for
//! the whole file (issue 16, item 4).

use ddhub_ingest::{ProblemCode, ReadOptions, ingest, read_sheet};

fn named(name: &str) -> ReadOptions {
    ReadOptions {
        file_name: Some(name.to_string()),
        ..Default::default()
    }
}

/// A real PNG's first bytes (signature and IHDR).
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02\x00\x00\x00";

#[test]
fn files_that_are_not_sheets_are_refused_as_such() {
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (name, bytes) in [
        ("photo.xlsx", PNG),
        ("photo.csv", PNG),
        ("photo", PNG),
        (
            "catalog.xlsx",
            b"\xC1\xFA not a zip at all, just text".as_slice(),
        ),
        ("catalog.csv", random.as_slice()),
        ("catalog.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".as_slice()),
        ("catalog.csv", b"PK\x03\x04\x14\x00\x00\x00".as_slice()),
    ] {
        let err = read_sheet(bytes, &named(name)).unwrap_err();
        assert_eq!(err.code(), "not_a_spreadsheet", "{name}: {err}");
        assert!(
            err.message_ko().contains("스프레드시트 파일이 아닙니다"),
            "{name}"
        );
        assert!(err.message_ko().contains(name), "{name}: the name is said");
    }
    // A sheet whose name agrees with it is read as before, NUL byte included.
    let csv = "상품코드,상품명,도매가,색상,사이즈\nKN-1,니트\u{0},18000,블랙,FREE\n";
    assert!(read_sheet(csv.as_bytes(), &named("catalog.csv")).is_ok());
    assert!(read_sheet(csv.as_bytes(), &named("catalog.txt")).is_ok());
}

fn cp949(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The rows reported as not decodable.
fn undecoded(v: &ddhub_ingest::Validated) -> Vec<u32> {
    v.problems
        .iter()
        .filter(|p| p.code == ProblemCode::UndecodableText)
        .map(|p| p.row)
        .collect()
}

const HEADER: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈\n";

#[test]
fn one_bad_byte_does_not_change_the_encoding_of_the_whole_file() {
    // CP949 with one byte that is invalid in it (chardetng took such a file for GBK).
    let mut bytes = cp949(&format!(
        "{HEADER}KN-1,꽈배기 니트 가디건,니트,18000,블랙,FREE\nKN-2,반폴라 골지 니트,니트,15000,아이보리,FREE\n"
    ));
    let at = bytes.len() - 3;
    bytes.insert(at, 0xFF);
    let (sheet, v) = ingest(&bytes, &named("a.csv")).unwrap();
    assert_eq!(sheet.encoding, Some("EUC-KR"), "{sheet:?}");
    assert_eq!(sheet.headers[0], "상품코드");
    assert_eq!(v.styles.len(), 2, "{:?}", v.problems);
    assert!(v.styles.iter().any(|s| s.title_ko == "꽈배기 니트 가디건"));
    assert_eq!(undecoded(&v), vec![3], "the row with the bad byte is named");

    // UTF-8 with one row typed in CP949: read as UTF-8, that row reported.
    let mut mixed = format!("{HEADER}KN-1,꽈배기 니트 가디건,니트,18000,블랙,FREE\n").into_bytes();
    mixed.extend(cp949("KN-2,반폴라 골지 니트,니트,15000,아이보리,FREE\n"));
    mixed.extend("KN-3,와이드 데님 팬츠,팬츠,21000,연청,FREE\n".as_bytes());
    let (sheet, v) = ingest(&mixed, &named("b.csv")).unwrap();
    assert_eq!(sheet.encoding, Some("UTF-8"), "{sheet:?}");
    assert_eq!(sheet.headers[0], "상품코드");
    assert!(v.styles.iter().any(|s| s.title_ko == "와이드 데님 팬츠"));
    assert_eq!(undecoded(&v), vec![3], "{:?}", v.problems);
}
