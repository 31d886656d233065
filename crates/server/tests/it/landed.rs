//! Delivered price (landed cost, issue 19) through the public API and on the style page. The
//! figures are worked by hand from locales/landed/rules.tsv, the shipped carrier rate tables
//! (locales/shipping/rates) and the category shipping weights
//! (locales/shipping/default_weights.tsv); see crates/orders/tests/it/landed.rs.

use crate::api::call;
use crate::uploads::{env, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, RatePerKrw};
use ddhub_testkit::testing;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,소재,제조국,최소주문수량\n\
BL-1,쉬폰 블라우스,블라우스,18000,블랙,FREE,폴리에스터 100%,한국,2\n\
KN-1,루즈핏 니트,니트,18000,블랙,FREE,아크릴 100%,한국,2\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landed_cost_api_and_style_page() {
    for db in testing::all("landed_cost").await {
        let e = env(db).await;
        ddhub_store::rates::set_rate(
            &e.db.store,
            RatePerKrw::parse(Currency::Jpy, "0.108").unwrap(),
        )
        .await
        .unwrap();
        upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
        let (_, _, list) = call(
            &e.router,
            Request::get("/api/v1/styles")
                .header("authorization", &e.key)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        let id_of = |code: &str| {
            list["styles"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["style_code"] == code)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let get = |qs: String| {
            Request::get(format!("/api/v1/landed-cost?{qs}"))
                .body(Body::empty())
                .unwrap()
        };

        // Woven blouse, 2 pieces (MOQ) to Japan: 2 × 200 g (tops/blouse) + 200 g carton =
        // 600 g → K-Packet zone 1 (501–600 g) ₩7,450; ₩36,000 + ₩7,450 = CIF ₩43,450 (¥4,693)
        // within ¥10,000: waived. In yen (half up): goods ¥3,888, shipping 804.6 → ¥805,
        // total ¥4,693.
        let (s, _, v) = call(
            &e.router,
            get(format!("style_id={}&country=JP", id_of("BL-1"))),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["estimate"], true);
        assert_eq!(v["quantity"], 2);
        assert_eq!(v["hs_code"], "6206.40");
        assert_eq!(
            v["goods"],
            serde_json::json!({"amount": "3888", "currency": "JPY"})
        );
        assert_eq!(v["shipping"]["amount"], "805");
        assert_eq!(v["shipping_grams"], 600);
        assert_eq!(v["weight_estimated"], true);
        assert_eq!(
            (v["duty"]["amount"].as_str(), v["tax"]["amount"].as_str()),
            (Some("0"), Some("0"))
        );
        assert_eq!(v["total"]["amount"], "4693");
        let ids: Vec<&str> = v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"JP.de_minimis"), "{ids:?}");
        // The shipping line cites the carrier table the shipments service prices with.
        assert!(ids.contains(&"shipping.kpacket.JP"), "{ids:?}");
        assert!(
            v["rules"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| !r["source"].as_str().unwrap().is_empty())
        );

        // Knitted, same value: not covered (JP.de_minimis_excludes). 2 × 400 g (tops/knit) +
        // 200 g = 1,000 g → K-Packet zone 1 ₩10,050; CIF ₩46,050; duty 10.9% = 5,019.45 →
        // 5,019; tax 10% × 51,069 = 5,106.9 → 5,107; total 36,000 + 10,050 + 5,019 + 5,107 =
        // ₩56,176.
        let (_, _, k) = call(
            &e.router,
            get(format!(
                "style_id={}&country=JP&currency=KRW",
                id_of("KN-1")
            )),
        )
        .await;
        assert_eq!(k["hs_code"], "6110.30");
        assert_eq!(
            k["total"],
            serde_json::json!({"amount": "56176", "currency": "KRW"}),
            "{k}"
        );

        // Bad input is a 400, an unknown style a 404.
        for qs in [
            format!("style_id={}&country=BR", id_of("BL-1")),
            format!("style_id={}&country=JP&quantity=1", id_of("BL-1")),
            format!("style_id={}&country=JP&currency=XYZ", id_of("BL-1")),
        ] {
            let (s, _, v) = call(&e.router, get(qs.clone())).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{qs}: {v}");
        }
        let (s, _, _) = call(&e.router, get("style_id=999999&country=JP".into())).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The style page in yen says what it costs delivered to Japan.
        let req = Request::get(format!("/styles/{}?locale=en&currency=JPY", id_of("BL-1")))
            .body(Body::empty())
            .unwrap();
        let res = e.router.clone().oneshot(req).await.unwrap();
        let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
            .unwrap();
        assert!(
            html.contains("About ¥4,693 delivered to Japan: shipping ¥805, duty and tax ¥0"),
            "{html}"
        );
        let _: Value = v;
    }
}
