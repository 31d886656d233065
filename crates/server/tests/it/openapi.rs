//! The OpenAPI document against what the router answers: every error a route gives is
//! documented for that route, with the one error body.

use crate::api::{call, fixture};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::Locale;
use ddhub_testkit::testing;
use serde_json::Value;

fn doc() -> Value {
    serde_json::to_value(ddhub_server::app::openapi()).unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op));
        }
    }
    out
}

/// Every `$ref` in `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn documents(op: &Value, status: u16) -> bool {
    op["responses"][status.to_string()].is_object()
}

#[test]
fn every_operation_documents_the_errors_of_its_key_body_and_layers() {
    let doc = doc();
    assert!(
        doc["paths"]["/api/v1/search"]["get"].is_object(),
        "public search is documented"
    );
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} names no schema"
        );
    }
    for (method, path, op) in operations(&doc) {
        let keyed = op["security"].is_array();
        let body = &op["requestBody"]["content"];
        for (status, expected) in [
            (401, keyed),
            (403, keyed),
            (415, body.is_object()),
            (413, body.is_object()),
            (422, body.get("application/json").is_some()),
        ] {
            if expected {
                assert!(documents(op, status), "{method} {path} lacks {status}");
            }
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }
    // Layers differ by router: keyed API routes are rate limited, uploads and media are not;
    // feeds stream without a timeout.
    let op = |path: &str, method: &str| doc["paths"][path][method].clone();
    assert!(documents(&op("/api/v1/styles", "get"), 429));
    assert!(documents(&op("/api/v1/search", "get"), 429));
    assert!(!documents(&op("/api/v1/catalog/uploads", "post"), 429));
    assert!(!documents(&op("/media/{key}", "get"), 429));
    assert!(documents(&op("/api/v1/styles", "get"), 503));
    // A status the route documents itself keeps the route's words.
    let feed = op("/api/v1/feeds/products", "get");
    assert!(
        feed["responses"]["503"]["description"]
            .as_str()
            .unwrap()
            .contains("exchange rate")
    );
    let generated = &op("/api/v1/styles", "get")["responses"]["401"]["description"];
    assert!(
        generated.as_str().unwrap().contains("`auth_revoked`"),
        "a generated response names its codes: {generated}"
    );
}

#[test]
fn the_translation_locale_in_the_path_lists_every_target() {
    let doc = doc();
    let targets: Vec<&str> = Locale::TARGETS.iter().map(|l| l.tag()).collect();
    for (method, path, op) in operations(&doc) {
        if !path.contains("{locale}") {
            continue;
        }
        let param = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "locale")
            .unwrap();
        let listed: Vec<&str> = param["schema"]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path}: {param}"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(listed, targets, "{method} {path}");
    }
}

fn request(method: &str, uri: &str, auth: &str, body: Option<(&str, &str)>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if !auth.is_empty() {
        b = b.header("authorization", auth);
    }
    let text = match body {
        Some((content_type, text)) => {
            if !content_type.is_empty() {
                b = b.header("content-type", content_type);
            }
            text.to_string()
        }
        None => String::new(),
    };
    b.body(Body::from(text)).unwrap()
}

/// The documented operation `uri` reaches: a literal path over one with parameters.
fn operation<'a>(doc: &'a Value, method: &str, uri: &str) -> &'a Value {
    let path = uri.split('?').next().unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &Value)> = None;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let parts: Vec<&str> = template.split('/').collect();
        let fits = parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(t, s)| t == s || t.starts_with('{'));
        let params = parts.iter().filter(|t| t.starts_with('{')).count();
        if fits && best.is_none_or(|(n, _)| params < n) {
            best = Some((params, &item[method.to_lowercase()]));
        }
    }
    best.unwrap_or_else(|| panic!("{method} {uri} is not documented"))
        .1
}

