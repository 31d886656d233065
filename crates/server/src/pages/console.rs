//! The wholesaler console at `/console`, Korean first (English by `?lang=en`): sign in with the
//! wholesaler key, upload a sheet and photo ZIP and watch it run, read the row report, review
//! translations, answer purchase requests. Every handler calls what the JSON API calls.

use super::session::{self, ConsoleUser, SESSION_COOKIE, SESSION_LIFETIME};
use super::{Ui, asset_url, error_page, render};
use crate::error::{ApiError, ErrorCode};
use askama::Template;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ddhub_app::AppState;
use ddhub_domain::translation::TranslatableField;
use ddhub_domain::{Locale, StyleId};
use serde::Deserialize;
use std::collections::HashMap;

/// The cookie of the sign-in form's CSRF token (double-submit: there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "ddhub_console_login";

/// Common parts of every signed-in console page.
pub struct Chrome {
    pub ui: Ui,
    pub lang: String,
    pub css: String,
    pub js: String,
    pub csrf: String,
    /// `upload`, `styles` or `orders`.
    pub nav: &'static str,
    /// Purchase requests waiting for an answer, shown beside the menu's 발주 요청.
    pub open_requests: u64,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
}

impl Chrome {
    fn new(user: &ConsoleUser, nav: &'static str) -> Chrome {
        let (other_lang, other_lang_name) = if user.lang == "en" {
            ("ko", "한국어")
        } else {
            ("en", "English")
        };
        Chrome {
            ui: Ui { lang: user.lang },
            lang: user.lang.to_string(),
            css: asset_url("pages.css"),
            js: asset_url("console.js"),
            csrf: user.csrf.clone(),
            nav,
            other_lang,
            other_lang_name,
            open_requests: user.open_requests,
        }
    }
}

fn fail(user: &ConsoleUser, e: impl Into<ApiError>) -> Response {
    error_page(&e.into(), user.lang, "/console")
}

fn check_csrf(user: &ConsoleUser, sent: &str) -> Result<(), ApiError> {
    if session::csrf_matches(&user.csrf, sent) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::CsrfInvalid))
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "console_sign_in.html")]
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
    let (other_lang, other_lang_name) = if lang == "en" {
        ("ko", "한국어")
    } else {
        ("en", "English")
    };
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
        .path("/console")
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

#[derive(Template)]
#[template(path = "console_home.html")]
struct HomePage {
    c: Chrome,
    sheet_limit: String,
    photos_limit: String,
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GB", bytes >> 30)
    } else {
        format!("{} MB", bytes >> 20)
    }
}

/// `GET /console`: the sign-in form, or the upload form when signed in. `?lang=en|ko` switches
/// the console language (kept in a cookie).
pub async fn home(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let chosen = match q.lang.as_deref() {
        Some("en") => Some("en"),
        Some("ko") => Some("ko"),
        _ => None,
    };
    let lang = chosen.unwrap_or_else(|| session::console_lang(&headers));
    let token = session::cookie_value(&headers, SESSION_COOKIE);
    let found = match token {
        Some(t) => match ddhub_store::console_sessions::find(&app.store, &t).await {
            Ok(s) => s,
            Err(e) => return error_page(&ApiError::from(e), lang, "/console"),
        },
        None => None,
    };
    let mut res = match found {
        None => sign_in_page(&app, lang, None),
        Some(s) => {
            let open_requests =
                match ddhub_store::orders::count_open_requests(&app.store, s.wholesaler).await {
                    Ok(n) => n,
                    Err(e) => return error_page(&ApiError::from(e), lang, "/console"),
                };
            let user = ConsoleUser {
                wholesaler: s.wholesaler,
                csrf: s.csrf_token,
                lang,
                open_requests,
            };
            render(&HomePage {
                c: Chrome::new(&user, "upload"),
                sheet_limit: human(app.config.upload_sheet_limit_bytes),
                photos_limit: human(app.config.upload_photos_limit_bytes),
            })
        }
    };
    if let Some(l) = chosen {
        res.headers_mut()
            .append(header::SET_COOKIE, session::lang_cookie(&app, l));
    }
    res
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    key: String,
    csrf: String,
}

