//! Marketplace channels: a partner's feed diagnostics (what went out, what was left out and
//! why, per style) and each of a wholesaler's styles' readiness per partner channel.

use crate::services::feeds::{FeedBuildError, Scope, settings_for, write_partner_feed_observed};
use ddhub_domain::{PartnerId, WholesalerId};
use ddhub_feeds::{Compression, FeedDiagnostics, FeedFormat, StyleDiagnosis};
use ddhub_store::Store;
use std::collections::BTreeSet;

/// The partner's feed in `format` (its own setting when `None`) built into nothing, counting
/// every style in and out and every reason. Reads the catalog as the feed does, page by page.
pub async fn diagnostics(
    store: &Store,
    partner: PartnerId,
    format: Option<FeedFormat>,
    base_url: &str,
    media_base: &str,
) -> Result<FeedDiagnostics, FeedBuildError> {
    let settings = settings_for(store, partner).await?;
    let format = format.unwrap_or(settings.format);
    run(
        store,
        settings,
        format,
        base_url,
        media_base,
        Scope::WholeCatalog,
    )
    .await
}

async fn run(
    store: &Store,
    settings: ddhub_feeds::FeedSettings,
    format: FeedFormat,
    base_url: &str,
    media_base: &str,
    scope: Scope,
) -> Result<FeedDiagnostics, FeedBuildError> {
    let rate = ddhub_store::rates::get_rate(store, settings.currency).await?;
    let handle = tokio::runtime::Handle::current();
    let (store, base, media) = (store.clone(), base_url.to_string(), media_base.to_string());
    tokio::task::spawn_blocking(move || {
        let mut diag = FeedDiagnostics::new(format);
        write_partner_feed_observed(
            &handle,
            &store,
            &settings,
            rate,
            &base,
            &media,
            format,
            Compression::Identity,
            std::io::sink(),
            scope,
            &mut |r| diag.observe(r),
        )?;
        Ok(diag)
    })
    .await
    .map_err(|e| FeedBuildError::Write(e.to_string()))?
}

/// One partner channel's verdict on a wholesaler's styles.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChannelReadiness {
    pub partner: String,
    pub format: FeedFormat,
    pub styles_in: u64,
    pub styles_out: u64,
    /// The wholesaler's styles left out or fixed on this channel, with reasons.
    pub styles: Vec<StyleDiagnosis>,
}

/// For each partner, which of `wholesaler`'s styles its channel takes and why not: the
/// partner's own settings narrowed to this wholesaler (the console's readiness page).
pub async fn readiness(
    store: &Store,
    wholesaler: WholesalerId,
    base_url: &str,
    media_base: &str,
) -> Result<Vec<ChannelReadiness>, FeedBuildError> {
    let mut out = Vec::new();
    for p in ddhub_store::parties::list_partners(store).await? {
        let mut settings = settings_for(store, p.id).await?;
        if settings
            .wholesalers
            .as_ref()
            .is_some_and(|w| !w.contains(&wholesaler))
        {
            continue;
        }
        settings.wholesalers = Some(BTreeSet::from([wholesaler]));
        let format = settings.format;
        let d = run(
            store,
            settings,
            format,
            base_url,
            media_base,
            Scope::ChosenWholesalers,
        )
        .await?;
        let own = |s: &StyleDiagnosis| {
            !s.issues
                .iter()
                .all(|i| i.reason == ddhub_feeds::Reason::ExcludedBySettings)
        };
        let styles: Vec<StyleDiagnosis> =
            d.left_out.into_iter().chain(d.fixed).filter(own).collect();
        out.push(ChannelReadiness {
            partner: p.name,
            format,
            styles_in: d.styles_in
                - d.left_out_by_reason
                    .get(&ddhub_feeds::Reason::ExcludedBySettings)
                    .copied()
                    .unwrap_or(0),
            styles_out: d.styles_out,
            styles,
        });
    }
    Ok(out)
}

