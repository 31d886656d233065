//! Cross-language concepts: every surface form of a glossary term, in every locale, names one
//! concept id (the term's code, or its Korean form when it has none). Documents are indexed with
//! the concepts found in their titles and category path; query words are mapped to the same ids,
//! so `カーディガン`, `开衫`, `cardigan` and `가디건` meet on `cardigan`.

use crate::doc::ListingDoc;
use aho_corasick::{AhoCorasick, MatchKind};
use ddhub_domain::Locale;
use ddhub_domain::catalog;
use ddhub_translate::{Glossary, Role};
use std::collections::{BTreeSet, HashMap};
use unicode_normalization::UnicodeNormalization;

/// Words the glossary does not carry, mapped to the concept they mean to a buyer (British
/// `jumper` is a sweater; Korean `점퍼` is a blouson and stays so).
const EXTRA_WORDS: &[(&str, &str)] = &[
    ("jumper", "sweater"),
    ("jumpers", "sweater"),
    ("trousers", "pants"),
    ("trouser", "pants"),
    ("sweaters", "sweater"),
    ("cardigans", "cardigan"),
    ("pullovers", "pullover"),
    ("dresses", "dress"),
    ("skirts", "skirt"),
    ("jackets", "jacket"),
    ("coats", "coat"),
    ("hoodies", "hoodie"),
    ("blouses", "blouse"),
    ("裤子", "pants"),
    ("褲子", "pants"),
    ("ズボン", "pants"),
    ("裙子", "skirt"),
    ("shirts", "shirt"),
];

/// Concepts a buyer treats as the same thing: a query for one also matches the others.
const SYNONYM_GROUPS: &[&[&str]] = &[
    &[
        "sweater",
        "pullover",
        "turtleneck_sweater",
        "mock_neck_sweater",
    ],
    &["pants", "slacks"],
];

/// A query span that names concepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConceptSpan {
    /// Byte range in the normalised query text.
    pub start: usize,
    pub end: usize,
    /// Concept ids, synonym groups expanded.
    pub concepts: Vec<String>,
}

/// The concept matcher built from a glossary.
#[derive(Debug)]
pub struct ConceptIndex {
    matcher: AhoCorasick,
    /// Pattern index → concept ids.
    pattern_concepts: Vec<Vec<String>>,
    /// Normalised surface form → concept ids (for the Meilisearch synonym table).
    surfaces: Vec<(String, Vec<String>)>,
    groups: HashMap<String, Vec<String>>,
}

/// NFKC, lower case, whitespace collapsed: how both documents and queries are matched.
pub fn normalize(text: &str) -> String {
    let lowered: String = text.nfkc().flat_map(char::to_lowercase).collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_latin_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphabetic() && (c as u32) < 0x2000)
}

fn role_is_concept(role: Role) -> bool {
    !matches!(role, Role::MarketingTag | Role::Size | Role::Variant)
}

impl ConceptIndex {
    pub fn new(glossary: &Glossary) -> Result<ConceptIndex, aho_corasick::BuildError> {
        let mut by_surface: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut add = |surface: &str, id: &str| {
            let s = normalize(surface);
            if !s.is_empty() {
                by_surface.entry(s).or_default().insert(id.to_string());
            }
        };
        let mut ko_to_id: HashMap<&str, String> = HashMap::new();
        for term in glossary.terms() {
            if !role_is_concept(term.role) {
                continue;
            }
            let id = if term.code.is_empty() {
                term.ko.clone()
            } else {
                term.code.clone()
            };
            for locale in Locale::ALL {
                let cell = term.rendering(locale);
                for form in cell.split('|') {
                    add(form, &id);
                    if !form.is_ascii() {
                        add(&form.replace(' ', ""), &id);
                    }
                }
            }
            ko_to_id.insert(term.ko.as_str(), id);
        }
        for (variant, canonical) in glossary.variants() {
            if let Some(id) = ko_to_id.get(canonical.as_str()) {
                add(variant, id);
            }
        }
        for (word, id) in EXTRA_WORDS {
            add(word, id);
        }
        let mut surfaces: Vec<(String, Vec<String>)> = by_surface
            .into_iter()
            .map(|(s, ids)| (s, ids.into_iter().collect()))
            .collect();
        surfaces.sort();
        let patterns: Vec<&str> = surfaces.iter().map(|(s, _)| s.as_str()).collect();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        let pattern_concepts = surfaces.iter().map(|(_, ids)| ids.clone()).collect();
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        for group in SYNONYM_GROUPS {
            for member in *group {
                let entry = groups.entry((*member).to_string()).or_default();
                for other in *group {
                    if !entry.iter().any(|e| e == other) {
                        entry.push((*other).to_string());
                    }
                }
            }
        }
        Ok(ConceptIndex {
            matcher,
            pattern_concepts,
            surfaces,
            groups,
        })
    }

