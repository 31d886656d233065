//! What every HTTP provider shares: a rustls client with a timeout, a client-side rate limit
//! (governor), retries with exponential backoff on 429 and 5xx honouring `Retry-After`, and
//! batching.

use super::TranslateError;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{RequestBuilder, Response, StatusCode};
use std::num::NonZeroU32;
use std::time::Duration;

/// Transport settings for one provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConfig {
    /// Scheme, host and optional path prefix, no trailing slash (tests point it at 127.0.0.1).
    pub base_url: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries after the first attempt on 429, 5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// First backoff; doubles per retry up to `max_backoff`. `Retry-After` wins when sent.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Client-side rate limit, requests per second.
    pub requests_per_second: u32,
    /// Texts per request.
    pub max_batch: usize,
    /// Characters per request (sum over the batch).
    pub max_batch_chars: usize,
}

impl HttpConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(20),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            requests_per_second: 5,
            max_batch: 50,
            max_batch_chars: 20_000,
        }
    }

    pub fn with_max_batch(mut self, n: usize) -> Self {
        self.max_batch = n.max(1);
        self
    }
}

/// A configured HTTP client for one provider.
#[derive(Debug)]
pub struct HttpProvider {
    pub(crate) name: &'static str,
    pub(crate) config: HttpConfig,
    client: reqwest::Client,
    limiter: DefaultDirectRateLimiter,
}

impl HttpProvider {
    pub fn new(name: &'static str, config: HttpConfig) -> Result<Self, TranslateError> {
        // reqwest is built without its own crypto choice (the workspace uses ring everywhere):
        // make sure the process has a provider before the first client.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .use_rustls_tls()
            .build()
            .map_err(|e| TranslateError::Config(format!("{name}: {e}")))?;
        let rps = NonZeroU32::new(config.requests_per_second).unwrap_or(NonZeroU32::MIN);
        Ok(HttpProvider {
            name,
            config,
            client,
            limiter: RateLimiter::direct(Quota::per_second(rps)),
        })
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }

    /// Splits texts into batches within the provider's count and character limits.
    pub(crate) fn batches<'a>(&self, texts: &'a [String]) -> Vec<&'a [String]> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut chars = 0;
        for (i, t) in texts.iter().enumerate() {
            let len = t.chars().count();
            let full = i - start >= self.config.max_batch
                || (i > start && chars + len > self.config.max_batch_chars);
            if full {
                out.push(&texts[start..i]);
                start = i;
                chars = 0;
            }
            chars += len;
        }
        if start < texts.len() {
            out.push(&texts[start..]);
        }
        out
    }

    /// Sends the request built by `build`, waiting for the rate limiter and retrying transient
    /// failures; returns the first successful response or the provider's error.
    pub(crate) async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, TranslateError> {
        let name = self.name;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            self.limiter.until_ready().await;
            let retry_left = attempt <= self.config.max_retries;
            let result = build().send().await;
            let wait = match result {
                Ok(resp) if resp.status().is_success() => return Ok(resp),
                Ok(resp) => {
                    let status = resp.status();
                    let retryable =
                        status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    if !retryable || !retry_left {
                        if status == StatusCode::TOO_MANY_REQUESTS {
                            return Err(TranslateError::RateLimited {
                                provider: name,
                                attempts: attempt,
                            });
                        }
                        let message = resp.text().await.unwrap_or_default();
                        return Err(TranslateError::Provider {
                            provider: name,
                            status: status.as_u16(),
                            message: message.chars().take(500).collect(),
                        });
                    }
                    retry_after(&resp).unwrap_or_else(|| self.backoff(attempt))
                }
                Err(e) if e.is_timeout() => {
                    if !retry_left {
                        return Err(TranslateError::Timeout { provider: name });
                    }
                    self.backoff(attempt)
                }
                Err(e) => {
                    if !retry_left || !(e.is_connect() || e.is_request()) {
                        return Err(TranslateError::Transport {
                            provider: name,
                            source: e,
                        });
                    }
                    self.backoff(attempt)
                }
            };
            tracing::debug!(
                provider = name,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait.min(self.config.max_backoff)).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.config
            .initial_backoff
            .saturating_mul(factor)
            .min(self.config.max_backoff)
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare from these APIs and falls back to backoff).
fn retry_after(resp: &Response) -> Option<Duration> {
    let v = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}
