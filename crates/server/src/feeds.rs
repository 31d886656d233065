//! Partner product feeds: the catalog read page by page from the store, mapped for one partner
//! (language, currency, markup, sizes, categories) and streamed in constant memory.

use ddhub_domain::style::StyleState;
use ddhub_domain::translation::TranslatableField;
use ddhub_domain::{PartnerId, StyleId};
use ddhub_feeds::{
    Channel, Compression, FeedFormat, FeedMapper, FeedSettings, FeedSku, FeedStyle, FeedSummary,
};
use ddhub_store::{Store, StoreError, photos, translations};
use std::io::Write;

/// Styles read per page: the feed holds one page at a time.
const PAGE: u64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum FeedBuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("partner settings: {0}")]
    Settings(String),
    #[error("writing the feed: {0}")]
    Write(String),
}

/// A partner's feed settings: the stored JSON, with the partner's own locale, currency, markup
/// and rounding (the partner row is authoritative for those).
pub async fn settings_for(
    store: &Store,
    partner: PartnerId,
) -> Result<FeedSettings, FeedBuildError> {
    let p = ddhub_store::parties::get_partner(store, partner).await?;
    let json = ddhub_store::parties::partner_settings(store, partner).await?;
    let mut s =
        FeedSettings::from_json(&json).map_err(|e| FeedBuildError::Settings(e.to_string()))?;
    s.locale = p.locale;
    s.currency = p.currency;
    s.markup_bp = p.markup_bp;
    s.rounding = p.rounding;
    Ok(s)
}

/// One page of feed styles after `after` (style id), for the partner's locale.
async fn page(
    store: &Store,
    after: i64,
    settings: &FeedSettings,
    media_base: &str,
) -> Result<(Vec<FeedStyle>, i64), StoreError> {
    let ids = ddhub_store::catalog::style_ids_after(store, after, PAGE).await?;
    let Some(last) = ids.last().map(|s| s.0) else {
        return Ok((Vec::new(), after));
    };
    let rows = ddhub_store::catalog::listing_rows(store, &ids).await?;
    let titles =
        translations::field_for_styles(store, &ids, settings.locale, TranslatableField::Title)
            .await?;
    let descriptions = translations::field_for_styles(
        store,
        &ids,
        settings.locale,
        TranslatableField::Description,
    )
    .await?;
    // The wholesaler's own text, machine-translated, follows the generated description.
    let free = translations::translated_free_text_for_styles(store, &ids, settings.locale).await?;
    let mut pics = photos::ready_for_styles(store, &ids).await?;
    let profile = settings.image_profile.as_str();
    let styles = rows
        .into_iter()
        .filter(|r| r.style.state != StyleState::Archived)
        .map(|r| {
            let id = r.style.id.0;
            let photos: Vec<String> = pics
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    let pick = |name: &str| {
                        p.variants
                            .iter()
                            .find(|v| v.name == name && v.format == "jpeg")
                    };
                    pick(profile)
                        .or_else(|| pick("large"))
                        .or_else(|| pick("medium"))
                        .map(|v| format!("{media_base}/{}", v.key))
                })
                .collect();
            FeedStyle {
                style_id: StyleId(id),
                style_code: r.style.style_code.clone(),
                wholesaler_id: r.wholesaler.id,
                wholesaler_name: r.wholesaler.name.clone(),
                title: titles
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| r.style.title_ko.clone()),
                description: match (descriptions.get(&id), free.get(&id)) {
                    (Some(d), Some(f)) => format!("{d}\n\n{f}"),
                    (d, f) => d.or(f).cloned().unwrap_or_default(),
                },
                category: r.style.category.clone(),
                gender: None,
                price: r.style.price,
                moq: r.style.moq.0,
                composition: r.style.composition.clone(),
                origin: r.style.origin.clone(),
                photos,
                state: r.style.state,
                created_at: r.style.created_at,
                updated_at: r.style.updated_at,
                skus: r
                    .skus
                    .iter()
                    .map(|k| FeedSku {
                        sku_id: k.id,
                        colour: k.colour.clone(),
                        size: k.size.clone(),
                        stock: k.stock,
                        expected: None,
                        image: None,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok((styles, last))
}

/// Writes a partner's whole feed to `out`. Runs on a blocking thread: pages are fetched with
/// `handle.block_on`, one at a time, so memory does not grow with the catalog.
#[allow(clippy::too_many_arguments)]
pub fn write_partner_feed<W: Write>(
    handle: &tokio::runtime::Handle,
    store: &Store,
    settings: &FeedSettings,
    rate: Option<ddhub_domain::RatePerKrw>,
    base_url: &str,
    media_base: &str,
    format: FeedFormat,
    compression: Compression,
    out: W,
) -> Result<(W, FeedSummary), FeedBuildError> {
    let mut mapper = FeedMapper::new(settings, rate, base_url)
        .map_err(|e| FeedBuildError::Settings(e.to_string()))?;
    let channel = Channel {
        title: "DDHub — Dongdaemun wholesale".to_string(),
        link: base_url.to_string(),
        description: "New styles from Dongdaemun wholesalers, ready for export.".to_string(),
    };
    let mut after = 0i64;
    let mut buffer: std::vec::IntoIter<FeedStyle> = Vec::new().into_iter();
    let mut failure: Option<StoreError> = None;
    let styles = std::iter::from_fn(|| {
        loop {
            if let Some(s) = buffer.next() {
                return Some(s);
            }
            if failure.is_some() {
                return None;
            }
            match handle.block_on(page(store, after, settings, media_base)) {
                Ok((v, last)) if !v.is_empty() || last != after => {
                    after = last;
                    buffer = v.into_iter();
                }
                Ok(_) => return None,
                Err(e) => {
                    failure = Some(e);
                    return None;
                }
            }
        }
    });
    let result = ddhub_feeds::write_feed(format, compression, out, &channel, &mut mapper, styles);
    if let Some(e) = failure {
        return Err(e.into());
    }
    result.map_err(|e| FeedBuildError::Write(e.to_string()))
}

/// A `Write` that hands its bytes to an async body in chunks.
pub struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    pub fn new(tx: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>) -> Self {
        Self {
            tx,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = bytes::Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(64 * 1024),
        ));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}
