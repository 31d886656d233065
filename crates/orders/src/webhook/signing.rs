//! Standard Webhooks signatures (<https://www.standardwebhooks.com>, spec v1):
//! `webhook-signature: v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>`, where the
//! key is the base64-decoded part of the `whsec_…` secret and the timestamp is in seconds.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::CryptoRng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Secrets start with this; the rest is standard base64.
pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of a generated key (the spec asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;
/// A signature older or newer than this is refused by [`verify`] (the spec's suggestion).
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// What can be wrong with a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a webhook secret is whsec_ followed by 24 to 64 bytes in base64")]
    BadSecret,
    #[error("the webhook-timestamp header is not a number of seconds")]
    BadTimestamp,
    #[error("the webhook timestamp is too old")]
    TimestampTooOld,
    #[error("the webhook timestamp is in the future")]
    TimestampInFuture,
    #[error("no webhook signature matches")]
    NoMatch,
}

impl SignatureError {
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::BadSecret => "webhook_secret_invalid",
            SignatureError::BadTimestamp => "webhook_timestamp_invalid",
            SignatureError::TimestampTooOld => "webhook_timestamp_too_old",
            SignatureError::TimestampInFuture => "webhook_timestamp_in_future",
            SignatureError::NoMatch => "webhook_signature_mismatch",
        }
    }
}

/// A partner endpoint's signing key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl WebhookSecret {
    /// Parses `whsec_<base64>`. The prefix is required here (the hub always writes it); the
    /// key is the decoded bytes, exactly as the spec says.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let b64 = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SignatureError::BadSecret)?;
        let key = STANDARD
            .decode(b64)
            .map_err(|_| SignatureError::BadSecret)?;
        if !(24..=64).contains(&key.len()) {
            return Err(SignatureError::BadSecret);
        }
        Ok(Self { key })
    }

    /// A new random secret of [`SECRET_BYTES`] bytes.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut key = vec![0u8; SECRET_BYTES];
        rng.fill_bytes(&mut key);
        Self { key }
    }

    /// The `whsec_<base64>` text shown to the partner once and stored by the hub.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        // HMAC zero-pads a key shorter than the hash's block (64 bytes for SHA-256), so a
        // padded block is the same key; `parse` and `generate` keep keys at 24..=64 bytes, and
        // `KeyInit::new` on a full block cannot fail (unlike `new_from_slice`'s Result).
        let mut block = hmac::digest::Key::<HmacSha256>::default();
        for (dst, src) in block.iter_mut().zip(&self.key) {
            *dst = *src;
        }
        let mut mac = <HmacSha256 as KeyInit>::new(&block);
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The three headers of a signed delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    pub webhook_id: String,
    pub webhook_timestamp: String,
    pub webhook_signature: String,
}

impl SignedHeaders {
    /// As `(name, value)` pairs for an HTTP client.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            ("webhook-id", &self.webhook_id),
            ("webhook-timestamp", &self.webhook_timestamp),
            ("webhook-signature", &self.webhook_signature),
        ]
    }
}

/// Signs one delivery: `v1,<base64 signature>`. The body must be sent byte for byte as signed.
/// `msg_id` stays the same across retries of one event (receivers de-duplicate on it).
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let tag = secret
        .mac(msg_id, timestamp_secs, body)
        .finalize()
        .into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// [`sign`] and the headers to send.
pub fn signed_headers(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> SignedHeaders {
    SignedHeaders {
        webhook_id: msg_id.to_string(),
        webhook_timestamp: timestamp_secs.to_string(),
        webhook_signature: sign(secret, msg_id, timestamp_secs, body),
    }
}

/// [`signed_headers`] with every secret in force: during a rotation the new and the previous
/// one, space-separated (`v1,<new> v1,<old>`), so a receiver holding either verifies.
pub fn signed_headers_all(
    secrets: &[WebhookSecret],
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> SignedHeaders {
    let signatures: Vec<String> = secrets
        .iter()
        .map(|s| sign(s, msg_id, timestamp_secs, body))
        .collect();
    SignedHeaders {
        webhook_id: msg_id.to_string(),
        webhook_timestamp: timestamp_secs.to_string(),
        webhook_signature: signatures.join(" "),
    }
}

/// Verifies a delivery as a receiver would: the timestamp within [`TOLERANCE_SECS`] of
/// `now_secs`, and one of the space-separated `v1,…` signatures matching (compared in
/// constant time; other versions are skipped).
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now_secs: i64,
) -> Result<(), SignatureError> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if now_secs.saturating_sub(ts) > TOLERANCE_SECS {
        return Err(SignatureError::TimestampTooOld);
    }
    if ts.saturating_sub(now_secs) > TOLERANCE_SECS {
        return Err(SignatureError::TimestampInFuture);
    }
    let expected = secret.mac(msg_id, ts, body).finalize().into_bytes();
    let matched = signature_header
        .split(' ')
        .filter_map(|s| s.split_once(','))
        .filter(|(v, _)| *v == "v1")
        .filter_map(|(_, sig)| STANDARD.decode(sig).ok())
        .any(|sig| bool::from(sig.as_slice().ct_eq(expected.as_slice())));
    if matched {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}
