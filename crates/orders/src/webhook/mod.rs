//! Outgoing webhooks: Standard Webhooks signing and verification, the retry schedule and the
//! classification of delivery attempts, and the guard that keeps targets off private networks.

pub mod delivery;
pub mod guard;
pub mod signing;

pub use delivery::{AttemptResult, Decision, RETRY_SCHEDULE, decide, next_attempt};
pub use guard::{TargetError, check_ip, parse_target};
pub use signing::{SignatureError, WebhookSecret, sign, verify};
