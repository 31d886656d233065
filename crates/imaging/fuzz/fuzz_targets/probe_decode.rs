//! Probe and full normalisation of arbitrary bytes must return Ok or a coded error: never
//! panic, hang or allocate past the limits.
//!
//! `cargo +nightly fuzz run probe_decode` (from crates/imaging); seed the corpus with a few
//! small photos of each format.
#![no_main]

use ddhub_imaging::{Config, Limits, normalise_bytes, probe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast and prove they hold before any pixel buffer exists.
    let limits = Limits {
        max_pixels: 4_000_000,
        max_file_bytes: 1 << 20,
        max_dimension: 4096,
    };
    if let Err(e) = probe(data, &limits) {
        assert!(!e.code().is_empty());
        return;
    }
    let config = Config {
        limits,
        ..Config::default()
    };
    if let Err(e) = normalise_bytes(data, &config) {
        assert!(!e.code().is_empty());
    }
});
