//! Auth, tenancy, errors and OpenAPI through the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_app::worker::JobSignal;
use ddhub_domain::style::{Quantity, StockState, StyleState};
use ddhub_domain::{Currency, Krw, Locale, RoundingRule, WholesalerId};
use ddhub_server::{App, Config, router};
use ddhub_store::catalog::{self, StyleInput, UpsertOutcome};
use ddhub_store::parties::{self, NewPartner};
use ddhub_store::{Store, keys};
use ddhub_testkit::TestApp;
use ddhub_testkit::testing::{self, TestDb};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The API tests' catalog over the one test builder: [`TestApp`]'s two wholesalers with a
/// style each, and a partner.
pub struct Fixture {
    pub t: TestApp,
    pub router: axum::Router,
    pub key_a: String,
    pub key_a_id: String,
    pub key_b: String,
    pub partner_key: String,
    pub style_a: i64,
    pub style_b: i64,
}

async fn style(store: &Store, w: WholesalerId, code: &str) -> i64 {
    let input = StyleInput {
        style_code: code.into(),
        title_ko: "반폴라 골지 니트".into(),
        category: "tops/knit".into(),
        price: Krw(14_500),
        moq: Quantity(3),
        composition: vec![],
        origin: None,
        season: None,
        same_day_dispatch: false,
        weight_grams: None,
        description_ko: None,
        state: StyleState::Active,
        extra: Default::default(),
        skus: vec![("black".into(), "free".into(), StockState::InStock)],
        measurements: Vec::new(),
        fit_note: None,
    };
    let txn = store.begin_write().await.unwrap();
    let out = catalog::upsert_style(&txn, w, &input).await.unwrap();
    txn.commit().await.unwrap();
    match out {
        UpsertOutcome::Created(id) => id.0,
        other => panic!("{other:?}"),
    }
}

pub async fn fixture(db: TestDb) -> Fixture {
    let t = TestApp::init(db).without_search().build().await;
    let s = t.db.store.clone();
    let (_, pkey) = parties::add_partner(
        &s,
        NewPartner {
            name: "P".into(),
            locale: Locale::Ja,
            currency: Currency::Jpy,
            markup_bp: 0,
            rounding: RoundingRule::None,
        },
    )
    .await
    .unwrap();
    let style_a = style(&s, t.wholesaler, "A-STYLE").await;
    let style_b = style(&s, t.other_wholesaler, "B-STYLE").await;
    let raw = |bearer: &str| bearer.trim_start_matches("Bearer ").to_string();
    Fixture {
        router: t.router.clone(),
        key_a: raw(&t.key),
        key_a_id: t.key_id.clone(),
        key_b: raw(&t.other_key),
        partner_key: pkey.key,
        style_a,
        style_b,
        t,
    }
}

pub async fn call(
    router: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, headers, body)
}

pub fn get(uri: &str, auth: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::empty()).unwrap()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

#[tokio::test]
async fn every_bad_key_gets_401_with_its_own_code() {
    for db in testing::all("auth").await {
        let f = fixture(db).await;
        for uri in [
            "/api/v1/styles".to_string(),
            format!("/api/v1/styles/{}", f.style_a),
        ] {
            let (s, _, b) = call(&f.router, get(&uri, None)).await;
            assert_eq!(
                (s, code(&b)),
                (StatusCode::UNAUTHORIZED, "auth_missing"),
                "{uri}"
            );
            for bad in [
                "Basic abc",
                "Bearer",
                "Bearer ddh_w_short",
                "ddh_w_x",
                "Bearer ddh_q_0123456789ab_00",
            ] {
                let (s, _, b) = call(&f.router, get(&uri, Some(bad))).await;
                assert_eq!(
                    (s, code(&b)),
                    (StatusCode::UNAUTHORIZED, "auth_malformed"),
                    "{bad}"
                );
            }
            let wrong = format!("Bearer ddh_w_{}_{}", f.key_a_id, "0".repeat(64));
            let (s, _, b) = call(&f.router, get(&uri, Some(&wrong))).await;
            assert_eq!(
                (s, code(&b)),
                (StatusCode::UNAUTHORIZED, "auth_invalid_key")
            );
            let unknown = format!("Bearer ddh_w_{}_{}", "f".repeat(12), "0".repeat(64));
            let (s, _, b) = call(&f.router, get(&uri, Some(&unknown))).await;
            assert_eq!(
                (s, code(&b)),
                (StatusCode::UNAUTHORIZED, "auth_invalid_key")
            );
            let (s, _, b) = call(
                &f.router,
                get(&uri, Some(&format!("Bearer {}", f.partner_key))),
            )
            .await;
            assert_eq!((s, code(&b)), (StatusCode::FORBIDDEN, "auth_wrong_role"));
            let (s, _, _) = call(&f.router, get(&uri, Some(&format!("bearer {}", f.key_a)))).await;
            assert_eq!(s, StatusCode::OK, "the scheme is case-insensitive");
        }
        keys::revoke(&f.t.db.store, &f.key_a_id).await.unwrap();
        let (s, _, b) = call(
            &f.router,
            get("/api/v1/styles", Some(&format!("Bearer {}", f.key_a))),
        )
        .await;
        assert_eq!(
            (s, code(&b)),
            (StatusCode::UNAUTHORIZED, "auth_revoked"),
            "{}",
            f.t.db.name
        );
    }
}

