//! Translation memory: a result is reused while the source text, locale, glossary version and
//! provider are unchanged, so re-ingesting unchanged text translates nothing. This module has the
//! keys and the translator that consults a memory; the storage (a database table) is the
//! caller's, behind [`MemoryStore`].

use crate::provider::{TranslateError, Translation, Translator};
use async_trait::async_trait;
use ddhub_domain::Locale;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// One stored result with the parts of its key (kept for inspection and pruning).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryRecord {
    pub key: String,
    pub source_hash: String,
    pub locale: Locale,
    pub glossary_version: String,
    pub provider: String,
    pub translation: Translation,
}

/// Where results are kept (the `translation_memory` table in DDHub).
#[async_trait]
pub trait MemoryStore: Send + Sync {
    /// Stored results for these keys; absent keys are simply missing from the map.
    async fn get(&self, keys: &[String]) -> Result<HashMap<String, Translation>, TranslateError>;
    /// Stores results; a key already present may keep its first value.
    async fn put(&self, records: &[MemoryRecord]) -> Result<(), TranslateError>;
}

/// A [`MemoryStore`] in a `HashMap`, for one process (the CLI, tests of this crate).
#[derive(Debug, Default)]
pub struct InMemory(std::sync::Mutex<HashMap<String, Translation>>);

#[async_trait]
impl MemoryStore for InMemory {
    async fn get(&self, keys: &[String]) -> Result<HashMap<String, Translation>, TranslateError> {
        let map = self
            .0
            .lock()
            .map_err(|_| TranslateError::Memory("poisoned".into()))?;
        Ok(keys
            .iter()
            .filter_map(|k| map.get(k).map(|t| (k.clone(), t.clone())))
            .collect())
    }

    async fn put(&self, records: &[MemoryRecord]) -> Result<(), TranslateError> {
        let mut map = self
            .0
            .lock()
            .map_err(|_| TranslateError::Memory("poisoned".into()))?;
        for r in records {
            map.entry(r.key.clone())
                .or_insert_with(|| r.translation.clone());
        }
        Ok(())
    }
}

/// Wraps a translator with a memory: only texts without a stored result reach `inner` (once
/// each, however often they repeat in the batch); new results are stored before returning.
pub struct RememberingTranslator {
    inner: Arc<dyn Translator>,
    memory: Arc<dyn MemoryStore>,
    glossary_version: String,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for RememberingTranslator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberingTranslator")
            .field("provider", &self.inner.id())
            .field("glossary_version", &self.glossary_version)
            .finish()
    }
}

impl RememberingTranslator {
    pub fn new(
        inner: Arc<dyn Translator>,
        memory: Arc<dyn MemoryStore>,
        glossary_version: impl Into<String>,
    ) -> Self {
        RememberingTranslator {
            inner,
            memory,
            glossary_version: glossary_version.into(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Texts answered from the memory so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Distinct texts sent to the provider so far.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl Translator for RememberingTranslator {
    fn id(&self) -> &str {
        self.inner.id()
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        let provider = self.inner.id().to_string();
        let hashes: Vec<String> = texts.iter().map(|t| source_hash(t)).collect();
        let keys: Vec<String> = hashes
            .iter()
            .map(|h| translation_memory_key(h, target, &self.glossary_version, &provider))
            .collect();
        let mut found = self.memory.get(&keys).await?;
        let mut missing: Vec<usize> = Vec::new();
        let mut asked: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (i, k) in keys.iter().enumerate() {
            if !found.contains_key(k) && asked.insert(k.as_str()) {
                missing.push(i);
            }
        }
        self.hits
            .fetch_add((texts.len() - missing.len()) as u64, Ordering::Relaxed);
        if !missing.is_empty() {
            self.misses
                .fetch_add(missing.len() as u64, Ordering::Relaxed);
            let sent: Vec<String> = missing.iter().map(|&i| texts[i].clone()).collect();
            let got = self.inner.translate(&sent, target).await?;
            let records: Vec<MemoryRecord> = missing
                .iter()
                .zip(got)
                .map(|(&i, translation)| MemoryRecord {
                    key: keys[i].clone(),
                    source_hash: hashes[i].clone(),
                    locale: target,
                    glossary_version: self.glossary_version.clone(),
                    provider: provider.clone(),
                    translation,
                })
                .collect();
            self.memory.put(&records).await?;
            for r in records {
                found.insert(r.key, r.translation);
            }
        }
        keys.iter()
            .map(|k| {
                found.get(k).cloned().ok_or_else(|| {
                    TranslateError::Memory(format!("no result for {k} after translating"))
                })
            })
            .collect()
    }
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
