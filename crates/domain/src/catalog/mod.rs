//! Closed vocabularies of the catalog (categories, colours, sizes, materials, origins, seasons).
//! The data lives in `locales/vocab/*.tsv` so the translation crate and humans share one copy;
//! it is compiled in and parsed once, on first use.

mod table;

use crate::Locale;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;
use table::{Table, list, opt};

/// A vocabulary file that does not parse or contradicts itself. Only reachable through a bad
/// edit of `locales/vocab`, which the crate's tests catch.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct VocabError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

impl VocabError {
    fn new(file: &'static str, line: usize, message: impl Into<String>) -> Self {
        VocabError {
            file,
            line,
            message: message.into(),
        }
    }
}

/// A term's name in every locale DDHub speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    pub ko: &'static str,
    pub en: &'static str,
    pub ja: &'static str,
    pub zh_cn: &'static str,
    pub zh_tw: &'static str,
    pub vi: &'static str,
    pub th: &'static str,
}

impl Labels {
    pub fn get(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Ko => self.ko,
            Locale::En => self.en,
            Locale::Ja => self.ja,
            Locale::ZhCn => self.zh_cn,
            Locale::ZhTw => self.zh_tw,
            Locale::Vi => self.vi,
            Locale::Th => self.th,
        }
    }

    fn read(t: &Table, cells: &[&'static str], ko_col: &str) -> Result<Labels, VocabError> {
        Ok(Labels {
            ko: cells[t.col(ko_col)?],
            en: cells[t.col("en")?],
            ja: cells[t.col("ja")?],
            zh_cn: cells[t.col("zh-CN")?],
            zh_tw: cells[t.col("zh-TW")?],
            vi: cells[t.col("vi")?],
            th: cells[t.col("th")?],
        })
    }
}

/// A node of the category tree. Codes are paths: `tops/knit/cardigan`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub code: &'static str,
    pub parent: Option<&'static str>,
    pub labels: Labels,
}

/// A colour a SKU can have, with the family buyers filter by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Colour {
    /// `black`, `ivory`, `sky_blue`, `light_wash` …
    pub code: &'static str,
    /// `black`, `white`, `grey`, `beige`, `brown`, `red`, `pink`, `orange`, `yellow`, `green`,
    /// `blue`, `navy`, `purple`, `multi`, `metallic`, `pattern`.
    pub family: &'static str,
    /// Swatch colour, `#RRGGBB`.
    pub hex: &'static str,
    pub synonyms: Vec<&'static str>,
    pub labels: Labels,
}

/// The size series a size belongs to. Ranges (`55~77`) expand within one series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SizeSystem {
    /// FREE / F / 프리: one size.
    Free,
    /// Korean women's 44 / 55 / 55반 / 66 … 88.
    KrWomen,
    /// Korean men's chest sizes 85 … 110.
    KrMen,
    /// XXS … XXXL.
    Alpha,
    /// Trouser waist in inches, 24 … 36.
    WaistInch,
    /// Foot length in millimetres, 220 … 290 in steps of 5.
    ShoeMm,
}

impl SizeSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            SizeSystem::Free => "free",
            SizeSystem::KrWomen => "kr_women",
            SizeSystem::KrMen => "kr_men",
            SizeSystem::Alpha => "alpha",
            SizeSystem::WaistInch => "waist_inch",
            SizeSystem::ShoeMm => "shoe_mm",
        }
    }

    fn parse(s: &str) -> Option<SizeSystem> {
        Some(match s {
            "free" => SizeSystem::Free,
            "kr_women" => SizeSystem::KrWomen,
            "kr_men" => SizeSystem::KrMen,
            "alpha" => SizeSystem::Alpha,
            "waist_inch" => SizeSystem::WaistInch,
            "shoe_mm" => SizeSystem::ShoeMm,
            _ => return None,
        })
    }
}

impl fmt::Display for SizeSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A size, with its place in its series and its usual equivalents abroad.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Size {
    /// `free`, `55`, `55_half`, `m`, `25`, `230`.
    pub code: &'static str,
    pub system: SizeSystem,
    /// Position within `system`, smallest first: range expansion walks this order.
    pub rank: usize,
    pub synonyms: Vec<&'static str>,
    /// Approximate letter size (`S`, `M-L`).
    pub alpha: Option<&'static str>,
    /// Japanese size: 号 for women's numeric sizes, cm for shoes.
    pub jp: Option<&'static str>,
    pub eu: Option<&'static str>,
    /// US women's size.
    pub us: Option<&'static str>,
    pub labels: Labels,
}

