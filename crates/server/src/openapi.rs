//! The error responses of the OpenAPI document, written in one place from the error table:
//! what an operation can answer besides its own outcomes follows from its key, its parameters,
//! its body and the layers of the router that serves it, so no route repeats them.

use crate::error::ErrorCode;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// What the layers of one router add to every operation it serves.
#[derive(Clone, Copy, Debug)]
pub struct Layers {
    /// A rate limiter (per key, or per IP for callers without one) answers 429.
    pub rate_limited: bool,
    /// A request timeout answers 503.
    pub timeout: bool,
}

/// The error codes an operation can answer whatever its handler does.
fn standard_codes(op: &Operation, layers: Layers) -> Vec<ErrorCode> {
    use ErrorCode::*;
    let mut codes = Vec::new();
    if key_role(op).is_some() {
        codes.extend([
            AuthMissing,
            AuthMalformed,
            AuthInvalidKey,
            AuthRevoked,
            AuthWrongRole,
        ]);
    }
    if layers.rate_limited {
        codes.push(RateLimited);
    }
    // Every handler refuses a bad query as `invalid_query`, and answers a path that names
    // nothing (an id that is not a number included) as `not_found`.
    if has_parameter(op, ParameterIn::Query) {
        codes.push(InvalidQuery);
    }
    if has_parameter(op, ParameterIn::Path) {
        codes.push(NotFound);
    }
    match body_kind(op) {
        Some(Body::Json) => codes.extend([UnsupportedMediaType, PayloadTooLarge, InvalidBody]),
        Some(Body::Multipart) => codes.extend([
            UnsupportedMediaType,
            PayloadTooLarge,
            UploadTooLarge,
            UploadMissingFile,
            UploadBadField,
        ]),
        None => {}
    }
    if layers.timeout {
        codes.push(RequestTimeout);
    }
    codes
}

/// Adds the standard error responses to every operation of `doc`. A status the route already
/// documents keeps the route's own description (it says more); a new one lists its codes.
pub fn document_errors(doc: &mut OpenApi, layers: Layers) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let role = key_role(op);
            let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
            for code in standard_codes(op, layers) {
                by_status.entry(code.status()).or_default().push(code);
            }
            for (status, codes) in by_status {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(&describe(&codes, role)));
            }
        }
    }
}

/// A response with the one error body.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
        .into()
}

/// What the codes of one status mean here, with the codes themselves.
fn describe(codes: &[ErrorCode], role: Option<&str>) -> String {
    let mut meanings: Vec<String> = Vec::new();
    for code in codes {
        let m = meaning(*code, role);
        if !meanings.contains(&m) {
            meanings.push(m);
        }
    }
    let names: Vec<String> = codes.iter().map(|c| format!("`{}`", c.code())).collect();
    format!("{} ({})", meanings.join("; "), names.join(", "))
}

fn meaning(code: ErrorCode, role: Option<&str>) -> String {
    use ErrorCode::*;
    match code {
        AuthMissing | AuthMalformed | AuthInvalidKey | AuthRevoked => {
            "The API key is missing, malformed, unknown or revoked".into()
        }
        AuthWrongRole => format!("Not a {} key", role.unwrap_or("suitable")),
        RateLimited => "Over the rate limit: retry after `Retry-After` seconds".into(),
        InvalidQuery => "A query parameter is not valid".into(),
        NotFound => "Nothing at this path for this caller".into(),
        UnsupportedMediaType => "The body is not of the documented media type".into(),
        PayloadTooLarge | UploadTooLarge => "The body or a file is over its size limit".into(),
        InvalidBody => "The body is not valid".into(),
        UploadMissingFile | UploadBadField => "A form field is missing or not valid".into(),
        RequestTimeout => "The request took longer than the server allows".into(),
        other => other.code().replace('_', " "),
    }
}

/// `wholesaler` or `partner` when the operation needs that key.
fn key_role(op: &Operation) -> Option<&'static str> {
    // SecurityRequirement keeps its scheme names private; its JSON form shows them.
    let requirements = serde_json::to_value(op.security.as_ref()?).ok()?;
    let named = |scheme: &str| {
        requirements
            .as_array()
            .is_some_and(|all| all.iter().any(|r| r.get(scheme).is_some()))
    };
    if named("wholesaler_key") {
        Some("wholesaler")
    } else if named("partner_key") {
        Some("partner")
    } else if named("operator_key") {
        Some("operator")
    } else {
        None
    }
}

fn has_parameter(op: &Operation, place: ParameterIn) -> bool {
    op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == place,
        RefOr::Ref(_) => false,
    })
}

enum Body {
    Json,
    Multipart,
}

fn body_kind(op: &Operation) -> Option<Body> {
    let RefOr::T(body) = op.request_body.as_ref()? else {
        return None;
    };
    if body.content.contains_key("multipart/form-data") {
        Some(Body::Multipart)
    } else if body.content.keys().any(|k| k.contains("json")) {
        Some(Body::Json)
    } else {
        None
    }
}
