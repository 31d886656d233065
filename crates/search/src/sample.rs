//! A deterministic generated catalog of Dongdaemun styles, for tests, the relevance harness and
//! the benchmark. Titles are Korean keyword strings built from glossary terms (sometimes glued,
//! with tags and colour counts, now and then a made-up shop word) and translated into every
//! locale by `ddhub-translate`, as the pipeline does.

use crate::doc::{ListingDoc, LocalizedText, StockState, StyleFields, WholesalerRef};
use ddhub_domain::Locale;
use ddhub_domain::catalog;
use ddhub_translate::{Glossary, Role};

/// SplitMix64. Hand-written so the catalog for a seed never changes with a `rand` upgrade.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

/// A generated category: code, weight, head nouns (Korean glossary terms), size set, price range.
pub type CategorySpec = (
    &'static str,
    u32,
    &'static [&'static str],
    Sizes,
    (i64, i64),
);

/// The categories the generator draws from.
pub const CATEGORIES: &[CategorySpec] = &[
    (
        "tops/tshirt/short_sleeve",
        8,
        &["반팔티", "티셔츠", "박스티"],
        Sizes::Apparel,
        (5_000, 15_000),
    ),
    (
        "tops/tshirt/long_sleeve",
        6,
        &["긴팔티", "롱티"],
        Sizes::Apparel,
        (7_000, 18_000),
    ),
    (
        "tops/sweatshirt",
        5,
        &["맨투맨", "기모맨투맨"],
        Sizes::Apparel,
        (12_000, 28_000),
    ),
    (
        "tops/hoodie",
        4,
        &["후드", "기모후드"],
        Sizes::Apparel,
        (15_000, 32_000),
    ),
    (
        "tops/blouse",
        6,
        &["블라우스"],
        Sizes::Women,
        (12_000, 30_000),
    ),
    (
        "tops/shirt",
        5,
        &["셔츠", "청셔츠"],
        Sizes::Apparel,
        (12_000, 30_000),
    ),
    (
        "tops/knit/pullover",
        7,
        &["니트", "스웨터", "풀오버", "꽈배기니트", "골지니트"],
        Sizes::Apparel,
        (15_000, 38_000),
    ),
    (
        "tops/knit/cardigan",
        6,
        &["가디건"],
        Sizes::Apparel,
        (16_000, 40_000),
    ),
    (
        "tops/knit/vest",
        2,
        &["니트조끼"],
        Sizes::Free,
        (12_000, 25_000),
    ),
    (
        "tops/knit/turtleneck",
        3,
        &["폴라니트", "반폴라니트"],
        Sizes::Apparel,
        (15_000, 32_000),
    ),
    (
        "tops/sleeveless",
        3,
        &["나시", "나시티"],
        Sizes::Free,
        (5_000, 12_000),
    ),
    (
        "outerwear/coat",
        4,
        &["코트", "핸드메이드코트"],
        Sizes::Women,
        (45_000, 160_000),
    ),
    (
        "outerwear/coat/trench",
        2,
        &["트렌치코트"],
        Sizes::Women,
        (45_000, 110_000),
    ),
    (
        "outerwear/jacket",
        4,
        &["자켓", "청자켓", "트위드자켓"],
        Sizes::Women,
        (30_000, 90_000),
    ),
    (
        "outerwear/blazer",
        2,
        &["블레이저"],
        Sizes::Women,
        (35_000, 85_000),
    ),
    (
        "outerwear/jumper",
        2,
        &["점퍼", "항공점퍼"],
        Sizes::Apparel,
        (30_000, 75_000),
    ),
    (
        "outerwear/padding",
        3,
        &["패딩", "롱패딩", "숏패딩"],
        Sizes::Apparel,
        (45_000, 150_000),
    ),
    (
        "dresses/mini",
        3,
        &["원피스", "미니원피스"],
        Sizes::Women,
        (15_000, 40_000),
    ),
    (
        "dresses/long",
        3,
        &["롱원피스", "원피스"],
        Sizes::Women,
        (18_000, 48_000),
    ),
    (
        "dresses/knit",
        2,
        &["니트원피스"],
        Sizes::Free,
        (20_000, 45_000),
    ),
    (
        "dresses/shirt",
        2,
        &["셔츠원피스"],
        Sizes::Women,
        (18_000, 42_000),
    ),
    (
        "skirts/mini",
        3,
        &["미니스커트", "스커트"],
        Sizes::Women,
        (10_000, 25_000),
    ),
    (
        "skirts/long",
        3,
        &["롱스커트"],
        Sizes::Women,
        (14_000, 32_000),
    ),
    (
        "skirts/pleated",
        2,
        &["플리츠스커트"],
        Sizes::Women,
        (14_000, 30_000),
    ),
    (
        "skirts/denim",
        2,
        &["청치마"],
        Sizes::Waist,
        (15_000, 30_000),
    ),
    (
        "pants/slacks",
        5,
        &["슬랙스", "와이드슬랙스"],
        Sizes::Waist,
        (15_000, 35_000),
    ),
    (
        "pants/denim",
        5,
        &["청바지", "데님팬츠"],
        Sizes::Waist,
        (18_000, 42_000),
    ),
    (
        "pants/wide",
        3,
        &["와이드팬츠"],
        Sizes::Apparel,
        (14_000, 32_000),
    ),
    (
        "pants/jogger",
        2,
        &["조거팬츠"],
        Sizes::Apparel,
        (12_000, 26_000),
    ),
    (
        "pants/training",
        2,
        &["트레이닝팬츠", "스웻팬츠"],
        Sizes::Apparel,
        (10_000, 24_000),
    ),
    (
        "pants/leggings",
        2,
        &["레깅스"],
        Sizes::Free,
        (6_000, 15_000),
    ),
    (
        "pants/shorts",
        2,
        &["반바지", "청반바지"],
        Sizes::Apparel,
        (8_000, 20_000),
    ),
    (
        "pants/cotton",
        2,
        &["면바지", "치노팬츠"],
        Sizes::Waist,
        (14_000, 30_000),
    ),
    (
        "sets/two_piece",
        2,
        &["투피스", "세트"],
        Sizes::Free,
        (25_000, 60_000),
    ),
    (
        "sets/training",
        2,
        &["트레이닝세트"],
        Sizes::Apparel,
        (22_000, 50_000),
    ),
    (
        "shoes/sneakers",
        2,
        &["스니커즈"],
        Sizes::Shoes,
        (25_000, 60_000),
    ),
    (
        "shoes/boots",
        2,
        &["부츠", "앵클부츠"],
        Sizes::Shoes,
        (35_000, 90_000),
    ),
    (
        "shoes/loafers",
        1,
        &["로퍼"],
        Sizes::Shoes,
        (30_000, 70_000),
    ),
    (
        "bags/shoulder",
        2,
        &["숄더백"],
        Sizes::Free,
        (20_000, 60_000),
    ),
    (
        "bags/tote",
        1,
        &["토트백", "에코백"],
        Sizes::Free,
        (12_000, 45_000),
    ),
    (
        "bags/crossbody",
        1,
        &["크로스백"],
        Sizes::Free,
        (15_000, 45_000),
    ),
    (
        "accessories/hat",
        2,
        &["볼캡", "버킷햇", "비니"],
        Sizes::Free,
        (5_000, 15_000),
    ),
    (
        "accessories/scarf",
        1,
        &["머플러"],
        Sizes::Free,
        (8_000, 25_000),
    ),
];

