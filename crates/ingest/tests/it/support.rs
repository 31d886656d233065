//! Fixture builders: a small catalog written as UTF-8, BOM, CP949 CSV and XLSX by the test.

use std::io::Write;

pub const HEADERS: [&str; 8] = [
    "상품코드",
    "상품명",
    "카테고리",
    "도매가",
    "색상",
    "사이즈",
    "혼용률",
    "당일출고",
];

pub fn catalog_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "KN-2041",
            "[당일출고] 루즈핏 꽈배기 니트 가디건 5color",
            "니트/가디건",
            "18,000원",
            "블랙,아이보리,소라",
            "FREE",
            "아크릴70 울30",
            "Y",
        ],
        vec![
            "OP-1001",
            "플라워 롱 원피스",
            "원피스",
            "￦32,000",
            "베이지/네이비",
            "55~77",
            "폴리에스터 95% 스판 5%",
            "N",
        ],
        vec![
            "PT-0007",
            "와이드 데님 팬츠",
            "상의 > 니트",
            "1.8만",
            "연청、진청",
            "25~30",
            "면 100%",
            "",
        ],
    ]
}

pub fn csv_text(headers: &[&str], rows: &[Vec<&str>]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(headers).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

pub fn xlsx_bytes(lines: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, line) in lines.iter().enumerate() {
        for (c, v) in line.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            // Numbers as numbers, like a real sheet.
            if let Ok(n) = v.parse::<f64>() {
                ws.write_number(r as u32, c as u16, n).unwrap();
            } else {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}
