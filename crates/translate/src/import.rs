//! Operator glossary files (`ddhub glossary import FILE.csv`): every row checked before anything
//! is stored, each problem reported with its line number, so a file is taken whole or not at all.

use crate::glossary::{Glossary, GlossaryError, Role, Term, contains_hangul, lookup_key};
use ddhub_domain::Locale;
use std::collections::{HashMap, HashSet};

/// Most rows one file may hold: the merged glossary is rebuilt in every process on change.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// Longest Korean term, in characters.
pub const MAX_TERM_CHARS: usize = 40;
/// Longest rendering cell (`head|modifier` included), in characters.
pub const MAX_RENDERING_CHARS: usize = 200;
/// Row problems reported before giving up on listing more.
const MAX_REPORTED: usize = 200;

/// Columns of the import (and export) format.
const COLUMNS: [&str; 9] = [
    "ko", "role", "code", "en", "ja", "zh-CN", "zh-TW", "vi", "th",
];

/// A problem with one line of the file (1-based, the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not readable CSV: {0}")]
    Csv(String),
    #[error("header: {0}")]
    Header(String),
    #[error("the file has no rows")]
    Empty,
    #[error("the file has more than {MAX_IMPORT_ROWS} rows")]
    TooManyRows,
    #[error("{} line(s) have errors; nothing was imported:\n{}", .0.len(), list(.0))]
    Rows(Vec<RowError>),
    #[error("the merged glossary is invalid: {0}")]
    Glossary(#[from] GlossaryError),
}

fn list(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The roles as written in the `role` column.
pub fn role_names() -> Vec<&'static str> {
    vec![
        "category_noun",
        "fit",
        "detail",
        "neckline",
        "sleeve",
        "length",
        "material",
        "fabric",
        "colour",
        "pattern",
        "season",
        "marketing_tag",
        "style",
        "size",
        "origin",
        "variant",
    ]
}

fn parse_role(s: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).ok()
}

/// Maps header cells to column names; `zh_cn`, `zh-cn` and `ZH-CN` all mean `zh-CN`.
fn header_columns(headers: &csv::StringRecord) -> Result<Vec<&'static str>, ImportError> {
    let mut out = Vec::with_capacity(headers.len());
    for h in headers {
        let norm = h.trim().to_ascii_lowercase().replace('_', "-");
        let Some(col) = COLUMNS.iter().find(|c| c.to_ascii_lowercase() == norm) else {
            return Err(ImportError::Header(format!(
                "unknown column {h:?}; columns are {} (locales: en, ja, zh-CN, zh-TW, vi, th)",
                COLUMNS.join(", ")
            )));
        };
        if out.contains(col) {
            return Err(ImportError::Header(format!("column {col} appears twice")));
        }
        out.push(*col);
    }
    for required in ["ko", "role"] {
        if !out.contains(&required) {
            return Err(ImportError::Header(format!(
                "missing column {required} (columns are {})",
                COLUMNS.join(", ")
            )));
        }
    }
    Ok(out)
}

