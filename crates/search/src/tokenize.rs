//! Tokenisation per locale for the tantivy backend.
//!
//! Hand-written on purpose: the maintained CJK add-ons (lindera-tantivy, tantivy-jieba) either
//! download dictionaries at build time or cover one language, while titles here mix Hangul,
//! kana, hanzi, Thai and Latin in one string. Overlapping character bigrams over runs of those
//! scripts need no dictionary, find words inside unsegmented titles (`루즈핏꽈배기니트가디건`)
//! and are what Lucene's CJK analyzer does; Latin runs stay words.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// Tokenizer names registered on every index.
pub const LATIN_STEMMED: &str = "ddhub_latin_en";
pub const LATIN: &str = "ddhub_latin";
pub const BIGRAM: &str = "ddhub_bigram";

/// Hangul, kana, CJK ideographs and Thai: scripts written without spaces between words.
pub fn is_dense_script(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x3040..=0x30FF    // Hiragana, Katakana (with ー)
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F  // CJK extensions B–F, compatibility supplement
        | 0x0E00..=0x0E7F    // Thai
    )
}

/// Splits text into Latin/digit words and overlapping bigrams of dense-script runs; a dense run
/// of one character yields that character.
#[derive(Clone, Debug, Default)]
pub struct BigramTokenizer;

/// The tokens of one text, computed up front (titles are short).
#[derive(Debug)]
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Word,
    Dense,
    Gap,
}

fn class(c: char) -> Class {
    if is_dense_script(c) {
        Class::Dense
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Gap
    }
}

fn push(tokens: &mut Vec<Token>, text: &str, from: usize, to: usize) {
    let position = tokens.len();
    tokens.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text: text[from..to].to_string(),
        position_length: 1,
    });
}

fn dense_run(tokens: &mut Vec<Token>, text: &str, chars: &[(usize, char)]) {
    if let [(start, c)] = chars {
        push(tokens, text, *start, start + c.len_utf8());
        return;
    }
    for pair in chars.windows(2) {
        push(tokens, text, pair[0].0, pair[1].0 + pair[1].1.len_utf8());
    }
}

/// Tokens of a text with the bigram rules (before lower-casing).
pub fn bigram_tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_class = Class::Gap;
    let flush = |tokens: &mut Vec<Token>, run: &mut Vec<(usize, char)>, class: Class| {
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            match class {
                Class::Word => push(tokens, text, first.0, last.0 + last.1.len_utf8()),
                Class::Dense => dense_run(tokens, text, run),
                Class::Gap => {}
            }
        }
        run.clear();
    };
    for (i, c) in text.char_indices() {
        let k = class(c);
        if k != run_class {
            flush(&mut tokens, &mut run, run_class);
            run_class = k;
        }
        if k != Class::Gap {
            run.push((i, c));
        }
    }
    flush(&mut tokens, &mut run, run_class);
    tokens
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        // Hiragana and katakana spellings of a word meet (`にっと`, `ニット`).
        VecTokenStream {
            tokens: bigram_tokens(&crate::concepts::fold_kana(text)),
            next: 0,
        }
    }
}

/// English: words, lower case, ASCII folding, Snowball English stemming.
pub fn latin_stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Vietnamese: words, lower case, ASCII folding (buyers often type without diacritics);
/// no stemmer (Vietnamese words do not inflect).
pub fn latin() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Korean, Japanese, Chinese, Thai (and Latin words inside them): bigrams, lower case, folding.
pub fn bigram() -> TextAnalyzer {
    TextAnalyzer::builder(BigramTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        let mut a = bigram();
        let mut out = Vec::new();
        let mut ts = a.token_stream(s);
        while let Some(t) = ts.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn bigrams_mixed_scripts() {
        assert_eq!(texts("가디건"), ["가디", "디건"]);
        assert_eq!(texts("开衫"), ["开衫"]);
        assert_eq!(texts("V넥 니트"), ["v", "넥", "니트"]);
        assert_eq!(
            texts("カーディガン"),
            ["カー", "ーデ", "ディ", "ィガ", "ガン"]
        );
        assert_eq!(texts("Loose 裙"), ["loose", "裙"]);
        assert_eq!(texts("にっと"), ["ニッ", "ット"]);
        assert!(texts("").is_empty());
    }
}