/// Where a size code stands in a list of sizes of several series: series by series (one size,
/// Korean women's, men's, letters, waist, shoes), smallest first in each, never `W25, 55, W26,
/// S` interleaved by their places in their own series. Unknown codes go last.
pub fn size_order(code: &str) -> (usize, usize) {
    match sizes().get(code) {
        Some(s) => (s.system as usize, s.rank),
        None => (usize::MAX, usize::MAX),
    }
}

/// A term of a flat vocabulary: a material, a country of origin or a season.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// Materials: `cotton`, `spandex`; origins: ISO 3166-1 alpha-2 (`KR`); seasons: `ss`, `transitional`.
    pub code: &'static str,
    pub synonyms: Vec<&'static str>,
    pub labels: Labels,
}

/// One vocabulary, indexed by code and by normalised Korean (and English) name.
#[derive(Debug)]
pub struct Vocabulary<T> {
    entries: Vec<T>,
    by_code: HashMap<&'static str, usize>,
    by_key: HashMap<String, usize>,
}

impl<T> Vocabulary<T> {
    /// Every entry, in file order.
    pub fn all(&self) -> &[T] {
        &self.entries
    }

    /// The entry with exactly this code.
    pub fn get(&self, code: &str) -> Option<&T> {
        self.by_code.get(code).map(|&i| &self.entries[i])
    }

    /// The entry a wholesaler's word names: its code, Korean label, a Korean synonym or its
    /// English label, compared after [`normalize_key`].
    pub fn find(&self, text: &str) -> Option<&T> {
        self.by_key
            .get(&normalize_key(text))
            .map(|&i| &self.entries[i])
    }

    fn build(
        file: &'static str,
        entries: Vec<(usize, T)>,
        code: impl Fn(&T) -> &'static str,
        keys: impl Fn(&T) -> Vec<&'static str>,
        fallback_keys: impl Fn(&T) -> Vec<&'static str>,
    ) -> Result<Self, VocabError> {
        let mut v = Vocabulary {
            entries: Vec::with_capacity(entries.len()),
            by_code: HashMap::new(),
            by_key: HashMap::new(),
        };
        let mut lines = Vec::with_capacity(entries.len());
        for (i, (line, e)) in entries.into_iter().enumerate() {
            let c = code(&e);
            if c.is_empty() {
                return Err(VocabError::new(file, line, "empty code"));
            }
            if v.by_code.insert(c, i).is_some() {
                return Err(VocabError::new(file, line, format!("duplicate code {c:?}")));
            }
            for k in std::iter::once(c).chain(keys(&e)) {
                let key = normalize_key(k);
                if key.is_empty() {
                    return Err(VocabError::new(
                        file,
                        line,
                        format!("{k:?} normalises to nothing"),
                    ));
                }
                if let Some(&other) = v.by_key.get(&key)
                    && other != i
                {
                    return Err(VocabError::new(
                        file,
                        line,
                        format!("{k:?} also names {:?}", code(&v.entries[other])),
                    ));
                }
                v.by_key.insert(key, i);
            }
            lines.push(line);
            v.entries.push(e);
        }
        // English labels help JSON uploads from programs, but never shadow a Korean synonym.
        for (i, e) in v.entries.iter().enumerate() {
            for k in fallback_keys(e) {
                v.by_key.entry(normalize_key(k)).or_insert(i);
            }
        }
        Ok(v)
    }
}

/// The comparison form of a vocabulary word: full-width ASCII folded to ASCII, lower case, and
/// everything but letters and digits dropped (`Ｓ／Ｓ` → `ss`, `상의 > 니트` → `상의니트`).
pub fn normalize_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = fold_full_width(c);
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Maps the full-width forms block (`０`, `Ａ`, `，`) to ASCII and the ideographic space to a space.
pub fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

const CATEGORIES_TSV: &str = include_str!("../../../../locales/vocab/categories.tsv");
const CATEGORY_ALIASES_TSV: &str = include_str!("../../../../locales/vocab/category_aliases.tsv");
const COLOURS_TSV: &str = include_str!("../../../../locales/vocab/colours.tsv");
const SIZES_TSV: &str = include_str!("../../../../locales/vocab/sizes.tsv");
const MATERIALS_TSV: &str = include_str!("../../../../locales/vocab/materials.tsv");
const ORIGINS_TSV: &str = include_str!("../../../../locales/vocab/origins.tsv");
const SEASONS_TSV: &str = include_str!("../../../../locales/vocab/seasons.tsv");

