//! Delivered price (landed cost, issue 19) through the public API and on the style page. The
//! figures are worked by hand from locales/landed (see crates/orders/tests/it/landed.rs).

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

        // Woven blouse, 2 pieces (MOQ) to Japan: ₩36,000 + EMS 1 kg ₩26,500 = CIF ₩62,500
        // (¥6,750) within ¥10,000: waived. In yen: goods ¥3,888, shipping ¥2,862, total ¥6,750.
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
        assert_eq!(v["shipping"]["amount"], "2862");
        assert_eq!(
            (v["duty"]["amount"].as_str(), v["tax"]["amount"].as_str()),
            (Some("0"), Some("0"))
        );
        assert_eq!(v["total"]["amount"], "6750");
        let ids: Vec<&str> = v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"JP.de_minimis"), "{ids:?}");
        assert!(
            v["rules"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| !r["source"].as_str().unwrap().is_empty())
        );

        // Knitted, same value: not covered (JP.de_minimis_excludes): ₩76,244 in won.
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
            serde_json::json!({"amount": "76244", "currency": "KRW"}),
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
            html.contains("About ¥6,750 delivered to Japan: shipping ¥2,862, duty and tax ¥0"),
            "{html}"
        );
        let _: Value = v;
    }
}
