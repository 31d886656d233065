//! From a style and its SKUs, as the store knows them, to one feed item per SKU in a partner's
//! language, currency, categories and size system.

use crate::category::{CategoryResolution, lineage};
use crate::settings::{FeedSettings, SettingsError};
use crate::size::convert_size;
use crate::text::{clean_text, encode_path_segment, truncate_chars};
use ddhub_domain::catalog;
use ddhub_domain::measure::SizeMeasurements;
use ddhub_domain::style::{CompositionPart, StockState, StyleState};
use ddhub_domain::{Krw, Money, RatePerKrw, SkuId, StyleId, Timestamp, WholesalerId};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// Google's limits, in characters.
pub const MAX_ID: usize = 50;
pub const MAX_TITLE: usize = 150;
pub const MAX_DESCRIPTION: usize = 5000;
pub const MAX_BRAND: usize = 70;
pub const MAX_MPN: usize = 70;
pub const MAX_COLOR: usize = 100;
pub const MAX_SIZE: usize = 100;
pub const MAX_MATERIAL: usize = 200;
pub const MAX_PRODUCT_TYPE: usize = 750;
/// Google reads up to 10 additional images.
pub const MAX_ADDITIONAL_IMAGES: usize = 10;
/// Google reads up to 3 materials joined by `/`.
pub const MAX_MATERIALS: usize = 3;

/// Who a style is for (`g:gender`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    #[default]
    Female,
    Male,
    Unisex,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Unisex => "unisex",
        }
    }
}

/// `g:availability`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    InStock,
    OutOfStock,
    Backorder,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::InStock => "in_stock",
            Availability::OutOfStock => "out_of_stock",
            Availability::Backorder => "backorder",
        }
    }
}

/// `g:condition`: wholesale stock is always new.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    #[default]
    New,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        "new"
    }
}

/// `g:age_group`: Dongdaemun wholesale is adult wear.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    #[default]
    Adult,
}

impl AgeGroup {
    pub fn as_str(self) -> &'static str {
        "adult"
    }
}

/// One SKU of a [`FeedStyle`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSku {
    pub sku_id: SkuId,
    /// Canonical colour code (`black`, `sky_blue`).
    pub colour: String,
    /// Canonical size code (`free`, `55`, `m`, `28`, `235`).
    pub size: String,
    pub stock: StockState,
    /// When a backordered SKU is expected (미송 date), if the wholesaler said.
    pub expected: Option<Timestamp>,
    /// A photo of this colour, if the wholesaler gave one per colour (URL in the partner's
    /// image profile).
    pub image: Option<String>,
}

/// A style with its SKUs, as the lead reads it from the store for one partner: texts already
/// translated into the partner's locale, photo URLs already in the partner's image profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStyle {
    pub style_id: StyleId,
    /// The wholesaler's code (품번).
    pub style_code: String,
    pub wholesaler_id: WholesalerId,
    /// The wholesaler's shop name: the feed's brand.
    pub wholesaler_name: String,
    pub title: String,
    pub description: String,
    /// Category code in DDHub's tree (`tops/knit/cardigan`).
    pub category: String,
    /// `None`: the partner's default gender.
    pub gender: Option<Gender>,
    pub price: Krw,
    pub moq: u32,
    pub composition: Vec<CompositionPart>,
    /// ISO 3166-1 alpha-2.
    pub origin: Option<String>,
    /// Photo URLs, main photo first.
    pub photos: Vec<String>,
    pub state: StyleState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub skus: Vec<FeedSku>,
    /// The style's own weight in grams; `None` takes the category's estimated default.
    #[serde(default)]
    pub weight_grams: Option<u32>,
    /// Measured sizes (실측), one entry per size, in cm.
    #[serde(default)]
    pub measurements: Vec<SizeMeasurements>,
    /// The model's fit note (`모델 168cm 55 착용`).
    #[serde(default)]
    pub fit_note: Option<String>,
    /// Shipping of the minimum order per country (ISO alpha-2) from the carrier rate tables, in
    /// won; used for `g:shipping` when the partner's settings list none.
    #[serde(default)]
    pub shipping_krw: Vec<(String, Krw)>,
    /// What the store knows about the style's readiness beyond its fields (for diagnostics).
    #[serde(default)]
    pub extras: StyleExtras,
}

