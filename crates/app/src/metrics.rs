//! The process's metrics: names, the Prometheus recorder, and the job queue sampler. The HTTP
//! side (`ddhub-server`) counts requests and renders `/metrics` (text format 0.0.4).
//!
//! Recording goes through the `metrics` facade and rendering through
//! `metrics-exporter-prometheus` (both from metrics-rs, released together and widely used): any
//! code of the process can count without a registry handle being threaded through it, and the
//! exporter renders histograms with fixed buckets, which Prometheus can aggregate across the
//! fleet (summaries cannot be). One recorder per process, installed on first use.
//!
//! Queue depth and age are not counted in process: they are sampled from the database on each
//! scrape, so every process reports the fleet's queue and a dead worker cannot leave a stale
//! gauge behind.
//!
//! Access: set `metrics_token` to require `Authorization: Bearer <token>`, and/or
//! `metrics_listen` to serve `/metrics` only on a separate (private) address.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Request and job latencies: 1 ms to 60 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Jobs run longer (a photo ZIP, a large sheet): 10 ms to 1 h.
const JOB_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

pub const HTTP_REQUESTS: &str = "ddhub_http_requests_total";
pub const HTTP_DURATION: &str = "ddhub_http_request_duration_seconds";
pub const JOBS: &str = "ddhub_jobs";
pub const JOBS_OLDEST_AGE: &str = "ddhub_jobs_oldest_age_seconds";
pub const JOBS_FINISHED: &str = "ddhub_jobs_finished_total";
pub const JOB_DURATION: &str = "ddhub_job_duration_seconds";
pub const INGEST_ROWS: &str = "ddhub_ingest_rows_total";
pub const PHOTOS_NORMALISED: &str = "ddhub_photos_normalised_total";
pub const WEBHOOK_DELIVERIES: &str = "ddhub_webhook_deliveries_total";
pub const SEARCH_DURATION: &str = "ddhub_search_duration_seconds";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first call; `None` when another recorder was installed
/// first (then `/metrics` answers 503 and recording is a no-op).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(JOB_DURATION.into()), JOB_BUCKETS)
                });
            let installed = builder.and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(h) => {
                    describe();
                    Some(h)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by method, matched route and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request latency by method and matched route"
    );
    describe_gauge!(
        JOBS,
        "Jobs in the queue by kind and state (sampled from the database at scrape)"
    );
    describe_gauge!(
        JOBS_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest job by kind and state, since it became runnable"
    );
    describe_counter!(
        JOBS_FINISHED,
        "Job runs in this process by kind and outcome (done, retry, dead, lease_lost)"
    );
    describe_histogram!(
        JOB_DURATION,
        Unit::Seconds,
        "Job run time in this process by kind"
    );
    describe_counter!(
        INGEST_ROWS,
        "Catalog sheet rows processed, by outcome (ok, error)"
    );
    describe_counter!(
        PHOTOS_NORMALISED,
        "Photos normalised, by outcome (ready, failed)"
    );
    describe_counter!(
        WEBHOOK_DELIVERIES,
        "Webhook delivery attempts by outcome (delivered, retry, dead, disabled)"
    );
    describe_histogram!(
        SEARCH_DURATION,
        Unit::Seconds,
        "Search engine latency by backend"
    );
}

/// Keeps the exporter's histogram memory bounded (the exporter leaves this to its owner when
/// it does not run its own HTTP listener).
pub fn spawn_upkeep() {
    if let (Some(h), Ok(rt)) = (handle(), tokio::runtime::Handle::try_current()) {
        rt.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                h.run_upkeep();
            }
        });
    }
}

/// Label sets of queue gauges set by earlier scrapes, so a kind whose jobs are all gone drops
/// to 0 instead of keeping its last value.
static SEEN_QUEUE: Mutex<Option<HashSet<(String, String)>>> = Mutex::new(None);

/// Samples the queue's depth and oldest age per kind and state into gauges.
pub async fn sample_queue(store: &ddhub_store::Store) -> Result<(), ddhub_store::StoreError> {
    let depth = ddhub_store::jobs::JobQueue::new(store.clone())
        .depth()
        .await?;
    let mut now_seen = HashSet::new();
    for d in &depth {
        let labels = [("kind", d.kind.clone()), ("state", d.state.clone())];
        metrics::gauge!(JOBS, &labels).set(d.count as f64);
        metrics::gauge!(JOBS_OLDEST_AGE, &labels).set(d.oldest_age_ms as f64 / 1000.0);
        now_seen.insert((d.kind.clone(), d.state.clone()));
    }
    let mut seen = SEEN_QUEUE.lock().unwrap_or_else(|p| p.into_inner());
    for (kind, state) in seen.get_or_insert_with(HashSet::new).difference(&now_seen) {
        let labels = [("kind", kind.clone()), ("state", state.clone())];
        metrics::gauge!(JOBS, &labels).set(0.0);
        metrics::gauge!(JOBS_OLDEST_AGE, &labels).set(0.0);
    }
    seen.get_or_insert_with(HashSet::new).extend(now_seen);
    Ok(())
}
