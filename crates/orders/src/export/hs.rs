//! HS codes by category × main material × knitted/woven × gender, and category defaults
//! (construction, net weight), read from `locales/orders/hs_codes.tsv` and
//! `locales/orders/category_defaults.tsv` (compiled in, parsed once).

use ddhub_domain::style::CompositionPart;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

const HS_TSV: &str = include_str!("../../../../locales/orders/hs_codes.tsv");
const DEFAULTS_TSV: &str = include_str!("../../../../locales/orders/category_defaults.tsv");

/// The fibre group that decides a garment's subheading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialClass {
    Cotton,
    /// Wool and fine animal hair (cashmere, alpaca, mohair, angora).
    Wool,
    /// Synthetic man-made fibres: polyester, nylon, acrylic, spandex; PU faux leather and fur.
    Synthetic,
    /// Artificial (cellulosic) man-made fibres: rayon, viscose, modal, lyocell, acetate, cupro.
    Artificial,
    Leather,
    Other,
}

impl MaterialClass {
    pub const ALL: [MaterialClass; 6] = [
        MaterialClass::Cotton,
        MaterialClass::Wool,
        MaterialClass::Synthetic,
        MaterialClass::Artificial,
        MaterialClass::Leather,
        MaterialClass::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MaterialClass::Cotton => "cotton",
            MaterialClass::Wool => "wool",
            MaterialClass::Synthetic => "synthetic",
            MaterialClass::Artificial => "artificial",
            MaterialClass::Leather => "leather",
            MaterialClass::Other => "other",
        }
    }

    /// The class of a canonical material code (`locales/vocab/materials.tsv`).
    pub fn of_material(code: &str) -> MaterialClass {
        match code {
            "cotton" | "denim" => MaterialClass::Cotton,
            "wool" | "cashmere" | "alpaca" | "mohair" | "angora" => MaterialClass::Wool,
            "polyester" | "nylon" | "acrylic" | "spandex" | "faux_leather" | "faux_fur" => {
                MaterialClass::Synthetic
            }
            "rayon" | "viscose" | "modal" | "lyocell" | "acetate" | "cupro" => {
                MaterialClass::Artificial
            }
            "leather" => MaterialClass::Leather,
            _ => MaterialClass::Other,
        }
    }
}

/// The material a composition is classified by. Following Section XI subheading note 2, the
/// material that predominates by weight (percent stands in for weight) wins, and synthetic and
/// artificial fibres count together as man-made fibres against the others; within man-made,
/// the larger of the two names the class. A tie goes to the group listed first in the
/// composition. An empty composition is `other`.
pub fn main_material(composition: &[CompositionPart]) -> MaterialClass {
    #[derive(PartialEq, Clone, Copy)]
    enum Group {
        Single(MaterialClass),
        ManMade,
    }
    let group_of = |c: MaterialClass| match c {
        MaterialClass::Synthetic | MaterialClass::Artificial => Group::ManMade,
        other => Group::Single(other),
    };
    let mut totals: Vec<(Group, u32)> = Vec::new();
    let (mut synthetic, mut artificial) = (0u32, 0u32);
    for part in composition {
        let class = MaterialClass::of_material(&part.material);
        let pct = u32::from(part.percent);
        match class {
            MaterialClass::Synthetic => synthetic += pct,
            MaterialClass::Artificial => artificial += pct,
            _ => {}
        }
        let g = group_of(class);
        match totals.iter_mut().find(|(k, _)| *k == g) {
            Some((_, t)) => *t += pct,
            None => totals.push((g, pct)),
        }
    }
    let mut best: Option<(Group, u32)> = None;
    for (g, t) in totals {
        if best.is_none_or(|(_, b)| t > b) {
            best = Some((g, t));
        }
    }
    match best {
        None => MaterialClass::Other,
        Some((Group::Single(c), _)) => c,
        Some((Group::ManMade, _)) if artificial > synthetic => MaterialClass::Artificial,
        Some((Group::ManMade, _)) => MaterialClass::Synthetic,
    }
}

/// Knitted or crocheted (HS chapter 61) or not (chapter 62).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Construction {
    Knitted,
    Woven,
}

impl Construction {
    pub fn as_str(self) -> &'static str {
        match self {
            Construction::Knitted => "knitted",
            Construction::Woven => "woven",
        }
    }
}

/// Whose garment it is, for the men's / women's headings. Unisex garments are classified
/// as women's (chapters 61 and 62, note 9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    #[default]
    Women,
    Men,
    Unisex,
}

/// One HS code with its description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HsEntry {
    /// Six digits as `dddd.dd`.
    pub code: &'static str,
    pub description: &'static str,
}

