//! Rules on text from outside, the same at every entry (sheets, JSON bodies).

/// A control character no one types into a field: C0 and C1 controls and DEL, but not the tab
/// and line breaks a multi-line cell or description holds. PostgreSQL refuses NUL in text while
/// SQLite stores it, so these never reach the store.
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_line_breaks_are_text_other_controls_are_not() {
        for c in ['\t', '\n', '\r', 'a', '가', ' '] {
            assert!(!is_stray_control(c), "{c:?}");
        }
        for c in ['\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(is_stray_control(c), "{c:?}");
        }
    }
}
