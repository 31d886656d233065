//! Partner feeds (partner key): the whole catalog in the partner's language, currency and
//! format, streamed; 304 when nothing in the partner's view changed.

use crate::api_json::ApiJson;
use crate::auth::PartnerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_app::services::feeds::{
    ChannelWriter, DEFAULT_CHANGES_PAGE, MAX_CHANGES_PAGE, Snapshots, Tee, changes_page, send_file,
    settings_for, view_key, write_partner_feed,
};
use ddhub_feeds::{Compression, FeedCursor, FeedFormat, feed_etag, if_none_match};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(products))
        .routes(routes!(images))
}

/// The partner's image bundle: for channels that take only their own hosted images (Shopee)
/// or name image files after the item code (Yahoo! Shopping: `code.jpg`, `code_1.jpg` …), a ZIP
/// of every photo the channel's file lists, under the names it expects, with `manifest.csv`
/// (`file`, `item_code`, `position`, `source_url`, `bytes`). Named
/// `ddhub-<format>-images.zip`.
#[utoipa::path(get, path = "/api/v1/feeds/images", tag = "feeds",
    params(FeedQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The bundle", content_type = "application/zip"),
        (status = 400, description = "Unknown format", body = ErrorBody)
    ))]
async fn images(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let format = parse_format(q.format.as_deref())?;
    let dir = app.config.data_dir.join("feed-bundles");
    let internal = |e: std::io::Error| {
        tracing::error!(error = %e, "image bundle file");
        ApiError::new(ErrorCode::Internal)
    };
    std::fs::create_dir_all(&dir).map_err(internal)?;
    let path = dir.join(format!(
        "p{}-{}.zip",
        partner.0,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let file = std::fs::File::create(&path).map_err(internal)?;
    let built = ddhub_app::services::channels::image_bundle(
        &app.store,
        &app.media,
        partner,
        format,
        &app.config.base_url(),
        &app.config.media_base_url(),
        file,
    )
    .await;
    // The open file stays readable once unlinked: nothing is left behind on any path.
    let reader = std::fs::File::open(&path);
    let _ = std::fs::remove_file(&path);
    let (format, _) = built?;
    let reader = reader.map_err(internal)?;
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = send_file(reader, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"ddhub-{}-images.zip\"",
        format.as_str()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `gmc-xml` (Google Merchant Center RSS 2.0), `csv`, `jsonl`, `shopify-csv`,
    /// `shopee-global` or `yahoo-shopping-csv`; absent: the partner's `format` setting.
    pub format: Option<String>,
}

/// `format=` as a feed format; `None` when absent or empty.
fn parse_format(f: Option<&str>) -> Result<Option<FeedFormat>, ApiError> {
    match f {
        None | Some("") => Ok(None),
        Some(f) => FeedFormat::parse(f).map(Some).ok_or_else(|| {
            let names: Vec<&str> = FeedFormat::ALL.iter().map(|f| f.as_str()).collect();
            ApiError::with_detail(
                ErrorCode::InvalidQuery,
                format!("format must be one of {}", names.join(", ")),
            )
        }),
    }
}

/// The partner's product feed, one item per SKU. Send `Accept-Encoding: gzip` for gzip, and
/// `If-None-Match` with the last ETag to get 304 when nothing changed.
#[utoipa::path(get, path = "/api/v1/feeds/products", tag = "feeds",
    params(FeedQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The feed, streamed, in the format asked for. JSON Lines (`format=jsonl`): each line is one `FeedItem`",
            content(("application/rss+xml"), ("text/csv"), (crate::schemas::FeedItem = "application/jsonl")),
            headers(("ETag" = String, description = "The feed's version: send it back as `If-None-Match` to get 304 while nothing changed"))),
        (status = 304, description = "Unchanged since the ETag sent",
            headers(("ETag" = String, description = "The feed's version"))),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 503, description = "No exchange rate for the partner's currency", body = ErrorBody)
    ))]
