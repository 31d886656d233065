#![doc = include_str!("../README.md")]

// Messages of every locale, compiled in from the workspace's `locales/` folder.
rust_i18n::i18n!("../../locales", fallback = "en");

pub mod api_json;
pub mod app;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod json_guard;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod routes;
pub mod schemas;
pub mod serve;
pub mod upload_form;

pub use app::router;
pub use ddhub_app::{App, AppState, Config};
