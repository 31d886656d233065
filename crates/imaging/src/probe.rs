//! Format and dimensions from the header alone, and the limits applied before any pixel buffer.

use std::io::Cursor;

use serde::{Deserialize, Serialize};

use crate::{ImageError, Limits};

/// Source format, detected from magic bytes (never from the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
    Heic,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Heic => "heic",
        }
    }

    pub(crate) fn image_format(self) -> Option<image::ImageFormat> {
        match self {
            Self::Jpeg => Some(image::ImageFormat::Jpeg),
            Self::Png => Some(image::ImageFormat::Png),
            Self::Webp => Some(image::ImageFormat::WebP),
            Self::Gif => Some(image::ImageFormat::Gif),
            Self::Heic => None,
        }
    }
}

/// What the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub format: SourceFormat,
    pub width: u32,
    pub height: u32,
}

/// Detects the format from magic bytes. HEIF brands are checked by hand because the image
/// crate does not know HEIC.
pub fn detect_format(bytes: &[u8]) -> Result<SourceFormat, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if is_heif(bytes) {
        return Ok(SourceFormat::Heic);
    }
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => Ok(SourceFormat::Jpeg),
        Ok(image::ImageFormat::Png) => Ok(SourceFormat::Png),
        Ok(image::ImageFormat::WebP) => Ok(SourceFormat::Webp),
        Ok(image::ImageFormat::Gif) => Ok(SourceFormat::Gif),
        _ => Err(ImageError::UnsupportedFormat),
    }
}

fn is_heif(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 7] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1",
    ];
    bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && BRANDS.iter().any(|b| &bytes[8..12] == *b)
}

/// The image crate's decoder limits: width, height and allocation, set explicitly because its
/// allocation limit alone is not strict.
pub(crate) fn image_crate_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_dimension);
    l.max_image_height = Some(limits.max_dimension);
    // RGBA, 16 bits per channel, plus one frame of slack for GIF compositing.
    l.max_alloc = Some(limits.max_pixels.saturating_mul(16));
    l
}

/// Reads format and dimensions from the header and applies `limits`. No pixel is decoded.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe, ImageError> {
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(ImageError::FileTooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    let format = detect_format(bytes)?;
    let (width, height) = match format {
        SourceFormat::Jpeg => {
            let header =
                turbojpeg::read_header(bytes).map_err(|e| ImageError::corrupt("jpeg", e))?;
            (
                u32::try_from(header.width).unwrap_or(u32::MAX),
                u32::try_from(header.height).unwrap_or(u32::MAX),
            )
        }
        SourceFormat::Heic => crate::heic::dimensions(bytes)?,
        other => {
            let Some(fmt) = other.image_format() else {
                return Err(ImageError::UnsupportedFormat);
            };
            let reader = image::ImageReader::with_format(Cursor::new(bytes), fmt);
            reader
                .into_dimensions()
                .map_err(|e| ImageError::corrupt(other.as_str(), e))?
        }
    };
    check_dimensions(width, height, limits)?;
    Ok(Probe {
        format,
        width,
        height,
    })
}

pub(crate) fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::ZeroSize { width, height });
    }
    if width > limits.max_dimension || height > limits.max_dimension {
        return Err(ImageError::DimensionTooLarge {
            width,
            height,
            limit: limits.max_dimension,
        });
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}
