//! Measured sizes (실측) as wholesalers write them: one column per measure (`어깨`, `가슴단면`,
//! `총장` …), one cell per size (`S: 어깨38 가슴48 총장62 / M: …`), or a free line
//! (`어깨 40 가슴 52 총장 65 소매 58`), plus the model's fit note (`모델 168cm 55 착용`).
//!
//! Written by hand: the forms are short keyword–number runs with Korean words glued to digits,
//! which no general parser crate reads; the property tests in `tests/it/measure.rs` hold it.

use crate::text::{clean, header_key};
use ddhub_domain::catalog;
use ddhub_domain::measure::{Measure, SizeMeasurements, cm_to_mm};

/// What a measure word names. `가슴` and `허리` alone are read by their value: a flat (단면)
/// measure below the threshold, the circumference above it (no adult garment has a 75 cm
/// chest or a 55 cm waist circumference, and none is 75 cm across).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeasureWord {
    Exact(Measure),
    /// Half below `threshold_cm`, full at or above.
    ByValue {
        half: Measure,
        full: Measure,
        threshold_cm: u32,
    },
    /// A circumference the schema keeps as a flat measure: halved (`힙둘레 96` → hip_half 48).
    Halved(Measure),
}

impl MeasureWord {
    /// The measure and value in millimetres this word gives to `mm`.
    pub fn resolve(self, mm: u32) -> (Measure, u32) {
        match self {
            MeasureWord::Exact(m) => (m, mm),
            MeasureWord::ByValue {
                half,
                full,
                threshold_cm,
            } => {
                if mm < threshold_cm * 10 {
                    (half, mm)
                } else {
                    (full, mm)
                }
            }
            MeasureWord::Halved(m) => (m, mm / 2),
        }
    }
}

/// Measure words, compared after [`header_key`] (so `가슴(단면)` is `가슴단면`).
const WORDS: &[(&str, MeasureWord)] = {
    use Measure::*;
    use MeasureWord::*;
    &[
        ("어깨", Exact(Shoulder)),
        ("어깨너비", Exact(Shoulder)),
        ("어깨넓이", Exact(Shoulder)),
        ("어깨단면", Exact(Shoulder)),
        ("shoulder", Exact(Shoulder)),
        ("shoulderwidth", Exact(Shoulder)),
        ("가슴단면", Exact(ChestHalf)),
        ("가슴너비", Exact(ChestHalf)),
        ("가슴폭", Exact(ChestHalf)),
        ("가슴품", Exact(ChestHalf)),
        ("품", Exact(ChestHalf)),
        ("chesthalf", Exact(ChestHalf)),
        ("pittopit", Exact(ChestHalf)),
        ("bust half", Exact(ChestHalf)),
        ("가슴둘레", Exact(Chest)),
        ("chest", Exact(Chest)),
        ("bust", Exact(Chest)),
        (
            "가슴",
            ByValue {
                half: ChestHalf,
                full: Chest,
                threshold_cm: 75,
            },
        ),
        ("총장", Exact(Length)),
        ("기장", Exact(Length)),
        ("총기장", Exact(Length)),
        ("전체길이", Exact(Length)),
        ("전체기장", Exact(Length)),
        ("length", Exact(Length)),
        ("totallength", Exact(Length)),
        ("소매", Exact(Sleeve)),
        ("소매길이", Exact(Sleeve)),
        ("소매기장", Exact(Sleeve)),
        ("팔길이", Exact(Sleeve)),
        ("sleeve", Exact(Sleeve)),
        ("sleevelength", Exact(Sleeve)),
        ("허리단면", Exact(WaistHalf)),
        ("허리너비", Exact(WaistHalf)),
        ("waisthalf", Exact(WaistHalf)),
        ("허리둘레", Exact(Waist)),
        ("waist", Exact(Waist)),
        (
            "허리",
            ByValue {
                half: WaistHalf,
                full: Waist,
                threshold_cm: 55,
            },
        ),
        ("힙", Exact(HipHalf)),
        ("힙단면", Exact(HipHalf)),
        ("힙너비", Exact(HipHalf)),
        ("엉덩이", Exact(HipHalf)),
        ("엉덩이단면", Exact(HipHalf)),
        ("hip", Exact(HipHalf)),
        ("hiphalf", Exact(HipHalf)),
        ("힙둘레", Halved(HipHalf)),
        ("엉덩이둘레", Halved(HipHalf)),
        ("허벅지", Exact(Thigh)),
        ("허벅지단면", Exact(Thigh)),
        ("허벅지너비", Exact(Thigh)),
        ("thigh", Exact(Thigh)),
        ("밑위", Exact(Rise)),
        ("밑위길이", Exact(Rise)),
        ("앞밑위", Exact(Rise)),
        ("rise", Exact(Rise)),
        ("밑단", Exact(Hem)),
        ("밑단단면", Exact(Hem)),
        ("밑단너비", Exact(Hem)),
        ("hem", Exact(Hem)),
        ("legopening", Exact(Hem)),
    ]
};

