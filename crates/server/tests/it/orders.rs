//! Order intake: idempotency (replays byte for byte, reuse with another body, concurrency),
//! validation reasons, and the split into purchase requests per wholesaler.

use crate::api::call;
use crate::uploads::{env, get, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
use ddhub_store::ConnectionTrait;
use ddhub_store::parties::{self, NewPartner};
use ddhub_testkit::testing;
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
    for db in testing::all("intake_idempotent").await {
        intake_on(db).await;
    }
}

async fn intake_on(db: testing::TestDb) {
    let e = env(db).await;
    let store = e.db.store.clone();
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
    // The stored answer is the order as it reads back.
    let order_id = v["order_id"].as_i64().unwrap();
    let (s, _, read_back) = call(
        &e.router,
        Request::get(format!("/api/v1/orders/{order_id}"))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        read_back, v,
        "the 201 body differs from the order read back"
    );
    // The partner's order id again under a new key: 409, stored and replayed, nothing written.
    let (s, dup) = post(&e.router, &auth, Some("key-dup"), &body).await;
    assert_eq!(s, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&dup));
    let (s, dup_again) = post(&e.router, &auth, Some("key-dup"), &body).await;
    assert_eq!((s, &dup_again), (StatusCode::CONFLICT, &dup));
    // The 409 names the order that holds the partner's order id (issue 22).
    let dup_json: serde_json::Value = serde_json::from_slice(&dup).unwrap();
    assert_eq!(dup_json["error"]["code"], "conflict", "{dup_json}");
    assert_eq!(
        dup_json["error"]["existing_order_id"], v["order_id"],
        "{dup_json}"
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
    // Answers may change until pickup (issue 21); the same answers again change nothing: 200,
    // and the partner hears of no new change (the events below are the first answer's only).
    let (s, _, again) = call(&e.router, again).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["state"], "answered");
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
    use ddhub_app::services::orders::{Operation, apply};
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

    // A key past its lifetime starts afresh: the same key with a new order writes it.
    store
        .conn()
        .execute_unprepared("UPDATE idempotency_keys SET expires_at = 0 WHERE key = 'key-dup'")
        .await
        .unwrap();
    let fresh = order("PO-AFTER", &[(skus[0], 2)]);
    let (s, b) = post(&e.router, &auth, Some("key-dup"), &fresh).await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
    let (s, again) = post(&e.router, &auth, Some("key-dup"), &fresh).await;
    assert_eq!((s, &again), (StatusCode::CREATED, &b));
    assert_eq!(
        ddhub_store::orders::count_orders(&store, partner.id)
            .await
            .unwrap(),
        1002
    );
    // Refused before any work, the key is not spent: the corrected order under the same key
    // is placed (Stripe keeps no result for a request that failed validation; issue 22).
    let fixed = order("PO-2", &[(skus[0], 2)]);
    let (s, placed) = post(&e.router, &auth, Some("key-2"), &fixed).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&placed)
    );
    // A body that is not an order at all does not spend its key either.
    let (s, _) = post(
        &e.router,
        &auth,
        Some("key-3"),
        &json!({"partner_order_id": 7}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let third = order("PO-3", &[(skus[0], 2)]);
    let (s, placed) = post(&e.router, &auth, Some("key-3"), &third).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&placed)
    );
    // The order list: newest first, filtered, paged by an opaque cursor (issue 22).
    let list = |q: &str| {
        Request::get(format!("/api/v1/orders{q}"))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap()
    };
    let (s, _, all) = call(&e.router, list("")).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let page = all["orders"].as_array().unwrap();
    assert_eq!(page[0]["partner_order_id"], "PO-3", "{all}");
    assert_eq!(page[1]["partner_order_id"], "PO-2", "{all}");
    assert!(
        page.windows(2)
            .all(|w| w[0]["order_id"].as_i64() > w[1]["order_id"].as_i64()),
        "newest first"
    );
    // Walking every page yields every order once.
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let (s, _, p) = call(&e.router, list(&format!("?limit=37&cursor={cursor}"))).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        for o in p["orders"].as_array().unwrap() {
            assert!(seen.insert(o["order_id"].as_i64().unwrap()), "twice: {o}");
            if o["partner_order_id"] == "PO-1" {
                assert_eq!(o["lines"].as_array().unwrap().len(), 2, "{o}");
            }
        }
        if p["has_more"] == false {
            assert!(p["next_cursor"].is_null(), "{p}");
            break;
        }
        cursor = p["next_cursor"].as_str().unwrap().to_string();
    }
    assert_eq!(
        seen.len() as u64,
        ddhub_store::orders::count_orders(&store, partner.id)
            .await
            .unwrap()
    );
    let (_, _, one) = call(&e.router, list("?partner_order_id=PO-2")).await;
    assert_eq!(one["orders"].as_array().unwrap().len(), 1, "{one}");
    let (_, _, none) = call(&e.router, list("?state=shipped")).await;
    assert_eq!(none["orders"].as_array().unwrap().len(), 0, "{none}");
    let (s, _, bad) = call(&e.router, list("?cursor=abc")).await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_cursor"))
    );
    // One event by its seq, as the changes feed lists it; another partner's is a 404.
    let (_, _, changes) = call(
        &e.router,
        Request::get("/api/v1/orders/changes")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let ev = &changes["events"][0];
    let (s, _, got) = call(
        &e.router,
        Request::get(format!("/api/v1/events/{}", ev["seq"]))
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(&got, ev);
    let (_, other_key) = parties::add_partner(
        &store,
        NewPartner {
            name: "Other".into(),
            locale: Locale::En,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    let (s, _, _) = call(
        &e.router,
        Request::get(format!("/api/v1/events/{}", ev["seq"]))
            .header("authorization", format!("Bearer {}", other_key.key))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// A partner's webhook receiver on 127.0.0.1: records what arrives, answers `status`.
pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) got: std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
}

pub(crate) async fn receiver() -> Receiver {
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
    let auth = e.jpy_partner("Osaka").await;
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
    // The body is the document's `webhooks` payload.
    ddhub_testkit::contract::check_webhook(&body).unwrap();
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
    // The 410 took the endpoint away; the partner sets one again and then removes it: 204,
    // then no order queues a delivery, and removing it again answers 404 (there is none).
    let req = Request::put("/api/v1/webhooks/endpoint")
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "url": rx.url }).to_string()))
        .unwrap();
    let (s, _, ep) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::OK, "{ep}");
    let remove = || {
        Request::delete("/api/v1/webhooks/endpoint")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap()
    };
    let (s, _, b) = call(&e.router, remove()).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, _, b) = call(&e.router, remove()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, _) = post(
        &e.router,
        &auth,
        Some("hook-3"),
        &order("PO-H3", &[(sku, 2)]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, _, all) = call(
        &e.router,
        Request::get("/api/v1/webhooks/deliveries")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "no delivery for an order placed after the endpoint was removed: {all}"
    );
}

