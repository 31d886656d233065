//! Cross-language concepts: every surface form of a glossary term, in every locale, names one
//! concept id (the term's code, or its Korean form when it has none). Documents are indexed with
//! the concepts found in their titles and category path; query words are mapped to the same ids,
//! so `カーディガン`, `开衫`, `cardigan` and `가디건` meet on `cardigan`.
//!
//! Buyers' own words join the glossary here: the per-locale buyer-word columns of
//! `locales/search/buyer_words.tsv` (short and regional forms: `開衫`, `カーデ`, `cardi`), every
//! Chinese surface in both scripts (a simplified query on a traditional listing and the reverse),
//! Korean terms romanised (`gadigeon`), hiragana folded to katakana (`にっと`), and a typo lookup
//! that works on kana and hanzi as well as Latin (`カーデガン`, `ニト`, `カーディガソ`).

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

/// Buyers' words per locale for glossary terms: `term` (the canonical Korean term) then one
/// column per locale of `|`-separated forms.
pub const SHIPPED_BUYER_WORDS: &str = include_str!("../../../locales/search/buyer_words.tsv");

/// Concepts a buyer treats as the same thing: a query for one also matches the others. (Pants
/// and slacks are not: slacks are filed under pants, so `pants` finds them anyway, while
/// `slacks` bringing every pair of jeans put them above the slacks of another colour.)
const SYNONYM_GROUPS: &[&[&str]] = &[&[
    "sweater",
    "pullover",
    "turtleneck_sweater",
    "mock_neck_sweater",
]];

/// A query span that names concepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConceptSpan {
    /// Byte range in the normalised query text.
    pub start: usize,
    pub end: usize,
    /// Concept ids, synonym groups expanded.
    pub concepts: Vec<String>,
}

/// One part of a query, as [`ConceptIndex::query_parts`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryPart {
    /// A span naming concepts; `colour` when they are all colours (it narrows the least).
    Concepts { span: ConceptSpan, colour: bool },
    /// A word naming no concept as typed (byte range in the normalised text), with the
    /// surface it most likely stands for when it reads as a typo of one.
    Word {
        start: usize,
        end: usize,
        fuzzy: Option<FuzzyMatch>,
    },
}

/// The concept matcher built from a glossary.
#[derive(Debug)]
pub struct ConceptIndex {
    matcher: AhoCorasick,
    /// Pattern index → concept ids, as a query means them.
    pattern_concepts: Vec<Vec<String>>,
    /// Pattern index → concept ids, as a listing's text means them.
    doc_concepts: Vec<Vec<String>>,
    /// Normalised surface form → concept ids (for the Meilisearch synonym table).
    surfaces: Vec<(String, Vec<String>)>,
    groups: HashMap<String, Vec<String>>,
    /// Ids of colour terms (a colour word narrows a query less than a garment word).
    colours: std::collections::HashSet<String>,
    /// Surface → index in `surfaces`, for whole-word lookups.
    exact: HashMap<String, usize>,
    /// Kana skeleton (see [`kana_skeleton`]) → index in `surfaces`.
    skeletons: HashMap<String, usize>,
    /// `(chars, index in surfaces)` of every surface of one word, for edit-distance lookups.
    words: Vec<(Vec<char>, usize)>,
    /// [`ConceptIndex::category_concepts`] of each category of the vocabulary, by position,
    /// worked out on first use.
    by_category: std::sync::OnceLock<Vec<Vec<String>>>,
}

/// A query word the concept index read as another surface (a typo, a missing or extra kana).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzyMatch {
    /// The surface it stands for (normalised).
    pub surface: String,
    pub concepts: Vec<String>,
    /// Edits between the word and the surface (0: same kana skeleton).
    pub distance: usize,
}

