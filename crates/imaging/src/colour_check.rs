//! Colour check of a style's photos against its declared colours (issue 19): the dominant
//! colours of each normalised photo, the white or grey sweep behind the garment left out,
//! compared in CIELAB by CIEDE2000 (the `palette` crate) with the declared colours' swatches.
//! It only warns: lighting and swatches are approximate, so a wholesaler is asked to look.

use palette::color_difference::Ciede2000;
use palette::{IntoColor, Lab, Srgb};
use serde::{Deserialize, Serialize};

/// CIEDE2000 distance above which a colour matches no swatch. Phone photos of one fabric under
/// shop lighting spread over about 10; 20 keeps neighbouring names apart (black and navy ≈ 22,
/// ivory and beige ≈ 11: those are told apart by the wholesaler's word, not the photo).
pub const DEFAULT_THRESHOLD: f32 = 20.0;

/// Most pixels sampled per photo: the check costs the same whatever the photo's size.
const SAMPLES: usize = 4_096;
/// Colour clusters per photo.
const K: usize = 4;
/// A cluster counts as a dominant colour when it holds this share of the garment's pixels.
const MIN_SHARE: f32 = 0.2;

/// A declared colour and its swatch.
#[derive(Clone, Debug)]
pub struct Swatch<'a> {
    pub code: &'a str,
    pub rgb: [u8; 3],
}

impl<'a> Swatch<'a> {
    /// From the vocabulary's `#RRGGBB`; `None` when malformed.
    pub fn from_hex(code: &'a str, hex: &str) -> Option<Swatch<'a>> {
        let h = hex.strip_prefix('#')?;
        if h.len() != 6 {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
        Some(Swatch {
            code,
            rgb: [byte(0)?, byte(2)?, byte(4)?],
        })
    }
}

/// A dominant colour of one photo.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dominant {
    /// `#RRGGBB`.
    pub hex: String,
    /// Share of the garment's pixels.
    pub share: f32,
    /// The nearest declared colour and its CIEDE2000 distance.
    pub nearest: String,
    pub distance: f32,
}

/// A dominant colour of one normalised photo as stored with the photo: measured once in the
/// photo job, compared again whenever the style's declared colours are checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoColour {
    /// `#RRGGBB`, for people.
    pub hex: String,
    /// CIELAB (D65) `[L, a, b]`.
    pub lab: [f32; 3],
    /// Share of the garment's pixels.
    pub share: f32,
}

impl PhotoColour {
    fn to_lab(&self) -> Lab {
        Lab::new(self.lab[0], self.lab[1], self.lab[2])
    }
}

/// [`dominant_colours`] in the stored form.
pub fn photo_colours(rgb: &[u8], width: u32, height: u32) -> Vec<PhotoColour> {
    let round = |v: f32| (v * 100.0).round() / 100.0;
    dominant_colours(rgb, width, height)
        .into_iter()
        .map(|(c, share)| PhotoColour {
            hex: hex_of(c),
            lab: [round(c.l), round(c.a), round(c.b)],
            share: round(share),
        })
        .collect()
}

/// [`check`] on stored photo colours (one list per ready photo, in display order).
pub fn check_stored(
    photos: &[Vec<PhotoColour>],
    declared: &[Swatch],
    threshold: f32,
) -> Vec<ColourWarning> {
    let photos: Vec<Vec<(Lab, f32)>> = photos
        .iter()
        .map(|p| p.iter().map(|c| (c.to_lab(), c.share)).collect())
        .collect();
    check(&photos, declared, threshold)
}

/// A disagreement between photos and declared colours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColourWarning {
    /// No photo shows this declared colour: the nearest dominant colour is `distance` away.
    DeclaredNotShown {
        colour: String,
        distance: f32,
        threshold: f32,
    },
    /// A photo's main colour matches no declared colour.
    PhotoUnmatched {
        photo: usize,
        hex: String,
        nearest: String,
        distance: f32,
        threshold: f32,
    },
}

impl ColourWarning {
    /// The warning in Korean for the wholesaler, colours named by their codes.
    pub fn message_ko(&self) -> String {
        self.message_ko_with(&|c| c.to_string())
    }

