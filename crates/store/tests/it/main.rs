//! Store integration tests: one binary, run on SQLite always and on PostgreSQL when
//! `DDHUB_TEST_POSTGRES_URL` is set (each test in a fresh schema).
#![allow(clippy::unwrap_used)]

mod catalog;
mod changes;
use ddhub_store::testing as common;
mod glossary;
mod jobs;
mod keys;
mod migrations;
mod translations;
