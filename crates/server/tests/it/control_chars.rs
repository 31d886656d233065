//! NUL and other control characters (issue 16): a sheet keeps its rows with the characters
//! removed and a warning in Korean; a JSON body is refused naming the field; both engines
//! alike (PostgreSQL used to kill the upload job and answer 500, SQLite stored the bytes).

use crate::api::call;
use crate::uploads::{env, get, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_testkit::testing;
use serde_json::json;

fn put_json(uri: &str, key: &str, body: String) -> Request<Body> {
    Request::put(uri)
        .header("authorization", key)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_stripped_from_sheets_and_refused_in_json() {
    for db in testing::all("control_chars").await {
        let name = db.name;
        let e = env(db).await;
        // A sheet with a NUL in a title and a bell in a colour cell: read, stored without them,
        // one warning per row.
        let sheet = "상품코드,상품명,카테고리,도매가,색상,사이즈\n\
                     KN-1,꽈배기\u{0}니트,니트,18000,블랙,FREE\n\
                     KN-2,골지 니트,니트,15000,블\u{7}랙,FREE\n";
        let done = upload(&e, &[("file", Some("a.csv"), sheet.as_bytes())]).await;
        assert_eq!(done["state"], "done", "{name}: {done}");
        assert_eq!(done["styles_created"], 2, "{name}: {done}");
        let id = done["upload_id"].as_i64().or(done["id"].as_i64()).unwrap();
        let (_, _, report) = call(
            &e.router,
            get(&format!("/api/v1/catalog/uploads/{id}/errors"), &e.key),
        )
        .await;
        let warnings: Vec<_> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["code"] == "control_characters")
            .collect();
        assert_eq!(warnings.len(), 2, "{name}: {report}");
        assert_eq!(warnings[0]["severity"], "warning");
        assert!(
            warnings[0]["message_ko"]
                .as_str()
                .unwrap()
                .contains("제어 문자"),
            "{name}: {}",
            warnings[0]
        );
        let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
        let titles: Vec<&str> = list["styles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["title_ko"].as_str().unwrap())
            .collect();
        assert!(titles.contains(&"꽈배기니트"), "{name}: {titles:?}");

        // A JSON style with an escaped NUL: 422 naming the field, nothing stored.
        let style = json!({
            "title_ko": "셔링 블라우스\u{0}",
            "category": "tops/blouse",
            "price_krw": 21000,
            "moq": 1,
            "composition": [],
            "colours": ["black"],
            "sizes": ["free"]
        });
        let (s, _, v) = call(
            &e.router,
            put_json("/api/v1/styles/by-code/BL-1", &e.key, style.to_string()),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert_eq!(v["error"]["code"], "invalid_body");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/title_ko"),
            "{name}: {v}"
        );
        let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
        assert_eq!(list["styles"].as_array().unwrap().len(), 2, "{name}");

        // A column mapping whose header name holds one: refused the same way.
        let mapping = json!({"columns": {"내\u{0}코드": "style_code"}});
        let (s, _, v) = call(
            &e.router,
            put_json(
                "/api/v1/catalog/column-mapping",
                &e.key,
                mapping.to_string(),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/columns/"),
            "{name}: {v}"
        );

        // An order refused for one spends no idempotency key: the corrected retry with the
        // same key is placed.
        let auth = e.jpy_partner("Kobe").await;
        let style_id = list["styles"][0]["id"].as_i64().unwrap();
        let (_, _, style) = call(
            &e.router,
            get(&format!("/api/v1/styles/{style_id}"), &e.key),
        )
        .await;
        let sku = style["skus"][0]["id"].as_i64().unwrap();
        let price = if style["style_code"] == "KN-1" {
            "1944"
        } else {
            "1620"
        };
        let order = |ship_name: &str| {
            json!({
                "partner_order_id": "PO-CTRL",
                "currency": "JPY",
                "lines": [{"sku_id": sku, "quantity": 1, "unit_price": price}],
                "ship_to": {"name": ship_name, "country": "JP", "address_lines": ["1-1 Kobe"], "postal_code": "650-0001", "phone": "+81 78 123 4567"},
                "notes": null
            })
            .to_string()
        };
        let place = |body: String| {
            Request::post("/api/v1/orders")
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .header("idempotency-key", "ctrl-1")
                .body(Body::from(body))
                .unwrap()
        };
        let (s, _, v) = call(&e.router, place(order("Shop\u{0}Kobe"))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/ship_to/name"),
            "{name}: {v}"
        );
        let (s, _, v) = call(&e.router, place(order("Shop Kobe"))).await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {v}");
    }
}
