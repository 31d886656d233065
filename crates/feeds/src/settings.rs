//! A partner's feed settings: what it sees (locale, currency, markup, categories, sizes) and
//! which part of the catalog. The lead stores them as JSON on the partner row.

use crate::item::Gender;
use crate::size::FeedSizeSystem;
use crate::writer::FeedFormat;
use ddhub_domain::{Currency, Locale, RoundingRule, WholesalerId, catalog, partner};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Default buyer page link: `{base_url}` is the hub's public address.
pub const DEFAULT_LINK_TEMPLATE: &str = "{base_url}/styles/{style_id}";

/// Placeholders a link template may use.
pub const LINK_PLACEHOLDERS: [&str; 6] = [
    "{base_url}",
    "{style_id}",
    "{style_code}",
    "{sku_id}",
    "{colour}",
    "{size}",
];

/// Where one DDHub category goes in the partner's taxonomy and in Google's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryTarget {
    /// The partner's own category id, written to CSV/JSON Lines as `partner_category`.
    pub partner_category: Option<String>,
    /// A Google product category: its numeric id (`"212"`) or full path
    /// (`"Apparel & Accessories > Clothing > Shirts & Tops"`).
    pub google_category: Option<String>,
}

/// A flat shipping rate shown with every item (`g:shipping`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingDefault {
    /// ISO 3166-1 alpha-2 destination country (`US`, `JP`).
    pub country: String,
    /// Optional service name (`Standard`, `EMS`).
    #[serde(default)]
    pub service: Option<String>,
    /// Price in the partner currency's minor unit (cents for USD, yen for JPY).
    pub price_minor: i64,
}

/// Everything that shapes one partner's feed. Unknown JSON fields are rejected so a typo in the
/// admin API is an error, not a silently ignored setting; missing fields take the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedSettings {
    /// Language of titles, descriptions and vocabulary labels.
    pub locale: Locale,
    pub currency: Currency,
    /// Markup on the converted wholesale price in basis points (1500 = 15%).
    pub markup_bp: i32,
    pub rounding: RoundingRule,
    /// DDHub category code → partner/Google category. A category without an entry takes its
    /// nearest ancestor's; without any, Google's comes from the shipped default mapping.
    pub category_map: BTreeMap<String, CategoryTarget>,
    pub size_system: FeedSizeSystem,
    /// Name of the imaging profile whose URLs the feed carries (the lead builds the URLs).
    pub image_profile: String,
    /// Only these wholesalers; `None` means all.
    pub wholesalers: Option<BTreeSet<WholesalerId>>,
    /// Only these categories and their subtrees; `None` means all.
    pub categories: Option<BTreeSet<String>>,
    /// Styles with fewer photos are left out (Google needs at least one image).
    pub min_photos: u32,
    /// Gender when the style does not say.
    pub default_gender: Gender,
    pub shipping: Vec<ShippingDefault>,
    /// Buyer page link; see [`LINK_PLACEHOLDERS`].
    pub link_template: String,
    /// For backordered SKUs without an expected date: days after the style's last update
    /// given as `availability_date`.
    pub backorder_days: u32,
    /// The format the partner's feed is written in when the request names none (`format=`).
    pub format: FeedFormat,
    /// Title case for marketplace channels; `None` takes the channel's convention (title case
    /// for Shopify and Shopee, unchanged for Yahoo! Japan).
    pub title_case: Option<TitleCase>,
    /// Leave out styles whose title is not translated into `locale`; `None`: yes for the
    /// marketplace channels, no for `gmc-xml`, `csv` and `jsonl` (the Korean title stands in).
    pub require_translation: Option<bool>,
    /// Words the partner's marketplace refuses in titles, added to the channel's own list; each
    /// is removed from a title and the fix recorded.
    pub forbidden_words: Vec<String>,
    /// Shipping weight of one piece in grams when a style does not say (Shopify, Shopee).
    pub weight_g: u32,
    /// Package length, width and height in cm (Shopee).
    pub package_cm: [u32; 3],
    /// Stock shown for an available variant where a marketplace needs a count (Shopee); DDHub
    /// does not count pieces, wholesalers confirm each order.
    pub channel_stock: u32,
    /// Shopee markets the global item is published to; its title fits the strictest limit.
    pub shopee_markets: Vec<String>,
}

/// How a marketplace channel capitalises titles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleCase {
    /// As translated.
    Keep,
    /// First letter capitalised, the rest as translated.
    Sentence,
    /// Each major word capitalised (`Loose-Fit Cable Knit Cardigan in Black`).
    Title,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            locale: Locale::En,
            currency: Currency::Usd,
            markup_bp: 0,
            rounding: RoundingRule::None,
            category_map: BTreeMap::new(),
            size_system: FeedSizeSystem::Us,
            image_profile: "gmc".to_string(),
            wholesalers: None,
            categories: None,
            min_photos: 1,
            default_gender: Gender::Female,
            shipping: Vec::new(),
            link_template: DEFAULT_LINK_TEMPLATE.to_string(),
            backorder_days: 14,
            format: FeedFormat::GmcXml,
            title_case: None,
            require_translation: None,
            forbidden_words: Vec::new(),
            weight_g: 400,
            package_cm: [30, 25, 5],
            channel_stock: 10,
            shopee_markets: ["SG", "MY", "TH", "TW", "PH"]
                .iter()
                .map(|m| (*m).to_string())
                .collect(),
        }
    }
}

