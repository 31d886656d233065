//! Decoding to 8-bit sRGB-bound RGB: JPEG through libjpeg-turbo with shrink-on-load, PNG, WebP
//! and GIF through the image crate, HEIC through libheif (feature `heic`).

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, RgbImage};
use turbojpeg::{Colorspace, Decompressor, PixelFormat, ScalingFactor};

use crate::color;
use crate::probe::{Probe, SourceFormat, image_crate_limits};
use crate::{ImageError, Limits};

/// Decoded pixels, alpha already flattened, with what is still to be applied.
pub(crate) struct Decoded {
    pub image: RgbImage,
    /// RGB ICC profile to convert from (applied after the first resize, on fewer pixels).
    pub icc: Option<Vec<u8>>,
    pub orientation: Orientation,
    /// Problems that did not stop decoding (e.g. an unreadable ICC profile).
    pub notes: Vec<String>,
}

/// Decodes `bytes`; `min_long_edge` is the smallest long edge the outputs need, which lets JPEG
/// decode at 1/2, 1/4 or 1/8 scale.
pub(crate) fn decode(
    bytes: &[u8],
    probe: &Probe,
    limits: &Limits,
    min_long_edge: u32,
) -> Result<Decoded, ImageError> {
    match probe.format {
        SourceFormat::Jpeg => decode_jpeg(bytes, min_long_edge),
        SourceFormat::Heic => crate::heic::decode(bytes, limits),
        other => decode_with_image_crate(bytes, other, probe, limits),
    }
}

/// The smallest DCT scaling factor whose output keeps the long edge ≥ `min_long_edge`.
fn shrink_on_load(width: usize, height: usize, min_long_edge: u32) -> ScalingFactor {
    let long = width.max(height);
    for denom in [8usize, 4, 2] {
        let f = ScalingFactor::new(1, denom);
        if f.scale(long) >= min_long_edge as usize {
            return f;
        }
    }
    ScalingFactor::ONE
}

struct JpegMetadata {
    icc: Option<Vec<u8>>,
    orientation: Orientation,
    adobe: bool,
}

/// Reads ICC (possibly split over several APP2 segments), EXIF orientation and the Adobe APP14
/// marker with img-parts. A file whose segments cannot be parsed is treated as untagged.
fn jpeg_metadata(bytes: &[u8]) -> JpegMetadata {
    use img_parts::{ImageEXIF, ImageICC};
    let mut meta = JpegMetadata {
        icc: None,
        orientation: Orientation::NoTransforms,
        adobe: false,
    };
    if let Ok(jpeg) = img_parts::jpeg::Jpeg::from_bytes(img_parts::Bytes::copy_from_slice(bytes)) {
        meta.icc = jpeg.icc_profile().map(|b| b.to_vec());
        if let Some(exif) = jpeg.exif() {
            meta.orientation =
                Orientation::from_exif_chunk(&exif).unwrap_or(Orientation::NoTransforms);
        }
        meta.adobe = jpeg
            .segments_by_marker(0xEE)
            .any(|s| s.contents().starts_with(b"Adobe"));
    }
    meta
}

fn decode_jpeg(bytes: &[u8], min_long_edge: u32) -> Result<Decoded, ImageError> {
    let corrupt = |e: turbojpeg::Error| ImageError::corrupt("jpeg", e);
    let mut dec = Decompressor::new().map_err(|e| ImageError::Internal(e.to_string()))?;
    // Guards against progressive files with thousands of scans (a CPU bomb).
    dec.set_scan_limit(500).map_err(corrupt)?;
    let header = dec.read_header(bytes).map_err(corrupt)?;
    let factor = shrink_on_load(header.width, header.height, min_long_edge);
    dec.set_scaling_factor(factor).map_err(corrupt)?;
    let width = factor.scale(header.width);
    let height = factor.scale(header.height);
    let meta = jpeg_metadata(bytes);
    let cmyk = matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK);
    let format = if cmyk {
        PixelFormat::CMYK
    } else {
        PixelFormat::RGB
    };
    let pitch = width * format.size();
    let mut pixels = vec![0u8; pitch * height];
    dec.decompress(
        bytes,
        turbojpeg::Image {
            pixels: pixels.as_mut_slice(),
            width,
            pitch,
            height,
            format,
        },
    )
    .map_err(corrupt)?;
    let mut notes = Vec::new();
    let (rgb, icc) = if cmyk {
        let (rgb, problem) = color::cmyk_to_rgb(&mut pixels, meta.adobe, meta.icc.as_deref());
        notes.extend(problem);
        (rgb, None)
    } else {
        (pixels, meta.icc)
    };
    let image = to_rgb_image(width, height, rgb)?;
    Ok(Decoded {
        image,
        icc,
        orientation: meta.orientation,
        notes,
    })
}

pub(crate) fn to_rgb_image(
    width: usize,
    height: usize,
    rgb: Vec<u8>,
) -> Result<RgbImage, ImageError> {
    let w = u32::try_from(width).map_err(|e| ImageError::Internal(e.to_string()))?;
    let h = u32::try_from(height).map_err(|e| ImageError::Internal(e.to_string()))?;
    RgbImage::from_raw(w, h, rgb)
        .ok_or_else(|| ImageError::Internal("pixel buffer does not match its size".into()))
}

fn map_image_error(
    format: SourceFormat,
    probe: &Probe,
    limits: &Limits,
    err: image::ImageError,
) -> ImageError {
    match err {
        // A frame or allocation beyond the limits that the header did not announce.
        image::ImageError::Limits(_) => ImageError::TooManyPixels {
            width: probe.width,
            height: probe.height,
            limit: limits.max_pixels,
        },
        other => ImageError::corrupt(format.as_str(), other),
    }
}

fn decode_with_image_crate(
    bytes: &[u8],
    format: SourceFormat,
    probe: &Probe,
    limits: &Limits,
) -> Result<Decoded, ImageError> {
    let Some(fmt) = format.image_format() else {
        return Err(ImageError::UnsupportedFormat);
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), fmt);
    reader.limits(image_crate_limits(limits));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| map_image_error(format, probe, limits, e))?;
    let icc = decoder.icc_profile().ok().flatten();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // For GIF this is the first frame.
    let img = DynamicImage::from_decoder(decoder)
        .map_err(|e| map_image_error(format, probe, limits, e))?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let rgb = if img.color().has_alpha() {
        let rgba = img.into_rgba8();
        color::flatten_on_white(rgba.as_raw())
    } else {
        img.into_rgb8().into_raw()
    };
    Ok(Decoded {
        image: to_rgb_image(w, h, rgb)?,
        icc,
        orientation,
        notes: Vec::new(),
    })
}
