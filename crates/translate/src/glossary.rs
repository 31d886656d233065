//! The Dongdaemun glossary: curated Korean trade terms with their renderings in the six export
//! locales, loaded from `locales/glossary/*.tsv`, plus operator overrides merged in at run time.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use ddhub_domain::Locale;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use unicode_normalization::UnicodeNormalization;

/// The shipped glossary files, one per group of roles. Order does not matter.
const SHIPPED: [(&str, &str); 10] = [
    (
        "category.tsv",
        include_str!("../../../locales/glossary/category.tsv"),
    ),
    (
        "colour.tsv",
        include_str!("../../../locales/glossary/colour.tsv"),
    ),
    (
        "material.tsv",
        include_str!("../../../locales/glossary/material.tsv"),
    ),
    (
        "garment_details.tsv",
        include_str!("../../../locales/glossary/garment_details.tsv"),
    ),
    (
        "pattern.tsv",
        include_str!("../../../locales/glossary/pattern.tsv"),
    ),
    (
        "style.tsv",
        include_str!("../../../locales/glossary/style.tsv"),
    ),
    (
        "season.tsv",
        include_str!("../../../locales/glossary/season.tsv"),
    ),
    (
        "marketing.tsv",
        include_str!("../../../locales/glossary/marketing.tsv"),
    ),
    (
        "size.tsv",
        include_str!("../../../locales/glossary/size.tsv"),
    ),
    (
        "origin.tsv",
        include_str!("../../../locales/glossary/origin.tsv"),
    ),
];
const SHIPPED_VARIANTS: &str = include_str!("../../../locales/glossary/variants.tsv");

/// What a term does in a title; decides where it goes and whether it stays in the title at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CategoryNoun,
    Fit,
    Detail,
    Neckline,
    Sleeve,
    Length,
    Material,
    Fabric,
    Colour,
    Pattern,
    Season,
    MarketingTag,
    Style,
    Size,
    Origin,
    /// A spelling or spacing variant: `code` names the canonical Korean term, renderings are empty.
    Variant,
}

/// One glossary row. A rendering may hold two forms, `head|modifier`: the first when the term is
/// the head noun of a title, the second when it qualifies another noun (zh `针织衫|针织`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub ko: String,
    pub role: Role,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub ja: String,
    #[serde(rename = "zh-CN", default)]
    pub zh_cn: String,
    #[serde(rename = "zh-TW", default)]
    pub zh_tw: String,
    #[serde(default)]
    pub vi: String,
    #[serde(default)]
    pub th: String,
}

impl Term {
    /// A variant row: `variant` is written like `canonical`.
    pub fn variant(variant: &str, canonical: &str) -> Term {
        Term {
            ko: variant.to_string(),
            role: Role::Variant,
            code: canonical.to_string(),
            en: String::new(),
            ja: String::new(),
            zh_cn: String::new(),
            zh_tw: String::new(),
            vi: String::new(),
            th: String::new(),
        }
    }

