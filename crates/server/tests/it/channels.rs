//! Marketplace channels over the real pipeline: a partner on Shopify pulls its CSV (the format
//! from its settings), sees in diagnostics why styles are missing, and orders with the ids it
//! pulled; on every engine.

use crate::api::call;
use crate::photos::jpeg;
use crate::uploads::{env, get, upload, zip_of};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
use ddhub_store::parties::{self, NewPartner};
use ddhub_testkit::testing;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,소재,제조국,사진\n\
KN-1,루즈핏 꽈배기 니트 가디건,니트/가디건,18000,\"블랙,소라\",FREE,아크릴70 울30,한국,kn1.jpg\n\
DL-1,연청 와이드 데님 팬츠,팬츠,21000,연청,25~27,면 100%,한국,dl1.jpg\n\
SM-1,작은 사진 니트,니트,9000,블랙,FREE,,,sm1.jpg\n\
NP-1,사진 없는 니트,니트,9000,블랙,FREE,,,\n";

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap();
    let s = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (s, ct, bytes.to_vec())
}

fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_partner_pulls_its_csv_sees_why_and_orders_by_feed_item_id() {
    for db in testing::all("channels_shopify").await {
        shopify_on(db).await;
    }
}

async fn shopify_on(db: testing::TestDb) {
    let e = env(db).await;
    let store = e.db.store.clone();
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Usd, "0.00072").unwrap())
        .await
        .unwrap();
    let (_, key) = parties::add_partner(
        &store,
        NewPartner {
            name: "Seoul Closet".into(),
            locale: Locale::En,
            currency: Currency::Usd,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    let auth = format!("Bearer {}", key.key);
    // The format lives in the partner's settings; the route takes it when format= is absent.
    let (s, _, body) = send(
        &e.router,
        Request::put("/api/v1/feeds/settings")
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body(Body::from(json!({"format": "shopify-csv"}).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let bundle = zip_of(&[
        ("kn1.jpg", &jpeg(1200, 1500)),
        ("dl1.jpg", &jpeg(1000, 1300)),
        // Phone-sized thumbnail: under the Google profile's 500 px.
        ("sm1.jpg", &jpeg(300, 400)),
    ]);
    upload(
        &e,
        &[
            ("file", Some("a.csv"), SHEET.as_bytes()),
            ("photos", Some("p.zip"), &bundle),
        ],
    )
    .await;
    let start = Instant::now();
    let rows = loop {
        let (s, ct, body) = send(&e.router, get("/api/v1/feeds/products", &auth)).await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert!(ct.starts_with("text/csv"), "{ct}");
        let text = String::from_utf8(body).unwrap();
        let rows = csv_rows(&text);
        let variants = rows.iter().filter(|r| !r["Variant SKU"].is_empty()).count();
        if variants == 5 {
            break rows;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "feed never complete: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        rows[0].keys().len(),
        ddhub_feeds::channels::shopify::COLUMNS.len()
    );
    assert!(
        rows.iter()
            .all(|r| !r["Title"].chars().any(|c| ('가'..='힣').contains(&c))),
        "English titles only"
    );

    // Diagnostics: the styles missing from the file, each with its reason and code (once the
    // small photo is normalised; until then SM-1 has no ready photo).
    let d = loop {
        let (s, _, d) = call(&e.router, get("/api/v1/feeds/diagnostics", &auth)).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        if d.to_string().contains("photo_below_profile") {
            break d;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(d["format"], "shopify-csv");
    assert_eq!(d["styles_in"], 4);
    assert_eq!(d["styles_out"], 2);
    assert_eq!(d["items_out"], 5);
    let reason = |code: &str| -> Value {
        d["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["style_code"] == code)
            .unwrap_or_else(|| panic!("{code} missing from {d}"))["issues"][0]["reason"]
            .clone()
    };
    assert_eq!(reason("NP-1"), "no_photo");
    assert_eq!(reason("SM-1"), "photo_below_profile");
    assert_eq!(d["left_out_by_reason"]["no_photo"], 1);
    // The wholesaler sees the same per channel in its console, in Korean.
    let key = e.key.trim_start_matches("Bearer ").to_string();
    let (session, _) = crate::pages::sign_in(&e, &key).await;
    let cookie = crate::pages::cookie_pair(&session);
    let (s, _, html) = crate::pages::page(&e, "/console/channels", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("Seoul Closet") && html.contains("shopify-csv"),
        "{html}"
    );
    let row = |code: &str| {
        let at = html
            .find(&format!("<td>{code}</td>"))
            .unwrap_or_else(|| panic!("{code}: {html}"));
        html[at..].split("</tr>").next().unwrap().to_string()
    };
    assert!(row("NP-1").contains("사진 없음"), "{html}");
    assert!(row("SM-1").contains("사진이 채널 규격보다 작음"), "{html}");
    assert!(
        !html.contains("<td>KN-1</td>"),
        "a ready style is not listed as a problem"
    );
    // Another channel, asked for by name: Yahoo! lists in yen, this partner pays in dollars.
    let (s, _, y) = call(
        &e.router,
        get("/api/v1/feeds/diagnostics?format=yahoo-shopping-csv", &auth),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(y["items_out"], 0);
    assert_eq!(y["left_out_by_reason"]["currency"], 2, "{y}");
    let (s, ct, _) = send(
        &e.router,
        get("/api/v1/feeds/products?format=yahoo-shopping-csv", &auth),
    )
    .await;
    assert_eq!(
        (s, ct.as_str()),
        (
            StatusCode::OK,
            "text/csv; charset=shift_jis; header=present"
        )
    );
    let (s, _, bad) = call(
        &e.router,
        get("/api/v1/feeds/diagnostics?format=amazon", &auth),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");

    // The image bundle for Shopee (which takes only its own hosted images): every photo the
    // channel lists, named after the item, and a manifest.
    let (s, ct, zip_bytes) = send(
        &e.router,
        get("/api/v1/feeds/images?format=shopee-global", &auth),
    )
    .await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"manifest.csv".to_string()));
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("manifest.csv").unwrap(), &mut manifest)
        .unwrap();
    let listed = csv_rows(&manifest);
    assert_eq!(listed.len(), 2, "{manifest}");
    for r in &listed {
        assert!(r["file"].ends_with("_1.jpg") && r["file"].starts_with(&r["item_code"]));
        let mut jpeg = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(&r["file"]).unwrap(), &mut jpeg).unwrap();
        assert_eq!(jpeg.len().to_string(), r["bytes"]);
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
    }

    // An order by the ids the partner pulled (Shopify's Variant SKU is the feed item id).
    let kn: Vec<&std::collections::HashMap<String, String>> = rows
        .iter()
        .filter(|r| r["Handle"].contains("kn-1") && !r["Variant SKU"].is_empty())
        .collect();
    assert_eq!(kn.len(), 2);
    let line = |r: &std::collections::HashMap<String, String>, q: u32| json!({"item_id": r["Variant SKU"], "quantity": q, "unit_price": r["Variant Price"]});
    let order = json!({
        "partner_order_id": "SC-1",
        "currency": "USD",
        "lines": [line(kn[0], 1), line(kn[1], 1)],
        "ship_to": {"name": "Seoul Closet", "country": "US", "address_lines": ["1 Main St", "Austin TX"], "postal_code": "73301", "phone": "+1 512 555 0100"},
    });
    let (s, _, placed) = call(
        &e.router,
        Request::post("/api/v1/orders")
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .header("idempotency-key", "sc-1")
            .body(Body::from(order.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{placed}");
    // The lines are the SKUs of those colours.
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
    let mut expected: Vec<i64> = style["skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_i64().unwrap())
        .collect();
    let mut got: Vec<i64> = placed["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sku_id"].as_i64().unwrap())
        .collect();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected, "{placed}");
    // An id no feed gave is refused on its own field.
    let mut unknown = order.clone();
    unknown["partner_order_id"] = json!("SC-2");
    unknown["lines"] =
        json!([{"item_id": "1-NOPE-black-free", "quantity": 1, "unit_price": "1.00"}]);
    let (s, _, refused) = call(
        &e.router,
        Request::post("/api/v1/orders")
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .header("idempotency-key", "sc-2")
            .body(Body::from(unknown.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("item_id"), "{refused}");
}
