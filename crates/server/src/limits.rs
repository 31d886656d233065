//! Rate limits (tower_governor, a GCRA limiter): per client IP on public search, per API key on
//! partner routes. Over the limit answers 429 with `Retry-After` (the error body is the usual
//! localized JSON). The limiters' memory is bounded: stale keys are dropped every minute.

use axum::http::Request;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower_governor::GovernorError;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

/// The client's IP (from the connection; behind a proxy, configure the proxy to limit instead).
/// Requests without connection info (in-process tests) share one bucket.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp;

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        Ok(req
            .extensions()
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()))
    }
}

/// The API key's public id (`ddh_p_<id>_…`), so one partner's burst never slows another.
/// Requests without a well-formed key fall to their IP (they will be refused by auth anyway).
#[derive(Clone, Copy, Debug)]
pub struct ApiKeyId;

impl KeyExtractor for ApiKeyId {
    type Key = String;

    fn extract<T>(&self, req: &Request<T>) -> Result<String, GovernorError> {
        let key = req
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_whitespace().nth(1))
            .and_then(|k| k.get(..18))
            .map(str::to_string);
        Ok(key.unwrap_or_else(|| {
            ClientIp
                .extract(req)
                .map(|ip| ip.to_string())
                .unwrap_or_default()
        }))
    }
}

/// A limiter layer allowing `per_minute` requests per key with bursts of `burst`; `None` when
/// the numbers make no limiter (zero).
pub fn layer<K>(
    extractor: K,
    per_minute: u32,
    burst: u32,
) -> Option<
    tower_governor::GovernorLayer<
        K,
        governor::middleware::StateInformationMiddleware,
        axum::body::Body,
    >,
>
where
    K: KeyExtractor + Send + Sync + 'static,
    K::Key: Send + Sync + 'static,
{
    // In nanoseconds: whole milliseconds would round any rate above 60,000 a minute to no limit.
    let period = Duration::from_nanos(60_000_000_000 / u64::from(per_minute.max(1)));
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .period(period)
            .burst_size(burst.max(1))
            .key_extractor(extractor)
            .use_headers()
            .finish()?,
    );
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        let limiter = config.limiter().clone();
        handle.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.retain_recent();
            }
        });
    }
    Some(tower_governor::GovernorLayer::new(config))
}
