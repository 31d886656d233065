//! The cases every backend must pass, on a small hand-made catalog.

use ddhub_domain::Locale;
use ddhub_search::{
    ListingDoc, LocalizedText, SearchIndex, SearchQuery, Sort, StockState, StyleFields,
    WholesalerRef,
};
use ddhub_translate::Glossary;
use std::collections::BTreeSet;

const T0: i64 = 1_767_225_600_000;

#[allow(clippy::too_many_arguments)]
fn doc(
    id: i64,
    title_ko: &str,
    category: &str,
    colours: &[&str],
    sizes: &[&str],
    price: i64,
    moq: u32,
    same_day: bool,
    stock: StockState,
    wholesaler: i64,
) -> ListingDoc {
    let glossary = Glossary::builtin().unwrap();
    ListingDoc::build(
        StyleFields {
            style_id: id,
            style_code: format!("S{id:03}"),
            wholesaler: WholesalerRef {
                id: wholesaler,
                name: format!("shop{wholesaler}"),
                building: "청평화 2층 B-12".into(),
            },
            category: category.into(),
            title_ko: title_ko.into(),
            attributes: LocalizedText::default(),
            description: LocalizedText::default(),
            colours: colours.iter().map(|s| s.to_string()).collect(),
            sizes: sizes.iter().map(|s| s.to_string()).collect(),
            price_krw: price,
            moq,
            same_day,
            stock,
            created_at: T0 + id * 60_000,
            updated_at: T0 + id * 60_000,
            thumbnail_url: None,
            measurements: Vec::new(),
        },
        &glossary,
    )
}

use StockState::{Archived, InStock, SoldOut};

/// Orderable: 1, 2, 4, 5, 6, 7, 8, 10, 11. Not: 3 (sold out), 9 (archived).
pub fn fixtures() -> Vec<ListingDoc> {
    let mut muffler = doc(
        11,
        "머플러",
        "accessories/scarf",
        &["red"],
        &["free"],
        9_000,
        1,
        true,
        InStock,
        3,
    );
    // A near miss for the shop word "mongsil": found by typo tolerance, ranked below the exact.
    muffler.title.en = "Mongsel muffler".into();
    let mut docs = vec![
        doc(
            1,
            "루즈핏 꽈배기 가디건",
            "tops/knit/cardigan",
            &["black", "ivory"],
            &["free"],
            25_000,
            2,
            true,
            InStock,
            1,
        ),
        doc(
            2,
            "브이넥 울 가디건",
            "tops/knit/cardigan",
            &["navy"],
            &["s", "m", "l"],
            32_000,
            1,
            false,
            InStock,
            1,
        ),
        doc(
            3,
            "크롭 가디건",
            "tops/knit/cardigan",
            &["pink"],
            &["free"],
            18_000,
            1,
            true,
            SoldOut,
            1,
        ),
        doc(
            4,
            "골지 스웨터",
            "tops/knit/pullover",
            &["grey"],
            &["free"],
            22_000,
            1,
            false,
            InStock,
            1,
        ),
        doc(
            5,
            "오버핏 풀오버",
            "tops/knit/pullover",
            &["beige"],
            &["free"],
            19_000,
            3,
            true,
            StockState::Backorder,
            1,
        ),
        doc(
            6,
            "와이드 슬랙스",
            "pants/slacks",
            &["black"],
            &["26", "27", "28"],
            21_000,
            1,
            false,
            InStock,
            1,
        ),
        doc(
            7,
            "데님팬츠",
            "pants/denim",
            &["light_wash"],
            &["26", "27"],
            28_000,
            2,
            false,
            InStock,
            1,
        ),
        doc(
            8,
            "플라워 롱원피스",
            "dresses/long",
            &["pink"],
            &["55", "66"],
            38_000,
            3,
            true,
            InStock,
            2,
        ),
        doc(
            9,
            "체크 셔츠",
            "tops/shirt",
            &["navy"],
            &["m"],
            17_000,
            1,
            false,
            Archived,
            1,
        ),
        doc(
            10,
            "울 코트",
            "outerwear/coat",
            &["camel"],
            &["55", "66"],
            120_000,
            1,
            false,
            InStock,
            2,
        ),
        muffler,
    ];
    docs[0].title.en = format!("Mongsil {}", docs[0].title.en);
    docs
}

