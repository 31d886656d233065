//! Text rules of the marketplace channels: length counted the marketplace's way, cuts at a
//! word boundary (never inside a character), title case, forbidden words.

use crate::settings::TitleCase;

/// Counts every character as one (Shopify, Shopee: Unicode scalar values).
pub fn one_per_char(_: char) -> usize {
    1
}

/// Yahoo! Japan counts in full-width characters: a half-width (ASCII) character is half of
/// one. Measured in half-width units, so the 75 full-width limit is 150 units.
pub fn yahoo_units(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// Length of `s` in `unit`s.
pub fn measure(s: &str, unit: fn(char) -> usize) -> usize {
    s.chars().map(unit).sum()
}

/// `s` cut to at most `max` units: at the last space that keeps at least half of the allowed
/// text, else at the last whole character that fits (titles in Japanese or Chinese have no
/// spaces). Trailing spaces and separators (`-`, `,`, `/`, `|`) are removed after a cut.
pub fn cut_at_word(s: &str, max: usize, unit: fn(char) -> usize) -> &str {
    let mut used = 0;
    let mut end = s.len();
    for (i, c) in s.char_indices() {
        used += unit(c);
        if used > max {
            end = i;
            break;
        }
    }
    if end == s.len() {
        return s;
    }
    let head = &s[..end];
    // A cut right before a space already ends a word.
    let at_boundary = s[end..].starts_with(char::is_whitespace);
    let cut = if at_boundary {
        head
    } else {
        match head.rfind(char::is_whitespace) {
            Some(sp) if measure(&head[..sp], unit) * 2 >= max => &head[..sp],
            _ => head,
        }
    };
    let mut cut =
        cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ',' | '/' | '|'));
    // A title does not end on a joining word (`… with`, `… and`).
    while let Some((rest, last)) = cut.rsplit_once(' ') {
        let last = last.to_lowercase();
        if last == "&" || SMALL_WORDS.contains(&last.as_str()) {
            cut = rest.trim_end();
        } else {
            break;
        }
    }
    cut
}

/// Words a title case leaves lower-case unless first (Chicago-style short words).
const SMALL_WORDS: [&str; 14] = [
    "a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "with",
];

/// `s` in the given case. Only Latin letters change; a word written all in capitals (an
/// acronym, a size such as `XL`) is kept as it is.
pub fn apply_case(s: &str, case: TitleCase) -> String {
    match case {
        TitleCase::Keep => s.to_string(),
        TitleCase::Sentence => {
            let mut out = String::with_capacity(s.len());
            let mut first = true;
            for c in s.chars() {
                if first && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                    first = false;
                } else {
                    out.push(c);
                }
            }
            out
        }
        TitleCase::Title => {
            let mut out = String::with_capacity(s.len());
            let mut index = 0;
            for (i, word) in s.split(' ').enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if word.is_empty() {
                    continue;
                }
                let lower = word.to_lowercase();
                let acronym = word.chars().filter(|c| c.is_alphabetic()).count() > 1
                    && !word.chars().any(char::is_lowercase);
                if acronym || (index > 0 && SMALL_WORDS.contains(&lower.as_str())) {
                    out.push_str(if acronym { word } else { &lower });
                } else {
                    // Capitalise each hyphenated part: `loose-fit` → `Loose-Fit`.
                    let mut start = true;
                    for c in word.chars() {
                        if start && c.is_alphabetic() {
                            out.extend(c.to_uppercase());
                            start = false;
                        } else {
                            out.push(c);
                            if c == '-' {
                                start = true;
                            }
                        }
                    }
                }
                index += 1;
            }
            out
        }
    }
}

/// `s` without each of `words` (lower-case; matched case-insensitively, on word boundaries for
/// Latin words), spaces collapsed. Returns the words removed.
pub fn remove_words<'w>(s: &str, words: &'w [String]) -> (String, Vec<&'w str>) {
    let mut out = s.to_string();
    let mut removed = Vec::new();
    for w in words {
        let mut found = false;
        loop {
            let lower = out.to_lowercase();
            // Lower-casing can change byte lengths outside ASCII; search only when it did not.
            if lower.len() != out.len() {
                break;
            }
            let Some(at) = find_word(&lower, w) else {
                break;
            };
            out.replace_range(at..at + w.len(), " ");
            found = true;
        }
        if found {
            removed.push(w.as_str());
        }
    }
    if removed.is_empty() {
        return (s.to_string(), removed);
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (collapsed, removed)
}

fn find_word(hay: &str, word: &str) -> Option<usize> {
    let latin = word.is_ascii();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(word) {
        let at = from + pos;
        let before = hay[..at].chars().next_back();
        let after = hay[at + word.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if !latin || (edge(before) && edge(after)) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_words_never_inside_characters() {
        assert_eq!(
            cut_at_word("Loose fit cable knit cardigan", 20, one_per_char),
            "Loose fit cable knit"
        );
        assert_eq!(
            cut_at_word("Loose fit cable knit cardigan", 18, one_per_char),
            "Loose fit cable"
        );
        assert_eq!(
            cut_at_word("ケーブルニットカーディガン", 10, yahoo_units),
            "ケーブルニ"
        );
        assert_eq!(cut_at_word("short", 10, one_per_char), "short");
        assert_eq!(measure("aア", yahoo_units), 3);
    }

    #[test]
    fn cases() {
        assert_eq!(
            apply_case(
                "loose-fit cable knit cardigan in black XL",
                TitleCase::Title
            ),
            "Loose-Fit Cable Knit Cardigan in Black XL"
        );
        assert_eq!(apply_case("the cardigan", TitleCase::Title), "The Cardigan");
        assert_eq!(apply_case("loose knit", TitleCase::Sentence), "Loose knit");
        assert_eq!(apply_case("ニット", TitleCase::Title), "ニット");
    }

    #[test]
    fn removes_forbidden_words() {
        let words = vec!["free shipping".to_string(), "送料無料".to_string()];
        let (t, r) = remove_words("Knit Cardigan FREE SHIPPING sale", &words);
        assert_eq!(t, "Knit Cardigan sale");
        assert_eq!(r, vec!["free shipping"]);
        let (t, r) = remove_words("送料無料ニット", &words);
        assert_eq!((t.as_str(), r), ("ニット", vec!["送料無料"]));
        let (t, r) = remove_words("freeshippingx", &words);
        assert_eq!((t.as_str(), r.len()), ("freeshippingx", 0));
    }
}
