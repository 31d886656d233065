//! A wholesaler's translations of its own styles, per locale, with review states: read them,
//! correct them (`edited`), approve them (`approved`). Machines never overwrite either.

use crate::AppState;
use crate::error::{AppError, ErrorCode};
use ddhub_domain::translation::{ReviewState, TranslatableField};
use ddhub_domain::{Locale, StyleId, WholesalerId};
use ddhub_store::translations;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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

pub async fn owned(
    app: &AppState,
    wholesaler: WholesalerId,
    id: i64,
    locale: &str,
) -> Result<(StyleId, Locale), AppError> {
    let style = StyleId(id);
    ddhub_store::catalog::get_style(&app.store, wholesaler, style).await?;
    // The locale is a path segment: one with no translations (Korean is the original) names
    // nothing, like an unknown style id.
    let locale = Locale::from_tag(locale)
        .filter(|l| *l != Locale::Ko)
        .ok_or_else(AppError::not_found)?;
    Ok((style, locale))
}

pub async fn view(
    app: &AppState,
    style: StyleId,
    locale: Locale,
) -> Result<TranslationsView, AppError> {
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

/// Stores a wholesaler's corrections (as `edited`). Every field is checked before any is
/// written, so a refused edit saves nothing.
pub async fn edit(
    app: &AppState,
    wholesaler: WholesalerId,
    id: i64,
    locale: &str,
    body: &TranslationEdit,
) -> Result<TranslationsView, AppError> {
    let (style, locale) = owned(app, wholesaler, id, locale).await?;
    let mut checked = Vec::new();
    for (field, value, max) in [
        (TranslatableField::Title, &body.title, 300),
        (TranslatableField::Attributes, &body.attributes, 5_000),
        (TranslatableField::Description, &body.description, 20_000),
        (TranslatableField::FreeText, &body.free_text, 20_000),
    ] {
        let Some(v) = value else { continue };
        let v = v.trim();
        if v.chars().any(|c| c.is_control() && c != '\n') {
            return Err(AppError::with_detail(
                ErrorCode::InvalidBody,
                format!("{field} must not contain control characters"),
            ));
        }
        if v.is_empty() || v.chars().count() > max {
            return Err(AppError::with_detail(
                ErrorCode::InvalidBody,
                format!("{field} must be 1 to {max} characters"),
            ));
        }
        checked.push((field, v));
    }
    // One transaction: a failure midway keeps none of the fields.
    translations::put_edited_fields(&app.store, style, locale, &checked).await?;
    app.jobs.notify();
    view(app, style, locale).await
}

/// Approves fields (every stored field when `None`).
pub async fn approve(
    app: &AppState,
    wholesaler: WholesalerId,
    id: i64,
    locale: &str,
    fields: Option<Vec<String>>,
) -> Result<TranslationsView, AppError> {
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
            AppError::with_detail(ErrorCode::InvalidBody, format!("unknown field {f:?}"))
        })?;
        if untranslated(f.as_str()) {
            return Err(AppError::with_detail(
                ErrorCode::InvalidBody,
                format!("{f} is untranslated (kept in Korean): PUT a translation first"),
            ));
        }
        parsed.push(field);
    }
    translations::approve(&app.store, style, locale, &parsed).await?;
    app.jobs.notify();
    view(app, style, locale).await
}