async fn loaded(index: &dyn SearchIndex) {
    index.upsert(&fixtures()).await.unwrap();
}

async fn ids(index: &dyn SearchIndex, q: &SearchQuery) -> Vec<i64> {
    let r = index.search(q).await.unwrap();
    r.hits.iter().map(|h| h.style_id).collect()
}

async fn id_set(index: &dyn SearchIndex, q: &SearchQuery) -> BTreeSet<i64> {
    ids(index, q).await.into_iter().collect()
}

fn set(v: &[i64]) -> BTreeSet<i64> {
    v.iter().copied().collect()
}

fn all() -> SearchQuery {
    SearchQuery {
        per_page: 100,
        ..SearchQuery::default()
    }
}

pub async fn cross_language_cardigan(index: &dyn SearchIndex) {
    loaded(index).await;
    for (q, locale) in [
        ("カーディガン", Locale::Ja),
        ("开衫", Locale::ZhCn),
        ("開襟衫", Locale::ZhTw),
        ("가디건", Locale::Ko),
    ] {
        let got = id_set(index, &SearchQuery::text(q, locale)).await;
        assert_eq!(got, set(&[1, 2]), "{q} in {locale:?}");
    }
    // Any script from any locale setting: a Korean word typed with locale en.
    let got = id_set(index, &SearchQuery::text("가디건", Locale::En)).await;
    assert_eq!(got, set(&[1, 2]));
    let got = ids(index, &SearchQuery::text("cardigan", Locale::En)).await;
    assert_eq!(set(&got[..2]), set(&[1, 2]), "cardigans first: {got:?}");
}

/// A hit carries what a storefront shows, as indexed: code, the title in the query's locale,
/// price, wholesaler and thumbnail, so answering needs no database.
pub async fn hits_carry_their_display(index: &dyn SearchIndex) {
    loaded(index).await;
    let expected = fixtures();
    for locale in [Locale::Ko, Locale::En, Locale::Ja] {
        let r = index
            .search(&SearchQuery::text("가디건", locale))
            .await
            .unwrap();
        assert!(!r.hits.is_empty(), "{locale:?}");
        for hit in &r.hits {
            let doc = expected
                .iter()
                .find(|d| d.style_id == hit.style_id)
                .unwrap();
            let display = hit.display.as_ref().expect("a display with every hit");
            assert_eq!(display.style_code, doc.style_code);
            assert_eq!(display.title, doc.title.get(locale), "{locale:?}");
            assert_eq!(display.price_krw, doc.price_krw);
            assert_eq!(display.wholesaler, doc.wholesaler);
            assert_eq!(display.thumbnail_url, doc.thumbnail_url);
        }
    }
    // A rewritten document shows its new face.
    let mut changed = expected.iter().find(|d| d.style_id == 1).unwrap().clone();
    changed.price_krw += 1_000;
    changed.thumbnail_url = Some("https://cdn.example/t/1.jpg".into());
    index.upsert(std::slice::from_ref(&changed)).await.unwrap();
    let r = index
        .search(&SearchQuery::text("가디건", Locale::En))
        .await
        .unwrap();
    let hit = r.hits.iter().find(|h| h.style_id == 1).unwrap();
    let display = hit.display.as_ref().unwrap();
    assert_eq!(display.price_krw, changed.price_krw);
    assert_eq!(display.thumbnail_url, changed.thumbnail_url);
    index.upsert(&expected).await.unwrap();
}

