//! Server tests: the production router in process (`oneshot`), and the worker pool on SQLite
//! and, when `DDHUB_TEST_POSTGRES_URL` is set, PostgreSQL.
#![allow(clippy::unwrap_used)]

mod answers;
mod api;
mod buyers;
mod channels;
mod colour_check;
mod console_day;
mod control_chars;
mod feed_changes;
mod feeds;
mod field_errors;
mod i18n;
mod landed;
mod listener;
mod measured;
mod openapi;
mod ops;
mod ops_pages;
mod orders;
mod pages;
mod photos;
mod search;
mod shipments;
mod style_rules;
mod test_mode;
mod translations;
mod uploads;
mod workers;
