//! Server tests: the production router in process (`oneshot`), and the worker pool on SQLite
//! and, when `DDHUB_TEST_POSTGRES_URL` is set, PostgreSQL.
#![allow(clippy::unwrap_used)]

mod api;
mod feeds;
mod i18n;
mod ops;
mod orders;
mod photos;
mod search;
mod uploads;
mod workers;
