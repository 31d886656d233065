//! The same catalog in every format and encoding reads to the same styles.

use crate::support::*;
use ddhub_ingest::{
    ColumnMapping, Field, Format, ParsedStyle, ReadOptions, ingest, read_sheet, validate,
};

fn styles_of(bytes: &[u8], opts: &ReadOptions) -> Vec<ParsedStyle> {
    let (_, v) = ingest(bytes, opts).unwrap();
    let errors: Vec<_> = v.errors().collect();
    assert!(errors.is_empty(), "{errors:#?}");
    v.styles
}

fn check_expected(styles: &[ParsedStyle]) {
    assert_eq!(styles.len(), 3);
    let kn = &styles[0];
    assert_eq!(kn.style_code, "KN-2041");
    assert_eq!(kn.price.0, 18_000);
    assert_eq!(kn.colours, ["black", "ivory", "sky_blue"]);
    assert_eq!(kn.sizes, ["free"]);
    assert_eq!(kn.category.as_deref(), Some("tops/knit"));
    assert_eq!(
        kn.composition
            .iter()
            .map(|p| (p.material.as_str(), p.percent))
            .collect::<Vec<_>>(),
        [("acrylic", 70), ("wool", 30)]
    );
    assert!(kn.same_day);
    let op = &styles[1];
    assert_eq!(op.price.0, 32_000);
    assert_eq!(op.colours, ["beige", "navy"]);
    assert_eq!(op.sizes, ["55", "66", "77"]);
    assert_eq!(op.category.as_deref(), Some("dresses"));
    assert!(!op.same_day);
    let pt = &styles[2];
    assert_eq!(pt.price.0, 18_000);
    assert_eq!(pt.colours, ["light_wash", "dark_wash"]);
    assert_eq!(pt.sizes, ["25", "26", "27", "28", "29", "30"]);
    assert_eq!(
        styles.iter().map(|s| s.rows[0]).collect::<Vec<_>>(),
        [2, 3, 4]
    );
}

#[test]
fn utf8_bom_cp949_and_xlsx_give_identical_styles() {
    let text = csv_text(&HEADERS, &catalog_rows());
    let opts = ReadOptions::default();
    let utf8 = styles_of(text.as_bytes(), &opts);
    check_expected(&utf8);

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(styles_of(&bom, &opts), utf8);

    let (cp949, _, unmappable) = encoding_rs::EUC_KR.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&cp949).is_err(),
        "fixture must really be CP949"
    );
    let sheet = read_sheet(&cp949, &opts).unwrap();
    assert_eq!(sheet.encoding, Some("EUC-KR"));
    assert_eq!(styles_of(&cp949, &opts), utf8);

    let mut lines = vec![HEADERS.to_vec()];
    lines.extend(catalog_rows());
    let xlsx = xlsx_bytes(&lines);
    assert_eq!(styles_of(&xlsx, &opts), utf8);

    let tsv = text.replace(',', "\t");
    // Quoted cells contain commas in this fixture: rebuild properly instead.
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    w.write_record(HEADERS).unwrap();
    for r in catalog_rows() {
        w.write_record(r).unwrap();
    }
    let tsv_bytes = w.into_inner().unwrap();
    let _ = tsv;
    assert_eq!(read_sheet(&tsv_bytes, &opts).unwrap().format, Format::Tsv);
    assert_eq!(styles_of(&tsv_bytes, &opts), utf8);
}

#[test]
fn explicit_encoding_override_wins() {
    let text = csv_text(&HEADERS, &catalog_rows());
    let (cp949, _, _) = encoding_rs::EUC_KR.encode(&text);
    let opts = ReadOptions {
        encoding: Some("cp949".into()),
        ..Default::default()
    };
    check_expected(&styles_of(&cp949, &opts));
    let wrong = ReadOptions {
        encoding: Some("klingon".into()),
        ..Default::default()
    };
    assert_eq!(
        read_sheet(&cp949, &wrong).unwrap_err().code(),
        "unknown_encoding"
    );
}

