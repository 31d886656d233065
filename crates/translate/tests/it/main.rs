//! One test binary for the crate (link once): glossary data, titles, providers, quality.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attributes;
mod glossary_data;
mod memory;
mod providers;
mod quality;
mod titles;
