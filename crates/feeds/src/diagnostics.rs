//! Feed diagnostics: what went into a partner's feed, what was left out and why, per style,
//! as Google Merchant Center's diagnostics and Akeneo's channel completeness show it.

use crate::channels::{Action, Issue, Reason};
use crate::writer::{FeedFormat, StyleReport};
use ddhub_domain::StyleId;
use serde::Serialize;
use std::collections::BTreeMap;

/// A style left out of the feed, or changed on its way out, with every reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StyleDiagnosis {
    pub style_id: StyleId,
    /// The wholesaler's code (품번).
    pub style_code: String,
    pub items_in: u64,
    pub items_out: u64,
    pub issues: Vec<Issue>,
}

/// One partner's feed, counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedDiagnostics {
    pub format: FeedFormat,
    pub styles_in: u64,
    pub styles_out: u64,
    pub items_in: u64,
    pub items_out: u64,
    /// Styles wholly left out, by reason (a style counts under each of its reasons).
    pub left_out_by_reason: BTreeMap<Reason, u64>,
    /// Styles with at least one fix, by reason.
    pub fixed_by_reason: BTreeMap<Reason, u64>,
    /// Every style with fewer items out than in (including wholly left-out ones).
    pub left_out: Vec<StyleDiagnosis>,
    /// Every style that went out with fixes.
    pub fixed: Vec<StyleDiagnosis>,
}

impl FeedDiagnostics {
    pub fn new(format: FeedFormat) -> Self {
        FeedDiagnostics {
            format,
            styles_in: 0,
            styles_out: 0,
            items_in: 0,
            items_out: 0,
            left_out_by_reason: BTreeMap::new(),
            fixed_by_reason: BTreeMap::new(),
            left_out: Vec::new(),
            fixed: Vec::new(),
        }
    }

    /// Counts one style (the observer of [`crate::write_feed_observed`]).
    pub fn observe(&mut self, report: StyleReport<'_>) {
        let style = report.style;
        let items_in = report.items_in as u64;
        self.styles_in += 1;
        self.items_in += items_in;
        let mut issues: Vec<Issue> = Vec::new();
        if let Some(skip) = report.skipped {
            issues.push(Issue::left_out(Reason::from(skip), skip_detail(skip)));
        } else {
            issues.extend(report.outcome.issues.iter().cloned());
        }
        let items_out = if report.skipped.is_some() {
            0
        } else {
            report.outcome.written as u64
        };
        self.items_out += items_out;
        let diagnosis = |issues: Vec<Issue>| StyleDiagnosis {
            style_id: style.style_id,
            style_code: style.style_code.clone(),
            items_in,
            items_out,
            issues,
        };
        if items_out > 0 {
            self.styles_out += 1;
        }
        let mut reasons: Vec<Reason> = issues
            .iter()
            .filter(|i| i.action == Action::LeftOut)
            .map(|i| i.reason)
            .collect();
        reasons.sort();
        reasons.dedup();
        if items_out == 0 {
            for r in &reasons {
                *self.left_out_by_reason.entry(*r).or_default() += 1;
            }
        }
        let mut fixes: Vec<Reason> = issues
            .iter()
            .filter(|i| i.action == Action::Fixed)
            .map(|i| i.reason)
            .collect();
        fixes.sort();
        fixes.dedup();
        if items_out > 0 {
            for r in &fixes {
                *self.fixed_by_reason.entry(*r).or_default() += 1;
            }
        }
        if items_out < items_in {
            self.left_out.push(diagnosis(issues));
        } else if !fixes.is_empty() {
            self.fixed.push(diagnosis(issues));
        }
    }
}

fn skip_detail(reason: crate::item::SkipReason) -> &'static str {
    use crate::item::SkipReason as S;
    match reason {
        S::Wholesaler => "the partner's settings leave out this wholesaler",
        S::Category => "the partner's settings leave out this category",
        S::TooFewPhotos => "fewer ready photos than the partner's minimum (min_photos)",
        S::NoRate => "no exchange rate for the partner's currency",
        S::Price => "the converted price is out of range",
        S::Archived => "the style is archived",
        S::NoSkus => "the style has no colour/size SKUs",
        S::NoGoogleCategory => "no Google category for the style's category",
        S::NoPhoto => "no ready photo",
        S::PhotoBelowProfile => {
            "every photo is smaller than the partner's image profile needs (long edge)"
        }
        S::NotTranslated => "the title is not translated into the partner's locale yet",
    }
}

impl FeedDiagnostics {
    /// The diagnostics as an operator reads them in a terminal: counts, reasons, then one line
    /// per left-out or fixed style with its code and every reason.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "format {}: styles {} in, {} out; items {} in, {} out",
            self.format.as_str(),
            self.styles_in,
            self.styles_out,
            self.items_in,
            self.items_out
        );
        for (title, map) in [
            ("left out", &self.left_out_by_reason),
            ("fixed", &self.fixed_by_reason),
        ] {
            if !map.is_empty() {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(r, n)| format!("{} {n}", r.as_str()))
                    .collect();
                let _ = writeln!(s, "styles {title}: {}", parts.join(", "));
            }
        }
        for (title, list) in [("left out", &self.left_out), ("fixed", &self.fixed)] {
            for d in list {
                let _ = writeln!(
                    s,
                    "{title}\t{}\t(style {}, items {}/{} out)",
                    d.style_code, d.style_id, d.items_out, d.items_in
                );
                for i in &d.issues {
                    let item = i
                        .item_id
                        .as_deref()
                        .map(|id| format!(" [{id}]"))
                        .unwrap_or_default();
                    let _ = writeln!(s, "\t{}{item}: {}", i.reason.as_str(), i.detail);
                }
            }
        }
        s
    }
}