    /// Concept matches in already normalised text: `(start, end, ids)`. Latin matches must be
    /// whole words; a one-character non-Latin match must stand alone (`청` in `청담` is a name).
    fn matches<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize, &'a [String])> {
        self.matcher.find_iter(text).filter_map(move |m| {
            let (start, end) = (m.start(), m.end());
            let matched = &text[start..end];
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let first = matched.chars().next()?;
            let last = matched.chars().next_back()?;
            if is_latin_word_char(first) && before.is_some_and(is_latin_word_char) {
                return None;
            }
            if is_latin_word_char(last) && after.is_some_and(is_latin_word_char) {
                return None;
            }
            if matched.chars().count() == 1
                && !first.is_ascii()
                && (before.is_some_and(is_word_char) || after.is_some_and(is_word_char))
            {
                return None;
            }
            Some((
                start,
                end,
                self.pattern_concepts[m.pattern().as_usize()].as_slice(),
            ))
        })
    }

    /// Concept ids in a free text (any locale).
    pub fn concepts_in(&self, text: &str, out: &mut BTreeSet<String>) {
        let norm = normalize(text);
        for (_, _, ids) in self.matches(&norm) {
            out.extend(ids.iter().cloned());
        }
    }

    /// Concepts of a document: its titles in every locale, the Korean labels of its category
    /// and its ancestors, and its colour codes.
    pub fn doc_concepts(&self, doc: &ListingDoc) -> Vec<String> {
        let mut out = BTreeSet::new();
        for locale in Locale::ALL {
            self.concepts_in(doc.title.get(locale), &mut out);
        }
        for code in doc.effective_category_path() {
            if let Some(cat) = catalog::categories().get(&code) {
                let ko = cat.labels.get(Locale::Ko);
                self.concepts_in(ko, &mut out);
                self.concepts_in(&ko.replace(' ', ""), &mut out);
            }
        }
        out.extend(doc.colours.iter().cloned());
        out.into_iter().collect()
    }

    /// Spans of a normalised query that name concepts, with synonym groups expanded.
    pub fn query_spans(&self, normalized_query: &str) -> Vec<ConceptSpan> {
        self.matches(normalized_query)
            .map(|(start, end, ids)| {
                let mut concepts: Vec<String> = Vec::new();
                for id in ids {
                    let expanded = self.groups.get(id).map(Vec::as_slice).unwrap_or_default();
                    for c in std::iter::once(id).chain(expanded) {
                        if !concepts.contains(c) {
                            concepts.push(c.clone());
                        }
                    }
                }
                ConceptSpan {
                    start,
                    end,
                    concepts,
                }
            })
            .collect()
    }

    /// Every surface form with its concept ids (synonym groups expanded), for engines that take
    /// a synonym table.
    pub fn surfaces(&self) -> impl Iterator<Item = (&str, Vec<String>)> + '_ {
        self.surfaces.iter().map(|(s, ids)| {
            let mut all = ids.clone();
            for id in ids {
                for c in self.groups.get(id).map(Vec::as_slice).unwrap_or_default() {
                    if !all.contains(c) {
                        all.push(c.clone());
                    }
                }
            }
            (s.as_str(), all)
        })
    }
}

/// A token for a concept id that every engine keeps as one word: `zc` + hex of the id's bytes.
pub fn concept_token(id: &str) -> String {
    let mut s = String::with_capacity(2 + id.len() * 2);
    s.push_str("zc");
    for b in id.bytes() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
