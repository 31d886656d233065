//! One photo through the whole pipeline: probe, decode (shrink-on-load), resize a pyramid,
//! orient, convert to sRGB, pad, encode from pixels only, check and hash.

use fast_image_resize::images::{Image as FirImage, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};
use serde::{Deserialize, Serialize};

use crate::checks::{self, Check};
use crate::colour_check::{PhotoColour, photo_colours};
use crate::config::{OutputFormat, ProfileLayout};
use crate::probe::SourceFormat;
use crate::{Config, ImageError, color, decode, encode, hash, probe};

/// One encoded output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// `large`, `medium`, `thumb` or a profile name.
    pub name: String,
    pub format: OutputFormat,
    pub width: u32,
    pub height: u32,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// A normalised photo: its hashes, what it was, its outputs and its checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalisedPhoto {
    /// Lower-case hex SHA-256 of the source bytes.
    pub sha256: String,
    /// Perceptual hash (see [`crate::phash_distance`]).
    pub phash: String,
    pub source_format: SourceFormat,
    /// Source dimensions as stored (before EXIF orientation).
    pub source_width: u32,
    pub source_height: u32,
    pub variants: Vec<Variant>,
    pub warnings: Vec<Check>,
    /// Dominant garment colours, sweep excluded (`checks.dominant_colours`; empty when off or
    /// when nothing but background is left): what the style's colour check compares.
    #[serde(default)]
    pub colours: Vec<PhotoColour>,
}

enum Placement {
    Plain,
    Square { canvas: u32, background: [u8; 3] },
}

struct Target<'a> {
    name: &'a str,
    long_edge: u32,
    placement: Placement,
    formats: &'a [OutputFormat],
}

/// Output dimensions for the photo fitted to `long_edge` (rounded, at least 1 px).
fn fit(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    let scale = |v: u32| -> u32 {
        let scaled = (u64::from(v) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
    };
    (scale(width), scale(height))
}

/// Plans the outputs; returns them largest first, plus warnings for skipped ones.
fn plan<'a>(config: &'a Config, src_long: u32, warnings: &mut Vec<Check>) -> Vec<Target<'a>> {
    let mut targets = Vec::new();
    let smallest = config.sizes.iter().map(|s| s.long_edge).min().unwrap_or(0);
    for size in &config.sizes {
        if size.long_edge > src_long && size.long_edge != smallest {
            warnings.push(
                Check::warning(
                    "output_skipped_no_upscale",
                    format!(
                        "the photo's long edge is {src_long} px, smaller than the {} px of `{}`, \
                         which is not produced (photos are never upscaled)",
                        size.long_edge, size.name
                    ),
                )
                .measured(f64::from(src_long), f64::from(size.long_edge))
                .for_output(&size.name),
            );
            continue;
        }
        targets.push(Target {
            name: &size.name,
            long_edge: size.long_edge.min(src_long),
            placement: Placement::Plain,
            formats: &size.formats,
        });
    }
    for profile in &config.profiles {
        if src_long < profile.min_long_edge {
            warnings.push(
                Check::warning(
                    &format!("too_small_for_{}", profile.name),
                    format!(
                        "the photo's long edge is {src_long} px; `{}` needs at least {} px, so it \
                         is not produced",
                        profile.name, profile.min_long_edge
                    ),
                )
                .measured(f64::from(src_long), f64::from(profile.min_long_edge))
                .for_output(&profile.name)
                .error(),
            );
            continue;
        }
        let (long_edge, placement) = match &profile.layout {
            ProfileLayout::Fit { long_edge } => ((*long_edge).min(src_long), Placement::Plain),
            ProfileLayout::Square {
                canvas,
                margin,
                background,
            } => {
                let inner = 1.0 - 2.0 * f64::from(margin.clamp(0.0, 0.45));
                let product = ((f64::from(*canvas) * inner).round() as u32).clamp(1, src_long);
                let canvas = ((f64::from(product) / inner).round() as u32).max(product);
                (
                    product,
                    Placement::Square {
                        canvas,
                        background: *background,
                    },
                )
            }
        };
        targets.push(Target {
            name: &profile.name,
            long_edge,
            placement,
            formats: &profile.formats,
        });
    }
    targets.sort_by_key(|t| std::cmp::Reverse(t.long_edge));
    targets
}

