//! Yahoo! Shopping Japan item CSV (商品データ).
//!
//! Spec: Yahoo! Japan developer network, "アップロードフォーマット" (shopping item upload format,
//! <https://developer.yahoo.co.jp/webapi/shopping/upload_format.html>): the first row holds the
//! exact half-width field names (`path`, `name`, `code`, `sub-code`, `price`, `options`,
//! `headline`, `caption`, `explanation`, `product-category`, `taxable`, `display`,
//! `condition`); the file is Shift-JIS (or EUC-JP), and half-width katakana and
//! platform-dependent characters (機種依存文字) are refused; `product-category` is required
//! since 2022-12. One row per style; its colours and sizes are the `options` and each SKU a
//! `sub-code`.
//!
//! Counting: `name` takes at most 75 full-width characters, a half-width one counting as half
//! ([`super::text::yahoo_units`], 150 half-width units). Images are not CSV fields: Yahoo! takes
//! them as uploaded files named after the item code, `code.jpg`, `code_1.jpg` … `code_19.jpg`
//! ([`image_names`]), which the partner's image bundle uses. The `options` and `sub-code` value
//! syntax (`カラー ブラック ホワイト` blocks separated by a blank line; `カラー:ブラック#サイズ:M=code&…`)
//! is from the Store Creator Pro manual as quoted by integrators (CROSS MALL, next engine), not
//! from the upload-format page itself, which does not spell it out. The `explanation` (500
//! full-width) and `caption` (5,000 full-width) limits are likewise from the Store Creator Pro
//! item editor. Stock goes in Yahoo!'s separate quantity CSV, so sold-out sub-codes are left out.
//!
//! Encoding: encoding_rs's Shift_JIS (the WHATWG one, i.e. Windows-31J). A cell with a character
//! it cannot carry, or that lands in the NEC/IBM extension rows (機種依存), refuses the whole
//! item with the field, character and code point; nothing is ever replaced.

use super::text::{cut_at_word, measure, yahoo_units};
use super::{ChannelConfig, Issue, Reason, StyleOutcome, style_title};
use crate::item::{Availability, FeedItem};
use crate::writer::{Channel, FeedError, FeedWriter};
use ddhub_domain::{Currency, Locale};
use std::io::Write;

pub const COLUMNS: [&str; 13] = [
    "path",
    "name",
    "code",
    "sub-code",
    "price",
    "options",
    "headline",
    "caption",
    "explanation",
    "product-category",
    "taxable",
    "display",
    "condition",
];

/// `name`: 75 full-width characters, in half-width units.
pub const MAX_NAME_UNITS: usize = 150;
pub const MAX_EXPLANATION_UNITS: usize = 1000;
pub const MAX_CAPTION_UNITS: usize = 10_000;
/// `code` and each sub-code: half-width letters, digits, `-` and `_`, at most 99.
pub const MAX_CODE: usize = 99;
/// The main image and up to 19 more.
pub const MAX_IMAGES: usize = 20;

/// Claims Yahoo! refuses in names (unverifiable superlatives under the Premiums and
/// Representations Act, shipping terms that belong to the store's settings).
pub const FORBIDDEN_WORDS: &[&str] = &["送料無料", "最安値", "日本一", "激安"];

