//! The shipped glossary: size, completeness, the DOMAIN.md trap table, vocabulary coverage,
//! CSV round trip and operator overrides.

use ddhub_domain::Locale;
use ddhub_translate::{Glossary, Role, Term, glossary_from_csv, glossary_to_csv, translate_title};
use std::collections::HashSet;
use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn glossary_files() -> Vec<PathBuf> {
    let dir = repo_root().join("locales/glossary");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv") && !p.ends_with("variants.tsv"))
        .collect();
    files.sort();
    files
}

#[test]
fn at_least_800_terms_each_with_six_renderings_and_no_duplicates() {
    let mut seen = HashSet::new();
    let mut count = 0;
    for file in glossary_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "ko\trole\tcode\ten\tja\tzh-CN\tzh-TW\tvi\tth",
            "{file:?}"
        );
        for line in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 9, "{file:?}: {line}");
            assert!(
                seen.insert(cells[0].to_string()),
                "duplicate term {} in {file:?}",
                cells[0]
            );
            for (i, cell) in cells[3..].iter().enumerate() {
                assert!(
                    !cell.trim().is_empty(),
                    "{}: rendering {i} is empty",
                    cells[0]
                );
            }
            count += 1;
        }
    }
    assert!(count >= 800, "only {count} terms");
    let g = Glossary::builtin().unwrap();
    assert_eq!(g.terms().len(), count);
    for t in g.terms() {
        for l in Locale::TARGETS {
            assert!(
                !t.head(l).is_empty() && !t.modifier(l).is_empty(),
                "{} {l}",
                t.ko
            );
        }
    }
    // Variants never shadow a canonical term and always point at one.
    for (v, c) in g.variants() {
        assert!(!seen.contains(v), "variant {v} is also a term");
        assert!(seen.contains(c), "variant {v} points at unknown {c}");
    }
}

/// DOMAIN.md "Translation traps": (Korean, en, ja, zh-CN), as a standalone word in a title.
const TRAPS: [(&str, &str, &str, &str); 17] = [
    ("꽈배기", "Cable knit", "ケーブルニット", "麻花针织"),
    ("소라", "Sky blue", "サックスブルー", "天蓝色"),
    ("청", "Denim", "デニム", "牛仔"),
    ("연청", "Light wash", "ライトウォッシュ", "浅蓝"),
    ("중청", "Mid wash", "ミッドウォッシュ", "中蓝"),
    ("진청", "Dark wash", "ダークウォッシュ", "深蓝"),
    ("폴라", "Turtleneck", "タートルネック", "高领"),
    ("반폴라", "Mock neck", "モックネック", "半高领"),
    ("맨투맨", "Sweatshirt", "トレーナー", "卫衣"),
    ("기모", "Fleece-lined", "裏起毛", "加绒"),
    ("멜란지", "Heather grey", "杢グレー", "麻灰色"),
    ("무지", "Solid", "無地", "纯色"),
    ("나시", "Sleeveless top", "ノースリーブ", "无袖上衣"),
    ("골지", "Ribbed", "リブ", "罗纹"),
    ("7부", "3/4-length", "七分丈", "七分"),
    ("9부", "Ankle-length", "アンクル丈", "九分"),
    ("가디건", "Cardigan", "カーディガン", "开衫"),
];

#[test]
fn trap_table_is_right_in_en_ja_and_zh_cn() {
    let g = Glossary::builtin().unwrap();
    for (ko, en, ja, zh) in TRAPS {
        for (locale, want) in [(Locale::En, en), (Locale::Ja, ja), (Locale::ZhCn, zh)] {
            let got = translate_title(&g, ko, locale);
            assert_eq!(got.title, want, "{ko} in {locale}");
            assert!(got.unknown_terms.is_empty(), "{ko}");
        }
    }
}

