//! When to try a webhook delivery again, and what an attempt's result means.
//!
//! Schedule: Standard Webhooks' recommended delays (immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
//! 10 h, 10 h: about 27.6 hours) extended by three 15 h delays so that delivery is tried for
//! about three days, as the issue asks: 11 attempts over 72 h 35 min nominal. Each delay but
//! the first gets ±10 % jitter so that an endpoint coming back is not hit by every queued
//! message at the same second.

use ddhub_domain::Timestamp;
use rand::{Rng, RngExt};
use std::time::Duration;

/// Delay before attempt *n* (index 0 is the first attempt).
pub const RETRY_SCHEDULE: [Duration; 11] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(15 * 3600),
    Duration::from_secs(15 * 3600),
    Duration::from_secs(15 * 3600),
];

/// Jitter on each delay, in per mille either way.
pub const JITTER_PERMILLE: u64 = 100;
/// A `Retry-After` longer than this is cut to it: an endpoint cannot park a message for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);
/// Attempts for an answer that says the request itself is wrong (other 4xx, 3xx): a
/// misconfigured endpoint may be fixed within minutes, but not worth three days of traffic.
pub const CLIENT_ERROR_ATTEMPTS: u32 = 3;

/// The nominal total of the schedule.
pub fn schedule_total() -> Duration {
    RETRY_SCHEDULE.iter().sum()
}

fn jittered(base: Duration, rng: &mut impl Rng) -> Duration {
    if base.is_zero() {
        return base;
    }
    let ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
    let spread = ms / 1000 * JITTER_PERMILLE;
    let low = ms - spread;
    let high = ms.saturating_add(spread);
    Duration::from_millis(rng.random_range(low..=high))
}

/// When to make the next attempt after `attempts_made` failed attempts (1 after the first
/// failure), or `None` when the schedule is spent (the message goes to the dead letters).
/// A `Retry-After` is honoured: the next attempt is no earlier than it asks, capped at
/// [`MAX_RETRY_AFTER`]; it never brings an attempt forward.
pub fn next_attempt(
    attempts_made: u32,
    now: Timestamp,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> Option<Timestamp> {
    let base = *RETRY_SCHEDULE.get(usize::try_from(attempts_made).ok()?)?;
    let mut delay = jittered(base, rng);
    if let Some(ra) = retry_after {
        delay = delay.max(ra.min(MAX_RETRY_AFTER));
    }
    Some(now.plus(delay))
}

/// Reads a `Retry-After` value: delay-seconds or an IMF-fixdate (RFC 9110 §10.2.3).
/// A date in the past is a zero delay; anything else is ignored.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = crate::date::parse_imf_fixdate(v)?;
    let ms = at.millis().saturating_sub(now.millis()).max(0);
    Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

/// What one delivery attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// The endpoint answered with this status.
    Status(u16),
    /// No answer within the client's timeout.
    Timeout,
    /// DNS failure, refused connection, TLS error, or a target refused by the guard at
    /// connect time.
    ConnectError,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Delivered,
    RetryAt(Timestamp),
    /// The endpoint said 410 Gone: disable it (its pending messages stay for replay).
    DisableEndpoint,
    /// No more attempts: the message is a dead letter, visible and replayable.
    Dead,
}

/// How a result is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Delivered,
    Gone,
    /// 408, 425, 429, 5xx, timeouts and connection errors: the endpoint may recover.
    Transient,
    /// Any other status (other 4xx, 1xx, 3xx: redirects are not followed, as a redirect
    /// could lead a signed body to another host): tried [`CLIENT_ERROR_ATTEMPTS`] times.
    Rejected,
}

pub fn classify(result: AttemptResult) -> Class {
    match result {
        AttemptResult::Status(s) if (200..300).contains(&s) => Class::Delivered,
        AttemptResult::Status(410) => Class::Gone,
        AttemptResult::Status(408 | 425 | 429) => Class::Transient,
        AttemptResult::Status(s) if (500..600).contains(&s) => Class::Transient,
        AttemptResult::Status(_) => Class::Rejected,
        AttemptResult::Timeout | AttemptResult::ConnectError => Class::Transient,
    }
}

/// The decision after attempt number `attempts_made` (1-based, counting this one).
pub fn decide(
    result: AttemptResult,
    attempts_made: u32,
    now: Timestamp,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> Decision {
    match classify(result) {
        Class::Delivered => Decision::Delivered,
        Class::Gone => Decision::DisableEndpoint,
        Class::Rejected if attempts_made >= CLIENT_ERROR_ATTEMPTS => Decision::Dead,
        Class::Rejected | Class::Transient => {
            match next_attempt(attempts_made, now, retry_after, rng) {
                Some(at) => Decision::RetryAt(at),
                None => Decision::Dead,
            }
        }
    }
}
