//! A realistic Korean wholesale catalog, generated deterministically from a seed: for the
//! benchmark, the demo and tests. Output is a CP949 CSV, as Korean Excel saves it.

/// SplitMix64: tiny, seedable, and the same on every platform; quality is ample for test data.
#[derive(Debug, Clone)]
pub struct SampleRng(u64);

impl SampleRng {
    pub fn new(seed: u64) -> Self {
        SampleRng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Kind {
    noun: &'static str,
    category: &'static str,
    sizes: &'static [&'static str],
    compositions: &'static [&'static str],
    price: (i64, i64),
}

const KINDS: &[Kind] = &[
    Kind {
        noun: "니트 가디건",
        category: "니트/가디건",
        sizes: &["FREE"],
        compositions: &["아크릴70 울30", "아크릴 100%", "울50% 나일론30% 아크릴20%"],
        price: (15_000, 32_000),
    },
    Kind {
        noun: "꽈배기 니트",
        category: "상의 > 니트",
        sizes: &["FREE", "S,M"],
        compositions: &["아크릴 60% 폴리 40%", "울30 아크릴70"],
        price: (14_000, 28_000),
    },
    Kind {
        noun: "맨투맨",
        category: "맨투맨",
        sizes: &["FREE", "M,L,XL"],
        compositions: &["면 100%", "면80 폴리20"],
        price: (9_000, 19_000),
    },
    Kind {
        noun: "후드티",
        category: "후드티",
        sizes: &["FREE", "M~XL"],
        compositions: &["면 100%", "면 70% 폴리에스터 30%"],
        price: (12_000, 24_000),
    },
    Kind {
        noun: "블라우스",
        category: "블라우스",
        sizes: &["FREE", "55,66"],
        compositions: &["폴리에스터 100%", "레이온 95% 스판 5%"],
        price: (11_000, 22_000),
    },
    Kind {
        noun: "셔츠",
        category: "셔츠",
        sizes: &["FREE", "S~L"],
        compositions: &["면 100%", "면 60% 린넨 40%"],
        price: (12_000, 25_000),
    },
    Kind {
        noun: "원피스",
        category: "원피스",
        sizes: &["FREE", "55~77"],
        compositions: &["폴리에스터 95% 스판 5%", "레이온 100%"],
        price: (16_000, 39_000),
    },
    Kind {
        noun: "와이드 슬랙스",
        category: "바지",
        sizes: &["S,M,L", "25~30"],
        compositions: &["폴리에스터 90% 레이온 10%", "폴리 95 스판 5"],
        price: (13_000, 26_000),
    },
    Kind {
        noun: "데님 팬츠",
        category: "청바지",
        sizes: &["25~30", "S,M,L"],
        compositions: &["면 98% 스판 2%", "면 100%"],
        price: (17_000, 33_000),
    },
    Kind {
        noun: "롱 스커트",
        category: "스커트",
        sizes: &["FREE", "S,M"],
        compositions: &["폴리에스터 100%"],
        price: (12_000, 24_000),
    },
    Kind {
        noun: "울 코트",
        category: "아우터 > 코트",
        sizes: &["FREE", "55,66,77"],
        compositions: &["울 50% 폴리 50%", "캐시미어10 울60 폴리30"],
        price: (45_000, 98_000),
    },
    Kind {
        noun: "숏패딩",
        category: "패딩",
        sizes: &["FREE", "M,L"],
        compositions: &["나일론 100%", "폴리에스터 100%"],
        price: (35_000, 69_000),
    },
    Kind {
        noun: "나시",
        category: "나시",
        sizes: &["FREE"],
        compositions: &["면 95% 스판 5%", "레이온 100%"],
        price: (5_000, 11_000),
    },
    Kind {
        noun: "트레이닝 세트",
        category: "세트",
        sizes: &["FREE", "M,L"],
        compositions: &["폴리 100%", "면 80% 폴리 20%"],
        price: (18_000, 36_000),
    },
    Kind {
        noun: "스니커즈",
        category: "신발",
        sizes: &["230~250", "225~245"],
        compositions: &["인조가죽 100%"],
        price: (19_000, 39_000),
    },
];

