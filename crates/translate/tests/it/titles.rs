//! Title composition: segmentation, lifting, romanisation, word order and casing per locale.

use ddhub_domain::Locale;
use ddhub_domain::translation::ReviewState;
use ddhub_translate::glossary::contains_hangul;
use ddhub_translate::{Glossary, normalize_title, translate_title};

fn g() -> Glossary {
    Glossary::builtin().unwrap()
}

#[test]
fn glued_titles_segment_like_spaced_ones() {
    let g = g();
    for l in Locale::ALL {
        let glued = translate_title(&g, "루즈핏꽈배기니트가디건", l);
        let spaced = translate_title(&g, "루즈핏 꽈배기 니트 가디건", l);
        if l != Locale::Ko {
            assert_eq!(glued.title, spaced.title, "{l}");
        }
        assert_eq!(glued.review_state, ReviewState::Glossary);
    }
    assert_eq!(
        translate_title(&g, "루즈핏꽈배기니트가디건", Locale::En).title,
        "Loose-fit cable knit cardigan"
    );
    assert_eq!(
        translate_title(&g, "오버핏반폴라골지니트", Locale::En).title,
        "Oversized mock neck ribbed knit sweater"
    );
    assert_eq!(
        translate_title(&g, "하이웨스트와이드밴딩슬랙스", Locale::ZhCn).title,
        "高腰阔腿松紧腰西裤"
    );
}

#[test]
fn tags_and_colour_counts_are_lifted_out_of_the_title() {
    let g = g();
    let t = translate_title(
        &g,
        "[당일출고][주문폭주] 루즈핏 꽈배기 니트 가디건 5color",
        Locale::En,
    );
    assert_eq!(t.title, "Loose-fit cable knit cardigan");
    assert_eq!(t.tags, ["same_day_dispatch", "selling_fast"]);
    assert_eq!(t.colour_count, Some(5));
    for (title, n) in [
        ("니트 3colors", 3),
        ("니트 (5컬러)", 5),
        ("니트 7 COLOR", 7),
        ("니트 4가지색", 4),
    ] {
        let t = translate_title(&g, title, Locale::Ja);
        assert_eq!(t.colour_count, Some(n), "{title}");
        assert_eq!(t.title, "ニット", "{title}");
    }
    let t = translate_title(&g, "【빠른배송】 신상 원피스 FREE ♥", Locale::ZhTw);
    assert_eq!(t.title, "洋裝");
    assert_eq!(t.tags, ["fast_shipping", "new_arrival"]);
    assert_eq!(t.sizes, ["free"]);
}

#[test]
fn normalisation_handles_full_width_brackets_and_emoji() {
    assert_eq!(
        normalize_title("［당일출고］ＶＮＥＣＫ　니트💖✨/블랙"),
        "당일출고 VNECK 니트 블랙"
    );
    assert_eq!(normalize_title("  (기모)  맨투맨★ "), "기모 맨투맨");
    let t = translate_title(&g(), "🔥［무료배송］ 기모 맨투맨 🔥", Locale::En);
    assert_eq!(t.title, "Fleece-lined sweatshirt");
    assert_eq!(t.tags, ["free_shipping"]);
}

#[test]
fn unknown_words_are_romanised_and_flagged() {
    let g = g();
    let t = translate_title(&g, "몽실 소라 반폴라 니트", Locale::En);
    assert_eq!(t.title, "Mongsil sky blue mock neck sweater");
    assert_eq!(t.review_state, ReviewState::Machine);
    assert_eq!(t.unknown_terms, ["몽실"]);
    // A one-syllable term inside an unknown word is part of that word (청 in 청담 is not denim).
    let t = translate_title(&g, "청담 꽈배기 가디건", Locale::Ja);
    assert_eq!(t.title, "Cheongdamケーブルニットカーディガン");
    assert_eq!(t.unknown_terms, ["청담"]);
    // Glued unknown word before known ones.
    let t = translate_title(&g, "라온하루골지니트", Locale::En);
    assert_eq!(t.title, "Raonharu ribbed knit sweater");
    assert_eq!(t.unknown_terms, ["라온하루"]);
}

#[test]
fn word_order_per_language() {
    let g = g();
    let title = "루즈핏 꽈배기 니트 가디건";
    assert_eq!(
        translate_title(&g, title, Locale::Ja).title,
        "ルーズフィットケーブルニットカーディガン"
    );
    assert_eq!(
        translate_title(&g, title, Locale::ZhCn).title,
        "宽松麻花针织开衫"
    );
    assert_eq!(
        translate_title(&g, title, Locale::ZhTw).title,
        "寬鬆麻花針織開襟衫"
    );
    // Vietnamese and Thai: head noun first, modifiers after it, nearest first.
    assert_eq!(
        translate_title(&g, title, Locale::Vi).title,
        "Áo khoác len cardigan len vặn thừng dáng rộng"
    );
    assert_eq!(
        translate_title(&g, "블랙 롱 원피스", Locale::Vi).title,
        "Đầm dài đen"
    );
    assert_eq!(
        translate_title(&g, "블랙 롱 원피스", Locale::Th).title,
        "เดรสยาว สีดำ"
    );
    // The category noun goes last in English even when the source puts a colour after it.
    assert_eq!(
        translate_title(&g, "니트 가디건 블랙", Locale::En).title,
        "Knit black cardigan"
    );
    // Latin words keep a space between them in Japanese and Chinese.
    assert_eq!(
        translate_title(&g, "몽실 V넥 니트", Locale::Ja).title,
        "Mongsil Vネックニット"
    );
}

#[test]
fn korean_locale_returns_the_normalised_title() {
    let t = translate_title(
        &g(),
        "［당일출고］ 루즈핏 꽈배기 니트  가디건 5color ♥",
        Locale::Ko,
    );
    assert_eq!(t.title, "루즈핏 꽈배기 니트 가디건");
}

#[test]
fn no_hangul_is_left_in_any_export_title() {
    let g = g();
    let titles = [
        "[당일출고] 루즈핏 꽈배기 니트 가디건 5color",
        "ㅋㅋ 몽글몽글 뽀송 니트",
        "쫀득쫀득한 핏의 데일리 슬랙스",
        "뭔지모를완전새로운단어",
        "가나다라마바사 ABC 123",
        "흙곬밟 읊 닭",
    ];
    for t in titles {
        for l in Locale::TARGETS {
            let out = translate_title(&g, t, l);
            assert!(!contains_hangul(&out.title), "{t} in {l}: {}", out.title);
        }
    }
}