/// Facts about a style's inputs that decide whether a partner can list it, gathered by the
/// application layer: whether its title is in the partner's locale, how many photos lack the
/// partner's image profile because they are too small, and the wholesaler's name in Latin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StyleExtras {
    /// The title has no translation into the partner's locale (the Korean title stands in).
    pub untranslated: bool,
    /// Ready photos left out because their long edge is under the image profile's minimum.
    pub photos_below_profile: u32,
    /// The wholesaler's name romanised (Revised Romanization), for non-Korean locales.
    pub wholesaler_name_latin: Option<String>,
}

/// A `g:shipping` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedShipping {
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(serialize_with = "money_object")]
    pub price: Money,
}

/// One SKU as every format writes it. Field names are Google's attribute names; the last
/// fields (`partner_category` onwards) are not GMC attributes and appear in CSV and JSON Lines
/// only. All text is already cleaned ([`clean_text`]) and within Google's limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedItem {
    pub id: String,
    pub item_group_id: String,
    pub title: String,
    pub description: String,
    pub link: String,
    pub image_link: String,
    pub additional_image_link: Vec<String>,
    /// `{"amount": "2236", "currency": "JPY"}` in JSON (docs/api-conventions.md); the formats
    /// for Google write Google's `2236 JPY`.
    #[serde(serialize_with = "money_object")]
    pub price: Money,
    pub availability: Availability,
    /// ISO 8601, for backordered items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_date: Option<String>,
    pub condition: Condition,
    pub brand: String,
    /// The wholesaler's own (Korean) name when `brand` is its romanised form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_native: Option<String>,
    /// Always `no`: wholesale styles have no GTIN.
    #[serde(serialize_with = "yes_no")]
    pub identifier_exists: bool,
    pub mpn: String,
    /// Google's `color` attribute; DDHub's JSON spells it `colour` (docs/api-conventions.md).
    #[serde(rename = "colour")]
    pub color: String,
    pub size: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_system: Option<&'static str>,
    pub gender: Gender,
    pub age_group: AgeGroup,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    pub google_product_category: String,
    /// DDHub's category path in the partner's language, `Tops > Knitwear > Cardigans`.
    pub product_type: String,
    pub shipping: Vec<FeedShipping>,
    /// `350 g`: the style's weight, or its category's estimate
    /// ([`ddhub_domain::weights::shipping_weight`]).
    pub shipping_weight: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_category: Option<String>,
    pub moq: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub style_id: StyleId,
    pub sku_id: SkuId,
    /// RFC 3339 UTC in JSON (docs/api-conventions.md).
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: Timestamp,
    /// The style's measured sizes (every size: a size chart), in cm; JSON Lines only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<SizeMeasurements>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit_note: Option<String>,
}

/// Money as DDHub's JSON writes it: a decimal string in major units and the ISO 4217 code.
fn money_object<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut o = s.serialize_struct("Money", 2)?;
    o.serialize_field("amount", &m.decimal())?;
    o.serialize_field("currency", m.currency.code())?;
    o.end()
}

/// An instant as DDHub's JSON writes it: RFC 3339 in UTC.
pub(crate) fn rfc3339<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso8601(*t))
}

fn yes_no<S: Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *b { "yes" } else { "no" })
}

/// Why a style's SKUs are not in a partner's feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The partner does not take this wholesaler.
    Wholesaler,
    /// The partner does not take this category.
    Category,
    /// Fewer photos than the partner's minimum.
    TooFewPhotos,
    /// No exchange rate for the partner's currency.
    NoRate,
    /// The converted price overflowed.
    Price,
    /// The style is archived.
    Archived,
    /// The style has no SKUs.
    NoSkus,
    /// No Google category for the style's category (cannot happen with the shipped mapping).
    NoGoogleCategory,
    /// No ready photo at all.
    NoPhoto,
    /// Photos exist but are under the partner's image profile's minimum size.
    PhotoBelowProfile,
    /// The title is not translated into the partner's locale (marketplace channels only).
    NotTranslated,
}

