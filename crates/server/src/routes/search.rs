//! Public search: buyers search in their own language and currency, with facets.

use crate::error::{ApiError, ErrorBody};
use crate::i18n::negotiate_locale;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use ddhub_app::AppState;
use ddhub_app::services::search::{SearchParams, SearchView, bad, execute};
use ddhub_domain::Locale;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
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
