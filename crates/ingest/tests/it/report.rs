//! Row report content for each kind of problem, and the XLSX copy with its Korean error column.

use ddhub_ingest::{ProblemCode, ReadOptions, RowReport, Severity, error_report_xlsx, ingest};

const SHEET: &str = "\
상품코드,상품명,카테고리,도매가,색상,사이즈,혼용률,제조국,시즌,최소주문수량,당일출고,재고,두께감
A-1,정상 니트,니트,18000,블랙,FREE,면 100%,한국,FW,1,Y,,보통
A-2,,니트,18000,블랙,FREE,,,,,,,
,코드없는 니트,니트,18000,블랙,FREE,,,,,,,
A-4,가격오류 니트,니트,공짜,블랙,FREE,,,,,,,
A-5,색상오류 니트,니트,18000,무지개,FREE,,,,,,,
A-6,사이즈오류 니트,니트,18000,블랙,S~66,,,,,,,
A-1,중복 니트,니트,18000,블랙,FREE,,,,,,,
A-8,경고 니트,우주복,18000,블랙,,면 60% 울 30%,화성,우기,2장,글쎄,뭐지,
A-9,수량오류 니트,니트,18000,블랙,FREE,,,,0,,,
A-10,색상누락 니트,니트,18000,,FREE,,,,,,,
";

fn find(r: &RowReport, row: u32, code: ProblemCode) -> &ddhub_ingest::Problem {
    r.problems
        .iter()
        .find(|p| p.row == row && p.code == code)
        .unwrap_or_else(|| panic!("no {code} on row {row}: {:#?}", r.problems))
}

#[test]
fn every_kind_of_problem_is_reported_where_the_owner_sees_it() {
    let (_, v) = ingest(SHEET.as_bytes(), &ReadOptions::default()).unwrap();
    let r = RowReport::new(&v);
    assert_eq!(r.rows, 10);
    // survive (A-8 only has warnings); everything else has an error.
    assert_eq!(
        v.styles
            .iter()
            .map(|s| s.style_code.as_str())
            .collect::<Vec<_>>(),
        ["A-1", "A-8"]
    );
    assert_eq!(v.rejected_rows, [3, 4, 5, 6, 7, 8, 10, 11]);

    let p = find(&r, 1, ProblemCode::UnknownColumn);
    assert_eq!(
        (p.column.as_str(), p.severity),
        ("두께감", Severity::Warning)
    );
    assert_eq!(find(&r, 3, ProblemCode::MissingTitle).column, "상품명");
    assert_eq!(
        find(&r, 4, ProblemCode::MissingStyleCode).column,
        "상품코드"
    );
    let p = find(&r, 5, ProblemCode::InvalidPrice);
    assert_eq!(
        (p.column.as_str(), p.value.as_str(), p.severity),
        ("도매가", "공짜", Severity::Error)
    );
    assert!(p.message_ko.contains("공짜") && p.message_en.contains("공짜"));
    assert_eq!(find(&r, 6, ProblemCode::UnknownColour).value, "무지개");
    assert_eq!(find(&r, 7, ProblemCode::InvalidSizeRange).value, "S~66");
    let p = find(&r, 8, ProblemCode::DuplicateStyleCode);
    assert_eq!((p.value.as_str(), p.severity), ("A-1", Severity::Error));
    for code in [
        ProblemCode::UnknownCategory,
        ProblemCode::MissingSizes,
        ProblemCode::CompositionTotal,
        ProblemCode::UnknownOrigin,
        ProblemCode::UnknownSeason,
        ProblemCode::InvalidFlag,
        ProblemCode::InvalidStock,
    ] {
        assert_eq!(find(&r, 9, code).severity, Severity::Warning, "{code}");
    }
    assert_eq!(find(&r, 9, ProblemCode::CompositionTotal).value, "90%");
    assert_eq!(find(&r, 10, ProblemCode::InvalidMoq).value, "0");
    assert_eq!(
        find(&r, 11, ProblemCode::MissingColours).severity,
        Severity::Error
    );
    let a8 = &v.styles[1];
    assert_eq!(
        (a8.sizes.as_slice(), a8.moq.0, a8.category.as_deref()),
        (&["free".to_string()][..], 2, None)
    );

    let json = serde_json::to_value(&r).unwrap();
    let first = &json["problems"][0];
    for k in [
        "row",
        "column",
        "value",
        "severity",
        "code",
        "message_ko",
        "message_en",
    ] {
        assert!(first.get(k).is_some(), "{k}");
    }
    assert_eq!(
        json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["code"] == "invalid_price")
            .count(),
        1
    );
}

#[test]
fn missing_required_columns_reject_every_row() {
    let (_, v) = ingest(
        "상품코드,상품명\nA-1,니트\n".as_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert!(v.styles.is_empty());
    let missing: Vec<&str> = v
        .problems
        .iter()
        .filter(|p| p.code == ProblemCode::MissingColumn)
        .map(|p| p.value.as_str())
        .collect();
    assert_eq!(missing, ["도매가", "색상"]);
}

#[test]
fn xlsx_report_copies_rows_and_adds_a_korean_error_column() {
    use calamine::{Data, Reader};
    let (sheet, v) = ingest(SHEET.as_bytes(), &ReadOptions::default()).unwrap();
    let bytes = error_report_xlsx(&sheet, &v.problems, false).unwrap();
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(Data::to_string).collect())
        .collect();
    let header = &rows[0];
    assert_eq!(header[0], "원본 행");
    assert_eq!(&header[1..=sheet.headers.len()], sheet.headers.as_slice());
    assert_eq!(header.last().unwrap(), "오류 내용");
    // Row 1 of the sheet (the header) has the unknown-column note; then one line per data row.
    let price_row = rows.iter().find(|r| r[0] == "5").unwrap();
    assert_eq!(price_row[4], "공짜");
    let msg = price_row.last().unwrap();
    assert!(msg.starts_with("[오류] 도매가:"), "{msg}");
    assert!(msg.contains("공짜"));
    let ok_row = rows.iter().find(|r| r[0] == "2").unwrap();
    assert_eq!(ok_row.last().unwrap(), "");
    assert_eq!(
        rows.iter().filter(|r| r[0].parse::<u32>().is_ok()).count(),
        10
    );

    // Only problem rows: the fixed file uploads again with the report columns ignored.
    let bytes = error_report_xlsx(&sheet, &v.problems, true).unwrap();
    let (again, v2) = ingest(&bytes, &ReadOptions::default()).unwrap();
    // Rows 3-11 have problems (8 rejected, 1 with warnings only), plus the header-note row.
    assert_eq!(again.rows.len(), 9 + 1);
    assert_eq!(v2.rows, 9);
    assert!(
        v2.problems
            .iter()
            .all(|p| p.column != "오류 내용" && p.column != "원본 행")
    );
}
