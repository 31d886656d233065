//! The one error table: every API error has a stable snake_case code, an HTTP status, and a
//! message in each locale (`locales/errors.yml`, keyed `errors.<code>`).
//!
//! Handlers return [`ApiError`]; its response carries the error as an extension and the
//! [`localize_errors`] middleware, which knows the caller's `Accept-Language`, writes the body
//! `{"error":{"code":…,"message":…}}`. The same middleware turns bare error responses from layers
//! (405, 413, timeouts, panics) into that body, so every error a client sees has one shape.

use crate::i18n::negotiate;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ddhub_store::StoreError;
use serde::Serialize;
use std::borrow::Cow;

/// Every error code DDHub answers with, and its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    AuthMissing,
    AuthMalformed,
    AuthInvalidKey,
    AuthRevoked,
    AuthWrongRole,
    InvalidQuery,
    InvalidBody,
    BadRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    Conflict,
    RateLimited,
    RequestTimeout,
    NotReady,
    Internal,
    UploadMissingFile,
    UploadTooLarge,
    UploadBadField,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    IdempotencyInFlight,
    // Partner feeds.
    InvalidCursor,
    InvalidFeedSettings,
    FeedSettingsOperatorOnly,
    // Web console (pages).
    CsrfInvalid,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::NotFound,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::AuthMissing,
        ErrorCode::AuthMalformed,
        ErrorCode::AuthInvalidKey,
        ErrorCode::AuthRevoked,
        ErrorCode::AuthWrongRole,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidBody,
        ErrorCode::BadRequest,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::RequestTimeout,
        ErrorCode::NotReady,
        ErrorCode::Internal,
        ErrorCode::UploadMissingFile,
        ErrorCode::UploadTooLarge,
        ErrorCode::UploadBadField,
        ErrorCode::IdempotencyKeyMissing,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::IdempotencyInFlight,
        ErrorCode::InvalidCursor,
        ErrorCode::InvalidFeedSettings,
        ErrorCode::FeedSettingsOperatorOnly,
        ErrorCode::CsrfInvalid,
    ];

    /// (code, status): the table.
    pub fn spec(self) -> (&'static str, StatusCode) {
        use ErrorCode::*;
        match self {
            NotFound => ("not_found", StatusCode::NOT_FOUND),
            RouteNotFound => ("route_not_found", StatusCode::NOT_FOUND),
            MethodNotAllowed => ("method_not_allowed", StatusCode::METHOD_NOT_ALLOWED),
            AuthMissing => ("auth_missing", StatusCode::UNAUTHORIZED),
            AuthMalformed => ("auth_malformed", StatusCode::UNAUTHORIZED),
            AuthInvalidKey => ("auth_invalid_key", StatusCode::UNAUTHORIZED),
            AuthRevoked => ("auth_revoked", StatusCode::UNAUTHORIZED),
            AuthWrongRole => ("auth_wrong_role", StatusCode::FORBIDDEN),
            InvalidQuery => ("invalid_query", StatusCode::BAD_REQUEST),
            InvalidBody => ("invalid_body", StatusCode::UNPROCESSABLE_ENTITY),
            BadRequest => ("bad_request", StatusCode::BAD_REQUEST),
            UnsupportedMediaType => ("unsupported_media_type", StatusCode::UNSUPPORTED_MEDIA_TYPE),
            PayloadTooLarge => ("payload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
            Conflict => ("conflict", StatusCode::CONFLICT),
            RateLimited => ("rate_limited", StatusCode::TOO_MANY_REQUESTS),
            RequestTimeout => ("request_timeout", StatusCode::SERVICE_UNAVAILABLE),
            NotReady => ("not_ready", StatusCode::SERVICE_UNAVAILABLE),
            Internal => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
            UploadMissingFile => ("upload_missing_file", StatusCode::BAD_REQUEST),
            UploadTooLarge => ("upload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
            UploadBadField => ("upload_bad_field", StatusCode::BAD_REQUEST),
            IdempotencyKeyMissing => ("idempotency_key_missing", StatusCode::BAD_REQUEST),
            IdempotencyKeyReused => ("idempotency_key_reused", StatusCode::UNPROCESSABLE_ENTITY),
            IdempotencyInFlight => ("idempotency_in_flight", StatusCode::CONFLICT),
            InvalidCursor => ("invalid_cursor", StatusCode::BAD_REQUEST),
            InvalidFeedSettings => ("invalid_feed_settings", StatusCode::UNPROCESSABLE_ENTITY),
            FeedSettingsOperatorOnly => ("feed_settings_operator_only", StatusCode::FORBIDDEN),
            CsrfInvalid => ("csrf_invalid", StatusCode::FORBIDDEN),
        }
    }

    pub fn code(self) -> &'static str {
        self.spec().0
    }

    pub fn status(self) -> StatusCode {
        self.spec().1
    }

    /// The code a bare error response of this status gets.
    fn for_status(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::NOT_FOUND => ErrorCode::RouteNotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
                ErrorCode::RequestTimeout
            }
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            StatusCode::UNAUTHORIZED => ErrorCode::AuthMissing,
            StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::InvalidBody,
            s if s.is_server_error() => ErrorCode::Internal,
            _ => ErrorCode::BadRequest,
        }
    }
}

