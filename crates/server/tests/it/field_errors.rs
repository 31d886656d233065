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
                json!({"title_ko": "니트", "price": "18000", "colour": ["black"]}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // serde_json's map is sorted: `colour` (for `colours`) is the first unknown key.
    assert_eq!(
        problems(&v),
        [("/colour".to_string(), "unknown_field".to_string())],
        "{v}"
    );
    assert!(
        v["error"]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`colours`"),
        "the answer lists the fields it takes: {v}"
    );
}
