//! Integration tests of ddhub-orders (one test binary for the crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod answers;
mod export;
mod fingerprint;
mod intake;
mod landed;
mod lifecycle;
mod messages;
mod properties;
mod python_reference;
mod support;
mod webhook;