fn bad_text(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Reads an operator file (CSV with a header; `ddhub glossary export` writes one) and checks
/// every row against `base` (the glossary it will be merged over):
///
/// - `ko` is a term of at most [`MAX_TERM_CHARS`] characters, once per file;
/// - `role` is one of [`role_names`];
/// - a `variant` row names an existing term (in `base` or in the file) in `code`, no renderings;
/// - every other row has the six renderings (en, ja, zh-CN, zh-TW, vi, th), without Hangul; an
///   empty cell keeps the rendering `base` already has for the term, so a file may override one
///   locale of a shipped term.
///
/// Returns complete rows to store, or every problem found with its line number.
pub fn parse_overrides(text: &str, base: &Glossary) -> Result<Vec<Term>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Csv(e.to_string()))?
        .clone();
    let columns = header_columns(&headers)?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut terms: Vec<(u64, Term)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_IMPORT_ROWS {
            return Err(ImportError::TooManyRows);
        }
        if errors.len() >= MAX_REPORTED {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    message: format!("not readable: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(i as u64 + 2, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            errors.push(RowError {
                line,
                message: format!("{} cells, the header has {}", record.len(), columns.len()),
            });
            continue;
        }
        let cell = |name: &str| -> String {
            columns
                .iter()
                .position(|c| *c == name)
                .and_then(|i| record.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        match check_row(line, &cell, base, &mut seen) {
            Ok(term) => terms.push((line, term)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    // Variants may name a term defined later in the same file: checked once all rows are read.
    let defined: HashSet<String> = terms
        .iter()
        .filter(|(_, t)| t.role != Role::Variant)
        .map(|(_, t)| lookup_key(&t.ko))
        .collect();
    for (line, t) in &terms {
        if t.role == Role::Variant {
            let key = lookup_key(&t.code);
            let known = defined.contains(&key)
                || base
                    .lookup(&t.code)
                    .is_some_and(|b| lookup_key(&b.ko) == key);
            if !known {
                errors.push(RowError {
                    line: *line,
                    message: format!(
                        "variant of {:?}, which is neither in the glossary nor in this file",
                        t.code
                    ),
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(errors));
    }
    if terms.is_empty() {
        return Err(ImportError::Empty);
    }
    let terms: Vec<Term> = terms.into_iter().map(|(_, t)| t).collect();
    // The whole merged glossary must still build (matcher, variants): checked here, before the
    // caller stores anything.
    base.with_overrides(terms.iter().cloned())?;
    Ok(terms)
}

fn check_row(
    line: u64,
    cell: &dyn Fn(&str) -> String,
    base: &Glossary,
    seen: &mut HashMap<String, u64>,
) -> Result<Term, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut err = |message: String| errors.push(RowError { line, message });
    let ko = cell("ko");
    if ko.is_empty() {
        err("ko is empty".into());
    } else if ko.chars().count() > MAX_TERM_CHARS || bad_text(&ko) {
        err(format!(
            "ko {ko:?} must be at most {MAX_TERM_CHARS} characters without control characters"
        ));
    } else if let Some(first) = seen.insert(lookup_key(&ko), line) {
        err(format!("ko {ko:?} is already on line {first}"));
    }
    let role_text = cell("role");
    let role = parse_role(&role_text);
    if role.is_none() {
        err(format!(
            "role {role_text:?} is not one of {}",
            role_names().join(", ")
        ));
    }
    let code = cell("code");
    if code.chars().count() > MAX_TERM_CHARS || bad_text(&code) {
        err(format!("code {code:?} is too long"));
    }
    let mut term = Term::variant(&ko, &code);
    if let Some(role) = role {
        term.role = role;
    }
    if role == Some(Role::Variant) {
        if code.is_empty() {
            err("a variant names its canonical Korean term in code".into());
        } else if lookup_key(&code) == lookup_key(&ko) {
            err("a variant cannot be a variant of itself".into());
        }
        for l in Locale::TARGETS {
            if !cell(l.tag()).is_empty() {
                err(format!(
                    "a variant takes no renderings ({} is filled)",
                    l.tag()
                ));
            }
        }
    } else if role.is_some() {
        // The shipped (or earlier) term with this exact spelling, whose cells fill empty ones.
        let existing = base
            .lookup(&ko)
            .filter(|t| lookup_key(&t.ko) == lookup_key(&ko));
        if term.code.is_empty()
            && let Some(e) = existing
        {
            term.code = e.code.clone();
        }
        let mut missing = Vec::new();
        for l in Locale::TARGETS {
            let mut value = cell(l.tag());
            if value.is_empty()
                && let Some(e) = existing
            {
                value = e.rendering(l).to_string();
            }
            if value.is_empty() {
                missing.push(l.tag());
            } else if contains_hangul(&value) {
                err(format!("{} rendering {value:?} contains Hangul", l.tag()));
            } else if value.chars().count() > MAX_RENDERING_CHARS || bad_text(&value) {
                err(format!(
                    "{} rendering must be at most {MAX_RENDERING_CHARS} characters without control characters",
                    l.tag()
                ));
            }
            match l {
                Locale::En => term.en = value,
                Locale::Ja => term.ja = value,
                Locale::ZhCn => term.zh_cn = value,
                Locale::ZhTw => term.zh_tw = value,
                Locale::Vi => term.vi = value,
                Locale::Th => term.th = value,
                Locale::Ko => {}
            }
        }
        if !missing.is_empty() {
            err(format!(
                "no {} rendering (a new term needs en, ja, zh-CN, zh-TW, vi and th)",
                missing.join(", ")
            ));
        }
    }
    if errors.is_empty() {
        Ok(term)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn base() -> Glossary {
        Glossary::builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_good_file_gives_complete_rows_and_empty_cells_keep_shipped_renderings() {
        let g = base();
        let shipped = g.lookup("꽈배기").map(|t| t.ja.clone()).unwrap_or_default();
        let csv = "ko,role,en,ja,zh-CN,zh-TW,vi,th\n\
                   꽈배기,fabric,twisted cable knit,,,,,\n\
                   몽실,style,fluffy,もこもこ,毛绒,毛絨,bông xù,ขนฟู\n\
                   몽실이,variant,,,,,,\n";
        // The variant row has no code: refused with its line.
        let err = parse_overrides(csv, &g).unwrap_err();
        match err {
            ImportError::Rows(rows) => {
                assert_eq!(rows.len(), 1, "{rows:?}");
                assert_eq!(rows[0].line, 4);
            }
            other => panic!("{other}"),
        }
        let csv = "ko,role,code,en,ja,zh-CN,zh-TW,vi,th\n\
                   꽈배기,fabric,,twisted cable knit,,,,,\n\
                   몽실,style,,fluffy,もこもこ,毛绒,毛絨,bông xù,ขนฟู\n\
                   몽실이,variant,몽실,,,,,,\n";
        let rows = parse_overrides(csv, &g).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].en, "twisted cable knit");
        assert_eq!(
            rows[0].ja, shipped,
            "empty cell keeps the shipped rendering"
        );
        assert!(!shipped.is_empty());
        assert_eq!(rows[2].role, Role::Variant);
        let merged = g.with_overrides(rows).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(merged.version(), g.version());
        assert_eq!(
            merged.lookup("몽실이").map(|t| t.en.as_str()),
            Some("fluffy")
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_nothing_is_returned() {
        let g = base();
        let csv = "ko,role,code,en,ja,zh-CN,zh-TW,vi,th\n\
                   새단어,style,,new word,,,,,\n\
                   니트,colour_ish,,knit,ニット,针织,針織,len,ถัก\n\
                   블렌드,material,,blend,ブレンド,混纺,混紡,pha,블렌드\n\
                   없는말,variant,없는원어,,,,,,\n\
                   몽실,style,,a,b,c,d,e\n\
                   ,style,,a,b,c,d,e,f\n\
                   몽실,style,,a,b,c,d,e,f\n\
                   몽 실,style,,a,b,c,d,e,f\n";
        let ImportError::Rows(rows) = parse_overrides(csv, &g).unwrap_err() else {
            panic!("expected row errors")
        };
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 9], "{rows:#?}");
        let text = |line: u64| {
            rows.iter()
                .filter(|r| r.line == line)
                .map(|r| r.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        };
        assert!(text(2).contains("ja, zh-CN, zh-TW, vi, th"), "{}", text(2));
        assert!(text(3).contains("colour_ish") && text(3).contains("marketing_tag"));
        assert!(text(4).contains("th rendering") && text(4).contains("Hangul"));
        assert!(text(5).contains("없는원어"));
        assert!(text(6).contains("8 cells"));
        assert!(text(7).contains("ko is empty"));
        assert!(text(9).contains("line 8"), "spacing variants are one term");
    }

    #[test]
    fn headers_name_known_columns_and_locales() {
        let g = base();
        for (csv, want) in [
            ("ko,role,fr\n", "unknown column \"fr\""),
            ("ko,en,ja\n", "missing column role"),
            ("ko,role,en,EN\n", "appears twice"),
        ] {
            let err = parse_overrides(csv, &g).unwrap_err().to_string();
            assert!(err.contains(want), "{csv:?}: {err}");
        }
        assert!(matches!(
            parse_overrides("ko,role,zh_cn,ZH-TW\n", &g),
            Err(ImportError::Empty)
        ));
        let mut big = String::from("ko,role,code\n");
        for i in 0..=MAX_IMPORT_ROWS {
            big.push_str(&format!("말{i},variant,니트\n"));
        }
        assert!(matches!(
            parse_overrides(&big, &g),
            Err(ImportError::TooManyRows)
        ));
    }
}
