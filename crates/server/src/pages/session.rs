//! The console's session cookie and CSRF token.
//!
//! The cookie holds a random token whose SHA-256 finds the session row
//! (`ddhub_store::console_sessions`): HttpOnly, SameSite=Lax, Secure when `public_url` is
//! https, scoped to `/console`. CSRF protection is the synchroniser-token pattern (OWASP's
//! first choice): each session has a random token stored server-side, every console form sends
//! it in a hidden `csrf` field, and a POST whose token does not match (constant-time compare)
//! is refused before anything is written. SameSite=Lax is the second layer. No crate is used for
//! the token itself: it is 256 random bits and one comparison (`subtle`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use ddhub_app::AppState;
use ddhub_domain::WholesalerId;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "ddhub_console";
pub const LANG_COOKIE: &str = "ddhub_console_lang";
/// How long a console session lasts after sign-in.
pub const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// True when `sent` is the session's CSRF token.
pub fn csrf_matches(expected: &str, sent: &str) -> bool {
    !expected.is_empty()
        && expected.len() == sent.trim().len()
        && bool::from(expected.as_bytes().ct_eq(sent.trim().as_bytes()))
}

/// The value of a request cookie.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse_encoded(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Whether cookies must be `Secure`: the configured public URL is https (TLS here or at the
/// proxy in front).
pub fn secure(app: &AppState) -> bool {
    app.config.base_url().starts_with("https://")
}

/// Where a set of pages keeps its cookies: the console's at `/console`, the operator pages'
/// at `/ops`. Both follow the same rules; only the names and the path differ.
#[derive(Debug, Clone, Copy)]
pub struct CookieScope {
    pub path: &'static str,
    pub session: &'static str,
    pub lang: &'static str,
}

/// The wholesaler console's cookies.
pub const CONSOLE: CookieScope = CookieScope {
    path: "/console",
    session: SESSION_COOKIE,
    lang: LANG_COOKIE,
};

/// The operator pages' cookies.
pub const OPS: CookieScope = CookieScope {
    path: "/ops",
    session: "ddhub_ops",
    lang: "ddhub_ops_lang",
};

/// `Set-Cookie` for the console's session token (empty token and zero age clear it).
pub fn session_cookie(app: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    scoped_session_cookie(app, CONSOLE, token, max_age_secs)
}

/// `Set-Cookie` for a session token in `scope`: HttpOnly, SameSite=Lax, Secure on https.
pub fn scoped_session_cookie(
    app: &AppState,
    scope: CookieScope,
    token: &str,
    max_age_secs: i64,
) -> HeaderValue {
    let c = Cookie::build((scope.session, token.to_string()))
        .path(scope.path)
        .http_only(true)
        .secure(secure(app))
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    HeaderValue::from_str(&c.encoded().to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// `Set-Cookie` for the console language (not a secret; readable by nothing but the server).
pub fn lang_cookie(app: &AppState, lang: &str) -> HeaderValue {
    scoped_lang_cookie(app, CONSOLE, lang)
}

/// `Set-Cookie` for the page language in `scope`.
pub fn scoped_lang_cookie(app: &AppState, scope: CookieScope, lang: &str) -> HeaderValue {
    let c = Cookie::build((scope.lang, lang.to_string()))
        .path(scope.path)
        .http_only(true)
        .secure(secure(app))
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build();
    HeaderValue::from_str(&c.encoded().to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// The console language: `ko` first, `en` when chosen.
pub fn console_lang(headers: &HeaderMap) -> &'static str {
    scoped_lang(headers, CONSOLE)
}

/// The page language in `scope`: `ko` first, `en` when chosen.
pub fn scoped_lang(headers: &HeaderMap, scope: CookieScope) -> &'static str {
    match cookie_value(headers, scope.lang).as_deref() {
        Some("en") => "en",
        _ => "ko",
    }
}

/// A signed-in wholesaler on a console page.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    pub wholesaler: WholesalerId,
    pub csrf: String,
    pub lang: &'static str,
    /// Purchase requests waiting for this wholesaler's answer: the menu shows how many.
    pub open_requests: u64,
}

/// Not signed in: back to the sign-in form.
#[derive(Debug)]
pub enum ConsoleRejection {
    SignIn,
    Store(crate::error::ApiError),
}

impl IntoResponse for ConsoleRejection {
    fn into_response(self) -> Response {
        match self {
            ConsoleRejection::SignIn => Redirect::to("/console").into_response(),
            ConsoleRejection::Store(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = ConsoleRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, ConsoleRejection> {
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(ConsoleRejection::SignIn);
        };
        let session = ddhub_store::console_sessions::find(&state.store, &token)
            .await
            .map_err(|e| ConsoleRejection::Store(e.into()))?
            .ok_or(ConsoleRejection::SignIn)?;
        let open_requests =
            ddhub_store::orders::count_open_requests(&state.store, session.wholesaler)
                .await
                .map_err(|e| ConsoleRejection::Store(e.into()))?;
        Ok(ConsoleUser {
            wholesaler: session.wholesaler,
            csrf: session.csrf_token,
            lang: console_lang(&parts.headers),
            open_requests,
        })
    }
}

/// A signed-in hub operator on an `/ops` page.
#[derive(Debug, Clone)]
pub struct OpsUser {
    pub operator: ddhub_domain::OperatorId,
    pub csrf: String,
    pub lang: &'static str,
}

/// Not signed in to the operator pages: back to their sign-in form.
#[derive(Debug)]
pub enum OpsRejection {
    SignIn,
    Store(crate::error::ApiError),
}

impl IntoResponse for OpsRejection {
    fn into_response(self) -> Response {
        match self {
            OpsRejection::SignIn => Redirect::to("/ops").into_response(),
            OpsRejection::Store(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for OpsUser {
    type Rejection = OpsRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, OpsRejection> {
        let Some(token) = cookie_value(&parts.headers, OPS.session) else {
            return Err(OpsRejection::SignIn);
        };
        let session = ddhub_store::ops_sessions::find(&state.store, &token)
            .await
            .map_err(|e| OpsRejection::Store(e.into()))?
            .ok_or(OpsRejection::SignIn)?;
        Ok(OpsUser {
            operator: session.operator,
            csrf: session.csrf_token,
            lang: scoped_lang(&parts.headers, OPS),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_compare() {
        assert!(csrf_matches("abc123", "abc123"));
        assert!(!csrf_matches("abc123", "abc124"));
        assert!(!csrf_matches("abc123", "abc12"));
        assert!(!csrf_matches("", ""));
    }

    #[test]
    fn reads_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ddhub_console=tok; b=2"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie_value(&h, "c"), None);
    }
}
