//! Marketplace channels: a partner's feed diagnostics (what went out, what was left out and
//! why, per style) and each of a wholesaler's styles' readiness per partner channel.

use crate::services::feeds::{FeedBuildError, settings_for, write_partner_feed_observed};
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
    run(store, settings, format, base_url, media_base).await
}

async fn run(
    store: &Store,
    settings: ddhub_feeds::FeedSettings,
    format: FeedFormat,
    base_url: &str,
    media_base: &str,
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
        let d = run(store, settings, format, base_url, media_base).await?;
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
