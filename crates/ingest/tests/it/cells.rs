//! Cell parsers: examples from real sheets, and properties over generated input.

use ddhub_ingest::ProblemCode;
use ddhub_ingest::cells::*;
use proptest::prelude::*;

#[test]
fn prices_in_every_written_form() {
    for (s, v) in [
        ("18000", 18_000),
        ("18,000", 18_000),
        ("18,000원", 18_000),
        ("₩18,000", 18_000),
        ("￦18,000", 18_000),
        ("1.8만", 18_000),
        ("18천원", 18_000),
        ("1만8천원", 18_000),
        ("１８，０００원", 18_000),
        ("18000.0", 18_000),
        (" 18 000 ", 18_000),
        ("2.35만원", 23_500),
    ] {
        assert_eq!(parse_price(s).map(|k| k.0), Ok(v), "{s}");
    }
    for s in [
        "",
        "무료",
        "18,000달러",
        "-5000",
        "18000.5",
        "1.23456만",
        "만원",
    ] {
        assert!(parse_price(s).is_err(), "{s}");
    }
    assert_eq!(parse_price("0"), Err(ProblemCode::PriceOutOfRange));
    // A negative amount is out of range (at least ₩1), not unreadable.
    assert_eq!(parse_price("-18000"), Err(ProblemCode::PriceOutOfRange));
    assert_eq!(parse_price("−1.8만"), Err(ProblemCode::PriceOutOfRange));
    assert_eq!(parse_price("-abc"), Err(ProblemCode::InvalidPrice));
}

#[test]
fn colour_lists_split_and_normalise() {
    assert_eq!(
        parse_colours("블랙,아이보리,소라"),
        Ok(vec!["black", "ivory", "sky_blue"])
    );
    assert_eq!(
        parse_colours("검정／흰색，곤색"),
        Ok(vec!["black", "white", "navy"])
    );
    assert_eq!(
        parse_colours("연청、중청、진청"),
        Ok(vec!["light_wash", "mid_wash", "dark_wash"])
    );
    assert_eq!(
        parse_colours("라벤더색; 블랙컬러; 블랙"),
        Ok(vec!["lavender", "black"])
    );
    assert_eq!(parse_colours("블랙,무지개빛"), Err("무지개빛".to_string()));
}

#[test]
fn sizes_lists_and_ranges() {
    assert_eq!(parse_sizes("FREE").unwrap(), ["free"]);
    assert_eq!(parse_sizes("F").unwrap(), ["free"]);
    assert_eq!(parse_sizes("프리").unwrap(), ["free"]);
    assert_eq!(parse_sizes("프리(55~66반)").unwrap(), ["free"]);
    assert_eq!(parse_sizes("S,M,L").unwrap(), ["s", "m", "l"]);
    assert_eq!(parse_sizes("55~77").unwrap(), ["55", "66", "77"]);
    assert_eq!(
        parse_sizes("55~66반").unwrap(),
        ["55", "55_half", "66", "66_half"]
    );
    assert_eq!(parse_sizes("44～66").unwrap(), ["44", "55", "66"]);
    assert_eq!(
        parse_sizes("25~30").unwrap(),
        ["25", "26", "27", "28", "29", "30"]
    );
    assert_eq!(
        parse_sizes("230~250").unwrap(),
        ["230", "235", "240", "245", "250"]
    );
    assert_eq!(parse_sizes("S~XL").unwrap(), ["s", "m", "l", "xl"]);
    assert_eq!(parse_sizes("s-l").unwrap(), ["s", "m", "l"]);
    assert_eq!(
        parse_sizes("S~66").unwrap_err().code,
        ProblemCode::InvalidSizeRange
    );
    assert_eq!(
        parse_sizes("77~55").unwrap_err().code,
        ProblemCode::InvalidSizeRange
    );
    assert_eq!(parse_sizes("S,왕대").unwrap_err().item, "왕대");
}

#[test]
fn compositions() {
    let c = parse_composition("면 100%");
    assert_eq!(
        (
            c.parts.len(),
            c.parts[0].material.as_str(),
            c.parts[0].percent,
            c.total
        ),
        (1, "cotton", 100, 100)
    );
    let c = parse_composition("아크릴70 울30");
    assert_eq!(
        c.parts
            .iter()
            .map(|p| (p.material.as_str(), p.percent))
            .collect::<Vec<_>>(),
        [("acrylic", 70), ("wool", 30)]
    );
    let c = parse_composition("폴리에스터 95% 스판 5%");
    assert_eq!(
        c.parts
            .iter()
            .map(|p| (p.material.as_str(), p.percent))
            .collect::<Vec<_>>(),
        [("polyester", 95), ("spandex", 5)]
    );
    let c = parse_composition("70% acrylic, 30% wool");
    assert_eq!(c.total, 100);
    assert_eq!(c.parts.len(), 2);
    let c = parse_composition("겉감: 면 80% 폴리 20% / 안감: 폴리 100%");
    assert_eq!(c.total, 100);
    let c = parse_composition("면 60% 울 30%");
    assert_eq!(c.total, 90);
    let c = parse_composition("면 50% 우주섬유 50%");
    assert_eq!(c.unknown, ["우주섬유"]);
    let c = parse_composition("린넨");
    assert_eq!(
        (c.parts[0].material.as_str(), c.parts[0].percent),
        ("linen", 100)
    );
}

