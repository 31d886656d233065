//! Public search: buyers search in their own language and currency, with facets.

use crate::error::{ApiError, ErrorBody};
use crate::i18n::negotiate_locale;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use ddhub_app::AppState;
use ddhub_app::services::search::{
    SearchParams, SearchView, SimilarParams, SimilarView, SuggestParams, SuggestView, bad, execute,
    similar, suggest,
};
use ddhub_domain::Locale;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(search_suggest))
        .routes(routes!(similar_styles))
}

/// Searches listings. Public; answers in the requested language and currency.
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Hits and facets", body = SearchView),
        (status = 400, description = "A bad query", body = ErrorBody),
        (status = 503, description = "Search is not served by this process", body = ErrorBody)
    ))]
async fn search(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SearchView>, ApiError> {
    let Query(p) = params.map_err(|e| bad(e.body_text()))?;
    let locale = match p.locale.as_deref() {
        Some(l) if !l.is_empty() => {
            Locale::from_tag(l).ok_or_else(|| bad(format!("unknown locale {l:?}")))?
        }
        _ => negotiate_locale(&headers),
    };
    Ok(Json(execute(&app, &p, locale).await?))
}

fn locale_of(asked: Option<&str>, headers: &HeaderMap) -> Result<Locale, ApiError> {
    Ok(match asked {
        Some(l) if !l.is_empty() => {
            Locale::from_tag(l).ok_or_else(|| bad(format!("unknown locale {l:?}")))?
        }
        _ => negotiate_locale(headers),
    })
}

/// Completions as the buyer types: categories, colours and style titles in the buyer's
/// language. Public.
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Completions", body = SuggestView),
        (status = 400, description = "A bad locale", body = ErrorBody),
        (status = 503, description = "Search is not served by this process", body = ErrorBody)
    ))]
async fn search_suggest(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<SuggestParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SuggestView>, ApiError> {
    let Query(p) = params.map_err(|e| bad(e.body_text()))?;
    let locale = locale_of(p.locale.as_deref(), &headers)?;
    Ok(Json(
        suggest(&app, p.q.as_deref().unwrap_or_default(), locale).await?,
    ))
}

/// Styles like a listed one: same category and colours, close price, other wholesalers first.
/// Public, in the buyer's language and currency.
#[utoipa::path(get, path = "/api/v1/styles/{id}/similar", tag = "search",
    params(("id" = i64, Path, description = "Style id"), SimilarParams),
    responses(
        (status = 200, description = "Similar styles", body = SimilarView),
        (status = 400, description = "A bad locale or currency", body = ErrorBody),
        (status = 404, description = "No such listed style", body = ErrorBody),
        (status = 503, description = "Search is not served by this process", body = ErrorBody)
    ))]
async fn similar_styles(
    State(app): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    params: Result<Query<SimilarParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SimilarView>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::not_found())?;
    let Query(p) = params.map_err(|e| bad(e.body_text()))?;
    let locale = locale_of(p.locale.as_deref(), &headers)?;
    Ok(Json(
        similar(&app, id, locale, p.currency.as_deref()).await?,
    ))
}
