//! Operations (issue 10): `/metrics` parses and moves, its access control, CORS only on public
//! search, security headers on every response.

use crate::api::{call, fixture, get};
use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_app::worker::{JobError, JobHandler, JobSignal, Registry, WorkerOptions, WorkerPool};
use ddhub_server::Config;
use ddhub_store::jobs::{ClaimedJob, JobQueue, NewJob, enqueue};
use ddhub_testkit::{TestApp, testing};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Scrapes `/metrics` and parses it with an independent parser of the text format.
async fn scrape(router: &axum::Router, auth: Option<&str>) -> prometheus_parse::Scrape {
    let (s, h, body) = call(router, get("/metrics", auth)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{h:?}"
    );
    let text = body.as_str().expect("metrics are text").to_string();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    prometheus_parse::Scrape::parse(lines).expect("metrics parse as Prometheus text")
}

/// The value of the sample named `name` whose labels include `labels`; 0 when absent.
fn value(s: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == name)
        .filter(|x| labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match &x.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(h) => h.last().map_or(0.0, |b| b.count),
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

struct Succeed;

#[async_trait]
impl JobHandler for Succeed {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), JobError> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_and_move_after_requests_and_jobs() {
    for db in testing::all("ops_metrics").await {
        let f = fixture(db).await;
        let key = format!("Bearer {}", f.key_a);
        let route = "/api/v1/styles/:id";
        let before = scrape(&f.router, None).await;
        for _ in 0..3 {
            let uri = format!("/api/v1/styles/{}", f.style_a);
            let (s, _, _) = call(&f.router, get(&uri, Some(&key))).await;
            assert_eq!(s, StatusCode::OK);
        }
        let (s, _, _) = call(&f.router, get("/no/such/route/123", None)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A queue of a kind only this test uses: 2 waiting, then run by a worker pool.
        let kind = format!("ops.metrics.{}", f.t.db.name);
        let txn = f.t.db.store.begin_write().await.unwrap();
        for n in 0..2 {
            enqueue(&txn, NewJob::new(&kind, serde_json::json!({ "n": n })))
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
        let after = scrape(&f.router, None).await;
        let labels = [("method", "GET"), ("route", route), ("status", "200")];
        let moved = value(&after, "ddhub_http_requests_total", &labels)
            - value(&before, "ddhub_http_requests_total", &labels);
        assert!(
            moved >= 3.0,
            "requests counted under the matched route: {moved}: {:?}",
            after
                .samples
                .iter()
                .filter(|x| x.metric.starts_with("ddhub_http_requests"))
                .map(|x| (&x.metric, &x.labels, &x.value))
                .collect::<Vec<_>>()
        );
        let hist = [("method", "GET"), ("route", route)];
        assert!(
            value(&after, "ddhub_http_request_duration_seconds", &hist)
                - value(&before, "ddhub_http_request_duration_seconds", &hist)
                >= 3.0,
            "latency histogram counts the requests"
        );
        assert!(
            value(
                &after,
                "ddhub_http_requests_total",
                &[("route", "unmatched"), ("status", "404")]
            ) >= 1.0
        );
        // Never the raw URI: no label carries a style id.
        let raw = format!("/api/v1/styles/{}", f.style_a);
        assert!(
            !after
                .samples
                .iter()
                .any(|x| x.labels.get("route") == Some(raw.as_str())),
            "a raw URI became a label"
        );
        assert_eq!(
            value(
                &after,
                "ddhub_jobs",
                &[("kind", &kind), ("state", "queued")]
            ),
            2.0
        );
        assert!(
            value(
                &after,
                "ddhub_jobs_oldest_age_seconds",
                &[("kind", &kind), ("state", "queued")]
            ) >= 0.0
        );

        let pool = WorkerPool::new(
            JobQueue::new(f.t.db.store.clone()),
            Registry::new().register(&kind, Arc::new(Succeed)),
            WorkerOptions {
                poll_interval: Duration::from_millis(20),
                ..Default::default()
            },
            JobSignal::default(),
        );
        let token = CancellationToken::new();
        let running = tokio::spawn(pool.run(token.clone()));
        let start = Instant::now();
        let done = [("kind", kind.as_str()), ("outcome", "done")];
        let drained = loop {
            let s = scrape(&f.router, None).await;
            if value(&s, "ddhub_jobs_finished_total", &done) >= 2.0 {
                break s;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "jobs not run");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        token.cancel();
        running.await.unwrap();
        assert_eq!(
            value(
                &drained,
                "ddhub_jobs",
                &[("kind", &kind), ("state", "queued")]
            ),
            0.0,
            "a drained kind drops to zero"
        );
        assert!(value(&drained, "ddhub_job_duration_seconds", &[("kind", &kind)]) >= 2.0);
    }
}

#[tokio::test]
async fn metrics_token_and_private_listener_guard_the_endpoint() {
    let guarded = TestApp::init(testing::sqlite().await)
        .without_search()
        .with_config(|c| c.metrics_token = Some("s3cret-token".into()))
        .build()
        .await;
    let (s, h, _) = call(&guarded.router, get("/metrics", None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(h["www-authenticate"], "Bearer");
    let (s, _, _) = call(
        &guarded.router,
        get("/metrics", Some("Bearer s3cret-tokeX")),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    scrape(&guarded.router, Some("Bearer s3cret-token")).await;

    let split = TestApp::init(testing::sqlite().await)
        .without_search()
        .with_config(|c| c.metrics_listen = Some("127.0.0.1:0".parse().unwrap()))
        .build()
        .await;
    let (s, _, _) = call(&split.router, get("/metrics", None)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "off the public listener when metrics_listen is set"
    );
    let private = ddhub_server::ops::private_router(split.app.clone());
    scrape(&private, None).await;
    let (s, _, _) = call(&private, get("/healthz", None)).await;
    assert_eq!(s, StatusCode::OK);
}

fn with_origin(method: &str, uri: &str, origin: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("origin", origin);
    if method == "OPTIONS" {
        b = b.header("access-control-request-method", "GET");
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn cors_answers_only_on_public_search_for_listed_origins() {
    let shop = "https://shop.example";
    let t = TestApp::init(testing::sqlite().await)
        .without_search()
        .with_config(move |c| {
            c.search_cors_origins = vec![shop.into(), "https://other.example".into()];
        })
        .build()
        .await;
    let app = t.router.clone();
    let acao = |h: &axum::http::HeaderMap| {
        h.get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    };
    // Preflight and the request itself from a listed origin.
    let (s, h, _) = call(&app, with_origin("OPTIONS", "/api/v1/search?q=x", shop)).await;
    assert!(s.is_success(), "{s}");
    assert_eq!(acao(&h).as_deref(), Some(shop));
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    let (_, h, _) = call(&app, with_origin("GET", "/api/v1/search?q=x", shop)).await;
    assert_eq!(acao(&h).as_deref(), Some(shop));
    // An origin not on the list gets no permission.
    let (_, h, _) = call(
        &app,
        with_origin("GET", "/api/v1/search?q=x", "https://evil.example"),
    )
    .await;
    assert_eq!(acao(&h), None);
    // Keyed routes never answer cross-origin, even for a listed origin.
    for uri in ["/api/v1/styles", "/api/v1/orders/changes", "/metrics"] {
        for m in ["GET", "OPTIONS"] {
            let (_, h, _) = call(&app, with_origin(m, uri, shop)).await;
            assert_eq!(acao(&h), None, "{m} {uri}");
        }
    }
    // No origins configured: no CORS anywhere (the fixture's router).
    let f = fixture(testing::sqlite().await).await;
    let (_, h, _) = call(&f.router, with_origin("GET", "/api/v1/search?q=x", shop)).await;
    assert_eq!(acao(&h), None);
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let db = testing::sqlite().await;
    let f = fixture(db).await;
    let key = format!("Bearer {}", f.key_a);
    for (uri, auth) in [
        ("/healthz", None),
        ("/api/openapi.json", None),
        ("/api/v1/styles", Some(key.as_str())),
        ("/api/v1/styles", None),
        ("/no/such/page", None),
        ("/api/v1/search?q=knit", None),
        ("/metrics", None),
    ] {
        let (s, h, _) = call(&f.router, get(uri, auth)).await;
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri} {s}");
        assert_eq!(h["x-frame-options"], "DENY", "{uri}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{uri}"
        );
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{uri}"
        );
    }
}

#[test]
fn cors_origins_are_validated_at_load() {
    for bad in ["shop.example", "https://shop.example/", "https://a b"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ddhub.toml");
        std::fs::write(&file, format!("search_cors_origins = [{bad:?}]\n")).unwrap();
        let err = Config::load(Some(&file), true).unwrap_err().to_string();
        assert!(err.contains("search_cors_origins"), "{bad}: {err}");
    }
}

#[test]
fn deploy_example_config_documents_every_key() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/ddhub.toml");
    let loaded = Config::load(Some(&path), true).expect("deploy/ddhub.toml loads");
    assert_eq!(loaded.data_dir, std::path::PathBuf::from("/var/lib/ddhub"));
    let text = std::fs::read_to_string(&path).unwrap();
    let defaults = serde_json::to_value(Config::default()).unwrap();
    let mut missing = Vec::new();
    for key in defaults.as_object().unwrap().keys() {
        let mentioned = text.lines().any(|l| {
            let l = l.trim_start_matches(['#', ' ']);
            l.starts_with(&format!("{key} ="))
                || l.starts_with(&format!("[{key}."))
                || l.starts_with(&format!("[{key}]"))
        });
        if !mentioned {
            missing.push(key.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "keys not documented in deploy/ddhub.toml: {missing:?}"
    );
}
