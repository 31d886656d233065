//! Marketplace channels: writers in each marketplace's own file format, and the rules each
//! marketplace enforces, checked before an item goes out. Every item a rule leaves out or
//! fixes is recorded with its reason ([`Issue`]), which the diagnostics report per style.

pub mod shopee;
pub mod shopify;
pub mod text;
pub mod yahoo;

use crate::item::{FeedItem, SkipReason};
use crate::settings::{FeedSettings, TitleCase};
use crate::writer::FeedFormat;
use ddhub_domain::{Currency, Locale};
use serde::Serialize;

/// What a rule did to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The item (or its whole style) is not in the file.
    LeftOut,
    /// The item is in the file, changed as the detail says.
    Fixed,
}

/// Why a style or item is left out of a partner's feed or changed on its way out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The partner's settings leave out this wholesaler or category.
    ExcludedBySettings,
    NoPhoto,
    PhotoBelowProfile,
    TooFewPhotos,
    NotTranslated,
    /// The style is archived.
    Archived,
    /// The style has no SKUs.
    NoSkus,
    /// No exchange rate for the partner's currency, or the price overflowed.
    NoPrice,
    NoCategory,
    SoldOut,
    /// A field the marketplace requires is empty (the detail names it).
    MissingField,
    TitleTooLong,
    DescriptionTooLong,
    TooManyImages,
    ForbiddenWord,
    TooManyVariants,
    /// A character the channel's encoding cannot carry (Yahoo!: Shift-JIS).
    Unencodable,
    /// The marketplace lists in another currency than the partner's.
    Currency,
    /// The style code is not in the characters the marketplace allows for codes.
    InvalidCode,
    TitleCase,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExcludedBySettings => "excluded_by_settings",
            Reason::NoPhoto => "no_photo",
            Reason::PhotoBelowProfile => "photo_below_profile",
            Reason::TooFewPhotos => "too_few_photos",
            Reason::NotTranslated => "not_translated",
            Reason::Archived => "archived",
            Reason::NoSkus => "no_skus",
            Reason::NoPrice => "no_price",
            Reason::NoCategory => "no_category",
            Reason::SoldOut => "sold_out",
            Reason::MissingField => "missing_field",
            Reason::TitleTooLong => "title_too_long",
            Reason::DescriptionTooLong => "description_too_long",
            Reason::TooManyImages => "too_many_images",
            Reason::ForbiddenWord => "forbidden_word",
            Reason::TooManyVariants => "too_many_variants",
            Reason::Unencodable => "unencodable",
            Reason::Currency => "currency",
            Reason::InvalidCode => "invalid_code",
            Reason::TitleCase => "title_case",
        }
    }

    /// The reason in Korean, for the wholesaler console.
    pub fn label_ko(self) -> &'static str {
        match self {
            Reason::ExcludedBySettings => "파트너 설정에서 제외됨 (도매처·카테고리)",
            Reason::NoPhoto => "사진 없음",
            Reason::PhotoBelowProfile => "사진이 채널 규격보다 작음",
            Reason::TooFewPhotos => "사진 수 부족",
            Reason::NotTranslated => "파트너 언어로 번역되지 않음",
            Reason::Archived => "보관된 상품",
            Reason::NoSkus => "옵션(색상·사이즈) 없음",
            Reason::NoPrice => "환율 또는 가격 문제",
            Reason::NoCategory => "채널 카테고리 미지정",
            Reason::SoldOut => "품절",
            Reason::MissingField => "필수 항목 누락",
            Reason::TitleTooLong => "상품명이 너무 김 (잘라서 등록)",
            Reason::DescriptionTooLong => "상세설명이 너무 김 (잘라서 등록)",
            Reason::TooManyImages => "이미지 수 초과 (일부만 등록)",
            Reason::ForbiddenWord => "금지어 포함 (삭제 후 등록)",
            Reason::TooManyVariants => "옵션 수 초과",
            Reason::Unencodable => "채널 인코딩에 없는 문자 포함",
            Reason::Currency => "채널 통화와 파트너 통화가 다름",
            Reason::InvalidCode => "상품코드에 쓸 수 없는 문자",
            Reason::TitleCase => "상품명 대소문자 규칙 적용",
        }
    }
}

impl From<SkipReason> for Reason {
    fn from(r: SkipReason) -> Self {
        match r {
            SkipReason::Wholesaler | SkipReason::Category => Reason::ExcludedBySettings,
            SkipReason::TooFewPhotos => Reason::TooFewPhotos,
            SkipReason::NoRate | SkipReason::Price => Reason::NoPrice,
            SkipReason::Archived => Reason::Archived,
            SkipReason::NoSkus => Reason::NoSkus,
            SkipReason::NoGoogleCategory => Reason::NoCategory,
            SkipReason::NoPhoto => Reason::NoPhoto,
            SkipReason::PhotoBelowProfile => Reason::PhotoBelowProfile,
            SkipReason::NotTranslated => Reason::NotTranslated,
        }
    }
}