/// Styles and items (SKUs) left out of a feed, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SkipCounts {
    pub styles: BTreeMap<SkipReason, u64>,
    pub items: BTreeMap<SkipReason, u64>,
}

impl SkipCounts {
    pub fn total_items(&self) -> u64 {
        self.items.values().sum()
    }
    pub fn total_styles(&self) -> u64 {
        self.styles.values().sum()
    }
}

/// A piece of the link template, parsed once.
#[derive(Clone, Debug)]
enum LinkPart {
    Lit(String),
    StyleId,
    StyleCode,
    SkuId,
    Colour,
    Size,
}

/// Applies one partner's settings to styles. Holds no catalog data: memory stays flat however
/// many styles pass through.
#[derive(Debug)]
pub struct FeedMapper<'s> {
    settings: &'s FeedSettings,
    rate: Option<RatePerKrw>,
    link: Vec<LinkPart>,
    skipped: SkipCounts,
    items: u64,
    format: crate::writer::FeedFormat,
}

impl<'s> FeedMapper<'s> {
    /// `rate` is the operator's current rate for the partner's currency (`None` or another
    /// currency: every style is skipped with [`SkipReason::NoRate`]). `base_url` is the hub's
    /// public address (`https://hub.example`).
    pub fn new(
        settings: &'s FeedSettings,
        rate: Option<RatePerKrw>,
        base_url: &str,
    ) -> Result<Self, SettingsError> {
        settings.validate()?;
        let base = base_url.trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || base.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(SettingsError::BaseUrl(base_url.to_string()));
        }
        let rate = rate.filter(|r| r.currency == settings.currency);
        Ok(FeedMapper {
            settings,
            rate,
            link: parse_link(&settings.link_template, base),
            skipped: SkipCounts::default(),
            items: 0,
            format: settings.format,
        })
    }

    /// The format the items are for (the partner's setting unless the request names one):
    /// marketplace channels leave untranslated styles out by default.
    pub fn set_format(&mut self, format: crate::writer::FeedFormat) {
        self.format = format;
    }

    pub fn settings(&self) -> &FeedSettings {
        self.settings
    }

    /// What was left out so far.
    pub fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }

    /// Items produced so far.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Whether the partner's settings leave this style out, and why.
    pub fn exclusion(&self, style: &FeedStyle) -> Option<SkipReason> {
        let s = self.settings;
        if style.state == StyleState::Archived {
            return Some(SkipReason::Archived);
        }
        if style.skus.is_empty() {
            return Some(SkipReason::NoSkus);
        }
        if let Some(w) = &s.wholesalers
            && !w.contains(&style.wholesaler_id)
        {
            return Some(SkipReason::Wholesaler);
        }
        if let Some(cats) = &s.categories
            && !lineage(&style.category).any(|c| cats.contains(c))
        {
            return Some(SkipReason::Category);
        }
        if style.photos.len() < usize::try_from(s.min_photos.max(1)).unwrap_or(usize::MAX) {
            return Some(
                if style.photos.is_empty() && style.extras.photos_below_profile > 0 {
                    SkipReason::PhotoBelowProfile
                } else if style.photos.is_empty() {
                    SkipReason::NoPhoto
                } else {
                    SkipReason::TooFewPhotos
                },
            );
        }
        if style.extras.untranslated && s.requires_translation(self.format) {
            return Some(SkipReason::NotTranslated);
        }
        if self.rate.is_none() {
            return Some(SkipReason::NoRate);
        }
        None
    }

    fn skip(&mut self, style: &FeedStyle, reason: SkipReason) -> SkipReason {
        *self.skipped.styles.entry(reason).or_default() += 1;
        *self.skipped.items.entry(reason).or_default() += style.skus.len() as u64;
        reason
    }

    /// Appends one item per SKU of `style` to `out` (cleared first), or counts the style as
    /// skipped and says why. `out` is reused across styles so a feed allocates per item, not per
    /// style list.
    pub fn map_style(
        &mut self,
        style: &FeedStyle,
        out: &mut Vec<FeedItem>,
    ) -> Result<usize, SkipReason> {
        out.clear();
        if let Some(reason) = self.exclusion(style) {
            return Err(self.skip(style, reason));
        }
        let s = self.settings;
        let Some(rate) = self.rate else {
            return Err(self.skip(style, SkipReason::NoRate));
        };
        let Ok(price) = rate.convert(style.price, s.markup_bp, s.rounding) else {
            return Err(self.skip(style, SkipReason::Price));
        };
        let cat = CategoryResolution::resolve(s, &style.category);
        let Some(google) = cat.google else {
            return Err(self.skip(style, SkipReason::NoGoogleCategory));
        };
        let locale = s.locale;

        let code = clean_text(style.style_code.trim());
        let code = id_safe(&code);
        let group = bounded_id(format!("{}-{code}", style.wholesaler_id), || {
            format!("{}-s{}", style.wholesaler_id, style.style_id)
        });
        let base_title = clean_text(style.title.trim());
        let base_title = if base_title.is_empty() {
            code.clone()
        } else {
            base_title.into_owned()
        };
        let description = clean_text(style.description.trim());
        let description = if description.is_empty() {
            base_title.clone()
        } else {
            truncate_chars(&description, MAX_DESCRIPTION).to_string()
        };
        let native_brand =
            truncate_chars(&clean_text(style.wholesaler_name.trim()), MAX_BRAND).to_string();
        // Brand in the partner's script: the romanised name abroad, the Korean one beside it.
        let (brand, brand_native) = match style.extras.wholesaler_name_latin.as_deref() {
            Some(latin) if locale != ddhub_domain::Locale::Ko && !latin.trim().is_empty() => (
                truncate_chars(&clean_text(latin.trim()), MAX_BRAND).to_string(),
                Some(native_brand),
            ),
            _ => (native_brand, None),
        };
        let material = material_text(&style.composition, locale);
        let product_type = product_type(&style.category, locale);
        let gender = style.gender.unwrap_or(s.default_gender);
        let origin = style.origin.as_deref().map(|o| clean_text(o).into_owned());
        let shipping_weight =
            ddhub_domain::weights::shipping_weight(style.weight_grams, &style.category).feed_text();
        let estimated: Vec<FeedShipping> = if s.shipping.is_empty() {
            style
                .shipping_krw
                .iter()
                .filter_map(|(country, krw)| {
                    let price = rate.convert(*krw, 0, s.rounding).ok()?;
                    Some(FeedShipping {
                        country: country.clone(),
                        service: Some("EMS".into()),
                        price,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        let shipping: Vec<FeedShipping> = s
            .shipping
            .iter()
            .map(|d| FeedShipping {
                country: d.country.clone(),
                service: d.service.as_deref().map(|v| clean_text(v).into_owned()),
                price: Money {
                    minor: d.price_minor,
                    currency: s.currency,
                },
            })
            .chain(estimated)
            .collect();
        let photos: Vec<String> = style
            .photos
            .iter()
            .map(|p| clean_text(p.trim()).into_owned())
            .collect();
        let backorder_default = style.updated_at.plus(std::time::Duration::from_secs(
            86_400 * u64::from(s.backorder_days),
        ));

        for sku in &style.skus {
            let colour = colour_label(&sku.colour, locale);
            let size = convert_size(&sku.size, s.size_system);
            let size_text = truncate_chars(&clean_text(&size.size), MAX_SIZE).to_string();
            let suffix = format!(" - {colour} - {size_text}");
            let room = MAX_TITLE.saturating_sub(suffix.chars().count());
            let title = if room >= 10 {
                format!("{}{suffix}", truncate_chars(&base_title, room))
            } else {
                truncate_chars(&base_title, MAX_TITLE).to_string()
            };
            let colour_code = id_safe(&clean_text(&sku.colour));
            let size_code = id_safe(&clean_text(&sku.size));
            let id = sku_item_id(style, &code, &colour_code, &size_code, sku);
            let mpn =
                truncate_chars(&format!("{code}-{colour_code}-{size_code}"), MAX_MPN).to_string();
            let (image_link, additional) = images(sku.image.as_deref(), &photos);
            let availability = match StockState::of_sku(style.state, sku.stock) {
                StockState::SoldOut => Availability::OutOfStock,
                StockState::Backorder => Availability::Backorder,
                StockState::InStock => Availability::InStock,
            };
            let availability_date = (availability == Availability::Backorder)
                .then(|| iso8601(sku.expected.unwrap_or(backorder_default)));
            out.push(FeedItem {
                id,
                item_group_id: group.clone(),
                title,
                description: description.clone(),
                link: self.link(style, sku),
                image_link,
                additional_image_link: additional,
                price,
                availability,
                availability_date,
                condition: Condition::New,
                brand: brand.clone(),
                brand_native: brand_native.clone(),
                identifier_exists: false,
                mpn,
                color: colour,
                size: size_text,
                size_system: size.system,
                gender,
                age_group: AgeGroup::Adult,
                material: material.clone(),
                google_product_category: google.clone(),
                product_type: product_type.clone(),
                shipping: shipping.clone(),
                shipping_weight: shipping_weight.clone(),
                partner_category: cat.partner.clone(),
                moq: style.moq.max(1),
                origin: origin.clone(),
                style_id: style.style_id,
                sku_id: sku.sku_id,
                updated_at: style.updated_at,
                measurements: style.measurements.clone(),
                fit_note: style.fit_note.clone(),
            });
        }
        self.items += out.len() as u64;
        Ok(out.len())
    }

    fn link(&self, style: &FeedStyle, sku: &FeedSku) -> String {
        let mut out = String::with_capacity(64);
        for part in &self.link {
            match part {
                LinkPart::Lit(s) => out.push_str(s),
                LinkPart::StyleId => out.push_str(&style.style_id.to_string()),
                LinkPart::SkuId => out.push_str(&sku.sku_id.to_string()),
                LinkPart::StyleCode => encode_path_segment(style.style_code.trim(), &mut out),
                LinkPart::Colour => encode_path_segment(&sku.colour, &mut out),
                LinkPart::Size => encode_path_segment(&sku.size, &mut out),
            }
        }
        out
    }
}

fn parse_link(template: &str, base: &str) -> Vec<LinkPart> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            break;
        };
        if open > 0 {
            parts.push(LinkPart::Lit(rest[..open].to_string()));
        }
        parts.push(match &rest[open..=close] {
            "{base_url}" => LinkPart::Lit(base.to_string()),
            "{style_id}" => LinkPart::StyleId,
            "{style_code}" => LinkPart::StyleCode,
            "{sku_id}" => LinkPart::SkuId,
            "{colour}" => LinkPart::Colour,
            "{size}" => LinkPart::Size,
            other => LinkPart::Lit(other.to_string()),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(LinkPart::Lit(rest.to_string()));
    }
    parts
}

/// Whitespace inside an id becomes `_` (ids are tokens in Google's tools and in CSV exports).
/// The feed item id (`g:id`) of one SKU. It depends only on the style and SKU codes, never on
/// a partner's settings, so a tombstone can name an item the partner's settings now leave out.
pub fn item_id(style: &FeedStyle, sku: &FeedSku) -> String {
    item_id_of(
        style.wholesaler_id,
        style.style_id,
        &style.style_code,
        sku.sku_id,
        &sku.colour,
        &sku.size,
    )
}

/// [`item_id`] from the SKU's facts as the store holds them (order intake matches a
/// partner's `item_id` with it).
pub fn item_id_of(
    wholesaler: WholesalerId,
    style_id: StyleId,
    style_code: &str,
    sku_id: SkuId,
    colour: &str,
    size: &str,
) -> String {
    let code = id_safe(&clean_text(style_code.trim()));
    let colour_code = id_safe(&clean_text(colour));
    let size_code = id_safe(&clean_text(size));
    bounded_id(
        format!("{wholesaler}-{code}-{colour_code}-{size_code}"),
        || format!("{wholesaler}-s{style_id}-{sku_id}"),
    )
}

/// The catalog keys an [`item_id`] may stand for: the SKU id of its short form, and the style
/// codes its long form may carry (whitespace in a code became `_`). The caller confirms a
/// candidate by computing [`item_id_of`] again; this only narrows the lookup.
pub fn item_id_candidates(id: &str) -> (Option<SkuId>, Vec<String>) {
    let Some((_, rest)) = id.split_once('-') else {
        return (None, Vec::new());
    };
    let short = rest
        .strip_prefix('s')
        .and_then(|r| r.split_once('-'))
        .and_then(|(_, sku)| sku.parse::<i64>().ok())
        .map(SkuId);
    let mut codes = Vec::new();
    let mut parts = rest.rsplitn(3, '-');
    if let (Some(_size), Some(_colour), Some(code)) = (parts.next(), parts.next(), parts.next()) {
        codes.push(code.to_string());
        if code.contains('_') {
            codes.push(code.replace('_', " "));
        }
    }
    (short, codes)
}

fn sku_item_id(
    style: &FeedStyle,
    code: &str,
    colour_code: &str,
    size_code: &str,
    sku: &FeedSku,
) -> String {
    bounded_id(
        format!("{}-{code}-{colour_code}-{size_code}", style.wholesaler_id),
        || format!("{}-s{}-{}", style.wholesaler_id, style.style_id, sku.sku_id),
    )
}

fn id_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// `natural` if it fits Google's 50-character id limit, else the short numeric form. Both are
/// deterministic, so an item keeps its id from feed to feed.
fn bounded_id(natural: String, short: impl FnOnce() -> String) -> String {
    if natural.chars().count() <= MAX_ID {
        natural
    } else {
        short()
    }
}

fn colour_label(code: &str, locale: ddhub_domain::Locale) -> String {
    let label = catalog::colours()
        .get(code)
        .map(|c| c.labels.get(locale).to_string())
        .unwrap_or_else(|| clean_text(code).into_owned());
    truncate_chars(&label, MAX_COLOR).to_string()
}

/// `70% Acrylic/30% Wool`: the three largest parts, labels in the partner's language.
fn material_text(parts: &[CompositionPart], locale: ddhub_domain::Locale) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    let mut sorted: Vec<&CompositionPart> = parts.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.percent));
    let text = sorted
        .iter()
        .take(MAX_MATERIALS)
        .map(|p| {
            let label = catalog::materials()
                .get(&p.material)
                .map(|m| m.labels.get(locale).to_string())
                .unwrap_or_else(|| clean_text(&p.material).replace('/', " "));
            format!("{}% {label}", p.percent)
        })
        .collect::<Vec<_>>()
        .join("/");
    Some(truncate_chars(&text, MAX_MATERIAL).to_string())
}

