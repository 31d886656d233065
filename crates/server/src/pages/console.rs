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
    /// The latest uploads, to find a report again.
    uploads: Vec<UploadRow>,
    uploads_total: u64,
}

/// One past upload in a list.
pub struct UploadRow {
    pub id: i64,
    pub file_name: String,
    pub when: String,
    pub state: String,
    pub state_label: String,
    pub rows: u64,
    pub errors: u64,
}

fn upload_rows(uploads: Vec<ddhub_store::uploads::Upload>, lang: &'static str) -> Vec<UploadRow> {
    let ui = Ui { lang };
    let locale = Locale::from_tag(lang).unwrap_or(Locale::Ko);
    uploads
        .into_iter()
        .map(|u| UploadRow {
            id: u.id,
            file_name: u.file_name,
            when: super::format_seoul_time(u.created_at, locale),
            state: u.state.as_str().to_string(),
            state_label: ui.t(&format!("console.state_{}", u.state.as_str())),
            rows: u.counts.rows,
            errors: u.counts.errors,
        })
        .collect()
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
            let (uploads_total, recent) =
                match ddhub_store::uploads::list_for(&app.store, user.wholesaler, 0, 5).await {
                    Ok(r) => r,
                    Err(e) => return error_page(&ApiError::from(e), lang, "/console"),
                };
            render(&HomePage {
                c: Chrome::new(&user, "upload"),
                sheet_limit: human(app.config.upload_sheet_limit_bytes),
                photos_limit: human(app.config.upload_photos_limit_bytes),
                uploads: upload_rows(recent, lang),
                uploads_total,
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

#[derive(Template)]
#[template(path = "console_uploads.html")]
struct UploadsPage {
    c: Chrome,
    uploads: Vec<UploadRow>,
    total: u64,
    page: u64,
    prev: Option<u64>,
    next: Option<u64>,
}

const UPLOADS_PER_PAGE: u64 = 30;

/// `GET /console/uploads`: every past upload, newest first, each leading to its report.
pub async fn uploads_page(
    State(app): State<AppState>,
    user: ConsoleUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let page = q
        .ok()
        .and_then(|Query(q)| q.page)
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (total, uploads) = match ddhub_store::uploads::list_for(
        &app.store,
        user.wholesaler,
        page - 1,
        UPLOADS_PER_PAGE,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return fail(&user, e),
    };
    let pages = total.div_ceil(UPLOADS_PER_PAGE).max(1);
    render(&UploadsPage {
        c: Chrome::new(&user, "upload"),
        uploads: upload_rows(uploads, user.lang),
        total,
        page,
        prev: (page > 1).then(|| page - 1),
        next: (page < pages).then(|| page + 1),
    })
}

/// A photo of the upload that did not become listing images, in the console's language.
pub struct PhotoProblemRow {
    pub style_code: String,
    pub file: String,
    pub message: String,
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
    /// Photos that failed, and ZIP files that matched no style code (issue 21, item 4).
    failed_photos: Vec<PhotoProblemRow>,
    unmatched_photos: Vec<String>,
    photos_unmatched: u64,
    failed: bool,
    when: String,
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
    let failed_photos = if done {
        match ddhub_store::photos::failed_of_upload(&app.store, user.wholesaler, id).await {
            Ok(f) => f,
            Err(e) => return fail(&user, e),
        }
    } else {
        Vec::new()
    };
    let ui = Ui { lang: user.lang };
    let failed_photos = failed_photos
        .into_iter()
        .map(|f| PhotoProblemRow {
            message: ui.t(&format!("console.photo_error_{}", photo_error_key(&f.code))),
            style_code: f.style_code,
            file: f.source_name,
        })
        .collect();
    let locale = Locale::from_tag(user.lang).unwrap_or(Locale::Ko);
    let when = super::format_seoul_time(upload.created_at, locale);
    let failed =
        upload.failure.is_some() || upload.state == ddhub_store::uploads::UploadState::Failed;
    let c = upload.counts;
    render(&UploadPage {
        failed_photos,
        unmatched_photos: c.unmatched_photos.clone(),
        photos_unmatched: c.photos_unmatched,
        failed,
        when,
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

/// The message key of an imaging error code (`pages.console.photo_error_*`); codes this build
/// does not know read as a generic failure.
fn photo_error_key(code: &str) -> &'static str {
    match code {
        "empty_file" => "empty_file",
        "file_too_large" => "file_too_large",
        "too_many_pixels" => "too_many_pixels",
        "dimension_too_large" => "dimension_too_large",
        "zero_size" => "zero_size",
        "unsupported_format" => "unsupported_format",
        "heic_unsupported" => "heic_unsupported",
        "corrupt_image" => "corrupt_image",
        _ => "other",
    }
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
    /// The won price as the price field holds it (`18000`).
    pub price_krw: i64,
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
    /// What the last quick edit or bulk approval did, or why it was refused.
    notice: Option<String>,
    problems: Vec<String>,
    page: u64,
    prev: Option<u64>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<u64>,
    /// `price`, `sold_out`, `active` or `approved:N` after a change (the notice to show).
    done: Option<String>,
}

const STYLES_PER_PAGE: u64 = 30;

/// `GET /console/styles`: the wholesaler's styles with thumbnails and translation states.
pub async fn styles_page(
    State(app): State<AppState>,
    user: ConsoleUser,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.ok().map(|Query(q)| q);
    let page = q
        .as_ref()
        .and_then(|q| q.page)
        .unwrap_or(1)
        .clamp(1, 100_000);
    let ui = Ui { lang: user.lang };
    let notice = q
        .and_then(|q| q.done)
        .and_then(|d| match d.split_once(':') {
            Some(("approved", n)) => n
                .parse::<u64>()
                .ok()
                .map(|n| ui.t("console.notice_bulk").replace("%{n}", &n.to_string())),
            None if matches!(d.as_str(), "price" | "sold_out" | "active") => {
                Some(ui.t(&format!("console.notice_{d}")))
            }
            _ => None,
        });
    match styles_view(&app, &user, page, notice, Vec::new()).await {
        Ok(p) => render(&p),
        Err(e) => fail(&user, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct QuickEditForm {
    csrf: String,
    /// The page to go back to.
    page: Option<u64>,
    /// The won price as typed (`18000`, `18,000`, `1.8만`); empty or absent leaves it.
    price: Option<String>,
    /// `1` marks the style 품절, `0` puts it back on sale.
    sold_out: Option<String>,
}

/// `POST /console/styles/{id}/quick`: the style list's price field and 품절 switch, through the
/// same write as an upload's row (`services::catalog::quick_edit`).
pub async fn quick_edit(
    State(app): State<AppState>,
    user: ConsoleUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    form: Result<Form<QuickEditForm>, FormRejection>,
) -> Response {
    use ddhub_app::services::catalog::QuickEdit;
    let (Ok(Path(id)), Ok(Form(form))) = (path, form) else {
        return fail(&user, ApiError::new(ErrorCode::BadRequest));
    };
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return fail(&user, e);
    }
    let page = form.page.unwrap_or(1).clamp(1, 100_000);
    let mut edit = QuickEdit::default();
    let typed = form.price.as_deref().map(str::trim).unwrap_or_default();
    if !typed.is_empty() {
        match ddhub_ingest::cells::parse_price(typed) {
            Ok(p) => edit.price = Some(p),
            Err(code) => {
                // The sheet's own words for a bad price cell, so the console and the upload
                // report say the same thing.
                let column = if user.lang == "en" { "price" } else { "가격" };
                let message = if user.lang == "en" {
                    code.message_en(column, typed)
                } else {
                    code.message_ko(column, typed)
                };
                return match styles_view(&app, &user, page, None, vec![message]).await {
                    Ok(p) => {
                        let mut res = render(&p);
                        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                        res
                    }
                    Err(e) => fail(&user, e),
                };
            }
        }
    }
    edit.sold_out = match form.sold_out.as_deref() {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    };
    let done = match (edit.price, edit.sold_out) {
        (_, Some(true)) => "sold_out",
        (_, Some(false)) => "active",
        (Some(_), None) => "price",
        (None, None) => return see_other(&format!("/console/styles?page={page}#style-{id}")),
    };
    match ddhub_app::services::catalog::quick_edit(&app, user.wholesaler, StyleId(id), edit).await {
        Ok(_) => see_other(&format!(
            "/console/styles?page={page}&done={done}#style-{id}"
        )),
        Err(e) => fail(&user, e),
    }
}

/// `POST /console/styles/approve` (form: `csrf`, `page`, `style` repeated): approves every
/// translated field of the chosen styles in every language, as the translation page's approve
/// button does one language. Fields kept in Korean are left as they are.
pub async fn bulk_approve(
    State(app): State<AppState>,
    user: ConsoleUser,
    body: axum::body::Bytes,
) -> Response {
    // `style` repeats (one per ticked box), which serde_urlencoded's `Form` cannot hold.
    let Some(form) = BulkApproveForm::read(&body) else {
        return fail(&user, ApiError::new(ErrorCode::BadRequest));
    };
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return fail(&user, e);
    }
    let page = form.page.unwrap_or(1).clamp(1, 100_000);
    if form.style.len() > usize::try_from(STYLES_PER_PAGE).unwrap_or(usize::MAX) {
        return fail(&user, ApiError::new(ErrorCode::BadRequest));
    }
    let mut approved = 0u64;
    for id in &form.style {
        // Every style must be the wholesaler's own: another's is NotFound, and stops here.
        if let Err(e) =
            ddhub_store::catalog::get_style(&app.store, user.wholesaler, StyleId(*id)).await
        {
            return fail(&user, e);
        }
        for l in Locale::TARGETS {
            match ddhub_app::services::translations::approve(
                &app,
                user.wholesaler,
                *id,
                l.tag(),
                None,
            )
            .await
            {
                Ok(_) => {}
                // A language not translated yet has nothing to approve.
                Err(e) if e.code == ErrorCode::NotFound => {}
                Err(e) => return fail(&user, e),
            }
        }
        approved += 1;
    }
    see_other(&format!(
        "/console/styles?page={page}&done=approved:{approved}"
    ))
}

#[derive(Debug, Default)]
pub struct BulkApproveForm {
    csrf: String,
    page: Option<u64>,
    style: Vec<i64>,
}

impl BulkApproveForm {
    /// Reads the form body; `None` when a number is not one.
    fn read(body: &[u8]) -> Option<BulkApproveForm> {
        let mut f = BulkApproveForm::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "csrf" => f.csrf = v.into_owned(),
                "page" => f.page = Some(v.parse().ok()?),
                "style" => f.style.push(v.parse().ok()?),
                _ => {}
            }
        }
        Some(f)
    }
}

async fn styles_view(
    app: &AppState,
    user: &ConsoleUser,
    page: u64,
    notice: Option<String>,
    problems: Vec<String>,
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
        let thumb = thumb_url(&photos, s.id.0, &media);
        styles.push(StyleRow {
            id: s.id.0,
            code: s.style_code,
            title: s.title_ko,
            price: super::format_price(&s.price.0.to_string(), "KRW", Locale::Ko),
            price_krw: s.price.0,
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
        notice,
        problems,
        page,
        prev: (page > 1).then(|| page - 1),
        next: (page < pages).then(|| page + 1),
    })
}

/// The small JPEG of a style's first ready photo, as the console's lists show it.
fn thumb_url(
    photos: &HashMap<i64, Vec<ddhub_store::photos::PhotoRecord>>,
    style_id: i64,
    media: &str,
) -> Option<String> {
    photos
        .get(&style_id)
        .and_then(|p| p.first())
        .and_then(|p| {
            p.variants
                .iter()
                .find(|v| v.name == "thumb" && v.format == "jpeg")
                .or(p.variants.iter().find(|v| v.format == "jpeg"))
        })
        .map(|v| format!("{media}/{}", v.key))
}

pub struct FieldEdit {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// The Korean this field translates, shown beside it (the wholesaler's own description).
    pub source: Option<String>,
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
    let has_own = style
        .description_ko
        .as_deref()
        .is_some_and(|d| !d.trim().is_empty());
    let fields = [
        (TranslatableField::Title, 2),
        (TranslatableField::Attributes, 6),
        (TranslatableField::Description, 6),
        (TranslatableField::FreeText, 6),
    ]
    .into_iter()
    // The wholesaler's own description is translated beside its Korean (issue 21, item 4).
    .filter(|(f, _)| *f != TranslatableField::FreeText || has_own)
    .map(|(f, rows)| {
        let name = f.as_str();
        let t = stored.iter().find(|t| t.field == name);
        let review = t.map_or("missing".into(), |t| t.review.clone());
        FieldEdit {
            name,
            label: ui.t(&format!("console.field_{name}")),
            // Kept in Korean until someone translates it: an empty box to write in, with the
            // Korean beside it, rather than the Korean to overwrite.
            value: t
                .filter(|t| t.review != "untranslated")
                .map(|t| t.value.clone())
                .unwrap_or_default(),
            source: (f == TranslatableField::FreeText)
                .then(|| style.description_ko.clone().unwrap_or_default()),
            review,
            rows,
        }
    })
    .collect();
    Ok(TranslationPage {
        c: Chrome::new(user, "styles"),
        style_id: style.id.0,
        style_code: style.style_code,
        title_ko: style.title_ko,
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
    free_text: Option<String>,
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
        let v = v
            .map(|v| v.replace("\r\n", "\n"))
            .filter(|v| !v.trim().is_empty())?;
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
        free_text: changed("free_text", form.free_text),
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
    /// Waiting for a first answer.
    pub open: bool,
    /// Its answer may still change: answered, not yet received at the hub, order not packed.
    pub changeable: bool,
    /// Pieces confirmed (fewer than ordered is a partial confirmation).
    pub confirmed: i32,
    pub received: bool,
    /// The style's first ready photo, small.
    pub thumb: Option<String>,
}

pub struct RequestRow {
    pub id: i64,
    pub order_id: i64,
    pub state: String,
    /// When the order came in, Seoul time (`2026-12-07 11:30`).
    pub ordered_at: String,
    /// The request's pieces and their wholesale total, in won.
    pub pieces: i64,
    pub total: String,
    /// Where the order goes, in the console's language (`일본 (JP)`).
    pub destination: String,
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
    let photos = ddhub_store::photos::ready_for_styles(&app.store, &style_ids).await?;
    let media = app.config.media_base_url();
    let thumb = |style_id: i64| thumb_url(&photos, style_id, &media);
    // What the wholesaler charges (its own won price), not the partner's converted one.
    let price_of = |style_id: i64| rows.get(&style_id).map_or(0, |r| r.style.price.0);
    let requests = prs
        .into_iter()
        .map(|p| {
            // Answers change until the order is packed (`lifecycle::record_answers`).
            let order_answerable = matches!(
                p.order_state.as_str(),
                "awaiting_wholesalers" | "confirmed" | "partially_confirmed"
            ) && p.state != "cancelled";
            RequestRow {
                id: p.id,
                order_id: p.order_id,
                destination: p
                    .destination
                    .as_deref()
                    .map(|c| super::country_name(c, lang))
                    .unwrap_or_default(),
                ordered_at: super::format_seoul_time(ddhub_domain::Timestamp(p.created_at), lang),
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
                            open: order_answerable && l.state == "pending",
                            changeable: order_answerable
                                && !l.received
                                && !matches!(l.state.as_str(), "pending" | "cancelled"),
                            confirmed: l.confirmed_quantity,
                            received: l.received,
                            thumb: thumb(l.style_id),
                            backorder_until: l
                                .backorder_until
                                .as_deref()
                                .map(|d| super::format_date(d, lang))
                                .unwrap_or_default(),
                            state: l.state,
                        }
                    })
                    .collect(),
            }
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
    /// Pieces confirmed (가능 or 미송); empty means all ordered.
    quantity: Option<String>,
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
    // The quantity box goes with 가능 and 미송 (품절 is zero pieces). What is not a number
    // reaches the rules as 0, which they refuse with the allowed range, in Korean.
    let quantity = match form.quantity.as_deref().map(str::trim) {
        Some(q) if !q.is_empty() && answer != AnswerKind::SoldOut => {
            Some(q.parse::<i64>().unwrap_or(0))
        }
        _ => None,
    };
    let req = AnswerRequest {
        lines: vec![LineAnswer {
            line_id: ddhub_domain::OrderLineId(form.line_id),
            answer,
            quantity,
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
