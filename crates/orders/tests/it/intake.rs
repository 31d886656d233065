use ddhub_domain::style::{Quantity, StockState};
use ddhub_domain::{Currency, Locale, Money, SkuId, StyleId, WholesalerId};
use ddhub_orders::intake::*;
use ddhub_orders::split::split_order;
use serde_json::json;

fn jpy(minor: i64) -> Money {
    Money {
        minor,
        currency: Currency::Jpy,
    }
}

/// SKUs 1..=9: wholesaler = sku % 3 + 1, style = sku / 2 + 1 (SKUs 2 and 3 share style 2),
/// price 1980 JPY, MOQ 2 for style 5 (SKUs 8 and 9), SKU 4 sold out, SKU 6 backorder.
/// Style code "KN-1" exists at two wholesalers.
fn catalog(item: &ItemRef<'_>, currency: Currency) -> Lookup {
    assert_eq!(currency, Currency::Jpy);
    let sku = match item {
        ItemRef::Sku(SkuId(id)) if (1..=9).contains(id) => *id,
        ItemRef::Style {
            style_code: "KN-1",
            colour: "black",
            size: "free",
            wholesaler_id,
        } => match wholesaler_id {
            None => return Lookup::Ambiguous(vec![WholesalerId(3), WholesalerId(2)]),
            Some(WholesalerId(2)) => 1,
            Some(_) => return Lookup::NotFound,
        },
        _ => return Lookup::NotFound,
    };
    Lookup::Found(CatalogItem {
        sku_id: SkuId(sku),
        style_id: StyleId(sku / 2 + 1),
        wholesaler_id: WholesalerId(sku % 3 + 1),
        stock: match sku {
            4 => StockState::SoldOut,
            6 => StockState::Backorder,
            _ => StockState::InStock,
        },
        moq: Quantity(if sku >= 8 { 5 } else { 1 }),
        price: jpy(1980),
    })
}

const POLICY: IntakePolicy = IntakePolicy {
    partner_currency: Currency::Jpy,
    price_tolerance_bp: 200,
};

fn request(lines: serde_json::Value) -> OrderRequest {
    serde_json::from_value(json!({
        "partner_order_id": " JP-1001 ",
        "currency": "JPY",
        "lines": lines,
        "ship_to": {
            "name": "Sakura Boutique",
            "country": "jp",
            "address_lines": ["1-2-3 Shibuya", "Shibuya-ku, Tokyo"],
            "postal_code": "150-0002",
            "phone": "+81 3-1234-5678"
        },
        "notes": "Please pack by colour.\nThanks"
    }))
    .unwrap()
}

fn codes(r: &Rejection) -> Vec<(Option<usize>, &'static str)> {
    r.problems.iter().map(|p| (p.line, p.code())).collect()
}

#[test]
fn a_good_order_is_normalised_and_split_per_wholesaler() {
    let req = request(json!([
        {"sku_id": 1, "quantity": 2, "unit_price": "1980"},
        {"style_code": "KN-1", "colour": "black", "size": "free", "wholesaler_id": 2, "quantity": 1, "unit_price": "1990"},
        {"sku_id": 2, "quantity": 3, "unit_price": "1970"},
        {"sku_id": 6, "quantity": 1, "unit_price": "1980"}
    ]));
    // Two lines name SKU 1: refused as a duplicate.
    let err = validate_order(&req, &POLICY, &catalog).unwrap_err();
    assert_eq!(codes(&err), vec![(Some(1), "duplicate_line")]);

    let req = request(json!([
        {"sku_id": 1, "quantity": 2, "unit_price": "1980"},
        {"sku_id": 2, "quantity": 3, "unit_price": "1970"},
        {"sku_id": 6, "quantity": 1, "unit_price": "2000"},
        {"sku_id": 5, "quantity": 1, "unit_price": "1980"}
    ]));
    let order = validate_order(&req, &POLICY, &catalog).unwrap();
    assert_eq!(order.partner_order_id, "JP-1001");
    assert_eq!(order.ship_to.country, "JP");
    assert_eq!(order.lines.len(), 4);
    assert_eq!(order.lines[2].stock, StockState::Backorder);
    assert_eq!(order.lines[2].unit_price, jpy(2000));
    assert_eq!(
        order.total().unwrap(),
        jpy(2 * 1980 + 3 * 1970 + 2000 + 1980)
    );
    let drafts = split_order(&order);
    let shape: Vec<(i64, Vec<i64>)> = drafts
        .iter()
        .map(|d| {
            (
                d.wholesaler_id.0,
                d.lines.iter().map(|l| l.sku_id.0).collect(),
            )
        })
        .collect();
    // wholesaler = sku % 3 + 1: 1→2, 2→3, 6→1, 5→3
    assert_eq!(shape, vec![(1, vec![6]), (2, vec![1]), (3, vec![2, 5])]);
    assert_eq!(drafts[2].pieces(), 4);
}

