//! Integration tests of ddhub-imaging. Fixtures are generated here (image crate, libjpeg-turbo,
//! moxcms profiles and hand-built metadata segments) rather than committed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod batch;
mod colour;
mod colour_check;
mod hostile;
mod metadata;
mod orientation;
mod outputs;
mod support;