/// The measure a word or header names, if any (`가슴단면`, `어깨(cm)`, `Chest`).
pub fn measure_word(word: &str) -> Option<MeasureWord> {
    let key = header_key(word);
    let find = |k: &str| {
        WORDS
            .iter()
            .find(|(w, _)| header_key(w) == k)
            .map(|(_, m)| *m)
    };
    find(&key).or_else(|| {
        // `어깨(cm)`, `총장cm`: a unit note after the word.
        let k = key
            .trim_end_matches("cm")
            .trim_end_matches("센치")
            .trim_end_matches("센티");
        (k != key && !k.is_empty()).then(|| find(k)).flatten()
    })
}

/// Something in a measure cell that could not be kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeasureIssue {
    /// A value outside [`Measure::plausible_cm`]: dropped.
    Implausible {
        size: Option<String>,
        measure: Measure,
        /// The value as written (cm).
        value: String,
    },
    /// Text that is neither a measure, a size nor a fit note.
    Unreadable(String),
}

/// One size's measures as read from a cell; `size` is `None` when the text named none
/// (a free line: the style's only size, or one size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadSize {
    pub size: Option<String>,
    pub measures: SizeMeasurements,
}

/// What a measure cell holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeasureCell {
    pub sizes: Vec<ReadSize>,
    pub fit_note: Option<String>,
    pub issues: Vec<MeasureIssue>,
}

/// Whether a piece of text is a model's fit note (`모델 168cm 55 착용`, `model 170cm wears M`).
pub fn is_fit_note(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("모델") || l.contains("착용") || l.contains("model")
}

/// The canonical size code a label names (`S` → `s`, `55` → `55`, `프리` → `free`), else the
/// label as written.
pub fn size_code(label: &str) -> String {
    let t = label
        .trim()
        .trim_matches(['[', ']', '(', ')', '<', '>'])
        .trim();
    let t = t.strip_suffix("사이즈").unwrap_or(t).trim();
    catalog::sizes()
        .find(t)
        .map_or_else(|| t.to_string(), |s| s.code.to_string())
}