/// Image file names Yahoo! expects for an item's `n` photos.
pub fn image_names(code: &str, n: usize) -> Vec<String> {
    (0..n.min(MAX_IMAGES))
        .map(|i| {
            if i == 0 {
                format!("{code}.jpg")
            } else {
                format!("{code}_{i}.jpg")
            }
        })
        .collect()
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A value in the options syntax: spaces separate values, so a value's own spaces become
/// full-width ones.
fn option_value(v: &str) -> String {
    v.replace(' ', "\u{3000}")
}

/// The cell in Shift-JIS, or the first character Yahoo! cannot take.
pub fn encode_cell(cell: &str) -> Result<Vec<u8>, char> {
    if cell.is_ascii() {
        return Ok(cell.as_bytes().to_vec());
    }
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(cell);
    if !unmappable && !cell.chars().any(half_width_kana) && !platform_dependent(&bytes) {
        return Ok(bytes.into_owned());
    }
    // Rare: find the character to name it.
    let mut buf = [0u8; 4];
    for c in cell.chars() {
        let (b, _, unmappable) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
        if half_width_kana(c) || unmappable || platform_dependent(&b) {
            return Err(c);
        }
    }
    Err('\u{FFFD}')
}

fn half_width_kana(c: char) -> bool {
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

/// Whether Shift-JIS bytes hold an NEC special character (row 13) or an NEC/IBM extension:
/// the 機種依存文字 Yahoo! refuses.
fn platform_dependent(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x00..=0x7F | 0xA1..=0xDF => i += 1,
            0x87 | 0xED | 0xEE | 0xFA..=0xFC => return true,
            _ => i += 2,
        }
    }
    false
}

/// Streams a Yahoo! Shopping item CSV in Shift-JIS.
pub struct YahooShoppingCsvWriter<W: Write> {
    csv: csv::Writer<W>,
    config: ChannelConfig,
    began: bool,
}

impl<W: Write> std::fmt::Debug for YahooShoppingCsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("YahooShoppingCsvWriter")
    }
}

impl<W: Write> YahooShoppingCsvWriter<W> {
    pub fn new(out: W, config: ChannelConfig) -> Self {
        YahooShoppingCsvWriter {
            csv: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            config,
            began: false,
        }
    }
}

impl<W: Write> FeedWriter for YahooShoppingCsvWriter<W> {
    fn begin(&mut self, _channel: &Channel) -> Result<(), FeedError> {
        self.csv.write_record(COLUMNS)?;
        self.began = true;
        Ok(())
    }

    fn write_item(&mut self, item: &FeedItem) -> Result<(), FeedError> {
        let mut outcome = StyleOutcome::default();
        self.write_style(std::slice::from_ref(item), &mut outcome)
    }