fn load_categories() -> Result<Vocabulary<Category>, VocabError> {
    let t = Table::parse("categories.tsv", CATEGORIES_TSV)?;
    let (code, parent) = (t.col("code")?, t.col("parent")?);
    let mut entries = Vec::new();
    for (line, cells) in &t.rows {
        entries.push((
            *line,
            Category {
                code: cells[code],
                parent: opt(cells[parent]),
                labels: Labels::read(&t, cells, "ko")?,
            },
        ));
    }
    let aliases = Table::parse("category_aliases.tsv", CATEGORY_ALIASES_TSV)?;
    let (alias, target) = (aliases.col("alias")?, aliases.col("code")?);
    let mut by_target: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    for (line, cells) in &aliases.rows {
        if !entries.iter().any(|(_, c)| c.code == cells[target]) {
            return Err(VocabError::new(
                aliases.file,
                *line,
                format!("unknown category {:?}", cells[target]),
            ));
        }
        by_target
            .entry(cells[target])
            .or_default()
            .push(cells[alias]);
    }
    for (line, c) in &entries {
        if let Some(p) = c.parent
            && !entries.iter().any(|(_, e)| e.code == p)
        {
            return Err(VocabError::new(
                t.file,
                *line,
                format!("parent {p:?} of {:?} is not a category", c.code),
            ));
        }
    }
    Vocabulary::build(
        t.file,
        entries,
        |c| c.code,
        |c| {
            let mut keys = vec![c.labels.ko];
            keys.extend(by_target.get(c.code).into_iter().flatten().copied());
            keys
        },
        |c| vec![c.labels.en],
    )
}

fn load_colours() -> Result<Vocabulary<Colour>, VocabError> {
    let t = Table::parse("colours.tsv", COLOURS_TSV)?;
    let (code, family, hex, syn) = (
        t.col("code")?,
        t.col("family")?,
        t.col("hex")?,
        t.col("synonyms")?,
    );
    let mut entries = Vec::new();
    for (line, cells) in &t.rows {
        let h = cells[hex];
        if h.len() != 7 || !h.starts_with('#') || !h[1..].chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(VocabError::new(t.file, *line, format!("bad swatch {h:?}")));
        }
        entries.push((
            *line,
            Colour {
                code: cells[code],
                family: cells[family],
                hex: h,
                synonyms: list(cells[syn]),
                labels: Labels::read(&t, cells, "ko")?,
            },
        ));
    }
    Vocabulary::build(
        t.file,
        entries,
        |c| c.code,
        |c| {
            std::iter::once(c.labels.ko)
                .chain(c.synonyms.iter().copied())
                .collect()
        },
        |c| vec![c.labels.en],
    )
}

fn load_sizes() -> Result<Vocabulary<Size>, VocabError> {
    let t = Table::parse("sizes.tsv", SIZES_TSV)?;
    let (code, system, syn) = (t.col("code")?, t.col("system")?, t.col("synonyms")?);
    let (alpha, jp, eu, us) = (t.col("alpha")?, t.col("jp")?, t.col("eu")?, t.col("us")?);
    let mut ranks: HashMap<SizeSystem, usize> = HashMap::new();
    let mut entries = Vec::new();
    for (line, cells) in &t.rows {
        let Some(sys) = SizeSystem::parse(cells[system]) else {
            return Err(VocabError::new(
                t.file,
                *line,
                format!("unknown size system {:?}", cells[system]),
            ));
        };
        let rank = ranks.entry(sys).or_insert(0);
        entries.push((
            *line,
            Size {
                code: cells[code],
                system: sys,
                rank: *rank,
                synonyms: list(cells[syn]),
                alpha: opt(cells[alpha]),
                jp: opt(cells[jp]),
                eu: opt(cells[eu]),
                us: opt(cells[us]),
                labels: Labels::read(&t, cells, "ko")?,
            },
        ));
        *rank += 1;
    }
    Vocabulary::build(
        t.file,
        entries,
        |s| s.code,
        |s| {
            std::iter::once(s.labels.ko)
                .chain(s.synonyms.iter().copied())
                .collect()
        },
        |s| vec![s.labels.en],
    )
}

