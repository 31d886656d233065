//! A small realistic catalog (the kinds of styles Dongdaemun shops upload) and helpers.

use ddhub_domain::style::{CompositionPart, StockState, StyleState};
use ddhub_domain::{Currency, Krw, RatePerKrw, SkuId, StyleId, Timestamp, WholesalerId};
use ddhub_feeds::{
    Channel, Compression, FeedFormat, FeedItem, FeedMapper, FeedSettings, FeedSku, FeedStyle,
    FeedSummary, write_feed,
};

pub const BASE: &str = "https://hub.example";

pub fn rate(c: Currency) -> RatePerKrw {
    let text = match c {
        Currency::Usd => "0.00072",
        Currency::Jpy => "0.108",
        Currency::Eur => "0.00066",
        _ => "0.001",
    };
    RatePerKrw::parse(c, text).unwrap()
}

pub fn channel() -> Channel {
    Channel {
        title: "DDHub — Dongdaemun wholesale".into(),
        link: BASE.into(),
        description: "New arrivals from Dongdaemun wholesalers".into(),
    }
}

fn part(material: &str, percent: u8) -> CompositionPart {
    CompositionPart {
        material: material.into(),
        percent,
    }
}

pub fn sku(id: i64, colour: &str, size: &str, stock: StockState) -> FeedSku {
    FeedSku {
        sku_id: SkuId(id),
        colour: colour.into(),
        size: size.into(),
        stock,
        expected: None,
        image: None,
    }
}

fn photos(style: i64, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| format!("{BASE}/media/gmc/{style}/{i}.jpg"))
        .collect()
}

pub fn style(id: i64, code: &str, title: &str, category: &str, price: i64) -> FeedStyle {
    FeedStyle {
        style_id: StyleId(id),
        style_code: code.into(),
        wholesaler_id: WholesalerId(7),
        wholesaler_name: "Miso Studio".into(),
        title: title.into(),
        description: format!("{title}. Wholesale from Dongdaemun, Seoul."),
        category: category.into(),
        gender: None,
        price: Krw(price),
        moq: 2,
        composition: vec![part("cotton", 100)],
        origin: Some("KR".into()),
        photos: photos(id, 3),
        state: StyleState::Active,
        created_at: Timestamp(1_790_000_000_000),
        updated_at: Timestamp(1_790_000_000_000),
        skus: vec![sku(id * 100, "black", "free", StockState::InStock)],
        weight_grams: None,
        extras: Default::default(),
        measurements: Vec::new(),
        fit_note: None,
        shipping_krw: Vec::new(),
    }
}

/// Eight styles, 36 SKUs: Korean women's sizes, free size, waist inches, shoe millimetres,
/// backorder and sold-out SKUs, per-colour photos, mixed compositions.
pub fn sample_catalog() -> Vec<FeedStyle> {
    use StockState::*;
    let mut cardigan = style(
        1,
        "KN-2041",
        "Loose-fit cable knit cardigan",
        "tops/knit/cardigan",
        18_000,
    );
    cardigan.composition = vec![part("acrylic", 70), part("wool", 30)];
    cardigan.skus = Vec::new();
    let mut n = 100;
    for colour in ["black", "ivory", "sky_blue"] {
        for size in ["55", "66", "77"] {
            n += 1;
            let stock = if colour == "sky_blue" && size == "77" {
                SoldOut
            } else {
                InStock
            };
            cardigan.skus.push(sku(n, colour, size, stock));
        }
    }
    cardigan.skus[0].image = Some(format!("{BASE}/media/gmc/1/black.jpg"));

    let mut jeans = style(
        2,
        "DN-77",
        "High-rise straight jeans",
        "pants/denim",
        32_000,
    );
    jeans.composition = vec![part("cotton", 98), part("spandex", 2)];
    jeans.skus = (25..=30)
        .map(|w| sku(200 + w, "mid_wash", &w.to_string(), InStock))
        .collect();
    if let Some(s) = jeans.skus.get_mut(2) {
        s.stock = Backorder;
    }
    jeans.skus[3].stock = Backorder;
    jeans.skus[3].expected = Some(Timestamp(1_791_000_000_000));

    let mut blouse = style(3, "BL 11", "Ruffle collar blouse", "tops/blouse", 21_500);
    blouse.composition = vec![part("polyester", 95), part("spandex", 5)];
    blouse.skus = vec![
        sku(301, "white", "free", InStock),
        sku(302, "pink", "free", InStock),
    ];

    let mut shoes = style(4, "SH-5", "Square toe loafers", "shoes/loafers", 39_000);
    shoes.composition = vec![part("faux_leather", 100)];
    shoes.skus = (0..5)
        .map(|i| sku(400 + i, "black", &(230 + 5 * i).to_string(), InStock))
        .collect();

    let mut coat = style(
        5,
        "CT-900",
        "Wool blend long coat",
        "outerwear/coat",
        89_000,
    );
    coat.composition = vec![
        part("wool", 50),
        part("polyester", 30),
        part("nylon", 15),
        part("cashmere", 5),
    ];
    coat.skus = ["s", "m", "l"]
        .iter()
        .enumerate()
        .map(|(i, s)| sku(500 + i as i64, "camel", s, InStock))
        .collect();

    let mut tee = style(
        6,
        "TS-01",
        "Basic cotton crew neck T-shirt",
        "tops/tshirt/short_sleeve",
        6_500,
    );
    tee.gender = Some(ddhub_feeds::Gender::Unisex);
    tee.skus = ["90", "95", "100", "105"]
        .iter()
        .enumerate()
        .map(|(i, s)| sku(600 + i as i64, "heather_grey", s, InStock))
        .collect();

    let mut dress = style(
        7,
        "OP-3",
        "Floral \"midi\" dress & belt <set>",
        "dresses/midi",
        27_000,
    );
    dress.state = StyleState::SoldOut;
    dress.skus = vec![sku(701, "navy", "free", InStock)];

    let mut bag = style(8, "BG-8", "Mini shoulder bag", "bags/shoulder", 15_000);
    bag.composition = Vec::new();
    bag.skus = vec![
        sku(801, "ivory", "free", InStock),
        sku(802, "black", "free", InStock),
        sku(803, "brown", "free", InStock),
        sku(804, "red", "free", InStock),
        sku(805, "beige", "free", InStock),
        sku(806, "khaki", "free", InStock),
    ];
    vec![cardigan, jeans, blouse, shoes, coat, tee, dress, bag]
}

/// Maps styles for `settings` with the sample rate of its currency.
pub fn items(settings: &FeedSettings, styles: &[FeedStyle]) -> Vec<FeedItem> {
    let mut mapper = FeedMapper::new(settings, Some(rate(settings.currency)), BASE).unwrap();
    let mut all = Vec::new();
    let mut buf = Vec::new();
    for s in styles {
        if mapper.map_style(s, &mut buf).is_ok() {
            all.append(&mut buf);
        }
    }
    all
}

/// A whole feed in `format`, as bytes.
pub fn feed(
    settings: &FeedSettings,
    styles: Vec<FeedStyle>,
    format: FeedFormat,
) -> (Vec<u8>, FeedSummary) {
    let mut mapper = FeedMapper::new(settings, Some(rate(settings.currency)), BASE).unwrap();
    write_feed(
        format,
        Compression::Identity,
        Vec::new(),
        &channel(),
        &mut mapper,
        styles,
    )
    .unwrap()
}

pub fn gmc_xml(settings: &FeedSettings, styles: Vec<FeedStyle>) -> String {
    String::from_utf8(feed(settings, styles, FeedFormat::GmcXml).0).unwrap()
}