/// A setting that cannot produce a valid feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("markup: {0}")]
    Markup(String),
    #[error("unknown category {0:?}")]
    UnknownCategory(String),
    #[error("google category for {code:?} must be a numeric id or a path: {value:?}")]
    GoogleCategory { code: String, value: String },
    #[error("shipping country {0:?} is not an ISO 3166-1 alpha-2 code")]
    ShippingCountry(String),
    #[error("shipping price must not be negative")]
    ShippingPrice,
    #[error("link template {0:?} must contain {{base_url}} and only known placeholders")]
    LinkTemplate(String),
    #[error("base URL {0:?} must start with http:// or https://")]
    BaseUrl(String),
    #[error("settings JSON: {0}")]
    Json(String),
    #[error("shopee market {0:?} is not one of SG, MY, TH, TW, PH, VN, BR, MX")]
    ShopeeMarket(String),
    #[error("weight and package sizes must be above zero")]
    Package,
}

impl ddhub_domain::error::Coded for SettingsError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        ddhub_domain::error::ErrorCode::InvalidFeedSettings
    }

    /// What is wrong with the settings the partner sent (its own values only).
    fn public_detail(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl FeedSettings {
    /// Reads settings stored as JSON.
    pub fn from_json(json: &str) -> Result<Self, SettingsError> {
        let s: FeedSettings =
            serde_json::from_str(json).map_err(|e| SettingsError::Json(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Checks everything that can be checked without the catalog.
    pub fn validate(&self) -> Result<(), SettingsError> {
        partner::validate_markup_bp(self.markup_bp).map_err(SettingsError::Markup)?;
        let known = |c: &str| catalog::categories().get(c).is_some();
        for (code, target) in &self.category_map {
            if !known(code) {
                return Err(SettingsError::UnknownCategory(code.clone()));
            }
            if let Some(g) = &target.google_category {
                let numeric = !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
                let path = !g.trim().is_empty() && !g.chars().any(char::is_control);
                if !(numeric || path) {
                    return Err(SettingsError::GoogleCategory {
                        code: code.clone(),
                        value: g.clone(),
                    });
                }
            }
        }
        for code in self.categories.iter().flatten() {
            if !known(code) {
                return Err(SettingsError::UnknownCategory(code.clone()));
            }
        }
        for s in &self.shipping {
            if s.country.len() != 2 || !s.country.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(SettingsError::ShippingCountry(s.country.clone()));
            }
            if s.price_minor < 0 {
                return Err(SettingsError::ShippingPrice);
            }
        }
        check_link_template(&self.link_template)?;
        for m in &self.shopee_markets {
            if crate::channels::shopee::title_limit(m).is_none() {
                return Err(SettingsError::ShopeeMarket(m.clone()));
            }
        }
        if self.weight_g == 0 || self.package_cm.contains(&0) {
            return Err(SettingsError::Package);
        }
        Ok(())
    }

    /// Whether untranslated styles are left out of a feed in `format` (see
    /// [`FeedSettings::require_translation`]).
    pub fn requires_translation(&self, format: FeedFormat) -> bool {
        self.locale != ddhub_domain::Locale::Ko
            && self.require_translation.unwrap_or(format.is_marketplace())
    }

    /// SHA-256 (hex) of the settings' canonical JSON. Maps and sets are ordered, so equal
    /// settings always give the same fingerprint; an ETag input.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }
}

fn check_link_template(t: &str) -> Result<(), SettingsError> {
    let bad = || SettingsError::LinkTemplate(t.to_string());
    if !t.starts_with("{base_url}") {
        return Err(bad());
    }
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(bad)? + open;
        if !LINK_PLACEHOLDERS.contains(&&rest[open..=close]) {
            return Err(bad());
        }
        rest = &rest[close + 1..];
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_round_trip() {
        let s = FeedSettings::default();
        assert_eq!(s.validate(), Ok(()));
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(FeedSettings::from_json(&json), Ok(s.clone()));
        assert_eq!(FeedSettings::from_json("{}"), Ok(s));
    }

    #[test]
    fn rejects_bad_settings() {
        assert!(FeedSettings::from_json(r#"{"markup":1}"#).is_err());
        let mut s = FeedSettings {
            link_template: "https://x/{style_id}".into(),
            ..FeedSettings::default()
        };
        assert!(s.validate().is_err());
        s.link_template = "{base_url}/s/{nope}".into();
        assert!(s.validate().is_err());
        s.link_template = DEFAULT_LINK_TEMPLATE.into();
        s.category_map
            .insert("tops/nope".into(), CategoryTarget::default());
        assert_eq!(
            s.validate(),
            Err(SettingsError::UnknownCategory("tops/nope".into()))
        );
    }

    #[test]
    fn fingerprint_follows_content() {
        let a = FeedSettings::default();
        let b = FeedSettings {
            markup_bp: 1,
            ..FeedSettings::default()
        };
        assert_eq!(a.fingerprint(), FeedSettings::default().fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
