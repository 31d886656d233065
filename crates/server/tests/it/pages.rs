//! The web pages through the production router: the storefront renders what search finds, in
//! the buyer's language and currency, with the pages' security headers; the console's session
//! cookie and CSRF token guard every form. (The same flows in a real browser:
//! crates/cli/tests/e2e/browser.rs.)

use crate::api::call;
use crate::uploads::{Env, env, env_with, get, multipart, upload};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ddhub_domain::{Currency, RatePerKrw};
use ddhub_testkit::testing;
use http_body_util::BodyExt;
use serde_json::Value;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const SHEET: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,소재,당일출고\n\
KN-1,[당일출고] 루즈핏 꽈배기 니트 가디건 5color,니트/가디건,18000,\"블랙,소라\",FREE,아크릴70 울30,Y\n\
DL-1,연청 와이드 데님 팬츠,팬츠,21000,연청,25~27,면 100%,\n\
KN-3,가격 없는 니트,니트,,블랙,FREE,,\n";

/// GET a page: (status, headers, body text).
pub async fn page(e: &Env, uri: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut b = Request::get(uri).header("accept-language", "ja");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    send(e, b.body(Body::empty()).unwrap()).await
}

pub async fn send(e: &Env, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = e.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn search_api(e: &Env, qs: &str) -> Value {
    let (s, _, v) = call(
        &e.router,
        Request::get(format!("/api/v1/search?{qs}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn wait_indexed(e: &Env, n: u64) {
    let start = Instant::now();
    while search_api(e, "locale=en&currency=KRW").await["total"].as_u64() != Some(n) {
        assert!(start.elapsed() < Duration::from_secs(30), "never indexed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()[2..].to_string()
}

/// What every page must send, and must not contain (inline script or style, which the CSP
/// forbids).
fn check_page_headers_and_markup(h: &HeaderMap, body: &str) {
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(h.contains_key(header::REFERRER_POLICY));
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(!body.contains("<script>"), "inline script");
    assert!(!body.contains(" style="), "inline style");
    assert!(!body.contains(" onclick="), "inline handler");
}

/// The bytes of the page's stylesheet and scripts (`/assets/…` URLs in it).
async fn asset_bytes(e: &Env, html: &str) -> usize {
    let mut total = 0;
    for part in html.split("\"/assets/").skip(1) {
        let url = format!("/assets/{}", part.split('"').next().unwrap());
        let (s, h, body) = page(e, &url, None).await;
        assert_eq!(s, StatusCode::OK, "{url}");
        assert!(
            h[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        total += body.len();
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storefront_shows_search_results_and_styles_in_the_buyers_language() {
    for db in testing::all("pages_storefront").await {
        let e = env(db).await;
        ddhub_store::rates::set_rate(
            &e.db.store,
            RatePerKrw::parse(Currency::Jpy, "0.108").unwrap(),
        )
        .await
        .unwrap();
        upload(&e, &[("file", Some("a.csv"), SHEET.as_bytes())]).await;
        wait_indexed(&e, 2).await;

        // Japanese from Accept-Language, yen as a Japanese buyer's currency.
        let api = search_api(
            &e,
            &format!("q={}&locale=ja&currency=JPY", enc("カーディガン")),
        )
        .await;
        let (s, h, html) = page(&e, &format!("/?q={}", enc("カーディガン")), None).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        check_page_headers_and_markup(&h, &html);
        assert!(html.contains("<html lang=\"ja\">"));
        let title = api["hits"][0]["title"].as_str().unwrap();
        assert!(
            html.contains(title),
            "the API's Japanese title {title} on the page"
        );
        assert_eq!(api["hits"][0]["price"]["amount"], "1944");
        // CLDR's Japanese yen sign is the full-width ￥.
        assert!(html.contains("￥1,944"), "yen price on the page");
        assert!(html.contains("<option value=\"JPY\" selected>"));
        assert!(
            html.contains("<label for=\"q\""),
            "the search box is labelled"
        );

        // A facet narrows the grid as the API does; the fragment is only the results.
        let blue = search_api(&e, "locale=en&currency=KRW&colour=blue").await;
        let (_, _, frag) = page(
            &e,
            "/?locale=en&currency=KRW&colour=blue&partial=results",
            None,
        )
        .await;
        assert!(!frag.contains("<html"), "a fragment, not a page");
        assert!(
            frag.contains(&format!(">{} styles<", blue["total"])),
            "{frag}"
        );
        assert_eq!(
            frag.matches("class=\"card\"").count() as u64,
            blue["total"].as_u64().unwrap()
        );
        assert!(
            frag.contains("value=\"blue\" checked"),
            "the facet stays checked"
        );

        // A bad price bound is explained on the page, not an error page.
        let (s, _, bad) = page(&e, "/?locale=en&currency=KRW&price_max=abc", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(bad.contains("role=\"alert\""), "{bad}");

        // The style page: translated title, yen price, MOQ, size table.
        let id = api["hits"][0]["style_id"].as_i64().unwrap();
        let (s, h, style) = page(&e, &format!("/styles/{id}?locale=ja&currency=JPY"), None).await;
        assert_eq!(s, StatusCode::OK, "{style}");
        check_page_headers_and_markup(&h, &style);
        assert!(style.contains(&format!("<h1>{title}</h1>")), "{style}");
        assert!(style.contains("￥1,944"));
        assert!(
            style.contains("<th scope=\"row\">"),
            "a size conversion table"
        );
        let (s, _, missing) = page(&e, "/styles/999999?locale=ja", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(
            missing.contains("<html lang=\"ja\">"),
            "an HTML error page: {missing}"
        );

        // Page weight: the first page before images (measured and printed, not asserted
        // against a timing; the 100 KB budget is a size).
        let (_, _, first) = page(&e, "/?locale=en&currency=KRW", None).await;
        let assets = asset_bytes(&e, &first).await;
        let total = first.len() + assets;
        println!(
            "storefront first page: HTML {} B + CSS/JS {} B = {} B ({:.1} KB of the 100 KB budget)",
            first.len(),
            assets,
            total,
            total as f64 / 1024.0
        );
        assert!(total < 100 * 1024, "first page is {total} bytes");
    }
}

fn set_cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with(&format!("{name}=")))
}

pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

pub fn csrf_in(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

pub fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Signs in through the form; the session cookie pair (`ddhub_console=…`).
pub async fn sign_in(e: &Env, key: &str) -> (String, String) {
    let (s, h, html) = page(e, "/console", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<html lang=\"ko\">"), "Korean first");
    let login = cookie_pair(&set_cookie(&h, "ddhub_console_login").unwrap());
    let token = csrf_in(&html);
    let (s, h, _) = send(
        e,
        form(
            "/console/sign-in",
            &login,
            &format!("csrf={token}&key={}", enc(key)),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let session = set_cookie(&h, "ddhub_console").unwrap();
    (session, login)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_sessions_and_csrf_guard_every_form() {
    for db in testing::all("pages_console").await {
        let e = env(db).await;
        let key = e.key.trim_start_matches("Bearer ").to_string();

        // The sign-in form is itself protected (double-submit token).
        let (_, h, html) = page(&e, "/console", None).await;
        let login = cookie_pair(&set_cookie(&h, "ddhub_console_login").unwrap());
        let (s, _, _) = send(
            &e,
            form(
                "/console/sign-in",
                &login,
                &format!("csrf=nope&key={}", enc(&key)),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "sign-in without its token");
        let (s, _, wrong) = send(
            &e,
            form(
                "/console/sign-in",
                &login,
                &format!("csrf={}&key=ddh_w_x", csrf_in(&html)),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(wrong.contains("키가 올바르지 않습니다"), "{wrong}");

        let (session, _) = sign_in(&e, &key).await;
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/console", "Max-Age="] {
            assert!(session.contains(attr), "{attr} in {session}");
        }
        assert!(!session.contains("Secure"), "plain http: {session}");
        let cookie = cookie_pair(&session);

        // Signed in: the upload form carries the session's CSRF token.
        let (s, h, home) = page(&e, "/console", Some(&cookie)).await;
        assert_eq!(s, StatusCode::OK);
        check_page_headers_and_markup(&h, &home);
        assert!(home.contains("id=\"upload\""));
        let csrf = csrf_in(&home);

        // An upload without the token (or with another) is refused before any byte is kept.
        for parts in [
            vec![("file", Some("a.csv"), SHEET.as_bytes())],
            vec![
                ("csrf", None, b"forged".as_slice()),
                ("file", Some("a.csv"), SHEET.as_bytes()),
            ],
        ] {
            let (ct, body) = multipart(&parts);
            let req = Request::post("/console/uploads")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap();
            let (s, _, _) = send(&e, req).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
        let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
        assert_eq!(list["total"], 0, "nothing was ingested from refused posts");

        // With it: the upload runs and its page shows the row report in Korean.
        let (ct, body) = multipart(&[
            ("csrf", None, csrf.as_bytes()),
            ("file", Some("상품.csv"), SHEET.as_bytes()),
        ]);
        let req = Request::post("/console/uploads")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        let (s, h, _) = send(&e, req).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let location = h[header::LOCATION].to_str().unwrap().to_string();
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
        let start = Instant::now();
        let report = loop {
            let (s, _, html) = page(&e, &location, Some(&cookie)).await;
            assert_eq!(s, StatusCode::OK);
            if html.contains("class=\"counts\"") {
                break html;
            }
            assert!(
                html.contains("<progress id=\"bar\""),
                "a progress bar while it runs"
            );
            assert!(start.elapsed() < Duration::from_secs(30), "upload stuck");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (_, _, errors) = call(
            &e.router,
            get(&format!("/api/v1/catalog/uploads/{id}/errors"), &e.key),
        )
        .await;
        let first = &errors["problems"][0];
        assert!(
            report.contains(first["message_ko"].as_str().unwrap()),
            "{report}"
        );
        assert_eq!(
            report.matches("<tr class=\"err\">").count()
                + report.matches("<tr class=\"warn\">").count(),
            errors["total"].as_u64().unwrap() as usize
        );
        assert!(report.contains(&format!("/console/uploads/{id}/errors.xlsx")));
        let (s, h, _) = page(
            &e,
            &format!("/console/uploads/{id}/errors.xlsx"),
            Some(&cookie),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            h[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        let (s, _, status) =
            page(&e, &format!("/console/uploads/{id}/status"), Some(&cookie)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(status.contains("\"done\":true"), "{status}");

        // Another wholesaler's upload is not found through the console either.
        let other = e.other_key.trim_start_matches("Bearer ").to_string();
        let (other_session, _) = sign_in(&e, &other).await;
        let (s, _, _) = page(&e, &location, Some(&cookie_pair(&other_session))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Approving a translation needs the token too.
        let (_, _, styles) = call(&e.router, get("/api/v1/styles", &e.key)).await;
        let style = styles["styles"][0]["id"].as_i64().unwrap();
        // The listing job writes the translations after the upload; wait for the title.
        let start = Instant::now();
        loop {
            let (_, _, t) = call(
                &e.router,
                get(&format!("/api/v1/styles/{style}/translations/ja"), &e.key),
            )
            .await;
            if t["fields"]["title"]["value"].is_string() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never translated"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let approve = format!("/console/styles/{style}/translations/ja/approve");
        let (s, _, _) = send(&e, form(&approve, &cookie, "csrf=forged")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = send(&e, form(&approve, &cookie, &format!("csrf={csrf}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, _, t) = call(
            &e.router,
            get(&format!("/api/v1/styles/{style}/translations/ja"), &e.key),
        )
        .await;
        assert_eq!(t["fields"]["title"]["review"], "approved", "{t}");
        let (s, _, list) = page(&e, "/console/styles", Some(&cookie)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(list.contains("class=\"review approved\""), "{list}");

        // Sign-out ends the session server-side: the old cookie no longer opens anything.
        let (s, _, _) = send(
            &e,
            form("/console/sign-out", &cookie, &format!("csrf={csrf}")),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, h, _) = page(&e, "/console/styles", Some(&cookie)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(h[header::LOCATION], "/console");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_cookie_is_secure_behind_https_and_dies_with_its_key() {
    for db in testing::all("pages_secure").await {
        let e = env_with(db, |c| c.public_url = Some("https://ddhub.example".into())).await;
        let key = e.key.trim_start_matches("Bearer ").to_string();
        let (session, login) = sign_in(&e, &key).await;
        assert!(session.contains("Secure"), "{session}");
        assert!(login.starts_with("ddhub_console_login="));
        let cookie = cookie_pair(&session);
        let (s, _, _) = page(&e, "/console/styles", Some(&cookie)).await;
        assert_eq!(s, StatusCode::OK);
        let key_id = key.trim_start_matches("ddh_w_").split('_').next().unwrap();
        ddhub_store::keys::revoke(&e.db.store, key_id)
            .await
            .unwrap();
        let (s, _, _) = page(&e, "/console/styles", Some(&cookie)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "a revoked key's session is over");
    }
}

/// Console sign-in is rate-limited per client IP: a burst of wrong keys meets 429 with
/// Retry-After, as key guessing through the API does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_sign_in_is_rate_limited() {
    let e = env_with(testing::sqlite().await, |c| c.sign_in_rate_per_minute = 10).await;
    let (_, h, html) = page(&e, "/console", None).await;
    let login = cookie_pair(&set_cookie(&h, "ddhub_console_login").unwrap());
    let token = csrf_in(&html);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..12 {
        let res = e
            .router
            .clone()
            .oneshot(form(
                "/console/sign-in",
                &login,
                &format!("csrf={token}&key=ddh_w_guess"),
            ))
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = res
                .headers()
                .get("retry-after")
                .or(res.headers().get("x-ratelimit-after"))
                .cloned();
        }
        statuses.push(res.status().as_u16());
    }
    // A burst of 5 is allowed (half of 10 a minute), each refused as a wrong key.
    assert!(statuses[..5].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(retry_after.is_some(), "429 says when to retry");
}