pub async fn typo_tolerance(index: &dyn SearchIndex) {
    loaded(index).await;
    let got = id_set(index, &SearchQuery::text("cardigna", Locale::En)).await;
    assert!(got.contains(&1) && got.contains(&2), "cardigna: {got:?}");
    // Four letters: no typo allowed ("coar" is one edit from "coat").
    let got = id_set(index, &SearchQuery::text("coar", Locale::En)).await;
    assert!(got.is_empty(), "coar: {got:?}");
    let got = id_set(index, &SearchQuery::text("coat", Locale::En)).await;
    assert_eq!(got, set(&[10]));
}

pub async fn exact_ranks_above_typo(index: &dyn SearchIndex) {
    loaded(index).await;
    let got = ids(index, &SearchQuery::text("mongsil", Locale::En)).await;
    assert_eq!(got, vec![1, 11], "exact first, typo second");
    // A glossary word is spelt right: no typo expansion ("skirt" does not bring every shirt).
    let got = id_set(index, &SearchQuery::text("skirt", Locale::En)).await;
    assert!(got.is_empty(), "skirt: {got:?}");
    let got = id_set(index, &SearchQuery::text("cardigan", Locale::En)).await;
    assert_eq!(got, set(&[1, 2]));
}

pub async fn synonyms(index: &dyn SearchIndex) {
    loaded(index).await;
    let got = id_set(index, &SearchQuery::text("jumper", Locale::En)).await;
    assert_eq!(got, set(&[4, 5]), "jumper");
    let got = id_set(index, &SearchQuery::text("sweater", Locale::En)).await;
    assert!(got.is_superset(&set(&[4, 5])), "sweater: {got:?}");
    let got = id_set(index, &SearchQuery::text("セーター", Locale::Ja)).await;
    assert!(got.is_superset(&set(&[4, 5])), "セーター: {got:?}");
    let got = id_set(index, &SearchQuery::text("trousers", Locale::En)).await;
    assert!(got.is_superset(&set(&[6, 7])), "trousers: {got:?}");
    let got = id_set(index, &SearchQuery::text("slacks", Locale::En)).await;
    assert!(got.contains(&6), "slacks: {got:?}");
}

pub async fn filter_category_subtree(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        category: Some("tops/knit".into()),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 2, 4, 5]));
    let q = SearchQuery {
        category: Some("tops/knit/cardigan".into()),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 2]));
    let q = SearchQuery {
        category: Some("pants".into()),
        q: Some("wide".into()),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[6]));
}

pub async fn filter_colour(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        colour_families: vec!["black".into()],
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 6]));
    let q = SearchQuery {
        colour_families: vec!["black".into(), "blue".into()],
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 6, 7]));
    let q = SearchQuery {
        colours: vec!["navy".into()],
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[2]));
}

pub async fn filter_size(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        sizes: vec!["m".into()],
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[2]));
    let q = SearchQuery {
        sizes: vec!["27".into(), "66".into()],
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[6, 7, 8, 10]));
}

pub async fn filter_price(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        price_min_krw: Some(20_000),
        price_max_krw: Some(30_000),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 4, 6, 7]));
    let q = SearchQuery {
        price_min_krw: Some(100_000),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[10]));
    let q = SearchQuery {
        price_max_krw: Some(19_000),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[5, 11]));
}

pub async fn filter_moq(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        moq_max: Some(1),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[2, 4, 6, 10, 11]));
    let q = SearchQuery {
        moq_max: Some(2),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 2, 4, 6, 7, 10, 11]));
}

pub async fn filter_same_day(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        same_day: Some(true),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[1, 5, 8, 11]));
    let q = SearchQuery {
        same_day: Some(false),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[2, 4, 6, 7, 10]));
}

pub async fn filter_wholesaler(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        wholesaler: Some(2),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[8, 10]));
    let q = SearchQuery {
        wholesaler: Some(2),
        q: Some("coat".into()),
        ..all()
    };
    assert_eq!(id_set(index, &q).await, set(&[10]));
}

