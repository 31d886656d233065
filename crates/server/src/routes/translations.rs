//! A wholesaler's translations of its own styles, per locale, with review states: read them,
//! correct them (`edited`), approve them (`approved`). Machines never overwrite either.

use crate::auth::WholesalerAuth;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use axum::Json;
use axum::extract::{Path, State};
use ddhub_app::AppState;
use ddhub_domain::translation::{ReviewState, TranslatableField};
use ddhub_domain::{Locale, StyleId};
use ddhub_store::translations;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_translations, put_translations))
        .routes(routes!(approve_translations))
}

/// The locales translations are kept in (documentation of the path segment; Korean is the
/// original and has none).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub enum TargetLocale {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "ja")]
    Ja,
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "zh-TW")]
    ZhTw,
    #[serde(rename = "vi")]
    Vi,
    #[serde(rename = "th")]
    Th,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldView {
    pub value: String,
    /// `glossary`, `machine`, `edited` or `approved`; `untranslated` for free text kept in
    /// Korean (no machine-translation provider configured).
    pub review: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TranslationsView {
    pub style_id: i64,
    pub locale: String,
    /// `title`, `attributes`, `description`, `free_text` (the wholesaler's own text) → value and
    /// review state.
    pub fields: BTreeMap<String, FieldView>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslationEdit {
    pub title: Option<String>,
    pub attributes: Option<String>,
    pub description: Option<String>,
    pub free_text: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// Fields to approve; every stored field of the locale when absent.
    pub fields: Option<Vec<String>>,
}

async fn owned(
    app: &AppState,
    wholesaler: ddhub_domain::WholesalerId,
    id: i64,
    locale: &str,
) -> Result<(StyleId, Locale), ApiError> {
    let style = StyleId(id);
    ddhub_store::catalog::get_style(&app.store, wholesaler, style).await?;
    // The locale is a path segment: one with no translations (Korean is the original) names
    // nothing, like an unknown style id.
    let locale = Locale::from_tag(locale)
        .filter(|l| *l != Locale::Ko)
        .ok_or_else(ApiError::not_found)?;
    Ok((style, locale))
}

async fn view(
    app: &AppState,
    style: StyleId,
    locale: Locale,
) -> Result<TranslationsView, ApiError> {
    let fields = translations::for_style(&app.store, style, Some(locale))
        .await?
        .into_iter()
        .map(|t| {
            (
                t.field,
                FieldView {
                    value: t.value,
                    review: t.review,
                },
            )
        })
        .collect();
    Ok(TranslationsView {
        style_id: style.0,
        locale: locale.tag().to_string(),
        fields,
    })
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
    let Path((id, locale)) = path.map_err(|_| ApiError::not_found())?;
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
    body: Result<Json<TranslationEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<TranslationsView>, ApiError> {
    let Path((id, locale)) = path.map_err(|_| ApiError::not_found())?;
    let Json(body) = body.map_err(ApiError::from)?;
    Ok(Json(edit(&app, wholesaler, id, &locale, &body).await?))
}

/// Stores a wholesaler's corrections (as `edited`); the console calls it in-process.
pub async fn edit(
    app: &AppState,
    wholesaler: ddhub_domain::WholesalerId,
    id: i64,
    locale: &str,
    body: &TranslationEdit,
) -> Result<TranslationsView, ApiError> {
    let (style, locale) = owned(app, wholesaler, id, locale).await?;
    for (field, value, max) in [
        (TranslatableField::Title, &body.title, 300),
        (TranslatableField::Attributes, &body.attributes, 5_000),
        (TranslatableField::Description, &body.description, 20_000),
        (TranslatableField::FreeText, &body.free_text, 20_000),
    ] {
        let Some(v) = value else { continue };
        let v = v.trim();
        if v.is_empty() || v.chars().count() > max || v.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("{field} must be 1 to {max} characters"),
            ));
        }
        translations::put_edited(&app.store, style, locale, field, v).await?;
    }
    app.jobs.notify();
    view(app, style, locale).await
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
    body: Result<Option<Json<ApproveBody>>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<TranslationsView>, ApiError> {
    let Path((id, locale)) = path.map_err(|_| ApiError::not_found())?;
    // The body is optional; one that is sent must be JSON of the right shape.
    let fields = body.map_err(ApiError::from)?.and_then(|Json(b)| b.fields);
    Ok(Json(approve(&app, wholesaler, id, &locale, fields).await?))
}

/// Approves fields (every stored field when `None`); the console calls it in-process.
pub async fn approve(
    app: &AppState,
    wholesaler: ddhub_domain::WholesalerId,
    id: i64,
    locale: &str,
    fields: Option<Vec<String>>,
) -> Result<TranslationsView, ApiError> {
    let (style, locale) = owned(app, wholesaler, id, locale).await?;
    let stored = translations::for_style(&app.store, style, Some(locale)).await?;
    let untranslated = |f: &str| {
        stored
            .iter()
            .any(|t| t.field == f && t.review == ReviewState::Untranslated.as_str())
    };
    let fields: Vec<String> = match fields {
        Some(f) => f,
        // Everything that is a translation; Korean kept untranslated is not approvable.
        None => stored
            .iter()
            .filter(|t| t.review != ReviewState::Untranslated.as_str())
            .map(|t| t.field.clone())
            .collect(),
    };
    let mut parsed = Vec::with_capacity(fields.len());
    for f in &fields {
        let field: TranslatableField = f.parse().map_err(|_| {
            ApiError::with_detail(ErrorCode::InvalidBody, format!("unknown field {f:?}"))
        })?;
        if untranslated(f.as_str()) {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("{f} is untranslated (kept in Korean): PUT a translation first"),
            ));
        }
        parsed.push(field);
    }
    for field in parsed {
        translations::approve(&app.store, style, locale, field).await?;
    }
    app.jobs.notify();
    view(app, style, locale).await
}
