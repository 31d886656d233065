//! Translation-memory keys: a result is reused while the source text, locale, glossary version and
//! provider are unchanged, so re-ingesting unchanged text translates nothing. Storage is elsewhere.

use ddhub_domain::Locale;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// SHA-256 (hex) of the source text after NFC and trimming, so invisible differences
/// (decomposed Hangul from macOS, trailing spaces) hit the same entry.
pub fn source_hash(text: &str) -> String {
    let normalized: String = text.trim().nfc().collect();
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

/// The cache key of one translation: `tm1:` and the SHA-256 (hex) of the four parts.
pub fn translation_memory_key(
    source_hash: &str,
    locale: Locale,
    glossary_version: &str,
    provider_id: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [source_hash, locale.tag(), glossary_version, provider_id] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("tm1:{}", hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_changes_with_each_part_and_not_with_invisible_differences() {
        let h = source_hash("꽈배기 니트");
        // Decomposed jamo (as macOS file names write Hangul) and padding hash the same.
        let decomposed: String = "꽈배기 니트".nfd().collect();
        assert_ne!(decomposed, "꽈배기 니트");
        assert_eq!(source_hash(&format!(" {decomposed} ")), h);
        let k = translation_memory_key(&h, Locale::En, "g1", "deepl+glossary");
        assert!(k.starts_with("tm1:") && k.len() == 68);
        assert_eq!(
            k,
            translation_memory_key(&h, Locale::En, "g1", "deepl+glossary")
        );
        assert_ne!(
            k,
            translation_memory_key(&h, Locale::Ja, "g1", "deepl+glossary")
        );
        assert_ne!(
            k,
            translation_memory_key(&h, Locale::En, "g2", "deepl+glossary")
        );
        assert_ne!(
            k,
            translation_memory_key(&h, Locale::En, "g1", "papago+glossary")
        );
        assert_ne!(
            k,
            translation_memory_key(
                &source_hash("꽈배기 가디건"),
                Locale::En,
                "g1",
                "deepl+glossary"
            )
        );
    }
}
