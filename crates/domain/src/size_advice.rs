//! Size advice (issue 19, item 4): which Korean, Japanese and international letter size a
//! garment's measured chest or waist (실측) corresponds to, from `locales/sizes/body_sizes.tsv`
//! (body ranges per size with their source, and the ease taken off a garment's measure).
//! Pure: the storefront shows the answer beside its size conversion table.

use crate::measure::{Measure, SizeMeasurements};
use serde::Serialize;
use std::sync::LazyLock;

const BODY_SIZES_TSV: &str = include_str!("../../../locales/sizes/body_sizes.tsv");

/// The systems advised, in display order: Korean, international letters, Japanese.
pub const SYSTEMS: [&str; 3] = ["KR", "INTL", "JP"];

/// Which body measure a row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyMeasure {
    Chest,
    Waist,
}

/// One row of the data file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BodyRange {
    pub system: String,
    pub size: String,
    pub measure: BodyMeasure,
    pub min_cm: f64,
    pub max_cm: f64,
    pub source: String,
    pub valid_from: String,
}

/// The table: body ranges and the ease per measure.
#[derive(Clone, Debug, PartialEq)]
pub struct BodySizes {
    pub ranges: Vec<BodyRange>,
    /// Garment minus body, cm, with its source.
    pub chest_ease: (f64, String),
    pub waist_ease: (f64, String),
}

/// Why the file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("body_sizes.tsv line {line}: {reason}")]
pub struct BodySizesError {
    pub line: usize,
    pub reason: String,
}

/// Reads a table (tab-separated, `#` comments; no quoting, so split by hand as the weights
/// table is). Needs both ease rows and, per system and measure, ranges that do not overlap.
pub fn parse(text: &str) -> Result<BodySizes, BodySizesError> {
    let mut ranges = Vec::new();
    let (mut chest_ease, mut waist_ease) = (None, None);
    let mut header = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |reason: String| BodySizesError { line, reason };
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = raw.split('\t').map(str::trim).collect();
        if !header {
            if cells
                != [
                    "system",
                    "size",
                    "measure",
                    "min_cm",
                    "max_cm",
                    "source",
                    "valid_from",
                ]
            {
                return Err(err(
                    "header must be system, size, measure, min_cm, max_cm, source, valid_from"
                        .into(),
                ));
            }
            header = true;
            continue;
        }
        let [system, size, measure, min, max, source, valid_from] = cells.as_slice() else {
            return Err(err(format!("{} cells, want 7", cells.len())));
        };
        let measure = match *measure {
            "chest" => BodyMeasure::Chest,
            "waist" => BodyMeasure::Waist,
            other => return Err(err(format!("measure {other:?} is not chest or waist"))),
        };
        let num = |v: &str| {
            v.parse::<f64>()
                .ok()
                .filter(|x| (0.0..300.0).contains(x))
                .ok_or_else(|| err(format!("{v:?} is not a length in cm")))
        };
        let (min_cm, max_cm) = (num(min)?, num(max)?);
        if source.is_empty() {
            return Err(err("every row needs its source".into()));
        }
        if *system == "ease" {
            let slot = match measure {
                BodyMeasure::Chest => &mut chest_ease,
                BodyMeasure::Waist => &mut waist_ease,
            };
            *slot = Some((min_cm, (*source).to_string()));
            continue;
        }
        if !SYSTEMS.contains(system) {
            return Err(err(format!("system {system:?} is not one of {SYSTEMS:?}")));
        }
        if min_cm >= max_cm {
            return Err(err(format!("range {min_cm}–{max_cm} is empty")));
        }
        if ranges.iter().any(|r: &BodyRange| {
            r.system == *system && r.measure == measure && min_cm < r.max_cm && r.min_cm < max_cm
        }) {
            return Err(err(format!("{system} {size} overlaps another size")));
        }
        ranges.push(BodyRange {
            system: (*system).to_string(),
            size: (*size).to_string(),
            measure,
            min_cm,
            max_cm,
            source: (*source).to_string(),
            valid_from: (*valid_from).to_string(),
        });
    }
    let missing = |what: &str| BodySizesError {
        line: 0,
        reason: format!("no ease row for {what}"),
    };
    Ok(BodySizes {
        ranges,
        chest_ease: chest_ease.ok_or_else(|| missing("chest"))?,
        waist_ease: waist_ease.ok_or_else(|| missing("waist"))?,
    })
}

#[allow(clippy::expect_used)] // the shipped file is checked by this crate's tests
static TABLE: LazyLock<BodySizes> =
    LazyLock::new(|| parse(BODY_SIZES_TSV).expect("locales/sizes/body_sizes.tsv"));

/// The shipped table.
pub fn table() -> &'static BodySizes {
    &TABLE
}

/// The advice for one measured size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeAdvice {
    /// The garment's size as measured (`s`, `free`).
    pub size: String,
    pub measure: BodyMeasure,
    /// The garment's circumference in cm (a flat 단면 measure doubled).
    pub garment_cm: f64,
    /// The body measure it fits: garment minus ease.
    pub body_cm: f64,
    /// Per system in [`SYSTEMS`] order, the size whose range holds the body measure; systems
    /// where it falls outside every size are left out.
    pub sizes: Vec<(String, String)>,
    /// The sources of the figures used (ease and ranges), each once.
    pub sources: Vec<String>,
}