/// The size sets a category's styles come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sizes {
    Free,
    Women,
    Apparel,
    Waist,
    Shoes,
}

const SIZE_SETS: &[(Sizes, &[&[&str]])] = &[
    (Sizes::Free, &[&["free"]]),
    (
        Sizes::Women,
        &[
            &["free"],
            &["55", "66"],
            &["55", "66", "77"],
            &["44", "55", "66"],
        ],
    ),
    (
        Sizes::Apparel,
        &[
            &["free"],
            &["s", "m", "l"],
            &["m", "l", "xl"],
            &["55", "66", "77"],
        ],
    ),
    (
        Sizes::Waist,
        &[
            &["25", "26", "27", "28"],
            &["26", "27", "28", "29", "30"],
            &["s", "m", "l"],
        ],
    ),
    (
        Sizes::Shoes,
        &[
            &["230", "235", "240", "245", "250"],
            &["225", "230", "235", "240"],
        ],
    ),
];

const SHOP_WORDS: &[&str] = &["몽실", "로이", "엘린", "소이", "하루", "모카", "라온"];
const SHOP_NAMES: &[&str] = &[
    "소담",
    "미엘",
    "디어유",
    "오월",
    "라라",
    "하이드",
    "모먼트",
    "블랑",
    "제이",
    "누아",
];
const BUILDINGS: &[&str] = &[
    "APM",
    "뉴뉴",
    "청평화",
    "디오트",
    "동평화",
    "테크노",
    "유어스",
];
const TAGS: &[&str] = &["[당일출고]", "[빠른배송]", "[주문폭주]", "[신상]"];

fn modifiers(glossary: &Glossary, role: Role) -> Vec<String> {
    glossary
        .terms()
        .iter()
        .filter(|t| t.role == role)
        .map(|t| t.ko.clone())
        .collect()
}

/// Generates `n` styles for `seed`; the same arguments always give the same catalog.
/// Style ids are `1..=n`, style codes `W{wholesaler:03}-{n:06}`.
pub fn catalog(n: usize, seed: u64) -> Vec<ListingDoc> {
    let Ok(glossary) = Glossary::builtin() else {
        return Vec::new();
    };
    catalog_with(&glossary, n, seed)
}

