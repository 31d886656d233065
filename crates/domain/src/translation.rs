//! Translated fields and their review states.

use crate::style::str_enum;
use crate::{Locale, StyleId, Timestamp};
use serde::{Deserialize, Serialize};

/// A field of a style that is shown in each locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranslatableField {
    Title,
    Attributes,
    Description,
    /// The wholesaler's own Korean description, machine-translated when a provider is
    /// configured (kept in Korean and `untranslated` otherwise).
    FreeText,
}
str_enum!(TranslatableField { Title => "title", Attributes => "attributes", Description => "description", FreeText => "free_text" });

/// Who stands behind a translated value, from least to most trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Kept in Korean: free text with no machine-translation provider configured.
    Untranslated,
    /// Composed from the curated glossary, with no unknown words.
    Glossary,
    /// From a machine-translation provider, or a glossary result with romanised unknown words.
    Machine,
    /// Written or corrected by a person.
    Edited,
    /// Checked and approved by a person.
    Approved,
}
str_enum!(ReviewState { Untranslated => "untranslated", Glossary => "glossary", Machine => "machine", Edited => "edited", Approved => "approved" });

impl ReviewState {
    /// Whether an automatic (glossary or machine) result may replace a value in this state.
    /// A person's work is never overwritten by a machine.
    pub fn automatic_may_overwrite(self) -> bool {
        matches!(
            self,
            ReviewState::Untranslated | ReviewState::Glossary | ReviewState::Machine
        )
    }
}

/// One field of one style in one locale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslatedField {
    pub style_id: StyleId,
    pub locale: Locale,
    pub field: TranslatableField,
    pub value: String,
    pub review: ReviewState,
    /// Hash of the Korean source the value was made from, to see when it went stale.
    pub source_hash: String,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_win_over_machines() {
        assert!(ReviewState::Untranslated.automatic_may_overwrite());
        assert!(ReviewState::Glossary.automatic_may_overwrite());
        assert!(ReviewState::Machine.automatic_may_overwrite());
        assert!(!ReviewState::Edited.automatic_may_overwrite());
        assert!(!ReviewState::Approved.automatic_may_overwrite());
    }
}
