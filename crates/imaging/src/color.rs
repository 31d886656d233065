//! Colour management to sRGB with moxcms (pure Rust), CMYK handling and alpha flattening.

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

/// Converts RGB pixels described by `icc` to sRGB in place. Profiles that are not RGB (grey)
/// are left alone: grey pixels are grey in sRGB too.
pub(crate) fn rgb_icc_to_srgb(pixels: &mut Vec<u8>, icc: &[u8]) -> Result<(), String> {
    let src = ColorProfile::new_from_slice(icc).map_err(|e| e.to_string())?;
    if src.color_space != DataColorSpace::Rgb {
        return Ok(());
    }
    let dst = ColorProfile::new_srgb();
    let transform = src
        .create_transform_8bit(Layout::Rgb, &dst, Layout::Rgb, TransformOptions::default())
        .map_err(|e| e.to_string())?;
    let mut out = vec![0u8; pixels.len()];
    transform
        .transform(pixels, &mut out)
        .map_err(|e| e.to_string())?;
    *pixels = out;
    Ok(())
}

/// CMYK pixels (4 bytes each) to RGB. `inverted` is true for Adobe-marked JPEGs, which store
/// 255 − ink (Photoshop's convention). With a CMYK ICC profile moxcms converts; without one the
/// naive formula is used (what browsers do for untagged CMYK).
pub(crate) fn cmyk_to_rgb(
    cmyk: &mut [u8],
    inverted: bool,
    icc: Option<&[u8]>,
) -> (Vec<u8>, Option<String>) {
    if inverted {
        for v in cmyk.iter_mut() {
            *v = 255 - *v;
        }
    }
    let mut problem = None;
    if let Some(icc) = icc {
        match cmyk_icc(cmyk, icc) {
            Ok(rgb) => return (rgb, None),
            Err(e) => problem = Some(e),
        }
    }
    let mut rgb = Vec::with_capacity(cmyk.len() / 4 * 3);
    for px in cmyk.chunks_exact(4) {
        let k = 255 - u32::from(px[3]);
        for &ink in &px[..3] {
            rgb.push(((255 - u32::from(ink)) * k / 255) as u8);
        }
    }
    (rgb, problem)
}

fn cmyk_icc(cmyk: &[u8], icc: &[u8]) -> Result<Vec<u8>, String> {
    let src = ColorProfile::new_from_slice(icc).map_err(|e| e.to_string())?;
    if src.color_space != DataColorSpace::Cmyk {
        return Err(format!(
            "a CMYK image carries a {:?} profile",
            src.color_space
        ));
    }
    let dst = ColorProfile::new_srgb();
    // moxcms takes 8-bit CMYK in its RGBA layout.
    let transform = src
        .create_transform_8bit(Layout::Rgba, &dst, Layout::Rgb, TransformOptions::default())
        .map_err(|e| e.to_string())?;
    let mut out = vec![0u8; cmyk.len() / 4 * 3];
    transform
        .transform(cmyk, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Composites RGBA onto white and returns RGB.
pub(crate) fn flatten_on_white(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            rgb.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    rgb
}