/// A partner's receiver whose answers the test scripts: each request takes the next scripted
/// (status, Retry-After), then `fallback`. It records the headers, the body and the delivery
/// worker's (controlled) time of each request.
struct ScriptedReceiver {
    url: String,
    got: Received,
    script: Script,
    fallback: Arc<std::sync::atomic::AtomicU16>,
}

use std::sync::{Arc, Mutex};
/// Requests a receiver got: headers, body, and the delivery clock's time (ms).
type Received = Arc<Mutex<Vec<(axum::http::HeaderMap, String, i64)>>>;
/// Answers a receiver gives next: status and `Retry-After`.
type Script = Arc<Mutex<std::collections::VecDeque<(u16, Option<String>)>>>;

async fn scripted_receiver(clock: Arc<ddhub_domain::time::ManualClock>) -> ScriptedReceiver {
    use axum::response::IntoResponse;
    use ddhub_domain::time::Clock;
    let got: Received = Arc::default();
    let script: Script = Arc::default();
    let fallback = Arc::new(std::sync::atomic::AtomicU16::new(200));
    let (g, sc, fb) = (got.clone(), script.clone(), fallback.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (g, sc, fb, clock) = (g.clone(), sc.clone(), fb.clone(), clock.clone());
            async move {
                g.lock()
                    .unwrap()
                    .push((headers, body, clock.now().millis()));
                let (status, retry_after) = sc
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or((fb.load(std::sync::atomic::Ordering::SeqCst), None));
                let mut res = StatusCode::from_u16(status).unwrap().into_response();
                if let Some(ra) = retry_after {
                    res.headers_mut().insert("retry-after", ra.parse().unwrap());
                }
                res
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    ScriptedReceiver {
        url: format!("http://{addr}/hook"),
        got,
        script,
        fallback,
    }
}

/// Runs every webhook delivery due at the controlled clock's time, as the worker pool would
/// (claim, run, complete); returns how many ran.
async fn deliver_due(
    queue: &ddhub_store::jobs::JobQueue,
    handler: &ddhub_app::jobs::webhook_deliver::WebhookDeliver,
) -> usize {
    use ddhub_app::worker::BackgroundJob;
    use ddhub_domain::jobs::{JobPayload, WebhookDeliver};
    let jobs = queue
        .claim(
            &[WebhookDeliver::KIND],
            10,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    for j in &jobs {
        handler.run(j.payload_as().unwrap(), j).await.unwrap();
        assert!(queue.complete(j).await.unwrap());
    }
    jobs.len()
}

/// Milliseconds since the epoch of an RFC 3339 time the API answered.
fn millis(v: &Value) -> i64 {
    let text = v
        .as_str()
        .unwrap_or_else(|| panic!("not an RFC 3339 string: {v}"));
    text.parse::<jiff::Timestamp>()
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .as_millisecond()
}

async fn delivery(router: &axum::Router, auth: &str, id: i64) -> Value {
    let (s, _, list) = call(
        router,
        Request::get("/api/v1/webhooks/deliveries")
            .header("authorization", auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("delivery {id} not listed: {list}"))
}

/// Webhook delivery against a local receiver with the delivery worker's clock under the test's
/// control: the retry schedule (jittered, about three days, never early), `Retry-After`
/// honoured and capped, dead letters listed and replayed, 410 disabling the endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_retries_dead_letters_410_and_replay_with_a_controlled_clock() {
    for db in testing::all("webhook_retries").await {
        webhook_schedule_on(db).await;
    }
}

async fn webhook_schedule_on(db: testing::TestDb) {
    use ddhub_domain::time::{Clock, ManualClock};
    use ddhub_orders::webhook::delivery::{JITTER_PERMILLE, MAX_RETRY_AFTER, RETRY_SCHEDULE};
    let store = db.store.clone();
    let name = db.name;
    // No worker pool: the test runs deliveries itself, at the clock's time.
    let t = ddhub_testkit::TestApp::init(db)
        .without_search()
        .with_config(|c| c.webhooks_allow_private = true)
        .build()
        .await;
    let router = t.router.clone();
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Jpy, "0.108").unwrap())
        .await
        .unwrap();
    let (w, _) = parties::add_wholesaler(
        &store,
        "훅",
        ddhub_domain::wholesaler::ShopLocation {
            building: "APM".into(),
            floor: "1".into(),
            unit: "1".into(),
        },
    )
    .await
    .unwrap();
    let paths = ddhub_app::services::catalog::MediaPaths::new(t.dir.path());
    let (updir, rel) = paths.new_upload_dir().unwrap();
    std::fs::write(updir.join("sheet"), SHEET).unwrap();
    let upload = ddhub_store::uploads::create(
        &store,
        ddhub_store::uploads::NewUpload {
            wholesaler: w.id,
            mode: ddhub_store::uploads::UploadMode::Merge,
            dry_run: false,
            file_name: "a.csv".into(),
            file_path: format!("{rel}/sheet"),
            photos_path: None,
            encoding: None,
            sheet_name: None,
        },
        false,
    )
    .await
    .unwrap();
    ddhub_app::services::catalog::process(&store, &paths, upload.id, &|_, _| {})
        .await
        .unwrap();
    let rows = ddhub_store::catalog::listing_rows(
        &store,
        &ddhub_store::catalog::style_ids_after(&store, 0, 10)
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    let sku = rows
        .iter()
        .find(|r| r.style.style_code == "KN-1")
        .unwrap()
        .skus[0]
        .id
        .0;
    let (_, key) = parties::add_partner(
        &store,
        NewPartner {
            name: "Kobe".into(),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    let auth = format!("Bearer {}", key.key);

    // A minute ahead of the wall clock: jobs enqueued "now" by the API are due at once.
    let clock = Arc::new(ManualClock::new(
        ddhub_domain::Timestamp::now().plus(std::time::Duration::from_secs(60)),
    ));
    let rx = scripted_receiver(clock.clone()).await;
    let set_endpoint = |url: String| {
        let (router, auth) = (router.clone(), auth.clone());
        async move {
            let (s, _, ep) = call(
                &router,
                Request::put("/api/v1/webhooks/endpoint")
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .body(Body::from(json!({ "url": url }).to_string()))
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{ep}");
            ddhub_orders::webhook::WebhookSecret::parse(ep["secret"].as_str().unwrap()).unwrap()
        }
    };
    let secret = set_endpoint(rx.url.clone()).await;
    let queue = ddhub_store::jobs::JobQueue::with_clock(store.clone(), clock.clone());
    let handler = ddhub_app::jobs::webhook_deliver::WebhookDeliver::with_clock(
        store.clone(),
        true,
        clock.clone(),
    )
    .unwrap();
    let place = |n: u32| {
        let (router, auth) = (router.clone(), auth.clone());
        async move {
            let (s, b) = post(
                &router,
                &auth,
                Some(&format!("wh-{n}")),
                &order(&format!("PO-WH-{n}"), &[(sku, 2)]),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
        }
    };
    let newest_delivery = || {
        let (router, auth) = (router.clone(), auth.clone());
        async move {
            let (_, _, list) = call(
                &router,
                Request::get("/api/v1/webhooks/deliveries")
                    .header("authorization", &auth)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            list[0]["id"].as_i64().unwrap()
        }
    };
    let replay = |id: i64| {
        let (router, auth) = (router.clone(), auth.clone());
        async move {
            let (s, _, _) = call(
                &router,
                Request::post(format!("/api/v1/webhooks/deliveries/{id}/replay"))
                    .header("authorization", &auth)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            s
        }
    };

    // 1. The endpoint fails every time (500): attempts follow the schedule, each delay within
    // its jitter, none a millisecond early, until the delivery is a dead letter.
    rx.fallback.store(500, std::sync::atomic::Ordering::SeqCst);
    place(1).await;
    let d1 = newest_delivery().await;
    let first_attempt = clock.now().millis();
    let mut gaps: Vec<i64> = Vec::new();
    for attempt in 1..=RETRY_SCHEDULE.len() {
        assert_eq!(
            deliver_due(&queue, &handler).await,
            1,
            "{name}: attempt {attempt}"
        );
        let d = delivery(&router, &auth, d1).await;
        assert_eq!(d["attempts"], attempt, "{name}: {d}");
        assert_eq!(d["last_status"], 500, "{name}: {d}");
        if attempt == RETRY_SCHEDULE.len() {
            assert_eq!(d["state"], "dead", "{name}: schedule spent: {d}");
            assert!(d["next_attempt_at"].is_null(), "{name}: {d}");
            break;
        }
        assert_eq!(d["state"], "pending", "{name}: {d}");
        let next = millis(&d["next_attempt_at"]);
        let gap = next - clock.now().millis();
        let nominal = i64::try_from(RETRY_SCHEDULE.get(attempt).unwrap().as_millis()).unwrap();
        let spread = nominal / 1000 * i64::try_from(JITTER_PERMILLE).unwrap();
        assert!(
            (nominal - spread..=nominal + spread).contains(&gap),
            "{name}: delay after attempt {attempt} is {gap} ms, schedule says {nominal} ± {spread}"
        );
        gaps.push(gap);
        // Not due a millisecond early; due at its time.
        clock.set(ddhub_domain::Timestamp(next - 1));
        assert_eq!(deliver_due(&queue, &handler).await, 0, "{name}: early");
        clock.set(ddhub_domain::Timestamp(next));
    }
    let total = clock.now().millis() - first_attempt;
    let nominal_total: i64 = RETRY_SCHEDULE
        .iter()
        .map(|d| i64::try_from(d.as_millis()).unwrap())
        .sum();
    assert_eq!(total, gaps.iter().sum::<i64>());
    assert!(
        (nominal_total * 9 / 10..=nominal_total * 11 / 10).contains(&total)
            && total > 60 * 3600 * 1000,
        "{name}: retries spanned {total} ms, about three days expected"
    );
    let nominal_gaps: Vec<i64> = RETRY_SCHEDULE[1..]
        .iter()
        .map(|d| i64::try_from(d.as_millis()).unwrap())
        .collect();
    assert_ne!(gaps, nominal_gaps, "{name}: no jitter at all");
    // Every attempt carried the same message id, signed at the worker's time.
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), RETRY_SCHEDULE.len());
    let first_id = got[0].0["webhook-id"].to_str().unwrap().to_string();
    for (headers, body, at) in &got {
        ddhub_testkit::contract::check_webhook(body).unwrap();
        let h = |n: &str| headers[n].to_str().unwrap().to_string();
        assert_eq!(h("webhook-id"), first_id);
        assert_eq!(h("webhook-timestamp"), (at / 1000).to_string());
        ddhub_orders::webhook::verify(
            &secret,
            &h("webhook-id"),
            &h("webhook-timestamp"),
            &h("webhook-signature"),
            body.as_bytes(),
            at / 1000,
        )
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    // The dead letter is visible through the API.
    let (_, _, dead) = call(
        &router,
        Request::get("/api/v1/webhooks/deliveries?state=dead")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(dead.as_array().unwrap().len(), 1, "{name}: {dead}");
    assert_eq!(dead[0]["id"], d1);

    // 2. Retry-After: 503 asking two hours is honoured over the 5 s step; 429 asking a day is
    // cut to the six-hour cap; then the endpoint takes it.
    rx.fallback.store(200, std::sync::atomic::Ordering::SeqCst);
    rx.script.lock().unwrap().extend([
        (503, Some("7200".to_string())),
        (429, Some("86400".to_string())),
    ]);
    rx.got.lock().unwrap().clear();
    place(2).await;
    let d2 = newest_delivery().await;
    assert_eq!(deliver_due(&queue, &handler).await, 1);
    let d = delivery(&router, &auth, d2).await;
    assert_eq!(
        millis(&d["next_attempt_at"]) - clock.now().millis(),
        7200 * 1000,
        "{name}: {d}"
    );
    clock.advance(std::time::Duration::from_secs(7199));
    assert_eq!(
        deliver_due(&queue, &handler).await,
        0,
        "{name}: Retry-After ignored"
    );
    clock.advance(std::time::Duration::from_secs(1));
    assert_eq!(deliver_due(&queue, &handler).await, 1);
    let d = delivery(&router, &auth, d2).await;
    assert_eq!(
        millis(&d["next_attempt_at"]) - clock.now().millis(),
        i64::try_from(MAX_RETRY_AFTER.as_millis()).unwrap(),
        "{name}: {d}"
    );
    clock.advance(MAX_RETRY_AFTER);
    assert_eq!(deliver_due(&queue, &handler).await, 1);
    let d = delivery(&router, &auth, d2).await;
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64()),
        (Some("delivered"), Some(3)),
        "{name}: {d}"
    );
    assert_eq!(rx.got.lock().unwrap().len(), 3);

    // 3. Replay of the dead letter: queued again (a second replay while pending is 409), and
    // delivered with its original message id.
    assert_eq!(replay(d1).await, StatusCode::ACCEPTED);
    assert_eq!(replay(d1).await, StatusCode::CONFLICT);
    rx.got.lock().unwrap().clear();
    assert_eq!(deliver_due(&queue, &handler).await, 1);
    let d = delivery(&router, &auth, d1).await;
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64()),
        (Some("delivered"), Some(1)),
        "{name}: {d}"
    );
    assert_eq!(
        rx.got.lock().unwrap()[0].0["webhook-id"].to_str().unwrap(),
        first_id
    );

    // 4. 410 Gone: the delivery is disabled and so is the endpoint; later events queue no
    // delivery until the partner sets an endpoint again, then the disabled one replays.
    rx.script.lock().unwrap().push_back((410, None));
    place(3).await;
    let d3 = newest_delivery().await;
    assert_eq!(deliver_due(&queue, &handler).await, 1);
    let d = delivery(&router, &auth, d3).await;
    assert_eq!(
        (d["state"].as_str(), d["last_status"].as_i64()),
        (Some("disabled"), Some(410)),
        "{name}: {d}"
    );
    place(4).await;
    assert_eq!(
        newest_delivery().await,
        d3,
        "{name}: a delivery queued to a disabled endpoint"
    );
    assert_eq!(deliver_due(&queue, &handler).await, 0);
    let secret = set_endpoint(rx.url.clone()).await;
    rx.got.lock().unwrap().clear();
    assert_eq!(replay(d3).await, StatusCode::ACCEPTED);
    assert_eq!(deliver_due(&queue, &handler).await, 1);
    let d = delivery(&router, &auth, d3).await;
    assert_eq!(d["state"], "delivered", "{name}: {d}");
    let (headers, body, at) = rx.got.lock().unwrap()[0].clone();
    let h = |n: &str| headers[n].to_str().unwrap().to_string();
    ddhub_orders::webhook::verify(
        &secret,
        &h("webhook-id"),
        &h("webhook-timestamp"),
        &h("webhook-signature"),
        body.as_bytes(),
        at / 1000,
    )
    .expect("signed with the new secret");
    eprintln!("{name}: webhook schedule, Retry-After, dead letter, 410 and replay checked");
}

/// The changes cursor under concurrent intake: a partner paging through changes while eight
/// clients place orders sees every event exactly once, in increasing order (an event that
/// committed after a later one must not fall behind the cursor).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_cursor_never_skips_under_concurrent_intake() {
    for db in testing::all("changes_never_skip").await {
        never_skip_on(db).await;
    }
}

async fn never_skip_on(db: testing::TestDb) {
    let name = db.name;
    let e = env(db).await;
    let auth = e.jpy_partner("Nagoya").await;
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
    const WRITERS: usize = 8;
    const EACH: usize = 40;
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (router, auth) = (e.router.clone(), auth.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..EACH {
                let n = w * EACH + i;
                let (s, b) = post(
                    &router,
                    &auth,
                    Some(&format!("ns-{n}")),
                    &order(&format!("NS-{n}"), &[(sku, 2)]),
                )
                .await;
                assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
            }
        }));
    }
    let mut cursor = String::new();
    let mut seen: Vec<i64> = Vec::new();
    let mut finished = false;
    loop {
        let done_before_poll = writers.iter().all(|w| w.is_finished());
        let (s, _, page) = call(
            &e.router,
            Request::get(format!("/api/v1/orders/changes?limit=7&cursor={cursor}"))
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for ev in page["events"].as_array().unwrap() {
            let seq = ev["seq"].as_i64().unwrap();
            assert!(
                seen.last().is_none_or(|l| seq > *l),
                "{name}: seq {seq} after {:?}",
                seen.last()
            );
            seen.push(seq);
        }
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if finished {
            break;
        }
        // One more full pass once every writer has finished before a poll began.
        if done_before_poll && page["has_more"] == false {
            finished = true;
        }
    }
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(
        seen.len(),
        WRITERS * EACH,
        "{name}: the cursor skipped {} events",
        (WRITERS * EACH).saturating_sub(seen.len())
    );
    eprintln!(
        "{name}: {} events polled during concurrent intake, none skipped",
        seen.len()
    );
}

/// Waits until `rx` has received `n` webhooks; answers the last one.
async fn nth_webhook(rx: &Receiver, n: usize) -> (axum::http::HeaderMap, String) {
    let start = std::time::Instant::now();
    while rx.got.lock().unwrap().len() < n {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "webhook {n} never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    rx.got.lock().unwrap()[n - 1].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_signs_beside_the_old_one_until_it_is_ended() {
    use ddhub_orders::webhook::{WebhookSecret, verify};
    let e = crate::uploads::env_with(testing::sqlite().await, |c| c.webhooks_allow_private = true)
        .await;
    let auth = e.jpy_partner("Kyoto").await;
    let rx = receiver().await;
    let send = |method: &str, uri: &str, body: Option<Value>| {
        let b = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", &auth);
        match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        }
    };
    // No endpoint yet: nothing to rotate.
    let (s, _, _) = call(
        &e.router,
        send("POST", "/api/v1/webhooks/endpoint/secret", None),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, _, ep) = call(
        &e.router,
        send(
            "PUT",
            "/api/v1/webhooks/endpoint",
            Some(json!({ "url": rx.url })),
        ),
    )
    .await;
    let old = WebhookSecret::parse(ep["secret"].as_str().unwrap()).unwrap();
    upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let style = list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_code"] == "KN-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, _, st) = call(&e.router, get(&format!("/api/v1/styles/{style}"), &e.key)).await;
    let sku = st["skus"][0]["id"].as_i64().unwrap();
    let (s, _, rotated) = call(
        &e.router,
        send("POST", "/api/v1/webhooks/endpoint/secret", None),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rotated}");
    assert_eq!(rotated["previous_secret_valid"], true);
    let new = WebhookSecret::parse(rotated["secret"].as_str().unwrap()).unwrap();
    let check = |headers: &axum::http::HeaderMap, body: &str, secret: &WebhookSecret| {
        let h = |n: &str| headers[n].to_str().unwrap().to_string();
        verify(
            secret,
            &h("webhook-id"),
            &h("webhook-timestamp"),
            &h("webhook-signature"),
            body.as_bytes(),
            ddhub_domain::Timestamp::now().millis() / 1000,
        )
    };
    // During the switch: two signatures, and a receiver with either secret verifies.
    let (s, _) = post(
        &e.router,
        &auth,
        Some("rot-1"),
        &order("PO-R1", &[(sku, 2)]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (headers, body) = nth_webhook(&rx, 1).await;
    ddhub_testkit::contract::check_webhook(&body).unwrap();
    let sigs = headers["webhook-signature"].to_str().unwrap().to_string();
    assert_eq!(sigs.split(' ').count(), 2, "{sigs}");
    check(&headers, &body, &new).expect("the new secret verifies");
    check(&headers, &body, &old).expect("the old secret still verifies");
    // The partner ends the old secret: only the new one signs.
    let (s, _, _) = call(
        &e.router,
        send("DELETE", "/api/v1/webhooks/endpoint/previous-secret", None),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = call(
        &e.router,
        send("DELETE", "/api/v1/webhooks/endpoint/previous-secret", None),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing left to end");
    let (s, _) = post(
        &e.router,
        &auth,
        Some("rot-2"),
        &order("PO-R2", &[(sku, 2)]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (headers, body) = nth_webhook(&rx, 2).await;
    assert_eq!(
        headers["webhook-signature"]
            .to_str()
            .unwrap()
            .split(' ')
            .count(),
        1
    );
    check(&headers, &body, &new).expect("the new secret verifies");
    assert!(
        check(&headers, &body, &old).is_err(),
        "the old secret is over"
    );
}