const TAGS: &[&str] = &[
    "[당일출고] ",
    "[빠른배송] ",
    "[주문폭주] ",
    "[신상] ",
    "",
    "",
    "",
    "",
];
const FITS: &[&str] = &[
    "루즈핏",
    "오버핏",
    "슬림핏",
    "크롭",
    "데일리",
    "베이직",
    "빈티지",
    "모던",
    "여리여리",
    "단가라",
    "골지",
    "기모",
];
const COLOURS: &[&str] = &[
    "블랙",
    "아이보리",
    "소라",
    "베이지",
    "차콜",
    "멜란지",
    "네이비",
    "카멜",
    "오트밀",
    "크림",
    "민트",
    "카키",
    "핑크",
    "브라운",
    "그레이",
    "연청",
    "중청",
    "진청",
    "화이트",
    "라벤더",
];
const ORIGINS: &[&str] = &["한국", "국내", "국산", "중국", "베트남"];
const SEASONS: &[&str] = &["SS", "FW", "봄", "여름", "가을", "겨울", "간절기", "사계절"];

/// The garment nouns and colour names the sample catalog is written with, so a benchmark can
/// write its queries for the catalog it loads.
pub fn sample_words() -> (Vec<&'static str>, Vec<&'static str>) {
    (KINDS.iter().map(|k| k.noun).collect(), COLOURS.to_vec())
}

/// The header row the sample uses: the Korean headers most shops write.
pub const SAMPLE_HEADERS: [&str; 14] = [
    "상품코드",
    "상품명",
    "카테고리",
    "도매가",
    "색상",
    "사이즈",
    "혼용률",
    "제조국",
    "시즌",
    "최소주문수량",
    "이미지",
    "상세설명",
    "당일출고",
    "재고",
];

/// `n` styles as rows of text under [`SAMPLE_HEADERS`]. Each style has 2-5 colours and its
/// kind's sizes, so about six SKUs on average.
pub fn sample_rows(n: usize, seed: u64) -> Vec<[String; 14]> {
    let mut rng = SampleRng::new(seed);
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let k = rng.pick(KINDS);
        let n_colours = 2 + rng.below(4);
        let mut colours: Vec<&str> = Vec::new();
        while colours.len() < n_colours {
            let c = *rng.pick(COLOURS);
            if !colours.contains(&c) {
                colours.push(c);
            }
        }
        let tag = *rng.pick(TAGS);
        let fit = *rng.pick(FITS);
        let title = format!("{tag}{fit} {} {}color", k.noun, colours.len());
        let step = 500;
        let span = ((k.price.1 - k.price.0) / step) as usize + 1;
        let price = k.price.0 + step * rng.below(span) as i64;
        let price_text = match rng.below(4) {
            0 => format!("{price}"),
            1 => format!("{},{:03}", price / 1000, price % 1000),
            2 => format!("{},{:03}원", price / 1000, price % 1000),
            _ => format!("￦{},{:03}", price / 1000, price % 1000),
        };
        let code = format!("DD-{:02}{:05}", (i / 100_000) % 100, i % 100_000);
        let photos = (1..=1 + rng.below(3))
            .map(|p| format!("{code}_{p}.jpg"))
            .collect::<Vec<_>>()
            .join(";");
        let same_day = if tag.contains("당일") {
            "Y"
        } else {
            *rng.pick(&["Y", "N", "", "O"])
        };
        let stock = if rng.below(20) == 0 { "품절" } else { "" };
        rows.push([
            code,
            title,
            k.category.to_string(),
            price_text,
            colours.join(","),
            rng.pick(k.sizes).to_string(),
            rng.pick(k.compositions).to_string(),
            rng.pick(ORIGINS).to_string(),
            rng.pick(SEASONS).to_string(),
            (1 + rng.below(3)).to_string(),
            photos,
            format!("{} 도매 전용 상품입니다. 두께감 보통, 비침 없음.", k.noun),
            same_day.to_string(),
            stock.to_string(),
        ]);
    }
    rows
}

/// `n` styles as UTF-8 CSV text (header line first), with quoting where cells need it.
pub fn sample_csv_text(n: usize, seed: u64) -> String {
    let mut out = String::with_capacity(n * 220);
    out.push_str(&SAMPLE_HEADERS.join(","));
    out.push_str("\r\n");
    for row in sample_rows(n, seed) {
        let cells: Vec<String> = row.iter().map(|c| csv_quote(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `n` styles as a CP949 CSV, the way Korean Excel saves "CSV (쉼표로 분리)".
pub fn sample_catalog_cp949(n: usize, seed: u64) -> Vec<u8> {
    let text = sample_csv_text(n, seed);
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&text);
    bytes.into_owned()
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
