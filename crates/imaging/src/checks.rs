//! Photo checks against marketplace rules: each returns a [`Check`] with its measured value and
//! the threshold it was compared with.

use image::RgbImage;
use serde::{Deserialize, Serialize};

/// How serious a check is. `Error` means an output (a marketplace profile) was not produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding on a photo. `code` is stable (snake_case); `measured` and `threshold` are in the
/// unit the message names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// The output or profile the check is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

impl Check {
    pub(crate) fn warning(code: &str, message: String) -> Self {
        Self {
            code: code.to_owned(),
            severity: Severity::Warning,
            message,
            measured: None,
            threshold: None,
            output: None,
        }
    }

    pub(crate) fn measured(mut self, measured: f64, threshold: f64) -> Self {
        self.measured = Some(measured);
        self.threshold = Some(threshold);
        self
    }

    pub(crate) fn for_output(mut self, name: &str) -> Self {
        self.output = Some(name.to_owned());
        self
    }

    pub(crate) fn error(mut self) -> Self {
        self.severity = Severity::Error;
        self
    }
}

/// Rec. 601 luma of each pixel.
fn grey(img: &RgbImage) -> Vec<f32> {
    img.as_raw()
        .chunks_exact(3)
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect()
}

fn variance(values: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut sum, mut sum_sq) = (0f64, 0f64, 0f64);
    for v in values {
        n += 1.0;
        sum += v;
        sum_sq += v * v;
    }
    if n == 0.0 {
        return 0.0;
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean).max(0.0)
}

/// Standard deviation of grey levels (0–255): near 0 for a blank or single-colour photo.
pub fn blank_score(img: &RgbImage) -> f64 {
    variance(grey(img).into_iter().map(f64::from)).sqrt()
}

/// Variance of the 4-neighbour Laplacian of the grey image (Pech-Pacheco et al.): low for a
/// blurred photo. Written by hand because it is ten lines and no well-kept crate offers it
/// without pulling in an image-processing framework.
pub fn blur_score(img: &RgbImage) -> f64 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let g = grey(img);
    let lap = (1..h - 1).flat_map(|y| {
        let g = &g;
        (1..w - 1).map(move |x| {
            let i = y * w + x;
            f64::from(4.0 * g[i] - g[i - 1] - g[i + 1] - g[i - w] - g[i + w])
        })
    });
    variance(lap)
}