fn product_type(code: &str, locale: ddhub_domain::Locale) -> String {
    let mut names: Vec<&str> = lineage(code)
        .map(|c| {
            catalog::categories()
                .get(c)
                .map(|cat| cat.labels.get(locale))
                .unwrap_or(c)
        })
        .collect();
    names.reverse();
    truncate_chars(&clean_text(&names.join(" > ")), MAX_PRODUCT_TYPE).to_string()
}

fn images(sku_image: Option<&str>, photos: &[String]) -> (String, Vec<String>) {
    let main = sku_image
        .map(|s| clean_text(s.trim()).into_owned())
        .filter(|s| !s.is_empty());
    match main {
        Some(m) => {
            let extra = photos
                .iter()
                .filter(|p| **p != m)
                .take(MAX_ADDITIONAL_IMAGES)
                .cloned()
                .collect();
            (m, extra)
        }
        None => {
            let mut it = photos.iter();
            let first = it.next().cloned().unwrap_or_default();
            (first, it.take(MAX_ADDITIONAL_IMAGES).cloned().collect())
        }
    }
}

/// `2026-12-11T00:00:00Z` from milliseconds since the epoch. Hand-written (Howard Hinnant's
/// civil-from-days) because the crate takes no date library for one format.
pub fn iso8601(t: Timestamp) -> String {
    let secs = t.millis().div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(Timestamp(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            iso8601(Timestamp(1_796_428_800_000)),
            "2026-12-05T00:00:00Z"
        );
        assert_eq!(iso8601(Timestamp(951_782_400_000)), "2000-02-29T00:00:00Z");
    }
}