    /// The warning in Korean, colours named by `label` (the vocabulary's Korean names).
    pub fn message_ko_with(&self, label: &dyn Fn(&str) -> String) -> String {
        match self {
            ColourWarning::DeclaredNotShown {
                colour,
                distance,
                threshold,
            } => format!(
                "사진 중에 '{}' 색상이 보이지 않습니다(가장 가까운 색과의 차이 ΔE {distance:.1}, 기준 {threshold:.0}). 색상명이나 사진을 확인해 주세요.",
                label(colour)
            ),
            ColourWarning::PhotoUnmatched {
                photo,
                hex,
                nearest,
                distance,
                threshold,
            } => format!(
                "{}번 사진의 주된 색({hex})이 등록한 색상과 맞지 않습니다(가장 가까운 '{}'와 ΔE {distance:.1}, 기준 {threshold:.0}).",
                photo + 1,
                label(nearest)
            ),
        }
    }

    /// The warning in English (API callers that do not read Korean).
    pub fn message_en(&self) -> String {
        match self {
            ColourWarning::DeclaredNotShown {
                colour,
                distance,
                threshold,
            } => format!(
                "no photo shows the declared colour '{colour}' (nearest photo colour ΔE {distance:.1}, threshold {threshold:.0}); check the colour name or the photos"
            ),
            ColourWarning::PhotoUnmatched {
                photo,
                hex,
                nearest,
                distance,
                threshold,
            } => format!(
                "photo {}'s main colour ({hex}) matches no declared colour (nearest '{nearest}' at ΔE {distance:.1}, threshold {threshold:.0})",
                photo + 1
            ),
        }
    }
}

fn lab(rgb: [u8; 3]) -> Lab {
    Srgb::new(rgb[0], rgb[1], rgb[2])
        .into_format::<f32>()
        .into_color()
}

fn hex_of(l: Lab) -> String {
    let s: Srgb = l.into_color();
    let c = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02X}{:02X}{:02X}", c(s.red), c(s.green), c(s.blue))
}

/// The dominant colours of one RGB8 photo (`width × height × 3` bytes), background excluded:
/// the frame's colour when it is near-neutral (a white or grey sweep). Empty when nothing but
/// background is left (a white garment on white): the check then says nothing.
pub fn dominant_colours(rgb: &[u8], width: u32, height: u32) -> Vec<(Lab, f32)> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || rgb.len() < w * h * 3 {
        return Vec::new();
    }
    let px = |x: usize, y: usize| {
        let i = (y * w + x) * 3;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    };
    // The frame (outer 4%): its median lightness and chroma say whether it is a sweep.
    let edge = (w.min(h) / 25).max(1);
    let step = (w.max(h) / 64).max(1);
    let mut frame: Vec<Lab> = Vec::new();
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            if x < edge || y < edge || x >= w - edge || y >= h - edge {
                frame.push(lab(px(x, y)));
            }
        }
    }
    let median = |mut v: Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let bg = Lab::new(
        median(frame.iter().map(|c| c.l).collect()),
        median(frame.iter().map(|c| c.a).collect()),
        median(frame.iter().map(|c| c.b).collect()),
    );
    let neutral_bg = (bg.a * bg.a + bg.b * bg.b).sqrt() < 8.0 && bg.l > 50.0;
    let stride = ((w * h) as f64 / SAMPLES as f64).sqrt().max(1.0) as usize;
    let mut fg: Vec<Lab> = Vec::new();
    for y in (0..h).step_by(stride) {
        for x in (0..w).step_by(stride) {
            let c = lab(px(x, y));
            if neutral_bg && c.difference(bg) < 8.0 {
                continue;
            }
            fg.push(c);
        }
    }
    // Under 3% of the samples: a speck, not a garment.
    if fg.len() * 33 < (w / stride) * (h / stride) || fg.is_empty() {
        return Vec::new();
    }
    kmeans(&fg)
}

