//! The colour check of a style's photos (issue 19): each normalised photo's dominant colours
//! (measured in the photo job) against the swatches of the style's declared colours, by
//! CIEDE2000. Rerun whenever one of its photos is normalised; warnings only, never blocking.
//! Shown in the upload report, on the console's styles page and on the wholesaler API's style.

use ddhub_domain::StyleId;
use ddhub_imaging::colour_check::{ColourWarning, PhotoColour, Swatch, check_stored};
use ddhub_store::Store;
use ddhub_store::colour_checks::{self, ColourInputs, StoredColourCheck};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What is stored per style.
#[derive(Debug, Serialize, Deserialize)]
struct CheckResult {
    threshold: f32,
    /// The declared colours that have a swatch (patterns, multi and metallics have none).
    declared: Vec<String>,
    /// Ready photos whose colours were measured.
    photos_checked: usize,
    warnings: Vec<ColourWarning>,
}

/// One warning as callers see it: the measured distance, the threshold and the message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColourWarningView {
    /// `declared_not_shown` (no photo shows a declared colour) or `photo_unmatched` (a
    /// photo's main colour matches no declared colour).
    pub kind: String,
    /// The declared colour's code (`declared_not_shown`), or the nearest one.
    pub colour: String,
    /// 1-based photo number in display order (`photo_unmatched`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo: Option<usize>,
    /// The photo's colour, `#RRGGBB` (`photo_unmatched`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// Measured CIEDE2000 distance.
    pub distance: f32,
    pub threshold: f32,
    pub message_ko: String,
    pub message_en: String,
}

impl From<&ColourWarning> for ColourWarningView {
    fn from(w: &ColourWarning) -> Self {
        let round = |v: f32| (v * 10.0).round() / 10.0;
        let (kind, colour, photo, hex, distance, threshold) = match w {
            ColourWarning::DeclaredNotShown {
                colour,
                distance,
                threshold,
            } => (
                "declared_not_shown",
                colour,
                None,
                None,
                distance,
                threshold,
            ),
            ColourWarning::PhotoUnmatched {
                photo,
                hex,
                nearest,
                distance,
                threshold,
            } => (
                "photo_unmatched",
                nearest,
                Some(photo + 1),
                Some(hex.clone()),
                distance,
                threshold,
            ),
        };
        ColourWarningView {
            kind: kind.to_string(),
            colour: colour.clone(),
            photo,
            hex,
            distance: round(*distance),
            threshold: *threshold,
            message_ko: w.message_ko_with(&|code| {
                ddhub_domain::catalog::colours()
                    .get(code)
                    .map_or_else(|| code.to_string(), |c| c.labels.ko.to_string())
            }),
            message_en: w.message_en(),
        }
    }
}

/// A style's latest colour check.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColourCheckView {
    /// CIEDE2000 distance above which colours do not match.
    pub threshold: f32,
    /// Declared colours with a swatch, as vocabulary codes.
    pub declared: Vec<String>,
    pub photos_checked: usize,
    pub warnings: Vec<ColourWarningView>,
    /// Milliseconds since the Unix epoch.
    pub checked_at: i64,
}

impl ColourCheckView {
    /// From a stored check; `None` when the stored JSON is not a check (never written so).
    pub fn from_stored(s: &StoredColourCheck) -> Option<Self> {
        let r: CheckResult = serde_json::from_value(s.result.clone()).ok()?;
        Some(ColourCheckView {
            threshold: r.threshold,
            declared: r.declared,
            photos_checked: r.photos_checked,
            warnings: r.warnings.iter().map(ColourWarningView::from).collect(),
            checked_at: s.checked_at.0,
        })
    }
}

/// The check itself, pure: which declared colours have swatches, which photos were measured,
/// and the warnings.
fn evaluate(inputs: &ColourInputs, threshold: f32) -> CheckResult {
    let vocab = ddhub_domain::catalog::colours();
    let declared: Vec<Swatch> = inputs
        .colours
        .iter()
        .filter_map(|c| vocab.get(c).or_else(|| vocab.find(c)))
        .filter(|c| !matches!(c.family, "multi" | "metallic" | "pattern"))
        .filter_map(|c| Swatch::from_hex(c.code, c.hex))
        .fold(Vec::new(), |mut acc: Vec<Swatch>, s| {
            if !acc.iter().any(|a| a.code == s.code) {
                acc.push(s);
            }
            acc
        });
    // Photos normalised before the check existed carry no colours: they are left out.
    let photos: Vec<Vec<PhotoColour>> = inputs
        .photo_warnings
        .iter()
        .filter_map(|w| serde_json::from_value(w.get("colours")?.clone()).ok())
        .collect();
    let warnings = check_stored(&photos, &declared, threshold);
    CheckResult {
        threshold,
        declared: declared.iter().map(|s| s.code.to_string()).collect(),
        photos_checked: photos.len(),
        warnings,
    }
}

