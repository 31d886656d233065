//! The router with its middleware, and the OpenAPI document of its routes.

use crate::error::{ApiError, ErrorCode, localize_errors};
use crate::routes;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use ddhub_app::AppState;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "DDHub API",
        description = "The export hub for Dongdaemun wholesale fashion: catalogs in, listings, feeds and orders out."
    ),
    servers(
        (url = "/", description = "This server (`ddhub serve`); a deployment serves the same paths at its own origin")
    ),
    components(schemas(crate::schemas::WebhookEvent, ddhub_app::error::Problem)),
    modifiers(&SecuritySchemes, &Webhooks),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "styles", description = "A wholesaler's own styles (wholesaler key)"),
        (name = "catalog", description = "Catalog uploads and their row reports (wholesaler key)"),
        (name = "photos", description = "Photos of a wholesaler's styles, and the media they become"),
        (name = "search", description = "Public search for buyers"),
        (name = "translations", description = "A wholesaler's translated listings and their review states"),
        (name = "feeds", description = "Product feeds for partner marketplaces (partner key)"),
        (name = "orders", description = "Export orders (partner key) and purchase requests (wholesaler key)"),
        (name = "webhooks", description = "Signed order-event webhooks to partners (Standard Webhooks)")
    )
)]
struct ApiDoc;

/// Media, served with a wildcard (`/media/{*key}`) that utoipa-axum cannot route, outside every
/// router's limits: documented on its own.
#[derive(OpenApi)]
#[openapi(paths(routes::photos::media))]
struct MediaDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["wholesaler_key", "partner_key", "operator_key"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The webhooks DDHub sends (OpenAPI 3.1 `webhooks`): one POST per order event, signed per
/// Standard Webhooks.
struct Webhooks;

impl utoipa::Modify for Webhooks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
        use utoipa::openapi::request_body::RequestBodyBuilder;
        use utoipa::openapi::{
            ContentBuilder, ObjectBuilder, PathItem, Paths, Ref, Required, ResponseBuilder,
            ResponsesBuilder, schema::Type,
        };
        let header = |name: &str, description: &str, example: &str| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .example(Some(serde_json::Value::String(example.into())))
                .build()
        };
        let operation = OperationBuilder::new()
            .summary(Some("An order event"))
            .description(Some(
                "POSTed to your endpoint (`PUT /api/v1/webhooks/endpoint`) for every event of \
                 your orders, retried for about three days until you answer 2xx; 410 disables \
                 the endpoint. Verify `webhook-signature` over `webhook-id.webhook-timestamp.body` \
                 with your `whsec_` secret before trusting the body; dedupe on `webhook-id`.",
            ))
            .tag("webhooks")
            .parameter(header(
                "webhook-id",
                "The event's message id, the same on every retry: `msg_ddhub_<seq>`",
                "msg_ddhub_31",
            ))
            .parameter(header(
                "webhook-timestamp",
                "Seconds since the Unix epoch when this attempt was signed",
                "1796549400",
            ))
            .parameter(header(
                "webhook-signature",
                "Space-separated `v1,<base64 HMAC-SHA256>` signatures: one per secret in force \
                 (two while a secret is being rotated); any one that verifies is enough",
                "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
            ))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("WebhookEvent")))
                            .build(),
                    )
                    .required(Some(Required::True))
                    .build(),
            ))
            .responses(
                ResponsesBuilder::new()
                    .response(
                        "200",
                        ResponseBuilder::new().description("Received (any 2xx will do)"),
                    )
                    .response(
                        "410",
                        ResponseBuilder::new().description("Gone: DDHub disables the endpoint"),
                    )
                    .build(),
            )
            .build();
        let mut webhooks = Paths::new();
        webhooks.paths.insert(
            "orderEvent".into(),
            PathItem::new(HttpMethod::Post, operation),
        );
        openapi.webhooks = Some(webhooks);
    }
}

/// The API routes with their OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(utoipa_axum::routes!(openapi_json))
        .merge(routes::health::router())
        .merge(routes::styles::router())
        .merge(routes::uploads::read_router())
        .merge(routes::photos::router())
        .merge(routes::translations::router())
        .merge(routes::orders::router())
        .merge(routes::webhooks::router())
        .merge(routes::feeds::api_router())
        .merge(routes::pickups::router())
        .merge(routes::buyers::router())
        .merge(routes::shipments::router())
        .merge(routes::declarations::router())
}

/// Public search: limited per client IP.
fn search_router() -> OpenApiRouter<AppState> {
    routes::search::router().merge(routes::landed::router())
}

/// Long-running streams (feeds): no request timeout, which would cut a large feed.
fn stream_router() -> OpenApiRouter<AppState> {
    routes::feeds::router()
}

/// Routes that take large bodies and run long (uploads): their own limits and timeout.
fn upload_router() -> OpenApiRouter<AppState> {
    routes::uploads::router().merge(routes::photos::upload_router())
}

