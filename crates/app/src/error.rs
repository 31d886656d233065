//! The error every use case returns: a code of the one table (`ddhub_domain::error`), the detail
//! its message shows, and extra message arguments. The HTTP layer renders it in the caller's
//! language; the CLI prints it. Library errors convert with `?` through their [`Coded`] code.

use ddhub_domain::error::Coded;
pub use ddhub_domain::error::ErrorCode;
use serde::Serialize;
use std::borrow::Cow;

/// A refused or failed use case. `detail` fills `%{detail}` in messages that have it; it must not
/// carry anything internal (a 500 never shows its cause).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub code: ErrorCode,
    pub detail: Option<String>,
    /// Extra `%{name}` values for messages that take them.
    pub args: Vec<(&'static str, String)>,
    /// Per-item reasons (the lines of an order, the answers to a purchase request), each an
    /// object with its own `code` and message(s).
    pub problems: Option<Vec<serde_json::Value>>,
    /// For a 409 about a partner's order id used before: the order that holds it. `Some(null)`
    /// renders `"existing_order_id":null`, which the store fills in when it stores the answer
    /// (see `ddhub_store::orders::EXISTING_ORDER_ID_SLOT`).
    pub existing_order_id: Option<serde_json::Value>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            args: Vec::new(),
            problems: None,
            existing_order_id: None,
        }
    }

    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            detail: Some(detail.into()),
            ..Self::new(code)
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn with_problems(mut self, problems: Vec<serde_json::Value>) -> Self {
        self.problems = Some(problems);
        self
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    /// A 500 whose cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::Internal)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(d) => write!(f, "{}: {d}", self.code.code()),
            None => f.write_str(self.code.code()),
        }
    }
}

impl std::error::Error for AppError {}

impl<E: Coded> From<E> for AppError {
    fn from(e: E) -> Self {
        let code = e.error_code();
        if code == ErrorCode::Internal {
            return AppError::internal(e);
        }
        AppError {
            detail: e.public_detail(),
            ..AppError::new(code)
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code from the error table.
    pub code: String,
    /// Human-readable message in the caller's language (Accept-Language).
    pub message: String,
    /// Per-item reasons, where a request is refused item by item (the lines of an order, the
    /// answers to a purchase request): each with its own `code` and message(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Problem>>)]
    pub problems: Option<Vec<serde_json::Value>>,
    /// `conflict` on order intake: the id of the order that already holds this
    /// `partner_order_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub existing_order_id: Option<serde_json::Value>,
}

/// One thing wrong with a request (documentation of the JSON shape of `problems`' items; a
/// kind of problem may add its own details, such as `line`, `expected` or `given`).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"pointer": "/lines/0/quantity", "code": "missing_field",
    "message": "missing field `quantity`"}))]
pub struct Problem {
    /// JSON Pointer (RFC 6901) to the field at fault; `/` for the body as a whole.
    pub pointer: Option<String>,
    /// Stable snake_case code of the kind of problem (`unknown_field`, `invalid_type`,
    /// `missing_field`, `bad_quantity`, `price_mismatch`, …).
    pub code: String,
    /// What is wrong, in the caller's language.
    pub message: Option<String>,
    /// For a body that does not read: the JSON parser's own words (English).
    pub detail: Option<String>,
}

/// The message of `err` in `locale`.
pub fn message(err: &AppError, locale: &str, request_id: &str) -> String {
    let key = format!("errors.{}", err.code.code());
    let mut patterns: Vec<&str> = vec!["detail", "request_id"];
    let mut values: Vec<String> = vec![
        err.detail.clone().unwrap_or_default(),
        request_id.to_string(),
    ];
    for (k, v) in &err.args {
        patterns.push(k);
        values.push(v.clone());
    }
    let template: Cow<'_, str> = rust_i18n::t!(&key, locale = locale);
    let mut out = template.into_owned();
    for (p, v) in patterns.iter().zip(values.iter()) {
        out = out.replace(&format!("%{{{p}}}"), v);
    }
    out.trim_end_matches([':', '：', ' ']).to_string()
}

/// The problems of `err` with their messages in `locale`: a body problem (`crates::body`) gets
/// its message from `locales/problems.yml`, serde's English words moving to `detail`; problems
/// that carry their own message (an order's lines) keep it.
pub fn localized_problems(
    problems: &Option<Vec<serde_json::Value>>,
    locale: &str,
) -> Option<Vec<serde_json::Value>> {
    const BODY_CODES: [&str; 5] = [
        "malformed_json",
        "unknown_field",
        "missing_field",
        "invalid_type",
        "invalid_value",
    ];
    let mut list = problems.clone()?;
    for p in &mut list {
        let Some(code) = p["code"].as_str().filter(|c| BODY_CODES.contains(c)) else {
            continue;
        };
        if p.get("detail").is_some() {
            continue;
        }
        let key = format!("problems.{code}");
        let pointer = p["pointer"].as_str().unwrap_or("/").to_string();
        let text: Cow<'_, str> = rust_i18n::t!(&key, locale = locale);
        let message = text.replace("%{pointer}", &pointer);
        let detail = p["message"].take();
        p["detail"] = detail;
        p["message"] = message.into();
    }
    Some(list)
}

/// The JSON error body of `err` in `locale`, for answers that are stored and replayed (an
/// order's answer under its idempotency key) rather than rendered by [`localize_errors`].
pub fn error_json(err: &AppError, locale: &str) -> String {
    let body = ErrorBody {
        error: ErrorDetail {
            code: err.code.code().to_string(),
            message: message(err, locale, "-"),
            problems: localized_problems(&err.problems, locale),
            existing_order_id: err.existing_order_id.clone(),
        },
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// What a use case returns.
pub type AppResult<T> = Result<T, AppError>;
