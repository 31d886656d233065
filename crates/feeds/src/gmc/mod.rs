//! Google Merchant Center: the RSS 2.0 writer and a validator that reads the written XML back.

mod validate;

pub use validate::{
    FeedReport, GmcItem, ItemFailure, Problem, ProblemKind, ValidateError, for_each_item,
    parse_items, validate_feed, validate_item,
};

use crate::item::FeedItem;
use crate::text::clean_text;
use crate::writer::{Channel, FeedError, FeedWriter};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io::{BufWriter, Write};

/// The `g:` namespace of Google's product attributes.
pub const GOOGLE_NS: &str = "http://base.google.com/ns/1.0";

/// Streams items as `<rss version="2.0" xmlns:g=…><channel>…<item>…</item>…</channel></rss>`.
///
/// Text goes through quick-xml's escaping (`& < > " '`) after [`clean_text`], which removes the
/// characters XML 1.0 cannot carry; what a parser reads back equals the cleaned text.
/// Output is buffered internally (64 KiB), so any `Write` can be passed directly.
pub struct GmcXmlWriter<W: Write> {
    xml: Writer<BufWriter<W>>,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Open,
    Done,
}

impl<W: Write> std::fmt::Debug for GmcXmlWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GmcXmlWriter")
    }
}

impl<W: Write> GmcXmlWriter<W> {
    pub fn new(out: W) -> Self {
        GmcXmlWriter {
            xml: Writer::new_with_indent(BufWriter::with_capacity(64 * 1024, out), b' ', 1),
            state: State::New,
        }
    }

    /// The underlying writer, after [`FeedWriter::finish`].
    pub fn into_inner(self) -> Result<W, FeedError> {
        self.xml
            .into_inner()
            .into_inner()
            .map_err(|e| FeedError::Io(e.into_error()))
    }

    fn text(&mut self, name: &str, value: &str) -> Result<(), FeedError> {
        self.xml
            .create_element(name)
            .write_text_content(BytesText::new(&clean_text(value)))?;
        Ok(())
    }
}

impl<W: Write> FeedWriter for GmcXmlWriter<W> {
    fn begin(&mut self, channel: &Channel) -> Result<(), FeedError> {
        if self.state != State::New {
            return Err(FeedError::State);
        }
        self.xml
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let rss =
            BytesStart::new("rss").with_attributes([("version", "2.0"), ("xmlns:g", GOOGLE_NS)]);
        self.xml.write_event(Event::Start(rss))?;
        self.xml
            .write_event(Event::Start(BytesStart::new("channel")))?;
        self.text("title", &channel.title)?;
        self.text("link", &channel.link)?;
        self.text("description", &channel.description)?;
        self.state = State::Open;
        Ok(())
    }

    fn write_item(&mut self, item: &FeedItem) -> Result<(), FeedError> {
        if self.state != State::Open {
            return Err(FeedError::State);
        }
        self.xml
            .write_event(Event::Start(BytesStart::new("item")))?;
        self.text("g:id", &item.id)?;
        self.text("g:item_group_id", &item.item_group_id)?;
        self.text("g:title", &item.title)?;
        self.text("g:description", &item.description)?;
        self.text("g:link", &item.link)?;
        self.text("g:image_link", &item.image_link)?;
        for url in &item.additional_image_link {
            self.text("g:additional_image_link", url)?;
        }
        self.text("g:price", &item.price.to_string())?;
        self.text("g:availability", item.availability.as_str())?;
        if let Some(d) = &item.availability_date {
            self.text("g:availability_date", d)?;
        }
        self.text("g:condition", item.condition.as_str())?;
        self.text("g:brand", &item.brand)?;
        self.text(
            "g:identifier_exists",
            if item.identifier_exists { "yes" } else { "no" },
        )?;
        self.text("g:mpn", &item.mpn)?;
        self.text("g:color", &item.color)?;
        self.text("g:size", &item.size)?;
        if let Some(s) = item.size_system {
            self.text("g:size_system", s)?;
        }
        self.text("g:gender", item.gender.as_str())?;
        self.text("g:age_group", item.age_group.as_str())?;
        if let Some(m) = &item.material {
            self.text("g:material", m)?;
        }
        self.text("g:google_product_category", &item.google_product_category)?;
        self.text("g:product_type", &item.product_type)?;
        for s in &item.shipping {
            self.xml
                .write_event(Event::Start(BytesStart::new("g:shipping")))?;
            self.text("g:country", &s.country)?;
            if let Some(service) = &s.service {
                self.text("g:service", service)?;
            }
            self.text("g:price", &s.price.to_string())?;
            self.xml
                .write_event(Event::End(BytesEnd::new("g:shipping")))?;
        }
        self.text("g:shipping_weight", &item.shipping_weight)?;
        self.xml.write_event(Event::End(BytesEnd::new("item")))?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FeedError> {
        if self.state != State::Open {
            return Err(FeedError::State);
        }
        self.xml.write_event(Event::End(BytesEnd::new("channel")))?;
        self.xml.write_event(Event::End(BytesEnd::new("rss")))?;
        self.xml.get_mut().write_all(b"\n")?;
        self.xml.get_mut().flush()?;
        self.state = State::Done;
        Ok(())
    }
}
