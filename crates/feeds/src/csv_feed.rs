//! RFC 4180 CSV (CRLF line ends, quotes where needed) with a header row of Google attribute
//! names, every cell neutralised against spreadsheet formula injection.

use crate::item::FeedItem;
use crate::text::neutralise_formula;
use crate::writer::{Channel, FeedError, FeedWriter};
use std::io::Write;

/// Column order of the CSV feed. Multi-valued cells: `additional_image_link` joins URLs with
/// `,`; `shipping` joins entries with `,`, each `country:region:service:price` as in Google's
/// text feeds (region is empty).
pub const CSV_COLUMNS: [&str; 30] = [
    "id",
    "item_group_id",
    "title",
    "description",
    "link",
    "image_link",
    "additional_image_link",
    "price",
    "availability",
    "availability_date",
    "condition",
    "brand",
    "identifier_exists",
    "mpn",
    "color",
    "size",
    "size_system",
    "gender",
    "age_group",
    "material",
    "google_product_category",
    "product_type",
    "shipping",
    "partner_category",
    "moq",
    "origin",
    "style_id",
    "sku_id",
    "updated_at",
    "shipping_weight",
];

/// The cells of one item, in [`CSV_COLUMNS`] order, before neutralisation.
pub fn csv_cells(item: &FeedItem) -> [String; 30] {
    let shipping = item
        .shipping
        .iter()
        .map(|s| {
            format!(
                "{}::{}:{}",
                s.country,
                s.service.as_deref().unwrap_or(""),
                s.price
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    [
        item.id.clone(),
        item.item_group_id.clone(),
        item.title.clone(),
        item.description.clone(),
        item.link.clone(),
        item.image_link.clone(),
        item.additional_image_link.join(","),
        item.price.to_string(),
        item.availability.as_str().to_string(),
        item.availability_date.clone().unwrap_or_default(),
        item.condition.as_str().to_string(),
        item.brand.clone(),
        if item.identifier_exists { "yes" } else { "no" }.to_string(),
        item.mpn.clone(),
        item.color.clone(),
        item.size.clone(),
        item.size_system.unwrap_or("").to_string(),
        item.gender.as_str().to_string(),
        item.age_group.as_str().to_string(),
        item.material.clone().unwrap_or_default(),
        item.google_product_category.clone(),
        item.product_type.clone(),
        shipping,
        item.partner_category.clone().unwrap_or_default(),
        item.moq.to_string(),
        item.origin.clone().unwrap_or_default(),
        item.style_id.to_string(),
        item.sku_id.to_string(),
        crate::item::iso8601(item.updated_at),
        item.shipping_weight.clone(),
    ]
}

/// Streams items as CSV. The csv crate buffers internally; `finish` flushes.
pub struct CsvWriter<W: Write> {
    csv: csv::Writer<W>,
    began: bool,
}

impl<W: Write> std::fmt::Debug for CsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsvWriter")
    }
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter {
            csv: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            began: false,
        }
    }
}

impl<W: Write> FeedWriter for CsvWriter<W> {
    fn begin(&mut self, _channel: &Channel) -> Result<(), FeedError> {
        self.csv.write_record(CSV_COLUMNS)?;
        self.began = true;
        Ok(())
    }

    fn write_item(&mut self, item: &FeedItem) -> Result<(), FeedError> {
        if !self.began {
            return Err(FeedError::State);
        }
        let cells = csv_cells(item);
        self.csv
            .write_record(cells.iter().map(|c| neutralise_formula(c).into_owned()))?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FeedError> {
        self.csv.flush()?;
        Ok(())
    }
}