#[test]
fn trap_table_in_context() {
    let g = Glossary::builtin().unwrap();
    let cases = [
        ("꽈배기 니트", Locale::En, "Cable knit sweater"),
        ("폴라 니트", Locale::En, "Turtleneck sweater"),
        ("반폴라티", Locale::En, "Mock neck top"),
        ("기모 맨투맨", Locale::Ja, "裏起毛トレーナー"),
        ("기모 맨투맨", Locale::ZhCn, "加绒卫衣"),
        ("기모 맨투맨", Locale::ZhTw, "刷毛大學T"),
        (
            "멜란지 그레이 맨투맨",
            Locale::En,
            "Heather grey sweatshirt",
        ),
        ("7부 소매 티셔츠", Locale::En, "3/4-sleeve T-shirt"),
        ("9부 슬랙스", Locale::Ja, "アンクル丈スラックス"),
        (
            "연청 와이드 청바지",
            Locale::En,
            "Light wash wide-leg jeans",
        ),
        ("진청 스키니진", Locale::ZhCn, "深蓝紧身牛仔裤"),
        ("소라 셔츠", Locale::Ja, "サックスブルーシャツ"),
        ("나시 원피스", Locale::En, "Sleeveless dress"),
        ("골지 나시", Locale::En, "Ribbed sleeveless top"),
        ("무지 반팔티", Locale::ZhCn, "纯色短袖T恤"),
        ("가디겅", Locale::Ja, "カーディガン"),
        ("맨투멘", Locale::En, "Sweatshirt"),
        ("원피쓰", Locale::ZhCn, "连衣裙"),
    ];
    for (ko, locale, want) in cases {
        assert_eq!(
            translate_title(&g, ko, locale).title,
            want,
            "{ko} in {locale}"
        );
    }
    // Sizes: 55/66/77 are Korean women's sizes; FREE is one size.
    assert_eq!(g.lookup("55").unwrap().head(Locale::En), "S (KR 55)");
    assert_eq!(g.lookup("66").unwrap().head(Locale::Ja), "66（11号・M）");
    assert_eq!(g.lookup("FREE").unwrap().head(Locale::En), "one size");
    assert_eq!(g.lookup("F").unwrap().head(Locale::ZhCn), "均码");
    // Tags are lifted, never translated into the title.
    for tag in ["[당일출고]", "[빠른배송]", "[주문폭주]"] {
        let t = translate_title(&g, &format!("{tag} 니트"), Locale::En);
        assert_eq!(t.title, "Knit sweater");
        assert_eq!(t.tags.len(), 1);
    }
}

/// Every Korean category, colour, material, size, origin and season in the ingestion vocabularies
/// (`locales/vocab/*.tsv`, branch `ingest`) is a glossary term or variant. The files are read from
/// this repository, or from `DDHUB_VOCAB_DIR`; the test says so and passes when neither exists.
#[test]
fn covers_the_ingestion_vocabularies() {
    let dir = std::env::var_os("DDHUB_VOCAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("locales/vocab"));
    if !dir.join("colours.tsv").exists() {
        eprintln!("no vocabularies at {dir:?}: coverage not checked");
        return;
    }
    let g = Glossary::builtin().unwrap();
    let mut missing = Vec::new();
    for (file, column) in [
        ("categories.tsv", "ko"),
        ("colours.tsv", "ko"),
        ("materials.tsv", "ko"),
        ("sizes.tsv", "ko"),
        ("origins.tsv", "ko"),
        ("seasons.tsv", "ko"),
        ("category_aliases.tsv", "alias"),
    ] {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let col = header.iter().position(|h| *h == column).unwrap();
        for line in lines {
            let Some(ko) = line.split('\t').nth(col) else {
                continue;
            };
            // Category paths (`니트/가디건`, `상의 > 니트`) are paths of terms, not terms.
            if ko.is_empty() || ko.contains('/') || ko.contains('>') {
                continue;
            }
            if g.lookup(ko).is_none() {
                missing.push(format!("{file}: {ko}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in the glossary: {missing:?}");
}

#[test]
fn csv_round_trip_and_overrides() {
    let g = Glossary::builtin().unwrap();
    let csv = glossary_to_csv(&g).unwrap();
    assert!(csv.starts_with("ko,role,code,en,ja,zh-CN,zh-TW,vi,th\n"));
    let rows = glossary_from_csv(&csv).unwrap();
    let again = Glossary::from_terms(rows).unwrap();
    assert_eq!(again.version(), g.version());
    assert_eq!(again.terms().len(), g.terms().len());

    // An operator renames a rendering and adds a brand and a spelling variant.
    let import = "\u{feff}ko,role,code,en,ja,zh-CN,zh-TW,vi,th\n\
        소라,colour,sky_blue,light blue,サックス,天蓝色,天藍色,xanh da trời,สีฟ้า\n\
        몽실,style,,Mongsil,モンシル,梦实,夢實,Mongsil,มงซิล\n\
        쏘라,variant,소라,,,,,,\n";
    let over = g
        .with_overrides(glossary_from_csv(import).unwrap())
        .unwrap();
    assert_ne!(over.version(), g.version());
    assert_eq!(
        translate_title(&over, "쏘라 몽실 셔츠", Locale::En).title,
        "Light blue Mongsil shirt"
    );
    assert_eq!(
        translate_title(&over, "몽실 셔츠", Locale::Ja).title,
        "モンシルシャツ"
    );
    assert_eq!(
        translate_title(&g, "몽실 셔츠", Locale::En).title,
        "Mongsil shirt"
    );

    // A bad row is refused with the term named.
    let bad = vec![Term {
        en: String::new(),
        ..over.lookup("소라").unwrap().clone()
    }];
    let err = g.with_overrides(bad).unwrap_err().to_string();
    assert!(err.contains("소라") && err.contains("en"), "{err}");
    let leak = vec![Term {
        ja: "소라".into(),
        ..g.lookup("소라").unwrap().clone()
    }];
    assert!(g.with_overrides(leak).is_err());
    let dangling = vec![Term::variant("없는말", "없는정식")];
    assert!(g.with_overrides(dangling).is_err());
    assert_eq!(g.by_code(Role::Colour, "sky_blue").unwrap().ko, "소라");
}