#[test]
fn json_with_english_keys_reads_like_a_sheet() {
    let json = r#"[
      {"style_code": "KN-2041", "title": "[당일출고] 루즈핏 꽈배기 니트 가디건 5color", "category": "니트/가디건",
       "price": 18000, "colours": ["black", "ivory", "소라"], "sizes": "FREE", "composition": "아크릴70 울30", "same_day": true},
      {"style_code": "OP-1001", "title": "플라워 롱 원피스", "category": "dresses", "price": "32,000",
       "colours": "Beige, Navy", "sizes": ["55", "66", "77"], "same_day": false}
    ]"#;
    let (sheet, v) = ingest(json.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(sheet.format, Format::Json);
    assert!(v.errors().next().is_none(), "{:#?}", v.problems);
    assert_eq!(v.styles[0].colours, ["black", "ivory", "sky_blue"]);
    assert_eq!(v.styles[1].colours, ["beige", "navy"]);
    assert_eq!(v.styles[1].sizes, ["55", "66", "77"]);
    assert!(v.styles[0].same_day && !v.styles[1].same_day);
}

#[test]
fn header_below_a_title_block_and_english_full_width_headers() {
    let text = "2025 FW 신상 리스트,,,\n청평화 2층 B-12,,,\n\nＳＴＹＬＥ　ＣＯＤＥ,Product Name,Price (KRW),COLOR\nA-1,니트,\"１８，０００\",블랙\n";
    let (sheet, v) = ingest(text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(sheet.header_row, 4);
    assert_eq!(v.styles.len(), 1, "{:#?}", v.problems);
    assert_eq!(v.styles[0].rows, [5]);
    assert_eq!(v.styles[0].price.0, 18_000);
}

#[test]
fn semicolon_and_pipe_delimiters_are_sniffed() {
    for d in [";", "|"] {
        let text = format!("상품코드{d}상품명{d}도매가{d}색상\nA-1{d}니트{d}18000{d}블랙,화이트\n");
        let (_, v) = ingest(text.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(v.styles.len(), 1, "{d}");
        assert_eq!(v.styles[0].colours, ["black", "white"]);
    }
}

#[test]
fn saved_mapping_overrides_synonyms_and_unknown_columns_are_kept() {
    let text = "번호,이름,돈,색깔,두께감\nA-1,니트,18000,블랙,보통\n";
    let mapping = ColumnMapping::new()
        .with("번호", Some(Field::StyleCode))
        .with("돈", Some(Field::Price));
    let opts = ReadOptions {
        mapping: mapping.clone(),
        ..Default::default()
    };
    let sheet = read_sheet(text.as_bytes(), &opts).unwrap();
    let v = validate(&sheet, &mapping);
    assert_eq!(v.styles.len(), 1, "{:#?}", v.problems);
    assert_eq!(v.styles[0].style_code, "A-1");
    assert_eq!(
        v.styles[0].extra.get("두께감").map(String::as_str),
        Some("보통")
    );
    let unknown: Vec<_> = v
        .problems
        .iter()
        .filter(|p| p.code.as_str() == "unknown_column")
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].column, "두께감");
    assert_eq!(unknown[0].row, 1);
}