/// The garment's chest (or, for bottoms without one, waist) circumference in cm.
fn garment_measure(m: &SizeMeasurements) -> Option<(BodyMeasure, f64)> {
    let cm = |k: Measure| m.get_mm(k).map(|mm| f64::from(mm) / 10.0);
    if let Some(c) = cm(Measure::Chest).or_else(|| cm(Measure::ChestHalf).map(|h| h * 2.0)) {
        return Some((BodyMeasure::Chest, c));
    }
    cm(Measure::Waist)
        .or_else(|| cm(Measure::WaistHalf).map(|h| h * 2.0))
        .map(|w| (BodyMeasure::Waist, w))
}

/// The advice for one size's measurements against `table`; `None` without a chest or waist.
pub fn advise_with(t: &BodySizes, m: &SizeMeasurements) -> Option<SizeAdvice> {
    let (measure, garment_cm) = garment_measure(m)?;
    let (ease, ease_source) = match measure {
        BodyMeasure::Chest => &t.chest_ease,
        BodyMeasure::Waist => &t.waist_ease,
    };
    let body_cm = garment_cm - ease;
    let mut sources = vec![ease_source.clone()];
    let mut sizes = Vec::new();
    for system in SYSTEMS {
        // Ranges are half-open [min, max): a body on a boundary takes the larger size.
        if let Some(r) = t.ranges.iter().find(|r| {
            r.system == system && r.measure == measure && r.min_cm <= body_cm && body_cm < r.max_cm
        }) {
            sizes.push((system.to_string(), r.size.clone()));
            if !sources.contains(&r.source) {
                sources.push(r.source.clone());
            }
        }
    }
    Some(SizeAdvice {
        size: m.size.clone(),
        measure,
        garment_cm,
        body_cm,
        sizes,
        sources,
    })
}

/// [`advise_with`] on the shipped table, for every measured size that has a chest or waist.
pub fn advise(measurements: &[SizeMeasurements]) -> Vec<SizeAdvice> {
    measurements
        .iter()
        .filter_map(|m| advise_with(table(), m))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sized(size: &str, k: Measure, mm: u32) -> SizeMeasurements {
        let mut m = SizeMeasurements::new(size.to_string());
        m.set_mm(k, Some(mm));
        m
    }

    #[test]
    fn the_shipped_table_reads() {
        let t = parse(BODY_SIZES_TSV).unwrap();
        assert_eq!(t.chest_ease.0, 8.0);
        assert_eq!(t.waist_ease.0, 2.0);
        for s in SYSTEMS {
            assert!(t.ranges.iter().any(|r| r.system == s), "{s}");
        }
    }

    /// 가슴단면 47 cm → chest 94 cm → body 86 cm (8 cm ease): KR 55 is [83.5, 86.5), JP 11号
    /// [84.5, 87.5), INTL M [86, 90).
    #[test]
    fn a_flat_chest_is_doubled_then_eased() {
        let a = advise_with(table(), &sized("free", Measure::ChestHalf, 470)).unwrap();
        assert_eq!(a.measure, BodyMeasure::Chest);
        assert_eq!(a.garment_cm, 94.0);
        assert_eq!(a.body_cm, 86.0);
        let got: Vec<(&str, &str)> = a
            .sizes
            .iter()
            .map(|(s, z)| (s.as_str(), z.as_str()))
            .collect();
        assert_eq!(got, [("KR", "55"), ("INTL", "M"), ("JP", "11号")]);
        assert!(a.sources.iter().any(|s| s.contains("KS K 0051")));
        assert!(a.sources.iter().any(|s| s.contains("JIS L 4005")));
        assert!(a.sources.iter().any(|s| s.contains("ease")));
    }

    /// Waist 68 cm (trousers, no chest) → body 66 cm: KR 55 [64, 67), INTL S [64, 68), JP
    /// 11号 [65, 68).
    #[test]
    fn bottoms_are_advised_by_waist() {
        let a = advise_with(table(), &sized("m", Measure::Waist, 680)).unwrap();
        assert_eq!(a.measure, BodyMeasure::Waist);
        assert_eq!(a.body_cm, 66.0);
        let got: Vec<&str> = a.sizes.iter().map(|(_, z)| z.as_str()).collect();
        assert_eq!(got, ["55", "S", "11号"]);
    }

    #[test]
    fn outside_every_range_says_nothing_for_that_system() {
        // Chest 150 cm → body 142: no size in any system.
        let a = advise_with(table(), &sized("xl", Measure::Chest, 1500)).unwrap();
        assert!(a.sizes.is_empty());
        // No chest and no waist: no advice at all.
        assert!(advise_with(table(), &sized("s", Measure::Length, 650)).is_none());
    }

    #[test]
    fn bad_tables_are_refused_with_their_line() {
        let head = "system\tsize\tmeasure\tmin_cm\tmax_cm\tsource\tvalid_from\n\
                    ease\ttop\tchest\t8\t8\te\t2026-01-01\n\
                    ease\tbottom\twaist\t2\t2\te\t2026-01-01\n";
        let overlap = format!(
            "{head}KR\t55\tchest\t80\t85\ts\t2026-01-01\nKR\t66\tchest\t84\t88\ts\t2026-01-01\n"
        );
        assert_eq!(parse(&overlap).unwrap_err().line, 5);
        let no_source = format!("{head}KR\t55\tchest\t80\t85\t\t2026-01-01\n");
        assert!(parse(&no_source).unwrap_err().reason.contains("source"));
        assert!(parse("system\tsize\n").is_err());
        let no_ease = "system\tsize\tmeasure\tmin_cm\tmax_cm\tsource\tvalid_from\n";
        assert!(parse(no_ease).unwrap_err().reason.contains("ease"));
    }
}
