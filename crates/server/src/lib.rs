#![doc = include_str!("../README.md")]

// Messages of every locale, compiled in from the workspace's `locales/` folder.
rust_i18n::i18n!("../../locales", fallback = "en");

pub mod app;
pub mod auth;
pub mod backup;
pub mod catalog_upload;
pub mod config;
pub mod error;
pub mod feeds;
pub mod glossary;
pub mod i18n;
pub mod limits;
pub mod listing;
pub mod media;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod order_ops;
pub mod pages;
pub mod photo_job;
pub mod routes;
pub mod serve;
pub mod webhooks;
pub mod worker;

pub use app::{App, AppState, router};
pub use config::Config;
