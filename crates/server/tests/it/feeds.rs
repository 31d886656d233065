//! Partner feeds over the real pipeline: every GMC item passes the apparel validator.

use crate::api::call;
use crate::photos::jpeg;
use crate::uploads::{env, upload, zip_of};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
use ddhub_store::parties::{self, NewPartner};
use ddhub_testkit::testing;
use std::io::Read;
use std::time::{Duration, Instant};

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,소재,제조국,사진\n\
KN-1,루즈핏 꽈배기 니트 가디건,니트/가디건,18000,\"블랙,소라\",FREE,아크릴70 울30,한국,kn1.jpg\n\
DL-1,연청 와이드 데님 팬츠,팬츠,21000,연청,25~27,면 100%,한국,dl1.jpg\n\
NP-1,사진 없는 니트,니트,9000,블랙,FREE,,,\n";

async fn body_of(
    router: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap();
    let (s, h) = (res.status(), res.headers().clone());
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (s, h, bytes.to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_pulls_valid_feeds_in_its_language_and_currency() {
    let e = env(testing::sqlite().await).await;
    let store = e.db.store.clone();
    ddhub_store::rates::set_rate(&store, RatePerKrw::parse(Currency::Jpy, "0.108").unwrap())
        .await
        .unwrap();
    let (_, key) = parties::add_partner(
        &store,
        NewPartner {
            name: "Tokyo".into(),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 1500,
            rounding: RoundingRule::WholeUnit,
        },
    )
    .await
    .unwrap();
    let auth = format!("Bearer {}", key.key);
    let bundle = zip_of(&[
        ("kn1.jpg", &jpeg(1200, 1500)),
        ("dl1.jpg", &jpeg(1000, 1300)),
    ]);
    upload(
        &e,
        &[
            ("file", Some("a.csv"), SHEET.as_bytes()),
            ("photos", Some("p.zip"), &bundle),
        ],
    )
    .await;
    // Wait until the photos are normalised and the translations written.
    let start = Instant::now();
    let xml = loop {
        let req = Request::get("/api/v1/feeds/products?format=gmc-xml")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap();
        let (s, _, body) = body_of(&e.router, req).await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let text = String::from_utf8(body).unwrap();
        if text.matches("<item>").count() == 5 && text.contains("カーディガン") {
            break text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "feed never complete: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let report = ddhub_feeds::gmc::validate_feed(xml.as_bytes()).unwrap();
    assert_eq!(
        report.items, 5,
        "KN-1 × 2 colours + DL-1 × 3 sizes; NP-1 has no photo"
    );
    assert!(report.is_ok(), "{:?}", report.failures);
    // 18,000 won × 0.108 = 1,944 yen, +15% = 2,235.6 → whole yen up: 2,236.
    assert!(xml.contains("<g:price>2236 JPY</g:price>"), "{xml}");
    assert!(!xml.contains("꽈배기"), "Korean title in a Japanese feed");

    // Unchanged: 304 with the ETag; gzip decompresses to the same feed.
    let req = Request::get("/api/v1/feeds/products")
        .header("authorization", &auth)
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = body_of(&e.router, req).await;
    let etag = h["etag"].to_str().unwrap().to_string();
    let req = Request::get("/api/v1/feeds/products")
        .header("authorization", &auth)
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    let (s, _, body) = body_of(&e.router, req).await;
    assert_eq!((s, body.len()), (StatusCode::NOT_MODIFIED, 0));
    let req = Request::get("/api/v1/feeds/products")
        .header("authorization", &auth)
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .unwrap();
    let (s, h, gz) = body_of(&e.router, req).await;
    assert_eq!(
        (s, h["content-encoding"].to_str().unwrap()),
        (StatusCode::OK, "gzip")
    );
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut plain)
        .unwrap();
    assert_eq!(plain, xml);

    // CSV and JSON Lines carry the same items.
    let req = Request::get("/api/v1/feeds/products?format=csv")
        .header("authorization", &auth)
        .body(Body::empty())
        .unwrap();
    let (_, _, csv_bytes) = body_of(&e.router, req).await;
    let mut rdr = csv::Reader::from_reader(&csv_bytes[..]);
    assert_eq!(rdr.records().count(), 5);
    let req = Request::get("/api/v1/feeds/products?format=jsonl")
        .header("authorization", &auth)
        .body(Body::empty())
        .unwrap();
    let (_, _, jl) = body_of(&e.router, req).await;
    let lines: Vec<serde_json::Value> = String::from_utf8(jl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);

    // A wholesaler key, an unknown format: refused.
    let req = Request::get("/api/v1/feeds/products")
        .header("authorization", &e.key)
        .body(Body::empty())
        .unwrap();
    let (s, _, _) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let req = Request::get("/api/v1/feeds/products?format=xlsx")
        .header("authorization", &auth)
        .body(Body::empty())
        .unwrap();
    let (s, _, _) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
