//! Partner marketplaces: who pulls feeds and pushes orders, in which language and currency.

use crate::{Currency, Locale, PartnerId, RoundingRule, Timestamp};
use serde::{Deserialize, Serialize};

/// A partner's commercial settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub locale: Locale,
    pub currency: Currency,
    /// Markup on the converted wholesale price, in basis points (1500 = 15%).
    pub markup_bp: i32,
    pub rounding: RoundingRule,
    pub created_at: Timestamp,
    /// Set on a sandbox partner, the test-mode copy of a live partner's view: its keys are
    /// `ddh_pt_…` and its orders never reach a wholesaler.
    pub sandbox_of: Option<PartnerId>,
}

impl Partner {
    /// Whether this is a sandbox (test-mode) partner.
    pub fn is_test(&self) -> bool {
        self.sandbox_of.is_some()
    }
}

/// Largest markup a partner may set (1000%): beyond that it is a typo.
pub const MAX_MARKUP_BP: i32 = 100_000;

/// Checks a partner's markup.
pub fn validate_markup_bp(bp: i32) -> Result<(), String> {
    if !(0..=MAX_MARKUP_BP).contains(&bp) {
        return Err(format!(
            "markup must be between 0 and {} percent",
            MAX_MARKUP_BP / 100
        ));
    }
    Ok(())
}
