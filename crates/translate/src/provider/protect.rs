//! Glossary terms survive machine translation as placeholders (`[[0]]`) that are replaced by the
//! glossary's rendering afterwards, so 꽈배기 comes back as "cable knit", never "pretzel".

use super::{TranslateError, Translation, Translator};
use crate::glossary::{Glossary, Role};
use async_trait::async_trait;
use ddhub_domain::Locale;
use std::sync::Arc;

/// A text with glossary terms replaced by numbered placeholders, and what each one stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    pub text: String,
    /// Rendering in the target locale of placeholder `[[i]]`.
    pub terms: Vec<String>,
}

/// Replaces glossary terms of two or more Hangul syllables in `text` by `[[i]]`. One-syllable
/// terms (면, 청, 롱) are left alone: in running text they are usually parts of other words.
pub fn protect(glossary: &Glossary, text: &str, target: Locale) -> Protected {
    let mut out = String::with_capacity(text.len());
    let mut terms: Vec<String> = Vec::new();
    let mut pos = 0;
    for m in glossary.matcher().find_iter(text) {
        let surface = &text[m.start()..m.end()];
        let syllables = surface
            .chars()
            .filter(|c| ('\u{AC00}'..='\u{D7A3}').contains(c))
            .count();
        let term = glossary.term_at(glossary.pattern_term(m.pattern().as_usize()));
        if syllables < 2 || term.role == Role::Size {
            continue;
        }
        out.push_str(&text[pos..m.start()]);
        let rendering = term.head(target).to_string();
        let index = terms
            .iter()
            .position(|t| *t == rendering)
            .unwrap_or_else(|| {
                terms.push(rendering);
                terms.len() - 1
            });
        out.push_str(&format!("[[{index}]]"));
        pos = m.end();
    }
    out.push_str(&text[pos..]);
    Protected { text: out, terms }
}

/// Puts the renderings back. Tolerates what providers do to brackets (full-width forms, spaces
/// inside); fails when a placeholder went missing, so the caller never stores a mangled text.
pub fn restore(translated: &str, terms: &[String]) -> Result<String, TranslateError> {
    let text = translated
        .replace(['［', '【'], "[")
        .replace(['］', '】'], "]");
    let mut out = String::with_capacity(text.len());
    let mut seen = vec![false; terms.len()];
    let mut rest = text.as_str();
    while let Some(open) = rest.find("[[") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let inner_end = after.find("]]");
        let index = inner_end.and_then(|e| after[..e].trim().parse::<usize>().ok());
        match (index, inner_end) {
            (Some(i), Some(e)) if i < terms.len() => {
                out.push_str(&terms[i]);
                seen[i] = true;
                rest = &after[e + 2..];
            }
            _ => {
                out.push_str("[[");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(TranslateError::PlaceholderLost {
            placeholder: format!("[[{i}]]"),
        });
    }
    Ok(out)
}

/// Wraps a machine-translation provider with glossary protection.
pub struct ProtectedTranslator {
    inner: Arc<dyn Translator>,
    glossary: Arc<Glossary>,
    id: String,
}

impl ProtectedTranslator {
    pub fn new(inner: Arc<dyn Translator>, glossary: Arc<Glossary>) -> Self {
        let id = format!("{}+glossary", inner.id());
        ProtectedTranslator {
            inner,
            glossary,
            id,
        }
    }
}

impl std::fmt::Debug for ProtectedTranslator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtectedTranslator")
            .field("id", &self.id)
            .finish()
    }
}

#[async_trait]
impl Translator for ProtectedTranslator {
    fn id(&self) -> &str {
        &self.id
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        let protected: Vec<Protected> = texts
            .iter()
            .map(|t| protect(&self.glossary, t, target))
            .collect();
        let sent: Vec<String> = protected.iter().map(|p| p.text.clone()).collect();
        let got = self.inner.translate(&sent, target).await?;
        got.into_iter()
            .zip(protected)
            .map(|(t, p)| {
                Ok(Translation {
                    text: restore(&t.text, &p.terms)?,
                    review_state: t.review_state,
                })
            })
            .collect()
    }
}
