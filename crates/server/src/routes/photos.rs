//! Photos of a wholesaler's styles (add one, delete, reorder) and the media they become,
//! served content-addressed and immutable.

use crate::api_json::ApiJson;
use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ddhub_app::AppState;
use ddhub_app::services::photos::PhotoView;
use ddhub_domain::{PhotoId, StyleId};
use ddhub_store::photos;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(delete_photo))
        .routes(routes!(reorder_photos))
}

pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(add_photo))
}

/// Adds one photo to a style (multipart field `photo`); it is normalised by a job.
#[utoipa::path(post, path = "/api/v1/styles/{id}/photos", tag = "photos",
    params(("id" = i64, Path, description = "Style id")),
    request_body(content_type = "multipart/form-data", description = "field `photo`: the image file"),
    security(("wholesaler_key" = [])),
    responses(
        (status = 202, description = "Stored; normalisation queued", body = PhotoView),
        (status = 400, description = "No photo field", body = ErrorBody),
        (status = 404, description = "No such style for this wholesaler", body = ErrorBody),
        (status = 409, description = "The style already has this photo (`conflict`)", body = ErrorBody),
        (status = 413, description = "Larger than the photo limit", body = ErrorBody)
    ))]
async fn add_photo(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<PhotoView>), ApiError> {
    let Path(id) = id?;
    let style = StyleId(id);
    ddhub_store::catalog::get_style(&app.store, wholesaler, style).await?;
    let mut multipart = multipart?;
    let limit = app.config.images.limits.max_file_bytes;
    let mut found = None;
    while let Some(mut field) = multipart.next_field().await? {
        if field.name() != Some("photo") {
            return Err(ApiError::with_detail(
                ErrorCode::UploadBadField,
                "expected one field named 'photo'",
            ));
        }
        let name: String = field
            .file_name()
            .unwrap_or("photo")
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("photo")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(ApiError::new(ErrorCode::UploadTooLarge)
                    .arg("field", "photo")
                    .arg("limit", format!("{} MB", limit / (1024 * 1024))));
            }
            bytes.extend_from_slice(&chunk);
        }
        found = Some((name, bytes));
    }
    let Some((name, bytes)) = found else {
        return Err(ApiError::new(ErrorCode::UploadMissingFile));
    };
    let record = ddhub_app::services::photos::add(&app, style, &name, bytes).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PhotoView::from_record(record, &app.config.media_base_url())),
    ))
}

/// Removes a photo from a style.
#[utoipa::path(delete, path = "/api/v1/styles/{id}/photos/{photo_id}", tag = "photos",
    params(("id" = i64, Path, description = "Style id"), ("photo_id" = i64, Path, description = "Photo id")),
    security(("wholesaler_key" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such photo on this wholesaler's style", body = ErrorBody)
    ))]
async fn delete_photo(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    ids: Result<Path<(i64, i64)>, axum::extract::rejection::PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path((style, photo)) = ids?;
    photos::delete(&app.store, wholesaler, StyleId(style), PhotoId(photo)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoOrder {
    /// Every photo of the style, in the order to show them (the first is the main photo).
    pub photo_ids: Vec<i64>,
}

/// Puts a style's photos in a new order.
#[utoipa::path(put, path = "/api/v1/styles/{id}/photos/order", tag = "photos",
    params(("id" = i64, Path, description = "Style id")),
    request_body = PhotoOrder,
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The photos in their new order", body = Vec<PhotoView>),
        (status = 404, description = "No such style for this wholesaler", body = ErrorBody),
        (status = 422, description = "The list is not exactly the style's photos", body = ErrorBody)
    ))]
async fn reorder_photos(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<ApiJson<PhotoOrder>, ApiError>,
) -> Result<Json<Vec<PhotoView>>, ApiError> {
    let Path(id) = id?;
    let ApiJson(body) = body?;
    if body.photo_ids.len() > 500 {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidBody,
            "at most 500 photos",
        ));
    }
    let order: Vec<PhotoId> = body.photo_ids.into_iter().map(PhotoId).collect();
    photos::reorder(&app.store, wholesaler, StyleId(id), &order).await?;
    let base = app.config.media_base_url();
    Ok(Json(
        photos::for_style(&app.store, StyleId(id))
            .await?
            .into_iter()
            .map(|p| PhotoView::from_record(p, &base))
            .collect(),
    ))
}

/// A normalised photo. Keys are content-addressed, so responses are immutable.
#[utoipa::path(get, path = "/media/{key}", tag = "photos",
    params(("key" = String, Path, description = "Media key, e.g. v/ab/<sha256>/large.jpg")),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such media", body = ErrorBody)
    ))]
pub async fn media(
    State(app): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let etag = format!(
        "\"{}\"",
        hex::encode(Sha256::digest(key.as_bytes()))
            .get(..32)
            .unwrap_or("")
    );
    let cache = "public, max-age=31536000, immutable";
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
        )
            .into_response());
    }
    let content_type = match key.rsplit('.').next() {
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => return Err(ApiError::not_found()),
    };
    // Only content keys are served: never originals, never anything outside the media root.
    if !key.starts_with("v/") || key.contains("..") {
        return Err(ApiError::not_found());
    }
    let bytes = app
        .media
        .get(&key)
        .await
        .map_err(|_| ApiError::not_found())?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CACHE_CONTROL, cache.to_string()),
            (header::ETAG, etag),
        ],
        bytes,
    )
        .into_response())
}
