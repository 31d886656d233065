//! The one error table: every error DDHub answers with has a stable snake_case code, an HTTP
//! status and a message per locale (`locales/errors.yml`, keyed `errors.<code>`). Library
//! errors say their code through [`Coded`] (Meilisearch's `ErrorCode` trait), so the
//! application and HTTP layers convert them with `?` and never pick a code by hand.

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
    UploadInProgress,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    IdempotencyInFlight,
    // Partner feeds.
    InvalidCursor,
    InvalidFeedSettings,
    FeedSettingsOperatorOnly,
    // Web console (pages).
    CsrfInvalid,
    // Orders: refused item by item, the reasons in `problems`.
    OrderInvalid,
    AnswersInvalid,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 31] = [
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
        ErrorCode::UploadInProgress,
        ErrorCode::IdempotencyKeyMissing,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::IdempotencyInFlight,
        ErrorCode::InvalidCursor,
        ErrorCode::InvalidFeedSettings,
        ErrorCode::FeedSettingsOperatorOnly,
        ErrorCode::CsrfInvalid,
        ErrorCode::OrderInvalid,
        ErrorCode::AnswersInvalid,
    ];

    /// (code, status): the table.
    pub fn spec(self) -> (&'static str, u16) {
        use ErrorCode::*;
        match self {
            NotFound => ("not_found", 404),
            RouteNotFound => ("route_not_found", 404),
            MethodNotAllowed => ("method_not_allowed", 405),
            AuthMissing => ("auth_missing", 401),
            AuthMalformed => ("auth_malformed", 401),
            AuthInvalidKey => ("auth_invalid_key", 401),
            AuthRevoked => ("auth_revoked", 401),
            AuthWrongRole => ("auth_wrong_role", 403),
            InvalidQuery => ("invalid_query", 400),
            InvalidBody => ("invalid_body", 422),
            BadRequest => ("bad_request", 400),
            UnsupportedMediaType => ("unsupported_media_type", 415),
            PayloadTooLarge => ("payload_too_large", 413),
            Conflict => ("conflict", 409),
            RateLimited => ("rate_limited", 429),
            RequestTimeout => ("request_timeout", 503),
            NotReady => ("not_ready", 503),
            Internal => ("internal", 500),
            UploadMissingFile => ("upload_missing_file", 400),
            UploadTooLarge => ("upload_too_large", 413),
            UploadBadField => ("upload_bad_field", 400),
            UploadInProgress => ("upload_in_progress", 409),
            IdempotencyKeyMissing => ("idempotency_key_missing", 400),
            IdempotencyKeyReused => ("idempotency_key_reused", 422),
            IdempotencyInFlight => ("idempotency_in_flight", 409),
            InvalidCursor => ("invalid_cursor", 400),
            InvalidFeedSettings => ("invalid_feed_settings", 422),
            FeedSettingsOperatorOnly => ("feed_settings_operator_only", 403),
            CsrfInvalid => ("csrf_invalid", 403),
            OrderInvalid => ("order_invalid", 422),
            AnswersInvalid => ("answers_invalid", 422),
        }
    }

    pub fn code(self) -> &'static str {
        self.spec().0
    }

    /// The HTTP status this code answers with.
    pub fn status(self) -> u16 {
        self.spec().1
    }

    /// The code a bare error response of this status gets.
    pub fn for_status(status: u16) -> ErrorCode {
        match status {
            404 => ErrorCode::RouteNotFound,
            405 => ErrorCode::MethodNotAllowed,
            413 => ErrorCode::PayloadTooLarge,
            415 => ErrorCode::UnsupportedMediaType,
            408 | 503 => ErrorCode::RequestTimeout,
            429 => ErrorCode::RateLimited,
            401 => ErrorCode::AuthMissing,
            422 => ErrorCode::InvalidBody,
            s if (500..600).contains(&s) => ErrorCode::Internal,
            _ => ErrorCode::BadRequest,
        }
    }
}

/// An error that knows its code in the table, and the detail its message may show.
pub trait Coded: std::error::Error {
    fn error_code(&self) -> ErrorCode;

    /// Fills `%{detail}` in the message; must not carry anything internal. `None` for 500s,
    /// whose cause goes to the log only.
    fn public_detail(&self) -> Option<String> {
        None
    }
}