#[derive(Debug)]
struct HsRow {
    category: &'static str,
    material: Option<MaterialClass>,
    construction: Option<Construction>,
    men_only: bool,
    entry: HsEntry,
}

/// A bad line in one of the tables (`locales/orders`).
pub use crate::datafile::DataError as TableError;
use crate::datafile::data_lines;

fn parse_hs() -> Result<Vec<HsRow>, TableError> {
    let file = "locales/orders/hs_codes.tsv";
    let mut rows = Vec::new();
    for (line, cells) in data_lines(HS_TSV) {
        let err = |m: &str| TableError {
            file,
            line,
            message: m.to_string(),
        };
        let [category, material, construction, gender, code, description] = cells[..] else {
            return Err(err("expected 6 columns"));
        };
        let material = match material {
            "*" => None,
            m => Some(
                MaterialClass::ALL
                    .into_iter()
                    .find(|c| c.as_str() == m)
                    .ok_or_else(|| err("unknown material class"))?,
            ),
        };
        let construction = match construction {
            "*" => None,
            "knitted" => Some(Construction::Knitted),
            "woven" => Some(Construction::Woven),
            _ => return Err(err("construction is knitted, woven or *")),
        };
        let men_only = match gender {
            "*" => false,
            "men" => true,
            _ => return Err(err("gender is men or *")),
        };
        let b = code.as_bytes();
        if b.len() != 7
            || b[4] != b'.'
            || !code
                .bytes()
                .filter(|c| *c != b'.')
                .all(|c| c.is_ascii_digit())
        {
            return Err(err("HS code must be dddd.dd"));
        }
        rows.push(HsRow {
            category,
            material,
            construction,
            men_only,
            entry: HsEntry { code, description },
        });
    }
    Ok(rows)
}

static HS: LazyLock<Result<Vec<HsRow>, TableError>> = LazyLock::new(parse_hs);

/// Category defaults: nominal construction and net grams of one piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryDefaults {
    pub construction: Construction,
    pub net_grams: u32,
}

fn parse_defaults() -> Result<Vec<(&'static str, CategoryDefaults)>, TableError> {
    let file = "locales/orders/category_defaults.tsv";
    let mut rows = Vec::new();
    for (line, cells) in data_lines(DEFAULTS_TSV) {
        let err = |m: &str| TableError {
            file,
            line,
            message: m.to_string(),
        };
        let [category, construction, grams] = cells[..] else {
            return Err(err("expected 3 columns"));
        };
        let construction = match construction {
            "knitted" => Construction::Knitted,
            "woven" => Construction::Woven,
            _ => return Err(err("construction is knitted or woven")),
        };
        let net_grams: u32 = grams
            .parse()
            .ok()
            .filter(|g| *g > 0)
            .ok_or_else(|| err("net_grams is a positive integer"))?;
        rows.push((
            category,
            CategoryDefaults {
                construction,
                net_grams,
            },
        ));
    }
    Ok(rows)
}

static DEFAULTS: LazyLock<Result<Vec<(&'static str, CategoryDefaults)>, TableError>> =
    LazyLock::new(parse_defaults);

/// Both tables parse (for a startup check and the tests).
pub fn check_tables() -> Result<(), TableError> {
    HS.as_ref().map_err(Clone::clone)?;
    DEFAULTS.as_ref().map_err(Clone::clone)?;
    Ok(())
}

/// The category and its ancestors, most specific first: codes are paths (`tops/knit/cardigan`).
fn lineage(category: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(category.trim_matches('/')), |c| {
        c.rsplit_once('/').map(|(parent, _)| parent)
    })
    .filter(|c| !c.is_empty())
}

/// The defaults of a category, from it or its nearest ancestor listed.
pub fn category_defaults(category: &str) -> Option<CategoryDefaults> {
    let rows = DEFAULTS.as_ref().ok()?;
    lineage(category).find_map(|c| rows.iter().find(|(k, _)| *k == c).map(|(_, d)| *d))
}

/// The HS code for a garment: the first row of the category, then of each ancestor, whose
/// material, construction and gender match (`*` matches anything; `men` rows only men's).
pub fn lookup_hs(
    category: &str,
    material: MaterialClass,
    construction: Construction,
    gender: Gender,
) -> Option<HsEntry> {
    let rows = HS.as_ref().ok()?;
    lineage(category).find_map(|c| {
        rows.iter()
            .filter(|r| r.category == c)
            .find(|r| {
                r.material.is_none_or(|m| m == material)
                    && r.construction.is_none_or(|k| k == construction)
                    && (!r.men_only || gender == Gender::Men)
            })
            .map(|r| r.entry)
    })
}
