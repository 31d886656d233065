//! The rules a style must meet, whoever sends it: a sheet row (ddhub-ingest reports each
//! breach on its row, in Korean) and the JSON API (a field error, or a warning beside the
//! answer). One set of limits and one check, so the same style gets the same answer on both.

use crate::style::{CompositionPart, validate_style_code};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// The highest wholesale price of one piece, in won (what a price cell or field can hold).
pub const MAX_PRICE_KRW: i64 = 999_999_999;
/// A price above this is kept with a warning: usually a typo (an extra zero).
pub const HIGH_PRICE_WARNING: i64 = 3_000_000;
pub const MAX_MOQ: u32 = 10_000;
/// Colour × size combinations of one style.
pub const MAX_SKUS: usize = 500;

/// What a style is checked on.
#[derive(Debug, Clone, Copy)]
pub struct StyleFacts<'a> {
    pub style_code: &'a str,
    pub title_ko: &'a str,
    pub price_krw: i64,
    pub moq: u32,
    pub description_ko: Option<&'a str>,
    pub composition: &'a [CompositionPart],
    pub colours: usize,
    pub sizes: usize,
}

/// One rule a style breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// `empty`, `too_long` or `control_characters`.
    StyleCode(&'static str),
    TitleMissing,
    TitleTooLong,
    PriceOutOfRange,
    /// Above [`HIGH_PRICE_WARNING`]: a warning.
    PriceUnusuallyHigh,
    MoqOutOfRange,
    DescriptionTooLong,
    /// A part's percent outside 1 to 100.
    CompositionPercent,
    /// Percents that do not add up to 100 (their total): a warning, the style is kept.
    CompositionTotal(u32),
    NoColours,
    NoSizes,
    /// More colour × size combinations than [`MAX_SKUS`] (how many).
    TooManySkus(usize),
}

impl Breach {
    /// A warning: the style is kept and the breach reported beside it. A title past
    /// [`MAX_TITLE_CHARS`] keeps its first characters; a style without sizes is `free`.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Breach::CompositionTotal(_)
                | Breach::TitleTooLong
                | Breach::NoSizes
                | Breach::PriceUnusuallyHigh
        )
    }

    /// What the JSON API says of it (its field names).
    pub fn message_en(&self) -> String {
        match self {
            Breach::StyleCode(why) => format!("style code: {why}"),
            Breach::TitleMissing => format!("title_ko must be 1 to {MAX_TITLE_CHARS} characters"),
            Breach::TitleTooLong => format!(
                "title_ko is longer than {MAX_TITLE_CHARS} characters: its first {MAX_TITLE_CHARS} are kept"
            ),
            Breach::PriceOutOfRange => format!("price_krw must be between 1 and {MAX_PRICE_KRW}"),
            Breach::PriceUnusuallyHigh => {
                format!("price_krw is above {HIGH_PRICE_WARNING} won: check it is not a typo")
            }
            Breach::MoqOutOfRange => format!("moq must be between 1 and {MAX_MOQ}"),
            Breach::DescriptionTooLong => {
                format!("description_ko is longer than {MAX_DESCRIPTION_CHARS} characters")
            }
            Breach::CompositionPercent => "composition percent must be 1 to 100".into(),
            Breach::CompositionTotal(total) => {
                format!("the composition adds up to {total}%, not 100%")
            }
            Breach::NoColours => "colours must name at least one value".into(),
            Breach::NoSizes => "no sizes: one size (free) is assumed".into(),
            Breach::TooManySkus(n) => {
                format!("{n} colour × size combinations: at most {MAX_SKUS}")
            }
        }
    }
}

/// Every rule `f` breaks, in field order (empty: the style is good).
pub fn check(f: &StyleFacts<'_>) -> Vec<Breach> {
    let mut out = Vec::new();
    if let Err(why) = validate_style_code(f.style_code) {
        out.push(Breach::StyleCode(why));
    }
    let title = f.title_ko.trim();
    if title.is_empty() {
        out.push(Breach::TitleMissing);
    } else if title.chars().count() > MAX_TITLE_CHARS {
        out.push(Breach::TitleTooLong);
    }
    if !(1..=MAX_PRICE_KRW).contains(&f.price_krw) {
        out.push(Breach::PriceOutOfRange);
    } else if f.price_krw > HIGH_PRICE_WARNING {
        out.push(Breach::PriceUnusuallyHigh);
    }
    if !(1..=MAX_MOQ).contains(&f.moq) {
        out.push(Breach::MoqOutOfRange);
    }
    if f.description_ko
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        out.push(Breach::DescriptionTooLong);
    }
    if f.composition
        .iter()
        .any(|c| !(1..=100).contains(&c.percent))
    {
        out.push(Breach::CompositionPercent);
    } else if !f.composition.is_empty() {
        let total: u32 = f.composition.iter().map(|c| u32::from(c.percent)).sum();
        if total != 100 {
            out.push(Breach::CompositionTotal(total));
        }
    }
    if f.colours == 0 {
        out.push(Breach::NoColours);
    }
    if f.sizes == 0 {
        out.push(Breach::NoSizes);
    }
    let skus = f.colours.saturating_mul(f.sizes);
    if skus > MAX_SKUS {
        out.push(Breach::TooManySkus(skus));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(material: &str, percent: u8) -> CompositionPart {
        CompositionPart {
            material: material.into(),
            percent,
        }
    }

    #[test]
    fn a_good_style_breaks_nothing_and_each_limit_is_its_own_breach() {
        let comp = [part("cotton", 60), part("polyester", 40)];
        let good = StyleFacts {
            style_code: "KN-1",
            title_ko: "꽈배기 니트",
            price_krw: 18_000,
            moq: 2,
            description_ko: None,
            composition: &comp,
            colours: 5,
            sizes: 1,
        };
        assert_eq!(check(&good), vec![]);
        let short = [part("cotton", 60), part("polyester", 30)];
        let long = "가".repeat(MAX_DESCRIPTION_CHARS + 1);
        let cases: Vec<(StyleFacts<'_>, Breach)> = vec![
            (
                StyleFacts {
                    style_code: " ",
                    ..good
                },
                Breach::StyleCode("empty"),
            ),
            (
                StyleFacts {
                    title_ko: "",
                    ..good
                },
                Breach::TitleMissing,
            ),
            (
                StyleFacts {
                    price_krw: MAX_PRICE_KRW + 1,
                    ..good
                },
                Breach::PriceOutOfRange,
            ),
            (
                StyleFacts {
                    price_krw: 5_000_000,
                    ..good
                },
                Breach::PriceUnusuallyHigh,
            ),
            (
                StyleFacts {
                    moq: MAX_MOQ + 1,
                    ..good
                },
                Breach::MoqOutOfRange,
            ),
            (
                StyleFacts {
                    description_ko: Some(&long),
                    ..good
                },
                Breach::DescriptionTooLong,
            ),
            (
                StyleFacts {
                    composition: &short,
                    ..good
                },
                Breach::CompositionTotal(90),
            ),
            (
                StyleFacts {
                    colours: 25,
                    sizes: 21,
                    ..good
                },
                Breach::TooManySkus(525),
            ),
            (StyleFacts { sizes: 0, ..good }, Breach::NoSizes),
        ];
        for (facts, breach) in cases {
            assert_eq!(check(&facts), vec![breach.clone()], "{breach:?}");
        }
        assert!(Breach::CompositionTotal(90).is_warning());
        assert!(Breach::TitleTooLong.is_warning());
        assert!(!Breach::TooManySkus(501).is_warning());
    }
}
