use super::*;

#[test]
fn every_vocabulary_file_parses_and_is_consistent() {
    assert_eq!(check(), Ok(()));
}

#[test]
fn every_label_is_filled_in_every_locale() {
    let mut all: Vec<(&str, &Labels)> = Vec::new();
    all.extend(categories().all().iter().map(|c| (c.code, &c.labels)));
    all.extend(colours().all().iter().map(|c| (c.code, &c.labels)));
    all.extend(sizes().all().iter().map(|c| (c.code, &c.labels)));
    for v in [materials(), origins(), seasons()] {
        all.extend(v.all().iter().map(|c| (c.code, &c.labels)));
    }
    for (code, labels) in all {
        for l in Locale::ALL {
            assert!(!labels.get(l).is_empty(), "{code} has no {l} label");
        }
    }
}

#[test]
fn colour_vocabulary_is_large_enough_and_knows_dongdaemun_words() {
    assert!(colours().all().len() >= 60, "{}", colours().all().len());
    let cases = [
        ("블랙", "black"),
        ("검정", "black"),
        ("검정색", "black"),
        ("아이보리", "ivory"),
        ("소라", "sky_blue"),
        ("연청", "light_wash"),
        ("중청", "mid_wash"),
        ("진청", "dark_wash"),
        ("멜란지", "heather_grey"),
        ("곤색", "navy"),
        ("네이비", "navy"),
        ("카멜", "camel"),
        ("차콜", "charcoal"),
        ("오트밀", "oatmeal"),
        ("크림", "cream"),
        ("민트", "mint"),
        ("카키", "khaki"),
        ("ＢＬＡＣＫ", "black"),
        ("Sky Blue", "sky_blue"),
    ];
    for (word, code) in cases {
        assert_eq!(colours().find(word).map(|c| c.code), Some(code), "{word}");
    }
    assert_eq!(colours().get("sky_blue").map(|c| c.family), Some("blue"));
    assert_eq!(
        colours().get("sky_blue").map(|c| c.labels.ja),
        Some("スカイブルー")
    );
}

#[test]
fn categories_resolve_from_korean_strings() {
    let cases = [
        ("니트/가디건", "tops/knit"),
        ("상의 > 니트", "tops/knit"),
        ("아우터", "outerwear"),
        ("원피스", "dresses"),
        ("바지", "pants"),
        ("팬츠", "pants"),
        ("치마", "skirts"),
        ("스커트", "skirts"),
        ("맨투맨", "tops/sweatshirt"),
        ("나시", "tops/sleeveless"),
        // Not an alias as a whole: resolved through its most specific segment.
        ("여성의류 > 아우터 > 코트", "outerwear/coat"),
        ("Cardigans", "tops/knit/cardigan"),
    ];
    for (text, code) in cases {
        assert_eq!(category_for(text).map(|c| c.code), Some(code), "{text}");
    }
    assert_eq!(category_for("우주선"), None);
    let lineage: Vec<&str> = category_for("가디건")
        .map(|c| c.lineage().map(|c| c.code).collect())
        .unwrap_or_default();
    assert_eq!(lineage, ["tops/knit/cardigan", "tops/knit", "tops"]);
}

#[test]
fn sizes_know_their_series_and_equivalents() {
    let free = sizes().find("프리");
    assert_eq!(free.map(|s| s.code), Some("free"));
    assert_eq!(sizes().find("F").map(|s| s.code), Some("free"));
    assert_eq!(free.map(|s| s.labels.ja), Some("フリーサイズ"));
    assert_eq!(free.map(|s| s.labels.en), Some("One size"));
    let s66 = sizes().get("66");
    assert_eq!(
        s66.map(|s| (s.system, s.alpha, s.jp)),
        Some((SizeSystem::KrWomen, Some("M"), Some("11")))
    );
    let women: Vec<&str> = sizes_in(SizeSystem::KrWomen).map(|s| s.code).collect();
    assert_eq!(
        women,
        [
            "44", "55", "55_half", "66", "66_half", "77", "77_half", "88"
        ]
    );
    let shoes = sizes_in(SizeSystem::ShoeMm).count();
    assert_eq!(shoes, (290 - 220) / 5 + 1);
    assert_eq!(sizes().find("2XL").map(|s| s.code), Some("xxl"));
}

#[test]
fn materials_origins_and_seasons_resolve() {
    for (w, c) in [
        ("면", "cotton"),
        ("코튼", "cotton"),
        ("스판", "spandex"),
        ("폴리", "polyester"),
        ("양모", "wool"),
        ("마", "linen"),
        ("인조가죽", "faux_leather"),
    ] {
        assert_eq!(materials().find(w).map(|m| m.code), Some(c), "{w}");
    }
    for (w, c) in [
        ("한국", "KR"),
        ("국내", "KR"),
        ("국산", "KR"),
        ("중국", "CN"),
        ("베트남", "VN"),
    ] {
        assert_eq!(origins().find(w).map(|m| m.code), Some(c), "{w}");
    }
    for (w, c) in [
        ("SS", "ss"),
        ("Ｆ／Ｗ", "fw"),
        ("간절기", "transitional"),
        ("사계절", "all_season"),
        ("봄", "spring"),
    ] {
        assert_eq!(seasons().find(w).map(|m| m.code), Some(c), "{w}");
    }
}

#[test]
fn normalisation_folds_width_case_and_punctuation() {
    assert_eq!(normalize_key(" Ｓ／Ｓ "), "ss");
    assert_eq!(normalize_key("상의 > 니트"), "상의니트");
    assert_eq!(normalize_key("Off-White"), "offwhite");
}

#[test]
fn a_broken_file_is_reported_with_its_line() {
    let err = Table::parse("x.tsv", "a\tb\n1\t2\n3\n").err();
    assert_eq!(err.map(|e| e.line), Some(3));
}

#[test]
fn sizes_list_series_by_series() {
    // As a facet listed them before: W25, 55, W26, S… (each series' own places interleaved).
    let mut codes = vec!["25", "55", "free", "s", "26", "m", "66", "unknown", "44"];
    codes.sort_by_key(|c| size_order(c));
    assert_eq!(
        codes,
        ["free", "44", "55", "66", "s", "m", "25", "26", "unknown"]
    );
}
