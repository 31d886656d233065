//! A wholesaler's translations of its own styles, per locale, with review states: read them,
//! correct them (`edited`), approve them (`approved`). Machines never overwrite either.

use crate::api_json::ApiJson;
use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use ddhub_app::AppState;
use ddhub_app::services::translations::{
    ApproveBody, TargetLocale, TranslationEdit, TranslationsView, approve, edit, owned, view,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_translations, put_translations))
        .routes(routes!(approve_translations))
}

/// The translated fields of one of your styles in one locale.
#[utoipa::path(get, path = "/api/v1/styles/{id}/translations/{locale}", tag = "translations",
    params(("id" = i64, Path, description = "Style id"), ("locale" = inline(TargetLocale), Path, description = "A locale translations are kept in")),
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The fields and their review states", body = TranslationsView),
        (status = 404, description = "No such style for this wholesaler", body = ErrorBody)
    ))]
async fn get_translations(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Json<TranslationsView>, ApiError> {
    let Path((id, locale)) = path?;
    let (style, locale) = owned(&app, wholesaler, id, &locale).await?;
    Ok(Json(view(&app, style, locale).await?))
}

/// Corrects translated fields; they become `edited` and machines leave them alone.
#[utoipa::path(put, path = "/api/v1/styles/{id}/translations/{locale}", tag = "translations",
    params(("id" = i64, Path, description = "Style id"), ("locale" = inline(TargetLocale), Path, description = "A locale translations are kept in")),
    request_body = TranslationEdit,
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The fields now", body = TranslationsView),
        (status = 404, description = "No such style for this wholesaler", body = ErrorBody),
        (status = 422, description = "An empty or over-long value", body = ErrorBody)
    ))]
async fn put_translations(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
    body: Result<ApiJson<TranslationEdit>, ApiError>,
) -> Result<Json<TranslationsView>, ApiError> {
    let Path((id, locale)) = path?;
    let ApiJson(body) = body?;
    Ok(Json(edit(&app, wholesaler, id, &locale, &body).await?))
}

/// Approves translated fields as they stand.
#[utoipa::path(post, path = "/api/v1/styles/{id}/translations/{locale}/approve", tag = "translations",
    params(("id" = i64, Path, description = "Style id"), ("locale" = inline(TargetLocale), Path, description = "A locale translations are kept in")),
    request_body = Option<ApproveBody>,
    security(("wholesaler_key" = [])),
    responses(
        (status = 200, description = "The fields now", body = TranslationsView),
        (status = 404, description = "No such style or field", body = ErrorBody),
        (status = 422, description = "An untranslated field (write a translation first)", body = ErrorBody)
    ))]
async fn approve_translations(
    State(app): State<AppState>,
    WholesalerAuth(wholesaler): WholesalerAuth,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
    body: Result<Option<ApiJson<ApproveBody>>, ApiError>,
) -> Result<Json<TranslationsView>, ApiError> {
    let Path((id, locale)) = path?;
    // The body is optional; one that is sent must be JSON of the right shape.
    let fields = body?.and_then(|ApiJson(b)| b.fields);
    Ok(Json(approve(&app, wholesaler, id, &locale, fields).await?))
}
