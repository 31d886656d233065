//! Test mode (issue 22): a partner's `ddh_pt_` key runs the whole order flow in its sandbox
//! (intake, answers through the test helper, events, signed webhooks), every answer is marked
//! `test`, and nothing of it reaches a wholesaler, the pickup list or the live partner.

use crate::api::call;
use crate::orders::receiver;
use crate::uploads::{env_with, get, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
use ddhub_store::parties::{self, NewPartner};
use ddhub_testkit::testing;
use serde_json::{Value, json};

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,최소주문수량\n\
KN-1,꽈배기 니트 가디건,니트/가디건,18000,\"블랙,소라\",FREE,1\n";

fn post_json(uri: &str, auth: &str, key: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri)
        .header("authorization", auth)
        .header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

fn order(id: &str, sku: i64, unit_price: Value) -> Value {
    json!({
        "partner_order_id": id,
        "currency": "JPY",
        "lines": [{"sku_id": sku, "quantity": 2, "unit_price": unit_price}],
        "ship_to": {"name": "Select Shop Aoyama", "country": "JP", "address_lines": ["5-1-1 Minami-Aoyama"], "postal_code": "107-0062", "phone": "+81 3 1234 5678"}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_keys_run_the_whole_flow_and_never_reach_a_wholesaler() {
    for db in testing::all("test_mode").await {
        test_mode_on(db).await;
    }
}

async fn test_mode_on(db: testing::TestDb) {
    let e = env_with(db, |c| c.webhooks_allow_private = true).await;
    let store = e.db.store.clone();
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Jpy, "0.108").unwrap())
        .await
        .unwrap();
    let (live, live_key) = parties::add_partner(
        &store,
        NewPartner {
            name: "Tokyo".into(),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    let live_auth = format!("Bearer {}", live_key.key);
    let (sandbox, test_key) = parties::issue_test_key(&store, live.id).await.unwrap();
    assert!(test_key.key.starts_with("ddh_pt_"), "{}", test_key.key);
    assert_eq!(sandbox.sandbox_of, Some(live.id));
    assert_eq!(
        (sandbox.currency, sandbox.locale),
        (live.currency, live.locale)
    );
    // A second test key shares the sandbox; a sandbox gets no sandbox of its own.
    let (again, _) = parties::issue_test_key(&store, live.id).await.unwrap();
    assert_eq!(again.id, sandbox.id);
    assert!(parties::issue_test_key(&store, sandbox.id).await.is_err());
    let test_auth = format!("Bearer {}", test_key.key);

    upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let style = list["styles"][0]["id"].as_i64().unwrap();
    let (_, _, style) = call(&e.router, get(&format!("/api/v1/styles/{style}"), &e.key)).await;
    let sku = style["skus"][0]["id"].as_i64().unwrap();
    let money = json!({"amount": "1944", "currency": "JPY"});

    // The sandbox's own webhook endpoint.
    let rx = receiver().await;
    let req = Request::put("/api/v1/webhooks/endpoint")
        .header("authorization", &test_auth)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "url": rx.url }).to_string()))
        .unwrap();
    let (s, h, ep) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::OK, "{ep}");
    assert_eq!(h["ddhub-mode"], "test");

    // A test order: 201, marked test in its body and its header.
    let (s, h, test_order) = call(
        &e.router,
        post_json(
            "/api/v1/orders",
            &test_auth,
            Some("t-1"),
            &order("PO-T1", sku, money.clone()),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{test_order}");
    assert_eq!(test_order["mode"], "test");
    assert_eq!(h["ddhub-mode"], "test");
    let test_id = test_order["order_id"].as_i64().unwrap();
    // A live order of the same item, with the live key: marked live.
    let (s, h, live_order) = call(
        &e.router,
        post_json(
            "/api/v1/orders",
            &live_auth,
            Some("l-1"),
            &order("PO-L1", sku, money.clone()),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{live_order}");
    assert_eq!(live_order["mode"], "live");
    assert_eq!(h["ddhub-mode"], "live");
    let live_id = live_order["order_id"].as_i64().unwrap();

    // Each world sees only its own orders.
    let (_, _, mine) = call(&e.router, get("/api/v1/orders", &live_auth)).await;
    let ids: Vec<i64> = mine["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![live_id]);
    let (s, _, _) = call(
        &e.router,
        get(&format!("/api/v1/orders/{test_id}"), &live_auth),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = call(
        &e.router,
        get(&format!("/api/v1/orders/{live_id}"), &test_auth),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The wholesaler hears of the live order only, and cannot answer the test one.
    let (_, _, prs) = call(&e.router, get("/api/v1/purchase-requests", &e.key)).await;
    let pr_orders: Vec<i64> = prs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(pr_orders, vec![live_id], "{prs}");
    let test_prs = ddhub_store::orders::purchase_requests_of_order(store.conn(), test_id)
        .await
        .unwrap();
    assert_eq!(test_prs.len(), 1);
    let test_line = test_prs[0].line_id;
    let (s, _, body) = call(
        &e.router,
        post_json(
            &format!(
                "/api/v1/purchase-requests/{}/answer",
                test_prs[0].purchase_request_id
            ),
            &e.key,
            None,
            &json!({"lines": [{"line_id": test_line, "answer": "available"}]}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

    // The test helper: a live key may not use it; the test key answers as the wholesaler.
    let answers = json!({"lines": [{"line_id": test_line, "answer": "available"}]});
    let helper = format!("/api/v1/test_helpers/orders/{test_id}/answers");
    let (s, _, body) = call(&e.router, post_json(&helper, &live_auth, None, &answers)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, _, body) = call(
        &e.router,
        post_json(
            &format!("/api/v1/test_helpers/orders/{live_id}/answers"),
            &test_auth,
            None,
            &answers,
        ),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a test key cannot answer a live order: {body}"
    );
    // A line that is not the order's is refused by name; nothing is recorded.
    let (s, _, body) = call(
        &e.router,
        post_json(
            &helper,
            &test_auth,
            None,
            &json!({"lines": [{"line_id": test_line + 1000, "answer": "available"}]}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, h, answered) = call(&e.router, post_json(&helper, &test_auth, None, &answers)).await;
    assert_eq!(s, StatusCode::OK, "{answered}");
    assert_eq!(h["ddhub-mode"], "test");
    assert_eq!(answered["state"], "confirmed", "{answered}");
    assert_eq!(answered["lines"][0]["confirmed_quantity"], 2);
    assert_eq!(answered["mode"], "test");

    // The live order answered by its wholesaler: the pickup list carries it, never the test one.
    let live_pr = prs[0]["id"].as_i64().unwrap();
    let live_line = live_order["lines"][0]["line_id"].as_i64().unwrap();
    let (s, _, body) = call(
        &e.router,
        post_json(
            &format!("/api/v1/purchase-requests/{live_pr}/answer"),
            &e.key,
            None,
            &json!({"lines": [{"line_id": live_line, "answer": "available"}]}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let today = ddhub_orders::date::seoul_today().to_string();
    let pickup = ddhub_store::pickups::pickup_lines(&store, &today)
        .await
        .unwrap();
    let picked: Vec<i64> = pickup.iter().map(|l| l.order_id).collect();
    assert_eq!(picked, vec![live_id]);

    // Every change of the test order reached the sandbox's endpoint, signed, marked test.
    let start = std::time::Instant::now();
    loop {
        let got = rx.got.lock().unwrap().clone();
        let types: Vec<String> = got
            .iter()
            .map(|(_, b)| {
                let v: Value = serde_json::from_str(b).unwrap();
                assert_eq!(v["mode"], "test", "{b}");
                assert_eq!(v["data"]["order_id"], test_id, "{b}");
                ddhub_testkit::contract::check_webhook(b).unwrap();
                v["type"].as_str().unwrap().to_string()
            })
            .collect();
        if types.iter().any(|t| t == "order.confirmed") {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "no order.confirmed webhook: {types:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
