//! Web pages served by `ddhub serve`: the buyer storefront (`/`, `/styles/{id}`) and the
//! wholesaler console (`/console`). Server-rendered HTML from askama templates (checked at
//! compile time) that works without JavaScript; a small script per page makes it faster (live
//! results, upload progress). Handlers call the same store and search functions as the JSON API.

pub mod buyer;
pub mod console;
pub mod measured;
pub mod ops;
pub mod session;
pub mod storefront;

use crate::error::{ApiError, ErrorCode};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use ddhub_app::AppState;
use ddhub_app::config::Config;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;

/// Largest console form other than an upload (a translation edit is at most ~25 000 characters).
const FORM_LIMIT_BYTES: usize = 256 * 1024;

/// Every page route with its limits and the pages' security headers.
pub fn router(config: &Config) -> Router<AppState> {
    let upload_limit = usize::try_from(
        config
            .upload_sheet_limit_bytes
            .saturating_add(config.upload_photos_limit_bytes)
            .saturating_add(1024 * 1024),
    )
    .unwrap_or(usize::MAX);
    let timeout = Duration::from_secs(config.request_timeout_secs);
    let uploads = Router::new()
        .route("/console/uploads", post(console::create_upload))
        .layer(DefaultBodyLimit::max(upload_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(3600),
        ));
    let storefront = Router::new()
        .route("/", get(storefront::index))
        .route("/styles/{id}", get(storefront::style_page))
        .route("/account", get(buyer::account))
        .route("/cart", get(buyer::cart))
        .route("/cart/add", post(buyer::add_to_cart))
        .route("/cart/update", post(buyer::update_cart))
        .route("/cart/submit", post(buyer::submit_cart))
        .route("/account/sign-out", post(buyer::sign_out))
        .route("/orders", get(buyer::orders));
    // The storefront runs searches: the same per-IP limit as the search API.
    let storefront = match crate::limits::layer(
        crate::limits::ClientIp,
        config.search_rate_per_minute,
        config.search_rate_per_minute / 4,
    ) {
        Some(l) => storefront.layer(l),
        None => storefront,
    };
    // Sign-in tries a key: limited per IP like the API's key guessing.
    let sign_in = Router::new()
        .route("/console/sign-in", post(console::sign_in))
        // A buyer's sign-up and code requests send e-mail and try codes: the same limit.
        .route("/account/sign-up", post(buyer::sign_up))
        .route("/account/code", post(buyer::request_code))
        .route("/account/sign-in", post(buyer::sign_in))
        .route("/ops/sign-in", post(ops::sign_in));
    let sign_in = match crate::limits::layer(
        crate::limits::ClientIp,
        config.sign_in_rate_per_minute,
        config.sign_in_rate_per_minute / 2,
    ) {
        Some(l) => sign_in.layer(l),
        None => sign_in,
    };
    let pages = Router::new()
        .route("/assets/{name}", get(asset))
        .route("/console", get(console::home))
        .merge(sign_in)
        .route("/console/sign-out", post(console::sign_out))
        .route("/console/uploads", get(console::uploads_page))
        .route("/console/uploads/{id}", get(console::upload_page))
        .route("/console/uploads/{id}/status", get(console::upload_status))
        .route(
            "/console/uploads/{id}/errors.xlsx",
            get(console::upload_errors_xlsx),
        )
        .route("/console/styles", get(console::styles_page))
        .route("/console/styles/approve", post(console::bulk_approve))
        .route("/console/styles/{id}/quick", post(console::quick_edit))
        .route(
            "/console/styles/{id}/translations/{locale}",
            get(console::translation_page).post(console::save_translation),
        )
        .route(
            "/console/styles/{id}/translations/{locale}/approve",
            post(console::approve_translation),
        )
        .route("/console/orders", get(console::orders_page))
        .route("/console/channels", get(console::channels_page))
        .route(
            "/console/purchase-requests/{id}/answer",
            post(console::answer_purchase_request),
        )
        .route("/ops", get(ops::home))
        .route("/ops/sign-out", post(ops::sign_out))
        .route("/ops/receive", post(ops::receive))
        .route("/ops/pickups.pdf", get(ops::pickups_pdf))
        .route("/ops/pickups.xlsx", get(ops::pickups_xlsx))
        .route(
            "/ops/shipments",
            get(ops::shipments_list).post(ops::create_shipment),
        )
        .route("/ops/shipments/{id}", get(ops::shipment))
        .route("/ops/shipments/{id}/packages", post(ops::add_package))
        .route("/ops/shipments/{id}/ship", post(ops::ship))
        .route("/ops/shipments/{id}/delivered", post(ops::delivered))
        .route("/ops/shipments/{id}/labels.pdf", get(ops::labels))
        .route("/ops/shipments/{id}/invoice.pdf", get(ops::invoice))
        .route(
            "/ops/shipments/{id}/packing-list.pdf",
            get(ops::packing_list),
        )
        .route("/ops/shipments/{id}/declaration", get(ops::declaration))
        .merge(storefront)
        .layer(DefaultBodyLimit::max(FORM_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ));
    let headers = PageHeaders::new(config);
    pages
        .merge(uploads)
        .layer(axum::middleware::map_response_with_state(
            headers,
            add_page_headers,
        ))
}

