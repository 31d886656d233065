//! Text clean-up shared by headers and cells: NFKC (full-width `１８，０００` → `18,000`),
//! trimming, and list splitting.

use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// NFKC-normalised and trimmed. Borrows when nothing changes, which is nearly every cell.
pub fn clean(s: &str) -> Cow<'_, str> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if t.is_ascii() || is_nfkc_quick(t.chars()) == IsNormalized::Yes {
        Cow::Borrowed(t)
    } else {
        let n: String = t.nfkc().collect();
        let n2 = n.trim();
        if n2.len() == n.len() {
            Cow::Owned(n)
        } else {
            Cow::Owned(n2.to_string())
        }
    }
}

/// The comparison form of a header: NFKC, lower case, letters and digits only.
pub fn header_key(s: &str) -> String {
    clean(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits a list cell on `,` `/` `、` `;` `|` `·` and newlines (full-width forms are already
/// folded by [`clean`]), trimming items and dropping empty ones.
pub fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', '/', '、', ';', '|', '\n', '\r', '·', '，', '／', '；'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_is_folded() {
        assert_eq!(clean(" １８，０００원 "), "18,000원");
        assert_eq!(header_key("상품 코드"), "상품코드");
        assert_eq!(header_key("ＳＴＹＬＥ＿ＣＯＤＥ"), "stylecode");
    }

    #[test]
    fn lists_split_on_every_separator() {
        let v: Vec<&str> = split_list("블랙, 아이보리/소라、 핑크;민트").collect();
        assert_eq!(v, ["블랙", "아이보리", "소라", "핑크", "민트"]);
    }
}