#[tokio::test]
async fn a_wholesaler_sees_only_its_own_styles() {
    for db in testing::all("tenancy").await {
        let f = fixture(db).await;
        let a = format!("Bearer {}", f.key_a);
        let b = format!("Bearer {}", f.key_b);
        let (s, _, list) = call(&f.router, get("/api/v1/styles", Some(&a))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["total"], 1);
        assert_eq!(list["styles"][0]["style_code"], "A-STYLE");
        let (s, _, one) = call(
            &f.router,
            get(&format!("/api/v1/styles/{}", f.style_a), Some(&a)),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(one["skus"][0]["colour"], "black");
        // B's style through A's key: exactly the answer for a style that does not exist.
        let (s1, _, other) = call(
            &f.router,
            get(&format!("/api/v1/styles/{}", f.style_b), Some(&a)),
        )
        .await;
        let (s2, _, missing) = call(&f.router, get("/api/v1/styles/987654", Some(&a))).await;
        assert_eq!(s1, StatusCode::NOT_FOUND);
        assert_eq!((s1, &other), (s2, &missing));
        let (_, _, list_b) = call(&f.router, get("/api/v1/styles", Some(&b))).await;
        assert_eq!(list_b["styles"][0]["style_code"], "B-STYLE");
        assert_eq!(list_b["total"], 1);
    }
}

#[tokio::test]
async fn bad_queries_and_routes_get_json_errors() {
    let f = fixture(testing::sqlite().await).await;
    let a = format!("Bearer {}", f.key_a);
    for q in ["page=0", "page=x", "per_page=500", "state=deleted"] {
        let (s, _, b) = call(&f.router, get(&format!("/api/v1/styles?{q}"), Some(&a))).await;
        assert_eq!(
            (s, code(&b)),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{q}"
        );
    }
    // Past the last page the message gives the range, not "1 or more".
    let (s, _, b) = call(&f.router, get("/api/v1/styles?page=99999999999", Some(&a))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let msg = b["error"]["message"].as_str().unwrap();
    assert!(msg.contains("1000000"), "{msg}");
    let (s, _, b) = call(&f.router, get("/api/v1/nothing", None)).await;
    assert_eq!((s, code(&b)), (StatusCode::NOT_FOUND, "route_not_found"));
    let req = Request::delete("/api/v1/styles")
        .body(Body::empty())
        .unwrap();
    let (s, _, b) = call(&f.router, req).await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    // A body over the limit is refused before any handler reads it.
    let big = vec![b'x'; Config::default().body_limit_bytes + 1];
    let req = Request::post("/api/v1/styles")
        .body(Body::from(big))
        .unwrap();
    let (s, _, b) = call(&f.router, req).await;
    assert!(
        matches!(code(&b), "payload_too_large" | "method_not_allowed"),
        "{s} {b}"
    );
}

#[tokio::test]
async fn health_readiness_request_ids_and_openapi() {
    let f = fixture(testing::sqlite().await).await;
    let (s, _, b) = call(&f.router, get("/healthz", None)).await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, h, b) = call(&f.router, get("/readyz", None)).await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("ready")));
    assert!(h.get("x-request-id").is_some(), "a request id is generated");
    let req = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = call(&f.router, req).await;
    assert_eq!(
        h.get("x-request-id").unwrap(),
        "abc-123",
        "a caller's request id is kept"
    );
    let (s, _, doc) = call(&f.router, get("/api/openapi.json", None)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/healthz",
        "/readyz",
        "/api/openapi.json",
        "/api/v1/styles",
        "/api/v1/styles/{id}",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc["components"]["securitySchemes"]["wholesaler_key"].is_object());
}

#[tokio::test]
async fn readiness_fails_while_migrations_are_pending() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.sqlite").display());
    let store = Store::connect(&ddhub_store::StoreOptions::new(url))
        .await
        .unwrap();
    // The one app the test builder cannot make: its database has no schema yet.
    let dir_config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let app = Arc::new(App::new(dir_config, store, JobSignal::default()).unwrap());
    let (s, _, b) = call(&router(app), get("/readyz", None)).await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    );
    assert!(b["error"]["message"].as_str().unwrap().contains("migrate"));
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let t = TestApp::init(testing::sqlite().await)
        .without_search()
        .with_config(|c| {
            c.search_rate_per_minute = 60;
            c.partner_rate_per_minute = 60;
        })
        .build()
        .await;
    let router = t.router.clone();
    let mut limited = None;
    for _ in 0..40 {
        let (s, h, b) = call(&router, get("/api/v1/search?q=knit", None)).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((h, b));
            break;
        }
    }
    let (h, b) = limited.expect("40 searches in a burst are not all allowed at 60/min");
    assert_eq!(code(&b), "rate_limited");
    assert!(
        h.get("retry-after").is_some() || h.get("x-ratelimit-after").is_some(),
        "{h:?}"
    );
    // Keys are limited one by one: another key is not slowed by the first.
    let a = "Bearer ddh_p_aaaaaaaaaaaa_".to_string() + &"0".repeat(64);
    let b2 = "Bearer ddh_p_bbbbbbbbbbbb_".to_string() + &"0".repeat(64);
    let mut a_limited = false;
    for _ in 0..40 {
        let (s, _, _) = call(&router, get("/api/v1/orders/1", Some(&a))).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            a_limited = true;
            break;
        }
    }
    assert!(a_limited);
    let (s, _, _) = call(&router, get("/api/v1/orders/1", Some(&b2))).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the other key still reaches auth"
    );
}
