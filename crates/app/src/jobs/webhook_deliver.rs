//! Webhook delivery (Standard Webhooks): each order event is POSTed to the partner's endpoint,
//! signed with the partner's `whsec_` secret, retried on the Standard Webhooks schedule (about
//! three days, with jitter, honouring `Retry-After`), disabled on 410, and left as a dead letter
//! the partner can see and replay. Targets on loopback, private or link-local addresses are
//! refused unless `webhooks_allow_private` is set (tests).

use crate::worker::{BackgroundJob, JobError};
use async_trait::async_trait;
use ddhub_domain::Timestamp;
use ddhub_domain::jobs as payload;
use ddhub_domain::time::{Clock, SystemClock};
use ddhub_orders::webhook::{
    AttemptResult, Decision, WebhookSecret, check_ip, decide, parse_target,
};
use ddhub_store::Store;
use ddhub_store::jobs::ClaimedJob;
use ddhub_store::orders;
use std::sync::Arc;
use std::time::Duration;

pub struct WebhookDeliver {
    pub store: Store,
    pub client: reqwest::Client,
    pub allow_private: bool,
    /// Signing timestamps and the retry schedule read this clock (tests move it by hand).
    pub clock: Arc<dyn Clock>,
}

impl WebhookDeliver {
    pub fn new(store: Store, allow_private: bool) -> Result<Self, reqwest::Error> {
        Self::with_clock(store, allow_private, Arc::new(SystemClock))
    }

    pub fn with_clock(
        store: Store,
        allow_private: bool,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, reqwest::Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            // A redirect could lead to an address the guard refused.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            store,
            client,
            allow_private,
            clock,
        })
    }

    /// Resolves the target and checks every address it resolves to.
    async fn check_target(&self, url: &str) -> Result<reqwest::Url, String> {
        let parsed = parse_target(url, self.allow_private).map_err(|e| e.to_string())?;
        let host = parsed.host_str().ok_or("no host")?.to_string();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?;
        let mut any = false;
        for a in addrs {
            any = true;
            check_ip(a.ip(), self.allow_private).map_err(|e| e.to_string())?;
        }
        if !any {
            return Err(format!("{host} resolves to no address"));
        }
        reqwest::Url::parse(parsed.as_str()).map_err(|e| e.to_string())
    }
}

#[async_trait]
impl BackgroundJob for WebhookDeliver {
    type Payload = payload::WebhookDeliver;

    async fn run(&self, payload: Self::Payload, _job: &ClaimedJob) -> Result<(), JobError> {
        let id = payload.delivery_id;
        let task = orders::delivery_task(&self.store, id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        if task.state != "pending" {
            return Ok(());
        }
        let retry = |e: ddhub_store::StoreError| JobError::Retry(e.to_string());
        let (Some(url), Some(secret)) = (task.url.clone(), task.secret.clone()) else {
            orders::record_attempt(
                &self.store,
                id,
                "disabled",
                None,
                None,
                Some("the partner has no webhook endpoint"),
                false,
            )
            .await
            .map_err(retry)?;
            return Ok(());
        };
        let mut secrets =
            vec![WebhookSecret::parse(&secret).map_err(|e| JobError::Permanent(e.to_string()))?];
        // During a rotation the previous secret signs too: the receiver may still hold it.
        if let Some(previous) = task.previous_secret.as_deref() {
            secrets.push(
                WebhookSecret::parse(previous).map_err(|e| JobError::Permanent(e.to_string()))?,
            );
        }
        let now = self.clock.now();
        // Standard Webhooks' shape; the time is RFC 3339 UTC as everywhere in the API.
        // `mode` says which world the event is of: a sandbox's are `test` (issue 22).
        let body = serde_json::json!({
            "type": task.event_type,
            "timestamp": ddhub_orders::date::rfc3339(Timestamp(task.event_created_at)),
            "mode": if task.test_mode { "test" } else { "live" },
            "data": task.payload,
        })
        .to_string();
        // One message id per event, the same on every retry: receivers dedupe on it.
        let msg_id = format!("msg_ddhub_{}", task.event_id);
        let headers = ddhub_orders::webhook::signing::signed_headers_all(
            &secrets,
            &msg_id,
            now.millis() / 1000,
            body.as_bytes(),
        );
        let (result, retry_after, error) = match self.check_target(&url).await {
            Err(e) => (AttemptResult::ConnectError, None, Some(e)),
            Ok(target) => {
                let mut req = self
                    .client
                    .post(target)
                    .header("content-type", "application/json")
                    .body(body);
                for (k, v) in headers.pairs() {
                    req = req.header(k, v);
                }
                match req.send().await {
                    Ok(res) => {
                        let ra = res
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| {
                                ddhub_orders::webhook::delivery::parse_retry_after(v, now)
                            });
                        (AttemptResult::Status(res.status().as_u16()), ra, None)
                    }
                    Err(e) if e.is_timeout() => (AttemptResult::Timeout, None, Some(e.to_string())),
                    Err(e) => (AttemptResult::ConnectError, None, Some(e.to_string())),
                }
            }
        };
        let status = match result {
            AttemptResult::Status(s) => Some(s),
            _ => None,
        };
        let decision = decide(
            result,
            task.attempts + 1,
            now,
            retry_after,
            &mut rand::rng(),
        );
        let (state, next, disable) = match decision {
            Decision::Delivered => ("delivered", None, false),
            Decision::RetryAt(at) => ("pending", Some(at.millis()), false),
            Decision::DisableEndpoint => ("disabled", None, true),
            Decision::Dead => ("dead", None, false),
        };
        orders::record_attempt(
            &self.store,
            id,
            state,
            next,
            status,
            error.as_deref(),
            disable,
        )
        .await
        .map_err(retry)?;
        let outcome = if state == "pending" { "retry" } else { state };
        metrics::counter!(crate::metrics::WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1);
        Ok(())
    }
}
