//! HEIC/HEIF input through libheif (Debian's libheif-dev) when built with the `heic` feature.

use crate::ImageError;

#[cfg(not(feature = "heic"))]
pub(crate) fn dimensions(_bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    Err(ImageError::HeicUnsupported)
}

#[cfg(not(feature = "heic"))]
pub(crate) fn decode(
    _bytes: &[u8],
    _limits: &crate::Limits,
) -> Result<crate::decode::Decoded, ImageError> {
    Err(ImageError::HeicUnsupported)
}

#[cfg(feature = "heic")]
pub(crate) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let ctx = libheif_rs::HeifContext::read_from_bytes(bytes)
        .map_err(|e| ImageError::corrupt("heic", e))?;
    let handle = ctx
        .primary_image_handle()
        .map_err(|e| ImageError::corrupt("heic", e))?;
    Ok((handle.width(), handle.height()))
}

/// libheif applies the `irot`/`imir` transforms itself, so the orientation left is "none"
/// (HEIC's EXIF orientation is informational only).
#[cfg(feature = "heic")]
pub(crate) fn decode(
    bytes: &[u8],
    limits: &crate::Limits,
) -> Result<crate::decode::Decoded, ImageError> {
    use libheif_rs::{ColorSpace, HeifContext, RgbChroma};
    let corrupt = |e: libheif_rs::HeifError| ImageError::corrupt("heic", e);
    let ctx = HeifContext::read_from_bytes(bytes).map_err(corrupt)?;
    let handle = ctx.primary_image_handle().map_err(corrupt)?;
    crate::probe::check_dimensions(handle.width(), handle.height(), limits)?;
    let image = handle
        .decode(ColorSpace::Rgb(RgbChroma::Rgb), None)
        .map_err(corrupt)?;
    let icc = image.color_profile_raw().map(|p| p.data);
    let planes = image.planes();
    let Some(plane) = planes.interleaved else {
        return Err(ImageError::corrupt("heic", "no interleaved RGB plane"));
    };
    let (w, h) = (plane.width as usize, plane.height as usize);
    let mut rgb = Vec::with_capacity(w * h * 3);
    for row in plane.data.chunks(plane.stride).take(h) {
        rgb.extend_from_slice(row.get(..w * 3).unwrap_or(row));
    }
    Ok(crate::decode::Decoded {
        image: crate::decode::to_rgb_image(w, h, rgb)?,
        icc,
        orientation: image::metadata::Orientation::NoTransforms,
        notes: Vec::new(),
    })
}
