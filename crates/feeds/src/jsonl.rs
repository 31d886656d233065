//! JSON Lines: one [`FeedItem`] object per line, for programs.

use crate::item::FeedItem;
use crate::writer::{Channel, FeedError, FeedWriter};
use std::io::{BufWriter, Write};

/// Streams items as JSON Lines (`\n`-terminated, UTF-8, no header).
pub struct JsonlWriter<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> std::fmt::Debug for JsonlWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonlWriter")
    }
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter {
            out: BufWriter::with_capacity(64 * 1024, out),
        }
    }
}

impl<W: Write> FeedWriter for JsonlWriter<W> {
    fn begin(&mut self, _channel: &Channel) -> Result<(), FeedError> {
        Ok(())
    }

    fn write_item(&mut self, item: &FeedItem) -> Result<(), FeedError> {
        serde_json::to_writer(&mut self.out, item)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FeedError> {
        self.out.flush()?;
        Ok(())
    }
}
