#![doc = include_str!("../README.md")]

// Messages of every locale, compiled in from the workspace's `locales/` folder.
rust_i18n::i18n!("../../locales", fallback = "en");

pub mod body;
pub mod cldr;
pub mod config;
pub mod error;
pub mod jobs;
pub mod media;
pub mod metrics;
pub mod runtime;
pub mod services;
pub mod state;
pub mod worker;

pub use config::Config;
pub use error::{AppError, AppResult, ErrorCode};
pub use state::{App, AppState};