/// Plain k-means in Lab, seeded along the lightness order so it is deterministic.
fn kmeans(points: &[Lab]) -> Vec<(Lab, f32)> {
    let mut sorted: Vec<&Lab> = points.iter().collect();
    sorted.sort_by(|a, b| a.l.total_cmp(&b.l));
    let k = K.min(points.len());
    let mut centres: Vec<Lab> = (0..k)
        .map(|i| *sorted[(i * 2 + 1) * sorted.len() / (2 * k)])
        .collect();
    let mut assign = vec![0usize; points.len()];
    for _ in 0..8 {
        for (p, a) in points.iter().zip(assign.iter_mut()) {
            *a = (0..k)
                .min_by(|&i, &j| dist2(p, &centres[i]).total_cmp(&dist2(p, &centres[j])))
                .unwrap_or(0);
        }
        let mut sums = vec![(0.0f32, 0.0f32, 0.0f32, 0usize); k];
        for (p, &a) in points.iter().zip(&assign) {
            let s = &mut sums[a];
            s.0 += p.l;
            s.1 += p.a;
            s.2 += p.b;
            s.3 += 1;
        }
        for (c, s) in centres.iter_mut().zip(&sums) {
            if s.3 > 0 {
                let n = s.3 as f32;
                *c = Lab::new(s.0 / n, s.1 / n, s.2 / n);
            }
        }
    }
    let mut counts = vec![0usize; k];
    for &a in &assign {
        counts[a] += 1;
    }
    let total = points.len() as f32;
    let mut out: Vec<(Lab, f32)> = centres
        .into_iter()
        .zip(counts)
        .map(|(c, n)| (c, n as f32 / total))
        .collect();
    // Clusters of one colour split by shading merge back (ΔE00 under 8).
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut merged: Vec<(Lab, f32)> = Vec::new();
    for (c, s) in out {
        match merged.iter_mut().find(|(m, _)| m.difference(c) < 8.0) {
            Some(m) => m.1 += s,
            None => merged.push((c, s)),
        }
    }
    merged.retain(|(_, s)| *s >= MIN_SHARE);
    merged
}

fn dist2(a: &Lab, b: &Lab) -> f32 {
    (a.l - b.l).powi(2) + (a.a - b.a).powi(2) + (a.b - b.b).powi(2)
}

/// One photo's dominant colours with their nearest declared swatch.
pub fn describe(dominant: &[(Lab, f32)], declared: &[Swatch]) -> Vec<Dominant> {
    dominant
        .iter()
        .filter_map(|(c, share)| {
            let (code, d) = declared
                .iter()
                .map(|s| (s.code, lab(s.rgb).difference(*c)))
                .min_by(|a, b| a.1.total_cmp(&b.1))?;
            Some(Dominant {
                hex: hex_of(*c),
                share: *share,
                nearest: code.to_string(),
                distance: d,
            })
        })
        .collect()
}

/// Compares the photos' dominant colours (one list per photo, from [`dominant_colours`]) with
/// the declared swatches. Photos with no garment colour left say nothing.
pub fn check(
    photos: &[Vec<(Lab, f32)>],
    declared: &[Swatch],
    threshold: f32,
) -> Vec<ColourWarning> {
    let mut out = Vec::new();
    if declared.is_empty() || photos.iter().all(Vec::is_empty) {
        return out;
    }
    for (i, d) in photos.iter().enumerate() {
        if let Some(main) = describe(&d[..d.len().min(1)], declared).into_iter().next()
            && main.distance > threshold
        {
            out.push(ColourWarning::PhotoUnmatched {
                photo: i,
                hex: main.hex,
                nearest: main.nearest,
                distance: main.distance,
                threshold,
            });
        }
    }
    for s in declared {
        let sw = lab(s.rgb);
        let nearest = photos
            .iter()
            .flatten()
            .map(|(c, _)| sw.difference(*c))
            .min_by(f32::total_cmp);
        if let Some(d) = nearest
            && d > threshold
        {
            out.push(ColourWarning::DeclaredNotShown {
                colour: s.code.to_string(),
                distance: d,
                threshold,
            });
        }
    }
    out
}