async fn products(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let settings = settings_for(&app.store, partner).await?;
    let format = parse_format(q.format.as_deref())?.unwrap_or(settings.format);
    let rate = ddhub_store::rates::get_rate(&app.store, settings.currency).await?;
    if rate.is_none() {
        return Err(ApiError::with_detail(
            ErrorCode::NotReady,
            format!("no exchange rate is set for {}", settings.currency),
        ));
    }
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|e| e.trim().split(';').next() == Some("gzip"))
        });
    // Level 1: gzip at level 6 would halve the feed's speed for a few percent of size.
    let compression = if gzip {
        Compression::Gzip(1)
    } else {
        Compression::Identity
    };
    let (store, base, media) = (
        app.store.clone(),
        app.config.base_url(),
        app.config.media_base_url(),
    );
    // The partner's view: settings, rate and the last change it can see. Both the ETag and
    // the snapshot file are named by it.
    let (key, version) = view_key(&store, &settings, rate, &base, &media).await?;
    let etag = feed_etag(&key, version, format, compression);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| if_none_match(v, &etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let snapshots = Snapshots::new(&app.config.data_dir);
    let snapshot_path = snapshots.path(partner, format, compression, &key, version);
    let cached = std::fs::File::open(&snapshot_path).ok();
    let reused = cached.is_some();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let tx_err = tx.clone();
        if let Some(file) = cached {
            if let Err(e) = send_file(file, &tx) {
                tracing::error!(error = %e, "feed snapshot read failed midway");
                let _ = tx_err.blocking_send(Err(e));
            }
            return;
        }
        let snapshot = snapshots
            .create(partner, format, compression, &key, version)
            .map_err(|e| tracing::warn!(error = %e, "feed snapshot not started"))
            .ok();
        let writer = Tee {
            client: ChannelWriter::new(tx),
            snapshot,
        };
        match write_partner_feed(
            &handle,
            &store,
            &settings,
            rate,
            &base,
            &media,
            format,
            compression,
            writer,
        ) {
            Ok((tee, _)) => {
                // Only a complete feed becomes the snapshot.
                if let Some(s) = tee.snapshot
                    && let Err(e) = s.finish()
                {
                    tracing::warn!(error = %e, "feed snapshot not kept");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "feed generation failed midway");
                // The client sees a broken stream rather than a feed that silently ends early.
                let _ = tx_err.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(
        SNAPSHOT_HEADER,
        HeaderValue::from_static(if reused { "hit" } else { "miss" }),
    );
    Ok(res)
}

/// Response header saying whether a full feed came from the partner's stored snapshot (`hit`)
/// or was built from the catalog (`miss`), for operators and tests.
pub const SNAPSHOT_HEADER: &str = "x-ddhub-snapshot";

/// Partner routes with ordinary limits and timeout: the changes feed (bounded pages) and the
/// partner's feed settings.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(changes))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(diagnostics))
}

/// The partner's feed diagnostics (documentation of the JSON shape).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FeedDiagnosticsDoc {
    /// The format diagnosed.
    format: String,
    styles_in: u64,
    styles_out: u64,
    items_in: u64,
    items_out: u64,
    /// Styles wholly left out, by reason: `excluded_by_settings`, `no_photo`,
    /// `photo_below_profile`, `too_few_photos`, `not_translated`, `archived`, `no_skus`,
    /// `no_price`, `no_category`, `sold_out`, `missing_field`, `too_many_variants`,
    /// `unencodable`, `currency`, `invalid_code`.
    #[schema(value_type = Object)]
    left_out_by_reason: serde_json::Value,
    /// Styles that went out changed, by reason (`title_too_long`, `forbidden_word`, …).
    #[schema(value_type = Object)]
    fixed_by_reason: serde_json::Value,
    /// Each style with items left out: `style_id`, `style_code`, `items_in`, `items_out` and
    /// `issues` (`reason`, `action` = `left_out`/`fixed`, optional `item_id`, `detail`).
    #[schema(value_type = Vec<Object>)]
    left_out: Vec<serde_json::Value>,
    /// Each style that went out with fixes, in the same shape.
    #[schema(value_type = Vec<Object>)]
    fixed: Vec<serde_json::Value>,
}

