//! Partner feeds (partner key): the whole catalog in the partner's language, currency and
//! format, streamed; 304 when nothing in the partner's view changed.

use crate::app::AppState;
use crate::auth::PartnerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::feeds::{ChannelWriter, settings_for, write_partner_feed};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ddhub_feeds::{Compression, FeedFormat, feed_etag, if_none_match};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(products))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `gmc-xml` (Google Merchant Center RSS 2.0), `csv` or `jsonl`.
    pub format: Option<String>,
}

/// The partner's product feed, one item per SKU. Send `Accept-Encoding: gzip` for gzip, and
/// `If-None-Match` with the last ETag to get 304 when nothing changed.
#[utoipa::path(get, path = "/api/v1/feeds/products", tag = "feeds",
    params(FeedQuery),
    security(("partner_key" = [])),
    responses(
        (status = 200, description = "The feed, streamed", content_type = "application/rss+xml"),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked key", body = ErrorBody),
        (status = 503, description = "No exchange rate for the partner's currency", body = ErrorBody)
    ))]
async fn products(
    State(app): State<AppState>,
    PartnerAuth(partner): PartnerAuth,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) =
        query.map_err(|e| ApiError::with_detail(ErrorCode::InvalidQuery, e.body_text()))?;
    let format = match q.format.as_deref() {
        None | Some("") => FeedFormat::GmcXml,
        Some(f) => FeedFormat::parse(f).ok_or_else(|| {
            ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "format must be gmc-xml, csv or jsonl",
            )
        })?,
    };
    let settings = settings_for(&app.store, partner)
        .await
        .map_err(ApiError::internal)?;
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
    let version = ddhub_store::catalog::catalog_version(&app.store).await?;
    let etag = feed_etag(&settings.fingerprint(), version, format, compression);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| if_none_match(v, &etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let (store, base, media) = (
        app.store.clone(),
        app.config.base_url(),
        app.config.media_base_url(),
    );
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let tx_err = tx.clone();
        let writer = ChannelWriter::new(tx);
        if let Err(e) = write_partner_feed(
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
            tracing::error!(error = %e, "feed generation failed midway");
            // The client sees a broken stream rather than a feed that silently ends early.
            let _ = tx_err.blocking_send(Err(std::io::Error::other(e.to_string())));
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
    Ok(res)
}
