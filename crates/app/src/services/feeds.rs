//! Partner product feeds: the catalog read page by page from the store, mapped for one partner
//! (language, currency, markup, sizes, categories) and streamed in constant memory.

use ddhub_domain::style::StyleState;
use ddhub_domain::translation::TranslatableField;
use ddhub_domain::{PartnerId, StyleId, WholesalerId};
use ddhub_feeds::{
    ChangeEntry, ChangesPage, Channel, Compression, FeedCursor, FeedFormat, FeedMapper,
    FeedSettings, FeedSku, FeedStyle, FeedSummary, SkipReason, StyleExtras, StyleReport,
    TombstoneReason, item_id,
};
use ddhub_store::changes::{self, ViewFilter};
use ddhub_store::{Store, StoreError, photos, translations};
use std::collections::HashMap;
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

impl ddhub_domain::error::Coded for FeedBuildError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        match self {
            FeedBuildError::Store(e) => e.error_code(),
            // Stored settings that no longer read, or a write that broke off: ours, not the
            // partner's.
            FeedBuildError::Settings(_) | FeedBuildError::Write(_) => {
                ddhub_domain::error::ErrorCode::Internal
            }
        }
    }

    fn public_detail(&self) -> Option<String> {
        match self {
            FeedBuildError::Store(e) => e.public_detail(),
            _ => None,
        }
    }
}