#[test]
fn xlsx_merged_style_cells_carry_down_to_colour_rows() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("상품목록").unwrap();
    let other = wb.add_worksheet();
    other.write_string(0, 0, "메모").unwrap();
    let ws = wb.worksheet_from_name("상품목록").unwrap();
    for (c, h) in ["상품코드", "상품명", "도매가", "색상", "사이즈"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let fmt = rust_xlsxwriter::Format::new();
    // One style over three colour rows: code, title and price merged vertically.
    ws.merge_range(1, 0, 3, 0, "KN-1", &fmt).unwrap();
    ws.merge_range(1, 1, 3, 1, "꽈배기 가디건", &fmt).unwrap();
    ws.merge_range(1, 2, 3, 2, "18000", &fmt).unwrap();
    for (r, colour) in [(1, "블랙"), (2, "아이보리"), (3, "소라")] {
        ws.write_string(r, 3, colour).unwrap();
        ws.write_string(r, 4, "FREE").unwrap();
    }
    // A second style with its shared cells simply left blank on the second colour row.
    ws.write_string(4, 0, "KN-2").unwrap();
    ws.write_string(4, 1, "골지 니트").unwrap();
    ws.write_number(4, 2, 12000.0).unwrap();
    ws.write_string(4, 3, "차콜").unwrap();
    ws.write_string(4, 4, "S,M").unwrap();
    ws.write_string(5, 3, "멜란지").unwrap();
    ws.write_string(5, 4, "L").unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let (sheet, v) = ingest(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(sheet.sheet_name.as_deref(), Some("상품목록"));
    assert!(v.errors().next().is_none(), "{:#?}", v.problems);
    assert_eq!(v.styles.len(), 2);
    assert_eq!(v.styles[0].colours, ["black", "ivory", "sky_blue"]);
    assert_eq!(v.styles[0].rows, [2, 3, 4]);
    assert_eq!(v.styles[1].colours, ["charcoal", "heather_grey"]);
    assert_eq!(v.styles[1].sizes, ["s", "m", "l"]);
    assert_eq!(v.sku_count(), 3 + 2 * 3);

    let named = ReadOptions {
        sheet_name: Some("없는시트".into()),
        ..Default::default()
    };
    assert_eq!(
        read_sheet(&bytes, &named).unwrap_err().code(),
        "sheet_not_found"
    );
}

#[test]
fn content_hash_ignores_row_position_and_tracks_changed_fields() {
    let text = csv_text(&HEADERS, &catalog_rows());
    let a = styles_of(text.as_bytes(), &ReadOptions::default());
    let mut rows = catalog_rows();
    rows.reverse();
    let b = styles_of(
        csv_text(&HEADERS, &rows).as_bytes(),
        &ReadOptions::default(),
    );
    assert_eq!(a[0].content_hash(), b[2].content_hash());
    assert_ne!(a[0].content_hash(), a[1].content_hash());

    let mut rows = catalog_rows();
    rows[0][1] = "루즈핏 꽈배기 가디건";
    rows[1][3] = "33,000";
    let c = styles_of(
        csv_text(&HEADERS, &rows).as_bytes(),
        &ReadOptions::default(),
    );
    let ch0 = ddhub_ingest::FieldHashes::of(&c[0]).changes(&ddhub_ingest::FieldHashes::of(&a[0]));
    assert!(ch0.any && ch0.translation && ch0.index && !ch0.variants);
    let ch1 = ddhub_ingest::FieldHashes::of(&c[1]).changes(&ddhub_ingest::FieldHashes::of(&a[1]));
    assert!(ch1.any && !ch1.translation && ch1.index);
    let ch2 = ddhub_ingest::FieldHashes::of(&c[2]).changes(&ddhub_ingest::FieldHashes::of(&a[2]));
    assert!(!ch2.any);
}

#[test]
fn sample_catalog_is_deterministic_cp949_and_valid() {
    let a = ddhub_ingest::sample::sample_catalog_cp949(300, 7);
    assert_eq!(a, ddhub_ingest::sample::sample_catalog_cp949(300, 7));
    assert_ne!(a, ddhub_ingest::sample::sample_catalog_cp949(300, 8));
    assert!(std::str::from_utf8(&a).is_err());
    let (sheet, v) = ingest(&a, &ReadOptions::default()).unwrap();
    assert_eq!(sheet.encoding, Some("EUC-KR"));
    assert_eq!(v.rows, 300);
    assert!(
        v.errors().next().is_none(),
        "{:#?}",
        v.errors().take(5).collect::<Vec<_>>()
    );
    assert_eq!(v.styles.len(), 300);
    let per_style = v.sku_count() as f64 / 300.0;
    assert!((3.0..12.0).contains(&per_style), "{per_style}");
}
