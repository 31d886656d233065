//! Operations around the API (issue 10): CORS for public search, security headers, and the
//! `/metrics` routes (on the public listener, or on a private one of their own).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use ddhub_app::AppState;
use ddhub_app::config::Config;
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// CORS for public search: only the configured origins, only GET, no credentials; `None` when
/// no origin is configured (then browsers on other origins cannot read search answers).
pub fn search_cors(config: &Config) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = config
        .search_cors_origins
        .iter()
        // Validated at load; an invalid one here is skipped rather than opening the route.
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET])
            .allow_headers([header::ACCEPT, header::ACCEPT_LANGUAGE])
            .expose_headers([
                HeaderName::from_static("retry-after"),
                HeaderName::from_static("x-request-id"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

type SetHeader = SetResponseHeaderLayer<HeaderValue>;
/// The four header layers, stacked.
type SecurityHeaders = ServiceBuilder<
    Stack<SetHeader, Stack<SetHeader, Stack<SetHeader, Stack<SetHeader, Identity>>>>,
>;

/// Headers every response carries unless its handler set them: no MIME sniffing, no referrer
/// leaking wholesaler ids to other sites, and no framing (clickjacking), both the old header and
/// CSP `frame-ancestors` for browsers that honour only one.
pub fn security_headers() -> SecurityHeaders {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
}

/// `/metrics` on the public listener, unless `metrics_listen` moves it to a private one.
pub fn public_metrics_route(config: &Config) -> Router<AppState> {
    if config.metrics_listen.is_some() {
        Router::new()
    } else {
        Router::new().route(
            "/metrics",
            axum::routing::get(crate::metrics::metrics_endpoint),
        )
    }
}

/// The private listener's router: `/metrics` and `/healthz` (probes for `ddhub worker`).
pub fn private_router(app: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            axum::routing::get(crate::metrics::metrics_endpoint),
        )
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
        .with_state(app)
}

/// Serves [`private_router`] on `metrics_listen` until `shutdown` is cancelled.
pub async fn serve_private(
    app: AppState,
    shutdown: tokio_util::sync::CancellationToken,
) -> anyhow::Result<()> {
    let Some(addr) = app.config.metrics_listen else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "metrics listening");
    axum::serve(listener, private_router(app))
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
    Ok(())
}
