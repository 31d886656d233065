#![doc = include_str!("../README.md")]

mod bulk;
pub mod catalog;
pub mod changes;
pub mod console_sessions;
mod db;
pub mod entity;
mod error;
pub mod glossary;
pub mod jobs;
pub mod keys;
pub mod orders;
pub mod parties;
pub mod photos;
pub mod rates;
pub mod testing;
pub mod translations;
pub mod uploads;

pub use db::{Backend, Store, StoreOptions, sqlite_file};
pub use error::StoreError;
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
