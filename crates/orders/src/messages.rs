//! Human messages for the crate's stable problem codes, in every locale DDHub speaks.
//! The text lives in `locales/orders/messages.tsv` (compiled in); a test checks every code and
//! every locale has one.

use ddhub_domain::Locale;
use std::collections::HashMap;
use std::sync::LazyLock;

const TSV: &str = include_str!("../../../locales/orders/messages.tsv");

/// Column order of the file after `code`.
const COLUMNS: [Locale; 7] = [
    Locale::En,
    Locale::Ko,
    Locale::Ja,
    Locale::ZhCn,
    Locale::ZhTw,
    Locale::Vi,
    Locale::Th,
];

static TABLE: LazyLock<HashMap<&'static str, [&'static str; 7]>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    for line in TSV.lines().skip_while(|l| l.starts_with('#')).skip(1) {
        let cells: Vec<&'static str> = line.split('\t').collect();
        if let [code, rest @ ..] = cells.as_slice()
            && let Ok(texts) = <[&'static str; 7]>::try_from(rest)
        {
            out.insert(*code, texts);
        }
    }
    out
});

/// Every code the file has a row for.
pub fn known_codes() -> Vec<&'static str> {
    let mut v: Vec<_> = TABLE.keys().copied().collect();
    v.sort_unstable();
    v
}

/// The message of `code` in `locale` with `{name}` placeholders filled; English when the locale
/// has no text, and the code itself when the code is unknown.
pub fn message(code: &str, locale: Locale, args: &[(&str, String)]) -> String {
    let Some(texts) = TABLE.get(code) else {
        return code.to_string();
    };
    let idx = COLUMNS.iter().position(|l| *l == locale).unwrap_or(0);
    let template = texts
        .get(idx)
        .filter(|t| !t.is_empty())
        .or_else(|| texts.first())
        .copied()
        .unwrap_or(code);
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Whether `code` has a non-empty text in every locale.
pub fn is_complete(code: &str) -> bool {
    TABLE
        .get(code)
        .is_some_and(|t| t.iter().all(|s| !s.trim().is_empty()))
}