/// Why a partner's settings change was refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsUpdateError {
    #[error("the body must be a JSON object")]
    NotAnObject,
    /// Currency, markup and rounding are the operator's (`ddhub partner settings`).
    #[error("{0}")]
    OperatorOnly(&'static str),
    #[error(transparent)]
    Invalid(#[from] ddhub_feeds::SettingsError),
    #[error(transparent)]
    Build(#[from] FeedBuildError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ddhub_domain::error::Coded for SettingsUpdateError {
    fn error_code(&self) -> ddhub_domain::error::ErrorCode {
        use ddhub_domain::error::ErrorCode;
        match self {
            SettingsUpdateError::NotAnObject => ErrorCode::InvalidFeedSettings,
            SettingsUpdateError::OperatorOnly(_) => ErrorCode::FeedSettingsOperatorOnly,
            SettingsUpdateError::Invalid(e) => e.error_code(),
            SettingsUpdateError::Build(e) => e.error_code(),
            SettingsUpdateError::Store(e) => e.error_code(),
        }
    }

    fn public_detail(&self) -> Option<String> {
        match self {
            SettingsUpdateError::NotAnObject | SettingsUpdateError::OperatorOnly(_) => {
                Some(self.to_string())
            }
            SettingsUpdateError::Invalid(e) => e.public_detail(),
            SettingsUpdateError::Build(e) => e.public_detail(),
            SettingsUpdateError::Store(e) => e.public_detail(),
        }
    }
}

/// Settings that are commercial terms between the hub and the partner: only the operator
/// changes them (`ddhub partner settings`).
pub const OPERATOR_ONLY: [&str; 3] = ["currency", "markup_bp", "rounding"];

/// Replaces a partner's feed settings with `body` (fields left out take their defaults). The
/// partner chooses what it sees and how; currency, markup and rounding are the operator's and
/// may only be sent unchanged. Returns the settings now in force.
pub async fn update_settings(
    store: &Store,
    partner: PartnerId,
    mut body: serde_json::Value,
) -> Result<FeedSettings, SettingsUpdateError> {
    let current = settings_for(store, partner).await?;
    let current_json = serde_json::to_value(&current).map_err(StoreError::from)?;
    let Some(fields) = body.as_object_mut() else {
        return Err(SettingsUpdateError::NotAnObject);
    };
    for name in OPERATOR_ONLY {
        match fields.get(name) {
            Some(v) if Some(v) != current_json.get(name) => {
                return Err(SettingsUpdateError::OperatorOnly(name));
            }
            _ => {
                if let Some(v) = current_json.get(name) {
                    fields.insert(name.to_string(), v.clone());
                }
            }
        }
    }
    let settings = FeedSettings::from_json(&body.to_string())?;
    let terms = ddhub_store::parties::NewPartnerTerms {
        locale: settings.locale,
        currency: current.currency,
        markup_bp: current.markup_bp,
        rounding: current.rounding,
    };
    let json = serde_json::to_string(&settings).map_err(StoreError::from)?;
    ddhub_store::parties::set_partner_feed(store, partner, &terms, &json).await?;
    Ok(settings_for(store, partner).await?)
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

/// One page of feed styles after `after` (style id), for the partner's locale; archived styles
/// are left out.
async fn page(
    store: &Store,
    after: i64,
    settings: &FeedSettings,
    media_base: &str,
    scope: Scope,
) -> Result<(Vec<FeedStyle>, i64), StoreError> {
    let only: Option<Vec<WholesalerId>> = match scope {
        Scope::WholeCatalog => None,
        Scope::ChosenWholesalers => settings
            .wholesalers
            .as_ref()
            .map(|w| w.iter().copied().collect()),
    };
    let ids = ddhub_store::catalog::style_ids_after_of(store, only.as_deref(), after, PAGE).await?;
    let Some(last) = ids.last().map(|s| s.0) else {
        return Ok((Vec::new(), after));
    };
    let mut styles = load_styles(store, &ids, settings, media_base).await?;
    styles.retain(|s| s.state != StyleState::Archived);
    Ok((styles, last))
}

/// The given styles as feed input in the partner's locale (archived ones included).
async fn load_styles(
    store: &Store,
    ids: &[StyleId],
    settings: &FeedSettings,
    media_base: &str,
) -> Result<Vec<FeedStyle>, StoreError> {
    let rows = ddhub_store::catalog::listing_rows(store, ids).await?;
    let titles =
        translations::field_for_styles(store, ids, settings.locale, TranslatableField::Title)
            .await?;
    let descriptions =
        translations::field_for_styles(store, ids, settings.locale, TranslatableField::Description)
            .await?;
    // The wholesaler's own text, machine-translated, follows the generated description.
    let free = translations::translated_free_text_for_styles(store, ids, settings.locale).await?;
    let mut pics = photos::ready_for_styles(store, ids).await?;
    let mut measured = ddhub_store::measurements::of_styles(store, ids).await?;
    // The carrier rate tables, once per page: the shipping attribute comes from the same
    // tables as shipments and the delivered price.
    let rates = if settings.shipping.is_empty() {
        crate::services::shipments::rate_tables(store)
            .await
            .map_err(|e| StoreError::Corrupt(format!("rate tables: {e}")))?
    } else {
        Vec::new()
    };
    let profile = settings.image_profile.as_str();
    let styles = rows
        .into_iter()
        .map(|r| {
            let id = r.style.id.0;
            let ready = pics.remove(&id).unwrap_or_default();
            let total = ready.len();
            let photos: Vec<String> = ready
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
            // A ready photo with none of those variants was too small to make them (imaging
            // never upscales): the channel's image profile cannot use it.
            let small = total - photos.len();
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
                weight_grams: r.style.weight_grams,
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
                extras: StyleExtras {
                    untranslated: settings.locale != ddhub_domain::Locale::Ko
                        && !titles.contains_key(&id),
                    photos_below_profile: u32::try_from(small).unwrap_or(u32::MAX),
                    wholesaler_name_latin: ddhub_translate::romanize::latin_name(
                        &r.wholesaler.name,
                    ),
                },
                measurements: measured
                    .get_mut(&StyleId(id))
                    .map(|m| std::mem::take(&mut m.measurements))
                    .unwrap_or_default(),
                fit_note: measured.remove(&StyleId(id)).and_then(|m| m.fit_note),
                shipping_krw: crate::services::landed::feed_shipping(&r.style, settings, &rates),
            }
        })
        .collect();
    Ok(styles)
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
    write_partner_feed_observed(
        handle,
        store,
        settings,
        rate,
        base_url,
        media_base,
        format,
        compression,
        out,
        Scope::WholeCatalog,
        &mut |_: StyleReport<'_>| {},
    )
}

/// Which styles a feed build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every style, so that styles the partner's settings leave out are counted as such (the
    /// partner's diagnostics say how many and why).
    WholeCatalog,
    /// Only the styles of the settings' wholesalers, when they name some: a wholesaler's
    /// readiness page reads that wholesaler's styles, not the whole hub once per partner.
    ChosenWholesalers,
}

/// [`write_partner_feed`], telling `observe` what happened to each style (diagnostics).
#[allow(clippy::too_many_arguments)]
pub fn write_partner_feed_observed<W: Write>(
    handle: &tokio::runtime::Handle,
    store: &Store,
    settings: &FeedSettings,
    rate: Option<ddhub_domain::RatePerKrw>,
    base_url: &str,
    media_base: &str,
    format: FeedFormat,
    compression: Compression,
    out: W,
    scope: Scope,
    observe: &mut dyn FnMut(StyleReport<'_>),
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
            match handle.block_on(page(store, after, settings, media_base, scope)) {
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
    let result = ddhub_feeds::write_feed_observed(
        format,
        compression,
        out,
        &channel,
        &mut mapper,
        styles,
        observe,
    );
    if let Some(e) = failure {
        return Err(e.into());
    }
    result.map_err(|e| FeedBuildError::Write(e.to_string()))
}

/// Which catalog changes are in a partner's view (see [`ddhub_store::changes`]).
pub fn view_filter(settings: &FeedSettings) -> ViewFilter {
    ViewFilter {
        wholesalers: settings.wholesalers.clone(),
        locale: settings.locale,
    }
}

/// Most changes (styles) per page of the changes feed; each lists every SKU item of its style.
pub const MAX_CHANGES_PAGE: u64 = 1_000;
/// Changes per page when the partner does not ask.
pub const DEFAULT_CHANGES_PAGE: u64 = 100;

/// One page of a partner's changes feed after `cursor`: for each changed style (in commit
/// order, a style changed twice in the page listed once at its last change), one entry per SKU
/// item in the partner's current view: an upsert, or a tombstone when the item is sold out, its
/// style archived, or the partner's settings now leave it out (too few photos, category).
#[allow(clippy::too_many_arguments)]
pub async fn changes_page(
    store: &Store,
    settings: &FeedSettings,
    rate: Option<ddhub_domain::RatePerKrw>,
    base_url: &str,
    media_base: &str,
    cursor: FeedCursor,
    limit: u64,
) -> Result<ChangesPage, FeedBuildError> {
    let limit = limit.clamp(1, MAX_CHANGES_PAGE);
    let rows = changes::after(store, &view_filter(settings), cursor.seq(), limit).await?;
    // The last change of each style in the page; the entries show the style's state now.
    let mut last: HashMap<i64, (i64, ddhub_domain::Timestamp)> = HashMap::new();
    for r in &rows.rows {
        last.insert(r.style_id.0, (r.seq, r.changed_at));
    }
    let mut order: Vec<(i64, ddhub_domain::Timestamp, i64)> = last
        .iter()
        .map(|(style, (seq, at))| (*seq, *at, *style))
        .collect();
    order.sort_unstable();
    let ids: Vec<StyleId> = order.iter().map(|(_, _, s)| StyleId(*s)).collect();
    let styles: HashMap<i64, FeedStyle> = load_styles(store, &ids, settings, media_base)
        .await?
        .into_iter()
        .map(|s| (s.style_id.0, s))
        .collect();
    let mut mapper = FeedMapper::new(settings, rate, base_url)
        .map_err(|e| FeedBuildError::Settings(e.to_string()))?;
    let mut entries = Vec::new();
    let mut items = Vec::new();
    for (seq, at, style_id) in order {
        // Styles are never deleted (orders may point at them); a missing one has nothing to say.
        let Some(style) = styles.get(&style_id) else {
            continue;
        };
        let tombstones = |reason: TombstoneReason, entries: &mut Vec<ChangeEntry>| {
            entries.extend(
                style
                    .skus
                    .iter()
                    .map(|k| ChangeEntry::tombstone(seq, at, item_id(style, k), reason)),
            );
        };
        match mapper.exclusion(style) {
            // A style never moves to another wholesaler, so one the partner does not take was
            // never in its view; no SKUs, no items.
            Some(SkipReason::Wholesaler | SkipReason::NoSkus) => continue,
            Some(SkipReason::Archived) => {
                tombstones(TombstoneReason::Archived, &mut entries);
                continue;
            }
            Some(_) => {
                tombstones(TombstoneReason::Excluded, &mut entries);
                continue;
            }
            None => {}
        }
        match mapper.map_style(style, &mut items) {
            Ok(_) => entries.extend(
                items
                    .drain(..)
                    .map(|item| ChangeEntry::for_item(seq, at, item)),
            ),
            Err(_) => tombstones(TombstoneReason::Excluded, &mut entries),
        }
    }
    Ok(ChangesPage {
        changes: entries,
        next_cursor: FeedCursor::new(rows.next),
        has_more: rows.has_more,
    })
}

/// What a partner's full feed bytes depend on, hashed: settings, exchange rate, the last change
/// in the partner's view, the addresses in links. Equal key, equal bytes (per format and
/// coding); the ETag and the snapshot file are both named by it.
pub async fn view_key(
    store: &Store,
    settings: &FeedSettings,
    rate: Option<ddhub_domain::RatePerKrw>,
    base_url: &str,
    media_base: &str,
) -> Result<(String, i64), StoreError> {
    use sha2::{Digest, Sha256};
    let version = changes::view_version(store, &view_filter(settings)).await?;
    let input = format!(
        "{}\n{rate:?}\n{base_url}\n{media_base}",
        settings.fingerprint()
    );
    Ok((hex::encode(Sha256::digest(input.as_bytes())), version))
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

/// Finished full feeds on disk, one per partner, format and coding, named by the partner's
/// [`view_key`] and view version: a fetch while nothing in the partner's view changed streams
/// the file instead of reading the catalog again (Saleor/WooCommerce-style feeds regenerate
/// on every fetch). A newer snapshot replaces the older one, so the directory holds at most
/// one file per (partner, format, coding).
#[derive(Clone, Debug)]
pub struct Snapshots {
    dir: std::path::PathBuf,
}

/// Distinguishes concurrent writers' temporary files within one process.
static SNAPSHOT_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Snapshots {
    pub fn new(data_dir: &std::path::Path) -> Self {
        Snapshots {
            dir: data_dir.join("feed-snapshots"),
        }
    }

    fn prefix(format: FeedFormat, compression: Compression) -> String {
        let coding = match compression {
            Compression::Identity => "identity".to_string(),
            Compression::Gzip(level) => format!("gzip{level}"),
        };
        format!("{}-{coding}-", format.as_str())
    }

    /// The file of a snapshot (it may not exist).
    pub fn path(
        &self,
        partner: PartnerId,
        format: FeedFormat,
        compression: Compression,
        key: &str,
        version: i64,
    ) -> std::path::PathBuf {
        self.dir.join(format!("p{}", partner.0)).join(format!(
            "{}{key}-{version}",
            Self::prefix(format, compression)
        ))
    }

    /// Starts writing a snapshot; it becomes visible only when [`SnapshotFile::finish`] runs.
    pub fn create(
        &self,
        partner: PartnerId,
        format: FeedFormat,
        compression: Compression,
        key: &str,
        version: i64,
    ) -> std::io::Result<SnapshotFile> {
        let path = self.path(partner, format, compression, key, version);
        let dir = path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| self.dir.clone());
        std::fs::create_dir_all(&dir)?;
        let n = SNAPSHOT_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
        let file = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&tmp)?);
        Ok(SnapshotFile {
            file: Some(file),
            tmp,
            path,
            prefix: Self::prefix(format, compression),
        })
    }
}

/// A snapshot being written: a temporary file, renamed into place when complete and removed
/// otherwise (a client that went away, a failed read), so a partial feed is never reused.
#[derive(Debug)]
pub struct SnapshotFile {
    file: Option<std::io::BufWriter<std::fs::File>>,
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
    prefix: String,
}

impl SnapshotFile {
    /// Puts the complete snapshot in place and removes older ones of the same format and coding.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(f) = self.file.take() {
            let f = f.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
        }
        std::fs::rename(&self.tmp, &self.path)?;
        let keep = self.path.file_name().map(|n| n.to_os_string());
        if let Some(dir) = self.path.parent() {
            for entry in std::fs::read_dir(dir)?.flatten() {
                let name = entry.file_name();
                let older = name.to_str().is_some_and(|n| n.starts_with(&self.prefix))
                    && Some(&name) != keep.as_ref();
                if older {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }
}

impl Write for SnapshotFile {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(data),
            None => Err(std::io::Error::other("snapshot already finished")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for SnapshotFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes every byte to the client and, while it can, to a snapshot: a snapshot that fails
/// (disk full) is dropped without failing the response.
pub struct Tee<W: Write> {
    pub client: W,
    pub snapshot: Option<SnapshotFile>,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.client.write_all(data)?;
        if let Some(s) = &mut self.snapshot
            && let Err(e) = s.write_all(data)
        {
            tracing::warn!(error = %e, "feed snapshot not written");
            self.snapshot = None;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.client.flush()
    }
}

/// Streams a finished snapshot file to a body channel in 64 KiB chunks (blocking thread).
/// The file is opened by the caller first: a newer snapshot may replace (unlink) it meanwhile,
/// and an open file stays readable.
pub fn send_file(
    mut f: std::fs::File,
    tx: &tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
) -> std::io::Result<()> {
    use std::io::Read;
    loop {
        let mut buf = vec![0u8; 64 * 1024];
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        buf.truncate(n);
        if tx.blocking_send(Ok(bytes::Bytes::from(buf))).is_err() {
            return Ok(());
        }
    }
}
