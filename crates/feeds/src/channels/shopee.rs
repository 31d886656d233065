//! Shopee global product, as JSON Lines (one global item a line).
//!
//! Spec: Shopee Open Platform API v2, `v2.global_product.add_global_item` and
//! `v2.global_product.init_tier_variation` (<https://open.shopee.com/documents/v2/v2.global_product.add_global_item>),
//! the cross-border (CNSC/KRSC) seller's global item that Shopee publishes to each market and
//! translates there. Field names follow those calls: `global_item_name`, `description`,
//! `global_item_sku`, `original_price`, `weight` (kg), `dimension` (`package_length`,
//! `package_width`, `package_height`, cm), `condition`, `tier_variation` (at most two tiers, each
//! an `option_list` of `{option}`) and `model` (`tier_index`, `original_price`,
//! `global_model_sku`, `seller_stock`). Images: Shopee takes only its own hosted images
//! (`image_id_list` after `media_space.upload_image`), so the line carries `image_url_list` for
//! the uploader and the partner's image bundle names the files.
//!
//! Limits: up to 9 images, title length per market (60 characters for TW and PH, 80 for SG,
//! MY and TH, as Shopee's seller education pages state; the VN, BR and MX figures of 120 are
//! from the same pages), at most 2 tiers, 50 models and 20 options a tier (the tier call's
//! documented limits), description 3,000 characters. Prices in USD. `category_id` needs the
//! partner's Shopee category (its `partner_category`); Shopee's category tree is not public
//! without a seller account, so an unmapped style goes out without it and the line says so in
//! `missing`. The mass-upload XLSX is not written: its columns are only in templates
//! downloaded from Seller Centre, not in public material.

use super::text::{cut_at_word, one_per_char};
use super::{ChannelConfig, Issue, Reason, StyleOutcome, style_title};
use crate::item::{Availability, FeedItem};
use crate::writer::{Channel, FeedError, FeedWriter};
use ddhub_domain::Currency;
use serde::Serialize;
use std::io::{BufWriter, Write};

pub const MAX_IMAGES: usize = 9;
pub const MAX_TIERS: usize = 2;
pub const MAX_MODELS: usize = 50;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_DESCRIPTION: usize = 3000;

/// Promotion words Shopee's listing rules refuse in names (keyword spam).
pub const FORBIDDEN_WORDS: &[&str] = &["free shipping", "cheapest", "best price", "100% original"];

/// A market's title limit in characters, `None` for a market Shopee cross-border does not serve.
pub fn title_limit(market: &str) -> Option<usize> {
    match market {
        "TW" | "PH" => Some(60),
        "SG" | "MY" | "TH" => Some(80),
        "VN" | "BR" | "MX" => Some(120),
        _ => None,
    }
}

#[derive(Serialize)]
struct Line<'a> {
    global_item_sku: &'a str,
    global_item_name: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    category_id: Option<&'a str>,
    brand: Brand<'a>,
    original_price: f64,
    currency: &'static str,
    weight: f64,
    dimension: Dimension,
    condition: &'static str,
    image: Images<'a>,
    tier_variation: Vec<Tier<'a>>,
    model: Vec<Model<'a>>,
    /// Per-market title limits the name was fitted to.
    markets: &'a [String],
    /// Required fields this line lacks (the uploader must fill them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<&'static str>,
    style_id: i64,
}

#[derive(Serialize)]
struct Brand<'a> {
    original_brand_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    native_brand_name: Option<&'a str>,
}

#[derive(Serialize)]
struct Dimension {
    package_length: u32,
    package_width: u32,
    package_height: u32,
}

#[derive(Serialize)]
struct Images<'a> {
    image_url_list: Vec<&'a str>,
}

#[derive(Serialize)]
struct Tier<'a> {
    name: &'static str,
    option_list: Vec<TierOption<'a>>,
}

#[derive(Serialize)]
struct TierOption<'a> {
    option: &'a str,
}

#[derive(Serialize)]
struct Model<'a> {
    tier_index: Vec<usize>,
    original_price: f64,
    global_model_sku: &'a str,
    seller_stock: [Stock; 1],
}

#[derive(Serialize)]
struct Stock {
    stock: u32,
}

/// Streams Shopee global items as JSON Lines.
pub struct ShopeeGlobalWriter<W: Write> {
    out: BufWriter<W>,
    config: ChannelConfig,
}

impl<W: Write> std::fmt::Debug for ShopeeGlobalWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShopeeGlobalWriter")
    }
}

impl<W: Write> ShopeeGlobalWriter<W> {
    pub fn new(out: W, config: ChannelConfig) -> Self {
        ShopeeGlobalWriter {
            out: BufWriter::with_capacity(64 * 1024, out),
            config,
        }
    }
}

fn usd(item: &FeedItem) -> f64 {
    // Cents to dollars for Shopee's float field; exact for any realistic price.
    item.price.minor as f64 / 100.0
}

fn index_of<'a>(list: &mut Vec<&'a str>, value: &'a str) -> usize {
    match list.iter().position(|v| *v == value) {
        Some(i) => i,
        None => {
            list.push(value);
            list.len() - 1
        }
    }
}