#[test]
fn every_line_reason_is_reported_with_its_code() {
    let req = request(json!([
        {"sku_id": 99, "quantity": 1, "unit_price": "1980"},
        {"sku_id": 4, "quantity": 1, "unit_price": "1980"},
        {"sku_id": 8, "quantity": 2, "unit_price": "1980"},
        {"sku_id": 9, "quantity": 2, "unit_price": "1980"},
        {"sku_id": 1, "quantity": 1, "unit_price": "2100"},
        {"sku_id": 2, "quantity": 0, "unit_price": "1980"},
        {"sku_id": 3, "quantity": 10001, "unit_price": "19.80"},
        {"style_code": "KN-1", "colour": "black", "size": "free", "quantity": 1, "unit_price": "1980"},
        {"sku_id": 5, "style_code": "KN-1", "quantity": 1, "unit_price": "1980"},
        {"sku_id": 7, "quantity": -1, "unit_price": "abc"}
    ]));
    let err = validate_order(&req, &POLICY, &catalog).unwrap_err();
    assert_eq!(
        codes(&err),
        vec![
            (Some(0), "unknown_sku"),
            (Some(1), "sold_out"),
            (Some(2), "below_moq"),
            (Some(3), "below_moq"),
            (Some(4), "price_mismatch"),
            (Some(5), "bad_quantity"),
            (Some(6), "bad_quantity"),
            (Some(6), "bad_price"),
            (Some(7), "ambiguous_style"),
            (Some(8), "bad_reference"),
            (Some(9), "bad_quantity"),
            (Some(9), "bad_price"),
        ]
    );
    let mismatch = &err.problems[4];
    assert_eq!(
        mismatch.reason,
        Reason::PriceMismatch {
            expected: "1980".into(),
            given: "2100".into()
        }
    );
    assert_eq!(mismatch.field, "lines[4].unit_price");
    let moq = &err.problems[2];
    assert_eq!(moq.reason, Reason::BelowMoq { moq: 5, ordered: 4 });
    // Messages: English, Korean and the partner's Japanese.
    let msgs = moq.messages(Locale::Ja);
    assert_eq!(msgs.len(), 3);
    assert!(msgs["en"].contains("minimum order is 5"));
    assert!(msgs["ko"].contains("최소 주문 수량은 5장"));
    assert!(msgs["ja"].contains("最小注文数は5点"));
    let body = err.to_json(Locale::ZhCn);
    assert_eq!(body["code"], "order_invalid");
    assert_eq!(body["problems"][4]["code"], "price_mismatch");
    assert_eq!(body["problems"][4]["expected"], "1980");
    assert_eq!(body["problems"][4]["given"], "2100");
    assert!(
        body["problems"][4]["messages"]["zh-CN"]
            .as_str()
            .unwrap()
            .contains("2100")
    );
    assert_eq!(body["problems"][8]["wholesaler_ids"], json!([2, 3]));
}

