//! The demo's sample catalogs: what two Dongdaemun shops' sheets really look like, including the
//! mistakes real sheets have, so the row report has something to say. Written out as a CP949
//! CSV (Korean Excel's "CSV (쉼표로 분리)") and as an XLSX, and ingested through the upload path.

/// Header row as a Korean shop writes it.
pub const HEADERS: [&str; 13] = [
    "상품코드",
    "상품명",
    "카테고리",
    "도매가",
    "색상",
    "사이즈",
    "소재",
    "제조국",
    "시즌",
    "최소주문수량",
    "당일출고",
    "사진",
    "상세설명",
];

/// 미소니트 (청평화): knits, as a CP949 CSV. Row KN-2049 has no price and KN-2050 a colour no
/// shop uses; both are reported and skipped.
pub const KNIT_SHOP: &[[&str; 13]] = &[
    [
        "KN-2041",
        "[당일출고] 루즈핏 꽈배기 니트 가디건 5color",
        "니트/가디건",
        "18,000원",
        "블랙,아이보리,소라,베이지,멜란지그레이",
        "FREE",
        "아크릴70 울30",
        "한국",
        "FW",
        "2",
        "Y",
        "kn2041_1.jpg;kn2041_2.jpg",
        "부드러운 꽈배기 짜임의 루즈핏 가디건입니다.",
    ],
    [
        "KN-2042",
        "반폴라 골지 니트",
        "상의 > 니트",
        "14500",
        "블랙/크림/네이비",
        "FREE",
        "면 60% 폴리 40%",
        "국내",
        "FW",
        "3",
        "O",
        "kn2042.jpg",
        "목을 감싸는 반폴라 골지 니트.",
    ],
    [
        "KN-2043",
        "기모 맨투맨 오버핏 3colors",
        "맨투맨",
        "₩16,000",
        "멜란지,블랙,카키",
        "FREE",
        "면80 폴리20",
        "한국",
        "겨울",
        "2",
        "",
        "kn2043.jpg",
        "안쪽 기모로 따뜻한 오버핏 맨투맨.",
    ],
    [
        "KN-2044",
        "무지 나시 골지 탑",
        "나시",
        "6,500",
        "화이트,블랙,핑크",
        "FREE",
        "면 95% 스판 5%",
        "한국",
        "여름",
        "5",
        "가능",
        "",
        "",
    ],
    [
        "KN-2045",
        "7부 소매 브이넥 니트",
        "니트",
        "1.2만",
        "아이보리,카멜",
        "55~77",
        "아크릴 100%",
        "중국",
        "간절기",
        "2",
        "",
        "kn2045.jpg",
        "",
    ],
    [
        "KN-2046",
        "캐시미어 블렌드 롱 가디건",
        "가디건",
        "32000",
        "오트밀,차콜",
        "F",
        "울70 캐시미어10 나일론20",
        "한국",
        "FW",
        "1",
        "",
        "kn2046.jpg",
        "캐시미어가 섞인 롱 가디건.",
    ],
    [
        "KN-2047",
        "[빠른배송] 꽈배기 케이블 반집업 니트",
        "니트",
        "21,000원",
        "크림,소라",
        "FREE",
        "아크릴50 울30 나일론20",
        "한국",
        "FW",
        "2",
        "Y",
        "kn2047.jpg",
        "",
    ],
    [
        "KN-2048",
        "폴라 울 니트 원피스",
        "원피스",
        "27,000",
        "블랙,베이지",
        "55,66",
        "울 50% 아크릴 50%",
        "한국",
        "겨울",
        "1",
        "",
        "",
        "",
    ],
    [
        "KN-2049",
        "라운드 기본 니트",
        "니트",
        "",
        "블랙,화이트",
        "FREE",
        "아크릴 100%",
        "한국",
        "FW",
        "2",
        "",
        "",
        "가격을 깜빡한 행",
    ],
    [
        "KN-2050",
        "배색 니트 조끼",
        "니트",
        "13,000",
        "무지개빛",
        "FREE",
        "아크릴 100%",
        "한국",
        "간절기",
        "2",
        "",
        "",
        "색상 오타가 있는 행",
    ],
];

