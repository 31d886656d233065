//! The writer contract every format implements, gzip, and the one call that streams a whole
//! feed: styles in, bytes out, one style's items in memory at a time.

use crate::item::{FeedItem, FeedMapper, FeedStyle, SkipCounts};
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
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::GmcXml, FeedFormat::Csv, FeedFormat::Jsonl];

    /// The name used in `?format=` and on the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::GmcXml => "gmc-xml",
            FeedFormat::Csv => "csv",
            FeedFormat::Jsonl => "jsonl",
        }
    }

    pub fn parse(s: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::GmcXml => "application/rss+xml; charset=utf-8",
            FeedFormat::Csv => "text/csv; charset=utf-8; header=present",
            FeedFormat::Jsonl => "application/jsonl; charset=utf-8",
        }
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            FeedFormat::GmcXml => "xml",
            FeedFormat::Csv => "csv",
            FeedFormat::Jsonl => "jsonl",
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
    fn finish(&mut self) -> Result<(), FeedError>;
}

/// A writer of `format` over `out`.
pub fn writer_for<'w, W: Write + 'w>(format: FeedFormat, out: W) -> Box<dyn FeedWriter + 'w> {
    match format {
        FeedFormat::GmcXml => Box::new(GmcXmlWriter::new(out)),
        FeedFormat::Csv => Box::new(CsvWriter::new(out)),
        FeedFormat::Jsonl => Box::new(JsonlWriter::new(out)),
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
    match compression {
        Compression::Identity => {
            let mut out = out;
            let summary = stream(format, &mut out, channel, mapper, styles)?;
            out.flush()?;
            Ok((out, summary))
        }
        Compression::Gzip(level) => {
            let mut gz = GzipSink::new(out, level);
            let summary = stream(format, &mut gz, channel, mapper, styles)?;
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
) -> Result<FeedSummary, FeedError> {
    let mut w = writer_for(format, out);
    w.begin(channel)?;
    let mut buf = Vec::new();
    let mut summary = FeedSummary::default();
    for style in styles {
        summary.styles += 1;
        if mapper.map_style(&style, &mut buf).is_ok() {
            for item in &buf {
                w.write_item(item)?;
            }
            summary.items += buf.len() as u64;
        }
    }
    w.finish()?;
    summary.skipped = mapper.skipped().clone();
    Ok(summary)
}