/// The pages' own headers. The CSP allows no inline script or style: scripts and styles come
/// from `/assets`, images from this origin or the media origin (a CDN or bucket).
#[derive(Clone, Debug)]
struct PageHeaders {
    csp: HeaderValue,
}

impl PageHeaders {
    fn new(config: &Config) -> Self {
        let media = origin(&config.media_base_url());
        let own = origin(&config.base_url());
        let csp = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: {own} {media}; \
             connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        );
        PageHeaders {
            csp: HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'",
            )),
        }
    }
}

/// `scheme://host[:port]` of a URL, for the CSP.
fn origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains([' ', ';', '\'', ',']) {
        return String::new();
    }
    format!("{scheme}://{host}")
}

async fn add_page_headers(State(h): State<PageHeaders>, mut res: Response) -> Response {
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, h.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// The static files of the pages, compiled in. Their URLs carry a content hash (see
/// [`asset_url`]), so they are cached for a year.
const ASSETS: [(&str, &str, &str); 4] = [
    (
        "pages.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/pages.css"),
    ),
    (
        "storefront.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/storefront.js"),
    ),
    (
        "buyer.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/buyer.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/console.js"),
    ),
];

/// `/assets/NAME?v=HASH`: the hash changes whenever the file does.
pub fn asset_url(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let body = ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or("", |(_, _, b)| *b);
    let hash = hex::encode(&Sha256::digest(body.as_bytes())[..6]);
    format!("/assets/{name}?v={hash}")
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *body,
        )
            .into_response(),
        None => ApiError::new(ErrorCode::RouteNotFound).into_response(),
    }
}

/// UI strings of one page language (`locales/pages.yml`, keys `pages.<key>`).
#[derive(Clone, Copy, Debug)]
pub struct Ui {
    pub lang: &'static str,
}

impl Ui {
    pub fn t(&self, key: &str) -> String {
        let key = format!("pages.{key}");
        rust_i18n::t!(&key, locale = self.lang).into_owned()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ui: Ui,
    status: u16,
    message: String,
    back: &'static str,
    css: String,
}

/// An error as an HTML page in the page's language (the JSON error layer leaves HTML alone).
pub fn error_page(
    err: &crate::error::AppError,
    lang: &'static str,
    back: &'static str,
) -> Response {
    let status = axum::http::StatusCode::from_u16(err.code.status())
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let page = ErrorPage {
        ui: Ui { lang },
        status: status.as_u16(),
        message: crate::error::message(err, lang, "-"),
        back,
        css: asset_url("pages.css"),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Renders a template as a 200 HTML page.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// A query string from pairs, for links that keep the page's state.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

// CLDR formats (prices, counts, dates, country names) live in the application layer: the
// buyers' e-mails use them too.
pub use ddhub_app::cldr::{
    country_name, format_count, format_date, format_price, format_seoul_time,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_for_the_csp() {
        assert_eq!(
            origin("http://127.0.0.1:8080/media"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin("https://cdn.example.com/x/y"),
            "https://cdn.example.com"
        );
        assert_eq!(origin("nonsense"), "");
        assert_eq!(origin("https://a b/"), "");
    }

    #[test]
    fn every_page_string_exists_in_every_language_it_needs() {
        // rust-i18n falls back to English, so presence is checked in the file itself.
        let text = include_str!("../../../../locales/pages.yml");
        let mut blocks: Vec<(&str, Vec<&str>)> = Vec::new();
        for line in text.lines() {
            if let Some(key) = line
                .strip_prefix("pages.")
                .and_then(|k| k.strip_suffix(':'))
            {
                blocks.push((key, Vec::new()));
            } else if let Some((lang, value)) = line.trim_start().split_once(": ")
                && line.starts_with("  ")
                && let Some((_, langs)) = blocks.last_mut()
            {
                assert!(!value.trim_matches('"').is_empty(), "empty value: {line}");
                langs.push(lang);
            }
        }
        assert!(blocks.len() > 20, "pages.yml has {} keys", blocks.len());
        for (key, langs) in &blocks {
            // Console and operator strings are Korean and English; the storefront's are in all
            // seven.
            let needed: &[&str] = if key.starts_with("console.") || key.starts_with("ops.") {
                &["ko", "en"]
            } else {
                &["en", "ko", "ja", "zh-CN", "zh-TW", "vi", "th"]
            };
            for lang in needed {
                assert!(langs.contains(lang), "pages.{key} has no {lang}");
                assert!(
                    !Ui { lang }.t(key).starts_with("pages."),
                    "pages.{key} not loaded"
                );
            }
        }
    }
}