/// Reads a measure cell in the per-size form or as a free line. Never fails: what it cannot
/// read is an issue, and implausible values are dropped with one.
pub fn parse_measure_cell(raw: &str) -> MeasureCell {
    let text = clean(raw);
    let mut out = MeasureCell::default();
    for segment in text
        .split(['/', ';', '|', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if is_fit_note(segment) {
            let note = segment.split_whitespace().collect::<Vec<_>>().join(" ");
            out.fit_note = Some(match out.fit_note.take() {
                Some(prev) => format!("{prev} / {note}"),
                None => note,
            });
            continue;
        }
        let (size, body) = split_size_label(segment);
        let mut measures = SizeMeasurements::new(size.clone().unwrap_or_default());
        read_pairs(body, size.as_deref(), &mut measures, &mut out.issues);
        if measures.is_empty() {
            if size.is_none() || !body.trim().is_empty() {
                out.issues
                    .push(MeasureIssue::Unreadable(segment.chars().take(80).collect()));
            }
            continue;
        }
        // `S: 어깨38 / 가슴48` splits one size over two segments: the second has no label.
        if size.is_none()
            && let Some(last) = out.sizes.last_mut()
            && last.size.is_some()
        {
            for (m, mm) in measures.present() {
                last.measures.set_mm(m, Some(mm));
            }
            continue;
        }
        out.sizes.push(ReadSize { size, measures });
    }
    out
}

/// `S: 어깨38` / `[M] 어깨40` / `L 어깨42` / `55사이즈 어깨38`: the size label and the rest.
fn split_size_label(segment: &str) -> (Option<String>, &str) {
    if let Some((head, rest)) = segment.split_once([':', '='])
        && measure_word(head).is_none()
        && !head.trim().is_empty()
        && !head.chars().any(char::is_whitespace)
    {
        return (Some(size_code(head)), rest);
    }
    if let Some(rest) = segment.strip_prefix('[')
        && let Some((head, rest)) = rest.split_once(']')
    {
        return (Some(size_code(head)), rest);
    }
    let first = segment.split_whitespace().next().unwrap_or("");
    let word: String = first.chars().take_while(|c| !c.is_ascii_digit()).collect();
    if !first.is_empty()
        && measure_word(&word).is_none()
        && measure_word(first).is_none()
        && catalog::sizes().find(size_code(first).as_str()).is_some()
    {
        return (Some(size_code(first)), &segment[first.len()..]);
    }
    (None, segment)
}

/// Reads `word number [cm]` pairs; words may be glued to numbers (`가슴48`) or split by
/// spaces, `:` or `-` (`가슴 단면: 48cm`).
fn read_pairs(
    body: &str,
    size: Option<&str>,
    into: &mut SizeMeasurements,
    issues: &mut Vec<MeasureIssue>,
) {
    let mut word = String::new();
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() || c == '.' {
            let mut num = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' {
                    num.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            let w = std::mem::take(&mut word);
            let value = num.parse::<f64>().ok().and_then(cm_to_mm);
            match (measure_word(&w), value) {
                (Some(mw), Some(mm)) => {
                    let (m, mm) = mw.resolve(mm);
                    if m.is_plausible(mm) {
                        into.set_mm(m, Some(mm));
                    } else {
                        issues.push(MeasureIssue::Implausible {
                            size: size.map(str::to_string),
                            measure: m,
                            value: num,
                        });
                    }
                }
                _ => issues.push(MeasureIssue::Unreadable(
                    format!("{w} {num}").trim().to_string(),
                )),
            }
            // A unit after the number.
            skip_unit(&mut chars);
        } else if c.is_alphabetic() {
            word.push(c);
            chars.next();
        } else {
            chars.next();
        }
    }
    let w = word.trim();
    if !w.is_empty() {
        issues.push(MeasureIssue::Unreadable(w.to_string()));
    }
}

fn skip_unit(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
    for unit in ["cm", "CM", "Cm", "센치", "센티", "센"] {
        let ahead: String = chars.clone().take(unit.chars().count()).collect();
        if ahead == unit {
            for _ in 0..unit.chars().count() {
                chars.next();
            }
            return;
        }
    }
}

/// A per-measure column's cell: one value (`38`, `38cm`, `38.5`) or one per size
/// (`38/40/42`). `Ok(None)` when blank; `Err` with the text when unreadable.
pub fn parse_measure_values(raw: &str) -> Result<Option<Vec<f64>>, String> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for item in s.split(['/', ',', ';', '|']).map(str::trim) {
        let t = item
            .trim_end_matches(|c: char| c.is_alphabetic() || c.is_whitespace())
            .trim();
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => out.push(v),
            _ => return Err(item.to_string()),
        }
    }
    Ok(Some(out))
}
