//! The locales DDHub speaks: Korean, the source, and the six export languages.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A locale DDHub serves. Tags follow BCP 47 as buyers' browsers send them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[serde(rename = "ko")]
    Ko,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "ja")]
    Ja,
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "zh-TW")]
    ZhTw,
    #[serde(rename = "vi")]
    Vi,
    #[serde(rename = "th")]
    Th,
}

impl Locale {
    /// Every locale, Korean first.
    pub const ALL: [Locale; 7] = [
        Locale::Ko,
        Locale::En,
        Locale::Ja,
        Locale::ZhCn,
        Locale::ZhTw,
        Locale::Vi,
        Locale::Th,
    ];

    /// The export locales, by market size for Dongdaemun (everything but Korean).
    pub const TARGETS: [Locale; 6] = [
        Locale::En,
        Locale::Ja,
        Locale::ZhCn,
        Locale::ZhTw,
        Locale::Vi,
        Locale::Th,
    ];

    pub fn tag(self) -> &'static str {
        match self {
            Locale::Ko => "ko",
            Locale::En => "en",
            Locale::Ja => "ja",
            Locale::ZhCn => "zh-CN",
            Locale::ZhTw => "zh-TW",
            Locale::Vi => "vi",
            Locale::Th => "th",
        }
    }

    /// Matches a BCP 47 tag leniently: case-insensitive, `_` or `-`, and region or script
    /// subtags that pick a Chinese variant (`zh-Hant`, `zh-HK` → traditional).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let t = tag.trim().replace('_', "-").to_ascii_lowercase();
        let mut parts = t.split('-');
        let lang = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        Some(match lang {
            "ko" => Locale::Ko,
            "en" => Locale::En,
            "ja" => Locale::Ja,
            "vi" => Locale::Vi,
            "th" => Locale::Th,
            "zh" => {
                if rest
                    .iter()
                    .any(|s| matches!(*s, "tw" | "hk" | "mo" | "hant"))
                {
                    Locale::ZhTw
                } else {
                    Locale::ZhCn
                }
            }
            _ => return None,
        })
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A tag that names no locale DDHub serves.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown locale {0:?}: expected one of ko, en, ja, zh-CN, zh-TW, vi, th")]
pub struct UnknownLocale(pub String);

impl FromStr for Locale {
    type Err = UnknownLocale;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::from_tag(s).ok_or_else(|| UnknownLocale(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_variants_pick_script() {
        assert_eq!(Locale::from_tag("zh-Hant-TW"), Some(Locale::ZhTw));
        assert_eq!(Locale::from_tag("zh_hk"), Some(Locale::ZhTw));
        assert_eq!(Locale::from_tag("zh-Hans"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("zh"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("fr"), None);
    }

    #[test]
    fn tags_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::from_tag(l.tag()), Some(l));
            let json = serde_json::to_string(&l).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", l.tag()));
        }
    }
}
