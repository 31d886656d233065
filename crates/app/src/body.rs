//! JSON bodies read so that a mistake names its field: each problem carries a JSON Pointer
//! (RFC 6901), a stable code and serde's description, and unknown fields are listed by name.
//! serde_path_to_error tracks the path while serde_json reads (axum's `Json` uses it too).

use crate::error::{AppError, ErrorCode};
use serde::de::DeserializeOwned;
use serde_path_to_error::{Path, Segment};

/// A JSON Pointer for a serde path: `lines[0].quantity` → `/lines/0/quantity`.
pub fn pointer(path: &Path) -> String {
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => out.push_str(variant),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// The name between the first pair of backticks in serde's message (`unknown field `x``).
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// One problem of a body, as the `problems` of a 400/422 list it.
pub fn problem(path: &Path, err: &serde_json::Error) -> serde_json::Value {
    problem_at(pointer(path), err)
}

/// One problem of a body at a known pointer (`""` is the whole body).
pub fn problem_at(pointer: String, err: &serde_json::Error) -> serde_json::Value {
    use serde_json::error::Category;
    // serde_json's message ends with " at line L column C": the pointer says where.
    let full = err.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_string();
    let mut at = pointer;
    let code = match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => "malformed_json",
        // An unknown field's path ends at the field; a missing one's at the object lacking it.
        Category::Data if message.starts_with("unknown field") => "unknown_field",
        Category::Data if message.starts_with("missing field") => {
            if let Some(name) = quoted(&message) {
                at = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
            }
            "missing_field"
        }
        Category::Data if message.starts_with("invalid type") => "invalid_type",
        Category::Data => "invalid_value",
    };
    serde_json::json!({
        "pointer": if at.is_empty() { "/".to_string() } else { at },
        "code": code,
        "message": message,
    })
}

/// Reads a JSON body into `T`, or answers `invalid_body` (422) whose `problems` name the field.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let problem = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        // Trailing characters after the value: the body as a whole is not JSON.
        Ok(v) => match de.end() {
            Ok(()) => return Ok(v),
            Err(e) => serde_json::json!({
                "pointer": "/",
                "code": "malformed_json",
                "message": e.to_string(),
            }),
        },
        Err(e) => problem(e.path(), e.inner()),
    };
    let problems = if problem["code"] == "unknown_field" {
        every_unknown_field(bytes, &problem)
    } else {
        vec![problem.clone()]
    };
    Err(AppError::with_detail(
        ErrorCode::InvalidBody,
        format!(
            "{}: {}",
            problem["pointer"].as_str().unwrap_or("/"),
            problem["message"].as_str().unwrap_or("")
        ),
    )
    .with_problems(problems))
}

/// serde stops at the first unknown field; the caller should hear of all of them at once.
/// The object holding the first one is read again, and every key serde's message does not list
/// as expected (`expected one of `a`, `b``) is a problem of its own, by name.
fn every_unknown_field(bytes: &[u8], first: &serde_json::Value) -> Vec<serde_json::Value> {
    let pointer = first["pointer"].as_str().unwrap_or("/");
    let message = first["message"].as_str().unwrap_or("");
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    let object = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v.pointer(parent).cloned());
    let Some(serde_json::Value::Object(map)) = object else {
        return vec![first.clone()];
    };
    if expected.is_empty() && !message.contains("there are no fields") {
        return vec![first.clone()];
    }
    let all: Vec<serde_json::Value> = map
        .keys()
        .filter(|k| !expected.contains(&k.as_str()))
        .map(|k| {
            let escaped = k.replace('~', "~0").replace('/', "~1");
            let mut p = first.clone();
            p["pointer"] = format!("{parent}/{escaped}").into();
            p["message"] = message
                .replacen(
                    &format!("`{}`", quoted(message).unwrap_or("")),
                    &format!("`{k}`"),
                    1,
                )
                .into();
            p
        })
        .collect();
    if all.is_empty() {
        vec![first.clone()]
    } else {
        all
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        sku_id: i64,
        quantity: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Order {
        partner_order_id: String,
        lines: Vec<Line>,
    }

    fn first(body: &str) -> serde_json::Value {
        read::<Order>(body.as_bytes())
            .unwrap_err()
            .problems
            .unwrap()[0]
            .clone()
    }

    #[test]
    fn each_kind_of_mistake_names_its_field() {
        let p = first(r#"{"partner_order_id": 1944, "lines": []}"#);
        assert_eq!(
            (p["pointer"].as_str(), p["code"].as_str()),
            (Some("/partner_order_id"), Some("invalid_type")),
            "{p}"
        );
        let p = first(r#"{"partner_order_id": "A", "lines": [{"sku_id": 1, "quantity": -2}]}"#);
        assert_eq!(
            (p["pointer"].as_str(), p["code"].as_str()),
            (Some("/lines/0/quantity"), Some("invalid_value")),
            "{p}"
        );
        let p = first(r#"{"partner_order_id": "A", "lines": [], "address": "Tokyo"}"#);
        assert_eq!(
            (p["pointer"].as_str(), p["code"].as_str()),
            (Some("/address"), Some("unknown_field")),
            "{p}"
        );
        let p = first(r#"{"partner_order_id": "A", "lines": [{"sku_id": 1}]}"#);
        assert_eq!(
            (p["pointer"].as_str(), p["code"].as_str()),
            (Some("/lines/0/quantity"), Some("missing_field")),
            "{p}"
        );
        // Every unknown field of the object is named, not only the first.
        let all = read::<Order>(
            br#"{"partner_order_id": "A", "address": "Tokyo", "lines": [], "colour_name": 1}"#,
        )
        .unwrap_err()
        .problems
        .unwrap();
        let pointers: Vec<&str> = all.iter().map(|p| p["pointer"].as_str().unwrap()).collect();
        assert_eq!(pointers, ["/address", "/colour_name"], "{all:?}");
        assert!(
            all[1]["message"]
                .as_str()
                .unwrap()
                .contains("`colour_name`"),
            "{all:?}"
        );
        let p = first(r#"{"partner_order_id": "A", "#);
        assert_eq!(p["code"], "malformed_json", "{p}");
        assert!(!p["message"].as_str().unwrap().contains(" at line "), "{p}");
    }
}
