//! Text rules shared by every format: characters XML 1.0 cannot carry, length limits in
//! characters, spreadsheet formula neutralisation, and URL path escaping.

use std::borrow::Cow;

/// Whether XML 1.0 §2.2 forbids `c` or discourages it as a control character.
///
/// Forbidden: C0 controls other than tab and line feed (carriage return is folded into line
/// feed by [`clean_text`]), U+FFFE and U+FFFF. Discouraged and dropped too: DEL and the C1
/// controls U+007F–U+009F, which no product text means and some consumers reject. Lone
/// surrogates cannot occur in a Rust `str`.
pub fn is_dropped_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{FFFE}' | '\u{FFFF}')
}

/// Text as every feed format writes it: dropped characters removed (see [`is_dropped_char`]),
/// `\r\n` and lone `\r` turned into `\n` (an XML parser does the same on reading, so this is what
/// a reader sees either way). Borrows when nothing changes, which is the common case.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\r' || is_dropped_char(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else if !is_dropped_char(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` cut to at most `max` characters (Unicode scalar values, which is what Google counts),
/// with trailing whitespace removed after a cut.
pub fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        None => s,
        Some((byte, _)) => s[..byte].trim_end(),
    }
}

/// Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV Injection").
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell made safe to open in a spreadsheet: a cell beginning with `=`, `+`, `-`, `@`, tab or
/// carriage return gets a leading `'`, as OWASP recommends. A cell that already begins with `'`
/// gets one too, so the rule can be undone exactly: [`restore_formula`] removes one leading `'`
/// when the next character is a trigger or another `'`.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if c == '\'' || FORMULA_TRIGGERS.contains(&c) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The original cell of a [`neutralise_formula`]d one.
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with('\'') || rest.starts_with(FORMULA_TRIGGERS) => rest,
        _ => cell,
    }
}

/// Percent-encodes one URL path segment (everything but RFC 3986 unreserved characters).
/// Hand-written: one small function does not justify a dependency.
pub fn encode_path_segment(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_and_cutting() {
        assert_eq!(clean_text("a\u{0}b\r\nc\rd\u{FFFE}\u{85}"), "ab\nc\nd");
        assert!(matches!(clean_text("plain"), Cow::Borrowed(_)));
        assert_eq!(truncate_chars("가나다 라", 4), "가나다");
        assert_eq!(truncate_chars("abc", 5), "abc");
        assert_eq!(neutralise_formula("=1+1"), "'=1+1");
        assert_eq!(neutralise_formula("a=1"), "a=1");
        for cell in ["'=", "'", "''", "'a", "=x", "-", "a'", ""] {
            assert_eq!(restore_formula(&neutralise_formula(cell)), cell);
        }
        let mut s = String::new();
        encode_path_segment("KN 20/가", &mut s);
        assert_eq!(s, "KN%2020%2F%EA%B0%80");
    }
}