pub async fn sort_newest(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        sort: Sort::Newest,
        ..all()
    };
    assert_eq!(ids(index, &q).await, vec![11, 10, 8, 7, 6, 5, 4, 2, 1]);
    // Relevance without text falls back to newest first.
    assert_eq!(ids(index, &all()).await, vec![11, 10, 8, 7, 6, 5, 4, 2, 1]);
    let q = SearchQuery {
        sort: Sort::Newest,
        q: Some("가디건".into()),
        locale: Locale::Ko,
        ..all()
    };
    assert_eq!(ids(index, &q).await, vec![2, 1]);
}

pub async fn sort_price(index: &dyn SearchIndex) {
    loaded(index).await;
    let q = SearchQuery {
        sort: Sort::PriceAsc,
        ..all()
    };
    assert_eq!(ids(index, &q).await, vec![11, 5, 6, 4, 1, 7, 2, 8, 10]);
    let q = SearchQuery {
        sort: Sort::PriceDesc,
        ..all()
    };
    assert_eq!(ids(index, &q).await, vec![10, 8, 2, 7, 1, 4, 6, 5, 11]);
    let q = SearchQuery {
        sort: Sort::PriceAsc,
        q: Some("cardigan".into()),
        ..all()
    };
    assert_eq!(ids(index, &q).await, vec![1, 2]);
}

pub async fn facets_counts(index: &dyn SearchIndex) {
    loaded(index).await;
    let r = index.search(&all()).await.unwrap();
    assert_eq!(r.total, 9);
    let f = &r.facets;
    assert_eq!(f.category.get("tops"), Some(&4));
    assert_eq!(f.category.get("tops/knit"), Some(&4));
    assert_eq!(f.category.get("tops/knit/cardigan"), Some(&2));
    assert_eq!(f.category.get("pants"), Some(&2));
    assert_eq!(
        f.category.get("tops/shirt"),
        None,
        "archived styles are not counted"
    );
    assert_eq!(f.colour.get("black"), Some(&2));
    assert_eq!(
        f.colour.get("pink"),
        Some(&1),
        "sold-out pink cardigan not counted"
    );
    assert_eq!(f.colour.get("white"), Some(&1));
    assert_eq!(f.size.get("free"), Some(&4));
    assert_eq!(f.size.get("27"), Some(&2));
    let price: Vec<u64> = f.price.iter().map(|b| b.count).collect();
    assert_eq!(price, vec![1, 1, 4, 2, 0, 1]);
    assert_eq!((f.same_day.yes, f.same_day.no), (4, 5));
    // Facets follow the query and filters.
    let r = index
        .search(&SearchQuery {
            q: Some("가디건".into()),
            locale: Locale::Ko,
            ..all()
        })
        .await
        .unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(r.facets.category.get("tops/knit/cardigan"), Some(&2));
    assert_eq!(r.facets.category.get("pants"), None);
    assert_eq!(r.facets.size.get("m"), Some(&1));
}

