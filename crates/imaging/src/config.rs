//! Configuration: limits, output sizes, encoders, marketplace profiles and check thresholds.
//! Every struct deserialises from the `[images]` table of `ddhub.toml`; missing keys take defaults.

use serde::{Deserialize, Serialize};

/// Everything the pipeline needs to know; `Config::default()` is the documented default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub limits: Limits,
    /// Plain resized outputs (`large`, `medium`, `thumb`).
    pub sizes: Vec<OutputSpec>,
    /// Marketplace profiles (`square_white`, `google`, …).
    pub profiles: Vec<Profile>,
    pub jpeg: JpegSettings,
    pub webp: WebpSettings,
    pub checks: CheckThresholds,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            sizes: vec![
                OutputSpec::new("large", 1600),
                OutputSpec::new("medium", 800),
                OutputSpec::new("thumb", 320),
            ],
            profiles: vec![Profile::square_white(), Profile::google()],
            jpeg: JpegSettings::default(),
            webp: WebpSettings::default(),
            checks: CheckThresholds::default(),
        }
    }
}

impl Config {
    /// Keeps only the named profiles (the CLI's `--profile NAME`).
    pub fn with_only_profiles(mut self, names: &[&str]) -> Self {
        self.profiles.retain(|p| names.contains(&p.name.as_str()));
        self
    }

    /// Drops WebP from every output (JPEG only).
    pub fn jpeg_only(mut self) -> Self {
        for s in &mut self.sizes {
            s.formats.retain(|f| *f == OutputFormat::Jpeg);
        }
        for p in &mut self.profiles {
            p.formats.retain(|f| *f == OutputFormat::Jpeg);
        }
        self
    }
}

/// Refusals applied from the header, before any pixel buffer exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest accepted width × height (default 100 megapixels).
    pub max_pixels: u64,
    /// Largest accepted file (default 50 MB).
    pub max_file_bytes: u64,
    /// Largest accepted width or height, also given to the image crate's decoders.
    pub max_dimension: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 100_000_000,
            max_file_bytes: 50 * 1024 * 1024,
            max_dimension: 30_000,
        }
    }
}

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Jpeg,
    Webp,
}

impl OutputFormat {
    /// File extension used by `normalise_dir`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }
}

/// A plain output: the photo fitted inside `long_edge` × `long_edge`, never upscaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    pub name: String,
    pub long_edge: u32,
    #[serde(default = "both_formats")]
    pub formats: Vec<OutputFormat>,
}

impl OutputSpec {
    pub fn new(name: &str, long_edge: u32) -> Self {
        Self {
            name: name.to_owned(),
            long_edge,
            formats: both_formats(),
        }
    }
}

fn both_formats() -> Vec<OutputFormat> {
    vec![OutputFormat::Jpeg, OutputFormat::Webp]
}

fn jpeg_format() -> Vec<OutputFormat> {
    vec![OutputFormat::Jpeg]
}

/// A marketplace profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub layout: ProfileLayout,
    /// Below this long edge (of the source) the profile is not produced and the photo gets an
    /// error check `too_small_for_<name>` (`too_small_for_google` for Google).
    #[serde(default)]
    pub min_long_edge: u32,
    #[serde(default = "jpeg_format")]
    pub formats: Vec<OutputFormat>,
}

/// How a profile places the photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProfileLayout {
    /// Fit inside `long_edge` × `long_edge`, no padding.
    Fit { long_edge: u32 },
    /// A `canvas` × `canvas` square of `background`, the photo fitted inside with `margin`
    /// (fraction of the canvas on each side) and centred. When the photo is smaller than the
    /// fitted size it is centred at its own size on a proportionally smaller canvas.
    Square {
        canvas: u32,
        #[serde(default)]
        margin: f32,
        #[serde(default = "white")]
        background: [u8; 3],
    },
}

fn white() -> [u8; 3] {
    [255, 255, 255]
}

impl Profile {
    /// 1200 × 1200 on white, product long edge 1104 (4 % margin), as Amazon's main image wants.
    pub fn square_white() -> Self {
        Self {
            name: "square_white".to_owned(),
            layout: ProfileLayout::Square {
                canvas: 1200,
                margin: 0.04,
                background: white(),
            },
            min_long_edge: 0,
            formats: jpeg_format(),
        }
    }

    /// Google Merchant: long edge up to 1200, no padding, and at least 500 px.
    pub fn google() -> Self {
        Self {
            name: "google".to_owned(),
            layout: ProfileLayout::Fit { long_edge: 1200 },
            min_long_edge: 500,
            formats: jpeg_format(),
        }
    }
}

/// JPEG encoder settings (libjpeg-turbo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JpegSettings {
    pub quality: u8,
    /// Optimised Huffman tables: about 5 % smaller, about 10 % slower (libvips's default is off).
    pub optimize_coding: bool,
    pub progressive: bool,
}

impl Default for JpegSettings {
    fn default() -> Self {
        Self {
            quality: 85,
            optimize_coding: false,
            progressive: false,
        }
    }
}

/// Lossy WebP encoder settings (libwebp).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebpSettings {
    pub quality: f32,
    /// libwebp's `method` (0 fastest … 6 smallest); 4 is libwebp's and libvips's default.
    pub method: u8,
}

impl Default for WebpSettings {
    fn default() -> Self {
        Self {
            quality: 80.0,
            method: 4,
        }
    }
}

/// Thresholds of the photo checks; each warning reports its measured value and threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckThresholds {
    /// Amazon's minimum long edge for zoom (`under_amazon_minimum`).
    pub amazon_min_long_edge: u32,
    /// Standard deviation of grey levels (0–255) below which a photo is nearly blank.
    pub blank_max_stddev: f64,
    /// Variance of the Laplacian on a grey image of about 800 px below which a photo is
    /// heavily blurred.
    pub blur_min_laplacian_variance: f64,
    /// Measure each photo's dominant colours for the colour check (issue 19). Off only to
    /// measure normalisation alone in the benchmark.
    pub dominant_colours: bool,
    /// CIEDE2000 distance above which a photo's colour matches no declared colour.
    pub colour_max_delta_e: f32,
}

impl Default for CheckThresholds {
    fn default() -> Self {
        Self {
            amazon_min_long_edge: 1000,
            blank_max_stddev: 4.0,
            blur_min_laplacian_variance: 5.0,
            dominant_colours: true,
            colour_max_delta_e: crate::colour_check::DEFAULT_THRESHOLD,
        }
    }
}