/// An error a handler returns. `detail` fills `%{detail}` in messages that have it; it must not
/// carry anything internal (a 500 never shows its cause).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<String>,
    /// Extra `%{name}` values for messages that take them.
    pub args: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            args: Vec::new(),
        }
    }

    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
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

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(what) => ApiError::with_detail(ErrorCode::Conflict, what),
            StoreError::Invalid(what) => ApiError::with_detail(ErrorCode::InvalidBody, what),
            other => ApiError::internal(other),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    /// A JSON body axum could not read: 415 when it is not sent as JSON, 413 past the body
    /// limit, 422 when it is not JSON or not the expected shape. Every JSON route answers these
    /// alike, as the OpenAPI document says (`crate::openapi`).
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        match e.status() {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(ErrorCode::UnsupportedMediaType),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(ErrorCode::PayloadTooLarge),
            _ => ApiError::with_detail(ErrorCode::InvalidBody, e.body_text()),
        }
    }
}

impl From<axum::extract::multipart::MultipartRejection> for ApiError {
    /// The only multipart rejection is a request that is not `multipart/form-data` with a
    /// boundary: the wrong media type, not a bad field.
    fn from(_: axum::extract::multipart::MultipartRejection) -> Self {
        ApiError::new(ErrorCode::UnsupportedMediaType)
    }
}

impl From<axum::extract::multipart::MultipartError> for ApiError {
    /// A form that breaks off or is malformed midway is a bad field; one past the route's body
    /// limit is too large.
    fn from(e: axum::extract::multipart::MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::PayloadTooLarge)
        } else {
            ApiError::with_detail(ErrorCode::UploadBadField, e.body_text())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let mut res = status.into_response();
        res.extensions_mut().insert(self);
        res
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
    #[schema(value_type = Option<Vec<Object>>)]
    pub problems: Option<Vec<serde_json::Value>>,
}

/// The message of `err` in `locale`.
pub fn message(err: &ApiError, locale: &str, request_id: &str) -> String {
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

/// Writes the JSON error body in the caller's language for every error response.
pub async fn localize_errors(req: Request, next: Next) -> Response {
    let locale = negotiate(req.headers());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let mut res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let err = match res.extensions_mut().remove::<ApiError>() {
        Some(e) => e,
        None => {
            let is_json = res
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            // The web pages render their own errors as HTML, in the page's language.
            let is_page = res
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
            if is_json || is_page {
                return res;
            }
            if status.is_server_error() {
                tracing::error!(%status, request_id, "error response from a layer");
            }
            ApiError::new(ErrorCode::for_status(status))
        }
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: err.code.code().to_string(),
            message: message(&err, locale, &request_id),
            problems: None,
        },
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let (mut parts, _) = res.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale));
    Response::from_parts(parts, Body::from(bytes))
}
