//! Errors as HTTP answers. The table of codes, statuses and message keys is
//! `ddhub_domain::error`; this module renders it: every error body comes from it, localised.
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

pub use ddhub_app::error::{AppError, ErrorCode};

/// An error a handler returns: the application's [`AppError`], answered as HTTP. Anything with
/// a code of the table converts with `?` (store and library errors through `Coded`, use-case
/// errors as they are).
#[derive(Debug, Clone)]
pub struct ApiError(pub AppError);

impl std::ops::Deref for ApiError {
    type Target = AppError;
    fn deref(&self) -> &AppError {
        &self.0
    }
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self(AppError::new(code))
    }

    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(AppError::with_detail(code, detail))
    }

    pub fn arg(self, name: &'static str, value: impl Into<String>) -> Self {
        Self(self.0.arg(name, value))
    }

    pub fn not_found() -> Self {
        Self(AppError::not_found())
    }

    /// A 500 whose cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self(AppError::internal(cause))
    }

    /// The HTTP status of this error's code.
    pub fn http_status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// Library and service errors say their code ([`ddhub_domain::error::Coded`]): handlers use
/// `?`. (One impl per type: a blanket impl over `Coded` would overlap the axum rejections'.)
macro_rules! coded_into_api_error {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                Self(AppError::from(e))
            }
        }
    )*};
}

coded_into_api_error!(
    StoreError,
    ddhub_app::services::orders::OpError,
    ddhub_app::services::feeds::FeedBuildError,
    ddhub_app::services::feeds::SettingsUpdateError,
    ddhub_feeds::SettingsError,
    ddhub_feeds::CursorError,
);

impl From<axum::extract::rejection::PathRejection> for ApiError {
    /// A path that does not parse (`/styles/abc`) names nothing: the same 404 as an unknown
    /// id, so the two cannot be told apart.
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        ApiError::not_found()
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    /// A query string of the wrong shape: 400 with what axum could not read.
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text())
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
            _ => {
                // axum reads with serde_path_to_error: its error, down the source chain, says
                // which field failed, so the answer can name it (issue 22).
                let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
                while let Some(c) = cause {
                    if let Some(pe) =
                        c.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>()
                    {
                        let problem = ddhub_app::body::problem(pe.path(), pe.inner());
                        let detail = format!(
                            "{}: {}",
                            problem["pointer"].as_str().unwrap_or("/"),
                            problem["message"].as_str().unwrap_or("")
                        );
                        return ApiError::from(
                            AppError::with_detail(ErrorCode::InvalidBody, detail)
                                .with_problems(vec![problem]),
                        );
                    }
                    if let Some(se) = c.downcast_ref::<serde_json::Error>() {
                        let problem = ddhub_app::body::problem_at(String::new(), se);
                        return ApiError::from(
                            AppError::with_detail(ErrorCode::InvalidBody, e.body_text())
                                .with_problems(vec![problem]),
                        );
                    }
                    cause = c.source();
                }
                ApiError::with_detail(ErrorCode::InvalidBody, e.body_text())
            }
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

impl From<std::io::Error> for ApiError {
    /// A file the server could not write or read: a 500, its cause logged.
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.http_status();
        let mut res = status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}

pub use ddhub_app::error::{ErrorBody, ErrorDetail, error_json, message};

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
            ApiError::new(ErrorCode::for_status(status.as_u16()))
        }
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: err.code.code().to_string(),
            message: message(&err, locale, &request_id),
            problems: ddhub_app::error::localized_problems(&err.problems, locale),
            existing_order_id: err.existing_order_id.clone(),
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
