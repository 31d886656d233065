//! The API reference at `/api/docs`: one HTML page rendered on the server from the OpenAPI
//! document (operations by tag with their parameters, bodies and answers, then every schema
//! with its fields and example). No script and no CDN: the page works offline and cannot drift
//! from `/api/openapi.json`, which it is made from.

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;
use std::fmt::Write;

/// HTML-escapes text. Five replacements for text placed in elements and quoted attributes;
/// written here rather than pulling a templating engine's escaper into a string builder.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The schema name a `$ref` points at, or a short type for an inline schema.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(all) = schema[key].as_array() {
            let parts: Vec<String> = all
                .iter()
                .filter(|s| s["type"] != "null")
                .map(type_of)
                .collect();
            return parts.join(" | ");
        }
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".into(),
    };
    if ty == "array" {
        return format!("array of {}", type_of(&schema["items"]));
    }
    let mut out = esc(&ty);
    if let Some(f) = schema["format"].as_str() {
        let _ = write!(out, " ({})", esc(f));
    }
    if let Some(e) = schema["enum"].as_array() {
        let values: Vec<String> = e
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| format!("<code>{}</code>", esc(&v.to_string())))
            .collect();
        let _ = write!(out, ": {}", values.join(", "));
    }
    out
}

fn text(v: &Value) -> String {
    v.as_str().map(esc).unwrap_or_default()
}

fn example(v: &Value) -> String {
    if v.is_null() {
        return String::new();
    }
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    format!("<pre class=\"example\">{}</pre>", esc(&pretty))
}

fn operation(out: &mut String, method: &str, path: &str, op: &Value) {
    let id = format!("{method}-{path}").replace(['/', '{', '}'], "_");
    let _ = write!(
        out,
        "<section class=\"op\" id=\"{}\"><h3><span class=\"method {m}\">{M}</span> <code>{}</code></h3>",
        esc(&id),
        esc(path),
        m = esc(method),
        M = esc(&method.to_uppercase()),
    );
    let _ = write!(out, "<p>{}</p>", text(&op["description"]));
    if let Some(schemes) = op["security"].as_array() {
        let names: Vec<String> = schemes
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|m| m.keys().map(|k| esc(k)))
            .collect();
        if !names.is_empty() {
            let _ = write!(out, "<p>Key: {}</p>", names.join(", "));
        }
    }
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        out.push_str("<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr>");
        for p in params {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(&p["name"]),
                text(&p["in"]),
                type_of(&p["schema"]),
                if p["required"] == true { "yes" } else { "no" },
                text(&p["description"]),
            );
        }
        out.push_str("</table>");
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        out.push_str("<h4>Body</h4><ul>");
        for (media, c) in content {
            let _ = write!(
                out,
                "<li><code>{}</code>: {}</li>",
                esc(media),
                type_of(&c["schema"])
            );
        }
        let _ = write!(
            out,
            "</ul><p>{}</p>",
            text(&op["requestBody"]["description"])
        );
    }
    if let Some(responses) = op["responses"].as_object() {
        out.push_str(
            "<h4>Answers</h4><table><tr><th>Status</th><th>Description</th><th>Body</th></tr>",
        );
        for (status, r) in responses {
            let bodies: Vec<String> = r["content"]
                .as_object()
                .map(|c| {
                    c.iter()
                        .map(|(media, c)| {
                            if c["schema"].is_null() {
                                format!("<code>{}</code>", esc(media))
                            } else {
                                format!("<code>{}</code> {}", esc(media), type_of(&c["schema"]))
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let headers: Vec<String> = r["headers"]
                .as_object()
                .map(|h| {
                    h.keys()
                        .map(|k| format!("header <code>{}</code>", esc(k)))
                        .collect()
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(status),
                text(&r["description"]),
                [bodies, headers].concat().join("<br>"),
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>");
}

fn schema(out: &mut String, name: &str, s: &Value) {
    let _ = write!(
        out,
        "<section class=\"schema\" id=\"schema-{0}\"><h3>{0}</h3><p>{1}</p>",
        esc(name),
        text(&s["description"])
    );
    let required: Vec<&str> = s["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = s["properties"].as_object() {
        out.push_str(
            "<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>",
        );
        for (field, p) in props {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(field),
                type_of(p),
                if required.contains(&field.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                text(&p["description"]),
            );
        }
        out.push_str("</table>");
    } else {
        let _ = write!(out, "<p>{}</p>", type_of(s));
    }
    out.push_str(&example(&s["example"]));
    out.push_str("</section>");
}

/// The page for `doc`.
pub fn render(doc: &Value) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    let _ = write!(
        out,
        "<title>{} reference</title>",
        text(&doc["info"]["title"])
    );
    out.push_str(
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem}\
         code,pre{font-family:ui-monospace,monospace}pre{background:#f4f4f4;padding:.5rem;overflow:auto}\
         table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}\
         .method{display:inline-block;min-width:4rem;font-weight:bold}.get{color:#0a6}.post{color:#06c}.put{color:#a60}.delete{color:#c22}\
         section{border-top:1px solid #eee;padding-top:.5rem}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>{} reference</h1><p>{}</p><p>Version {} · the machine-readable document: <a href=\"/api/openapi.json\">/api/openapi.json</a> · conventions: docs/api-conventions.md</p>",
        text(&doc["info"]["title"]),
        text(&doc["info"]["description"]),
        text(&doc["info"]["version"]),
    );
    if let Some(servers) = doc["servers"].as_array() {
        out.push_str("<h2>Servers</h2><ul>");
        for s in servers {
            let _ = write!(
                out,
                "<li><code>{}</code> {}</li>",
                text(&s["url"]),
                text(&s["description"])
            );
        }
        out.push_str("</ul>");
    }
    let methods = ["get", "post", "put", "patch", "delete"];
    let mut tags: Vec<(String, String)> = doc["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or("").to_string(),
                        text(&t["description"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    tags.push((String::new(), String::new()));
    out.push_str("<h2>Operations</h2>");
    for (tag, description) in &tags {
        let mut section = String::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for m in methods {
                let op = &item[m];
                if !op.is_object() {
                    continue;
                }
                let op_tag = op["tags"][0].as_str().unwrap_or("");
                if op_tag == tag || (tag.is_empty() && !tags.iter().any(|(t, _)| t == op_tag)) {
                    operation(&mut section, m, path, op);
                }
            }
        }
        if !section.is_empty() {
            let title = if tag.is_empty() { "other" } else { tag };
            let _ = write!(
                out,
                "<h2 id=\"tag-{0}\">{0}</h2><p>{1}</p>",
                esc(title),
                description
            );
            out.push_str(&section);
        }
    }
    if let Some(hooks) = doc["webhooks"].as_object() {
        out.push_str("<h2>Webhooks</h2>");
        for (name, item) in hooks {
            for m in methods {
                if item[m].is_object() {
                    operation(&mut out, m, name, &item[m]);
                }
            }
        }
    }
    out.push_str("<h2>Schemas</h2>");
    for (name, s) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        schema(&mut out, name, s);
    }
    out.push_str("</body></html>");
    out
}

/// `GET /api/docs`.
pub async fn page() -> impl IntoResponse {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let html = PAGE
        .get_or_init(|| {
            let doc = serde_json::to_value(crate::app::openapi()).unwrap_or_default();
            render(&doc)
        })
        .clone();
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
}
