#![doc = include_str!("../README.md")]

mod bulk;
pub mod buyers;
pub mod catalog;
pub mod changes;
pub mod colour_checks;
pub mod console_sessions;
mod db;
pub mod entity;
mod error;
pub mod glossary;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod measurements;
pub mod operators;
pub mod ops_sessions;
pub mod orders;
pub mod parties;
pub mod photos;
pub mod pickups;
pub mod rates;
pub mod seqlog;
pub mod shipments;
#[cfg(feature = "testing")]
pub mod testing;
pub mod translations;
mod ttl;
pub mod uploads;

pub use db::{Backend, Store, StoreOptions, sqlite_file};
pub use error::StoreError;
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The SQL offset and limit of page `page` (from 0) of `per_page` rows. The drivers bind them as
/// signed 64-bit numbers and panic on a larger one; a page that far out is empty anyway.
pub(crate) fn page_window(page: u64, per_page: u64) -> (u64, u64) {
    const MAX: u64 = i64::MAX as u64;
    (page.saturating_mul(per_page).min(MAX), per_page.min(MAX))
}
