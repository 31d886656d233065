//! Title translation on the glossary path: normalise, lift tags and colour counts, segment glued
//! Korean by longest match, translate known terms, romanise unknown words, order and case per
//! locale. No network, no allocation-heavy steps: this runs for every style in every locale.

use crate::glossary::{Glossary, Role, contains_hangul};
use crate::romanize::romanize_name;
use ddhub_domain::Locale;
use ddhub_domain::translation::ReviewState;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A title in one locale, with what was lifted out of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitleTranslation {
    pub title: String,
    /// `glossary` when every word was known; `machine` when unknown words were romanised.
    pub review_state: ReviewState,
    /// The Korean words the glossary did not know (romanised in the title).
    pub unknown_terms: Vec<String>,
    /// Codes of the marketing and dispatch tags lifted out of the title (`same_day_dispatch`).
    pub tags: Vec<String>,
    /// "Available in N colours" (`5color`, `3colors`, `5컬러`), lifted out of the title.
    pub colour_count: Option<u32>,
    /// Size codes that stood in the title (`free`), lifted out of it.
    pub sizes: Vec<String>,
}

/// NFKC (full-width forms → ASCII), brackets and separators to spaces, emoji and decorative
/// symbols removed, whitespace collapsed.
pub fn normalize_title(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = true;
    for c in raw.nfkc() {
        let keep = c.is_alphanumeric() || matches!(c, '+' | '-' | '%' | '.' | '~' | '&' | '\'');
        if keep {
            out.push(c);
            space = false;
        } else if !space {
            // Brackets, separators (`/`, `,`, `|`, `·`), emoji, ★ ♥ and the like all end a word.
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[derive(Debug)]
enum Kind {
    Term(usize),
    Unknown,
    Other,
}

#[derive(Debug)]
struct Piece {
    kind: Kind,
    /// The Korean (or Latin) surface as written, spaces included when merged across words.
    text: String,
    /// Written glued to the previous piece (no space in the source).
    glued: bool,
}

const COLOUR_WORDS: [&str; 10] = [
    "colors",
    "colours",
    "color",
    "colour",
    "col",
    "컬러",
    "칼라",
    "색상",
    "가지색",
    "색",
];

/// `5color`, `3colors`, `5컬러`, `5가지색` → 5.
fn colour_count_of(word: &str) -> Option<u32> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = &word[digits..];
    let n: u32 = word[..digits].parse().ok()?;
    COLOUR_WORDS
        .iter()
        .any(|w| rest.eq_ignore_ascii_case(w))
        .then_some(n)
}

fn is_colour_word(word: &str) -> bool {
    COLOUR_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Translates one Korean title into `locale` with the glossary alone.
pub fn translate_title(
    glossary: &Glossary,
    korean_title: &str,
    locale: Locale,
) -> TitleTranslation {
    let normalized = normalize_title(korean_title);
    let mut colour_count = None;
    let mut pieces: Vec<Piece> = Vec::new();
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if let Some(n) = colour_count_of(word) {
            colour_count = Some(n);
            i += 1;
            continue;
        }
        let bare_number = word.len() <= 2 && word.chars().all(|c| c.is_ascii_digit());
        if bare_number && words.get(i + 1).is_some_and(|w| is_colour_word(w)) {
            colour_count = word.parse().ok();
            i += 2;
            continue;
        }
        segment_word(glossary, word, &mut pieces);
        i += 1;
    }
    lift_glued_colour_counts(&mut pieces, &mut colour_count);
    merge_compounds(glossary, &mut pieces);

    let mut tags: Vec<String> = Vec::new();
    let mut sizes: Vec<String> = Vec::new();
    let mut unknown_terms: Vec<String> = Vec::new();
    let mut kept: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match p.kind {
            Kind::Term(t) => {
                let term = glossary.term_at(t);
                match term.role {
                    Role::MarketingTag => push_unique(&mut tags, &term.code),
                    Role::Size => push_unique(&mut sizes, &term.code),
                    _ => kept.push(p),
                }
            }
            Kind::Unknown => {
                if p.text.chars().any(is_hangul_syllable) {
                    push_unique(&mut unknown_terms, &p.text);
                    kept.push(p);
                }
            }
            Kind::Other => kept.push(p),
        }
    }
    let review_state = if unknown_terms.is_empty() {
        ReviewState::Glossary
    } else {
        ReviewState::Machine
    };
    let title = if locale == Locale::Ko {
        korean_text(&kept)
    } else {
        compose(glossary, &kept, locale)
    };
    TitleTranslation {
        title,
        review_state,
        unknown_terms,
        tags,
        colour_count,
        sizes,
    }
}

/// A colour count glued to Korean (`반팔티5color`, `니트5컬러`) comes out of segmentation as
/// separate pieces: lift it too.
fn lift_glued_colour_counts(pieces: &mut Vec<Piece>, colour_count: &mut Option<u32>) {
    let mut j = 0;
    while j < pieces.len() {
        if let Kind::Other = pieces[j].kind {
            if let Some(n) = colour_count_of(&pieces[j].text) {
                *colour_count = Some(n);
                pieces.remove(j);
                continue;
            }
            let digits =
                pieces[j].text.len() <= 2 && pieces[j].text.chars().all(|c| c.is_ascii_digit());
            if digits
                && pieces
                    .get(j + 1)
                    .is_some_and(|p| p.glued && is_colour_word(&p.text))
            {
                *colour_count = pieces[j].text.parse().ok();
                pieces.drain(j..j + 2);
                continue;
            }
        }
        j += 1;
    }
}

fn push_unique(list: &mut Vec<String>, s: &str) {
    if !list.iter().any(|x| x == s) {
        list.push(s.to_string());
    }
}

/// Splits one space-delimited word into glossary terms (leftmost-longest), unknown Hangul runs
/// and other text (Latin, digits).
fn segment_word(glossary: &Glossary, word: &str, out: &mut Vec<Piece>) {
    let start_len = out.len();
    if !contains_hangul(word) {
        let kind = glossary.term_index(word).map_or(Kind::Other, Kind::Term);
        out.push(Piece {
            kind,
            text: word.to_string(),
            glued: false,
        });
        return;
    }
    let bytes = word.as_bytes();
    let mut pos = 0;
    for m in glossary.matcher().find_iter(word) {
        let (s, e) = (m.start(), m.end());
        // A Latin key must not cut through a Latin word (`ss` in `SSG`).
        let cuts_before =
            s > 0 && bytes[s].is_ascii_alphanumeric() && bytes[s - 1].is_ascii_alphanumeric();
        let cuts_after = e < bytes.len()
            && bytes[e - 1].is_ascii_alphanumeric()
            && bytes[e].is_ascii_alphanumeric();
        if cuts_before || cuts_after {
            continue;
        }
        push_gap(&word[pos..s], out);
        out.push(Piece {
            kind: Kind::Term(glossary.pattern_term(m.pattern().as_usize())),
            text: word[s..e].to_string(),
            glued: true,
        });
        pos = e;
    }
    push_gap(&word[pos..], out);
    if let Some(first) = out.get_mut(start_len) {
        first.glued = false;
    }
    demote_lone_syllables(&mut out[start_len..]);
    // Merge consecutive unknown runs created by demotion.
    let mut j = start_len + 1;
    while j < out.len() {
        if matches!(out[j].kind, Kind::Unknown) && matches!(out[j - 1].kind, Kind::Unknown) {
            let p = out.remove(j);
            out[j - 1].text.push_str(&p.text);
        } else {
            j += 1;
        }
    }
}

/// A one-syllable term (청, 롱, 면, 룩) next to unknown Hangul is more likely part of an unknown
/// word than a term: `청` inside a shop name is not denim.
fn demote_lone_syllables(pieces: &mut [Piece]) {
    loop {
        let mut changed = false;
        for j in 0..pieces.len() {
            let lone = matches!(pieces[j].kind, Kind::Term(_))
                && pieces[j].text.chars().count() == 1
                && pieces[j].text.chars().all(is_hangul_syllable);
            if !lone {
                continue;
            }
            let unknown_near = (j > 0 && matches!(pieces[j - 1].kind, Kind::Unknown))
                || pieces
                    .get(j + 1)
                    .is_some_and(|p| matches!(p.kind, Kind::Unknown));
            if unknown_near {
                pieces[j].kind = Kind::Unknown;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn push_gap(gap: &str, out: &mut Vec<Piece>) {
    let mut run = String::new();
    let mut run_hangul = false;
    for c in gap.chars() {
        let h = contains_hangul(c.encode_utf8(&mut [0; 4]));
        if !run.is_empty() && h != run_hangul {
            let kind = if run_hangul {
                Kind::Unknown
            } else {
                Kind::Other
            };
            out.push(Piece {
                kind,
                text: std::mem::take(&mut run),
                glued: true,
            });
        }
        run_hangul = h;
        run.push(c);
    }
    if !run.is_empty() {
        let kind = if run_hangul {
            Kind::Unknown
        } else {
            Kind::Other
        };
        out.push(Piece {
            kind,
            text: run,
            glued: true,
        });
    }
}

/// Two neighbouring terms that together spell a glossary term (`꽈배기` `니트` → `꽈배기니트`,
/// `루즈` `핏` → `루즈핏`) become that term, whether or not the source put a space between them.
fn merge_compounds(glossary: &Glossary, pieces: &mut Vec<Piece>) {
    let mut j = 1;
    while j < pieces.len() {
        if let (Kind::Term(_), Kind::Term(_)) = (&pieces[j - 1].kind, &pieces[j].kind) {
            let joined = format!("{}{}", pieces[j - 1].text, pieces[j].text);
            if let Some(t) = glossary.term_index(&joined) {
                let right = pieces.remove(j);
                let left = &mut pieces[j - 1];
                if !right.glued {
                    left.text.push(' ');
                }
                left.text.push_str(&right.text);
                left.kind = Kind::Term(t);
                continue;
            }
        }
        j += 1;
    }
}

fn korean_text(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        if !out.is_empty() && !p.glued {
            out.push(' ');
        }
        out.push_str(&p.text);
    }
    out
}

fn compose(glossary: &Glossary, pieces: &[Piece], locale: Locale) -> String {
    let head = pieces.iter().rposition(|p| match p.kind {
        Kind::Term(t) => glossary.term_at(t).role == Role::CategoryNoun,
        _ => false,
    });
    let render = |j: usize| -> String {
        let p = &pieces[j];
        match p.kind {
            Kind::Term(t) => {
                let term = glossary.term_at(t);
                if Some(j) == head {
                    term.head(locale)
                } else {
                    term.modifier(locale)
                }
                .to_string()
            }
            Kind::Unknown => romanize_name(&p.text),
            Kind::Other => p.text.clone(),
        }
    };
    let modifiers = (0..pieces.len()).filter(|&j| Some(j) != head);
    let mut words: Vec<String> = Vec::with_capacity(pieces.len());
    match locale {
        // Vietnamese and Thai put the head noun first; the modifier nearest the noun in
        // English comes right after it (áo cardigan · len vặn thừng · dáng rộng).
        Locale::Vi | Locale::Th => {
            words.extend(head.map(render));
            let mods: Vec<usize> = modifiers.collect();
            words.extend(mods.into_iter().rev().map(render));
        }
        _ => {
            words.extend(modifiers.map(render));
            words.extend(head.map(render));
        }
    }
    words.retain(|w| !w.is_empty());
    let words = drop_overlaps(words, locale);
    let mut out = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
    for w in &words {
        if !out.is_empty() && needs_space(locale, &out, w) {
            out.push(' ');
        }
        out.push_str(w);
    }
    match locale {
        Locale::En | Locale::Vi => sentence_case(out),
        _ => out,
    }
}

/// Neighbouring renderings that repeat each other: `shearling jacket` + `jacket` (무스탕 자켓),
/// `double-faced wool` + `wool`, `chunky-knit` + `knit sweater` → `chunky-knit sweater`, and in
/// head-first languages `áo khoác` + `áo khoác da lộn` → `áo khoác da lộn`.
fn drop_overlaps(words: Vec<String>, locale: Locale) -> Vec<String> {
    let spaced = !matches!(locale, Locale::Ja | Locale::ZhCn | Locale::ZhTw);
    let boundary = |s: &str, at: usize| -> bool {
        !spaced
            || at == 0
            || at == s.len()
            || s[..at].ends_with([' ', '-'])
            || s[at..].starts_with([' ', '-'])
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        let Some(prev) = out.last_mut() else {
            out.push(w);
            continue;
        };
        if *prev == w || (prev.ends_with(w.as_str()) && boundary(prev, prev.len() - w.len())) {
            continue;
        }
        if w.starts_with(prev.as_str()) && boundary(&w, prev.len()) {
            *prev = w;
            continue;
        }
        if spaced {
            let last = prev.rsplit([' ', '-']).next().unwrap_or("");
            if let Some((first, rest)) = w.split_once(' ')
                && !last.is_empty()
                && first == last
            {
                out.push(rest.to_string());
                continue;
            }
        }
        out.push(w);
    }
    out
}

/// Japanese and Chinese titles run words together, except two Latin words (`V`, `Mongsil`).
fn needs_space(locale: Locale, before: &str, next: &str) -> bool {
    match locale {
        Locale::Ja | Locale::ZhCn | Locale::ZhTw => {
            let last = before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            let first = next
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            last && first
        }
        _ => true,
    }
}

fn sentence_case(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => s,
    }
}
