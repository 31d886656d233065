//! Issue 17 through the API on every engine: weights from the sheet (무게) and the category's
//! estimate, operator keys, the pickup list in walking order with the amounts due, and
//! receiving with a short count that the partner hears as a partial sold-out.

use crate::api::call;
use crate::uploads::{env_with, get, upload, upload_as};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_testkit::testing;
use serde_json::{Value, json};

const SHEET_A: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,무게\n\
KN-1,꽈배기 니트 가디건,니트/가디건,18000,블랙,FREE,0.35kg\n";
const SHEET_B: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈\n\
SK-9,플리츠 스커트,스커트,21000,아이보리,FREE\n";

fn post(uri: &str, auth: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The only style of the wholesaler with `key`, as the API shows it with its SKUs.
async fn only_style(e: &crate::uploads::Env, key: &str) -> Value {
    let (_, _, list) = call(&e.router, get("/api/v1/styles", key)).await;
    let id = list["styles"][0]["id"].as_i64().unwrap();
    let (_, _, style) = call(&e.router, get(&format!("/api/v1/styles/{id}"), key)).await;
    style
}

async fn answer_all_available(e: &crate::uploads::Env, key: &str) {
    let (_, _, prs) = call(&e.router, get("/api/v1/purchase-requests?state=open", key)).await;
    for pr in prs.as_array().unwrap() {
        answer_available(e, key, pr).await;
    }
}

async fn answer_available(e: &crate::uploads::Env, key: &str, pr: &Value) {
    let lines: Vec<Value> = pr["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!({"line_id": l["line_id"], "answer": "available"}))
        .collect();
    let (s, _, v) = call(
        &e.router,
        post(
            &format!("/api/v1/purchase-requests/{}/answer", pr["id"]),
            key,
            &json!({ "lines": lines }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<none>")
}

async fn pickup_path_on(db: testing::TestDb) {
    let engine = db.name.to_string();
    let e = env_with(db, |c| c.webhooks_allow_private = true).await;
    let partner = e.jpy_partner("Tokyo").await;
    // The partner's webhook endpoint: every event also arrives signed.
    let rx = crate::orders::receiver().await;
    let (s, _, ep) = call(
        &e.router,
        Request::put("/api/v1/webhooks/endpoint")
            .header("authorization", &partner)
            .header("content-type", "application/json")
            .body(Body::from(json!({ "url": rx.url }).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{ep}");
    let secret =
        ddhub_orders::webhook::WebhookSecret::parse(ep["secret"].as_str().unwrap()).unwrap();
    upload(&e, &[("file", Some("a.csv"), SHEET_A.as_bytes())]).await;
    upload_as(
        &e,
        &e.other_key,
        &[("file", Some("b.csv"), SHEET_B.as_bytes())],
    )
    .await;

    // Weights: the sheet's 0.35kg, and the category's estimate for a style without one.
    let a = only_style(&e, &e.key).await;
    assert_eq!(a["weight_grams"], 350, "{a}");
    assert_eq!(
        a["shipping_weight"],
        json!({"grams": 350, "estimated": false})
    );
    let b = only_style(&e, &e.other_key).await;
    assert_eq!(b["weight_grams"], Value::Null, "{b}");
    assert_eq!(b["shipping_weight"]["estimated"], true, "{b}");
    let category = b["category"].as_str().unwrap();
    assert_eq!(
        b["shipping_weight"]["grams"],
        ddhub_domain::weights::default_for(category).grams
    );

    // An operator key; other roles are refused on the operator's routes, and it on theirs.
    let (_, op_key) = ddhub_store::operators::add_operator(&e.db.store, "허브 야간조")
        .await
        .unwrap();
    assert!(op_key.key.starts_with("ddh_o_"), "{}", op_key.key);
    let op = format!("Bearer {}", op_key.key);
    let (s, _, v) = call(&e.router, get("/api/v1/pickups", &e.key)).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::FORBIDDEN, "auth_wrong_role"),
        "{v}"
    );
    let (s, _, _) = call(&e.router, get("/api/v1/purchase-requests", &op)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // One order, a line for each wholesaler; both confirm everything.
    let (sku_a, sku_b) = (a["skus"][0]["id"].clone(), b["skus"][0]["id"].clone());
    let order = json!({
        "partner_order_id": "PO-PICKUP",
        "currency": "JPY",
        "lines": [
            {"sku_id": sku_a, "quantity": 3, "unit_price": "1944"},
            {"sku_id": sku_b, "quantity": 2, "unit_price": "2268"}
        ],
        "ship_to": {"name": "Select Shop Aoyama", "country": "JP", "address_lines": ["5-1-1 Minami-Aoyama"], "postal_code": "107-0062", "phone": "+81 3 1234 5678"},
        "notes": null
    });
    let res = tower::ServiceExt::oneshot(
        e.router.clone(),
        Request::post("/api/v1/orders")
            .header("authorization", &partner)
            .header("content-type", "application/json")
            .header("idempotency-key", "pickup-1")
            .body(Body::from(order.to_string()))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // A second order of the same partner to another consignee: it may not share a parcel.
    let mut other = order.clone();
    other["partner_order_id"] = json!("PO-OSAKA");
    other["lines"] = json!([{"sku_id": sku_a, "quantity": 1, "unit_price": "1944"}]);
    other["ship_to"]["name"] = json!("Osaka Vintage");
    let res = tower::ServiceExt::oneshot(
        e.router.clone(),
        Request::post("/api/v1/orders")
            .header("authorization", &partner)
            .header("content-type", "application/json")
            .header("idempotency-key", "pickup-2")
            .body(Body::from(other.to_string()))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    answer_all_available(&e, &e.key).await;
    answer_all_available(&e, &e.other_key).await;

    // The list: 청평화 2층 A (미소) before B (다른), each with its pieces and amount due at
    // the wholesale price.
    let (s, _, list) = call(&e.router, get("/api/v1/pickups", &op)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let stops = list["stops"].as_array().unwrap();
    let names: Vec<&str> = stops
        .iter()
        .map(|s| s["wholesaler_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["미소", "다른"], "on {engine}: {list}");
    let osaka = stops[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["partner_order_id"] == "PO-OSAKA")
        .unwrap()["line_id"]
        .clone();
    let (s, _, v) = call(
        &e.router,
        post(
            "/api/v1/pickups/receive",
            &op,
            &json!({"lines": [{"line_id": osaka, "received": 1}]}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, _, list) = call(&e.router, get("/api/v1/pickups", &op)).await;
    let stops = list["stops"].as_array().unwrap();
    assert_eq!(stops[0]["amount_due_krw"], 18_000 * 3);
    assert_eq!(stops[1]["amount_due_krw"], 21_000 * 2);
    assert_eq!(list["amount_due_krw"], 18_000 * 3 + 21_000 * 2);
    assert_eq!(stops[0]["lines"][0]["style_code"], "KN-1");
    assert_eq!(stops[0]["lines"][0]["partner_order_id"], "PO-PICKUP");
    let line_a = stops[0]["lines"][0]["line_id"].clone();
    let line_b = stops[1]["lines"][0]["line_id"].clone();
    let (s, _, v) = call(&e.router, get("/api/v1/pickups?date=2026-13-40", &op)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Bad receipts change nothing: more than confirmed, a line twice, an unknown line.
    for (body, status, code) in [
        (
            json!({"lines": [{"line_id": line_a, "received": 4}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"lines": [{"line_id": line_a, "received": 1}, {"line_id": line_a, "received": 1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"lines": [{"line_id": 999_999, "received": 1}]}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let (s, _, v) = call(&e.router, post("/api/v1/pickups/receive", &op, &body)).await;
        assert_eq!(
            (s, error_code(&v)),
            (status, code),
            "on {engine}: {body} → {v}"
        );
    }
    let (_, _, again) = call(&e.router, get("/api/v1/pickups", &op)).await;
    assert_eq!(again, list, "a refused receipt changed the list");

    // A's three pieces arrive; B's unit had one of two: a short count.
    let (s, _, v) = call(
        &e.router,
        post(
            "/api/v1/pickups/receive",
            &op,
            &json!({"lines": [{"line_id": line_a, "received": 3}, {"line_id": line_b, "received": 1}]}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v[0]["state"], "partially_confirmed", "{v}");
    assert_eq!(v[0]["short_lines"], json!([line_b]));
    let (s, _, v) = call(
        &e.router,
        post(
            "/api/v1/pickups/receive",
            &op,
            &json!({"lines": [{"line_id": line_a, "received": 3}]}),
        ),
    )
    .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "conflict"),
        "{v}"
    );
    let (_, _, after) = call(&e.router, get("/api/v1/pickups", &op)).await;
    assert_eq!(after["stops"], json!([]), "{after}");

    // The partner hears the short count: a partial sold-out with the refund of one piece,
    // then the order's new state, after the answers' events.
    let (_, _, page) = call(&e.router, get("/api/v1/orders/changes?limit=100", &partner)).await;
    let events = page["events"].as_array().unwrap();
    let tail: Vec<&str> = events[events.len() - 2..]
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        tail,
        ["order.line.sold_out", "order.partially_confirmed"],
        "{page}"
    );
    let short = &events[events.len() - 2]["data"];
    assert_eq!(short["line_id"], line_b);
    assert_eq!(short["confirmed_quantity"], 1);
    assert_eq!(short["short_count"]["confirmed_before"], 2);
    assert_eq!(short["refund"]["amount"], "2268", "{short}");

    ship_on(&e, &engine, &op, &partner, [line_a, line_b], osaka).await;

    // Every event of the cursor also arrived as a webhook whose signature verifies.
    let (_, _, page) = call(&e.router, get("/api/v1/orders/changes?limit=100", &partner)).await;
    let mut want: Vec<String> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    let start = std::time::Instant::now();
    while rx.got.lock().unwrap().len() < want.len() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "on {engine}: webhooks missing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let now = ddhub_domain::Timestamp::now().millis() / 1000;
    let mut got: Vec<String> = Vec::new();
    for (headers, body) in rx.got.lock().unwrap().iter() {
        ddhub_testkit::contract::check_webhook(body).unwrap();
        let h = |n: &str| headers[n].to_str().unwrap().to_string();
        ddhub_orders::webhook::verify(
            &secret,
            &h("webhook-id"),
            &h("webhook-timestamp"),
            &h("webhook-signature"),
            body.as_bytes(),
            now,
        )
        .expect("the signature verifies");
        let v: Value = serde_json::from_str(body).unwrap();
        got.push(v["type"].as_str().unwrap().to_string());
    }
    want.sort();
    got.sort();
    assert_eq!(got, want, "on {engine}");
    assert!(got.iter().any(|t| t == "order.shipped"));
}

/// The received lines of PO-PICKUP go in one parcel (two wholesalers' goods), quoted and
/// shipped by K-Packet; the partner reads the shipment and hears `order.shipped`.
async fn ship_on(
    e: &crate::uploads::Env,
    engine: &str,
    op: &str,
    partner: &str,
    lines: [Value; 2],
    osaka: Value,
) {
    // One shipment, one consignee; nothing is created when refused.
    let (s, _, v) = call(
        &e.router,
        post(
            "/api/v1/shipments",
            op,
            &json!({"line_ids": [lines[0], osaka]}),
        ),
    )
    .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("consignee"),
        "{v}"
    );
    let (s, _, _) = call(
        &e.router,
        post("/api/v1/shipments", partner, &json!({"line_ids": lines})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, shipment) = call(
        &e.router,
        post("/api/v1/shipments", op, &json!({"line_ids": lines})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "on {engine}: {shipment}");
    assert_eq!(shipment["country"], "JP");
    assert_eq!(shipment["lines"].as_array().unwrap().len(), 2);
    let id = shipment["id"].as_i64().unwrap();
    let (s, _, v) = call(
        &e.router,
        post("/api/v1/shipments", op, &json!({"line_ids": [lines[0]]})),
    )
    .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "conflict"),
        "{v}"
    );

    // Packages: zero and absurd weights are refused; a 1.2 kg parcel of 30 × 20 × 10 cm.
    for bad in [
        json!({"weight_grams": 0, "length_cm": 30, "width_cm": 20, "height_cm": 10}),
        json!({"weight_grams": 900_000, "length_cm": 30, "width_cm": 20, "height_cm": 10}),
        json!({"weight_grams": 1200, "length_cm": 0, "width_cm": 20, "height_cm": 10}),
    ] {
        let (s, _, v) = call(
            &e.router,
            post(&format!("/api/v1/shipments/{id}/packages"), op, &bad),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {v}");
    }
    let (s, _, v) = call(
        &e.router,
        post(
            &format!("/api/v1/shipments/{id}/packages"),
            op,
            &json!({"weight_grams": 1200, "length_cm": 30, "width_cm": 20, "height_cm": 10}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Quotes: K-Packet at its 1,101–1,200 g step for Japan's zone, read off the data file.
    let (s, _, quotes) = call(&e.router, get(&format!("/api/v1/shipments/{id}/quote"), op)).await;
    assert_eq!(s, StatusCode::OK, "{quotes}");
    let kpacket = quotes
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["service"] == "kpacket")
        .unwrap();
    let file: toml::Value = toml::from_str(include_str!(
        "../../../../locales/shipping/rates/kpacket.toml"
    ))
    .unwrap();
    let zone = file["zones"]["JP"].as_integer().unwrap() as usize;
    let step = file["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["from_grams"].as_integer().unwrap() <= 1200
                && 1200 <= s["to_grams"].as_integer().unwrap()
        })
        .unwrap();
    assert_eq!(
        kpacket["total_krw"],
        step["prices_krw"][zone - 1].as_integer().unwrap(),
        "{kpacket}"
    );
    assert!(kpacket["source"].as_str().unwrap().contains("Korea Post"));

    // A new K-Packet table with a gap is refused whole: the quotes stay as they were. One
    // that doubles every price replaces the shipped table.
    let table = include_str!("../../../../locales/shipping/rates/kpacket.toml");
    let gap = table.replacen("from_grams = 101\n", "from_grams = 151\n", 1);
    let err = ddhub_app::services::shipments::load_rate_table(&e.db.store, &gap)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("gap"), "{err}");
    let (_, _, same) = call(&e.router, get(&format!("/api/v1/shipments/{id}/quote"), op)).await;
    assert_eq!(same, quotes);
    let mut doubled: toml::Value = toml::from_str(table).unwrap();
    for step in doubled["steps"].as_array_mut().unwrap() {
        for p in step["prices_krw"].as_array_mut().unwrap() {
            *p = toml::Value::Integer(p.as_integer().unwrap() * 2);
        }
    }
    doubled["source"] = toml::Value::String("test table".into());
    ddhub_app::services::shipments::load_rate_table(
        &e.db.store,
        &toml::to_string(&doubled).unwrap(),
    )
    .await
    .unwrap();
    let (_, _, new) = call(&e.router, get(&format!("/api/v1/shipments/{id}/quote"), op)).await;
    let kp = new
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["service"] == "kpacket")
        .unwrap();
    assert_eq!(
        kp["total_krw"].as_i64().unwrap(),
        kpacket["total_krw"].as_i64().unwrap() * 2
    );
    assert_eq!(kp["source"], "test table");

    // Shipping: a service that does not exist, a missing tracking number, then K-Packet.
    let ship = |body: Value| post(&format!("/api/v1/shipments/{id}/ship"), op, &body);
    let (s, _, v) = call(
        &e.router,
        ship(json!({"service": "pigeon", "tracking_numbers": ["X1"]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _, v) = call(
        &e.router,
        ship(json!({"service": "kpacket", "tracking_numbers": []})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _, v) = call(
        &e.router,
        ship(json!({"service": "kpacket", "tracking_numbers": ["LK123456789KR"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "on {engine}: {v}");
    assert_eq!(v["state"], "shipped");
    assert_eq!(v["packages"][0]["tracking_number"], "LK123456789KR");
    let (s, _, _) = call(
        &e.router,
        ship(json!({"service": "kpacket", "tracking_numbers": ["LK123456789KR"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The partner: its shipment readable, the order shipped, the events in order.
    let (s, _, mine) = call(&e.router, get(&format!("/api/v1/shipments/{id}"), partner)).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["packages"][0]["tracking_number"], "LK123456789KR");
    let stranger = e.jpy_partner("Nagoya").await;
    let (s, _, _) = call(
        &e.router,
        get(&format!("/api/v1/shipments/{id}"), &stranger),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = call(&e.router, get(&format!("/api/v1/shipments/{id}"), &e.key)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let order_id = mine["order_ids"][0].as_i64().unwrap();
    let (_, _, order) = call(
        &e.router,
        get(&format!("/api/v1/orders/{order_id}"), partner),
    )
    .await;
    assert_eq!(order["state"], "shipped", "{order}");
    let (_, _, page) = call(&e.router, get("/api/v1/orders/changes?limit=100", partner)).await;
    let events = page["events"].as_array().unwrap();
    let tail: Vec<&str> = events[events.len() - 2..]
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(tail, ["order.packed", "order.shipped"], "{page}");
    let shipped = &events[events.len() - 1]["data"];
    assert_eq!(shipped["shipment"]["shipment_id"], id);
    assert_eq!(
        shipped["shipment"]["tracking_numbers"],
        json!(["LK123456789KR"])
    );
    assert_eq!(shipped["partial"], false);

    label_of(e, op, id).await;
    declaration_of(e, op, id).await;
}

/// The label's barcode, rendered to an image (pdftoppm) and read back by an independent
/// decoder (zbarimg, Debian's zbar-tools), is the tracking number.
async fn label_of(e: &crate::uploads::Env, op: &str, id: i64) {
    let res = tower::ServiceExt::oneshot(
        e.router.clone(),
        get(&format!("/api/v1/shipments/{id}/labels"), op),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(pdf.starts_with(b"%PDF"));
    let tools = ["pdftoppm", "zbarimg"]
        .iter()
        .all(|t| std::process::Command::new(t).arg("-h").output().is_ok());
    if !tools {
        println!(
            "label barcode not decoded: pdftoppm and zbarimg are missing (scripts/install-deps.sh installs poppler-utils and zbar-tools)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("label.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let png = dir.path().join("label");
    let ok = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(&path)
        .arg(&png)
        .status()
        .unwrap();
    assert!(ok.success());
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q", "-Scode128.enable"])
        .arg(dir.path().join("label.png"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "LK123456789KR",
        "{out:?}"
    );
}

/// The worksheet read back with a real XLSX reader (calamine): Korean headers, one row per
/// shipped line with the order number, quantity, destination, carrier and tracking number.
async fn declaration_of(e: &crate::uploads::Env, op: &str, id: i64) {
    use calamine::{Reader, Xlsx};
    // Without a dollar rate there are no declared values: refused, with the reason.
    let (s, _, v) = call(&e.router, get(&format!("/api/v1/declarations/{id}"), op)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let usd = ddhub_domain::RatePerKrw::parse(ddhub_domain::Currency::Usd, "0.00072").unwrap();
    ddhub_store::rates::set_rate(&e.db.store, usd)
        .await
        .unwrap();
    let res = tower::ServiceExt::oneshot(
        e.router.clone(),
        get(&format!("/api/v1/declarations/{id}?format=xlsx"), op),
    )
    .await
    .unwrap();
    let status = res.status();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let (_, headers, _) = call(
        &e.router,
        get(&format!("/api/v1/declarations/{id}?format=xlsx"), op),
    )
    .await;
    assert_eq!(headers["x-declaration-batches"], "1");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("간이수출신고").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    assert_eq!(rows.len(), 3, "{rows:?}");
    let quantities: Vec<&str> = rows[1..].iter().map(|r| r[col("수량")].as_str()).collect();
    let mut q = quantities.clone();
    q.sort();
    assert_eq!(
        q,
        ["1", "3"],
        "the short line declares what arrived: {rows:?}"
    );
    for r in &rows[1..] {
        assert_eq!(r[col("주문번호")], "PO-PICKUP");
        assert_eq!(r[col("목적국")], "JP");
        assert_eq!(r[col("운송장번호")], "LK123456789KR");
        assert_eq!(r[col("특송업체부호")], "KPOST");
        // No 10-digit HSK table yet: the six HS digits, marked for the broker.
        assert_eq!(r[col("HS부호(10자리)")].len(), 6, "{r:?}");
        assert!(r[col("비고")].contains("HSK"), "{r:?}");
        assert!(
            r[col("신고금액(원)")].parse::<f64>().unwrap() > 0.0,
            "{r:?}"
        );
    }
    let (s, _, csv) = call(
        &e.router,
        get(&format!("/api/v1/declarations/{id}?format=csv"), op),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = csv.as_str().unwrap();
    assert!(text.starts_with("\u{feff}주문번호,품명(영문)"), "{text}");
    let (s, _, v) = call(
        &e.router,
        get(&format!("/api/v1/declarations/{id}?batch=2"), op),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pickup_and_receiving_through_the_api_on_every_engine() {
    let dbs = testing::all("pickups").await;
    if dbs.len() < 2 {
        println!("pickup test: only SQLite; set DDHUB_TEST_POSTGRES_URL to run PostgreSQL too");
    }
    for db in dbs {
        pickup_path_on(db).await;
    }
}
