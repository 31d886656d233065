//! Order intake: idempotency (replays byte for byte, reuse with another body, concurrency),
//! validation reasons, and the split into purchase requests per wholesaler.

use crate::api::call;
use crate::uploads::{env, get, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
use ddhub_store::parties::{self, NewPartner};
use ddhub_store::testing;
use serde_json::{Value, json};

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,최소주문수량\n\
KN-1,꽈배기 니트 가디건,니트/가디건,18000,\"블랙,소라\",FREE,2\n\
DL-1,연청 와이드 데님 팬츠,팬츠,21000,연청,25~27,1\n";

async fn post(
    router: &axum::Router,
    auth: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, Vec<u8>) {
    let mut b = Request::post("/api/v1/orders")
        .header("authorization", auth)
        .header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    let res = tower::ServiceExt::oneshot(
        router.clone(),
        b.body(Body::from(body.to_string())).unwrap(),
    )
    .await
    .unwrap();
    let s = res.status();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (s, bytes.to_vec())
}

fn order(id: &str, skus: &[(i64, u32)]) -> Value {
    json!({
        "partner_order_id": id,
        "currency": "JPY",
        "lines": skus.iter().map(|(sku, q)| json!({"sku_id": sku, "quantity": q, "unit_price": "1944"})).collect::<Vec<_>>(),
        "ship_to": {"name": "Select Shop Aoyama", "country": "JP", "address_lines": ["5-1-1 Minami-Aoyama", "Minato-ku, Tokyo"], "postal_code": "107-0062", "phone": "+81 3 1234 5678"},
        "notes": null
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn intake_is_idempotent_validated_and_split() {
    let e = env(testing::sqlite().await).await;
    let store = e._db.store.clone();
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Jpy, "0.108").unwrap())
        .await
        .unwrap();
    let (partner, key) = parties::add_partner(
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
    let auth = format!("Bearer {}", key.key);
    upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let kn1 = list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_code"] == "KN-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, _, style) = call(&e.router, get(&format!("/api/v1/styles/{kn1}"), &e.key)).await;
    let skus: Vec<i64> = style["skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_i64().unwrap())
        .collect();

    // No key: 400.
    let (s, _) = post(&e.router, &auth, None, &order("PO-1", &[(skus[0], 2)])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A new order: 201 with its lines; a replay answers the same bytes.
    let body = order("PO-1", &[(skus[0], 2), (skus[1], 1)]);
    let (s, first) = post(&e.router, &auth, Some("key-1"), &body).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&first)
    );
    let v: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["state"], "awaiting_wholesalers");
    assert_eq!(v["lines"].as_array().unwrap().len(), 2);
    let (s, again) = post(&e.router, &auth, Some("key-1"), &body).await;
    assert_eq!((s, &again), (StatusCode::CREATED, &first));
    // The same key with another body: 422, and nothing changes.
    let (s, other) = post(
        &e.router,
        &auth,
        Some("key-1"),
        &order("PO-1", &[(skus[0], 3)]),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&other)
    );
    assert_eq!(
        ddhub_store::orders::count_orders(&store, partner.id)
            .await
            .unwrap(),
        1
    );
    // Per-line reasons: an unknown SKU, a price off the feed.
    let bad = json!({
        "partner_order_id": "PO-2", "currency": "JPY",
        "lines": [{"sku_id": 999999, "quantity": 1, "unit_price": "1944"}, {"sku_id": skus[0], "quantity": 2, "unit_price": "999"}],
        "ship_to": {"name": "A", "country": "JP", "address_lines": ["x"], "postal_code": "1", "phone": "+81 3 0000 0000"}
    });
    let (s, rej) = post(&e.router, &auth, Some("key-2"), &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let text = String::from_utf8_lossy(&rej).to_string();
    assert!(
        text.contains("unknown_sku") && text.contains("price_mismatch"),
        "{text}"
    );
    // The wholesaler sees its purchase request (발주).
    let (s, _, prs) = call(
        &e.router,
        get("/api/v1/purchase-requests?state=open", &e.key),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(prs.as_array().unwrap().len(), 1, "{prs}");
    assert_eq!(prs[0]["lines"].as_array().unwrap().len(), 2);
    let (_, _, none) = call(
        &e.router,
        get("/api/v1/purchase-requests?state=open", &e.other_key),
    )
    .await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    // Another partner cannot read the order.
    let order_id = v["order_id"].as_i64().unwrap();
    let (s, _, _) = call(
        &e.router,
        Request::get(format!("/api/v1/orders/{order_id}"))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // The wholesaler answers: one line available, one 품절 (sold out): partially confirmed,
    // with the refund; answering again is 409; the partner polls every change in order.
    let pr_id = prs[0]["id"].as_i64().unwrap();
    let lines = prs[0]["lines"].as_array().unwrap();
    let answer = json!({"lines": [
        {"line_id": lines[0]["line_id"], "answer": "available"},
        {"line_id": lines[1]["line_id"], "answer": "sold_out"}
    ]});
    let req = Request::post(format!("/api/v1/purchase-requests/{pr_id}/answer"))
        .header("authorization", &e.key)
        .header("content-type", "application/json")
        .body(Body::from(answer.to_string()))
        .unwrap();
    let (s, _, answered) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::OK, "{answered}");
    assert_eq!(answered["state"], "answered");
    let (_, _, o) = call(
        &e.router,
        Request::get(format!("/api/v1/orders/{order_id}"))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(o["state"], "partially_confirmed", "{o}");
    let again = Request::post(format!("/api/v1/purchase-requests/{pr_id}/answer"))
        .header("authorization", &e.key)
        .header("content-type", "application/json")
        .body(Body::from(answer.to_string()))
        .unwrap();
    let (s, _, _) = call(&e.router, again).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let other = Request::post(format!("/api/v1/purchase-requests/{pr_id}/answer"))
        .header("authorization", &e.other_key)
        .header("content-type", "application/json")
        .body(Body::from(answer.to_string()))
        .unwrap();
    let (s, _, _) = call(&e.router, other).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut cursor = String::new();
    let mut kinds = Vec::new();
    loop {
        let (_, _, page) = call(
            &e.router,
            Request::get(format!("/api/v1/orders/changes?limit=2&cursor={cursor}"))
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        kinds.extend(
            page["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|ev| ev["type"].as_str().unwrap().to_string()),
        );
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(
        kinds,
        vec![
            "order.received",
            "order.line.available",
            "order.line.sold_out",
            "order.partially_confirmed"
        ]
    );
    let (_, _, last) = call(
        &e.router,
        Request::get(format!("/api/v1/orders/changes?cursor={cursor}"))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(last["events"].as_array().unwrap().len(), 0);

    // The operator packs (papers exist from here), ships and delivers; cancelling then is 409.
    use ddhub_server::order_ops::{Operation, apply};
    let doc = |kind: &str, fmt: &str| {
        Request::get(format!(
            "/api/v1/orders/{order_id}/documents/{kind}?format={fmt}"
        ))
        .header("authorization", &auth)
        .body(Body::empty())
        .unwrap()
    };
    let (s, _, _) = call(&e.router, doc("invoice", "json")).await;
    assert_eq!(s, StatusCode::CONFLICT, "no papers before packing");
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Usd, "0.00072").unwrap())
        .await
        .unwrap();
    apply(&store, None, order_id, Operation::Pack)
        .await
        .unwrap();
    let (s, _, inv) = call(&e.router, doc("invoice", "json")).await;
    assert_eq!(s, StatusCode::OK, "{inv}");
    let text = inv.to_string();
    assert!(
        text.contains("6110"),
        "a knitted cardigan is HS 6110: {text}"
    );
    assert!(text.contains("USD"), "{text}");
    let res = tower::ServiceExt::oneshot(e.router.clone(), doc("packing_list", "pdf"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(pdf.starts_with(b"%PDF"));
    apply(
        &store,
        None,
        order_id,
        Operation::Ship(ddhub_orders::lifecycle::Shipment {
            carrier: "EMS".into(),
            tracking_number: "EE123456789KR".into(),
        }),
    )
    .await
    .unwrap();
    let cancel = Request::post(format!("/api/v1/orders/{order_id}/cancel"))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let (s, _, _) = call(&e.router, cancel).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a shipped order cannot be cancelled"
    );
    assert!(
        apply(&store, None, order_id, Operation::Pack)
            .await
            .is_err(),
        "shipped → packed is illegal"
    );
    apply(&store, None, order_id, Operation::Deliver)
        .await
        .unwrap();
    let (_, _, o) = call(
        &e.router,
        Request::get(format!("/api/v1/orders/{order_id}"))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(o["state"], "delivered");

    // 1,000 keys × 10 concurrent replays: exactly 1,000 orders, every replay the stored bytes.
    // Sent 100 at a time (10 keys × 10 replays): a client fleet, not one burst of 10,000 sockets.
    let router = e.router.clone();
    let mut by_key: std::collections::HashMap<usize, Vec<u8>> = std::collections::HashMap::new();
    for wave in 0..100 {
        let mut tasks = Vec::new();
        for k in wave * 10..wave * 10 + 10 {
            for _ in 0..10 {
                let (router, auth) = (router.clone(), auth.clone());
                let body = order(&format!("BULK-{k}"), &[(skus[k % skus.len()], 2)]);
                tasks.push(tokio::spawn(async move {
                    loop {
                        let (s, b) = post(&router, &auth, Some(&format!("bulk-{k}")), &body).await;
                        // 409 while the first is in flight: a client retries.
                        if s != StatusCode::CONFLICT {
                            return (k, s, b);
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                }));
            }
        }
        for t in tasks {
            let (k, s, b) = t.await.unwrap();
            assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
            match by_key.get(&k) {
                Some(prev) => assert_eq!(prev, &b, "replay of key {k} differs"),
                None => {
                    by_key.insert(k, b);
                }
            }
        }
    }
    assert_eq!(
        ddhub_store::orders::count_orders(&store, partner.id)
            .await
            .unwrap(),
        1001
    );
}

/// A partner's webhook receiver on 127.0.0.1: records what arrives, answers `status`.
struct Receiver {
    url: String,
    got: std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
}

async fn receiver() -> Receiver {
    use axum::routing::post;
    let got: std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>> =
        Default::default();
    let status = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(200));
    let (g, st) = (got.clone(), status.clone());
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let (g, st) = (g.clone(), st.clone());
            async move {
                g.lock().unwrap().push((headers, body));
                StatusCode::from_u16(st.load(std::sync::atomic::Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        url: format!("http://{addr}/hook"),
        got,
        status,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_events_arrive_as_signed_webhooks_and_410_disables() {
    let e = crate::uploads::env_with(testing::sqlite().await, |c| c.webhooks_allow_private = true)
        .await;
    let store = e._db.store.clone();
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Jpy, "0.108").unwrap())
        .await
        .unwrap();
    let (_, key) = parties::add_partner(
        &store,
        NewPartner {
            name: "Osaka".into(),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    let auth = format!("Bearer {}", key.key);
    let rx = receiver().await;
    let req = Request::put("/api/v1/webhooks/endpoint")
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "url": rx.url }).to_string()))
        .unwrap();
    let (s, _, ep) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::OK, "{ep}");
    let secret =
        ddhub_orders::webhook::WebhookSecret::parse(ep["secret"].as_str().unwrap()).unwrap();
    upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let kn1 = list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_code"] == "KN-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, _, style) = call(&e.router, get(&format!("/api/v1/styles/{kn1}"), &e.key)).await;
    let sku = style["skus"][0]["id"].as_i64().unwrap();
    let (s, _) = post(
        &e.router,
        &auth,
        Some("hook-1"),
        &order("PO-H1", &[(sku, 2)]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let start = std::time::Instant::now();
    while rx.got.lock().unwrap().is_empty() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "no webhook arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (headers, body) = rx.got.lock().unwrap()[0].clone();
    let h = |n: &str| headers[n].to_str().unwrap().to_string();
    let now = ddhub_domain::Timestamp::now().millis() / 1000;
    ddhub_orders::webhook::verify(
        &secret,
        &h("webhook-id"),
        &h("webhook-timestamp"),
        &h("webhook-signature"),
        body.as_bytes(),
        now,
    )
    .expect("the signature verifies");
    let tampered = body.replace("order.received", "order.shipped");
    assert!(
        ddhub_orders::webhook::verify(
            &secret,
            &h("webhook-id"),
            &h("webhook-timestamp"),
            &h("webhook-signature"),
            tampered.as_bytes(),
            now
        )
        .is_err()
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["type"], "order.received");
    // The endpoint now answers 410 Gone: the next event disables it, visibly.
    rx.status.store(410, std::sync::atomic::Ordering::SeqCst);
    let (s, _) = post(
        &e.router,
        &auth,
        Some("hook-2"),
        &order("PO-H2", &[(sku, 2)]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let start = std::time::Instant::now();
    loop {
        let (_, _, d) = call(
            &e.router,
            Request::get("/api/v1/webhooks/deliveries?state=disabled")
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        if d.as_array().unwrap().len() == 1 {
            assert_eq!(d[0]["last_status"], 410);
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "never disabled: {d}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, _, delivered) = call(
        &e.router,
        Request::get("/api/v1/webhooks/deliveries?state=delivered")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(delivered.as_array().unwrap().len(), 1);
}