/// `POST /console/sign-in`: checks the wholesaler key and opens a session.
pub async fn sign_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let lang = session::console_lang(&headers);
    let Ok(Form(form)) = form else {
        return error_page(&ApiError::new(ErrorCode::BadRequest), lang, "/console");
    };
    let expected = session::cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !session::csrf_matches(&expected, &form.csrf) {
        return error_page(&ApiError::new(ErrorCode::CsrfInvalid), lang, "/console");
    }
    let opened =
        match ddhub_store::console_sessions::sign_in(&app.store, &form.key, SESSION_LIFETIME).await
        {
            Ok(o) => o,
            Err(e) => return error_page(&ApiError::from(e), lang, "/console"),
        };
    match opened {
        Ok(o) => {
            let mut res = see_other("/console");
            let max_age = i64::try_from(SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX);
            res.headers_mut().append(
                header::SET_COOKIE,
                session::session_cookie(&app, &o.token, max_age),
            );
            res
        }
        Err(_) => {
            let msg = Ui { lang }.t("console.sign_in_failed");
            sign_in_page(&app, lang, Some(msg))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /console/sign-out`: ends the session.
pub async fn sign_out(
    State(app): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let sent = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if let Err(e) = check_csrf(&user, &sent) {
        return fail(&user, e);
    }
    if let Some(token) = session::cookie_value(&headers, SESSION_COOKIE)
        && let Err(e) = ddhub_store::console_sessions::sign_out(&app.store, &token).await
    {
        return fail(&user, e);
    }
    let mut res = see_other("/console");
    res.headers_mut()
        .append(header::SET_COOKIE, session::session_cookie(&app, "", 0));
    res
}

/// `POST /console/uploads` (multipart: `csrf` first, then `file`, `photos`, `mode`): the same
/// upload as the API's; then to its page.
pub async fn create_upload(
    State(app): State<AppState>,
    user: ConsoleUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return fail(
                &user,
                ApiError::with_detail(ErrorCode::UploadBadField, e.body_text()),
            );
        }
    };
    match crate::upload_form::receive(&app, user.wholesaler, multipart, Some(&user.csrf)).await {
        Ok(upload) => see_other(&format!("/console/uploads/{}", upload.id)),
        Err(e) => fail(&user, e),
    }
}

/// One row of the report table.
pub struct ProblemRow {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub error: bool,
    pub message: String,
    pub message_en: String,
}

#[derive(Template)]
#[template(path = "console_upload.html")]
struct UploadPage {
    c: Chrome,
    id: i64,
    file_name: String,
    state_label: String,
    progress: i32,
    done: bool,
    failure: Option<String>,
    rows: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
    errors: u64,
    warnings: u64,
    photos_matched: u64,
    photos_missing: u64,
    live_early: u64,
    problems: Vec<ProblemRow>,
    problems_total: u64,
    colour_styles: Vec<ColourRow>,
    colour_pending: u64,
}

/// A style's colour warnings as the console shows them (Korean, and English for `en`).
pub struct ColourRow {
    pub code: String,
    pub warnings: Vec<ColourLine>,
}

pub struct ColourLine {
    pub message_ko: String,
    pub message_en: String,
}

fn colour_lines(
    ws: Vec<ddhub_app::services::colour_check::ColourWarningView>,
    ko: bool,
) -> Vec<ColourLine> {
    ws.into_iter()
        .map(|w| ColourLine {
            message_ko: w.message_ko,
            message_en: if ko { String::new() } else { w.message_en },
        })
        .collect()
}

/// Rows the report page shows; the XLSX has all of them.
const REPORT_ROWS: u64 = 1000;

/// `GET /console/uploads/{id}`: progress while it runs, then the row report.
pub async fn upload_page(
    State(app): State<AppState>,
    user: ConsoleUser,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return fail(&user, ApiError::not_found());
    };
    let upload = match ddhub_store::uploads::get_for(&app.store, user.wholesaler, id).await {
        Ok(u) => u,
        Err(e) => return fail(&user, e),
    };
    let done = upload.state.is_final();
    let (problems_total, problems) = if done {
        match ddhub_store::uploads::problems(&app.store, id, None, 0, REPORT_ROWS).await {
            Ok(p) => p,
            Err(e) => return fail(&user, e),
        }
    } else {
        (0, Vec::new())
    };
    let ko = user.lang == "ko";
    let colours = if done {
        match ddhub_app::services::colour_check::of_upload(&app.store, user.wholesaler, id).await {
            Ok(r) => r,
            Err(e) => return fail(&user, e),
        }
    } else {
        ddhub_app::services::colour_check::UploadColourReport {
            photos_pending: 0,
            styles: Vec::new(),
        }
    };
    let c = upload.counts;
    render(&UploadPage {
        c: Chrome::new(&user, "upload"),
        id,
        file_name: upload.file_name,
        state_label: Ui { lang: user.lang }.t(&format!("console.state_{}", upload.state.as_str())),
        progress: upload.progress.clamp(0, 100),
        done,
        failure: upload
            .failure
            .map(|f| if ko { f.message_ko } else { f.message_en }),
        rows: c.rows,
        created: c.styles_created,
        updated: c.styles_updated,
        unchanged: c.styles_unchanged,
        errors: c.errors,
        warnings: c.warnings,
        photos_matched: c.photos_matched,
        photos_missing: c.photos_missing,
        live_early: c.styles_live_early,
        problems: problems
            .into_iter()
            .map(|p| ProblemRow {
                row: p.row,
                column: p.column,
                value: p.value,
                error: p.severity == "error",
                message: p.message_ko,
                message_en: if ko { String::new() } else { p.message_en },
            })
            .collect(),
        problems_total,
        colour_pending: colours.photos_pending,
        colour_styles: colours
            .styles
            .into_iter()
            .map(|s| ColourRow {
                code: s.style_code,
                warnings: colour_lines(s.warnings, ko),
            })
            .collect(),
    })
}

/// `GET /console/uploads/{id}/status`: what the progress bar polls.
pub async fn upload_status(
    State(app): State<AppState>,
    user: ConsoleUser,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Path(id) = id?;
    let u = ddhub_store::uploads::get_for(&app.store, user.wholesaler, id).await?;
    Ok(Json(serde_json::json!({
        "state": u.state.as_str(),
        "progress": u.progress,
        "done": u.state.is_final(),
    })))
}

/// `GET /console/uploads/{id}/errors.xlsx`: the sheet with its error column.
pub async fn upload_errors_xlsx(
    State(app): State<AppState>,
    user: ConsoleUser,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return fail(&user, ApiError::not_found());
    };
    match crate::upload_form::errors_xlsx(&app, user.wholesaler, id).await {
        Ok(r) => r,
        Err(e) => fail(&user, e),
    }
}

/// A locale's review state of a style's title.
pub struct ReviewBadge {
    pub locale: &'static str,
    /// `glossary`, `machine`, `edited`, `approved` or `missing`.
    pub review: String,
    pub href: String,
}

pub struct StyleRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub price: String,
    pub state: String,
    pub thumb: Option<String>,
    pub badges: Vec<ReviewBadge>,
    /// The photos' colour warnings (issue 19).
    pub colour_warnings: Vec<ColourLine>,
}

#[derive(Template)]
#[template(path = "console_styles.html")]
struct StylesPage {
    c: Chrome,
    total: u64,
    styles: Vec<StyleRow>,
    page: u64,
    prev: Option<u64>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<u64>,
}

const STYLES_PER_PAGE: u64 = 30;

/// `GET /console/styles`: the wholesaler's styles with thumbnails and translation states.
pub async fn styles_page(
    State(app): State<AppState>,
    user: ConsoleUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let page = q
        .ok()
        .and_then(|Query(q)| q.page)
        .unwrap_or(1)
        .clamp(1, 100_000);
    match styles_view(&app, &user, page).await {
        Ok(p) => render(&p),
        Err(e) => fail(&user, e),
    }
}

async fn styles_view(
    app: &AppState,
    user: &ConsoleUser,
    page: u64,
) -> Result<StylesPage, ApiError> {
    let list = ddhub_store::catalog::list_styles(
        &app.store,
        user.wholesaler,
        None,
        page - 1,
        STYLES_PER_PAGE,
    )
    .await?;
    let ids: Vec<StyleId> = list.styles.iter().map(|s| s.id).collect();
    let photos = ddhub_store::photos::ready_for_styles(&app.store, &ids).await?;
    let mut colour =
        ddhub_app::services::colour_check::warnings_of_styles(&app.store, &ids).await?;
    let ko = user.lang == "ko";
    let media = app.config.media_base_url();
    let mut styles = Vec::with_capacity(list.styles.len());
    for s in list.styles {
        let translations = ddhub_store::translations::for_style(&app.store, s.id, None).await?;
        let badges = Locale::TARGETS
            .iter()
            .map(|l| ReviewBadge {
                locale: l.tag(),
                review: translations
                    .iter()
                    .find(|t| t.locale == l.tag() && t.field == "title")
                    .map_or("missing".to_string(), |t| t.review.clone()),
                href: format!("/console/styles/{}/translations/{}", s.id.0, l.tag()),
            })
            .collect();
        let thumb = photos
            .get(&s.id.0)
            .and_then(|p| p.first())
            .and_then(|p| {
                p.variants
                    .iter()
                    .find(|v| v.name == "thumb" && v.format == "jpeg")
                    .or(p.variants.iter().find(|v| v.format == "jpeg"))
            })
            .map(|v| format!("{media}/{}", v.key));
        styles.push(StyleRow {
            id: s.id.0,
            code: s.style_code,
            title: s.title_ko,
            price: super::format_price(&s.price.0.to_string(), "KRW", Locale::Ko),
            state: s.state.as_str().to_string(),
            thumb,
            badges,
            colour_warnings: colour_lines(colour.remove(&s.id.0).unwrap_or_default(), ko),
        });
    }
    let pages = list.total.div_ceil(STYLES_PER_PAGE).max(1);
    Ok(StylesPage {
        c: Chrome::new(user, "styles"),
        total: list.total,
        styles,
        page,
        prev: (page > 1).then(|| page - 1),
        next: (page < pages).then(|| page + 1),
    })
}

pub struct FieldEdit {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub review: String,
    pub rows: u32,
}

#[derive(Template)]
#[template(path = "console_translation.html")]
struct TranslationPage {
    c: Chrome,
    style_id: i64,
    style_code: String,
    title_ko: String,
    description_ko: String,
    locale: String,
    locale_name: String,
    fields: Vec<FieldEdit>,
    notice: Option<String>,
    action: String,
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

/// `GET /console/styles/{id}/translations/{locale}`: the fields to correct and approve.
pub async fn translation_page(
    State(app): State<AppState>,
    user: ConsoleUser,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
    q: Result<Query<NoticeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Path((id, locale))) = path else {
        return fail(&user, ApiError::not_found());
    };
    let notice = q
        .ok()
        .and_then(|Query(q)| q.done)
        .and_then(|d| match d.as_str() {
            "saved" | "approved" => Some(Ui { lang: user.lang }.t(&format!("console.notice_{d}"))),
            _ => None,
        });
    match translation_view(&app, &user, id, &locale, notice).await {
        Ok(p) => render(&p),
        Err(e) => fail(&user, e),
    }
}

async fn translation_view(
    app: &AppState,
    user: &ConsoleUser,
    id: i64,
    locale: &str,
    notice: Option<String>,
) -> Result<TranslationPage, ApiError> {
    let (style, _) =
        ddhub_store::catalog::get_style(&app.store, user.wholesaler, StyleId(id)).await?;
    let Some(loc) = Locale::from_tag(locale).filter(|l| *l != Locale::Ko) else {
        return Err(ApiError::not_found());
    };
    let stored = ddhub_store::translations::for_style(&app.store, style.id, Some(loc)).await?;
    let ui = Ui { lang: user.lang };
    let fields = [
        (TranslatableField::Title, 2),
        (TranslatableField::Attributes, 6),
        (TranslatableField::Description, 6),
    ]
    .into_iter()
    .map(|(f, rows)| {
        let name = f.as_str();
        let t = stored.iter().find(|t| t.field == name);
        FieldEdit {
            name,
            label: ui.t(&format!("console.field_{name}")),
            value: t.map(|t| t.value.clone()).unwrap_or_default(),
            review: t.map_or("missing".into(), |t| t.review.clone()),
            rows,
        }
    })
    .collect();
    Ok(TranslationPage {
        c: Chrome::new(user, "styles"),
        style_id: style.id.0,
        style_code: style.style_code,
        title_ko: style.title_ko,
        description_ko: style.description_ko.unwrap_or_default(),
        locale: loc.tag().to_string(),
        locale_name: super::storefront::language_name(loc.tag()).to_string(),
        fields,
        notice,
        action: format!("/console/styles/{}/translations/{}", style.id.0, loc.tag()),
    })
}

#[derive(Debug, Deserialize)]
pub struct TranslationForm {
    csrf: String,
    title: Option<String>,
    attributes: Option<String>,
    description: Option<String>,
}

/// `POST /console/styles/{id}/translations/{locale}`: stores the corrections as `edited`.
pub async fn save_translation(
    State(app): State<AppState>,
    user: ConsoleUser,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
    form: Result<Form<TranslationForm>, FormRejection>,
) -> Response {
    let (Ok(Path((id, locale))), Ok(Form(form))) = (path, form) else {
        return fail(&user, ApiError::new(ErrorCode::BadRequest));
    };
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return fail(&user, e);
    }
    // Browsers send CRLF in textareas; the stored text has plain newlines. A field left as it
    // was stays out of the edit, so an unchanged field keeps its review state.
    let current = match Locale::from_tag(&locale) {
        Some(l) => ddhub_store::translations::for_style(&app.store, StyleId(id), Some(l))
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let changed = |name: &str, v: Option<String>| {
        let v = v.map(|v| v.replace("\r\n", "\n"))?;
        let same = current
            .iter()
            .find(|t| t.field == name)
            .is_some_and(|t| t.value.trim() == v.trim());
        (!same).then_some(v)
    };
    let edit = ddhub_app::services::translations::TranslationEdit {
        title: changed("title", form.title),
        attributes: changed("attributes", form.attributes),
        description: changed("description", form.description),
        // The console edits the generated fields; the wholesaler's own text is edited via the API.
        free_text: None,
    };
    match ddhub_app::services::translations::edit(&app, user.wholesaler, id, &locale, &edit).await {
        Ok(_) => see_other(&format!(
            "/console/styles/{id}/translations/{locale}?done=saved"
        )),
        Err(e) => fail(&user, e),
    }
}

/// `POST /console/styles/{id}/translations/{locale}/approve`: approves every field as it stands.
pub async fn approve_translation(
    State(app): State<AppState>,
    user: ConsoleUser,
    path: Result<Path<(i64, String)>, axum::extract::rejection::PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let (Ok(Path((id, locale))), Ok(Form(form))) = (path, form) else {
        return fail(&user, ApiError::new(ErrorCode::BadRequest));
    };
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return fail(&user, e);
    }
    match ddhub_app::services::translations::approve(&app, user.wholesaler, id, &locale, None).await
    {
        Ok(_) => see_other(&format!(
            "/console/styles/{id}/translations/{locale}?done=approved"
        )),
        Err(e) => fail(&user, e),
    }
}

pub struct LineRow {
    pub line_id: i64,
    pub style: String,
    /// Colour / size in the console's language (`블랙 / 55`), not the vocabulary codes.
    pub sku: String,
    pub quantity: i32,
    /// The wholesale price of one piece and of the line, in won.
    pub unit_price: String,
    pub line_total: String,
    pub state: String,
    pub backorder_until: String,
    pub open: bool,
}

pub struct RequestRow {
    pub id: i64,
    pub order_id: i64,
    pub state: String,
    pub open: bool,
    /// When the order came in, Seoul time (`2026-12-07 11:30`).
    pub ordered_at: String,
    /// The request's pieces and their wholesale total, in won.
    pub pieces: i64,
    pub total: String,
    pub lines: Vec<LineRow>,
}

#[derive(Template)]
#[template(path = "console_orders.html")]
struct OrdersPage {
    c: Chrome,
    requests: Vec<RequestRow>,
    problems: Vec<String>,
    today: String,
}

/// `GET /console/orders`: purchase requests, open first, with answer buttons.
pub async fn orders_page(State(app): State<AppState>, user: ConsoleUser) -> Response {
    match orders_view(&app, &user, Vec::new()).await {
        Ok(p) => render(&p),
        Err(e) => fail(&user, e),
    }
}

async fn orders_view(
    app: &AppState,
    user: &ConsoleUser,
    problems: Vec<String>,
) -> Result<OrdersPage, ApiError> {
    let mut prs = ddhub_store::orders::purchase_requests(&app.store, user.wholesaler, None).await?;
    // Open requests first, each group newest first (the store's order).
    prs.sort_by_key(|p| p.state != "open");
    prs.truncate(200);
    let style_ids: Vec<StyleId> = prs
        .iter()
        .flat_map(|p| p.lines.iter().map(|l| StyleId(l.style_id)))
        .collect();
    let rows: HashMap<i64, ddhub_store::catalog::ListingRow> =
        ddhub_store::catalog::listing_rows(&app.store, &style_ids)
            .await?
            .into_iter()
            .map(|r| (r.style.id.0, r))
            .collect();
    let lang = Locale::from_tag(user.lang).unwrap_or(Locale::Ko);
    let won = |krw: i64| super::format_price(&krw.to_string(), "KRW", lang);
    // What the wholesaler charges (its own won price), not the partner's converted one.
    let price_of = |style_id: i64| rows.get(&style_id).map_or(0, |r| r.style.price.0);
    let requests = prs
        .into_iter()
        .map(|p| RequestRow {
            id: p.id,
            order_id: p.order_id,
            open: p.state == "open",
            ordered_at: ddhub_orders::date::seoul_minute(ddhub_domain::Timestamp(p.created_at)),
            pieces: p.lines.iter().map(|l| i64::from(l.quantity)).sum(),
            total: won(p
                .lines
                .iter()
                .map(|l| price_of(l.style_id) * i64::from(l.quantity))
                .sum()),
            state: p.state,
            lines: p
                .lines
                .into_iter()
                .map(|l| {
                    let row = rows.get(&l.style_id);
                    let sku = row
                        .and_then(|r| r.skus.iter().find(|s| s.id.0 == l.sku_id))
                        .map_or(format!("SKU {}", l.sku_id), |s| {
                            let colour = ddhub_domain::catalog::colours()
                                .get(&s.colour)
                                .map_or(s.colour.clone(), |c| c.labels.get(lang).to_string());
                            let size = ddhub_domain::catalog::sizes()
                                .get(&s.size)
                                .map_or(s.size.clone(), |z| z.labels.get(lang).to_string());
                            format!("{colour} / {size}")
                        });
                    let unit = price_of(l.style_id);
                    LineRow {
                        line_id: l.line_id,
                        style: row.map_or(format!("#{}", l.style_id), |r| {
                            format!("{} {}", r.style.style_code, r.style.title_ko)
                        }),
                        sku,
                        unit_price: won(unit),
                        line_total: won(unit * i64::from(l.quantity)),
                        quantity: l.quantity,
                        open: l.state == "pending",
                        state: l.state,
                        backorder_until: l.backorder_until.unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    // Seoul's today: the earliest 미송 date a wholesaler may give.
    let today = ddhub_orders::date::seoul_today();
    Ok(OrdersPage {
        c: Chrome::new(user, "orders"),
        requests,
        problems,
        today: today.to_string(),
    })
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    csrf: String,
    line_id: i64,
    answer: String,
    expected_date: Option<String>,
}

/// `POST /console/purchase-requests/{id}/answer`: one line's answer (가능, 미송 with a date, 품절).
pub async fn answer_purchase_request(
    State(app): State<AppState>,
    user: ConsoleUser,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Response {
    use ddhub_orders::answers::{AnswerKind, AnswerRequest, LineAnswer};
    let (Ok(Path(id)), Ok(Form(form))) = (id, form) else {
        return fail(&user, ApiError::new(ErrorCode::BadRequest));
    };
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return fail(&user, e);
    }
    let answer = match form.answer.as_str() {
        "available" => AnswerKind::Available,
        "backorder" => AnswerKind::Backorder,
        "sold_out" => AnswerKind::SoldOut,
        _ => return fail(&user, ApiError::new(ErrorCode::BadRequest)),
    };
    let req = AnswerRequest {
        lines: vec![LineAnswer {
            line_id: ddhub_domain::OrderLineId(form.line_id),
            answer,
            quantity: None,
            expected_date: form
                .expected_date
                .filter(|d| !d.trim().is_empty() && answer == AnswerKind::Backorder),
        }],
    };
    match ddhub_app::services::orders::answer(&app, user.wholesaler, id, &req).await {
        Ok(Ok(_)) => see_other("/console/orders"),
        Ok(Err(rejection)) => {
            let locale = if user.lang == "en" {
                Locale::En
            } else {
                Locale::Ko
            };
            let problems = rejection
                .problems
                .iter()
                .map(|p| p.message(locale))
                .collect();
            match orders_view(&app, &user, problems).await {
                Ok(p) => {
                    let mut res = render(&p);
                    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    res
                }
                Err(e) => fail(&user, e),
            }
        }
        Err(e) => fail(&user, e),
    }
}

mod channels;
pub use channels::channels_page;