/// Why the partner's feed holds what it holds: counts of styles and items in and out, and
/// every left-out or fixed style with its style code and reasons (no photo, photo below the
/// image profile's size, not translated, sold out, excluded by settings, the channel's own
/// rules …), as the full feed in that format would be built now.
#[utoipa::path(get, path = "/api/v1/feeds/diagnostics", tag = "feeds",
    params(FeedQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The diagnostics", body = FeedDiagnosticsDoc),
        (status = 400, description = "Unknown format", body = ErrorBody)
    ))]
async fn diagnostics(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let format = parse_format(q.format.as_deref())?;
    let d = ddhub_app::services::channels::diagnostics(
        &app.store,
        partner,
        format,
        &app.config.base_url(),
        &app.config.media_base_url(),
    )
    .await?;
    Ok(Json(d).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// `next_cursor` of the previous page, passed back unchanged; absent reads from the start
    /// (`v1.0`).
    pub cursor: Option<String>,
    /// Changed styles per page, 1 to 1000 (default 100). Each lists every SKU item of its style.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// One page of the changes feed (documentation of the JSON shape).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ChangesPageDoc {
    changes: Vec<ChangeEntryDoc>,
    /// Pass back as `cursor` for the next page (also when `changes` is empty).
    next_cursor: String,
    /// More changes are waiting: fetch the next page now rather than at the next poll.
    has_more: bool,
}

/// One item's change.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ChangeEntryDoc {
    /// The sequence number of the style change this entry belongs to (SKU items of one style
    /// share it); resume with the page's `next_cursor`.
    cursor: String,
    /// The feed item id (`g:id`), as in the full feed.
    id: String,
    /// When the change was recorded, RFC 3339 UTC.
    #[schema(format = DateTime)]
    changed_at: String,
    /// `upsert` (the item in full, as one JSON Lines record of the full feed) or `delete`.
    op: String,
    /// For `upsert`: the item.
    #[schema(value_type = Option<crate::schemas::FeedItem>)]
    item: Option<serde_json::Value>,
    /// For `delete`: `sold_out`, `archived`, `removed` or `excluded` (the partner's settings
    /// leave the item out: too few photos, category).
    reason: Option<String>,
}

/// The partner's catalog changes since `cursor`, in commit order: an upsert per SKU item that is
/// new or changed, a tombstone per item that is sold out, archived or no longer in the
/// partner's view. The cursor is a database sequence number: a write that commits late is
/// never skipped. Poll with the last `next_cursor`; after changing feed settings, fetch the
/// full feed again (settings change every item at once).
#[utoipa::path(get, path = "/api/v1/feeds/changes", tag = "feeds",
    params(ChangesQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "A page of changes", body = ChangesPageDoc),
        (status = 400, description = "Malformed cursor (`invalid_cursor`) or limit out of range", body = ErrorBody),
        (status = 503, description = "No exchange rate for the partner's currency", body = ErrorBody)
    ))]
async fn changes(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    query: Result<Query<ChangesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let cursor = match q.cursor.as_deref() {
        None | Some("") => FeedCursor::START,
        Some(c) => c.parse::<FeedCursor>()?,
    };
    let limit = q.limit.unwrap_or(DEFAULT_CHANGES_PAGE);
    if !(1..=MAX_CHANGES_PAGE).contains(&limit) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            format!("limit must be 1 to {MAX_CHANGES_PAGE}"),
        ));
    }
    let settings = settings_for(&app.store, partner).await?;
    let rate = ddhub_store::rates::get_rate(&app.store, settings.currency).await?;
    if rate.is_none() {
        return Err(ApiError::with_detail(
            ErrorCode::NotReady,
            format!("no exchange rate is set for {}", settings.currency),
        ));
    }
    let page = changes_page(
        &app.store,
        &settings,
        rate,
        &app.config.base_url(),
        &app.config.media_base_url(),
        cursor,
        limit,
    )
    .await?;
    Ok(Json(page).into_response())
}