#[test]
fn price_tolerance_is_inclusive_in_basis_points() {
    // 2% of 1980 = 39.6: 2019 is within, 2020 is not.
    for (given, ok) in [
        ("2019", true),
        ("1941", true),
        ("2020", false),
        ("1940", false),
    ] {
        let req = request(json!([{"sku_id": 1, "quantity": 1, "unit_price": given}]));
        assert_eq!(
            validate_order(&req, &POLICY, &catalog).is_ok(),
            ok,
            "{given}"
        );
    }
    let strict = IntakePolicy {
        price_tolerance_bp: 0,
        ..POLICY
    };
    let req = request(json!([{"sku_id": 1, "quantity": 1, "unit_price": "1981"}]));
    assert!(validate_order(&req, &strict, &catalog).is_err());
}

#[test]
fn currency_and_order_level_problems() {
    let mut req = request(json!([{"sku_id": 1, "quantity": 1, "unit_price": "19.80"}]));
    req.currency = Currency::Usd;
    req.ship_to.country = "Japan".into();
    req.ship_to.phone = "call me".into();
    req.ship_to.name = "x".repeat(101);
    req.partner_order_id = "  ".into();
    let err = validate_order(&req, &POLICY, &catalog).unwrap_err();
    let fields: Vec<(&str, &str)> = err
        .problems
        .iter()
        .map(|p| (p.field.as_str(), p.code()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("partner_order_id", "text_empty"),
            ("currency", "currency_mismatch"),
            ("ship_to.name", "text_too_long"),
            ("ship_to.country", "bad_country"),
            ("ship_to.phone", "bad_phone"),
        ]
    );
    assert_eq!(
        err.problems[1].reason,
        Reason::CurrencyMismatch {
            expected: Currency::Jpy,
            given: Currency::Usd
        }
    );

    let req = request(json!([]));
    let err = validate_order(&req, &POLICY, &catalog).unwrap_err();
    assert_eq!(codes(&err), vec![(None, "no_lines")]);
    let many: Vec<_> = (0..201)
        .map(|_| json!({"sku_id": 1, "quantity": 1, "unit_price": "1980"}))
        .collect();
    let err = validate_order(&request(json!(many)), &POLICY, &catalog).unwrap_err();
    assert_eq!(codes(&err), vec![(None, "too_many_lines")]);
}

#[test]
fn the_body_is_strict() {
    let extra = json!({
        "partner_order_id": "1", "currency": "JPY", "lines": [], "coupon": "X",
        "ship_to": {"name": "a", "country": "JP", "address_lines": ["b"], "phone": "0312345678"}
    });
    assert!(serde_json::from_value::<OrderRequest>(extra).is_err());
    let number_price = json!({
        "partner_order_id": "1", "currency": "JPY",
        "lines": [{"sku_id": 1, "quantity": 1, "unit_price": 1980}],
        "ship_to": {"name": "a", "country": "JP", "address_lines": ["b"], "phone": "0312345678"}
    });
    assert!(serde_json::from_value::<OrderRequest>(number_price).is_err());
}

#[test]
fn prices_parse_exactly() {
    let usd = |m| Money {
        minor: m,
        currency: Currency::Usd,
    };
    assert_eq!(parse_price("12.9", Currency::Usd), Some(usd(1290)));
    assert_eq!(parse_price("12.90", Currency::Usd), Some(usd(1290)));
    assert_eq!(parse_price("12", Currency::Usd), Some(usd(1200)));
    assert_eq!(parse_price("1980", Currency::Jpy), Some(jpy(1980)));
    for bad in [
        "12.999", "-1", "0", "0.00", "1e3", "1,980", "12.", ".5", "", "¥1980",
    ] {
        assert_eq!(parse_price(bad, Currency::Usd), None, "{bad}");
    }
    assert_eq!(parse_price("19.8", Currency::Jpy), None);
}
