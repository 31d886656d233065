//! JSON bodies may not carry control characters. JSON can only hold them escaped (`\u0000`),
//! and they are never text a person meant: PostgreSQL refuses NUL in text (a 500) while SQLite
//! stores it, so the same body would fail on one engine and be kept on the other. Refused
//! here, before any handler runs (so no idempotency key is spent), naming the field.

use crate::error::{ApiError, ErrorCode};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use ddhub_domain::text::is_stray_control;

/// The JSON Pointer (RFC 6901) of the first string, or object key, holding a stray control.
fn first_control(v: &serde_json::Value, at: &mut String) -> Option<String> {
    use serde_json::Value;
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match v {
        Value::String(s) if s.chars().any(is_stray_control) => Some(at.clone()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = at.len();
            at.push_str(&format!("/{i}"));
            let found = first_control(item, at);
            at.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            let len = at.len();
            at.push('/');
            at.push_str(&escape(k));
            let found = if k.chars().any(is_stray_control) {
                Some(at.clone())
            } else {
                first_control(item, at)
            };
            at.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Refuses a JSON body holding a stray control character with 422 `invalid_body` naming its
/// field; passes every other request on, body unchanged.
pub async fn refuse_json_controls(req: Request, next: Next) -> Response {
    let json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let ct = ct.trim().to_ascii_lowercase();
            ct.starts_with("application/json") || ct.contains("+json")
        });
    if !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body limit layers outside this one bound the read: past it, the error is theirs.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return ApiError::new(ErrorCode::PayloadTooLarge).into_response(),
    };
    // Raw control bytes make invalid JSON (the handler says so); escaped ones need `\u`.
    if bytes.windows(2).any(|w| w == b"\\u")
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(pointer) = first_control(&v, &mut String::new())
    {
        let field = if pointer.is_empty() { "/" } else { &pointer };
        return ApiError::with_detail(
            ErrorCode::InvalidBody,
            format!("{field} must not contain control characters (U+0000–U+001F, U+007F–U+009F)"),
        )
        .into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_pointer_names_the_field() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"title_ko":"니트","ship_to":{"address_lines":["ok","bad\u0000"]},"a/b":"\u0007"}"#,
        )
        .unwrap();
        let found = first_control(&v, &mut String::new()).unwrap();
        assert!(
            found == "/ship_to/address_lines/1" || found == "/a~1b",
            "{found}"
        );
        let clean: serde_json::Value =
            serde_json::from_str(r#"{"description":"줄\n바꿈\t탭"}"#).unwrap();
        assert_eq!(first_control(&clean, &mut String::new()), None);
    }
}
