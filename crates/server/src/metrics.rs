//! Request metrics and the `/metrics` route (Prometheus text format 0.0.4); the recorder and the
//! metric names are the application's (`ddhub_app::metrics`).

use axum::extract::{MatchedPath, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_app::metrics::{HTTP_DURATION, HTTP_REQUESTS, handle, sample_queue};
use std::time::Instant;

/// Counts a request and its latency under its matched route (never the raw URI, whose ids
/// would make a series per style). Unrouted requests are `unmatched`.
pub async fn track(req: Request<axum::body::Body>, next: Next) -> Response {
    // Install the recorder before the first request is counted.
    let _ = handle();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| route_label(p.as_str()));
    let method = req.method().as_str().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!(HTTP_DURATION, "method" => method.clone(), "route" => route.clone())
        .record(start.elapsed().as_secs_f64());
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status)
        .increment(1);
    res
}

/// The matched path with its parameters written `:name` (`/api/v1/styles/:id`): braces in
/// label values are valid Prometheus text, but several parsers and dashboards mishandle them.
fn route_label(path: &str) -> String {
    path.replace('{', ":").replace('}', "")
}

/// `GET /metrics`: Prometheus text format. Not in the OpenAPI document (it is for operators).
pub async fn metrics_endpoint(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &app.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Constant-time: the token is a secret.
        let ok: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), token.as_bytes()).into();
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics token required\n",
            )
                .into_response();
        }
    }
    let Some(handle) = handle() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable\n",
        )
            .into_response();
    };
    // One scrape at a time, from its sample to its render: the queue gauges live in the
    // process-wide recorder, and an overlapping scrape's sample (of another store, as in
    // tests that share one process) could zero a kind between this sample and its render.
    // Scrapes come every few seconds; waiting for one costs nothing.
    static SCRAPE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = SCRAPE.lock().await;
    if let Err(e) = sample_queue(&app.store).await {
        // Still answer: the other series are good, and a scrape gap would hide them too.
        tracing::warn!(error = %e, "metrics: cannot sample the job queue");
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
