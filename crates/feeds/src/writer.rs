//! The writer contract every format implements, gzip, and the one call that streams a whole
//! feed: styles in, bytes out, one style's items in memory at a time.

use crate::channels::shopee::ShopeeGlobalWriter;
use crate::channels::shopify::ShopifyCsvWriter;
use crate::channels::yahoo::YahooShoppingCsvWriter;
use crate::channels::{Action, ChannelConfig, StyleOutcome};
use crate::item::{FeedItem, FeedMapper, FeedStyle, SkipCounts, SkipReason};
use crate::settings::FeedSettings;
use crate::{CsvWriter, GmcXmlWriter, JsonlWriter};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// A feed format partners can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeedFormat {
    /// Google Merchant Center RSS 2.0 with the `g:` namespace.
    #[serde(rename = "gmc-xml")]
    GmcXml,
    /// RFC 4180 CSV with a header row, formula-neutralised.
    #[serde(rename = "csv")]
    Csv,
    /// One JSON object per line.
    #[serde(rename = "jsonl")]
    Jsonl,
    /// Shopify product CSV ([`crate::channels::shopify`]).
    #[serde(rename = "shopify-csv")]
    ShopifyCsv,
    /// Shopee global items, JSON Lines ([`crate::channels::shopee`]).
    #[serde(rename = "shopee-global")]
    ShopeeGlobal,
    /// Yahoo! Shopping Japan item CSV in Shift-JIS ([`crate::channels::yahoo`]).
    #[serde(rename = "yahoo-shopping-csv")]
    YahooShoppingCsv,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 6] = [
        FeedFormat::GmcXml,
        FeedFormat::Csv,
        FeedFormat::Jsonl,
        FeedFormat::ShopifyCsv,
        FeedFormat::ShopeeGlobal,
        FeedFormat::YahooShoppingCsv,
    ];

    /// A marketplace channel with its own rules (as opposed to Google's and DDHub's generic
    /// formats).
    pub fn is_marketplace(self) -> bool {
        matches!(
            self,
            FeedFormat::ShopifyCsv | FeedFormat::ShopeeGlobal | FeedFormat::YahooShoppingCsv
        )
    }

    /// The name used in `?format=` and on the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::GmcXml => "gmc-xml",
            FeedFormat::Csv => "csv",
            FeedFormat::Jsonl => "jsonl",
            FeedFormat::ShopifyCsv => "shopify-csv",
            FeedFormat::ShopeeGlobal => "shopee-global",
            FeedFormat::YahooShoppingCsv => "yahoo-shopping-csv",
        }
    }

    pub fn parse(s: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::GmcXml => "application/rss+xml; charset=utf-8",
            FeedFormat::Csv => "text/csv; charset=utf-8; header=present",
            FeedFormat::Jsonl | FeedFormat::ShopeeGlobal => "application/jsonl; charset=utf-8",
            FeedFormat::ShopifyCsv => "text/csv; charset=utf-8; header=present",
            FeedFormat::YahooShoppingCsv => "text/csv; charset=shift_jis; header=present",
        }
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            FeedFormat::GmcXml => "xml",
            FeedFormat::Csv | FeedFormat::ShopifyCsv | FeedFormat::YahooShoppingCsv => "csv",
            FeedFormat::Jsonl | FeedFormat::ShopeeGlobal => "jsonl",
        }
    }
}

/// Whether the bytes are gzip-compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    #[default]
    Identity,
    /// gzip at the given level (1 fastest … 9 smallest; 6 is zlib's default).
    Gzip(u32),
}

/// The feed's header: RSS `<channel>` fields; other formats ignore it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    pub title: String,
    /// The hub's public address.
    pub link: String,
    pub description: String,
}

/// What can go wrong while writing a feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("feed output: {0}")]
    Io(#[from] io::Error),
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("write_item or finish called before begin, or after finish")]
    State,
}

/// A streaming feed format. Call [`begin`](Self::begin) once, [`write_item`](Self::write_item)
/// per item, then [`finish`](Self::finish), which closes the document and flushes. Writers hold
/// no items: memory is constant in the number of items.
pub trait FeedWriter {
    fn begin(&mut self, channel: &Channel) -> Result<(), FeedError>;
    fn write_item(&mut self, item: &FeedItem) -> Result<(), FeedError>;
    /// Writes one style's items (all of one `item_group_id`), checking the channel's rules:
    /// what is left out or fixed is recorded in `outcome`. Generic formats write every item.
    fn write_style(
        &mut self,
        items: &[FeedItem],
        outcome: &mut StyleOutcome,
    ) -> Result<(), FeedError> {
        for item in items {
            self.write_item(item)?;
        }
        outcome.written += items.len();
        Ok(())
    }
    fn finish(&mut self) -> Result<(), FeedError>;
}

