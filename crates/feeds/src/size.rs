//! Korean sizes in the partner's size system. Google has no KR system, so 55, FREE, waist inches
//! and shoe millimetres are converted with the conversions of the domain size vocabulary.

use ddhub_domain::catalog::{self, SizeSystem};
use serde::{Deserialize, Serialize};

/// The size system a partner's feed is written in. `Intl` writes letter sizes (XS…XXL) with no
/// `g:size_system` (Google then reads them in the target country's system).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FeedSizeSystem {
    Jp,
    Eu,
    #[default]
    Us,
    Uk,
    Intl,
}

impl FeedSizeSystem {
    /// The `g:size_system` value, if any.
    pub fn gmc_code(self) -> Option<&'static str> {
        match self {
            FeedSizeSystem::Jp => Some("JP"),
            FeedSizeSystem::Eu => Some("EU"),
            FeedSizeSystem::Us => Some("US"),
            FeedSizeSystem::Uk => Some("UK"),
            FeedSizeSystem::Intl => None,
        }
    }
}

/// A size as a partner's feed writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertedSize {
    /// `g:size`: `9`, `M`, `One Size`, `28`, `36`.
    pub size: String,
    /// `g:size_system`.
    pub system: Option<&'static str>,
}

/// What Google calls a free size.
pub const ONE_SIZE: &str = "One Size";

/// Converts a DDHub size code (`55`, `free`, `m`, `28`, `235`) to `target`.
///
/// - FREE → `One Size`.
/// - Korean women's 44–88 (and the ½ sizes) → the vocabulary's JP 号 / EU / US numbers;
///   UK is US + 4 (US 4 = UK 8, the usual women's offset); INTL → letters (55 → S, 66 → M).
/// - Korean men's 85–110 → letters in every system (the vocabulary has no numeric equivalents).
/// - Letter sizes stay letters: every system understands them, and turning them into women's
///   numbers would be wrong for men's or unisex styles.
/// - Waist inches → the inch number (`28`); jeans are sold by inches in all these markets. INTL
///   keeps the `W28` form.
/// - Shoe millimetres → JP cm (`23.0`), EU, US women's; UK is US − 2; INTL writes EU sizes with
///   size system EU (letters do not exist for shoes).
/// - A code the vocabulary does not know is written as given, in the target system.
pub fn convert_size(code: &str, target: FeedSizeSystem) -> ConvertedSize {
    let system = target.gmc_code();
    let keep = |s: &str| ConvertedSize {
        size: s.to_string(),
        system,
    };
    let Some(size) = catalog::sizes().get(code) else {
        return keep(code);
    };
    let alpha = size.alpha.unwrap_or(size.code);
    match size.system {
        SizeSystem::Free => keep(ONE_SIZE),
        SizeSystem::KrWomen => {
            let v = match target {
                FeedSizeSystem::Jp => size.jp.map(str::to_string),
                FeedSizeSystem::Eu => size.eu.map(str::to_string),
                FeedSizeSystem::Us => size.us.map(str::to_string),
                FeedSizeSystem::Uk => size.us.and_then(|us| shift_numbers(us, 40)),
                FeedSizeSystem::Intl => None,
            };
            keep(v.as_deref().unwrap_or(alpha))
        }
        SizeSystem::KrMen | SizeSystem::Alpha => keep(alpha),
        SizeSystem::WaistInch => {
            let w = size.us.unwrap_or(size.code);
            match target {
                FeedSizeSystem::Intl => keep(w),
                _ => keep(w.trim_start_matches('W')),
            }
        }
        SizeSystem::ShoeMm => {
            let v = match target {
                FeedSizeSystem::Jp => size.jp.map(str::to_string),
                FeedSizeSystem::Eu | FeedSizeSystem::Intl => size.eu.map(str::to_string),
                FeedSizeSystem::Us => size.us.map(str::to_string),
                FeedSizeSystem::Uk => size.us.and_then(|us| shift_numbers(us, -20)),
            };
            let system = if target == FeedSizeSystem::Intl {
                Some("EU")
            } else {
                system
            };
            ConvertedSize {
                size: v.unwrap_or_else(|| size.code.to_string()),
                system,
            }
        }
    }
}

/// Adds `tenths`/10 to each number of `4` or `4-6` or `5.5`; `None` if a part is not a number.
fn shift_numbers(s: &str, tenths: i64) -> Option<String> {
    let parts: Option<Vec<String>> = s
        .split('-')
        .map(|p| {
            let (int, frac) = p.split_once('.').unwrap_or((p, "0"));
            if frac.len() != 1 {
                return None;
            }
            let v = int.parse::<i64>().ok()? * 10 + frac.parse::<i64>().ok()? + tenths;
            Some(if v % 10 == 0 {
                (v / 10).to_string()
            } else {
                format!("{}.{}", v / 10, (v % 10).abs())
            })
        })
        .collect();
    parts.map(|p| p.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(code: &str, t: FeedSizeSystem) -> (String, Option<&'static str>) {
        let c = convert_size(code, t);
        (c.size, c.system)
    }

    #[test]
    fn korean_sizes_convert() {
        use FeedSizeSystem::*;
        assert_eq!(conv("55", Jp), ("9".into(), Some("JP")));
        assert_eq!(conv("55", Intl), ("S".into(), None));
        assert_eq!(conv("66", Intl), ("M".into(), None));
        assert_eq!(conv("55", Eu), ("36".into(), Some("EU")));
        assert_eq!(conv("55", Us), ("4".into(), Some("US")));
        assert_eq!(conv("55", Uk), ("8".into(), Some("UK")));
        assert_eq!(conv("55_half", Uk), ("8-10".into(), Some("UK")));
        assert_eq!(conv("free", Jp), ("One Size".into(), Some("JP")));
        assert_eq!(conv("28", Us), ("28".into(), Some("US")));
        assert_eq!(conv("28", Intl), ("W28".into(), None));
        assert_eq!(conv("235", Jp), ("23.5".into(), Some("JP")));
        assert_eq!(conv("235", Uk), ("4.5".into(), Some("UK")));
        assert_eq!(conv("235", Intl), ("37".into(), Some("EU")));
        assert_eq!(conv("95", Eu), ("M".into(), Some("EU")));
        assert_eq!(conv("m", Eu), ("M".into(), Some("EU")));
        assert_eq!(conv("odd", Us), ("odd".into(), Some("US")));
    }
}
