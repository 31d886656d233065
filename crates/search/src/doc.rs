//! The listing document: one per style, everything a buyer searches, filters, facets or sorts by.

use ddhub_domain::Locale;
use ddhub_domain::catalog;
use ddhub_domain::measure::SizeMeasurements;
use ddhub_translate::{Glossary, translate_title};
use serde::{Deserialize, Serialize};

/// Whether a style can be ordered, as search sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    #[default]
    InStock,
    SoldOut,
    /// 미송: orders taken, shipped later. Searchable like `InStock`.
    Backorder,
    Archived,
}

impl StockState {
    pub fn as_str(self) -> &'static str {
        match self {
            StockState::InStock => "in_stock",
            StockState::SoldOut => "sold_out",
            StockState::Backorder => "backorder",
            StockState::Archived => "archived",
        }
    }

    /// Sold-out and archived styles are left out of search results unless asked for.
    pub fn is_orderable(self) -> bool {
        matches!(self, StockState::InStock | StockState::Backorder)
    }
}

/// A text in every locale DDHub serves; an empty string means "not available in that locale".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    #[serde(default)]
    pub ko: String,
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub ja: String,
    #[serde(rename = "zh-CN", default)]
    pub zh_cn: String,
    #[serde(rename = "zh-TW", default)]
    pub zh_tw: String,
    #[serde(default)]
    pub vi: String,
    #[serde(default)]
    pub th: String,
}

impl LocalizedText {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ko => &self.ko,
            Locale::En => &self.en,
            Locale::Ja => &self.ja,
            Locale::ZhCn => &self.zh_cn,
            Locale::ZhTw => &self.zh_tw,
            Locale::Vi => &self.vi,
            Locale::Th => &self.th,
        }
    }

    pub fn set(&mut self, locale: Locale, text: impl Into<String>) {
        let slot = match locale {
            Locale::Ko => &mut self.ko,
            Locale::En => &mut self.en,
            Locale::Ja => &mut self.ja,
            Locale::ZhCn => &mut self.zh_cn,
            Locale::ZhTw => &mut self.zh_tw,
            Locale::Vi => &mut self.vi,
            Locale::Th => &mut self.th,
        };
        *slot = text.into();
    }
}

/// The wholesaler a style belongs to, as shown in a hit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WholesalerRef {
    pub id: i64,
    pub name: String,
    /// Building, floor and unit: `청평화 2층 B-12`.
    pub building: String,
}

/// What a storefront shows of a hit, kept with the document in the index so a search answer
/// needs no database round trip (as Meilisearch returns its documents): a search node then
/// serves buyers from the index alone, and a changed style shows its new face when its
/// document is rewritten, which the outbox does within seconds. So whatever changes a field
/// shown here must queue `style.changed` for the styles concerned (style and photo writes do;
/// a future edit of a wholesaler's name or building must do it for all its styles), and a new
/// media base URL (`media_public_url`) reaches hits with `ddhub reindex`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitDisplay {
    pub style_code: String,
    /// The title in the query's locale (the Korean one where that locale has none).
    pub title: String,
    pub price_krw: i64,
    pub thumbnail_url: Option<String>,
    pub wholesaler: WholesalerRef,
}

/// [`HitDisplay`] as stored: the title in every locale.
#[derive(Serialize, Deserialize)]
struct StoredDisplay {
    style_code: String,
    title: LocalizedText,
    price_krw: i64,
    thumbnail_url: Option<String>,
    wholesaler: WholesalerRef,
}

impl HitDisplay {
    /// The display of a hit in `locale`, from what [`ListingDoc::stored_display`] wrote;
    /// `None` when the stored text is not one (the caller then reads the database).
    pub fn from_stored(stored: &str, locale: Locale) -> Option<HitDisplay> {
        let s: StoredDisplay = serde_json::from_str(stored).ok()?;
        let title = match s.title.get(locale) {
            "" => s.title.get(Locale::Ko).to_string(),
            t => t.to_string(),
        };
        Some(HitDisplay {
            style_code: s.style_code,
            title,
            price_krw: s.price_krw,
            thumbnail_url: s.thumbnail_url,
            wholesaler: s.wholesaler,
        })
    }
}

/// One style as the search engines see it. A plain value: the store fills it, the backends index it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingDoc {
    pub style_id: i64,
    pub style_code: String,
    pub wholesaler: WholesalerRef,
    /// Category code of the closed vocabulary (`tops/knit/cardigan`).
    pub category: String,
    /// The category and its ancestors, most specific first (`tops/knit/cardigan`, `tops/knit`,
    /// `tops`). [`ListingDoc::category_path_of`] computes it; filters match any entry.
    pub category_path: Vec<String>,
    pub title: LocalizedText,
    /// Attribute lines (material, fit, origin …) per locale.
    pub attributes: LocalizedText,
    pub description: LocalizedText,
    /// Colour codes (`black`, `sky_blue`).
    pub colours: Vec<String>,
    /// Colour families (`black`, `blue`), deduplicated.
    pub colour_families: Vec<String>,
    /// Size codes (`free`, `55`, `m`).
    pub sizes: Vec<String>,
    pub price_krw: i64,
    pub moq: u32,
    pub same_day: bool,
    pub stock: StockState,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
    pub thumbnail_url: Option<String>,
    /// Measured sizes (실측), for the measure-range filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<SizeMeasurements>,
}