/// A writer of `format` over `out`, for a partner with `settings` (the marketplace channels
/// take their rules' parameters from them).
pub fn writer_for<'w, W: Write + 'w>(
    format: FeedFormat,
    out: W,
    settings: &FeedSettings,
) -> Box<dyn FeedWriter + 'w> {
    let config = || ChannelConfig::new(settings, format);
    match format {
        FeedFormat::GmcXml => Box::new(GmcXmlWriter::new(out)),
        FeedFormat::Csv => Box::new(CsvWriter::new(out)),
        FeedFormat::Jsonl => Box::new(JsonlWriter::new(out)),
        FeedFormat::ShopifyCsv => Box::new(ShopifyCsvWriter::new(out, config())),
        FeedFormat::ShopeeGlobal => Box::new(ShopeeGlobalWriter::new(out, config())),
        FeedFormat::YahooShoppingCsv => Box::new(YahooShoppingCsvWriter::new(out, config())),
    }
}

/// A gzip stream over `W`. flate2's `GzEncoder` writes its trailer only on `finish`, which a
/// plain `Write` cannot express, hence this wrapper: write through it, then [`GzipSink::finish`].
#[derive(Debug)]
pub struct GzipSink<W: Write> {
    inner: flate2::write::GzEncoder<W>,
}

impl<W: Write> GzipSink<W> {
    pub fn new(out: W, level: u32) -> Self {
        GzipSink {
            inner: flate2::write::GzEncoder::new(out, flate2::Compression::new(level.min(9))),
        }
    }

    /// Writes the gzip trailer and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.inner.finish()
    }
}

impl<W: Write> Write for GzipSink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Counts of one written feed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FeedSummary {
    pub styles: u64,
    pub items: u64,
    pub skipped: SkipCounts,
    /// Items the channel's rules left out (after the mapper's own skips).
    pub rule_left_out: u64,
    /// Styles the channel's rules changed on the way out (title cut, words removed, …).
    pub rule_fixed_styles: u64,
}

/// What happened to one style on its way into a feed: the mapper's skip, or the writer's
/// outcome. Given to the observer of [`write_feed_observed`].
#[derive(Debug)]
pub struct StyleReport<'a> {
    pub style: &'a FeedStyle,
    /// SKUs the style has.
    pub items_in: usize,
    pub skipped: Option<SkipReason>,
    pub outcome: &'a StyleOutcome,
}

/// Streams a whole feed: maps each style with `mapper`, writes its items in `format`, gzips when
/// asked, and returns `out` with the counts. Memory holds one style's items at a time.
pub fn write_feed<W: Write, I: IntoIterator<Item = FeedStyle>>(
    format: FeedFormat,
    compression: Compression,
    out: W,
    channel: &Channel,
    mapper: &mut FeedMapper<'_>,
    styles: I,
) -> Result<(W, FeedSummary), FeedError> {
    write_feed_observed(
        format,
        compression,
        out,
        channel,
        mapper,
        styles,
        &mut |_: StyleReport<'_>| {},
    )
}

/// [`write_feed`], telling `observe` what happened to each style (the diagnostics use it).
pub fn write_feed_observed<W: Write, I: IntoIterator<Item = FeedStyle>>(
    format: FeedFormat,
    compression: Compression,
    out: W,
    channel: &Channel,
    mapper: &mut FeedMapper<'_>,
    styles: I,
    observe: &mut dyn FnMut(StyleReport<'_>),
) -> Result<(W, FeedSummary), FeedError> {
    mapper.set_format(format);
    match compression {
        Compression::Identity => {
            let mut out = out;
            let summary = stream(format, &mut out, channel, mapper, styles, observe)?;
            out.flush()?;
            Ok((out, summary))
        }
        Compression::Gzip(level) => {
            let mut gz = GzipSink::new(out, level);
            let summary = stream(format, &mut gz, channel, mapper, styles, observe)?;
            Ok((gz.finish()?, summary))
        }
    }
}

fn stream<W: Write, I: IntoIterator<Item = FeedStyle>>(
    format: FeedFormat,
    out: W,
    channel: &Channel,
    mapper: &mut FeedMapper<'_>,
    styles: I,
    observe: &mut dyn FnMut(StyleReport<'_>),
) -> Result<FeedSummary, FeedError> {
    let settings = mapper.settings().clone();
    let mut w = writer_for(format, out, &settings);
    w.begin(channel)?;
    let mut buf = Vec::new();
    let mut summary = FeedSummary::default();
    let mut outcome = StyleOutcome::default();
    for style in styles {
        summary.styles += 1;
        outcome.written = 0;
        outcome.issues.clear();
        outcome.images.clear();
        let skipped = match mapper.map_style(&style, &mut buf) {
            Ok(_) => {
                w.write_style(&buf, &mut outcome)?;
                summary.items += outcome.written as u64;
                summary.rule_left_out += (buf.len() - outcome.written.min(buf.len())) as u64;
                if outcome.issues.iter().any(|i| i.action == Action::Fixed) {
                    summary.rule_fixed_styles += 1;
                }
                None
            }
            Err(reason) => Some(reason),
        };
        observe(StyleReport {
            style: &style,
            items_in: style.skus.len(),
            skipped,
            outcome: &outcome,
        });
    }
    w.finish()?;
    summary.skipped = mapper.skipped().clone();
    Ok(summary)
}
