//! Shipping weights: a style's own (from the sheet's 무게/중량 or the API), else its category's
//! default from `locales/shipping/default_weights.tsv`, which marks each default an estimate.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Lightest and heaviest weight a style may give, in grams (one sock to a heavy coat with
/// room to spare); outside this a sheet's value is a typo (`3.5` meant as kg read as grams,
/// a price in the wrong column).
pub const MIN_GRAMS: u32 = 1;
pub const MAX_GRAMS: u32 = 30_000;

const DEFAULT_WEIGHTS_TSV: &str = include_str!("../../../locales/shipping/default_weights.tsv");

/// A category's default weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DefaultWeight {
    pub grams: u32,
    /// The file marks the figure an estimate (every shipped figure is one).
    pub estimate: bool,
}

/// The weight a style ships with and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ShippingWeight {
    pub grams: u32,
    /// `true` when the category default stands in for a weight the style did not give.
    pub estimated: bool,
}

impl ShippingWeight {
    /// Google's form, `350 g`.
    pub fn feed_text(self) -> String {
        format!("{} g", self.grams)
    }
}

/// Why the defaults file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("default_weights.tsv line {line}: {reason}")]
pub struct WeightsFileError {
    pub line: usize,
    pub reason: String,
}

/// Reads a defaults table (`category`, `grams`, `estimate` columns, `#` comments). Needs the
/// root row `*`; grams within [`MIN_GRAMS`]..=[`MAX_GRAMS`]; no category twice.
pub fn parse_defaults(text: &str) -> Result<HashMap<String, DefaultWeight>, WeightsFileError> {
    let mut out = HashMap::new();
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |reason: String| WeightsFileError { line, reason };
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = raw.split('\t').map(str::trim).collect();
        if !header_seen {
            if cells != ["category", "grams", "estimate"] {
                return Err(err("header must be category, grams, estimate".into()));
            }
            header_seen = true;
            continue;
        }
        let [category, grams, estimate] = cells.as_slice() else {
            return Err(err(format!("{} cells, want 3", cells.len())));
        };
        let grams: u32 = grams
            .parse()
            .map_err(|_| err(format!("grams {grams:?} is not a whole number")))?;
        if !(MIN_GRAMS..=MAX_GRAMS).contains(&grams) {
            return Err(err(format!("grams {grams} out of range")));
        }
        let estimate = match *estimate {
            "yes" => true,
            "no" => false,
            other => return Err(err(format!("estimate {other:?} is not yes or no"))),
        };
        if out
            .insert(category.to_string(), DefaultWeight { grams, estimate })
            .is_some()
        {
            return Err(err(format!("category {category} appears twice")));
        }
    }
    if !out.contains_key("*") {
        return Err(WeightsFileError {
            line: 0,
            reason: "no root row \"*\"".into(),
        });
    }
    Ok(out)
}

#[allow(clippy::expect_used)] // the shipped file is checked by this crate's tests
static DEFAULTS: LazyLock<HashMap<String, DefaultWeight>> =
    LazyLock::new(|| parse_defaults(DEFAULT_WEIGHTS_TSV).expect("default_weights.tsv"));

/// The default of `category` (`tops/knit/cardigan`): its own row, else its nearest ancestor's,
/// else the root's.
pub fn default_for(category: &str) -> DefaultWeight {
    lookup(&DEFAULTS, category)
}

fn lookup(table: &HashMap<String, DefaultWeight>, category: &str) -> DefaultWeight {
    let mut c = category;
    loop {
        if let Some(w) = table.get(c) {
            return *w;
        }
        match c.rsplit_once('/') {
            Some((parent, _)) => c = parent,
            None => break,
        }
    }
    table.get("*").copied().unwrap_or(DefaultWeight {
        grams: 400,
        estimate: true,
    })
}

/// A style's shipping weight: its own when given, else its category's default (marked
/// estimated).
pub fn shipping_weight(own_grams: Option<u32>, category: &str) -> ShippingWeight {
    match own_grams.filter(|g| *g >= MIN_GRAMS) {
        Some(grams) => ShippingWeight {
            grams,
            estimated: false,
        },
        None => {
            let d = default_for(category);
            ShippingWeight {
                grams: d.grams,
                estimated: d.estimate,
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_reads_and_every_category_resolves() {
        let table = parse_defaults(DEFAULT_WEIGHTS_TSV).unwrap();
        for row in table.keys().filter(|k| *k != "*") {
            assert!(
                crate::catalog::categories().get(row).is_some(),
                "{row} is not a category"
            );
        }
        for c in crate::catalog::categories().all() {
            let w = default_for(c.code);
            assert!((MIN_GRAMS..=MAX_GRAMS).contains(&w.grams));
        }
    }

    #[test]
    fn nearest_ancestor_then_root() {
        let table = parse_defaults(
            "category\tgrams\testimate\n*\t400\tyes\ntops\t250\tyes\ntops/knit/cardigan\t450\tno\n",
        )
        .unwrap();
        assert_eq!(lookup(&table, "tops/knit/cardigan").grams, 450);
        assert!(!lookup(&table, "tops/knit/cardigan").estimate);
        assert_eq!(lookup(&table, "tops/knit/pullover").grams, 250);
        assert_eq!(lookup(&table, "bags/tote").grams, 400);
    }

    #[test]
    fn own_weight_wins_and_default_is_marked() {
        let own = shipping_weight(Some(350), "tops/knit/cardigan");
        assert_eq!(
            own,
            ShippingWeight {
                grams: 350,
                estimated: false
            }
        );
        let d = shipping_weight(None, "tops/knit/cardigan");
        assert!(d.estimated);
        assert_eq!(d.grams, default_for("tops/knit/cardigan").grams);
        assert_eq!(own.feed_text(), "350 g");
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        let e = parse_defaults("category\tgrams\testimate\ntops\t250\tyes\n").unwrap_err();
        assert!(e.reason.contains("root"));
        let e = parse_defaults("category\tgrams\testimate\n*\t0\tyes\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_defaults("category\tgrams\testimate\n*\t1\tyes\n*\t2\tyes\n").unwrap_err();
        assert!(e.reason.contains("twice"));
        let e = parse_defaults("category\tgrams\testimate\n*\t1\tmaybe\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