/// The OpenAPI document of every route. Each router's operations get the error responses of
/// the layers `router` puts around it (`crate::openapi`): keep the two in step.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use crate::openapi::{Layers, document_errors};
    let part = |router: OpenApiRouter<AppState>, layers: Layers| {
        let mut doc = router.split_for_parts().1;
        document_errors(&mut doc, layers);
        doc
    };
    let limited = Layers {
        rate_limited: true,
        timeout: true,
    };
    let mut doc = part(api_router(), limited);
    doc.merge(part(search_router(), limited));
    doc.merge(part(
        upload_router(),
        Layers {
            rate_limited: false,
            timeout: true,
        },
    ));
    doc.merge(part(
        stream_router(),
        Layers {
            rate_limited: true,
            timeout: false,
        },
    ));
    let mut media = MediaDoc::openapi();
    document_errors(
        &mut media,
        Layers {
            rate_limited: false,
            timeout: false,
        },
    );
    doc.merge(media);
    doc
}

/// The response header that says whether an API answer is test mode's.
pub const MODE_HEADER: &str = "ddhub-mode";

/// Marks every API answer `DDHub-Mode: test` when the request came with a test key
/// (`ddh_pt_…`), `live` otherwise (issue 22): a partner's logs tell at a glance which world a
/// response came from, whatever its body or status.
async fn mark_mode(
    req: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let test = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(_, key)| {
            key.trim()
                .starts_with(ddhub_store::keys::TEST_PARTNER_PREFIX)
        });
    let mut res = next.run(req).await;
    if api {
        res.headers_mut().insert(
            MODE_HEADER,
            axum::http::HeaderValue::from_static(if test { "test" } else { "live" }),
        );
    }
    res
}

/// This API's OpenAPI 3.1 document, generated from the handlers.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json() -> impl axum::response::IntoResponse {
    // The document is the same for every process of this build: serialised once.
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT
        .get_or_init(|| serde_json::to_string(&openapi()).unwrap_or_default())
        .clone();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
}

/// The production router: every route, the OpenAPI document, and the middleware stack.
pub fn router(app: AppState) -> Router {
    let (api, _) = api_router().split_for_parts();
    let (uploads, _) = upload_router().split_for_parts();
    let (streams, _) = stream_router().split_for_parts();
    let (search, _) = search_router().split_for_parts();
    let timeout = Duration::from_secs(app.config.request_timeout_secs);
    let search_limit = crate::limits::layer(
        crate::limits::ClientIp,
        app.config.search_rate_per_minute,
        app.config.search_rate_per_minute / 4,
    );
    let partner_limit = crate::limits::layer(
        crate::limits::ApiKeyId,
        app.config.partner_rate_per_minute,
        app.config.partner_rate_per_minute / 4,
    );
    let search = search.layer(TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        timeout,
    ));
    let search = match search_limit {
        Some(l) => search.layer(l),
        None => search,
    };
    // CORS answers on public search only (issue 10), outside the limiter so preflights are free.
    let search = match crate::ops::search_cors(&app.config) {
        Some(cors) => search.layer(cors),
        None => search,
    };
    let streams = match partner_limit.clone() {
        Some(l) => streams.layer(l),
        None => streams,
    };
    // Every keyed route (partners above all; wholesalers too) is limited per API key.
    let api = match partner_limit {
        Some(l) => api.layer(l),
        None => api,
    };
    let upload_limit = usize::try_from(
        app.config
            .upload_sheet_limit_bytes
            .saturating_add(app.config.upload_photos_limit_bytes)
            .saturating_add(1024 * 1024),
    )
    .unwrap_or(usize::MAX);
    // A 2 GB bundle over a slow shop connection takes a while.
    let upload_timeout = Duration::from_secs(3600);
    let request_id = HeaderName::from_static("x-request-id");
    let body_limit = app.config.body_limit_bytes;
    // Router::layer wraps what came before, so these read innermost first.
    let api = api
        .layer(axum::middleware::from_fn(
            crate::json_guard::refuse_json_controls,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ));
    let uploads =
        uploads
            .layer(DefaultBodyLimit::max(upload_limit))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                upload_timeout,
            ));
    api.merge(uploads)
    .merge(search)
    .merge(streams.layer(DefaultBodyLimit::max(body_limit)))
    .route("/media/{*key}", axum::routing::get(routes::photos::media))
    // The API reference, rendered from the OpenAPI document (issue 22).
    .route("/api/docs", axum::routing::get(routes::docs::page))
    // Web pages: the storefront and the wholesaler console, with their own limits and headers.
    .merge(crate::pages::router(&app.config))
    .merge(crate::ops::public_metrics_route(&app.config))
    .fallback(|| async { ApiError::new(ErrorCode::RouteNotFound) })
    .layer(CatchPanicLayer::new())
    .layer(axum::middleware::from_fn(localize_errors))
    .layer(axum::middleware::from_fn(mark_mode))
    // Operations (issue 10): per-route metrics, security headers.
    .layer(axum::middleware::from_fn(crate::metrics::track))
    .layer(crate::ops::security_headers())
    .layer(PropagateRequestIdLayer::new(request_id.clone()))
    .layer(
        TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }),
    )
    .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
    .with_state(app)
}