    fn write_style(
        &mut self,
        items: &[FeedItem],
        outcome: &mut StyleOutcome,
    ) -> Result<(), FeedError> {
        if !self.began {
            return Err(FeedError::State);
        }
        let Some(first) = items.first() else {
            return Ok(());
        };
        if self.config.currency != Currency::Jpy {
            outcome.left_out(Issue::left_out(
                Reason::Currency,
                format!(
                    "Yahoo! Shopping lists in JPY; the partner's currency is {}",
                    self.config.currency
                ),
            ));
            return Ok(());
        }
        if self.config.locale != Locale::Ja {
            outcome.left_out(Issue::left_out(
                Reason::NotTranslated,
                "Yahoo! Shopping Japan lists in Japanese (set the partner's locale to ja)",
            ));
            return Ok(());
        }
        let code = &first.item_group_id;
        if !valid_code(code) {
            outcome.left_out(Issue::left_out(
                Reason::InvalidCode,
                format!(
                    "item code {code:?}: Yahoo! takes half-width letters, digits, - and _ (at \
                     most {MAX_CODE})"
                ),
            ));
            return Ok(());
        }
        let Some(category) = first.partner_category.as_deref() else {
            outcome.left_out(Issue::left_out(
                Reason::MissingField,
                "product-category is required: map the style's category to a Yahoo! product \
                 category id (partner_category in the feed settings)",
            ));
            return Ok(());
        };
        let mut selling: Vec<&FeedItem> = Vec::with_capacity(items.len());
        for item in items {
            if item.availability == Availability::OutOfStock {
                outcome.left_out(Issue::left_out(Reason::SoldOut, "sold out").for_item(&item.id));
            } else if !valid_code(&item.id) {
                outcome.left_out(
                    Issue::left_out(
                        Reason::InvalidCode,
                        format!(
                            "sub-code {:?} is not half-width letters, digits, - and _",
                            item.id
                        ),
                    )
                    .for_item(&item.id),
                );
            } else {
                selling.push(item);
            }
        }
        if selling.is_empty() {
            return Ok(());
        }
        let mut issues = Vec::new();
        let full = self.config.title(style_title(first), &mut issues);
        let name = cut_at_word(&full, MAX_NAME_UNITS, yahoo_units);
        if name.len() < full.len() {
            issues.push(Issue::fixed(
                Reason::TitleTooLong,
                format!(
                    "name cut from {} to {} full-width characters (half-width counts half) at a \
                     word boundary",
                    measure(&full, yahoo_units).div_ceil(2),
                    measure(name, yahoo_units).div_ceil(2)
                ),
            ));
        }
        let explanation = cut_at_word(&first.description, MAX_EXPLANATION_UNITS, yahoo_units);
        let caption = cut_at_word(&first.description, MAX_CAPTION_UNITS, yahoo_units);
        if caption.len() < first.description.len() {
            issues.push(Issue::fixed(
                Reason::DescriptionTooLong,
                "caption cut to 5,000 full-width characters",
            ));
        }
        let mut colours: Vec<String> = Vec::new();
        let mut sizes: Vec<String> = Vec::new();
        let mut subcodes = Vec::with_capacity(selling.len());
        for item in &selling {
            let (c, s) = (option_value(&item.color), option_value(&item.size));
            subcodes.push(format!("カラー:{c}#サイズ:{s}={}", item.id));
            if !colours.contains(&c) {
                colours.push(c);
            }
            if !sizes.contains(&s) {
                sizes.push(s);
            }
        }
        let options = format!("カラー {}\n\nサイズ {}", colours.join(" "), sizes.join(" "));
        let path = first.product_type.replace(" > ", ":");
        let price = first.price.decimal();
        let cells: [(&str, &str); 13] = [
            ("path", &path),
            ("name", name),
            ("code", code),
            ("sub-code", &subcodes.join("&")),
            ("price", &price),
            ("options", &options),
            ("headline", ""),
            ("caption", caption),
            ("explanation", explanation),
            ("product-category", category),
            ("taxable", "1"),
            ("display", "1"),
            ("condition", "0"),
        ];
        let mut encoded: Vec<Vec<u8>> = Vec::with_capacity(cells.len());
        for (field, cell) in cells {
            match encode_cell(cell) {
                Ok(bytes) => encoded.push(bytes),
                Err(c) => {
                    outcome.left_out(Issue::left_out(
                        Reason::Unencodable,
                        format!(
                            "{field} contains {c:?} (U+{:04X}), which Yahoo!'s Shift-JIS cannot \
                             carry",
                            u32::from(c)
                        ),
                    ));
                    return Ok(());
                }
            }
        }
        self.csv.write_record(&encoded)?;
        let mut urls: Vec<&str> = Vec::new();
        for url in std::iter::once(first.image_link.as_str())
            .chain(first.additional_image_link.iter().map(String::as_str))
        {
            if !url.is_empty() && !urls.contains(&url) && urls.len() < MAX_IMAGES {
                urls.push(url);
            }
        }
        outcome.images = image_names(code, urls.len())
            .into_iter()
            .zip(urls)
            .enumerate()
            .map(|(i, (file_name, url))| super::ChannelImage {
                file_name,
                url: url.to_string(),
                item_code: code.clone(),
                position: i + 1,
            })
            .collect();
        outcome.issues.extend(issues);
        outcome.written += selling.len();
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FeedError> {
        self.csv.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_refuses_what_it_cannot_carry() {
        assert!(encode_cell("ケーブルニット カーディガン").is_ok());
        assert_eq!(encode_cell("니트"), Err('니'));
        assert_eq!(encode_cell("ﾆｯﾄ"), Err('ﾆ'));
        assert_eq!(encode_cell("①"), Err('①'));
        assert_eq!(
            image_names("7-KN1", 3),
            ["7-KN1.jpg", "7-KN1_1.jpg", "7-KN1_2.jpg"]
        );
    }
}