#[test]
fn origin_season_moq_flags_stock_photos() {
    for (s, c) in [
        ("한국", "KR"),
        ("국내", "KR"),
        ("국산", "KR"),
        ("Made in Korea", "KR"),
        ("중국", "CN"),
        ("중국산", "CN"),
        ("베트남", "VN"),
    ] {
        assert_eq!(parse_origin(s), Some(c), "{s}");
    }
    assert_eq!(parse_origin("화성"), None);
    for (s, c) in [
        ("SS", "ss"),
        ("F/W", "fw"),
        ("24FW", "fw"),
        ("봄", "spring"),
        ("간절기", "transitional"),
        ("봄,가을", "transitional"),
        ("봄/여름", "ss"),
        ("사계절", "all_season"),
    ] {
        assert_eq!(parse_season(s), Some(c), "{s}");
    }
    assert_eq!(parse_season("우기"), None);
    for (s, n) in [
        ("", 1),
        ("1", 1),
        ("2장", 2),
        ("3개", 3),
        ("5 pcs", 5),
        ("최소 2장", 2),
        ("１０", 10),
    ] {
        assert_eq!(parse_moq(s), Ok(n), "{s}");
    }
    for s in ["0", "많이", "-3", "2.5"] {
        assert!(parse_moq(s).is_err(), "{s}");
    }
    for s in ["Y", "y", "O", "예", "가능", "✓", "당일", "Ｙ"] {
        assert_eq!(parse_flag(s), Some(true), "{s}");
    }
    for s in ["N", "X", "", "불가", "아니오"] {
        assert_eq!(parse_flag(s), Some(false), "{s}");
    }
    assert_eq!(parse_flag("글쎄"), None);
    assert_eq!(parse_sold_out("품절", false), Some(true));
    assert_eq!(parse_sold_out("", false), Some(false));
    assert_eq!(parse_sold_out("12", false), Some(false));
    assert_eq!(parse_sold_out("0", false), Some(true));
    assert_eq!(parse_sold_out("Y", true), Some(true));
    assert_eq!(parse_sold_out("Y", false), Some(false));
    assert_eq!(
        parse_photos("a.jpg; b.jpg,c.JPG;a.jpg"),
        ["a.jpg", "b.jpg", "c.JPG"]
    );
}

fn group(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | ',' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn any_price_in_any_written_form_reads_back(n in 1i64..999_999_999, form in 0usize..6) {
        let s = match form {
            0 => n.to_string(),
            1 => group(n),
            2 => format!("{}원", group(n)),
            3 => format!("₩{}", group(n)),
            4 => full_width(&format!("{}원", group(n))),
            _ => format!("{n}.0"),
        };
        prop_assert_eq!(parse_price(&s).map(|k| k.0), Ok(n));
    }

    #[test]
    fn man_and_cheon_units(man in 0i64..9999, cheon in 0i64..10) {
        prop_assume!(man + cheon > 0);
        let s = match (man, cheon) {
            (0, c) => format!("{c}천원"),
            (m, 0) => format!("{m}만"),
            (m, c) => format!("{m}만{c}천원"),
        };
        prop_assert_eq!(parse_price(&s).map(|k| k.0), Ok(man * 10_000 + cheon * 1_000));
    }

    #[test]
    fn price_parser_never_panics(s in "\\PC{0,20}") {
        let _ = parse_price(&s);
        let _ = parse_moq(&s);
        let _ = parse_sizes(&s);
        let _ = parse_colours(&s);
        let _ = parse_composition(&s);
        let _ = parse_season(&s);
    }

    #[test]
    fn colour_lists_round_trip_through_any_separator(
        idx in proptest::collection::vec(0usize..66, 1..6),
        sep in prop::sample::select(vec![",", "/", "、", ";", "，", "／", " , "]),
    ) {
        let all = ddhub_domain::catalog::colours().all();
        let words: Vec<&str> = idx.iter().map(|&i| all[i % all.len()].labels.ko).collect();
        let mut expected: Vec<&str> = Vec::new();
        for &i in &idx {
            let c = all[i % all.len()].code;
            if !expected.contains(&c) { expected.push(c); }
        }
        prop_assert_eq!(parse_colours(&words.join(sep)), Ok(expected));
    }

    #[test]
    fn waist_ranges_expand_to_every_inch(a in 24u32..=36, b in 24u32..=36) {
        let (lo, hi) = (a.min(b), a.max(b));
        let got = parse_sizes(&format!("{lo}~{hi}")).unwrap();
        let want: Vec<String> = (lo..=hi).map(|n| n.to_string()).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn shoe_ranges_step_by_five(a in 0u32..=14, b in 0u32..=14) {
        let (lo, hi) = (220 + 5 * a.min(b), 220 + 5 * a.max(b));
        let got = parse_sizes(&format!("{lo}~{hi}")).unwrap();
        let want: Vec<String> = (lo..=hi).step_by(5).map(|n| n.to_string()).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn two_part_compositions(a in 1u32..100, m1 in 0usize..5, m2 in 0usize..5, style in 0usize..3) {
        let names = ["면", "아크릴", "울", "폴리에스터", "레이온"];
        let codes = ["cotton", "acrylic", "wool", "polyester", "rayon"];
        prop_assume!(m1 != m2);
        let b = 100 - a;
        let s = match style {
            0 => format!("{}{} {}{}", names[m1], a, names[m2], b),
            1 => format!("{} {}% {} {}%", names[m1], a, names[m2], b),
            _ => format!("{}% {}, {}% {}", a, names[m1], b, names[m2]),
        };
        let c = parse_composition(&s);
        prop_assert_eq!(c.total, 100);
        let got: Vec<(String, u8)> = c.parts.iter().map(|p| (p.material.clone(), p.percent)).collect();
        prop_assert_eq!(got, vec![(codes[m1].to_string(), a as u8), (codes[m2].to_string(), b as u8)]);
    }

    #[test]
    fn moq_with_units(n in 1u32..10_000, unit in prop::sample::select(vec!["", "장", "개", " pcs", "벌"])) {
        prop_assert_eq!(parse_moq(&format!("{n}{unit}")), Ok(n));
    }
}
