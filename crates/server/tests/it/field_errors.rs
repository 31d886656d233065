//! A body mistake names its field (issue 22): each 422 lists problems with a JSON Pointer and a
//! code, unknown fields by name, on the order intake and on the routes read by axum's `Json`.

use crate::api::call;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_testkit::{TestApp, testing};
use serde_json::{Value, json};

fn problems(v: &Value) -> Vec<(String, String)> {
    v["error"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems: {v}"))
        .iter()
        .map(|p| {
            (
                p["pointer"].as_str().unwrap().to_string(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_mistakes_name_their_field() {
    let t = TestApp::init(testing::sqlite().await)
        .without_search()
        .build()
        .await;
    let partner = t.jpy_partner("Tokyo").await;
    let order = |key: &str, body: Value| {
        Request::post("/api/v1/orders")
            .header("authorization", &partner)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // The six mistakes a first integration made, one answer each naming the field.
    let cases = [
        (
            json!({"partner_order_id": 1944, "currency": "JPY", "lines": [], "ship_to": {}}),
            ("/partner_order_id", "invalid_type"),
        ),
        (
            json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": [], "ship_to": {}, "address": "Tokyo"}),
            ("/address", "unknown_field"),
        ),
        (
            json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": [{"sku_id": 1, "quantity": "two", "unit_price": "1944"}], "ship_to": {}}),
            ("/lines/0/quantity", "invalid_type"),
        ),
        (
            json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": []}),
            ("/ship_to", "missing_field"),
        ),
        // Money is a money object (or its decimal string), never a number.
        (
            json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": [{"sku_id": 1, "quantity": 2, "unit_price": 1944}], "ship_to": {}}),
            ("/lines/0/unit_price", "invalid_type"),
        ),
        (
            json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": [{"sku_id": 1, "quantity": 2, "unit_price": {"amount": "1944", "currency": "JPY", "cents": 0}}], "ship_to": {}}),
            ("/lines/0/unit_price/cents", "unknown_field"),
        ),
        (
            json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": [{"sku_id": 1, "quantity": 2, "unit_price": {"amount": "1944"}}], "ship_to": {}}),
            ("/lines/0/unit_price/currency", "missing_field"),
        ),
    ];
    for (i, (body, want)) in cases.into_iter().enumerate() {
        let (s, _, v) = call(&t.router, order(&format!("k-{i}"), body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(v["error"]["code"], "invalid_body", "{v}");
        assert_eq!(
            problems(&v),
            [(want.0.to_string(), want.1.to_string())],
            "{body}: {v}"
        );
    }
    // A route read by axum's Json extractor answers the same way.
    let (s, _, v) = call(
        &t.router,
        Request::put("/api/v1/styles/by-code/KN-1")
            .header("authorization", &t.key)
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"title_ko": "니트", "price": "18000", "colour": ["black"], "zone": "A"})
                    .to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Every unknown field by name, not only the first serde met (`price` is `price_krw`).
    assert_eq!(
        problems(&v),
        [
            ("/colour".to_string(), "unknown_field".to_string()),
            ("/price".to_string(), "unknown_field".to_string()),
            ("/zone".to_string(), "unknown_field".to_string())
        ],
        "{v}"
    );
    // A money object in another currency than the order's is named on its field.
    let (s, _, usd) = call(
        &t.router,
        order(
            "k-usd",
            json!({"partner_order_id": "PO-9", "currency": "JPY",
                "lines": [{"sku_id": 1, "quantity": 2, "unit_price": {"amount": "12.90", "currency": "USD"}}],
                "ship_to": {"name": "A", "country": "JP", "address_lines": ["1"], "phone": "1"}}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{usd}");
    assert!(
        usd["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pointer"] == "/lines/0/unit_price/currency"
                && p["code"] == "currency_mismatch"),
        "{usd}"
    );
    assert!(
        v["error"]["problems"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("`colours`"),
        "the answer lists the fields it takes: {v}"
    );
}

fn hangul(text: &str) -> bool {
    text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

fn kana(text: &str) -> bool {
    text.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unknown_field_is_named_in_the_callers_language() {
    let t = TestApp::init(testing::sqlite().await)
        .without_search()
        .build()
        .await;
    // A partner whose own locale is Japanese: the caller's Accept-Language decides, for the
    // whole body, and English without one (as for every other error).
    let partner = t.jpy_partner("Tokyo").await;
    let order = |key: &str, lang: Option<&str>, body: &Value| {
        let mut b = Request::post("/api/v1/orders")
            .header("authorization", &partner)
            .header("content-type", "application/json")
            .header("idempotency-key", key);
        if let Some(l) = lang {
            b = b.header("accept-language", l);
        }
        b.body(Body::from(body.to_string())).unwrap()
    };
    let body = json!({"partner_order_id": "PO-1", "currency": "JPY", "lines": [],
        "ship_to": {}, "address": "Tokyo", "email": "a@b.jp"});
    let (s, h, v) = call(&t.router, order("k-ko", Some("ko"), &body)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        problems(&v),
        [
            ("/address".to_string(), "unknown_field".to_string()),
            ("/email".to_string(), "unknown_field".to_string())
        ],
        "every unknown field, by name: {v}"
    );
    let top = v["error"]["message"].as_str().unwrap();
    let first = v["error"]["problems"][0]["message"].as_str().unwrap();
    assert!(hangul(top) && hangul(first), "Korean throughout: {v}");
    assert!(
        !kana(&v.to_string()),
        "no Japanese for a Korean caller: {v}"
    );
    assert!(first.contains("/address"), "{first}");
    let _ = h;
    // Without Accept-Language: English, although the partner's locale is Japanese.
    let (_, _, v) = call(&t.router, order("k-en", None, &body)).await;
    assert!(!kana(&v.to_string()) && !hangul(&v.to_string()), "{v}");
    // An order refused line by line speaks the caller's language too, with pointers.
    let bad_line = json!({"partner_order_id": "PO-2", "currency": "JPY",
        "lines": [{"sku_id": 999999, "quantity": 0, "unit_price": "1944"}],
        "ship_to": {"name": "A", "country": "JP", "address_lines": ["1"], "phone": "1"}});
    let (s, _, v) = call(&t.router, order("k-line", Some("ko"), &bad_line)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "order_invalid", "{v}");
    let list = v["error"]["problems"].as_array().unwrap();
    assert!(!list.is_empty(), "{v}");
    for p in list {
        assert!(p["pointer"].as_str().unwrap().starts_with('/'), "{p}");
        assert!(hangul(p["message"].as_str().unwrap()), "{p}");
    }
    assert!(
        list.iter().any(|p| p["pointer"] == "/lines/0/quantity"),
        "the line's field by pointer: {v}"
    );
    assert!(hangul(v["error"]["message"].as_str().unwrap()), "{v}");
    // The corrected order may reuse the key of the refused one (nothing was kept under it).
    let (s, _, v) = call(&t.router, order("k-ko", Some("ko"), &json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        v["error"]["code"], "invalid_body",
        "validated again, not a key reuse: {v}"
    );
}
