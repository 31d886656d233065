//! The partner API against its OpenAPI document: every response a test sees on a partner path
//! (orders, events, feeds, webhooks), and every webhook body a test receives, is validated with
//! a JSON Schema validator against the schema the document gives for that operation, status and
//! media type. A body the document does not describe, or describes otherwise, fails the test
//! that saw it, so the document cannot drift from what the server answers (issue 22).

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The paths whose answers are checked: the partner-facing API. The export papers
/// (`/documents/`) are a document format of their own and not checked here.
const CHECKED: [&str; 4] = [
    "/api/v1/orders",
    "/api/v1/events/",
    "/api/v1/feeds/",
    "/api/v1/webhooks/",
];

/// The document the server serves, as JSON.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::to_value(ddhub_server::app::openapi()).expect("the document serialises")
    })
}

type Cache = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;

/// A validator for `schema` (a schema of the document, `$ref`s into its components).
fn validator(schema: &Value) -> Arc<jsonschema::Validator> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = schema.to_string();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return v.clone();
    }
    // The schema with the document's components beside it, so `#/components/schemas/X`
    // resolves; OpenAPI 3.1 schemas are JSON Schema 2020-12.
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document()["components"],
        "allOf": [schema],
    });
    let v = Arc::new(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the document's schema {schema} does not compile: {e}")),
    );
    cache.lock().unwrap().insert(key, v.clone());
    v
}

/// Why `value` does not fit `schema`, if it does not.
fn mismatch(schema: &Value, value: &Value) -> Option<String> {
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// The documented path template `path` falls under (a literal path over one with parameters).
fn template(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &'static str)> = None;
    for t in document()["paths"].as_object()?.keys() {
        let parts: Vec<&str> = t.split('/').collect();
        let fits = parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(t, s)| t == s || t.starts_with('{'));
        let params = parts.iter().filter(|t| t.starts_with('{')).count();
        if fits && best.is_none_or(|(n, _)| params < n) {
            best = Some((params, t.as_str()));
        }
    }
    best.map(|(_, t)| t)
}

/// Whether answers to `path` are checked.
pub fn is_checked(path: &str) -> bool {
    CHECKED.iter().any(|p| path.starts_with(p)) && !path.contains("/documents/")
}

/// Checks one answer against the document: its status is documented for the operation, and a
/// JSON body (each line of a JSON Lines body) fits the schema documented for its media type.
pub fn check_response(
    method: &str,
    uri: &str,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<(), String> {
    let path = uri.split('?').next().unwrap_or(uri);
    let what = format!("{method} {uri} → {status}");
    let Some(t) = template(path) else {
        // An unknown path answers the one error body; the router's fallback is not an
        // operation of the document.
        return if status == 404 {
            Ok(())
        } else {
            Err(format!("{what}: path not documented"))
        };
    };
    let op = &document()["paths"][t][method.to_lowercase()];
    if !op.is_object() {
        // 405 for a method the path does not have.
        return if status == 405 {
            Ok(())
        } else {
            Err(format!("{what}: method not documented"))
        };
    }
    let response = &op["responses"][status.to_string()];
    if !response.is_object() {
        return Err(format!("{what}: status not documented"));
    }
    if body.is_empty() {
        return Ok(());
    }
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let json_lines = essence == "application/jsonl";
    if !(essence == "application/json" || json_lines) {
        return Ok(());
    }
    // The channels' own JSON Lines (Shopee) are a marketplace's format, not DDHub's item.
    if json_lines && !uri.contains("format=jsonl") {
        return Ok(());
    }
    let schema = &response["content"][essence]["schema"];
    if schema.is_null() {
        return Err(format!("{what}: no schema documented for {essence}"));
    }
    let text = std::str::from_utf8(body).map_err(|e| format!("{what}: {e}"))?;
    let values: Vec<Value> = if json_lines {
        // Blank lines carry no item (a test marks a stored snapshot with one).
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{what}: a line is not JSON: {e}"))?
    } else {
        vec![serde_json::from_str(text).map_err(|e| format!("{what}: not JSON: {e}"))?]
    };
    for (i, v) in values.iter().enumerate() {
        if let Some(m) = mismatch(schema, v) {
            return Err(format!(
                "{what}: body (item {i}) does not fit {schema}: {m}\n{v}"
            ));
        }
    }
    Ok(())
}

/// Checks a webhook body DDHub sent against the document's `webhooks`.
pub fn check_webhook(body: &str) -> Result<(), String> {
    let op = &document()["webhooks"]["orderEvent"]["post"];
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    if schema.is_null() {
        return Err("the document has no webhook body schema".into());
    }
    let v: Value = serde_json::from_str(body).map_err(|e| format!("webhook body: {e}"))?;
    match mismatch(schema, &v) {
        Some(m) => Err(format!("webhook body does not fit {schema}: {m}\n{v}")),
        None => Ok(()),
    }
}

/// Middleware for the test router: checks every answer on a partner path, and fails the test
/// (panics in the caller's task) on a mismatch.
pub async fn check(req: Request, next: Next) -> Response {
    let method: Method = req.method().clone();
    let uri = req.uri().to_string();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if !is_checked(&path) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let encoded = parts
        .headers
        .contains_key(axum::http::header::CONTENT_ENCODING);
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !encoded
        && let Err(e) = check_response(
            method.as_str(),
            &uri,
            parts.status.as_u16(),
            &content_type,
            &bytes,
        )
    {
        panic!("the answer does not follow the OpenAPI document: {e}");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Checks that `example` fits `schema` (the document's examples are part of the contract).
pub fn check_example(schema: &Value, example: &Value) -> Result<(), String> {
    match mismatch(schema, example) {
        Some(m) => Err(m),
        None => Ok(()),
    }
}
