//! Measured sizes (실측, issue 19) end to end: a sheet's measures on the API's style view and
//! on the storefront's style page, in cm and, for en-US buyers, inches, labels in the buyer's
//! language; a style sent by a program with an implausible measure is refused.

use crate::api::call;
use crate::uploads::{Env, env, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, RatePerKrw};
use ddhub_testkit::testing;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,실측사이즈,모델착용\n\
KN-1,루즈핏 니트 가디건,니트/가디건,18000,블랙,\"S,M\",\"S: 어깨38 가슴단면48 총장62 / M: 어깨40 가슴단면50 총장64\",모델 168cm 55 착용\n";

async fn page(e: &Env, uri: &str, lang: &str) -> String {
    let req = Request::get(uri)
        .header("accept-language", lang)
        .body(Body::empty())
        .unwrap();
    let res = e.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measured_sizes_on_the_api_and_the_style_page() {
    for db in testing::all("measured_sizes").await {
        let e = env(db).await;
        for (c, r) in [(Currency::Usd, "0.00075"), (Currency::Jpy, "0.108")] {
            ddhub_store::rates::set_rate(&e.db.store, RatePerKrw::parse(c, r).unwrap())
                .await
                .unwrap();
        }
        let report = upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
        assert_eq!(report["state"], "done", "{report}");
        let (s, _, list) = call(
            &e.router,
            Request::get("/api/v1/styles")
                .header("authorization", &e.key)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let id = list["styles"][0]["id"].as_i64().unwrap();
        let (s, _, view) = call(
            &e.router,
            Request::get(format!("/api/v1/styles/{id}"))
                .header("authorization", &e.key)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{view}");
        assert_eq!(
            view["measurements"],
            json!([
                {"size": "s", "shoulder": 38.0, "chest_half": 48.0, "length": 62.0},
                {"size": "m", "shoulder": 40.0, "chest_half": 50.0, "length": 64.0},
            ]),
            "{view}"
        );
        assert_eq!(view["fit_note"], "모델 168cm 55 착용");

        // An en-US buyer: cm with inches (48 cm = 18.9 in), English labels, the half measure
        // labelled as flat, the fit note read.
        let us = page(&e, &format!("/styles/{id}?locale=en&currency=USD"), "en-US").await;
        assert!(us.contains("Measured sizes"), "{us}");
        assert!(us.contains("Chest (flat)"));
        assert!(us.contains("<td>48 (18.9)</td>"), "{us}");
        assert!(us.contains("<td>62 (24.4)</td>"));
        assert!(us.contains("in cm (inches)"));
        assert!(us.contains("Model: 168 cm"), "{us}");
        // A Japanese buyer: cm only, Japanese labels.
        let ja = page(&e, &format!("/styles/{id}?locale=ja&currency=JPY"), "ja").await;
        assert!(ja.contains("実寸"), "{ja}");
        assert!(ja.contains("身幅(片面)"));
        assert!(ja.contains("<td>48</td>"));
        assert!(!ja.contains("(18.9)"));

        // A program's style: measures round-trip; a chest of 5 cm is refused.
        let put = |body: Value| {
            Request::put("/api/v1/styles/by-code/PT-9")
                .header("authorization", &e.key)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let base = json!({"title_ko": "와이드 팬츠", "category": "bottoms/pants", "price_krw": 21000,
            "colours": ["black"], "sizes": ["m"], "fit_note": "모델 170cm M 착용",
            "measurements": [{"size": "m", "waist_half": 35.5, "rise": 30, "thigh": 31}]});
        let (s, _, v) = call(&e.router, put(base.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (_, _, got) = call(
            &e.router,
            Request::get(format!("/api/v1/styles/{}", v["id"]))
                .header("authorization", &e.key)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(got["measurements"][0]["waist_half"], 35.5);
        let mut bad = base;
        bad["measurements"][0]["chest_half"] = json!(5);
        let (s, _, v) = call(&e.router, put(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("chest_half"), "{v}");

        // Search by a measure range: a style matches when one of its sizes does.
        let search = |qs: &str| {
            Request::get(format!("/api/v1/search?locale=en&currency=KRW&{qs}"))
                .body(Body::empty())
                .unwrap()
        };
        let start = std::time::Instant::now();
        loop {
            let (_, _, all) = call(&e.router, search("")).await;
            if all["total"] == 2 {
                break;
            }
            assert!(start.elapsed().as_secs() < 30, "never indexed: {all}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        for (qs, want) in [
            ("measure=length:63..", vec![id]),
            ("measure=length:64", vec![id]),
            ("measure=length:70..", vec![]),
            ("measure=length:..61.5", vec![]),
            ("measure=length:60..70,chest_half:..48", vec![id]),
            ("measure=thigh:30..", vec![got["id"].as_i64().unwrap()]),
        ] {
            let (s, _, v) = call(&e.router, search(qs)).await;
            assert_eq!(s, StatusCode::OK, "{qs}: {v}");
            let ids: Vec<i64> = v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["style_id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids, want, "{qs}");
        }
        let (s, _, v) = call(&e.router, search("measure=collar:40..")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    }
}
