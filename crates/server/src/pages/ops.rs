//! The hub operator pages at `/ops`, Korean first (English by `?lang=en`): sign in with the
//! operator key (`ddh_o_…`), the day's pickup list with receiving and short counts, building a
//! shipment from received lines, packages, quotes per service, shipping with tracking numbers,
//! and the papers (labels, declaration worksheet, pickup list). Sessions and CSRF follow the
//! console's rules ([`super::session`]); every handler calls what the JSON API calls.

use super::session::{self, OPS, OpsUser, SESSION_LIFETIME};
use super::{Ui, asset_url, error_page, format_price, render};
use crate::error::{ApiError, ErrorCode};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ddhub_app::AppState;
use ddhub_app::services::{declarations, pickups, shipments};
use ddhub_domain::OrderLineId;
use ddhub_orders::receiving::Receipt;
use ddhub_shipping::package::PackageSpec;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The cookie of the sign-in form's CSRF token (double-submit: there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "ddhub_ops_login";

/// Form fields as sent, in order: receiving and shipping forms repeat names (`line`,
/// `tracking`) or carry one field per line (`got_<line id>`).
type Fields = Vec<(String, String)>;

/// Common parts of every signed-in operator page.
pub struct Chrome {
    pub ui: Ui,
    pub lang: String,
    pub css: String,
    pub csrf: String,
    /// `pickups` or `shipments`.
    pub nav: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
}

impl Chrome {
    fn new(user: &OpsUser, nav: &'static str) -> Chrome {
        let (other_lang, other_lang_name) = other(user.lang);
        Chrome {
            ui: Ui { lang: user.lang },
            lang: user.lang.to_string(),
            css: asset_url("pages.css"),
            csrf: user.csrf.clone(),
            nav,
            other_lang,
            other_lang_name,
        }
    }
}

fn other(lang: &str) -> (&'static str, &'static str) {
    if lang == "en" {
        ("ko", "한국어")
    } else {
        ("en", "English")
    }
}

fn fail(user: &OpsUser, e: impl Into<ApiError>) -> Response {
    error_page(&e.into(), user.lang, "/ops")
}

fn check_csrf(user: &OpsUser, fields: &Fields) -> Result<(), ApiError> {
    let sent = field(fields, "csrf").unwrap_or_default();
    if session::csrf_matches(&user.csrf, sent) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::CsrfInvalid))
    }
}

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The message of an error for the page, in the operator's language.
fn problem(user: &OpsUser, e: &ApiError) -> String {
    let msg = crate::error::message(e, user.lang, "-");
    // Some codes' messages leave the detail out (404's "not found"); the operator needs it to
    // know which line or package it was.
    match &e.detail {
        Some(d) if !d.is_empty() && !msg.contains(d.as_str()) => format!("{msg} ({d})"),
        _ => msg,
    }
}

fn status_of(e: &ApiError) -> StatusCode {
    StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// A form that could not be read at all (not urlencoded, too large).
fn bad_form(user: &OpsUser) -> Response {
    fail(user, ApiError::new(ErrorCode::BadRequest))
}

#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    lang: Option<String>,
    date: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "ops_sign_in.html")]
struct SignInPage {
    ui: Ui,
    lang: String,
    css: String,
    csrf: String,
    error: Option<String>,
    other_lang: &'static str,
    other_lang_name: &'static str,
}

fn sign_in_page(app: &AppState, lang: &'static str, error: Option<String>) -> Response {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let (other_lang, other_lang_name) = other(lang);
    let page = SignInPage {
        ui: Ui { lang },
        lang: lang.to_string(),
        css: asset_url("pages.css"),
        csrf: token.clone(),
        error: error.clone(),
        other_lang,
        other_lang_name,
    };
    let cookie = cookie::Cookie::build((LOGIN_CSRF_COOKIE, token))
        .path("/ops")
        .http_only(true)
        .secure(session::secure(app))
        .same_site(cookie::SameSite::Strict)
        .build();
    let mut res = render(&page);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNAUTHORIZED;
    }
    if let Ok(v) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// One line of the pickup page.
struct PickupRow {
    line_id: i64,
    order_id: i64,
    partner_order_id: String,
    style_code: String,
    colour: String,
    size: String,
    quantity: u32,
    amount: String,
    backorder_until: String,
}

