//! Buyer pages of the storefront (issue 21): `/account` (sign up, sign in by a one-time code),
//! `/cart` (quantities, ship-to, the order request) and `/orders` (each line's answer), and
//! the colour × size picker of the style page. Every handler calls `services::buyers`.
//!
//! The session cookie works like the console's (`session.rs`): a random token whose SHA-256
//! finds the row, HttpOnly, SameSite=Lax; every POST carries the session's synchroniser CSRF
//! token, and the sign-up and sign-in forms (no session yet) a double-submit token.

use super::session::{self, cookie_value, csrf_matches};
use super::{Ui, asset_url, error_page, render};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::negotiate_locale;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ddhub_app::AppState;
use ddhub_app::services::buyers::{self as svc, Problem};
use ddhub_domain::style::StockState;
use ddhub_domain::{Locale, SkuId, StyleId, catalog};
use ddhub_store::buyers::{Buyer, BuyerState};
use std::collections::HashMap;

pub const BUYER_COOKIE: &str = "ddhub_buyer";
const LOGIN_CSRF_COOKIE: &str = "ddhub_buyer_login";
/// Most fields a buyer form may send (the picker of a style with many colours and sizes).
const MAX_FIELDS: usize = 400;

/// A signed-in buyer.
#[derive(Debug, Clone)]
pub struct BuyerSession {
    pub buyer: Buyer,
    pub csrf: String,
}

