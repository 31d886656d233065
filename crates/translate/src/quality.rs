//! Quality harness: chrF and an evaluation report over a dev set of Korean titles with
//! reference translations.
//!
//! chrF is written here from sacreBLEU's definition (`sacrebleu.metrics.chrf.CHRF`, defaults
//! `char_order=6, word_order=0, beta=2, whitespace=False, eps_smoothing=False`): no maintained
//! Rust crate implements it. Character n-gram statistics are summed over the corpus, precision and
//! recall are averaged over the orders that occur on both sides, then combined as F-beta.

use crate::glossary::{Glossary, contains_hangul};
use crate::title::translate_title;
use ddhub_domain::Locale;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Character n-gram orders (1..=6) and the recall weight of chrF.
pub const CHRF_ORDER: usize = 6;
pub const CHRF_BETA: f64 = 2.0;

/// Per-order `[hypothesis n-grams, reference n-grams, matches]`, summable over a corpus.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChrfStats {
    pub orders: [[u64; 3]; CHRF_ORDER],
}

impl ChrfStats {
    /// Statistics of one hypothesis against one reference; whitespace is removed first.
    pub fn of(hypothesis: &str, reference: &str) -> ChrfStats {
        let hyp: Vec<char> = hypothesis.chars().filter(|c| !c.is_whitespace()).collect();
        let refr: Vec<char> = reference.chars().filter(|c| !c.is_whitespace()).collect();
        let mut stats = ChrfStats::default();
        for n in 1..=CHRF_ORDER {
            let h = ngram_counts(&hyp, n);
            let r = ngram_counts(&refr, n);
            let matches: u64 = h
                .iter()
                .map(|(g, &c)| c.min(r.get(g).copied().unwrap_or(0)))
                .sum();
            stats.orders[n - 1] = [h.values().sum(), r.values().sum(), matches];
        }
        stats
    }

    pub fn add(&mut self, other: &ChrfStats) {
        for (a, b) in self.orders.iter_mut().zip(other.orders.iter()) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }

    /// chrF on a 0-100 scale.
    pub fn score(&self) -> f64 {
        let (mut p, mut r, mut effective) = (0.0, 0.0, 0u32);
        for [n_hyp, n_ref, n_match] in self.orders {
            if n_hyp > 0 && n_ref > 0 {
                p += n_match as f64 / n_hyp as f64;
                r += n_match as f64 / n_ref as f64;
                effective += 1;
            }
        }
        if effective == 0 {
            return 0.0;
        }
        p /= f64::from(effective);
        r /= f64::from(effective);
        let factor = CHRF_BETA * CHRF_BETA;
        let denom = factor * p + r;
        if denom > 0.0 {
            100.0 * (1.0 + factor) * p * r / denom
        } else {
            0.0
        }
    }
}

fn ngram_counts(chars: &[char], n: usize) -> HashMap<&[char], u64> {
    let mut counts = HashMap::new();
    if chars.len() >= n {
        for w in chars.windows(n) {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    counts
}

/// Corpus chrF of hypotheses against references, line by line.
pub fn chrf<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> f64 {
    let mut total = ChrfStats::default();
    for (h, r) in pairs {
        total.add(&ChrfStats::of(h, r));
    }
    total.score()
}

/// One dev-set line: the Korean title and the reference in the locale being evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalLine {
    pub korean: String,
    pub reference: String,
}

/// What `ddhub translate eval` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Corpus chrF, 0-100.
    pub chrf: f64,
    /// Share of lines whose output equals the reference exactly, 0-1.
    pub exact_match: f64,
    /// Share of lines whose output still contains Hangul, 0-1.
    pub hangul_leak: f64,
    /// Unknown (romanised) words per translated word, 0-1.
    pub unknown_term_rate: f64,
    /// Number of lines evaluated.
    pub lines: usize,
}

/// Translates every line with the glossary and scores it against its reference.
pub fn evaluate(glossary: &Glossary, lines: &[EvalLine], locale: Locale) -> EvalReport {
    let mut stats = ChrfStats::default();
    let (mut exact, mut leaks, mut unknown, mut words) = (0usize, 0usize, 0usize, 0usize);
    for line in lines {
        let out = translate_title(glossary, &line.korean, locale);
        stats.add(&ChrfStats::of(&out.title, &line.reference));
        exact += usize::from(out.title == line.reference);
        leaks += usize::from(locale != Locale::Ko && contains_hangul(&out.title));
        unknown += out.unknown_terms.len();
        words += translate_title(glossary, &line.korean, Locale::Ko)
            .title
            .split_whitespace()
            .count()
            .max(out.unknown_terms.len());
    }
    let n = lines.len().max(1) as f64;
    EvalReport {
        chrf: stats.score(),
        exact_match: exact as f64 / n,
        hangul_leak: leaks as f64 / n,
        unknown_term_rate: if words == 0 {
            0.0
        } else {
            unknown as f64 / words as f64
        },
        lines: lines.len(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DevSetError {
    #[error("dev set: {0}")]
    Csv(#[from] csv::Error),
    #[error("dev set has no column {0:?}")]
    NoColumn(String),
}

/// Reads a dev set as TSV. With a header `korean<TAB>en<TAB>ja…` the reference column is the
/// one named by the locale tag; a file without that header is read as `korean<TAB>reference`.
pub fn read_devset(tsv: &str, locale: Locale) -> Result<Vec<EvalLine>, DevSetError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .has_headers(false)
        .flexible(true)
        .from_reader(tsv.as_bytes());
    let mut records = reader.records();
    let mut column = 1;
    let mut lines = Vec::new();
    if let Some(first) = records.next() {
        let first = first?;
        if first.get(0) == Some("korean") {
            column = first
                .iter()
                .position(|h| h == locale.tag())
                .ok_or_else(|| DevSetError::NoColumn(locale.tag().to_string()))?;
        } else if let (Some(k), Some(r)) = (first.get(0), first.get(1)) {
            lines.push(EvalLine {
                korean: k.to_string(),
                reference: r.to_string(),
            });
        }
    }
    for record in records {
        let record = record?;
        if let (Some(k), Some(r)) = (record.get(0), record.get(column))
            && !k.is_empty()
        {
            lines.push(EvalLine {
                korean: k.to_string(),
                reference: r.to_string(),
            });
        }
    }
    Ok(lines)
}

/// The dev set shipped in `locales/devset/titles.tsv` (columns `korean`, `en`, `ja`).
pub const SHIPPED_DEVSET: &str = include_str!("../../../locales/devset/titles.tsv");