impl<W: Write> FeedWriter for ShopeeGlobalWriter<W> {
    fn begin(&mut self, _channel: &Channel) -> Result<(), FeedError> {
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
        let Some(first) = items.first() else {
            return Ok(());
        };
        if self.config.currency != Currency::Usd {
            outcome.left_out(Issue::left_out(
                Reason::Currency,
                format!(
                    "Shopee global items are priced in USD; the partner's currency is {}",
                    self.config.currency
                ),
            ));
            return Ok(());
        }
        if self.config.locale != ddhub_domain::Locale::En {
            outcome.left_out(Issue::left_out(
                Reason::NotTranslated,
                "Shopee global items are written in English (set the partner's locale to en)",
            ));
            return Ok(());
        }
        let mut colours: Vec<&str> = Vec::new();
        let mut sizes: Vec<&str> = Vec::new();
        let mut models = Vec::with_capacity(items.len());
        for item in items {
            let c = index_of(&mut colours, &item.color);
            let s = index_of(&mut sizes, &item.size);
            models.push(Model {
                tier_index: vec![c, s],
                original_price: usd(item),
                global_model_sku: &item.id,
                seller_stock: [Stock {
                    stock: if item.availability == Availability::OutOfStock {
                        0
                    } else {
                        self.config.channel_stock
                    },
                }],
            });
        }
        if models.len() > MAX_MODELS || colours.len() > MAX_OPTIONS || sizes.len() > MAX_OPTIONS {
            outcome.left_out(Issue::left_out(
                Reason::TooManyVariants,
                format!(
                    "{} colours × {} sizes = {} models; Shopee takes at most {MAX_OPTIONS} \
                     options a tier and {MAX_MODELS} models",
                    colours.len(),
                    sizes.len(),
                    models.len()
                ),
            ));
            return Ok(());
        }
        let issues = &mut outcome.issues;
        let limit = self
            .config
            .shopee_markets
            .iter()
            .filter_map(|m| title_limit(m).map(|l| (l, m.as_str())))
            .min();
        let full = self.config.title(style_title(first), issues);
        let name = match limit {
            Some((max, market)) => {
                let cut = cut_at_word(&full, max, one_per_char);
                if cut.len() < full.len() {
                    issues.push(Issue::fixed(
                        Reason::TitleTooLong,
                        format!(
                            "title cut from {} to {} characters at a word boundary for {market}'s \
                             limit of {max}",
                            full.chars().count(),
                            cut.chars().count()
                        ),
                    ));
                }
                cut
            }
            None => full.as_str(),
        };
        let description = cut_at_word(&first.description, MAX_DESCRIPTION, one_per_char);
        if description.len() < first.description.len() {
            issues.push(Issue::fixed(
                Reason::DescriptionTooLong,
                format!("description cut to {MAX_DESCRIPTION} characters"),
            ));
        }
        let mut images: Vec<&str> = Vec::new();
        for url in std::iter::once(first.image_link.as_str())
            .chain(first.additional_image_link.iter().map(String::as_str))
        {
            if !url.is_empty() && !images.contains(&url) {
                images.push(url);
            }
        }
        if images.is_empty() {
            outcome.left_out(Issue::left_out(Reason::NoPhoto, "Shopee needs an image"));
            return Ok(());
        }
        if images.len() > MAX_IMAGES {
            issues.push(Issue::fixed(
                Reason::TooManyImages,
                format!("{} images; the first {MAX_IMAGES} are listed", images.len()),
            ));
            images.truncate(MAX_IMAGES);
        }
        outcome.images = super::numbered_images(&first.item_group_id, &images);
        let mut missing = Vec::new();
        if first.partner_category.is_none() {
            missing.push("category_id");
        }
        let [l, w, h] = self.config.package_cm;
        let mut tiers = vec![Tier {
            name: "Colour",
            option_list: colours.iter().map(|o| TierOption { option: o }).collect(),
        }];
        // One size for every model: a one-tier item, as Shopee expects.
        if sizes.len() > 1 || colours.len() == 1 {
            tiers.push(Tier {
                name: "Size",
                option_list: sizes.iter().map(|o| TierOption { option: o }).collect(),
            });
        } else {
            for m in &mut models {
                m.tier_index.truncate(1);
            }
        }
        debug_assert!(tiers.len() <= MAX_TIERS);
        let line = Line {
            global_item_sku: &first.item_group_id,
            global_item_name: name,
            description,
            category_id: first.partner_category.as_deref(),
            brand: Brand {
                original_brand_name: &first.brand,
                native_brand_name: first.brand_native.as_deref(),
            },
            original_price: usd(first),
            currency: "USD",
            weight: f64::from(self.config.weight_g) / 1000.0,
            dimension: Dimension {
                package_length: l,
                package_width: w,
                package_height: h,
            },
            condition: "NEW",
            image: Images {
                image_url_list: images,
            },
            tier_variation: tiers,
            model: models,
            markets: &self.config.shopee_markets,
            missing,
            style_id: first.style_id.0,
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")?;
        outcome.written += items.len();
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FeedError> {
        self.out.flush()?;
        Ok(())
    }
}
