//! Completions as a buyer types: categories and colours whose name (in any language, or any
//! buyer word the concept index knows for them) starts with what was typed, named in the
//! buyer's language. Titles come from the index itself (the caller runs the search).

use crate::concepts::{ConceptIndex, normalize};
use ddhub_domain::Locale;
use ddhub_domain::catalog;
use std::collections::BTreeSet;

/// What a completion names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuggestionKind {
    Category,
    Colour,
}

/// One completion: a category or colour code with its label in the asked locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub code: String,
    pub label: String,
}

/// Prefix keys of every category and colour, sorted, for binary-searched prefix lookups (a
/// lookup is a few microseconds; the key list is built once per glossary).
#[derive(Debug)]
pub struct Suggester {
    /// `(normalised key, kind, code)`, sorted by key.
    keys: Vec<(String, SuggestionKind, &'static str)>,
}

impl Suggester {
    /// Keys from the vocabularies' labels in every locale, the colours' synonyms, and every
    /// surface of the concept index that names the same concept as a category or colour
    /// (`カーデ`, `cardi`, `開衫` complete to the cardigan category).
    pub fn new(concepts: &ConceptIndex) -> Suggester {
        let mut keys: BTreeSet<(String, SuggestionKind, &'static str)> = BTreeSet::new();
        let mut by_concept: Vec<(String, SuggestionKind, &'static str)> = Vec::new();
        for c in catalog::categories().all() {
            let mut ids = BTreeSet::new();
            for locale in Locale::ALL {
                let label = c.labels.get(locale);
                keys.insert((normalize(label), SuggestionKind::Category, c.code));
                keys.insert((
                    normalize(&label.replace(' ', "")),
                    SuggestionKind::Category,
                    c.code,
                ));
            }
            concepts.concepts_in(c.labels.get(Locale::Ko), &mut ids);
            concepts.concepts_in(&c.labels.get(Locale::Ko).replace(' ', ""), &mut ids);
            // Only a category named by one concept takes that concept's words (a label naming
            // two, like a knit dress, would take both words of every knit and every dress).
            if ids.len() == 1
                && let Some(id) = ids.into_iter().next()
            {
                by_concept.push((id, SuggestionKind::Category, c.code));
            }
        }
        for c in catalog::colours().all() {
            for locale in Locale::ALL {
                keys.insert((
                    normalize(c.labels.get(locale)),
                    SuggestionKind::Colour,
                    c.code,
                ));
            }
            for s in &c.synonyms {
                keys.insert((normalize(s), SuggestionKind::Colour, c.code));
            }
            by_concept.push((c.code.to_string(), SuggestionKind::Colour, c.code));
        }
        for (surface, ids) in concepts.surfaces() {
            for (id, kind, code) in &by_concept {
                if ids.contains(id) {
                    keys.insert((surface.to_string(), *kind, code));
                }
            }
        }
        keys.retain(|(k, _, _)| !k.is_empty());
        Suggester {
            keys: keys.into_iter().collect(),
        }
    }

    /// Up to `limit` categories and `limit` colours whose keys start with `typed`, labelled in
    /// `locale`: exact names first, then the shortest keys (the closest completions).
    pub fn complete(&self, typed: &str, locale: Locale, limit: usize) -> Vec<Suggestion> {
        let prefix = normalize(typed);
        if prefix.is_empty() {
            return Vec::new();
        }
        let start = self
            .keys
            .partition_point(|(k, _, _)| k.as_str() < prefix.as_str());
        let mut found: Vec<(bool, usize, SuggestionKind, &'static str)> = self.keys[start..]
            .iter()
            .take_while(|(k, _, _)| k.starts_with(&prefix))
            .map(|(k, kind, code)| (*k != prefix, k.chars().count(), *kind, *code))
            .collect();
        found.sort();
        let mut out: Vec<Suggestion> = Vec::new();
        for (_, _, kind, code) in found {
            if out.iter().any(|s| s.kind == kind && s.code == code)
                || out.iter().filter(|s| s.kind == kind).count() >= limit
            {
                continue;
            }
            let label = match kind {
                SuggestionKind::Category => catalog::categories()
                    .get(code)
                    .map(|c| c.labels.get(locale)),
                SuggestionKind::Colour => {
                    catalog::colours().get(code).map(|c| c.labels.get(locale))
                }
            };
            if let Some(label) = label.filter(|l| !l.is_empty()) {
                out.push(Suggestion {
                    kind,
                    code: code.to_string(),
                    label: label.to_string(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ddhub_translate::Glossary;

    fn suggester() -> Suggester {
        Suggester::new(&ConceptIndex::new(&Glossary::builtin().unwrap()).unwrap())
    }

    fn codes(s: &[Suggestion], kind: SuggestionKind) -> Vec<&str> {
        s.iter()
            .filter(|x| x.kind == kind)
            .map(|x| x.code.as_str())
            .collect()
    }

    #[test]
    fn completes_in_the_buyers_language() {
        let s = suggester();
        let got = s.complete("cardi", Locale::Ja, 5);
        assert_eq!(
            codes(&got, SuggestionKind::Category).first(),
            Some(&"tops/knit/cardigan"),
            "{got:?}"
        );
        let label = &got[0].label;
        assert_eq!(
            label,
            catalog::categories()
                .get("tops/knit/cardigan")
                .unwrap()
                .labels
                .ja
        );
        let got = s.complete("カーデ", Locale::En, 5);
        assert!(
            codes(&got, SuggestionKind::Category).contains(&"tops/knit/cardigan"),
            "{got:?}"
        );
        let got = s.complete("bla", Locale::Ko, 5);
        assert!(
            codes(&got, SuggestionKind::Colour).contains(&"black"),
            "{got:?}"
        );
        assert!(s.complete("", Locale::En, 5).is_empty());
        assert!(s.complete("zzzz", Locale::En, 5).is_empty());
    }
}