/// [`catalog`] with a given glossary.
pub fn catalog_with(glossary: &Glossary, n: usize, seed: u64) -> Vec<ListingDoc> {
    let mut rng = Rng::new(seed);
    let fits = modifiers(glossary, Role::Fit);
    let materials: Vec<String> = modifiers(glossary, Role::Material)
        .into_iter()
        .filter(|m| catalog::materials().find(m).is_some())
        .collect();
    let necklines = modifiers(glossary, Role::Neckline);
    let patterns = modifiers(glossary, Role::Pattern);
    let colours: Vec<&str> = catalog::colours()
        .all()
        .iter()
        .filter(|c| c.family != "pattern" && c.family != "multi")
        .map(|c| c.code)
        .collect();
    let total_weight: u32 = CATEGORIES.iter().map(|c| c.1).sum();
    let base_ms: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut w = (rng.next_u64() % u64::from(total_weight.max(1))) as u32;
        let mut cat = &CATEGORIES[0];
        for c in CATEGORIES {
            if w < c.1 {
                cat = c;
                break;
            }
            w -= c.1;
        }
        let (code, _, heads, sizes_kind, (lo, hi)) = *cat;
        let head = rng.pick(heads).copied().unwrap_or("니트");
        let mut words: Vec<String> = Vec::new();
        if rng.chance(25) {
            words.push(rng.pick(TAGS).copied().unwrap_or_default().to_string());
        }
        if rng.chance(8) {
            words.push(
                rng.pick(SHOP_WORDS)
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        let mut mods: Vec<String> = Vec::new();
        for (list, p) in [
            (&fits, 55),
            (&materials, 45),
            (&necklines, 25),
            (&patterns, 20),
        ] {
            if rng.chance(p)
                && let Some(m) = rng.pick(list)
            {
                mods.push(m.clone());
            }
        }
        let mut material = None;
        for m in &mods {
            if materials.contains(m) {
                material = Some(m.clone());
            }
        }
        if rng.chance(30) {
            // Wholesalers often glue words: 루즈핏꽈배기니트
            let mut glued = mods.concat();
            glued.push_str(head);
            words.push(glued);
        } else {
            words.extend(mods);
            words.push(head.to_string());
        }
        let n_colours = 1 + rng.below(5);
        let mut style_colours: Vec<String> = Vec::new();
        while style_colours.len() < n_colours {
            if let Some(c) = rng.pick(&colours)
                && !style_colours.iter().any(|x| x == c)
            {
                style_colours.push((*c).to_string());
            }
        }
        if n_colours > 2 && rng.chance(50) {
            words.push(format!("{n_colours}color"));
        }
        let title_ko = words.join(" ");
        let sets = SIZE_SETS
            .iter()
            .find(|(k, _)| *k == sizes_kind)
            .map(|(_, s)| *s)
            .unwrap_or(&[&["free"]]);
        let sizes: Vec<String> = rng
            .pick(sets)
            .map(|s| s.iter().map(|x| (*x).to_string()).collect())
            .unwrap_or_default();
        let steps = ((hi - lo) / 500).max(1) as usize;
        let price_krw = lo + 500 * rng.below(steps + 1) as i64;
        let moq = match rng.below(10) {
            0..=4 => 1,
            5..=7 => 2,
            8 => 3,
            _ => 5,
        };
        let stock = match rng.below(100) {
            0..=84 => StockState::InStock,
            85..=91 => StockState::Backorder,
            92..=96 => StockState::SoldOut,
            _ => StockState::Archived,
        };
        let wholesaler_id = 1 + rng.below(60) as i64;
        let shop = SHOP_NAMES[(wholesaler_id as usize) % SHOP_NAMES.len()];
        let building = BUILDINGS[(wholesaler_id as usize) % BUILDINGS.len()];
        let created_at = base_ms + (rng.below(300 * 24 * 60) as i64) * 60_000;
        let mut attributes = LocalizedText::default();
        let mut description = LocalizedText::default();
        for locale in Locale::ALL {
            let mut parts: Vec<&str> = Vec::new();
            if let Some(m) = &material
                && let Some(t) = glossary.lookup(m)
            {
                parts.push(t.head(locale));
            }
            attributes.set(locale, parts.join(" · "));
            let colour_names: Vec<&str> = style_colours
                .iter()
                .filter_map(|c| catalog::colours().get(c))
                .map(|c| c.labels.get(locale))
                .collect();
            let size_names: Vec<&str> = sizes
                .iter()
                .filter_map(|s| catalog::sizes().get(s))
                .map(|s| s.labels.get(locale))
                .collect();
            description.set(
                locale,
                format!("{} / {}", colour_names.join(", "), size_names.join(", ")),
            );
        }
        let fields = StyleFields {
            style_id: i as i64 + 1,
            style_code: format!("W{wholesaler_id:03}-{:06}", i + 1),
            wholesaler: WholesalerRef {
                id: wholesaler_id,
                name: format!("{shop}{wholesaler_id}"),
                building: format!(
                    "{building} {}층 {}-{}",
                    1 + wholesaler_id % 6,
                    ['A', 'B', 'C', 'D'][(wholesaler_id % 4) as usize],
                    1 + wholesaler_id % 30
                ),
            },
            category: code.to_string(),
            title_ko,
            attributes,
            description,
            colours: style_colours,
            sizes,
            price_krw,
            moq,
            same_day: rng.chance(30),
            stock,
            created_at,
            updated_at: created_at,
            thumbnail_url: Some(format!("/media/styles/{}/thumb.webp", i + 1)),
            measurements: Vec::new(),
        };
        out.push(ListingDoc::build(fields, glossary));
    }
    out
}

/// A mixed query set for benchmarks, the same on every backend and over HTTP: 80% text queries
/// from the judged set (en, ja, zh-CN, zh-TW, ko), the rest category and filter pages; filters on
/// category, colour family, price, same day and MOQ; every sort; some second pages.
pub fn mixed_queries(n: usize, seed: u64) -> Vec<crate::SearchQuery> {
    let texts: Vec<(Locale, String)> = crate::relevance::INTENTS
        .iter()
        .flat_map(|i| i.queries.iter().map(|(l, q)| (*l, (*q).to_string())))
        .collect();
    mixed_queries_from(&texts, n, seed)
}

/// What buyers would type for a catalog written with these Korean garment nouns and colour
/// names, in ko, en, ja, zh-CN and zh-TW: each noun as the glossary translates it, its head
/// word alone, and colour + head word pairs.
pub fn queries_for_words(
    glossary: &Glossary,
    nouns: &[&str],
    colours: &[&str],
) -> Vec<(Locale, String)> {
    let locales = [
        Locale::Ko,
        Locale::En,
        Locale::Ja,
        Locale::ZhCn,
        Locale::ZhTw,
    ];
    let mut out: Vec<(Locale, String)> = Vec::new();
    let mut push = |l: Locale, q: String| {
        let q = q.trim().to_string();
        if !q.is_empty() && !out.iter().any(|(ol, oq)| *ol == l && *oq == q) {
            out.push((l, q));
        }
    };
    for (i, noun) in nouns.iter().enumerate() {
        let head = noun.split_whitespace().last().unwrap_or(noun);
        for locale in locales {
            let rendered = |ko: &str| -> String {
                if locale == Locale::Ko {
                    ko.to_string()
                } else {
                    ddhub_translate::translate_title(glossary, ko, locale).title
                }
            };
            push(locale, rendered(noun));
            let head_word = rendered(head);
            push(locale, head_word.clone());
            let colour = colours[i % colours.len().max(1)];
            push(locale, format!("{} {head_word}", rendered(colour)));
        }
    }
    out
}

/// [`mixed_queries`] with other query texts.
pub fn mixed_queries_from(
    texts: &[(Locale, String)],
    n: usize,
    seed: u64,
) -> Vec<crate::SearchQuery> {
    use crate::{SearchQuery, Sort};
    let categories = [
        "tops",
        "tops/knit",
        "pants",
        "dresses",
        "outerwear/coat",
        "skirts",
    ];
    let families = ["black", "white", "beige", "blue", "grey", "navy"];
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let mut q = SearchQuery::default();
            if rng.chance(80)
                && let Some((locale, text)) = rng.pick(texts)
            {
                q.q = Some(text.clone());
                q.locale = *locale;
            }
            // A category page; a text query with a category of another garment
            // (`cardigan` in pants) is empty by construction, so text goes without one.
            if rng.chance(30) && q.q.is_none() {
                q.category = rng.pick(&categories).map(|c| (*c).to_string());
            }
            if rng.chance(25) {
                q.colour_families = rng
                    .pick(&families)
                    .map(|f| vec![(*f).to_string()])
                    .unwrap_or_default();
            }
            if rng.chance(20) {
                q.price_min_krw = Some(10_000);
                q.price_max_krw = Some(40_000);
            }
            if rng.chance(15) {
                q.same_day = Some(true);
            }
            if rng.chance(10) {
                q.moq_max = Some(2);
            }
            q.sort = match rng.below(10) {
                0..=5 => Sort::Relevance,
                6..=7 => Sort::Newest,
                8 => Sort::PriceAsc,
                _ => Sort::PriceDesc,
            };
            if rng.chance(10) {
                q.page = 2;
            }
            q
        })
        .collect()
}
