//! The store's error type and the one place database constraint errors become domain errors.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the string names what was duplicated.
    #[error("already exists: {0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("refers to a missing row: {0}")]
    MissingReference(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    /// A stored value this code cannot read (a newer schema, or a hand edit).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    /// Maps constraint violations to `Conflict` and `MissingReference` (realworld's
    /// `on_constraint`), everything else to `Db`.
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Conflict(m),
            Some(SqlErr::ForeignKeyConstraintViolation(m)) => StoreError::MissingReference(m),
            _ => StoreError::Db(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<ddhub_domain::style::UnknownValue> for StoreError {
    fn from(e: ddhub_domain::style::UnknownValue) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl ddhub_domain::error::Coded for StoreError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        use ddhub_domain::error::ErrorCode;
        match self {
            StoreError::NotFound => ErrorCode::NotFound,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::Invalid(_) => ErrorCode::InvalidBody,
            _ => ErrorCode::Internal,
        }
    }

    fn public_detail(&self) -> Option<String> {
        match self {
            StoreError::Conflict(what) | StoreError::Invalid(what) => Some(what.clone()),
            _ => None,
        }
    }
}
