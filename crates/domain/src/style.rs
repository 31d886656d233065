//! Styles (상품) and their SKUs (colour × size).

use crate::{Krw, PhotoId, SkuId, StyleId, Timestamp, WholesalerId};
use serde::{Deserialize, Serialize};

/// A minimum order quantity, in pieces. Always at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(pub u32);

/// Whether a style can be ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StyleState {
    #[default]
    Active,
    SoldOut,
    Archived,
}

/// Whether one SKU can be ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    #[default]
    InStock,
    /// 미송: the wholesaler takes orders and ships later.
    Backorder,
    /// 품절.
    SoldOut,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
        }
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $t {
            type Err = crate::style::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok(<$t>::$v),)*
                    other => Err(crate::style::UnknownValue {
                        kind: stringify!($t),
                        value: other.to_string(),
                    }),
                }
            }
        }
    };
}
pub(crate) use str_enum;

/// A stored enum value that the code does not know (a newer row read by older code).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown {kind} value {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

str_enum!(StyleState { Active => "active", SoldOut => "sold_out", Archived => "archived" });
str_enum!(StockState { InStock => "in_stock", Backorder => "backorder", SoldOut => "sold_out" });

/// Availability, the one rule: what a SKU offers buyers, partners' feeds and order intake.
impl StockState {
    /// A SKU's own stock while its style is active; every SKU of a sold-out or archived style
    /// is sold out, whatever its own row says.
    pub fn of_sku(style: StyleState, sku: StockState) -> StockState {
        match style {
            StyleState::Active => sku,
            StyleState::SoldOut | StyleState::Archived => StockState::SoldOut,
        }
    }

    /// A style's stock as a listing shows it, from its SKUs' ([`StockState::of_sku`]): in stock
    /// when any SKU is, else backordered when any is, else sold out. A style without SKUs is
    /// in stock while active (it is listed; it has nothing to order yet).
    pub fn of_style(style: StyleState, skus: impl IntoIterator<Item = StockState>) -> StockState {
        let mut any = false;
        let mut backorder = false;
        for sku in skus {
            any = true;
            match StockState::of_sku(style, sku) {
                StockState::InStock => return StockState::InStock,
                StockState::Backorder => backorder = true,
                StockState::SoldOut => {}
            }
        }
        match (any, backorder) {
            (_, true) => StockState::Backorder,
            (true, false) => StockState::SoldOut,
            (false, false) => StockState::of_sku(style, StockState::InStock),
        }
    }
}

/// One material of a composition (`면 100%`, `아크릴70 울30`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositionPart {
    /// Canonical material code (`cotton`, `acrylic`, `wool`, `polyester`, `spandex` …).
    pub material: String,
    /// Percent of the fabric, 1 to 100.
    pub percent: u8,
}

/// A style as the hub knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Style {
    pub id: StyleId,
    pub wholesaler_id: WholesalerId,
    /// The wholesaler's own code (상품코드/품번): the upsert key per wholesaler.
    pub style_code: String,
    pub title_ko: String,
    /// Canonical category code in the category tree (`tops/knit/cardigan`).
    pub category: String,
    pub price: Krw,
    pub moq: Quantity,
    pub composition: Vec<CompositionPart>,
    /// Country of origin as an ISO 3166-1 alpha-2 code (`KR`, `CN`).
    pub origin: Option<String>,
    /// Canonical season code (`ss`, `fw`, `spring`, `transitional` …).
    pub season: Option<String>,
    pub same_day_dispatch: bool,
    pub description_ko: Option<String>,
    /// The style's own shipping weight in grams (무게/중량), when the wholesaler gave one;
    /// [`crate::weights::shipping_weight`] falls back to the category's estimate.
    pub weight_grams: Option<u32>,
    pub state: StyleState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One colour × size of a style.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub id: SkuId,
    pub style_id: StyleId,
    /// Canonical colour code (`black`, `ivory`, `sky_blue`).
    pub colour: String,
    /// Canonical size code (`free`, `55`, `m`, `25`).
    pub size: String,
    pub stock: StockState,
}

/// A photo of a style and the state of its normalisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: PhotoId,
    pub style_id: StyleId,
    pub position: u32,
    /// The file name the wholesaler used.
    pub source_name: String,
    /// SHA-256 of the original bytes, hex: identical uploads share one original.
    pub sha256: String,
    pub state: PhotoState,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoState {
    #[default]
    Pending,
    Ready,
    Failed,
}
str_enum!(PhotoState { Pending => "pending", Ready => "ready", Failed => "failed" });

/// Longest style code a wholesaler may use; longer ones are typos or pasted text.
pub const MAX_STYLE_CODE_CHARS: usize = 64;

/// Checks a wholesaler's style code: non-empty, no control characters, bounded length.
pub fn validate_style_code(code: &str) -> Result<(), &'static str> {
    let c = code.trim();
    if c.is_empty() {
        return Err("empty");
    }
    if c.chars().count() > MAX_STYLE_CODE_CHARS {
        return Err("too_long");
    }
    if c.chars().any(char::is_control) {
        return Err("control_characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_as_text() {
        for s in [
            StyleState::Active,
            StyleState::SoldOut,
            StyleState::Archived,
        ] {
            assert_eq!(s.as_str().parse::<StyleState>(), Ok(s));
        }
        assert!("gone".parse::<StockState>().is_err());
    }

    #[test]
    fn style_codes() {
        assert!(validate_style_code("KN-2041").is_ok());
        assert_eq!(validate_style_code(" "), Err("empty"));
        assert_eq!(validate_style_code(&"x".repeat(65)), Err("too_long"));
        assert_eq!(validate_style_code("a\u{0}b"), Err("control_characters"));
    }

    #[test]
    fn availability_is_one_rule_for_skus_and_styles() {
        use StockState::*;
        assert_eq!(StockState::of_sku(StyleState::Active, Backorder), Backorder);
        assert_eq!(StockState::of_sku(StyleState::SoldOut, InStock), SoldOut);
        assert_eq!(StockState::of_sku(StyleState::Archived, InStock), SoldOut);
        let active = StyleState::Active;
        assert_eq!(
            StockState::of_style(active, [SoldOut, Backorder, InStock]),
            InStock
        );
        assert_eq!(
            StockState::of_style(active, [SoldOut, Backorder]),
            Backorder
        );
        assert_eq!(StockState::of_style(active, [SoldOut, SoldOut]), SoldOut);
        assert_eq!(StockState::of_style(active, []), InStock);
        assert_eq!(
            StockState::of_style(StyleState::SoldOut, [InStock]),
            SoldOut
        );
        assert_eq!(StockState::of_style(StyleState::SoldOut, []), SoldOut);
    }
}