/// A partner's feed settings (documentation of the JSON shape; every field optional on PUT
/// except that unknown fields are rejected).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FeedSettingsDoc {
    /// Language of titles and descriptions: ko, en, ja, zh-CN, zh-TW, vi, th.
    locale: String,
    /// Operator-only: the partner's currency (ISO 4217).
    currency: String,
    /// Operator-only: markup on the converted wholesale price in basis points (1500 = 15%).
    markup_bp: i32,
    /// Operator-only: `none`, `whole_unit` or `99`.
    rounding: String,
    /// DDHub category code → `{"partner_category": …, "google_category": …}`.
    #[schema(value_type = Object)]
    category_map: serde_json::Value,
    /// `US`, `UK`, `EU`, `JP`, … (Korean sizes are converted).
    size_system: String,
    /// Imaging profile whose photos the feed links.
    image_profile: String,
    /// Only these wholesaler ids; null for all.
    wholesalers: Option<Vec<i64>>,
    /// Only these categories and their subtrees; null for all.
    categories: Option<Vec<String>>,
    /// Styles with fewer ready photos are left out.
    min_photos: u32,
    /// Gender when the style does not say: `female`, `male`, `unisex`.
    default_gender: String,
    /// Flat shipping rates: `[{"country": "US", "service": "EMS", "price_minor": 1500}]`.
    #[schema(value_type = Vec<Object>)]
    shipping: Vec<serde_json::Value>,
    /// Buyer page link with `{base_url}`, `{style_id}`, `{style_code}`, `{sku_id}`, `{colour}`,
    /// `{size}`.
    link_template: String,
    /// Days until a backordered item without a date is expected.
    backorder_days: u32,
    /// The feed's format when `format=` is absent: `gmc-xml`, `csv`, `jsonl`, `shopify-csv`,
    /// `shopee-global`, `yahoo-shopping-csv`.
    format: String,
    /// `keep`, `sentence` or `title`; null: the channel's convention.
    title_case: Option<String>,
    /// Leave out styles not translated into `locale`; null: yes on marketplace channels.
    require_translation: Option<bool>,
    /// Extra words removed from titles.
    forbidden_words: Vec<String>,
    /// Weight of one piece in grams (Shopify, Shopee).
    weight_g: u32,
    /// Package length, width, height in cm (Shopee).
    package_cm: Vec<u32>,
    /// Stock shown per available variant where a marketplace needs a count (Shopee).
    channel_stock: u32,
    /// Shopee markets (SG, MY, TH, TW, PH, VN, BR, MX); the title fits the strictest.
    shopee_markets: Vec<String>,
}

/// The calling partner's feed settings, as its feeds apply them.
#[utoipa::path(get, path = "/api/v1/feeds/settings", tag = "feeds",
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The settings in force", body = FeedSettingsDoc)
    ))]
async fn get_settings(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
) -> Result<Response, ApiError> {
    let settings = settings_for(&app.store, partner).await?;
    Ok(Json(settings).into_response())
}

/// Replaces the calling partner's feed settings (fields left out take their defaults). The
/// partner chooses what it sees and how (locale, categories, sizes, images, photos, links);
/// currency, markup and rounding are the operator's and may only be sent unchanged. Full
/// feeds change at once (new ETag); fetch the full feed again before polling changes.
#[utoipa::path(put, path = "/api/v1/feeds/settings", tag = "feeds",
    request_body = FeedSettingsDoc,
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The settings now in force", body = FeedSettingsDoc),
        (status = 403, description = "Tried to change currency, markup or rounding", body = ErrorBody),
        (status = 422, description = "Invalid settings (`invalid_feed_settings`)", body = ErrorBody)
    ))]
async fn put_settings(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    body: Result<ApiJson<serde_json::Value>, ApiError>,
) -> Result<Response, ApiError> {
    let ApiJson(body) = body?;
    let now = ddhub_app::services::feeds::update_settings(&app.store, partner, body).await?;
    Ok(Json(now).into_response())
}
