#![doc = include_str!("../README.md")]

mod batch;
mod checks;
mod color;
pub mod colour_check;
mod config;
mod decode;
mod encode;
mod error;
mod hash;
mod heic;
mod normalise;
mod probe;

pub use batch::{BatchFailure, BatchSummary, normalise_dir};
pub use checks::{Check, Severity, blank_score, blur_score};
pub use config::{
    CheckThresholds, Config, JpegSettings, Limits, OutputFormat, OutputSpec, Profile,
    ProfileLayout, WebpSettings,
};
pub use error::ImageError;
pub use hash::{
    NEAR_DUPLICATE_MAX_DISTANCE, is_near_duplicate, perceptual_hash, phash_distance, sha256_hex,
};
pub use normalise::{NormalisedPhoto, Variant, normalise_bytes, normalise_file};
pub use probe::{Probe, SourceFormat, detect_format, probe};

/// True when this build decodes HEIC (cargo feature `heic`).
pub const HEIC_SUPPORTED: bool = cfg!(feature = "heic");