/// One stop of the pickup page.
struct PickupStopView {
    wholesaler_id: i64,
    name: String,
    place: String,
    pieces: u32,
    amount: String,
    lines: Vec<PickupRow>,
}

#[derive(Template)]
#[template(path = "ops_pickups.html")]
struct PickupPage {
    c: Chrome,
    date: String,
    stops: Vec<PickupStopView>,
    pieces: u32,
    amount: String,
    error: Option<String>,
    notice: Option<String>,
}

fn won(amount: i64) -> String {
    format_price(&amount.to_string(), "KRW", ddhub_domain::Locale::Ko)
}

async fn pickup_page(
    app: &AppState,
    user: &OpsUser,
    date: Option<&str>,
    error: Option<(StatusCode, String)>,
    notice: Option<String>,
) -> Response {
    let list = match pickups::list(&app.store, date.filter(|d| !d.trim().is_empty())).await {
        Ok(l) => l,
        Err(e) => return fail(user, e),
    };
    let stops = list
        .stops
        .into_iter()
        .map(|s| PickupStopView {
            wholesaler_id: s.wholesaler_id.0,
            place: [s.building, s.floor, s.unit]
                .into_iter()
                .filter(|p| !p.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            name: s.wholesaler_name,
            pieces: s.pieces,
            amount: won(s.amount_due_krw),
            lines: s
                .lines
                .into_iter()
                .map(|l| PickupRow {
                    line_id: l.line_id,
                    order_id: l.order_id,
                    partner_order_id: l.partner_order_id,
                    style_code: l.style_code,
                    colour: ddhub_app::services::pickups::colour_ko(&l.colour),
                    size: ddhub_app::services::pickups::size_ko(&l.size),
                    quantity: l.quantity,
                    amount: won(l.amount_krw),
                    backorder_until: l
                        .backorder_until
                        .as_deref()
                        .map(|d| {
                            super::format_date(
                                d,
                                ddhub_domain::Locale::from_tag(user.lang)
                                    .unwrap_or(ddhub_domain::Locale::Ko),
                            )
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let status = error.as_ref().map(|(s, _)| *s);
    let mut res = render(&PickupPage {
        c: Chrome::new(user, "pickups"),
        date: list.date,
        stops,
        pieces: list.pieces,
        amount: won(list.amount_due_krw),
        error: error.map(|(_, m)| m),
        notice,
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

/// `GET /ops`: the sign-in form, or the day's pickup list when signed in (`?date=`).
/// `?lang=en|ko` switches the language (kept in a cookie).
pub async fn home(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HomeQuery>,
) -> Response {
    let chosen = match q.lang.as_deref() {
        Some("en") => Some("en"),
        Some("ko") => Some("ko"),
        _ => None,
    };
    let lang = chosen.unwrap_or_else(|| session::scoped_lang(&headers, OPS));
    let found = match session::cookie_value(&headers, OPS.session) {
        Some(t) => match ddhub_store::ops_sessions::find(&app.store, &t).await {
            Ok(s) => s,
            Err(e) => return error_page(&ApiError::from(e), lang, "/ops"),
        },
        None => None,
    };
    let mut res = match found {
        None => sign_in_page(&app, lang, None),
        Some(s) => {
            let user = OpsUser {
                operator: s.operator,
                csrf: s.csrf_token,
                lang,
            };
            let notice = (q.done.as_deref() == Some("received"))
                .then(|| Ui { lang }.t("ops.notice_received"));
            pickup_page(&app, &user, q.date.as_deref(), None, notice).await
        }
    };
    if let Some(l) = chosen {
        res.headers_mut().append(
            header::SET_COOKIE,
            session::scoped_lang_cookie(&app, OPS, l),
        );
    }
    res
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    key: String,
    csrf: String,
}

/// `POST /ops/sign-in`: checks the operator key and opens a session.
pub async fn sign_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let lang = session::scoped_lang(&headers, OPS);
    let Ok(Form(form)) = form else {
        return error_page(&ApiError::new(ErrorCode::BadRequest), lang, "/ops");
    };
    let expected = session::cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !session::csrf_matches(&expected, &form.csrf) {
        return error_page(&ApiError::new(ErrorCode::CsrfInvalid), lang, "/ops");
    }
    let opened =
        match ddhub_store::ops_sessions::sign_in(&app.store, &form.key, SESSION_LIFETIME).await {
            Ok(o) => o,
            Err(e) => return error_page(&ApiError::from(e), lang, "/ops"),
        };
    match opened {
        Ok(o) => {
            let mut res = Redirect::to("/ops").into_response();
            let max_age = i64::try_from(SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX);
            res.headers_mut().append(
                header::SET_COOKIE,
                session::scoped_session_cookie(&app, OPS, &o.token, max_age),
            );
            res
        }
        Err(_) => {
            let msg = Ui { lang }.t("ops.sign_in_failed");
            sign_in_page(&app, lang, Some(msg))
        }
    }
}

/// `POST /ops/sign-out`: ends the session.
pub async fn sign_out(
    State(app): State<AppState>,
    user: OpsUser,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return bad_form(&user);
    };
    if let Err(e) = check_csrf(&user, &fields) {
        return fail(&user, e);
    }
    if let Some(token) = session::cookie_value(&headers, OPS.session)
        && let Err(e) = ddhub_store::ops_sessions::sign_out(&app.store, &token).await
    {
        return fail(&user, e);
    }
    let mut res = Redirect::to("/ops").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session::scoped_session_cookie(&app, OPS, "", 0),
    );
    res
}

/// The receipts of a receiving form: one `got_<line id>` field per line; an empty field is a
/// line not counted in yet. A count that is not a whole number refuses the form.
fn receipts(fields: &Fields) -> Result<Vec<Receipt>, ApiError> {
    let mut out = Vec::new();
    for (k, v) in fields {
        let Some(id) = k.strip_prefix("got_") else {
            continue;
        };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let line_id: i64 = id.parse().map_err(|_| {
            ApiError::with_detail(ErrorCode::InvalidBody, format!("{k}: not a line"))
        })?;
        let received: u32 = v.parse().map_err(|_| {
            ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("line {line_id}: {v:?} is not a count of pieces"),
            )
        })?;
        out.push(Receipt {
            line_id: OrderLineId(line_id),
            received,
        });
    }
    Ok(out)
}

/// `POST /ops/receive`: the pieces counted in for one stop's lines (fewer than confirmed is a
/// short count); then back to the list. Refused whole, with the reason, on the list.
pub async fn receive(
    State(app): State<AppState>,
    user: OpsUser,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return bad_form(&user);
    };
    if let Err(e) = check_csrf(&user, &fields) {
        return fail(&user, e);
    }
    let date = field(&fields, "date").unwrap_or_default().to_string();
    let result = match receipts(&fields) {
        Ok(r) => pickups::receive(&app.store, &r)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            let q = super::query_string(&[("date", date), ("done", "received".into())]);
            Redirect::to(&format!("/ops?{q}")).into_response()
        }
        Err(e) => {
            let msg = problem(&user, &e);
            pickup_page(&app, &user, Some(&date), Some((status_of(&e), msg)), None).await
        }
    }
}

/// A group of received lines that may go in one shipment.
struct ReadyGroup {
    consignee: String,
    country: String,
    lines: Vec<shipments::ReadyLine>,
}

struct ShipmentRow {
    id: i64,
    state: String,
    country: String,
    service: String,
}

#[derive(Template)]
#[template(path = "ops_shipments.html")]
struct ShipmentsPage {
    c: Chrome,
    groups: Vec<ReadyGroup>,
    recent: Vec<ShipmentRow>,
    error: Option<String>,
}

async fn shipments_page(
    app: &AppState,
    user: &OpsUser,
    error: Option<(StatusCode, String)>,
) -> Response {
    let ready = match shipments::ready_lines(&app.store).await {
        Ok(r) => r,
        Err(e) => return fail(user, e),
    };
    let recent = match shipments::recent(&app.store, 30).await {
        Ok(r) => r,
        Err(e) => return fail(user, e),
    };
    let mut by_key: BTreeMap<String, ReadyGroup> = BTreeMap::new();
    for l in ready {
        by_key
            .entry(l.consignee_key.clone())
            .or_insert_with(|| ReadyGroup {
                consignee: l.consignee_name.clone(),
                country: l.country.clone(),
                lines: Vec::new(),
            })
            .lines
            .push(l);
    }
    let status = error.as_ref().map(|(s, _)| *s);
    let mut res = render(&ShipmentsPage {
        c: Chrome::new(user, "shipments"),
        groups: by_key.into_values().collect(),
        recent: recent
            .into_iter()
            .map(|s| ShipmentRow {
                id: s.id,
                state: s.state,
                country: s.country,
                service: s.service.unwrap_or_default(),
            })
            .collect(),
        error: error.map(|(_, m)| m),
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

/// `GET /ops/shipments`: received lines grouped by consignee, to build shipments from, and
/// the latest shipments.
pub async fn shipments_list(State(app): State<AppState>, user: OpsUser) -> Response {
    shipments_page(&app, &user, None).await
}

/// `POST /ops/shipments`: a shipment from the checked lines (`line`, repeated); then to it.
pub async fn create_shipment(
    State(app): State<AppState>,
    user: OpsUser,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return bad_form(&user);
    };
    if let Err(e) = check_csrf(&user, &fields) {
        return fail(&user, e);
    }
    let mut ids = Vec::new();
    for (k, v) in &fields {
        if k != "line" {
            continue;
        }
        match v.trim().parse::<i64>() {
            Ok(id) => ids.push(id),
            Err(_) => {
                let e = ApiError::with_detail(
                    ErrorCode::InvalidBody,
                    format!("line {v:?} is not a line id"),
                );
                let msg = problem(&user, &e);
                return shipments_page(&app, &user, Some((status_of(&e), msg))).await;
            }
        }
    }
    match shipments::create(&app.store, user.operator, &ids).await {
        Ok(s) => Redirect::to(&format!("/ops/shipments/{}", s.id)).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            let msg = problem(&user, &e);
            shipments_page(&app, &user, Some((status_of(&e), msg))).await
        }
    }
}

struct PackageRowView {
    no: usize,
    weight: String,
    dims: String,
    tracking: String,
}

struct QuoteRow {
    service: String,
    name: String,
    carrier: String,
    total: String,
    refusals: Vec<String>,
    source: String,
}

struct LineRowView {
    line_id: i64,
    order_id: i64,
    quantity: u32,
}

#[derive(Template)]
#[template(path = "ops_shipment.html")]
struct ShipmentPage {
    c: Chrome,
    id: i64,
    state: String,
    country: String,
    consignee: String,
    service: String,
    carrier: String,
    lines: Vec<LineRowView>,
    order_ids: Vec<i64>,
    packages: Vec<PackageRowView>,
    quotes: Vec<QuoteRow>,
    open: bool,
    shipped: bool,
    error: Option<String>,
    notice: Option<String>,
}

fn grams(g: u32) -> String {
    format!("{}.{:03} kg", g / 1000, g % 1000)
}

async fn shipment_page(
    app: &AppState,
    user: &OpsUser,
    id: i64,
    error: Option<(StatusCode, String)>,
    notice: Option<String>,
) -> Response {
    let s = match shipments::get(&app.store, id, None).await {
        Ok(s) => s,
        Err(e) => return fail(user, e),
    };
    let quotes = if s.state == "open" && !s.packages.is_empty() {
        match shipments::quotes(&app.store, id).await {
            Ok(q) => q,
            Err(e) => return fail(user, e),
        }
    } else {
        Vec::new()
    };
    let text = |k: &str| {
        s.consignee
            .get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut consignee = vec![text("name")];
    consignee.extend(
        s.consignee
            .get("address_lines")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_string),
    );
    consignee.push(text("postal_code"));
    let status = error.as_ref().map(|(s, _)| *s);
    let mut res = render(&ShipmentPage {
        c: Chrome::new(user, "shipments"),
        id: s.id,
        open: s.state == "open",
        shipped: s.state == "shipped",
        state: s.state.clone(),
        country: s.country.clone(),
        consignee: consignee
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        service: s.service.clone().unwrap_or_default(),
        carrier: s.carrier.clone().unwrap_or_default(),
        lines: s
            .lines
            .iter()
            .map(|l| LineRowView {
                line_id: l.line_id,
                order_id: l.order_id,
                quantity: l.quantity,
            })
            .collect(),
        order_ids: s.order_ids.clone(),
        packages: s
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| PackageRowView {
                no: i + 1,
                weight: grams(p.weight_grams),
                dims: format!("{} × {} × {} cm", p.length_cm, p.width_cm, p.height_cm),
                tracking: p.tracking_number.clone().unwrap_or_default(),
            })
            .collect(),
        quotes: quotes
            .into_iter()
            .map(|q| QuoteRow {
                total: q.total_krw.map(won).unwrap_or_default(),
                refusals: q.refusals.into_iter().map(|r| r.reason).collect(),
                source: format!("{} ({})", q.source, q.effective_from),
                service: q.service,
                name: q.name,
                carrier: q.carrier,
            })
            .collect(),
        error: error.map(|(_, m)| m),
        notice,
    });
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

type PathId = Result<Path<i64>, axum::extract::rejection::PathRejection>;

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /ops/shipments/{id}`: the shipment with its forms: packages, quotes, shipping, papers.
pub async fn shipment(
    State(app): State<AppState>,
    user: OpsUser,
    id: PathId,
    Query(q): Query<DoneQuery>,
) -> Response {
    let Ok(Path(id)) = id else {
        return fail(&user, ApiError::not_found());
    };
    let notice = match q.done.as_deref() {
        Some("package") => Some(Ui { lang: user.lang }.t("ops.notice_package")),
        Some("shipped") => Some(Ui { lang: user.lang }.t("ops.notice_shipped")),
        Some("delivered") => Some(Ui { lang: user.lang }.t("ops.notice_delivered")),
        _ => None,
    };
    shipment_page(&app, &user, id, None, notice).await
}

fn number(fields: &Fields, name: &str) -> Result<u32, ApiError> {
    let v = field(fields, name).unwrap_or_default().trim();
    v.parse().map_err(|_| {
        ApiError::with_detail(
            ErrorCode::InvalidBody,
            format!("{name}: {v:?} is not a whole number"),
        )
    })
}

fn package_spec(fields: &Fields) -> Result<PackageSpec, ApiError> {
    Ok(PackageSpec {
        weight_grams: number(fields, "weight_grams")?,
        length_cm: number(fields, "length_cm")?,
        width_cm: number(fields, "width_cm")?,
        height_cm: number(fields, "height_cm")?,
    })
}

/// `POST /ops/shipments/{id}/packages`: adds a package (grams, cm).
pub async fn add_package(
    State(app): State<AppState>,
    user: OpsUser,
    id: PathId,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (Ok(Path(id)), Ok(Form(fields))) = (id, form) else {
        return bad_form(&user);
    };
    if let Err(e) = check_csrf(&user, &fields) {
        return fail(&user, e);
    }
    let result = match package_spec(&fields) {
        Ok(spec) => shipments::add_package(&app.store, id, spec)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/ops/shipments/{id}?done=package")).into_response(),
        Err(e) => {
            let msg = problem(&user, &e);
            shipment_page(&app, &user, id, Some((status_of(&e), msg)), None).await
        }
    }
}

/// `POST /ops/shipments/{id}/ship`: ships by `service` with one `tracking` field per package.
pub async fn ship(
    State(app): State<AppState>,
    user: OpsUser,
    id: PathId,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (Ok(Path(id)), Ok(Form(fields))) = (id, form) else {
        return bad_form(&user);
    };
    if let Err(e) = check_csrf(&user, &fields) {
        return fail(&user, e);
    }
    let service = field(&fields, "service").unwrap_or_default().to_string();
    let tracking: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "tracking")
        .map(|(_, v)| v.clone())
        .collect();
    match shipments::ship(&app.store, id, &service, &tracking).await {
        Ok(_) => Redirect::to(&format!("/ops/shipments/{id}?done=shipped")).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            let msg = problem(&user, &e);
            shipment_page(&app, &user, id, Some((status_of(&e), msg)), None).await
        }
    }
}

fn download(content_type: &str, disposition: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /ops/shipments/{id}/labels.pdf`: the shipping labels (A6, Code 128).
pub async fn labels(State(app): State<AppState>, user: OpsUser, id: PathId) -> Response {
    let Ok(Path(id)) = id else {
        return fail(&user, ApiError::not_found());
    };
    match shipments::labels(&app.store, id).await {
        Ok(pdf) => download(
            "application/pdf",
            format!("inline; filename=\"labels-shipment-{id}.pdf\""),
            pdf,
        ),
        Err(e) => fail(&user, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DeclarationQuery {
    format: Option<String>,
    batch: Option<String>,
}

/// `GET /ops/shipments/{id}/declaration?format=xlsx|csv&batch=N`: the export declaration
/// worksheet, as the API gives it.
pub async fn declaration(
    State(app): State<AppState>,
    user: OpsUser,
    id: PathId,
    q: Result<Query<DeclarationQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (Ok(Path(id)), Ok(Query(q))) = (id, q) else {
        return fail(&user, ApiError::new(ErrorCode::InvalidQuery));
    };
    let format = match q.format.as_deref() {
        None | Some("xlsx") => declarations::Format::Xlsx,
        Some("csv") => declarations::Format::Csv,
        Some(_) => {
            return fail(
                &user,
                ApiError::with_detail(ErrorCode::InvalidQuery, "format must be xlsx or csv"),
            );
        }
    };
    let batch = match q.batch.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(b) => match b.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                return fail(
                    &user,
                    ApiError::with_detail(ErrorCode::InvalidQuery, "batch must be a number"),
                );
            }
        },
    };
    match declarations::export(&app, id, batch, format).await {
        Ok(f) => download(
            f.content_type,
            format!("attachment; filename=\"{}\"", f.file_name),
            f.bytes,
        ),
        Err(e) => fail(&user, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DateQuery {
    date: Option<String>,
}

async fn printable(
    app: &AppState,
    user: &OpsUser,
    q: Result<Query<DateQuery>, axum::extract::rejection::QueryRejection>,
    format: pickups::SheetFormat,
) -> Response {
    let Ok(Query(q)) = q else {
        return fail(user, ApiError::new(ErrorCode::InvalidQuery));
    };
    let date = q.date.as_deref().filter(|d| !d.trim().is_empty());
    match pickups::printable(&app.store, &app.config, date, format).await {
        Ok(f) => download(
            f.content_type,
            format!("inline; filename=\"{}\"", f.file_name),
            f.bytes,
        ),
        Err(e) => fail(user, e),
    }
}

/// `GET /ops/pickups.pdf?date=`: the printable pickup list (A4, Korean).
pub async fn pickups_pdf(
    State(app): State<AppState>,
    user: OpsUser,
    q: Result<Query<DateQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    printable(&app, &user, q, pickups::SheetFormat::Pdf).await
}

/// `GET /ops/pickups.xlsx?date=`: the pickup list as a workbook.
pub async fn pickups_xlsx(
    State(app): State<AppState>,
    user: OpsUser,
    q: Result<Query<DateQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    printable(&app, &user, q, pickups::SheetFormat::Xlsx).await
}

/// `POST /ops/shipments/{id}/delivered`: marks a shipped shipment delivered.
pub async fn delivered(
    State(app): State<AppState>,
    user: OpsUser,
    id: PathId,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (Ok(Path(id)), Ok(Form(fields))) = (id, form) else {
        return bad_form(&user);
    };
    if let Err(e) = check_csrf(&user, &fields) {
        return fail(&user, e);
    }
    match shipments::deliver(&app.store, id).await {
        Ok(_) => Redirect::to(&format!("/ops/shipments/{id}?done=delivered")).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            let msg = problem(&user, &e);
            shipment_page(&app, &user, id, Some((status_of(&e), msg)), None).await
        }
    }
}

/// `GET /ops/shipments/{id}/invoice.pdf`: the shipment's commercial invoice.
pub async fn invoice(State(app): State<AppState>, user: OpsUser, id: PathId) -> Response {
    paper(
        &app,
        &user,
        id,
        shipments::ShipmentPaper::Invoice,
        "invoice",
    )
    .await
}

/// `GET /ops/shipments/{id}/packing-list.pdf`: the shipment's packing list.
pub async fn packing_list(State(app): State<AppState>, user: OpsUser, id: PathId) -> Response {
    paper(
        &app,
        &user,
        id,
        shipments::ShipmentPaper::PackingList,
        "packing-list",
    )
    .await
}

async fn paper(
    app: &AppState,
    user: &OpsUser,
    id: PathId,
    which: shipments::ShipmentPaper,
    name: &str,
) -> Response {
    let Ok(Path(id)) = id else {
        return fail(user, ApiError::not_found());
    };
    match shipments::papers_pdf(&app.store, id, which).await {
        Ok(pdf) => download(
            "application/pdf",
            format!("inline; filename=\"{name}-shipment-{id}.pdf\""),
            pdf,
        ),
        Err(e) => fail(user, e),
    }
}