/// 데일리룩 (APM): denim and daily wear, as an XLSX with a title block above the header.
/// Row DL-507 has a price in words, and DL-508 repeats DL-501's code.
pub const DAILY_SHOP: &[[&str; 13]] = &[
    [
        "DL-501",
        "[빠른배송] 연청 와이드 데님 팬츠 9부",
        "팬츠",
        "21000",
        "연청,중청",
        "25~30",
        "면 98% 스판 2%",
        "한국",
        "사계절",
        "2",
        "Y",
        "dl501.jpg",
        "허리 밴딩의 연청 와이드 데님.",
    ],
    [
        "DL-502",
        "진청 일자 데님 팬츠",
        "바지",
        "22,000",
        "진청",
        "S,M,L",
        "면 100%",
        "한국",
        "사계절",
        "2",
        "",
        "dl502.jpg",
        "",
    ],
    [
        "DL-503",
        "멜란지 후드 집업",
        "아우터",
        "19,500원",
        "멜란지그레이,네이비",
        "FREE",
        "면 60% 폴리에스터 40%",
        "한국",
        "간절기",
        "2",
        "Y",
        "dl503.jpg",
        "데일리로 입기 좋은 후드 집업.",
    ],
    [
        "DL-504",
        "린넨 셔츠 원피스",
        "원피스",
        "27000",
        "베이지,화이트,소라",
        "55,66",
        "린넨55 면45",
        "한국",
        "여름",
        "1",
        "",
        "dl504.jpg",
        "",
    ],
    [
        "DL-505",
        "[주문폭주] 핀턱 슬랙스",
        "슬랙스",
        "17,000",
        "블랙,베이지,차콜",
        "S~XL",
        "폴리 95% 스판 5%",
        "중국",
        "사계절",
        "3",
        "Y",
        "dl505.jpg",
        "핀턱 디테일의 기본 슬랙스.",
    ],
    [
        "DL-506",
        "플리츠 롱 스커트",
        "스커트",
        "15000",
        "블랙,민트",
        "FREE",
        "폴리에스터 100%",
        "한국",
        "SS",
        "2",
        "",
        "",
        "",
    ],
    [
        "DL-507",
        "데님 셔츠 자켓",
        "자켓",
        "이만오천원",
        "중청",
        "FREE",
        "면 100%",
        "한국",
        "간절기",
        "1",
        "",
        "",
        "가격을 글자로 쓴 행",
    ],
    [
        "DL-501",
        "연청 와이드 데님 팬츠 (중복)",
        "팬츠",
        "21000",
        "연청",
        "25~30",
        "면 100%",
        "한국",
        "사계절",
        "2",
        "",
        "",
        "같은 상품코드가 두 번 나온 행",
    ],
];

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The knit shop's sheet as Korean Excel saves a CSV: CP949, CRLF. `₩` has no CP949 code, so
/// Excel writes the full-width `￦`, as here.
pub fn knit_csv_cp949() -> Vec<u8> {
    let mut text = HEADERS.join(",");
    text.push_str("\r\n");
    for row in KNIT_SHOP {
        let cells: Vec<String> = row
            .iter()
            .map(|c| csv_quote(&c.replace('₩', "￦")))
            .collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&text);
    bytes.into_owned()
}

/// The denim shop's sheet as an XLSX, with a title block above the header, as many shops have.
pub fn daily_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("상품목록")?;
    ws.write_string(0, 0, "데일리룩 APM 3층 A-07 — 2026 FW 신상 리스트")?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, u16::try_from(c).unwrap_or(0), *h)?;
    }
    for (r, row) in DAILY_SHOP.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (
                u32::try_from(r + 3).unwrap_or(0),
                u16::try_from(c).unwrap_or(0),
            );
            // Prices and MOQ typed as numbers, as Excel users do.
            match v.parse::<f64>() {
                Ok(n) if c == 3 || c == 9 => ws.write_number(r, c, n)?,
                _ => ws.write_string(r, c, *v)?,
            };
        }
    }
    wb.save_to_buffer()
}

/// A product photo made by the project for the demo (no third-party images): a garment
/// silhouette in the style's main colour on a studio-grey backdrop, with a soft shadow, at phone
/// resolution so the imaging pipeline has real work.
pub fn demo_photo(seed: usize, rgb: [u8; 3]) -> Vec<u8> {
    let (w, h) = (1500u32, 2000u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let backdrop = (236.0 - 20.0 * fy) as u8;
        // Body, sleeves and neckline of a top; a little variation per photo.
        let shift = (seed % 5) as f32 * 0.01;
        let body = (0.30 + shift..0.70 - shift).contains(&fx) && (0.22..0.85).contains(&fy);
        let sleeves = (0.16..0.84).contains(&fx) && (0.22..0.40 + shift).contains(&fy);
        let neck = ((fx - 0.5).powi(2) + (fy - 0.22).powi(2)).sqrt() < 0.06;
        let shadow = body && fx > 0.66 - shift;
        if (body || sleeves) && !neck {
            let shade = if shadow { 0.8 } else { 1.0 - 0.1 * fy };
            let knit = if (x / 6 + y / 6) % 2 == 0 { 1.0 } else { 0.93 };
            image::Rgb(rgb.map(|c| (f32::from(c) * shade * knit).min(255.0) as u8))
        } else {
            image::Rgb([backdrop, backdrop, backdrop.saturating_sub(4)])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB image cannot fail short of running out of memory.
    let _ = img.write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

/// The colour to draw a style in: its first listed colour's swatch.
fn swatch(colours: &str) -> [u8; 3] {
    let first = colours.split([',', '/']).next().unwrap_or("").trim();
    let hex = ddhub_domain::catalog::colours()
        .find(first)
        .map(|c| c.hex.trim_start_matches('#').to_string())
        .unwrap_or_else(|| "777777".into());
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("77"), 16).unwrap_or(0x77);
    [byte(0), byte(2), byte(4)]
}

/// A ZIP of the photos a shop's rows name, as a wholesaler would bundle them.
pub fn photo_zip(rows: &[[&str; 13]]) -> Result<Vec<u8>, zip::result::ZipError> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut n = 0;
        for row in rows {
            for name in row[11].split(';').map(str::trim).filter(|s| !s.is_empty()) {
                z.start_file(format!("사진/{name}"), opts)?;
                z.write_all(&demo_photo(n, swatch(row[4])))?;
                n += 1;
            }
        }
        z.finish()?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample files shipped in `demo/` are exactly what this module writes (regenerate with
    /// `DDHUB_WRITE_DEMO=1 cargo test -p ddhub demo_files`).
    #[test]
    fn demo_files_match_the_generator() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
        let csv = knit_csv_cp949();
        if std::env::var_os("DDHUB_WRITE_DEMO").is_some() {
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join("misonit-catalog-cp949.csv"), &csv);
        }
        let shipped = std::fs::read(dir.join("misonit-catalog-cp949.csv")).unwrap_or_default();
        assert!(
            shipped == csv,
            "demo/misonit-catalog-cp949.csv is stale: regenerate it"
        );
        // The CSV really is CP949, not UTF-8.
        assert!(std::str::from_utf8(&csv).is_err());
    }
}