#[tokio::test]
async fn refusals_answer_documented_statuses_with_their_table_codes() {
    let f = fixture(testing::sqlite().await).await;
    let doc = doc();
    let w = format!("Bearer {}", f.key_a);
    let p = format!("Bearer {}", f.partner_key);
    let style = f.style_a;
    let (json, text) = ("application/json", "text/plain");
    let huge_page = "/api/v1/catalog/uploads/1/errors?page=16155595623275245568";
    let translations = format!("/api/v1/styles/{style}/translations");
    let photos = format!("/api/v1/styles/{style}/photos");
    // One line a case reads better than rustfmt's nine.
    #[rustfmt::skip]
    let cases = [
        ("PUT", "/api/v1/styles/by-code/X1", &w, Some((text, "{}")), 415, "unsupported_media_type"),
        ("PUT", "/api/v1/styles/by-code/X1", &w, Some((json, "{")), 422, "invalid_body"),
        ("PUT", "/api/v1/catalog/column-mapping", &String::new(), Some((json, "{}")), 401, "auth_missing"),
        ("GET", "/api/v1/purchase-requests?state=x", &w, None, 400, "invalid_query"),
        ("GET", huge_page, &w, None, 400, "invalid_query"),
        ("GET", &format!("{translations}/xx"), &w, None, 404, "not_found"),
        ("POST", &format!("{translations}/en/approve"), &w, Some((json, "\u{0}")), 422, "invalid_body"),
        ("POST", "/api/v1/catalog/uploads", &w, Some((json, "{}")), 415, "unsupported_media_type"),
        ("POST", &photos, &w, Some((json, "{}")), 415, "unsupported_media_type"),
        ("POST", "/api/v1/orders", &p, Some((text, "{}")), 415, "unsupported_media_type"),
        ("POST", "/api/v1/orders/1/cancel", &p, Some((json, "\u{0}")), 422, "invalid_body"),
        ("PUT", "/api/v1/webhooks/endpoint", &p, Some(("", "{}")), 415, "unsupported_media_type"),
        ("GET", "/api/v1/orders/changes?limit=0", &p, None, 400, "invalid_query"),
        // A cursor this API did not hand out: the same code as the feeds' changes.
        ("GET", "/api/v1/orders/changes?cursor=v2.x", &p, None, 400, "invalid_cursor"),
        ("GET", "/api/v1/webhooks/deliveries", &w, None, 403, "auth_wrong_role"),
        ("GET", "/api/v1/orders/x/documents/invoice", &p, None, 404, "not_found"),
    ];
    for (method, uri, auth, body, status, code) in cases {
        let (s, _, b) = call(&f.router, request(method, uri, auth, body)).await;
        let what = format!("{method} {uri}");
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (StatusCode::from_u16(status).unwrap(), Some(code)),
            "{what}: {b}"
        );
        assert!(b["error"]["message"].is_string(), "{what}: {b}");
        let op = operation(&doc, method, uri);
        assert!(documents(op, status), "{what}: {status} is not documented");
    }
}

#[tokio::test]
async fn the_reference_page_renders_the_document() {
    let f = fixture(testing::sqlite().await).await;
    let res = tower::ServiceExt::oneshot(
        f.router.clone(),
        Request::get("/api/docs").body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8(bytes.to_vec()).unwrap();
    // Every operation of the document and every schema is on the page, with the examples.
    let doc = doc();
    for (method, path, _) in operations(&doc) {
        assert!(
            html.contains(&format!(">{method}</span> <code>{path}</code>")),
            "{method} {path}"
        );
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(html.contains(&format!("id=\"schema-{name}\"")), "{name}");
    }
    assert!(html.contains("Idempotency-Key") && html.contains("webhook-signature"));
    assert!(
        html.contains("&quot;currency&quot;: &quot;JPY&quot;"),
        "Money's example"
    );
    assert!(
        !html.contains("<script"),
        "no script: the page works offline"
    );
}

#[test]
fn partner_bodies_are_named_schemas_with_examples() {
    let doc = doc();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["servers"][0]["url"].is_string());
    let schema = |path: &str, method: &str, status: &str, media: &str| {
        doc["paths"][path][method]["responses"][status]["content"][media]["schema"].clone()
    };
    let named = |v: &Value, name: &str| {
        let r = v["$ref"]
            .as_str()
            .or(v["items"]["$ref"].as_str())
            .unwrap_or("");
        assert_eq!(r, format!("#/components/schemas/{name}"), "{v}");
    };
    named(
        &schema("/api/v1/orders", "post", "201", "application/json"),
        "Order",
    );
    named(
        &schema("/api/v1/orders", "get", "200", "application/json"),
        "OrderPage",
    );
    named(
        &schema("/api/v1/orders/{id}", "get", "200", "application/json"),
        "Order",
    );
    named(
        &schema("/api/v1/orders/changes", "get", "200", "application/json"),
        "EventPage",
    );
    named(
        &schema("/api/v1/events/{seq}", "get", "200", "application/json"),
        "OrderEvent",
    );
    named(
        &schema("/api/v1/feeds/products", "get", "200", "application/jsonl"),
        "FeedItem",
    );
    named(
        &schema(
            "/api/v1/webhooks/deliveries",
            "get",
            "200",
            "application/json",
        ),
        "WebhookDelivery",
    );
    named(
        &doc["paths"]["/api/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"],
        "OrderRequest",
    );
    let etag =
        &doc["paths"]["/api/v1/feeds/products"]["get"]["responses"]["200"]["headers"]["ETag"];
    assert!(etag.is_object(), "ETag is documented");
    let hook = &doc["webhooks"]["orderEvent"]["post"];
    named(
        &hook["requestBody"]["content"]["application/json"]["schema"],
        "WebhookEvent",
    );
    let headers: Vec<&str> = hook["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    );
    for name in [
        "Money",
        "Order",
        "OrderLine",
        "FeedItem",
        "WebhookEvent",
        "OrderRequest",
    ] {
        let s = &doc["components"]["schemas"][name];
        assert!(s["example"].is_object(), "{name} has an example");
        assert!(s["description"].is_string(), "{name} is described");
    }
    // Each example fits its own schema.
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = s.get("example") {
            let one = serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
            let _ = ddhub_testkit::contract::check_example(&one, example)
                .map_err(|e| panic!("{name}'s example: {e}"));
        }
    }
}