    /// The raw rendering cell for a locale (`head|modifier` or one form); Korean gives `ko`.
    pub fn rendering(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ko => &self.ko,
            Locale::En => &self.en,
            Locale::Ja => &self.ja,
            Locale::ZhCn => &self.zh_cn,
            Locale::ZhTw => &self.zh_tw,
            Locale::Vi => &self.vi,
            Locale::Th => &self.th,
        }
    }

    /// The form used when the term heads the phrase (or stands alone, as in an attribute list).
    pub fn head(&self, locale: Locale) -> &str {
        let cell = self.rendering(locale);
        cell.split_once('|').map_or(cell, |(h, _)| h)
    }

    /// The form used when the term qualifies another noun.
    pub fn modifier(&self, locale: Locale) -> &str {
        let cell = self.rendering(locale);
        cell.split_once('|').map_or(cell, |(_, m)| m)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GlossaryError {
    #[error("glossary file {file}: {source}")]
    Csv {
        file: String,
        #[source]
        source: csv::Error,
    },
    #[error("glossary term {ko:?}: {problem}")]
    InvalidTerm { ko: String, problem: String },
    #[error("glossary matcher: {0}")]
    Matcher(#[from] aho_corasick::BuildError),
}

/// The loaded glossary with its matcher. Cheap to share behind an `Arc`; rebuild to change it.
#[derive(Clone, Debug)]
pub struct Glossary {
    terms: Vec<Term>,
    /// Variant spelling → canonical Korean term, both as written in the files.
    variants: BTreeMap<String, String>,
    /// Lookup key (see [`lookup_key`]) → index into `terms`, for canonical terms and variants.
    index: HashMap<String, usize>,
    /// Title matcher over every key that may appear in a title.
    matcher: AhoCorasick,
    /// For each matcher pattern, the term it finds.
    pattern_term: Vec<usize>,
    version: String,
}

/// The key a surface form is looked up by: NFKC, no whitespace, ASCII lowercased.
pub fn lookup_key(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xD7B0..=0xD7FF)
}

/// Whether any Hangul is left in `s`.
pub fn contains_hangul(s: &str) -> bool {
    s.chars().any(is_hangul)
}

impl Glossary {
    /// The glossary shipped in `locales/glossary/`.
    pub fn builtin() -> Result<Glossary, GlossaryError> {
        let mut rows = Vec::new();
        for (file, text) in SHIPPED {
            rows.extend(parse_tsv(file, text)?);
        }
        for (variant, canonical) in parse_variants(SHIPPED_VARIANTS)? {
            rows.push(Term::variant(&variant, &canonical));
        }
        Glossary::from_terms(rows)
    }

    /// Builds a glossary from rows (terms and variants). Later rows with the same `ko` win.
    pub fn from_terms(rows: impl IntoIterator<Item = Term>) -> Result<Glossary, GlossaryError> {
        let mut by_ko: BTreeMap<String, Term> = BTreeMap::new();
        let mut variants = BTreeMap::new();
        for row in rows {
            let ko = row.ko.trim().to_string();
            if ko.is_empty() {
                return Err(invalid(&row.ko, "empty Korean term"));
            }
            if row.role == Role::Variant {
                by_ko.remove(&ko);
                variants.insert(ko, row.code.trim().to_string());
            } else {
                variants.remove(&ko);
                by_ko.insert(ko.clone(), Term { ko, ..row });
            }
        }
        let terms: Vec<Term> = by_ko.into_values().collect();
        for t in &terms {
            for l in Locale::TARGETS {
                let cell = t.rendering(l).trim();
                if cell.is_empty() {
                    return Err(invalid(&t.ko, &format!("no {l} rendering")));
                }
                if contains_hangul(cell) {
                    return Err(invalid(
                        &t.ko,
                        &format!("{l} rendering {cell:?} contains Hangul"),
                    ));
                }
            }
        }
        let mut index = HashMap::with_capacity(terms.len() + variants.len());
        for (i, t) in terms.iter().enumerate() {
            index.insert(lookup_key(&t.ko), i);
        }
        for (variant, canonical) in &variants {
            let Some(&i) = index.get(&lookup_key(canonical)) else {
                return Err(invalid(
                    variant,
                    &format!("variant of unknown term {canonical:?}"),
                ));
            };
            index.entry(lookup_key(variant)).or_insert(i);
        }
        let mut patterns = Vec::new();
        let mut pattern_term = Vec::new();
        for (key, &i) in &index {
            if matchable_in_titles(key, &terms[i]) {
                patterns.push(key.clone());
                pattern_term.push(i);
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&patterns)?;
        let version = version_of(&terms, &variants);
        Ok(Glossary {
            terms,
            variants,
            index,
            matcher,
            pattern_term,
            version,
        })
    }

    /// This glossary with operator rows merged over it: a row with the same Korean term replaces
    /// the shipped one, a new row adds a term; `variant` rows add or move spellings.
    pub fn with_overrides(
        &self,
        rows: impl IntoIterator<Item = Term>,
    ) -> Result<Glossary, GlossaryError> {
        Glossary::from_terms(self.rows().chain(rows))
    }

    /// Every row, terms first then variants, as `glossary_to_csv` writes them.
    pub fn rows(&self) -> impl Iterator<Item = Term> + '_ {
        self.terms
            .iter()
            .cloned()
            .chain(self.variants.iter().map(|(v, c)| Term::variant(v, c)))
    }

    /// Canonical terms (variants excluded).
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Variant spelling → canonical term.
    pub fn variants(&self) -> &BTreeMap<String, String> {
        &self.variants
    }

    /// A content hash of every term and variant: part of translation-memory keys, so a glossary
    /// change invalidates what was composed from the old one.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The term a surface form (canonical or variant, any spacing or width) stands for.
    pub fn lookup(&self, surface: &str) -> Option<&Term> {
        self.index
            .get(&lookup_key(surface))
            .map(|&i| &self.terms[i])
    }

    /// The term with this role and code (`Colour`, `sky_blue`).
    pub fn by_code(&self, role: Role, code: &str) -> Option<&Term> {
        self.terms
            .iter()
            .find(|t| t.role == role && t.code.eq_ignore_ascii_case(code))
    }

    pub(crate) fn term_index(&self, surface: &str) -> Option<usize> {
        self.index.get(&lookup_key(surface)).copied()
    }

    pub(crate) fn term_at(&self, i: usize) -> &Term {
        &self.terms[i]
    }

    pub(crate) fn matcher(&self) -> &AhoCorasick {
        &self.matcher
    }

    pub(crate) fn pattern_term(&self, pattern: usize) -> usize {
        self.pattern_term[pattern]
    }
}

/// Sizes written as bare numbers or letters (`55`, `M`, `F`) are attributes, not title words:
/// matching them inside titles would turn `55~77` or a model number into size labels.
fn matchable_in_titles(key: &str, term: &Term) -> bool {
    if term.role == Role::Size {
        return key.chars().any(is_hangul) || key.chars().count() > 3;
    }
    true
}

fn invalid(ko: &str, problem: &str) -> GlossaryError {
    GlossaryError::InvalidTerm {
        ko: ko.to_string(),
        problem: problem.to_string(),
    }
}

fn version_of(terms: &[Term], variants: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for t in terms {
        for cell in [
            &t.ko, &t.code, &t.en, &t.ja, &t.zh_cn, &t.zh_tw, &t.vi, &t.th,
        ] {
            h.update(cell.as_bytes());
            h.update([0x1f]);
        }
        h.update(format!("{:?}", t.role).as_bytes());
        h.update([0x1e]);
    }
    for (v, c) in variants {
        h.update(v.as_bytes());
        h.update([0x1f]);
        h.update(c.as_bytes());
        h.update([0x1e]);
    }
    hex::encode(&h.finalize()[..8])
}

fn tsv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .has_headers(true)
        .from_reader(text.as_bytes())
}