/// The style fields [`ListingDoc::build`] needs; titles in other locales come from the glossary.
#[derive(Clone, Debug, Default)]
pub struct StyleFields {
    pub style_id: i64,
    pub style_code: String,
    pub wholesaler: WholesalerRef,
    pub category: String,
    /// The wholesaler's Korean title, as uploaded.
    pub title_ko: String,
    pub attributes: LocalizedText,
    pub description: LocalizedText,
    pub colours: Vec<String>,
    pub sizes: Vec<String>,
    pub price_krw: i64,
    pub moq: u32,
    pub same_day: bool,
    pub stock: StockState,
    pub created_at: i64,
    pub updated_at: i64,
    pub thumbnail_url: Option<String>,
    pub measurements: Vec<SizeMeasurements>,
}

impl ListingDoc {
    /// Builds a document with titles translated by the glossary (offline), the category path
    /// from the category vocabulary and colour families from the colour vocabulary. Unknown
    /// category or colour codes are kept as they are (the path is then the code alone).
    pub fn build(style: StyleFields, glossary: &Glossary) -> ListingDoc {
        let mut title = LocalizedText::default();
        for locale in Locale::ALL {
            title.set(
                locale,
                translate_title(glossary, &style.title_ko, locale).title,
            );
        }
        Self::build_titled(style, title)
    }

    /// Like [`ListingDoc::build`] with titles the caller already has (stored translations), so
    /// a reindex does not translate every title a second time.
    pub fn build_titled(style: StyleFields, title: LocalizedText) -> ListingDoc {
        let colour_families = Self::colour_families_of(&style.colours);
        ListingDoc {
            style_id: style.style_id,
            style_code: style.style_code,
            wholesaler: style.wholesaler,
            category_path: Self::category_path_of(&style.category),
            category: style.category,
            title,
            attributes: style.attributes,
            description: style.description,
            colours: style.colours,
            colour_families,
            sizes: style.sizes,
            price_krw: style.price_krw,
            moq: style.moq,
            same_day: style.same_day,
            stock: style.stock,
            created_at: style.created_at,
            updated_at: style.updated_at,
            thumbnail_url: style.thumbnail_url,
            measurements: style.measurements,
        }
    }

    /// The stored form of this style's [`HitDisplay`] (JSON, every locale's title).
    pub fn stored_display(&self) -> String {
        // Serialising these plain fields cannot fail (no maps with non-string keys).
        serde_json::to_string(&StoredDisplay {
            style_code: self.style_code.clone(),
            title: self.title.clone(),
            price_krw: self.price_krw,
            thumbnail_url: self.thumbnail_url.clone(),
            wholesaler: self.wholesaler.clone(),
        })
        .unwrap_or_default()
    }

    /// The category and its ancestors, most specific first.
    pub fn category_path_of(code: &str) -> Vec<String> {
        match catalog::categories().get(code) {
            Some(c) => c.lineage().map(|c| c.code.to_string()).collect(),
            None if code.is_empty() => Vec::new(),
            None => vec![code.to_string()],
        }
    }

    /// Colour families of the given colour codes, deduplicated, in first-seen order.
    pub fn colour_families_of(colours: &[String]) -> Vec<String> {
        let mut families: Vec<String> = Vec::new();
        for code in colours {
            if let Some(c) = catalog::colours().get(code)
                && !families.iter().any(|f| f == c.family)
            {
                families.push(c.family.to_string());
            }
        }
        families
    }

    /// Attribute text of a locale with the category's label in that locale appended, so a
    /// buyer's category word (`羽绒服`, `Knitwear`) finds the style even when the title lacks it.
    pub fn attribute_text(&self, locale: Locale) -> String {
        let label = catalog::categories()
            .get(&self.category)
            .map(|c| c.labels.get(locale))
            .unwrap_or_default();
        let attrs = self.attributes.get(locale);
        match (attrs.is_empty(), label.is_empty()) {
            (_, true) => attrs.to_string(),
            (true, false) => label.to_string(),
            (false, false) => format!("{attrs} · {label}"),
        }
    }

    /// The category path, computed from `category` when the caller left it empty.
    pub(crate) fn effective_category_path(&self) -> Vec<String> {
        if self.category_path.is_empty() {
            Self::category_path_of(&self.category)
        } else {
            self.category_path.clone()
        }
    }
}