#[test]
fn the_contract_check_refuses_what_the_document_does_not_say() {
    use ddhub_testkit::contract::check_response;
    let json = "application/json";
    let order = br#"{"order_id": 7, "partner_order_id": "PO-1", "state": "confirmed",
        "currency": "JPY", "mode": "live", "lines": [{"line_id": 1, "sku_id": 1, "style_id": 1,
        "wholesaler_id": 1, "quantity": 2, "confirmed_quantity": 2,
        "unit_price": {"amount": "2236", "currency": "JPY"}, "state": "available"}]}"#;
    check_response("GET", "/api/v1/orders/7", 200, json, order).unwrap();
    // The old shapes: minor units, a bare price string.
    let minor = String::from_utf8_lossy(order).replace(
        r#""unit_price": {"amount": "2236", "currency": "JPY"}"#,
        r#""unit_price_minor": 2236"#,
    );
    assert!(check_response("GET", "/api/v1/orders/7", 200, json, minor.as_bytes()).is_err());
    // A field the document does not name (the mirrors are closed), and a missing mode.
    let extra = String::from_utf8_lossy(order).replace("\"mode\"", "\"surprise\": 1, \"mode\"");
    assert!(check_response("GET", "/api/v1/orders/7", 200, json, extra.as_bytes()).is_err());
    let no_mode = String::from_utf8_lossy(order).replace("\"mode\": \"live\",", "");
    assert!(check_response("GET", "/api/v1/orders/7", 200, json, no_mode.as_bytes()).is_err());
    let bad_state = String::from_utf8_lossy(order).replace("\"confirmed\"", "\"lost\"");
    assert!(check_response("GET", "/api/v1/orders/7", 200, json, bad_state.as_bytes()).is_err());
    // A status the operation does not document, and a JSON Lines item with an epoch time.
    assert!(check_response("GET", "/api/v1/orders/7", 418, json, b"{}").is_err());
    let jsonl = "application/jsonl; charset=utf-8";
    let line = br#"{"id": "x", "updated_at": 1790000000000}"#;
    assert!(
        check_response(
            "GET",
            "/api/v1/feeds/products?format=jsonl",
            200,
            jsonl,
            line
        )
        .is_err()
    );
    // A webhook body with an epoch timestamp.
    let hook = r#"{"type": "order.received", "timestamp": 1790000000, "mode": "live",
        "data": {"order_id": 1, "partner_order_id": "PO-1", "state": "received"}}"#;
    assert!(ddhub_testkit::contract::check_webhook(hook).is_err());
    let hook = hook.replace("1790000000", "\"2026-12-06T09:30:00.000Z\"");
    ddhub_testkit::contract::check_webhook(&hook).unwrap();
}