fn parse_tsv(file: &str, text: &str) -> Result<Vec<Term>, GlossaryError> {
    tsv_reader(text)
        .deserialize()
        .collect::<Result<Vec<Term>, _>>()
        .map_err(|source| GlossaryError::Csv {
            file: file.to_string(),
            source,
        })
}

fn parse_variants(text: &str) -> Result<Vec<(String, String)>, GlossaryError> {
    tsv_reader(text)
        .deserialize()
        .collect::<Result<Vec<(String, String)>, _>>()
        .map_err(|source| GlossaryError::Csv {
            file: "variants.tsv".to_string(),
            source,
        })
}

/// Writes every row (terms, then variants with role `variant` and the canonical term in `code`)
/// as CSV with the header `ko,role,code,en,ja,zh-CN,zh-TW,vi,th`.
pub fn glossary_to_csv(glossary: &Glossary) -> Result<String, GlossaryError> {
    terms_to_csv(glossary.rows())
}

/// Writes rows (terms and variants) in the import format, as [`glossary_to_csv`] does.
pub fn terms_to_csv(rows: impl IntoIterator<Item = Term>) -> Result<String, GlossaryError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let wrap = |source| GlossaryError::Csv {
        file: "export".to_string(),
        source,
    };
    for row in rows {
        w.serialize(row).map_err(wrap)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| wrap(csv::Error::from(e.into_error())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads rows written by [`glossary_to_csv`] (or by an operator in a spreadsheet). Merge them
/// with [`Glossary::with_overrides`].
pub fn glossary_from_csv(text: &str) -> Result<Vec<Term>, GlossaryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<Term>, _>>()
        .map_err(|source| GlossaryError::Csv {
            file: "import".to_string(),
            source,
        })
}
