//! Idempotency: the `Idempotency-Key` header check and the fingerprint of a request body.
//!
//! The IETF draft (draft-ietf-httpapi-idempotency-key-header) leaves the fingerprint to the
//! server and names both choices: a hash of the raw bytes, or of a canonical form of the
//! payload. DDHub hashes a canonical form, so that a partner's retry that re-serialises the same
//! JSON with another key order or whitespace is the *same* request (a replay), not a 422.
//! Numbers compare as written (`1` and `1.0` differ); strings compare after JSON unescaping
//! (`"a"` and `"\u0061"` are the same); a duplicated key keeps its last value.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Longest key the hub stores. The draft sets no limit; Stripe allows 255.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A refused `Idempotency-Key` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyKeyError {
    #[error("the Idempotency-Key header is empty")]
    Empty,
    #[error("the Idempotency-Key header is longer than {MAX_IDEMPOTENCY_KEY_LEN} characters")]
    TooLong,
    #[error("the Idempotency-Key header may hold visible ASCII characters only")]
    InvalidCharacter,
}

impl IdempotencyKeyError {
    pub fn code(&self) -> &'static str {
        match self {
            IdempotencyKeyError::Empty => "idempotency_key_empty",
            IdempotencyKeyError::TooLong => "idempotency_key_too_long",
            IdempotencyKeyError::InvalidCharacter => "idempotency_key_invalid_character",
        }
    }
}

/// Checks a key: 1 to 255 visible ASCII characters (`!` to `~`; no spaces). The draft sends it
/// as a structured-field string, so surrounding double quotes are removed first.
pub fn validate_idempotency_key(raw: &str) -> Result<&str, IdempotencyKeyError> {
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    if key.is_empty() {
        return Err(IdempotencyKeyError::Empty);
    }
    if key.len() > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(IdempotencyKeyError::TooLong);
    }
    if !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(IdempotencyKeyError::InvalidCharacter);
    }
    Ok(key)
}

/// A body that is not JSON cannot be fingerprinted (nor accepted).
#[derive(Debug, thiserror::Error)]
#[error("the body is not JSON: {0}")]
pub struct BodyNotJson(#[from] serde_json::Error);

impl BodyNotJson {
    pub fn code(&self) -> &'static str {
        "body_not_json"
    }
}

/// SHA-256 (hex) of the body's canonical JSON.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(pub String);

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses the body and hashes its canonical form.
pub fn fingerprint(body: &[u8]) -> Result<Fingerprint, BodyNotJson> {
    let value: Value = serde_json::from_slice(body)?;
    Ok(fingerprint_value(&value))
}

/// Hashes an already parsed body.
pub fn fingerprint_value(value: &Value) -> Fingerprint {
    let canonical = canonical_json(value);
    Fingerprint(hex::encode(Sha256::digest(canonical.as_bytes())))
}

/// Canonical JSON: no whitespace, object keys sorted by their UTF-8 bytes, strings escaped
/// the way serde_json writes them, numbers as serde_json prints them.
///
/// Close to RFC 8785 (JCS) but not it: JCS sorts keys by UTF-16 code units and re-formats
/// numbers the ECMAScript way. Byte order is stable and only needs to agree with itself here.
/// Keys are sorted explicitly, so the result does not depend on serde_json's
/// `preserve_order` feature being enabled elsewhere in the build.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            let _ = write!(out, "{value}");
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{}", Value::String(k.clone()));
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
    }
}