/// Buyer-word rows: `(canonical Korean term, locale, form)`; rows naming no term of the
/// glossary are kept out (reported by [`unknown_buyer_terms`]).
pub fn parse_buyer_words(text: &str) -> Vec<(String, Locale, String)> {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let locales: Vec<Option<Locale>> = header
        .split('\t')
        .skip(1)
        .map(|h| Locale::from_tag(h.trim()))
        .collect();
    let mut out = Vec::new();
    for line in lines {
        let mut cells = line.split('\t');
        let Some(term) = cells.next().map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        for (cell, locale) in cells.zip(&locales) {
            let Some(locale) = locale else { continue };
            for form in cell.split('|').map(str::trim).filter(|f| !f.is_empty()) {
                out.push((term.to_string(), *locale, form.to_string()));
            }
        }
    }
    out
}

/// Terms of the buyer-word file that the glossary does not know (a data check for tests).
pub fn unknown_buyer_terms(glossary: &Glossary, text: &str) -> Vec<String> {
    let mut out: Vec<String> = parse_buyer_words(text)
        .into_iter()
        .filter(|(term, _, _)| glossary.lookup(term).is_none())
        .map(|(term, _, _)| term)
        .collect();
    out.dedup();
    out
}

/// Adds to a surface map the forms buyers also type: Korean terms romanised (`gadigeon`;
/// short ones would collide with English words, and a form already there keeps its meaning)
/// and Chinese surfaces in the other script.
fn derive_forms(map: &mut HashMap<String, BTreeSet<String>>) {
    let korean: Vec<(String, BTreeSet<String>)> = map
        .iter()
        .filter(|(s, _)| s.chars().all(|c| matches!(c as u32, 0xAC00..=0xD7A3)))
        .map(|(s, ids)| (s.clone(), ids.clone()))
        .collect();
    for (surface, ids) in korean {
        let roman = ddhub_translate::romanize::romanize(&surface);
        if roman.len() >= 6 && !map.contains_key(&roman) {
            map.insert(roman, ids);
        }
    }
    let han: Vec<(String, BTreeSet<String>)> = map
        .iter()
        .filter(|(s, _)| s.chars().any(is_han))
        .map(|(s, ids)| (s.clone(), ids.clone()))
        .collect();
    for (surface, ids) in han {
        for form in chinese_script_forms(&surface) {
            map.entry(form).or_default().extend(ids.iter().cloned());
        }
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF)
}

/// The surface in the other Chinese script(s), when it has hanzi that differ.
pub fn chinese_script_forms(text: &str) -> Vec<String> {
    if !text.chars().any(is_han) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for form in [
        character_converter::traditional_to_simplified(text),
        character_converter::simplified_to_traditional(text),
    ] {
        if form != text && !out.iter().any(|o: &String| o == &form) {
            out.push(form.into_owned());
        }
    }
    out
}

/// What a katakana word sounds like with the marks buyers drop or mistype removed: no long
/// vowel mark, no small kana (`ディ` → `デ`, `ニット` → `ニト`), and the look-alikes `ソ`/`ン`
/// and `シ`/`ツ` as one. Two words with one skeleton are taken as the same word.
pub fn kana_skeleton(word: &str) -> Option<String> {
    if !word.chars().all(is_kana) {
        return None;
    }
    let s: String = word
        .chars()
        .filter(|c| {
            !matches!(
                c,
                'ー' | '・' | 'ッ' | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ャ' | 'ュ' | 'ョ' | 'ヮ'
            )
        })
        .map(|c| match c {
            'ソ' => 'ン',
            'ツ' => 'シ',
            other => other,
        })
        .collect();
    (s.chars().count() >= 2).then_some(s)
}