/// Lanczos3 through fast_image_resize (AVX2/SSE4.1 chosen at run time).
fn resize(
    resizer: &mut Resizer,
    src: &RgbImage,
    width: u32,
    height: u32,
) -> Result<RgbImage, ImageError> {
    let internal = |e: &dyn std::fmt::Display| ImageError::Internal(format!("resize: {e}"));
    let view = ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let mut dst = FirImage::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    resizer
        .resize(&view, &mut dst, &options)
        .map_err(|e| internal(&e))?;
    RgbImage::from_raw(width, height, dst.into_vec())
        .ok_or_else(|| ImageError::Internal("resize: buffer size".into()))
}

fn orient(img: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return img;
    }
    let mut dynamic = DynamicImage::ImageRgb8(img);
    dynamic.apply_orientation(orientation);
    dynamic.into_rgb8()
}

fn pad_square(img: &RgbImage, canvas: u32, background: [u8; 3]) -> RgbImage {
    let mut out = RgbImage::from_pixel(canvas, canvas, image::Rgb(background));
    let x = i64::from(canvas.saturating_sub(img.width()) / 2);
    let y = i64::from(canvas.saturating_sub(img.height()) / 2);
    image::imageops::replace(&mut out, img, x, y);
    out
}

/// Normalises one photo held in memory. Sync and CPU-bound: run it on a blocking thread.
pub fn normalise_bytes(bytes: &[u8], config: &Config) -> Result<NormalisedPhoto, ImageError> {
    let probe = probe::probe(bytes, &config.limits)?;
    let sha256 = hash::sha256_hex(bytes);
    let src_long = probe.width.max(probe.height);
    let mut warnings = Vec::new();
    let targets = plan(config, src_long, &mut warnings);
    let Some(largest) = targets.first().map(|t| t.long_edge) else {
        return Err(ImageError::Internal(
            "the configuration asks for no output".into(),
        ));
    };

    let decoded = decode::decode(bytes, &probe, &config.limits, largest)?;
    for note in decoded.notes {
        warnings.push(Check::warning(
            "icc_profile_ignored",
            format!("the embedded colour profile could not be used ({note}); sRGB assumed"),
        ));
    }
    let orientation = decoded.orientation;
    let icc = decoded.icc;

    // Base level: the largest output, resized in stored orientation, then made upright (fewer
    // pixels to rotate) and converted to sRGB (fewer pixels to transform).
    let mut resizer = Resizer::new();
    let (mut bw, mut bh) = fit(probe.width, probe.height, largest);
    let source = decoded.image;
    if src_long <= largest {
        (bw, bh) = source.dimensions();
    }
    let base = if (bw, bh) == (source.width(), source.height()) {
        source
    } else {
        let resized = resize(&mut resizer, &source, bw, bh)?;
        drop(source);
        resized
    };
    let mut base = orient(base, orientation);
    if let Some(icc) = icc {
        let (w, h) = base.dimensions();
        let mut raw = base.into_raw();
        if let Err(e) = color::rgb_icc_to_srgb(&mut raw, &icc) {
            warnings.push(Check::warning(
                "icc_profile_ignored",
                format!("the embedded colour profile could not be used ({e}); sRGB assumed"),
            ));
        }
        base = decode::to_rgb_image(w as usize, h as usize, raw)?;
    }

    // Pyramid: each output is resized from the smallest level already made that is at least
    // as large, so only the first resize touches the big decoded image.
    let mut levels: Vec<RgbImage> = vec![base];
    let mut variants = Vec::new();
    let mut jpeg = encode::JpegEncoder::new(&config.jpeg)?;
    for target in &targets {
        let Some(src) = levels
            .iter()
            .filter(|l| l.width().max(l.height()) >= target.long_edge)
            .min_by_key(|l| l.width().max(l.height()))
        else {
            continue;
        };
        let (w, h) = fit(src.width(), src.height(), target.long_edge);
        let level_index = if (w, h) == src.dimensions() {
            levels
                .iter()
                .position(|l| l.dimensions() == (w, h))
                .unwrap_or(0)
        } else {
            let resized = resize(&mut resizer, src, w, h)?;
            levels.push(resized);
            levels.len() - 1
        };
        let level = &levels[level_index];
        let padded;
        let pixels = match target.placement {
            Placement::Plain => level,
            Placement::Square { canvas, background } => {
                padded = pad_square(level, canvas, background);
                &padded
            }
        };
        for format in target.formats {
            let bytes = match format {
                OutputFormat::Jpeg => jpeg.encode(pixels)?,
                OutputFormat::Webp => encode::webp(pixels, &config.webp)?,
            };
            variants.push(Variant {
                name: target.name.to_owned(),
                format: *format,
                width: pixels.width(),
                height: pixels.height(),
                bytes,
            });
        }
    }

    let thresholds = &config.checks;
    if src_long < thresholds.amazon_min_long_edge {
        warnings.push(
            Check::warning(
                "under_amazon_minimum",
                format!(
                    "the photo's long edge is {src_long} px, under Amazon's minimum of {} px",
                    thresholds.amazon_min_long_edge
                ),
            )
            .measured(
                f64::from(src_long),
                f64::from(thresholds.amazon_min_long_edge),
            ),
        );
    }
    // Blank and blur are measured on the level nearest 800 px, so thresholds do not depend on
    // the source resolution.
    let Some(check_level) = levels
        .iter()
        .min_by_key(|l| l.width().max(l.height()).abs_diff(800))
    else {
        return Err(ImageError::Internal("no pixels to check".into()));
    };
    let blank = checks::blank_score(check_level);
    if blank < thresholds.blank_max_stddev {
        warnings.push(
            Check::warning(
                "nearly_blank",
                format!(
                    "the photo is nearly blank: grey-level standard deviation {blank:.2}, \
                     threshold {}",
                    thresholds.blank_max_stddev
                ),
            )
            .measured(blank, thresholds.blank_max_stddev),
        );
    } else {
        let blur = checks::blur_score(check_level);
        if blur < thresholds.blur_min_laplacian_variance {
            warnings.push(
                Check::warning(
                    "heavily_blurred",
                    format!(
                        "the photo looks heavily blurred: variance of the Laplacian {blur:.1}, \
                         threshold {}",
                        thresholds.blur_min_laplacian_variance
                    ),
                )
                .measured(blur, thresholds.blur_min_laplacian_variance),
            );
        }
    }
    // On the same ~800 px level: the check samples a fixed number of pixels, so its cost does
    // not grow with the photo.
    let colours = if thresholds.dominant_colours {
        photo_colours(
            check_level.as_raw(),
            check_level.width(),
            check_level.height(),
        )
    } else {
        Vec::new()
    };
    let smallest = levels
        .iter()
        .min_by_key(|l| l.width().max(l.height()))
        .unwrap_or(check_level);
    let phash = hash::perceptual_hash(smallest);

    Ok(NormalisedPhoto {
        sha256,
        phash,
        source_format: probe.format,
        source_width: probe.width,
        source_height: probe.height,
        variants,
        warnings,
        colours,
    })
}

/// Reads and normalises one file; the size limit is checked before the file is read.
pub fn normalise_file(
    path: &std::path::Path,
    config: &Config,
) -> Result<NormalisedPhoto, ImageError> {
    let meta = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
    if meta.len() > config.limits.max_file_bytes {
        return Err(ImageError::FileTooLarge {
            size: meta.len(),
            limit: config.limits.max_file_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ImageError::io(path, e))?;
    normalise_bytes(&bytes, config)
}
