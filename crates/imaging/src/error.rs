//! Errors of the imaging pipeline, each with a stable snake_case code for APIs and logs.

use std::path::PathBuf;

/// Why a photo could not be normalised. [`ImageError::code`] is stable and is the key of the
/// message in `locales/`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    FileTooLarge { size: u64, limit: u64 },
    #[error("the image is {width}×{height} pixels; the limit is {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the image is {width}×{height} pixels; no side may exceed {limit} pixels")]
    DimensionTooLarge { width: u32, height: u32, limit: u32 },
    #[error("the image has no pixels ({width}×{height})")]
    ZeroSize { width: u32, height: u32 },
    #[error("not a supported image format (JPEG, PNG, WebP, GIF or HEIC expected)")]
    UnsupportedFormat,
    #[error("HEIC photos are not supported in this build (enable the `heic` feature)")]
    HeicUnsupported,
    #[error("the {format} file is damaged or not what it claims to be: {message}")]
    Corrupt {
        format: &'static str,
        message: String,
    },
    #[error("could not encode the {format} output: {message}")]
    Encode {
        format: &'static str,
        message: String,
    },
    #[error("internal imaging error: {0}")]
    Internal(String),
    #[error("could not read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ImageError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::TooManyPixels { .. } => "too_many_pixels",
            Self::DimensionTooLarge { .. } => "dimension_too_large",
            Self::ZeroSize { .. } => "zero_size",
            Self::UnsupportedFormat => "unsupported_format",
            Self::HeicUnsupported => "heic_unsupported",
            Self::Corrupt { .. } => "corrupt_image",
            Self::Encode { .. } => "encode_failed",
            Self::Internal(_) => "internal_error",
            Self::Io { .. } => "io_error",
        }
    }

    pub(crate) fn corrupt(format: &'static str, err: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            format,
            message: err.to_string(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