/// NFKC, lower case, whitespace collapsed: how both documents and queries are matched.
/// Hiragana become katakana (`にっと` → `ニット`): Japanese buyers type loanwords either way.
pub fn normalize(text: &str) -> String {
    let lowered: String = text.nfkc().flat_map(char::to_lowercase).collect();
    let folded = fold_kana(&lowered);
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Hiragana as katakana, the rest unchanged (same byte length per character, so token offsets
/// stay valid).
pub fn fold_kana(text: &str) -> String {
    if text.chars().any(|c| matches!(c as u32, 0x3041..=0x3096)) {
        wana_kana::utils::hiragana_to_katakana(text)
    } else {
        text.to_string()
    }
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
        let mut colours = std::collections::HashSet::new();
        for term in glossary.terms() {
            if !role_is_concept(term.role) {
                continue;
            }
            if term.role == Role::Colour && !term.code.is_empty() {
                colours.insert(term.code.clone());
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
        // A buyer word means what the buyer-word file says, even where the glossary gives the
        // same form another meaning (in Japanese, `ダウン` alone is a down jacket, not the
        // material).
        let mut buyer: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (term, _locale, form) in parse_buyer_words(SHIPPED_BUYER_WORDS) {
            if let Some(t) = glossary.lookup(&term)
                && let Some(id) = ko_to_id.get(t.ko.as_str())
            {
                for f in [form.clone(), form.replace(' ', "")] {
                    let f = normalize(&f);
                    if !f.is_empty() {
                        buyer.entry(f).or_default().insert(id.clone());
                    }
                }
            }
        }
        // Documents keep the glossary's meaning of a form (a title's `ダウン` is its material);
        // queries take the buyers' (see `doc_concepts` below).
        let mut glossary_forms = by_surface;
        for map in [&mut glossary_forms, &mut buyer] {
            derive_forms(map);
        }
        let mut keys: BTreeSet<String> = glossary_forms.keys().cloned().collect();
        keys.extend(buyer.keys().cloned());
        let pick = |first: &HashMap<String, BTreeSet<String>>,
                    second: &HashMap<String, BTreeSet<String>>,
                    key: &str|
         -> Vec<String> {
            first
                .get(key)
                .or_else(|| second.get(key))
                .map(|ids| ids.iter().cloned().collect())
                .unwrap_or_default()
        };
        let surfaces: Vec<(String, Vec<String>)> = keys
            .iter()
            .map(|k| (k.clone(), pick(&buyer, &glossary_forms, k)))
            .collect();
        let doc_concepts: Vec<Vec<String>> = keys
            .iter()
            .map(|k| pick(&glossary_forms, &buyer, k))
            .collect();
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
        let mut exact = HashMap::new();
        let mut skeletons = HashMap::new();
        let mut words = Vec::new();
        for (i, (surface, _)) in surfaces.iter().enumerate() {
            exact.insert(surface.clone(), i);
            if surface.contains(' ') {
                continue;
            }
            if let Some(k) = kana_skeleton(surface) {
                skeletons.entry(k).or_insert(i);
            }
            words.push((surface.chars().collect(), i));
        }
        Ok(ConceptIndex {
            matcher,
            pattern_concepts,
            doc_concepts,
            surfaces,
            groups,
            colours,
            exact,
            skeletons,
            words,
            by_category: std::sync::OnceLock::new(),
        })
    }

    /// The concepts of each category of the closed vocabulary (its path included), by its
    /// position in [`catalog::categories`]: what [`ConceptIndex::category_concepts`] gives a
    /// style filed there.
    pub fn concepts_by_category(&self) -> &[Vec<String>] {
        self.by_category.get_or_init(|| {
            catalog::categories()
                .all()
                .iter()
                .map(|c| {
                    self.category_concepts(&ListingDoc {
                        category: c.code.to_string(),
                        ..ListingDoc::default()
                    })
                })
                .collect()
        })
    }

    /// Concept matches in already normalised text: `(start, end, ids)`. Latin matches must be
    /// whole words; a one-character non-Latin match must stand alone (`청` in `청담` is a name).
    fn matches<'a>(
        &'a self,
        text: &'a str,
        in_listing: bool,
    ) -> impl Iterator<Item = (usize, usize, &'a [String])> {
        let meanings = if in_listing {
            &self.doc_concepts
        } else {
            &self.pattern_concepts
        };
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
            Some((start, end, meanings[m.pattern().as_usize()].as_slice()))
        })
    }

    /// Concept ids in a listing's text (any locale).
    pub fn concepts_in(&self, text: &str, out: &mut BTreeSet<String>) {
        let norm = normalize(text);
        for (_, _, ids) in self.matches(&norm, true) {
            out.extend(ids.iter().cloned());
        }
    }

    /// Concepts of a document: its titles in every locale, the Korean labels of its category
    /// and its ancestors, and its colour codes.
    pub fn doc_concepts(&self, doc: &ListingDoc) -> Vec<String> {
        let mut out: BTreeSet<String> = self.category_concepts(doc).into_iter().collect();
        for locale in Locale::ALL {
            self.concepts_in(doc.title.get(locale), &mut out);
        }
        out.extend(doc.colours.iter().cloned());
        out.into_iter().collect()
    }

    /// Concepts of a document's category and its ancestors only: a style filed as slacks ranks
    /// above one whose title merely says so.
    pub fn category_concepts(&self, doc: &ListingDoc) -> Vec<String> {
        let mut out = BTreeSet::new();
        for code in doc.effective_category_path() {
            if let Some(cat) = catalog::categories().get(&code) {
                let ko = cat.labels.get(Locale::Ko);
                self.concepts_in(ko, &mut out);
                self.concepts_in(&ko.replace(' ', ""), &mut out);
            }
        }
        out.into_iter().collect()
    }

    /// Whether every concept is a colour (such a span narrows a query the least).
    pub fn all_colours(&self, ids: &[String]) -> bool {
        !ids.is_empty() && ids.iter().all(|id| self.colours.contains(id))
    }

    fn expand(&self, ids: &[String]) -> Vec<String> {
        let mut concepts: Vec<String> = Vec::new();
        for id in ids {
            let expanded = self.groups.get(id).map(Vec::as_slice).unwrap_or_default();
            for c in std::iter::once(id).chain(expanded) {
                if !concepts.contains(c) {
                    concepts.push(c.clone());
                }
            }
        }
        concepts
    }

    /// Spans of a normalised query that name concepts, with synonym groups expanded. Between
    /// them, a piece that is a whole surface counts too, even one character glued to a concept
    /// (`黒カーディガン`), which [`Self::concepts_in`] would not take from a title.
    pub fn query_spans(&self, normalized_query: &str) -> Vec<ConceptSpan> {
        let found: Vec<(usize, usize, Vec<String>)> = self
            .matches(normalized_query, false)
            .map(|(start, end, ids)| (start, end, ids.to_vec()))
            .collect();
        let mut out = Vec::new();
        let mut cursor = 0;
        let gap = |from: usize, to: usize, out: &mut Vec<ConceptSpan>| {
            let text = &normalized_query[from..to];
            let mut offset = from;
            for piece in text.split(' ') {
                if let Some(&i) = self.exact.get(piece) {
                    out.push(ConceptSpan {
                        start: offset,
                        end: offset + piece.len(),
                        concepts: self.expand(&self.surfaces[i].1),
                    });
                }
                offset += piece.len() + 1;
            }
        };
        for (start, end, ids) in found {
            gap(cursor, start, &mut out);
            out.push(ConceptSpan {
                start,
                end,
                concepts: self.expand(&ids),
            });
            cursor = end;
        }
        gap(cursor, normalized_query.len(), &mut out);
        out
    }

    /// The surface a query word most likely stands for when it names no concept as typed:
    /// the same kana skeleton (`ニト` → `ニット`), else the fewest edits (one from 3
    /// characters in kana, hanzi and Hangul, from 5 in Latin; two from 7 and 9). With
    /// `latin` false, Latin words are left alone (the engine's own typo tolerance covers them).
    pub fn fuzzy(&self, word: &str, latin: bool) -> Option<FuzzyMatch> {
        if word.is_empty() || word.contains(' ') || self.exact.contains_key(word) {
            return None;
        }
        let to_match = |i: usize, distance: usize| {
            let (surface, ids) = &self.surfaces[i];
            FuzzyMatch {
                surface: surface.clone(),
                concepts: self.expand(ids),
                distance,
            }
        };
        if let Some(k) = kana_skeleton(word)
            && let Some(&i) = self.skeletons.get(&k)
        {
            return Some(to_match(i, 0));
        }
        let chars: Vec<char> = word.chars().collect();
        let dense = chars.iter().any(|c| crate::tokenize::is_dense_script(*c));
        if !dense && (!latin || !chars.iter().all(|c| c.is_alphabetic())) {
            return None;
        }
        let n = chars.len();
        let max = match (dense, n) {
            (true, 0..=2) | (false, 0..=4) => return None,
            (true, 3..=6) | (false, 5..=8) => 1,
            _ => 2,
        };
        let mut best: Option<(usize, usize)> = None;
        for (surface, i) in &self.words {
            if surface.len().abs_diff(n) > max
                || surface
                    .first()
                    .is_some_and(|c| crate::tokenize::is_dense_script(*c) != dense)
            {
                continue;
            }
            let d = strsim::generic_damerau_levenshtein(&chars, surface);
            if d <= max && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, *i));
            }
        }
        best.map(|(d, i)| to_match(i, d))
    }

    /// A normalised query read as the engines read it, in order: the spans that name concepts
    /// and, between them, each other word with the surface it may be a typo of
    /// ([`Self::fuzzy`]; Latin words are left to each engine's own typo tolerance). A word
    /// only partly named by concepts (`カーディガソ` holds `カーディ`) is read whole as a typo
    /// of one when it is close to one. Both backends build their queries from these parts, so
    /// they read a query alike.
    pub fn query_parts(&self, normalized_query: &str) -> Vec<QueryPart> {
        let mut spans = self.query_spans(normalized_query);
        let mut offset = 0;
        for w in normalized_query.split(' ') {
            let (ws, we) = (offset, offset + w.len());
            offset = we + 1;
            let inside: usize = spans
                .iter()
                .filter(|s| s.start >= ws && s.end <= we)
                .map(|s| s.end - s.start)
                .sum();
            if inside > 0 && inside < w.len() && self.fuzzy(w, false).is_some() {
                spans.retain(|s| !(s.start >= ws && s.end <= we));
            }
        }
        let mut parts = Vec::new();
        let words = |from: usize, to: usize, parts: &mut Vec<QueryPart>| {
            let mut at = from;
            for piece in normalized_query[from..to].split(' ') {
                let (start, end) = (at, at + piece.len());
                at = end + 1;
                // Pieces of `split_whitespace` (the text is normalised: single spaces).
                if !piece.trim().is_empty() {
                    parts.push(QueryPart::Word {
                        start,
                        end,
                        fuzzy: self.fuzzy(piece, false),
                    });
                }
            }
        };
        let mut cursor = 0;
        for span in spans {
            words(cursor, span.start, &mut parts);
            cursor = span.end;
            parts.push(QueryPart::Concepts {
                colour: self.all_colours(&span.concepts),
                span,
            });
        }
        words(cursor, normalized_query.len(), &mut parts);
        parts
    }

    /// A "did you mean" for a normalised query: each word that names no concept replaced by
    /// the surface it most likely stands for; `None` when nothing changes.
    pub fn correction(&self, normalized_query: &str) -> Option<String> {
        let covered = self.query_spans(normalized_query);
        let mut changed = false;
        let mut offset = 0;
        let mut out: Vec<String> = Vec::new();
        for word in normalized_query.split(' ') {
            let (start, end) = (offset, offset + word.len());
            offset = end + 1;
            let inside = covered.iter().any(|s| s.start <= start && end <= s.end);
            match (!inside).then(|| self.fuzzy(word, true)).flatten() {
                Some(m) => {
                    changed = true;
                    out.push(m.surface);
                }
                None => out.push(word.to_string()),
            }
        }
        changed.then(|| out.join(" "))
    }

    /// Every set of concepts a query part can name ([`Self::query_parts`]: a span's or a typo's
    /// concepts, synonym groups expanded), each sorted, once.
    pub fn query_concept_sets(&self) -> BTreeSet<Vec<String>> {
        self.surfaces
            .iter()
            .map(|(_, ids)| {
                let mut set = self.expand(ids);
                set.sort_unstable();
                set
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

/// A token standing for a set of concepts (any of them) in a query: `zg` + 16 hex digits of
/// the SHA-256 of the sorted ids. Meilisearch has no "or" in its query text, so each set a
/// query can name gets this key in its synonym table ([`ConceptIndex::query_concept_sets`]),
/// mapped to the set's [`concept_token`]s; a fixed length, so it is never the prefix of
/// another.
pub fn group_token(ids: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let digest = Sha256::digest(sorted.join("\n").as_bytes());
    let mut s = String::with_capacity(18);
    s.push_str("zg");
    for b in &digest[..8] {
        s.push_str(&format!("{b:02x}"));
    }
    s
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn index() -> ConceptIndex {
        ConceptIndex::new(&Glossary::builtin().unwrap()).unwrap()
    }

    fn ids(c: &ConceptIndex, q: &str) -> Vec<String> {
        c.query_spans(&normalize(q))
            .into_iter()
            .flat_map(|s| s.concepts)
            .collect()
    }

    #[test]
    fn buyer_words_name_known_terms() {
        let g = Glossary::builtin().unwrap();
        assert!(!parse_buyer_words(SHIPPED_BUYER_WORDS).is_empty());
        assert_eq!(
            unknown_buyer_terms(&g, SHIPPED_BUYER_WORDS),
            Vec::<String>::new()
        );
    }

    #[test]
    fn regional_short_forms_scripts_and_romanised_korean() {
        let c = index();
        for q in [
            "開衫",
            "开襟衫",
            "開襟衫",
            "カーデ",
            "cardi",
            "gadigeon",
            "かーでぃがん",
        ] {
            assert!(ids(&c, q).contains(&"cardigan".to_string()), "{q}");
        }
        assert!(ids(&c, "ダウン").contains(&"puffer".to_string()));
        assert!(ids(&c, "padding").contains(&"puffer".to_string()));
        assert!(ids(&c, "黒カーディガン").contains(&"black".to_string()));
        assert!(ids(&c, "紺").contains(&"navy".to_string()));
    }

    #[test]
    fn kana_and_hanzi_typos() {
        let c = index();
        for q in ["カーデガン", "カーディガソ", "ニト"] {
            let m = c.fuzzy(&normalize(q), false).unwrap();
            let want = if q == "ニト" { "knit" } else { "cardigan" };
            assert!(m.concepts.contains(&want.to_string()), "{q}: {m:?}");
        }
        // Hanzi: one wrong character in a three-character word (衫 → 杉).
        let m = c.fuzzy("開襟杉", false).unwrap();
        assert!(m.concepts.contains(&"cardigan".to_string()), "{m:?}");
        // Latin only when asked; short words never.
        assert!(c.fuzzy("cardgian", false).is_none());
        assert_eq!(c.fuzzy("cardgian", true).unwrap().surface, "cardigan");
        assert!(c.fuzzy("coar", true).is_none());
        assert!(c.fuzzy("ニ", false).is_none());
    }

    #[test]
    fn corrections() {
        let c = index();
        assert_eq!(
            c.correction("black cardgian").as_deref(),
            Some("black cardigan")
        );
        assert_eq!(c.correction("black cardigan"), None);
        assert_eq!(c.correction("zzzzzz"), None);
    }

    #[test]
    fn skeletons() {
        assert_eq!(kana_skeleton("ニット").as_deref(), Some("ニト"));
        assert_eq!(kana_skeleton("カーディガン"), kana_skeleton("カーデガン"));
        assert_eq!(kana_skeleton("カーディガソ"), kana_skeleton("カーディガン"));
        assert_eq!(kana_skeleton("가디건"), None);
    }
}