pub async fn paging(index: &dyn SearchIndex) {
    loaded(index).await;
    let mut seen = Vec::new();
    for page in 1..=4 {
        let r = index
            .search(&SearchQuery {
                page,
                per_page: 3,
                sort: Sort::PriceAsc,
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(r.total, 9);
        assert_eq!(r.hits.len(), if page <= 3 { 3 } else { 0 });
        seen.extend(r.hits.iter().map(|h| h.style_id));
    }
    assert_eq!(seen, vec![11, 5, 6, 4, 1, 7, 2, 8, 10]);
}

pub async fn delete(index: &dyn SearchIndex) {
    loaded(index).await;
    index.delete(&[1, 999]).await.unwrap();
    let got = id_set(index, &SearchQuery::text("가디건", Locale::Ko)).await;
    assert_eq!(got, set(&[2]));
    assert_eq!(index.doc_count().await.unwrap(), 10);
}

pub async fn upsert_replaces(index: &dyn SearchIndex) {
    loaded(index).await;
    let replaced = doc(
        2,
        "울 코트",
        "outerwear/coat",
        &["navy"],
        &["55"],
        99_000,
        1,
        false,
        InStock,
        1,
    );
    index.upsert(&[replaced]).await.unwrap();
    assert_eq!(index.doc_count().await.unwrap(), 11);
    let got = id_set(index, &SearchQuery::text("가디건", Locale::Ko)).await;
    assert_eq!(got, set(&[1]));
    let got = id_set(index, &SearchQuery::text("coat", Locale::En)).await;
    assert_eq!(got, set(&[2, 10]));
    // Selling out is an upsert too: the style leaves the results at once.
    let mut sold = fixtures().remove(0);
    sold.stock = SoldOut;
    index.upsert(&[sold]).await.unwrap();
    let got = id_set(index, &SearchQuery::text("가디건", Locale::Ko)).await;
    assert!(got.is_empty(), "{got:?}");
}

/// A rebuild in batches ends with exactly the new content; the old content stays whole until
/// the rebuild finishes on engines that stage it (tantivy), never a mix of old and new.
pub async fn rebuild_in_batches(index: &dyn SearchIndex) {
    loaded(index).await;
    let docs = fixtures();
    let (first, rest) = docs.split_at(4);
    index.rebuild_batch(&first[..2], true).await.unwrap();
    let during = index.doc_count().await.unwrap();
    if index.backend() == "tantivy" {
        assert_eq!(during, 11, "tantivy shows a rebuild before it finishes");
    } else {
        assert!(
            during == 11 || during == 2,
            "mid-rebuild the index holds {during} documents: neither the old content nor the batch"
        );
    }
    index.rebuild_batch(&first[2..], false).await.unwrap();
    index.rebuild_batch(&rest[..3], false).await.unwrap();
    index.finish_rebuild().await.unwrap();
    assert_eq!(index.doc_count().await.unwrap(), 7);
    let expected: BTreeSet<i64> = docs[..7]
        .iter()
        .filter(|d| d.stock.is_orderable())
        .map(|d| d.style_id)
        .collect();
    assert_eq!(id_set(index, &all()).await, expected);
}

pub async fn sold_out_excluded(index: &dyn SearchIndex) {
    loaded(index).await;
    let got = id_set(index, &all()).await;
    assert!(!got.contains(&3) && !got.contains(&9));
    let q = SearchQuery {
        include_unavailable: true,
        ..all()
    };
    let got = id_set(index, &q).await;
    assert_eq!(got.len(), 11);
}

pub async fn rebuild_and_clear(index: &dyn SearchIndex) {
    loaded(index).await;
    let mut docs = fixtures();
    docs.truncate(2);
    index.rebuild(docs).await.unwrap();
    assert_eq!(index.doc_count().await.unwrap(), 2);
    assert_eq!(id_set(index, &all()).await, set(&[1, 2]));
    index.clear().await.unwrap();
    assert_eq!(index.doc_count().await.unwrap(), 0);
    assert_eq!(index.search(&all()).await.unwrap().total, 0);
}

pub async fn bad_queries(index: &dyn SearchIndex) {
    loaded(index).await;
    let long = "a".repeat(201);
    for q in [
        SearchQuery::text(&long, Locale::En),
        SearchQuery::text(&"knit ".repeat(17), Locale::En),
        SearchQuery {
            per_page: 101,
            ..SearchQuery::default()
        },
        SearchQuery {
            page: 0,
            ..SearchQuery::default()
        },
        SearchQuery {
            page: 1000,
            per_page: 100,
            ..SearchQuery::default()
        },
        SearchQuery {
            price_min_krw: Some(5),
            price_max_krw: Some(1),
            ..SearchQuery::default()
        },
        SearchQuery {
            colours: vec!["bla\"ck".into()],
            ..SearchQuery::default()
        },
    ] {
        let err = index.search(&q).await.unwrap_err();
        assert!(err.is_bad_query(), "{err}");
    }
    // Query syntax is text, never operators.
    index
        .search(&SearchQuery::text(
            "\"cardigan\" OR -coat AND (",
            Locale::En,
        ))
        .await
        .unwrap();
    assert_eq!(
        index
            .search(&SearchQuery::text("   ", Locale::En))
            .await
            .unwrap()
            .total,
        9
    );
}

pub async fn health_and_count(index: &dyn SearchIndex) {
    assert!(index.health().await.ok);
    assert_eq!(index.doc_count().await.unwrap(), 0);
    loaded(index).await;
    assert_eq!(index.doc_count().await.unwrap(), 11);
}

/// Buyers' own words: short and regional forms, the other Chinese script, romanised Korean.
pub async fn buyer_words(index: &dyn SearchIndex) {
    loaded(index).await;
    for (q, locale) in [
        ("開衫", Locale::ZhTw),
        ("开襟衫", Locale::ZhTw),
        ("開襟衫", Locale::ZhCn),
        ("カーデ", Locale::Ja),
        ("cardi", Locale::En),
        ("gadigeon", Locale::En),
    ] {
        let got = id_set(index, &SearchQuery::text(q, locale)).await;
        assert_eq!(got, set(&[1, 2]), "{q} in {locale:?}");
    }
    for (q, locale) in [("毛衣", Locale::ZhCn), ("毛衣", Locale::ZhTw)] {
        let got = ids(index, &SearchQuery::text(q, locale)).await;
        assert!(
            set(&got).is_superset(&set(&[4, 5])),
            "{q} in {locale:?}: {got:?}"
        );
        assert!(!got.contains(&6), "{q}: no slacks: {got:?}");
    }
}

/// Typos and spellings in kana: a missing or extra mark, a look-alike, hiragana.
pub async fn kana_typos(index: &dyn SearchIndex) {
    loaded(index).await;
    for q in ["カーデガン", "カーディガソ", "かーでぃがん"] {
        let got = id_set(index, &SearchQuery::text(q, Locale::Ja)).await;
        assert_eq!(got, set(&[1, 2]), "{q}");
    }
    for q in ["ニト", "にっと", "ニット"] {
        let got = id_set(index, &SearchQuery::text(q, Locale::Ja)).await;
        assert!(got.is_superset(&set(&[1, 2, 4, 5])), "{q}: {got:?}");
        assert!(!got.contains(&6) && !got.contains(&10), "{q}: {got:?}");
    }
}

/// Kanji colour words, apart or glued to the garment. Next to a garment word a colour ranks
/// (styles of that colour first) rather than filters; alone it filters.
pub async fn kanji_colours(index: &dyn SearchIndex) {
    loaded(index).await;
    for (q, first, all) in [
        ("黒 カーディガン", 1, &[1, 2][..]),
        ("黒カーディガン", 1, &[1, 2]),
        ("紺 カーディガン", 2, &[1, 2]),
        ("黒 スラックス", 6, &[6]),
    ] {
        let got = ids(index, &SearchQuery::text(q, Locale::Ja)).await;
        assert_eq!(got.first(), Some(&first), "{q}: {got:?}");
        assert_eq!(set(&got), set(all), "{q}");
    }
    let got = id_set(index, &SearchQuery::text("黒", Locale::Ja)).await;
    assert_eq!(got, set(&[1, 6]), "黒 alone");
}

/// A style by its code and a wholesaler by its name, in Hangul and romanised.
pub async fn codes_and_wholesaler_names(index: &dyn SearchIndex) {
    loaded(index).await;
    let mut knit = doc(
        12,
        "반폴라 골지 니트",
        "tops/knit",
        &["black"],
        &["free"],
        14_500,
        3,
        false,
        InStock,
        7,
    );
    knit.style_code = "KN-2041".into();
    knit.wholesaler.name = "미소니트".into();
    index.upsert(&[knit]).await.unwrap();
    for (q, locale) in [
        ("KN-2041", Locale::En),
        ("kn2041", Locale::Ja),
        ("미소니트", Locale::Ko),
        ("misoniteu", Locale::En),
    ] {
        let got = ids(index, &SearchQuery::text(q, locale)).await;
        assert_eq!(got.first(), Some(&12), "{q} in {locale:?}: {got:?}");
        if q != "미소니트" {
            assert_eq!(got, vec![12], "{q} in {locale:?}");
        }
    }
}