/// The check as the store keeps it: the result's JSON and its number of warnings.
pub fn evaluate_stored(inputs: &ColourInputs, threshold: f32) -> (serde_json::Value, u32) {
    let r = evaluate(inputs, threshold);
    let n = u32::try_from(r.warnings.len()).unwrap_or(u32::MAX);
    (serde_json::to_value(&r).unwrap_or_default(), n)
}

/// A style's latest check, if its photos were ever checked.
pub async fn of_style(store: &Store, style: StyleId) -> crate::AppResult<Option<ColourCheckView>> {
    Ok(colour_checks::of_style(store, style)
        .await?
        .as_ref()
        .and_then(ColourCheckView::from_stored))
}

/// A style of an upload with colour warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct StyleColourWarnings {
    pub style_id: i64,
    pub style_code: String,
    pub warnings: Vec<ColourWarningView>,
}

/// The colour section of an upload's report: its styles with warnings, and how many of their
/// photos are still being normalised (the section is complete at zero).
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadColourReport {
    pub photos_pending: u64,
    pub styles: Vec<StyleColourWarnings>,
}

pub async fn of_upload(
    store: &Store,
    wholesaler: ddhub_domain::WholesalerId,
    upload_id: i64,
) -> crate::AppResult<UploadColourReport> {
    // Pending photos first: a photo's check is stored with its ready state, so checks read
    // after a count of zero hold every photo (read the other way round, the last photo could
    // finish between the two reads and the report call itself complete without its warnings).
    let photos_pending =
        colour_checks::pending_photos_of_upload(store, wholesaler, upload_id).await?;
    let checks = colour_checks::with_warnings_of_upload(store, wholesaler, upload_id).await?;
    Ok(UploadColourReport {
        photos_pending,
        styles: checks
            .iter()
            .filter_map(|c| {
                Some(StyleColourWarnings {
                    style_id: c.style_id.0,
                    style_code: c.style_code.clone(),
                    warnings: ColourCheckView::from_stored(c)?.warnings,
                })
            })
            .collect(),
    })
}

/// Warnings of many styles (the console's styles page), by style id.
pub async fn warnings_of_styles(
    store: &Store,
    styles: &[StyleId],
) -> crate::AppResult<std::collections::HashMap<i64, Vec<ColourWarningView>>> {
    Ok(colour_checks::with_warnings_of(store, styles)
        .await?
        .into_iter()
        .filter_map(|(id, c)| Some((id, ColourCheckView::from_stored(&c)?.warnings)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(hex: &str, lab: [f32; 3]) -> serde_json::Value {
        serde_json::json!({"checks": [], "colours": [{"hex": hex, "lab": lab, "share": 0.9}]})
    }

    #[test]
    fn declared_black_with_ivory_photos_warns_and_unknown_colours_are_left_out() {
        // Ivory #F6F0DC in Lab ≈ [94.7, -0.4, 10.6].
        let inputs = ColourInputs {
            photo_warnings: vec![photo("#F6F0DC", [94.7, -0.4, 10.6]), serde_json::json!({})],
            colours: vec!["black".into(), "레오파드무늬".into()],
        };
        let r = evaluate(&inputs, 20.0);
        assert_eq!(r.declared, vec!["black"]);
        assert_eq!(r.photos_checked, 1);
        let views: Vec<ColourWarningView> = r.warnings.iter().map(Into::into).collect();
        assert!(
            views.iter().any(|v| v.kind == "declared_not_shown"
                && v.colour == "black"
                && v.distance > 20.0
                && v.message_ko.contains("'블랙'")
                && v.message_ko.contains("ΔE")),
            "{views:?}"
        );
        assert!(
            views
                .iter()
                .any(|v| v.kind == "photo_unmatched" && v.photo == Some(1))
        );
    }

    #[test]
    fn matching_photos_say_nothing() {
        // Black #111111 in Lab ≈ [5.1, 0, 0].
        let inputs = ColourInputs {
            photo_warnings: vec![photo("#121212", [5.5, 0.0, 0.0])],
            colours: vec!["black".into()],
        };
        assert!(evaluate(&inputs, 20.0).warnings.is_empty());
    }
}