/// One rule's verdict on one item (or, with no `item_id`, on the whole style).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub reason: Reason,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// What exactly, in English (`title cut from 92 to 60 characters for PH`).
    pub detail: String,
}

impl Issue {
    pub fn left_out(reason: Reason, detail: impl Into<String>) -> Self {
        Issue {
            reason,
            action: Action::LeftOut,
            item_id: None,
            detail: detail.into(),
        }
    }

    pub fn fixed(reason: Reason, detail: impl Into<String>) -> Self {
        Issue {
            reason,
            action: Action::Fixed,
            item_id: None,
            detail: detail.into(),
        }
    }

    pub fn for_item(mut self, id: &str) -> Self {
        self.item_id = Some(id.to_string());
        self
    }
}

/// What a writer did with one style's items.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StyleOutcome {
    /// Items (SKUs) written.
    pub written: usize,
    pub issues: Vec<Issue>,
    /// The photos the channel lists for the style, under the file names it expects (the
    /// partner's image bundle); empty for formats that take URLs only.
    pub images: Vec<ChannelImage>,
}

/// One photo of a channel's image bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelImage {
    /// The name the marketplace expects (`7-KN-1.jpg`, `7-KN-1_1.jpg` for Yahoo!).
    pub file_name: String,
    /// Where the hub serves it (the feed's URL).
    pub url: String,
    /// The item (product) code it belongs to.
    pub item_code: String,
    /// 1 for the main photo.
    pub position: usize,
}

/// `{code}_{n}.jpg` for each image, from 1: the bundle's names on channels without a
/// convention of their own (Shopee's API takes uploaded image ids, Shopify takes URLs).
pub fn numbered_images(code: &str, urls: &[&str]) -> Vec<ChannelImage> {
    urls.iter()
        .enumerate()
        .map(|(i, url)| ChannelImage {
            file_name: format!("{code}_{}.jpg", i + 1),
            url: (*url).to_string(),
            item_code: code.to_string(),
            position: i + 1,
        })
        .collect()
}

impl StyleOutcome {
    pub fn left_out(&mut self, issue: Issue) {
        self.issues.push(issue);
    }
}

/// A channel's view of the partner's settings, resolved once per feed.
#[derive(Clone, Debug)]
pub struct ChannelConfig {
    pub locale: Locale,
    pub currency: Currency,
    pub title_case: TitleCase,
    /// Channel defaults plus the partner's own, lower-cased.
    pub forbidden_words: Vec<String>,
    pub weight_g: u32,
    pub package_cm: [u32; 3],
    pub channel_stock: u32,
    pub shopee_markets: Vec<String>,
}

impl ChannelConfig {
    pub fn new(settings: &FeedSettings, format: FeedFormat) -> Self {
        let (default_case, defaults): (TitleCase, &[&str]) = match format {
            FeedFormat::ShopifyCsv => (TitleCase::Title, &[]),
            FeedFormat::ShopeeGlobal => (TitleCase::Title, shopee::FORBIDDEN_WORDS),
            FeedFormat::YahooShoppingCsv => (TitleCase::Keep, yahoo::FORBIDDEN_WORDS),
            _ => (TitleCase::Keep, &[]),
        };
        let mut forbidden_words: Vec<String> = defaults
            .iter()
            .map(|w| w.to_lowercase())
            .chain(
                settings
                    .forbidden_words
                    .iter()
                    .map(|w| w.trim().to_lowercase()),
            )
            .filter(|w| !w.is_empty())
            .collect();
        forbidden_words.sort();
        forbidden_words.dedup();
        ChannelConfig {
            locale: settings.locale,
            currency: settings.currency,
            title_case: settings.title_case.unwrap_or(default_case),
            forbidden_words,
            weight_g: settings.weight_g,
            package_cm: settings.package_cm,
            channel_stock: settings.channel_stock,
            shopee_markets: settings.shopee_markets.clone(),
        }
    }

    /// A title with forbidden words removed and the channel's case applied; each change is
    /// recorded as a fix.
    pub fn title(&self, raw: &str, issues: &mut Vec<Issue>) -> String {
        let (clean, removed) = text::remove_words(raw, &self.forbidden_words);
        for w in removed {
            issues.push(Issue::fixed(
                Reason::ForbiddenWord,
                format!("removed {w:?} from the title"),
            ));
        }
        text::apply_case(&clean, self.title_case)
    }
}

/// The style's title without the ` - colour - size` suffix the mapper adds per SKU.
pub fn style_title(item: &FeedItem) -> &str {
    let suffix = format!(" - {} - {}", item.color, item.size);
    item.title.strip_suffix(&suffix).unwrap_or(&item.title)
}