/// What an image bundle holds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BundleSummary {
    pub images: u64,
    pub bytes: u64,
    /// Listed photos the media store did not have (named in the manifest).
    pub missing: u64,
}

/// The partner's image bundle for `format` (its own setting when `None`), for channels that
/// take only their own hosted images (Shopee; Yahoo!'s image upload names files after the item
/// code): a ZIP of every photo the channel lists, under the file names it expects, stored
/// without recompression (JPEG), and `manifest.csv` (`file`, `item_code`, `position`,
/// `source_url`, `bytes`; `bytes` empty for a photo the media store no longer has). Written to
/// `out` page by page as the feed is built; the manifest rows wait in memory (a line per photo).
#[allow(clippy::too_many_arguments)]
pub async fn image_bundle(
    store: &Store,
    media: &crate::media::MediaStore,
    partner: PartnerId,
    format: Option<FeedFormat>,
    base_url: &str,
    media_base: &str,
    out: std::fs::File,
) -> Result<(FeedFormat, BundleSummary), FeedBuildError> {
    use std::io::Write as _;
    let settings = settings_for(store, partner).await?;
    let format = format.unwrap_or(settings.format);
    let rate = ddhub_store::rates::get_rate(store, settings.currency).await?;
    let handle = tokio::runtime::Handle::current();
    let (store, media) = (store.clone(), media.clone());
    let (base, media_base) = (base_url.to_string(), media_base.to_string());
    tokio::task::spawn_blocking(move || {
        let write_err = |e: &dyn std::fmt::Display| FeedBuildError::Write(e.to_string());
        let mut zip = zip::ZipWriter::new(out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut manifest = csv::Writer::from_writer(Vec::new());
        manifest
            .write_record(["file", "item_code", "position", "source_url", "bytes"])
            .map_err(|e| write_err(&e))?;
        let mut summary = BundleSummary::default();
        let mut failure: Option<FeedBuildError> = None;
        let prefix = format!("{media_base}/");
        write_partner_feed_observed(
            &handle,
            &store,
            &settings,
            rate,
            &base,
            &media_base,
            format,
            Compression::Identity,
            std::io::sink(),
            // Styles the settings leave out have no photos in the bundle: skip reading them.
            Scope::ChosenWholesalers,
            &mut |r| {
                for img in &r.outcome.images {
                    if failure.is_some() {
                        return;
                    }
                    let bytes = match img.url.strip_prefix(&prefix) {
                        Some(key) => handle.block_on(media.get(key)).ok().flatten(),
                        None => None,
                    };
                    let size = match &bytes {
                        Some(b) => {
                            let written = zip
                                .start_file(img.file_name.as_str(), opts)
                                .map_err(|e| write_err(&e))
                                .and_then(|()| zip.write_all(b).map_err(|e| write_err(&e)));
                            if let Err(e) = written {
                                failure = Some(e);
                                return;
                            }
                            summary.images += 1;
                            summary.bytes += b.len() as u64;
                            b.len().to_string()
                        }
                        None => {
                            summary.missing += 1;
                            String::new()
                        }
                    };
                    let row = [
                        img.file_name.clone(),
                        img.item_code.clone(),
                        img.position.to_string(),
                        img.url.clone(),
                        size,
                    ];
                    if let Err(e) = manifest.write_record(&row) {
                        failure = Some(write_err(&e));
                    }
                }
            },
        )?;
        if let Some(e) = failure {
            return Err(e);
        }
        let manifest = manifest.into_inner().map_err(|e| write_err(&e))?;
        zip.start_file("manifest.csv", opts)
            .map_err(|e| write_err(&e))?;
        zip.write_all(&manifest).map_err(|e| write_err(&e))?;
        zip.finish().map_err(|e| write_err(&e))?;
        Ok((format, summary))
    })
    .await
    .map_err(|e| FeedBuildError::Write(e.to_string()))?
}
