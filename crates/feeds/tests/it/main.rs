//! Integration tests of ddhub-feeds: one binary, one module per concern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod changes;
mod channels;
mod formats;
mod mapping;
mod properties;
mod support;
mod validator;
