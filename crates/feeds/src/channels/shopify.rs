//! Shopify product CSV.
//!
//! Spec: Shopify Help Center, "Using CSV files to import and export products"
//! (<https://help.shopify.com/en/manual/products/import-export/using-csv>) and its column
//! reference. One row per variant, rows of one product sharing its `Handle` and following each
//! other; product fields (`Title`, `Body (HTML)`, `Vendor`, `Product Category`, `Type`,
//! `Tags`, `Published`, SEO fields, `Status`) only on the product's first row; `Option1`
//! (colour) and `Option2` (size) names on the first row, values on every variant row; images
//! as `Image Src` / `Image Position` / `Image Alt Text`, one per row, the rows after the last
//! variant carrying only the handle and the image. UTF-8 without BOM, comma-separated.
//!
//! Choices where the help page is silent or gives a range: the classic header names (which
//! Shopify's importer still reads) rather than the 2024 renamed ones; inventory is not
//! tracked (DDHub does not count pieces), so a sold-out variant is left out rather than listed
//! as buyable; at most [`MAX_VARIANTS`] variants (Shopify's long-standing limit; stores on the
//! newer 2,048-variant limit lose nothing from Dongdaemun styles, which have far fewer); the
//! SEO title and description limits (70 and 320 characters) are those the admin shows.
//! Cells are not formula-neutralised: Shopify reads the text literally and a leading `'`
//! would become part of the title.

use super::text::{cut_at_word, one_per_char};
use super::{ChannelConfig, Issue, Reason, StyleOutcome, style_title};
use crate::item::{Availability, FeedItem};
use crate::writer::{Channel, FeedError, FeedWriter};
use std::io::Write;

pub const COLUMNS: [&str; 28] = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "SEO Title",
    "SEO Description",
    "Variant Image",
    "Variant Weight Unit",
    "Status",
];

pub const MAX_TITLE: usize = 255;
pub const MAX_SEO_TITLE: usize = 70;
pub const MAX_SEO_DESCRIPTION: usize = 320;
pub const MAX_VARIANTS: usize = 100;
pub const MAX_IMAGES: usize = 250;

/// Streams a Shopify product CSV, one product (style) at a time.
pub struct ShopifyCsvWriter<W: Write> {
    csv: csv::Writer<W>,
    config: ChannelConfig,
    began: bool,
}

impl<W: Write> std::fmt::Debug for ShopifyCsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShopifyCsvWriter")
    }
}

impl<W: Write> ShopifyCsvWriter<W> {
    pub fn new(out: W, config: ChannelConfig) -> Self {
        ShopifyCsvWriter {
            csv: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            config,
            began: false,
        }
    }
}

/// A Shopify handle: lower-case ASCII letters, digits and hyphens. A code that needs more than
/// lower-casing to become one gets the style id appended, so two codes never share a handle.
pub fn handle(item: &FeedItem) -> String {
    let mut out = String::with_capacity(item.item_group_id.len());
    let mut dash = false;
    for c in item.item_group_id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    let lossless = item
        .item_group_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if lossless && !out.is_empty() {
        out
    } else {
        format!("{out}-s{}", item.style_id)
            .trim_start_matches('-')
            .to_string()
    }
}

/// Plain text as HTML: escaped, paragraphs at blank lines, line breaks kept. Hand-written:
/// four replacements do not justify a dependency.
fn html(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    escaped
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", p.trim().replace('\n', "<br>")))
        .collect()
}

impl<W: Write> FeedWriter for ShopifyCsvWriter<W> {
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
        let mut variants: Vec<&FeedItem> = Vec::with_capacity(items.len());
        for item in items {
            if item.availability == Availability::OutOfStock {
                outcome.left_out(
                    Issue::left_out(
                        Reason::SoldOut,
                        "sold out: Shopify variants are listed untracked, so a sold-out one would \
                         stay buyable",
                    )
                    .for_item(&item.id),
                );
            } else {
                variants.push(item);
            }
        }
        if variants.is_empty() {
            return Ok(());
        }
        if variants.len() > MAX_VARIANTS {
            outcome.left_out(Issue::left_out(
                Reason::TooManyVariants,
                format!(
                    "{} variants; Shopify takes at most {MAX_VARIANTS}",
                    variants.len()
                ),
            ));
            return Ok(());
        }
        let issues = &mut outcome.issues;
        let raw_title = self.config.title(style_title(first), issues);
        let title = cut_at_word(&raw_title, MAX_TITLE, one_per_char);
        if title.len() < raw_title.len() {
            issues.push(Issue::fixed(
                Reason::TitleTooLong,
                format!("title cut to {MAX_TITLE} characters at a word boundary"),
            ));
        }
        let seo_title = cut_at_word(title, MAX_SEO_TITLE, one_per_char);
        let seo_description = cut_at_word(&first.description, MAX_SEO_DESCRIPTION, one_per_char);
        let mut images: Vec<&str> = Vec::new();
        for url in std::iter::once(first.image_link.as_str())
            .chain(first.additional_image_link.iter().map(String::as_str))
        {
            if !url.is_empty() && !images.contains(&url) {
                images.push(url);
            }
        }
        if images.len() > MAX_IMAGES {
            images.truncate(MAX_IMAGES);
        }
        if images.is_empty() {
            outcome.left_out(Issue::left_out(Reason::NoPhoto, "no image"));
            return Ok(());
        }
        let handle = handle(first);
        outcome.images = super::numbered_images(&handle, &images);
        let tags = first
            .product_type
            .split(" > ")
            .chain(
                first
                    .origin
                    .as_deref()
                    .map(|o| if o == "KR" { "Made in Korea" } else { o }),
            )
            .collect::<Vec<_>>()
            .join(", ");
        let kind = first.product_type.rsplit(" > ").next().unwrap_or_default();
        let category = first
            .partner_category
            .as_deref()
            .unwrap_or(&first.google_product_category);
        let body = html(&first.description);
        let grams = self.config.weight_g.to_string();
        let rows = variants.len().max(images.len());
        for i in 0..rows {
            let mut row: [&str; 28] = [""; 28];
            let position;
            let alt;
            row[0] = &handle;
            if i == 0 {
                row[1] = title;
                row[2] = &body;
                row[3] = &first.brand;
                row[4] = category;
                row[5] = kind;
                row[6] = &tags;
                row[7] = "TRUE";
                row[8] = "Color";
                row[10] = "Size";
                row[23] = seo_title;
                row[24] = seo_description;
                row[27] = "active";
            }
            let price;
            if let Some(v) = variants.get(i) {
                price = v.price.decimal();
                row[9] = &v.color;
                row[11] = &v.size;
                row[12] = &v.id;
                row[13] = &grams;
                row[15] = "deny";
                row[16] = "manual";
                row[17] = &price;
                row[18] = "TRUE";
                row[19] = "TRUE";
                row[25] = &v.image_link;
                row[26] = "g";
            }
            if let Some(src) = images.get(i) {
                position = (i + 1).to_string();
                alt = format!("{title} ({})", i + 1);
                row[20] = src;
                row[21] = &position;
                row[22] = &alt;
            }
            self.csv.write_record(row)?;
        }
        outcome.written += variants.len();
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FeedError> {
        self.csv.flush()?;
        Ok(())
    }
}