fn load_terms(file: &'static str, text: &'static str) -> Result<Vocabulary<Term>, VocabError> {
    let t = Table::parse(file, text)?;
    let (code, syn) = (t.col("code")?, t.col("synonyms")?);
    let mut entries = Vec::new();
    for (line, cells) in &t.rows {
        entries.push((
            *line,
            Term {
                code: cells[code],
                synonyms: list(cells[syn]),
                labels: Labels::read(&t, cells, "ko")?,
            },
        ));
    }
    Vocabulary::build(
        file,
        entries,
        |m| m.code,
        |m| {
            std::iter::once(m.labels.ko)
                .chain(m.synonyms.iter().copied())
                .collect()
        },
        |m| vec![m.labels.en],
    )
}

/// Loads every vocabulary afresh and reports the first inconsistency. The accessors below
/// assume this passes; the crate's tests run it.
pub fn check() -> Result<(), VocabError> {
    load_categories()?;
    load_colours()?;
    load_sizes()?;
    load_terms("materials.tsv", MATERIALS_TSV)?;
    load_terms("origins.tsv", ORIGINS_TSV)?;
    load_terms("seasons.tsv", SEASONS_TSV)?;
    Ok(())
}

// The data is compiled in and `check` is tested, so a failure here is a build defect, not input.
#[allow(clippy::expect_used)]
mod statics {
    use super::*;
    pub static CATEGORIES: LazyLock<Vocabulary<Category>> =
        LazyLock::new(|| load_categories().expect("locales/vocab/categories.tsv"));
    pub static COLOURS: LazyLock<Vocabulary<Colour>> =
        LazyLock::new(|| load_colours().expect("locales/vocab/colours.tsv"));
    pub static SIZES: LazyLock<Vocabulary<Size>> =
        LazyLock::new(|| load_sizes().expect("locales/vocab/sizes.tsv"));
    pub static MATERIALS: LazyLock<Vocabulary<Term>> =
        LazyLock::new(|| load_terms("materials.tsv", MATERIALS_TSV).expect("materials.tsv"));
    pub static ORIGINS: LazyLock<Vocabulary<Term>> =
        LazyLock::new(|| load_terms("origins.tsv", ORIGINS_TSV).expect("origins.tsv"));
    pub static SEASONS: LazyLock<Vocabulary<Term>> =
        LazyLock::new(|| load_terms("seasons.tsv", SEASONS_TSV).expect("seasons.tsv"));
}

/// The category tree (codes like `tops/knit/cardigan`), with the aliases of `category_aliases.tsv`.
pub fn categories() -> &'static Vocabulary<Category> {
    &statics::CATEGORIES
}
pub fn colours() -> &'static Vocabulary<Colour> {
    &statics::COLOURS
}
pub fn sizes() -> &'static Vocabulary<Size> {
    &statics::SIZES
}
/// Fibres and fabrics of a composition (`면`, `아크릴`, `스판`).
pub fn materials() -> &'static Vocabulary<Term> {
    &statics::MATERIALS
}
/// Countries of origin; codes are ISO 3166-1 alpha-2.
pub fn origins() -> &'static Vocabulary<Term> {
    &statics::ORIGINS
}
pub fn seasons() -> &'static Vocabulary<Term> {
    &statics::SEASONS
}

/// The category a wholesaler's category text names: the whole text first (`니트/가디건` is a
/// known alias), then its path segments from the most specific (`상의 > 니트` → `니트`).
pub fn category_for(text: &str) -> Option<&'static Category> {
    let v = categories();
    if let Some(c) = v.find(text) {
        return Some(c);
    }
    text.split(['>', '/', '|', '»', '＞', '／', '\\', ','])
        .rev()
        .find_map(|seg| v.find(seg))
}

/// The sizes of one series, smallest first.
pub fn sizes_in(system: SizeSystem) -> impl Iterator<Item = &'static Size> {
    sizes().all().iter().filter(move |s| s.system == system)
}

impl Category {
    /// The category and its ancestors, most specific first.
    pub fn lineage(&'static self) -> impl Iterator<Item = &'static Category> {
        std::iter::successors(Some(self), |c| c.parent.and_then(|p| categories().get(p)))
    }
}

#[cfg(test)]
mod tests;