/// The buyer of the request's session cookie, if any.
pub async fn current(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<BuyerSession>, ApiError> {
    let Some(token) = cookie_value(headers, BUYER_COOKIE) else {
        return Ok(None);
    };
    Ok(ddhub_store::buyers::find_session(&app.store, &token)
        .await?
        .map(|(buyer, csrf)| BuyerSession { buyer, csrf }))
}

/// The page language: the form's or query's `locale`, else the buyer's, else the browser's.
fn page_locale(headers: &HeaderMap, asked: Option<&str>, buyer: Option<&Buyer>) -> Locale {
    asked
        .and_then(Locale::from_tag)
        .or(buyer.map(|b| b.locale))
        .unwrap_or_else(|| negotiate_locale(headers))
}

fn session_cookie(app: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let c = cookie::Cookie::build((BUYER_COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .secure(session::secure(app))
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    HeaderValue::from_str(&c.encoded().to_string()).unwrap_or(HeaderValue::from_static(""))
}

fn login_cookie(app: &AppState, token: &str) -> HeaderValue {
    let c = cookie::Cookie::build((LOGIN_CSRF_COOKIE, token.to_string()))
        .path("/account")
        .http_only(true)
        .secure(session::secure(app))
        .same_site(cookie::SameSite::Strict)
        .build();
    HeaderValue::from_str(&c.encoded().to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// Common parts of every buyer page.
pub struct Chrome {
    pub ui: Ui,
    pub locale: Locale,
    pub lang: String,
    pub css: String,
    pub buyer_css: String,
    pub csrf: String,
    pub nav: &'static str,
    pub cart_pieces: u32,
}

impl Chrome {
    /// A string of `locales/buyer.yml`.
    pub fn t(&self, key: &str) -> String {
        svc::text(self.locale, key, &[])
    }

    pub fn t_email(&self, key: &str, email: &str) -> String {
        svc::text(self.locale, key, &[("email", email.to_string())])
    }
}

async fn chrome(
    app: &AppState,
    locale: Locale,
    csrf: &str,
    nav: &'static str,
    buyer: Option<&Buyer>,
) -> Result<Chrome, ApiError> {
    let cart_pieces = match buyer {
        Some(b) => ddhub_store::buyers::cart(app.store.conn(), b.id)
            .await?
            .iter()
            .map(|l| l.quantity)
            .sum(),
        None => 0,
    };
    Ok(chrome_with(locale, csrf, nav, cart_pieces))
}

/// [`chrome`] when the page has counted the cart's pieces itself.
fn chrome_with(locale: Locale, csrf: &str, nav: &'static str, cart_pieces: u32) -> Chrome {
    Chrome {
        ui: Ui { lang: locale.tag() },
        locale,
        lang: locale.tag().to_string(),
        css: asset_url("pages.css"),
        buyer_css: asset_url("buyer.css"),
        csrf: csrf.to_string(),
        nav,
        cart_pieces,
    }
}

/// A form's fields (first value of each name), at most [`MAX_FIELDS`].
type Fields = HashMap<String, String>;

fn fields(form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Fields, ApiError> {
    let Ok(Form(pairs)) = form else {
        return Err(ApiError::new(ErrorCode::BadRequest));
    };
    if pairs.len() > MAX_FIELDS {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    let mut out = HashMap::new();
    for (k, v) in pairs {
        out.entry(k).or_insert(v);
    }
    Ok(out)
}

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map_or("", String::as_str)
}

/// `q_<sku id>` fields: the picker's and the cart's quantities.
fn quantities(f: &Fields) -> Vec<(SkuId, String)> {
    let mut out: Vec<(SkuId, String)> = f
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("q_")?.parse::<i64>().ok()?;
            Some((SkuId(id), v.clone()))
        })
        .collect();
    out.sort_by_key(|(s, _)| s.0);
    out
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
}

/// A country as a choice in the sign-up form.
pub struct CountryChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The code form after a code was sent.
pub struct SentView {
    pub email: String,
    pub shown_code: Option<String>,
}

/// What the sign-up form shows again after a refusal.
#[derive(Default)]
pub struct SignUpEcho {
    pub email: String,
    pub business_name: String,
    pub country: String,
}

#[derive(Template)]
#[template(path = "buyer_account.html")]
struct AccountPage {
    c: Chrome,
    problems: Vec<Problem>,
    buyer: Option<Buyer>,
    approved: bool,
    country_name: String,
    code_sent: Option<SentView>,
    form: SignUpEcho,
    countries: Vec<CountryChoice>,
}

fn country_name(code: &str) -> String {
    svc::COUNTRIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code.to_string(), |(c, n)| format!("{n} ({c})"))
}

async fn account_page(
    app: &AppState,
    locale: Locale,
    session: Option<&BuyerSession>,
    login_csrf: Option<String>,
    problems: Vec<Problem>,
    code_sent: Option<SentView>,
    form: SignUpEcho,
) -> Response {
    // Signed out: a double-submit token for the sign-up and sign-in forms.
    let login_token = login_csrf.unwrap_or_else(|| hex::encode(rand::random::<[u8; 32]>()));
    let csrf = session.map_or(login_token.clone(), |s| s.csrf.clone());
    let buyer = session.map(|s| &s.buyer);
    let c = match chrome(app, locale, &csrf, "account", buyer).await {
        Ok(c) => c,
        Err(e) => return error_page(&e, locale.tag(), "/"),
    };
    let countries = svc::COUNTRIES
        .iter()
        .map(|(code, name)| CountryChoice {
            value: code.to_string(),
            label: format!("{name} ({code})"),
            selected: form.country.eq_ignore_ascii_case(code),
        })
        .collect();
    let failed = !problems.is_empty();
    let page = AccountPage {
        c,
        problems,
        approved: buyer.is_some_and(|b| b.state == BuyerState::Approved),
        country_name: buyer.map_or(String::new(), |b| country_name(&b.country)),
        buyer: buyer.cloned(),
        code_sent,
        form,
        countries,
    };
    let mut res = render(&page);
    if failed {
        res = with_status(res, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if session.is_none() {
        res.headers_mut()
            .append(header::SET_COOKIE, login_cookie(app, &login_token));
    }
    res
}

#[derive(Debug, serde::Deserialize)]
pub struct LocaleQuery {
    locale: Option<String>,
    placed: Option<i64>,
}

/// `GET /account`: the account, or the sign-up and sign-in forms.
pub async fn account(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LocaleQuery>,
) -> Response {
    let session = match current(&app, &headers).await {
        Ok(s) => s,
        Err(e) => return error_page(&e, negotiate_locale(&headers).tag(), "/"),
    };
    let locale = page_locale(
        &headers,
        q.locale.as_deref(),
        session.as_ref().map(|s| &s.buyer),
    );
    account_page(
        &app,
        locale,
        session.as_ref(),
        None,
        Vec::new(),
        None,
        SignUpEcho::default(),
    )
    .await
}

/// The sign-up and sign-in forms' check: the double-submit cookie matches the form.
fn login_csrf(headers: &HeaderMap, f: &Fields) -> Option<String> {
    let expected = cookie_value(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    csrf_matches(&expected, field(f, "csrf")).then_some(expected)
}

/// What every signed-out account form starts with: its fields, the page's language and the
/// checked double-submit token; or the error page to answer instead.
#[allow(clippy::result_large_err)] // the Err is the page itself, answered at once
fn login_form(
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<(Fields, Locale, String), Response> {
    let fallback = negotiate_locale(headers);
    let f = fields(form).map_err(|e| error_page(&e, fallback.tag(), "/account"))?;
    let locale = page_locale(headers, Some(field(&f, "locale")), None);
    let Some(token) = login_csrf(headers, &f) else {
        return Err(error_page(
            &ApiError::new(ErrorCode::CsrfInvalid),
            locale.tag(),
            "/account",
        ));
    };
    Ok((f, locale, token))
}

/// `POST /account/sign-up`: a pending account and its first code.
pub async fn sign_up(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (f, locale, token) = match login_form(&headers, form) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let form = svc::SignUp {
        email: field(&f, "email").to_string(),
        business_name: field(&f, "business_name").to_string(),
        country: field(&f, "country").to_string(),
    };
    match svc::sign_up(&app, &form, locale).await {
        Ok(Ok(sent)) => {
            let sent = SentView {
                email: sent.email,
                shown_code: sent.shown_code,
            };
            account_page(
                &app,
                locale,
                None,
                Some(token),
                Vec::new(),
                Some(sent),
                SignUpEcho::default(),
            )
            .await
        }
        Ok(Err(problems)) => {
            let echo = SignUpEcho {
                email: form.email,
                business_name: form.business_name,
                country: form.country,
            };
            account_page(&app, locale, None, Some(token), problems, None, echo).await
        }
        Err(e) => error_page(&e, locale.tag(), "/account"),
    }
}

/// `POST /account/code`: e-mails a sign-in code.
pub async fn request_code(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (f, locale, token) = match login_form(&headers, form) {
        Ok(v) => v,
        Err(page) => return page,
    };
    match svc::request_code(&app, field(&f, "email"), locale).await {
        Ok(Ok(sent)) => {
            let sent = SentView {
                email: sent.email,
                shown_code: sent.shown_code,
            };
            account_page(
                &app,
                locale,
                None,
                Some(token),
                Vec::new(),
                Some(sent),
                SignUpEcho::default(),
            )
            .await
        }
        Ok(Err(problems)) => {
            account_page(
                &app,
                locale,
                None,
                Some(token),
                problems,
                None,
                SignUpEcho::default(),
            )
            .await
        }
        Err(e) => error_page(&e, locale.tag(), "/account"),
    }
}

/// `POST /account/sign-in`: checks the code and opens a session.
pub async fn sign_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (f, locale, token) = match login_form(&headers, form) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let email = field(&f, "email");
    match svc::sign_in(&app, email, field(&f, "code"), locale).await {
        Ok(Ok(opened)) => {
            let mut res = see_other(&format!("/account?locale={}", locale.tag()));
            let max_age = i64::try_from(svc::SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX);
            res.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&app, &opened.token, max_age),
            );
            res
        }
        Ok(Err(problems)) => {
            // The code form again, for another try.
            let sent = SentView {
                email: email.trim().to_lowercase(),
                shown_code: None,
            };
            account_page(
                &app,
                locale,
                None,
                Some(token),
                problems,
                Some(sent),
                SignUpEcho::default(),
            )
            .await
        }
        Err(e) => error_page(&e, locale.tag(), "/account"),
    }
}

/// A signed-in buyer's POST: the session and a matching CSRF token, or the response to send.
async fn signed_in_post(
    app: &AppState,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<(BuyerSession, Fields, Locale), Response> {
    let fallback = negotiate_locale(headers);
    let f = fields(form).map_err(|e| error_page(&e, fallback.tag(), "/account"))?;
    let session = current(app, headers)
        .await
        .map_err(|e| error_page(&e, fallback.tag(), "/account"))?;
    let locale = page_locale(
        headers,
        Some(field(&f, "locale")),
        session.as_ref().map(|s| &s.buyer),
    );
    let Some(session) = session else {
        return Err(see_other(&format!("/account?locale={}", locale.tag())));
    };
    if !csrf_matches(&session.csrf, field(&f, "csrf")) {
        return Err(error_page(
            &ApiError::new(ErrorCode::CsrfInvalid),
            locale.tag(),
            "/account",
        ));
    }
    Ok((session, f, locale))
}

/// `POST /account/sign-out`.
pub async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (_, _, locale) = match signed_in_post(&app, &headers, form).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    if let Some(token) = cookie_value(&headers, BUYER_COOKIE)
        && let Err(e) = ddhub_store::buyers::close_session(&app.store, &token).await
    {
        return error_page(&e.into(), locale.tag(), "/account");
    }
    let mut res = see_other(&format!("/account?locale={}", locale.tag()));
    res.headers_mut()
        .append(header::SET_COOKIE, session_cookie(&app, "", 0));
    res
}

/// One cell of the picker: a SKU of a colour and size.
pub struct PickCell {
    pub sku_id: i64,
    pub size: String,
    pub sold_out: bool,
    pub backorder: bool,
    pub entered: String,
}

pub struct PickRow {
    pub colour: String,
    pub cells: Vec<Option<PickCell>>,
}

#[derive(Template)]
#[template(path = "buyer_picker.html")]
struct Picker {
    lang: String,
    csrf: String,
    style_id: i64,
    signed_in: bool,
    sizes: Vec<String>,
    rows: Vec<PickRow>,
    max_quantity: u32,
    problems: Vec<Problem>,
    added: Option<String>,
    t_pick_title: String,
    t_moq_rule: String,
    t_colour: String,
    t_sold_out: String,
    t_backorder: String,
    t_add: String,
    t_sign_in: String,
    t_cart: String,
}

/// What the picker shows after a POST: problems, the quantities entered, or "added".
#[derive(Debug, Default)]
pub struct PickerState {
    pub problems: Vec<Problem>,
    pub entered: HashMap<i64, String>,
    pub added: bool,
}

/// The colour × size picker of a style page: one quantity per SKU, sold-out ones disabled,
/// the MOQ said above it. Signed out, the grid shows stock and links to `/account`.
pub async fn picker(
    app: &AppState,
    headers: &HeaderMap,
    row: &ddhub_store::catalog::ListingRow,
    locale: Locale,
    state: PickerState,
) -> Result<String, ApiError> {
    let session = current(app, headers).await?;
    let mut colours: Vec<String> = Vec::new();
    let mut sizes: Vec<String> = Vec::new();
    for sku in &row.skus {
        if !colours.contains(&sku.colour) {
            colours.push(sku.colour.clone());
        }
        if !sizes.contains(&sku.size) {
            sizes.push(sku.size.clone());
        }
    }
    sizes.sort_by_key(|s| catalog::size_order(s));
    let size_label = |s: &str| {
        catalog::sizes()
            .get(s)
            .map_or(s.to_string(), |x| x.labels.get(locale).to_string())
    };
    let rows = colours
        .iter()
        .map(|colour| PickRow {
            colour: catalog::colours()
                .get(colour)
                .map_or(colour.clone(), |c| c.labels.get(locale).to_string()),
            cells: sizes
                .iter()
                .map(|size| {
                    row.skus
                        .iter()
                        .find(|k| &k.colour == colour && &k.size == size)
                        .map(|k| {
                            let stock = StockState::of_sku(row.style.state, k.stock);
                            PickCell {
                                sku_id: k.id.0,
                                size: size_label(size),
                                sold_out: stock == StockState::SoldOut,
                                backorder: stock == StockState::Backorder,
                                entered: state.entered.get(&k.id.0).cloned().unwrap_or_default(),
                            }
                        })
                })
                .collect(),
        })
        .collect();
    let t = |k: &str| svc::text(locale, k, &[]);
    let p = Picker {
        lang: locale.tag().to_string(),
        csrf: session.as_ref().map_or(String::new(), |s| s.csrf.clone()),
        style_id: row.style.id.0,
        signed_in: session.is_some(),
        sizes: sizes.iter().map(|s| size_label(s)).collect(),
        rows,
        max_quantity: svc::MAX_LINE_QUANTITY,
        problems: state.problems,
        added: state.added.then(|| t("added")),
        t_pick_title: t("pick_title"),
        t_moq_rule: svc::text(locale, "moq_rule", &[("moq", row.style.moq.0.to_string())]),
        t_colour: Ui { lang: locale.tag() }.t("colour"),
        t_sold_out: t("sold_out"),
        t_backorder: t("stock_backorder"),
        t_add: t("add_to_cart"),
        t_sign_in: t("sign_in_to_order"),
        t_cart: t("cart"),
    };
    p.render().map_err(ApiError::internal)
}

/// `POST /cart/add`: the picker's quantities into the cart, then back to the style page
/// (with the problems, in the buyer's language, when some quantity is refused).
pub async fn add_to_cart(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (session, f, locale) = match signed_in_post(&app, &headers, form).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let Ok(style) = field(&f, "style_id").parse::<i64>() else {
        return error_page(&ApiError::new(ErrorCode::BadRequest), locale.tag(), "/");
    };
    let picks = quantities(&f);
    match svc::add_to_cart(&app, &session.buyer, StyleId(style), &picks, locale).await {
        Ok(Ok(())) => see_other(&format!(
            "/styles/{style}?locale={}&added=1#picker",
            locale.tag()
        )),
        Ok(Err(problems)) => {
            let state = PickerState {
                problems,
                entered: picks.into_iter().map(|(s, v)| (s.0, v)).collect(),
                added: false,
            };
            super::storefront::style_with_picker(&app, &headers, style, locale, state).await
        }
        Err(e) => error_page(&e, locale.tag(), "/"),
    }
}

/// One cart line as the page shows it.
pub struct CartRow {
    pub sku_id: i64,
    pub style_id: i64,
    pub title: String,
    pub wholesaler: String,
    pub colour: String,
    pub size: String,
    pub quantity: u32,
    pub unit: String,
    pub line: String,
    pub sold_out: bool,
}

#[derive(Template)]
#[template(path = "buyer_cart.html")]
struct CartPage {
    c: Chrome,
    problems: Vec<Problem>,
    items: Vec<CartRow>,
    pieces: String,
    total: String,
    approved: bool,
    country_name: String,
    ship: svc::ShipTo,
    max_quantity: u32,
}

fn won(amount: i64, locale: Locale) -> String {
    super::format_price(&amount.to_string(), "KRW", locale)
}

async fn cart_page(
    app: &AppState,
    session: &BuyerSession,
    locale: Locale,
    problems: Vec<Problem>,
    ship: Option<svc::ShipTo>,
) -> Response {
    let b = &session.buyer;
    let view = match svc::cart(app, b, locale).await {
        Ok(v) => v,
        Err(e) => return error_page(&e, locale.tag(), "/"),
    };
    let c = chrome_with(locale, &session.csrf, "cart", view.pieces);
    let failed = !problems.is_empty();
    let page = CartPage {
        pieces: svc::text(locale, "pieces", &[("count", view.pieces.to_string())]),
        total: won(view.total_krw, locale),
        items: view
            .items
            .into_iter()
            .map(|i| CartRow {
                sku_id: i.sku_id,
                style_id: i.style_id,
                title: i.title,
                wholesaler: i.wholesaler,
                colour: i.colour,
                size: i.size,
                quantity: i.quantity,
                unit: won(i.unit_krw, locale),
                line: won(i.line_krw, locale),
                sold_out: i.stock == StockState::SoldOut,
            })
            .collect(),
        c,
        problems,
        approved: b.state == BuyerState::Approved,
        country_name: country_name(&b.country),
        ship: ship.unwrap_or_else(|| svc::ShipTo {
            name: b.business_name.clone(),
            ..Default::default()
        }),
        max_quantity: svc::MAX_LINE_QUANTITY,
    };
    let res = render(&page);
    if failed {
        with_status(res, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        res
    }
}

/// `GET /cart`.
pub async fn cart(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LocaleQuery>,
) -> Response {
    let session = match current(&app, &headers).await {
        Ok(s) => s,
        Err(e) => return error_page(&e, negotiate_locale(&headers).tag(), "/"),
    };
    let locale = page_locale(
        &headers,
        q.locale.as_deref(),
        session.as_ref().map(|s| &s.buyer),
    );
    match session {
        Some(s) => cart_page(&app, &s, locale, Vec::new(), None).await,
        None => see_other(&format!("/account?locale={}", locale.tag())),
    }
}

/// `POST /cart/update`: new quantities (0 removes a line).
pub async fn update_cart(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (session, f, locale) = match signed_in_post(&app, &headers, form).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    match svc::update_cart(&app, &session.buyer, &quantities(&f), locale).await {
        Ok(Ok(())) => see_other(&format!("/cart?locale={}", locale.tag())),
        Ok(Err(problems)) => cart_page(&app, &session, locale, problems, None).await,
        Err(e) => error_page(&e, locale.tag(), "/cart"),
    }
}

/// `POST /cart/submit`: the cart becomes an order request.
pub async fn submit_cart(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (session, f, locale) = match signed_in_post(&app, &headers, form).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let ship = svc::ShipTo {
        name: field(&f, "name").to_string(),
        address1: field(&f, "address1").to_string(),
        address2: field(&f, "address2").to_string(),
        postal_code: field(&f, "postal_code").to_string(),
        phone: field(&f, "phone").to_string(),
        notes: field(&f, "notes").to_string(),
    };
    match svc::submit(&app, &session.buyer, &ship, locale).await {
        Ok(Ok(order)) => see_other(&format!("/orders?locale={}&placed={order}", locale.tag())),
        Ok(Err(problems)) => cart_page(&app, &session, locale, problems, Some(ship)).await,
        Err(e) => error_page(&e, locale.tag(), "/cart"),
    }
}

pub struct OrderLineRow {
    pub style_id: i64,
    pub title: String,
    pub wholesaler: String,
    pub colour: String,
    pub size: String,
    pub quantity: i32,
    pub state: String,
    pub answer: String,
    pub confirmed: Option<String>,
}

pub struct OrderBlock {
    pub id: i64,
    pub title: String,
    pub state: String,
    pub total: String,
    pub lines: Vec<OrderLineRow>,
}

#[derive(Template)]
#[template(path = "buyer_orders.html")]
struct OrdersPage {
    c: Chrome,
    placed: Option<String>,
    orders: Vec<OrderBlock>,
}

/// `GET /orders`: the buyer's orders with each line's answer.
pub async fn orders(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LocaleQuery>,
) -> Response {
    let session = match current(&app, &headers).await {
        Ok(s) => s,
        Err(e) => return error_page(&e, negotiate_locale(&headers).tag(), "/"),
    };
    let locale = page_locale(
        &headers,
        q.locale.as_deref(),
        session.as_ref().map(|s| &s.buyer),
    );
    let Some(session) = session else {
        return see_other(&format!("/account?locale={}", locale.tag()));
    };
    let list = match svc::orders(&app, &session.buyer, locale).await {
        Ok(l) => l,
        Err(e) => return error_page(&e, locale.tag(), "/"),
    };
    let c = match chrome(&app, locale, &session.csrf, "orders", Some(&session.buyer)).await {
        Ok(c) => c,
        Err(e) => return error_page(&e, locale.tag(), "/"),
    };
    let t = |k: &str, args: &[(&str, String)]| svc::text(locale, k, args);
    let orders = list
        .into_iter()
        .map(|o| OrderBlock {
            id: o.id,
            title: t("order_no", &[("id", o.id.to_string())]),
            state: t(&format!("order_state_{}", o.state), &[]),
            total: won(o.total_krw, locale),
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLineRow {
                    confirmed: (matches!(l.state.as_str(), "available" | "backorder")
                        && l.confirmed_quantity != l.quantity)
                        .then(|| {
                            t(
                                "confirmed_of",
                                &[
                                    ("confirmed", l.confirmed_quantity.to_string()),
                                    ("quantity", l.quantity.to_string()),
                                ],
                            )
                        }),
                    style_id: l.style_id,
                    title: l.title,
                    wholesaler: l.wholesaler,
                    colour: l.colour,
                    size: l.size,
                    quantity: l.quantity,
                    state: l.state,
                    answer: l.answer,
                })
                .collect(),
        })
        .collect();
    render(&OrdersPage {
        c,
        placed: q.placed.map(|id| t("placed", &[("id", id.to_string())])),
        orders,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_buyer_string_exists_in_every_storefront_language() {
        let text = include_str!("../../../../locales/buyer.yml");
        let mut keys = 0;
        let mut langs: Vec<&str> = Vec::new();
        let check = |key: &str, langs: &[&str]| {
            for l in ["en", "ko", "ja", "zh-CN", "zh-TW", "vi", "th"] {
                assert!(langs.contains(&l), "buyer.{key} has no {l}");
            }
        };
        let mut current = "";
        for line in text.lines() {
            if let Some(key) = line
                .strip_prefix("buyer.")
                .and_then(|k| k.strip_suffix(':'))
            {
                if !current.is_empty() {
                    check(current, &langs);
                }
                current = key;
                langs.clear();
                keys += 1;
            } else if let Some((lang, value)) = line.trim_start().split_once(": ")
                && line.starts_with("  ")
            {
                assert!(!value.trim_matches('"').is_empty(), "empty value: {line}");
                langs.push(lang);
            }
        }
        check(current, &langs);
        assert!(keys > 50, "buyer.yml has {keys} keys");
    }
}
