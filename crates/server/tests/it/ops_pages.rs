//! The operator pages (`/ops`, issue 17 item 7) through the production router on every engine:
//! sign-in with the operator key only (double-submit token on the form), the session cookie's
//! attributes, CSRF on every form, refusals shown on the page with nothing changed, and the
//! whole path from the pickup list to a shipped parcel with its papers. (The same path in a
//! real browser: crates/cli/tests/e2e/browser.rs, `operator_pages_in_headless_chromium`.)

use crate::api::call;
use crate::uploads::{Env, env_with, get, upload, upload_as};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ddhub_testkit::testing;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SHEET_A: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,무게\n\
KN-1,꽈배기 니트 가디건,니트/가디건,18000,블랙,FREE,0.35kg\n";
const SHEET_B: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈\n\
SK-9,플리츠 스커트,스커트,21000,아이보리,FREE\n";

async fn send(e: &Env, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = e.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

async fn page(e: &Env, uri: &str, cookie: &str) -> (StatusCode, HeaderMap, String) {
    let mut b = Request::get(uri);
    if !cookie.is_empty() {
        b = b.header(header::COOKIE, cookie);
    }
    let (s, h, body) = send(e, b.body(Body::empty()).unwrap()).await;
    (s, h, String::from_utf8_lossy(&body).into_owned())
}

async fn post_form(
    e: &Env,
    uri: &str,
    cookie: &str,
    pairs: &[(&str, String)],
) -> (StatusCode, HeaderMap, String) {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    let (s, h, bytes) = send(
        e,
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    (s, h, String::from_utf8_lossy(&bytes).into_owned())
}

fn set_cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with(&format!("{name}=")))
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

fn csrf_in(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

fn location(h: &HeaderMap) -> String {
    h[header::LOCATION].to_str().unwrap().to_string()
}

/// Places one order with a line at each of the two wholesalers, both answered available.
async fn confirmed_order(e: &Env, partner: &str) {
    upload(e, &[("file", Some("a.csv"), SHEET_A.as_bytes())]).await;
    upload_as(
        e,
        &e.other_key,
        &[("file", Some("b.csv"), SHEET_B.as_bytes())],
    )
    .await;
    let mut skus = Vec::new();
    for key in [&e.key, &e.other_key] {
        let (_, _, list) = call(&e.router, get("/api/v1/styles", key)).await;
        let id = list["styles"][0]["id"].as_i64().unwrap();
        let (_, _, style) = call(&e.router, get(&format!("/api/v1/styles/{id}"), key)).await;
        skus.push(style["skus"][0]["id"].clone());
    }
    let order = json!({
        "partner_order_id": "PO-OPS",
        "currency": "JPY",
        "lines": [
            {"sku_id": skus[0], "quantity": 3, "unit_price": "1944"},
            {"sku_id": skus[1], "quantity": 2, "unit_price": "2268"}
        ],
        "ship_to": {"name": "Select Shop Aoyama", "country": "JP", "address_lines": ["5-1-1 Minami-Aoyama"], "postal_code": "107-0062", "phone": "+81 3 1234 5678"},
        "notes": null
    });
    let (s, _, v) = call(
        &e.router,
        Request::post("/api/v1/orders")
            .header("authorization", partner)
            .header("content-type", "application/json")
            .header("idempotency-key", "ops-pages-1")
            .body(Body::from(order.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for key in [&e.key, &e.other_key] {
        let (_, _, prs) = call(&e.router, get("/api/v1/purchase-requests?state=open", key)).await;
        for pr in prs.as_array().unwrap() {
            let lines: Vec<Value> = pr["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| json!({"line_id": l["line_id"], "answer": "available"}))
                .collect();
            let (s, _, v) = call(
                &e.router,
                Request::post(format!("/api/v1/purchase-requests/{}/answer", pr["id"]))
                    .header("authorization", key.as_str())
                    .header("content-type", "application/json")
                    .body(Body::from(json!({ "lines": lines }).to_string()))
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{v}");
        }
    }
}

/// The sign-in form's token and its cookie.
async fn sign_in_form(e: &Env) -> (String, String) {
    let (s, h, html) = page(e, "/ops", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<html lang=\"ko\">"), "Korean first: {html}");
    assert!(html.contains("운영자 키"), "{html}");
    let login = pair(&set_cookie(&h, "ddhub_ops_login").expect("a login token cookie"));
    (csrf_in(&html), login)
}

async fn ops_pages_on(db: testing::TestDb) {
    let engine = db.name.to_string();
    let e = env_with(db, |_| {}).await;
    let partner = e.jpy_partner("Tokyo").await;
    let usd = ddhub_domain::RatePerKrw::parse(ddhub_domain::Currency::Usd, "0.00072").unwrap();
    ddhub_store::rates::set_rate(&e.db.store, usd)
        .await
        .unwrap();
    confirmed_order(&e, &partner).await;
    let (_, op_key) = ddhub_store::operators::add_operator(&e.db.store, "허브 야간조")
        .await
        .unwrap();
    let op = format!("Bearer {}", op_key.key);

    // Not signed in: every operator page and form sends the browser to the sign-in form.
    for uri in [
        "/ops/shipments",
        "/ops/shipments/1",
        "/ops/shipments/1/labels.pdf",
    ] {
        let (s, h, _) = page(&e, uri, "").await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(location(&h), "/ops");
    }
    let (s, h, _) = post_form(&e, "/ops/receive", "", &[("csrf", "x".into())]).await;
    assert_eq!(
        (s, location(&h)),
        (StatusCode::SEE_OTHER, "/ops".to_string())
    );

    // The sign-in form: its own token (double-submit); a wholesaler's or a partner's key, or a
    // wrong one, is refused in Korean and opens nothing.
    let (token, login) = sign_in_form(&e).await;
    let (s, h, _) = post_form(
        &e,
        "/ops/sign-in",
        &login,
        &[("csrf", "nope".into()), ("key", op_key.key.clone())],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "sign-in without its token");
    assert!(set_cookie(&h, "ddhub_ops").is_none());
    let wholesaler_key = e.key.trim_start_matches("Bearer ").to_string();
    let partner_key = partner.trim_start_matches("Bearer ").to_string();
    for key in [
        wholesaler_key.clone(),
        partner_key,
        format!("ddh_o_000000000000_{}", "0".repeat(64)),
    ] {
        let (s, h, html) = post_form(
            &e,
            "/ops/sign-in",
            &login,
            &[("csrf", token.clone()), ("key", key.clone())],
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{key}: {html}");
        assert!(html.contains("운영자 키가 맞지 않습니다"), "{html}");
        assert!(
            set_cookie(&h, "ddhub_ops").is_none(),
            "{key} opened a session"
        );
    }
    // A wholesaler's console session does not open the operator pages.
    let (_, _, chtml) = page(&e, "/console", "").await;
    let _ = chtml;
    let (s, h, _) = page(&e, "/ops/shipments", "ddhub_console=0123").await;
    assert_eq!(
        (s, location(&h)),
        (StatusCode::SEE_OTHER, "/ops".to_string())
    );

    // The operator key opens a session: HttpOnly, SameSite=Lax, scoped to /ops.
    let (s, h, _) = post_form(
        &e,
        "/ops/sign-in",
        &login,
        &[("csrf", token.clone()), ("key", op_key.key.clone())],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let session = set_cookie(&h, "ddhub_ops").expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(session.contains("Path=/ops"), "{session}");
    let cookie = pair(&session);

    // Today's pickup list, in walking order, with the amounts due at the wholesale price.
    let (s, _, html) = page(&e, "/ops", &cookie).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let csrf = csrf_in(&html);
    let (a, b) = (html.find("미소").unwrap(), html.find("다른").unwrap());
    assert!(a < b, "미소 (A) is walked before 다른 (B)");
    assert!(html.contains("KN-1") && html.contains("SK-9"), "{html}");
    assert!(
        html.contains("₩54,000") && html.contains("₩42,000"),
        "amounts due: {html}"
    );
    assert!(html.contains("/ops/pickups.pdf?date="), "a printable list");
    let (_, _, list) = call(&e.router, get("/api/v1/pickups", &op)).await;
    let line_a = list["stops"][0]["lines"][0]["line_id"].as_i64().unwrap();
    let line_b = list["stops"][1]["lines"][0]["line_id"].as_i64().unwrap();
    assert!(
        html.contains(&format!("name=\"got_{line_a}\"")),
        "a count field per line"
    );
    let date = list["date"].as_str().unwrap().to_string();

    // The printable list: XLSX read back with a real reader, in walking order with the amounts
    // due; the PDF (Korean, A4) from the page and the API alike.
    let (s, h, body) = send(
        &e,
        Request::get(format!("/ops/pickups.xlsx?date={date}"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    pickup_xlsx_reads_back(&body, &list);
    let (s, _, api_xlsx) = send(
        &e,
        Request::get(format!("/api/v1/pickups?date={date}&format=xlsx"))
            .header("authorization", &op)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    pickup_xlsx_reads_back(&api_xlsx, &list);
    let (s, _, v) = call(&e.router, get("/api/v1/pickups?format=docx", &op)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    if ddhub_app::services::pickups::korean_font(&ddhub_app::Config::default()).is_ok() {
        let (s, h, pdf) = send(
            &e,
            Request::get(format!("/api/v1/pickups?date={date}&format=pdf"))
                .header("authorization", &op)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        pickup_pdf_reads_back(&pdf, &engine);
    } else {
        eprintln!(
            "skipped the pickup PDF: no font with Hangul here (apt-get install fonts-noto-cjk)"
        );
    }

    // Refusals: a forged token, more than confirmed, a count that is no number. Each says why
    // and changes nothing.
    let (s, _, _) = post_form(
        &e,
        "/ops/receive",
        &cookie,
        &[
            ("csrf", "forged".into()),
            (&format!("got_{line_a}"), "3".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "receive without the CSRF token");
    let (s, _, html) = post_form(
        &e,
        "/ops/receive",
        &cookie,
        &[
            ("csrf", csrf.clone()),
            ("date", date.clone()),
            (&format!("got_{line_a}"), "4".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("class=\"error\""),
        "the reason on the page: {html}"
    );
    let (s, _, html) = post_form(
        &e,
        "/ops/receive",
        &cookie,
        &[
            ("csrf", csrf.clone()),
            ("date", date.clone()),
            (&format!("got_{line_a}"), "three".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("three"), "{html}");
    let (_, _, again) = call(&e.router, get("/api/v1/pickups", &op)).await;
    assert_eq!(
        again, list,
        "on {engine}: a refused receipt changed the list"
    );

    // A's three pieces arrive; B's unit had one of two: a short count.
    let (s, h, _) = post_form(
        &e,
        "/ops/receive",
        &cookie,
        &[
            ("csrf", csrf.clone()),
            ("date", date.clone()),
            (&format!("got_{line_a}"), "3".into()),
            (&format!("got_{line_b}"), "1".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = page(&e, &location(&h), &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("class=\"notice\""), "{html}");
    let (_, _, after) = call(&e.router, get("/api/v1/pickups", &op)).await;
    assert_eq!(after["stops"], json!([]), "{after}");
    let (_, _, changes) = call(&e.router, get("/api/v1/orders/changes?limit=100", &partner)).await;
    assert!(
        changes["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|ev| ev["type"] == "order.line.sold_out"),
        "the short count reached the partner: {changes}"
    );

    // Build the shipment from the received lines (one consignee, two wholesalers' goods).
    let (s, _, html) = page(&e, "/ops/shipments", &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Select Shop Aoyama"), "{html}");
    assert!(
        html.contains(&format!("value=\"{line_a}\""))
            && html.contains(&format!("value=\"{line_b}\""))
    );
    let (s, _, html) = post_form(
        &e,
        "/ops/shipments",
        &cookie,
        &[("csrf", csrf.clone()), ("line", "999999".into())],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "an unknown line: {html}");
    assert!(html.contains("999999"), "{html}");
    let (s, _, _) = post_form(
        &e,
        "/ops/shipments",
        &cookie,
        &[("csrf", "forged".into()), ("line", line_a.to_string())],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h, _) = post_form(
        &e,
        "/ops/shipments",
        &cookie,
        &[
            ("csrf", csrf.clone()),
            ("line", line_a.to_string()),
            ("line", line_b.to_string()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let shipment_url = location(&h);
    let id: i64 = shipment_url.rsplit('/').next().unwrap().parse().unwrap();

    // Packages: zero weight is refused with the reason; a real one is added.
    let pkg = |w: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("weight_grams", w.to_string()),
            ("length_cm", "30".to_string()),
            ("width_cm", "25".to_string()),
            ("height_cm", "10".to_string()),
        ]
    };
    let (s, _, html) = post_form(&e, &format!("{shipment_url}/packages"), &cookie, &pkg("0")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("class=\"error\""));
    let (_, _, v) = call(&e.router, get(&format!("/api/v1/shipments/{id}"), &op)).await;
    assert_eq!(
        v["packages"],
        json!([]),
        "a refused package was stored: {v}"
    );
    let (s, _, _) = post_form(
        &e,
        &format!("{shipment_url}/packages"),
        &cookie,
        &pkg("1600"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // Quotes per service, the same as the API's; shipping by K-Packet with a tracking number.
    let (s, _, html) = page(&e, &shipment_url, &cookie).await;
    assert_eq!(s, StatusCode::OK);
    let (_, _, quotes) = call(
        &e.router,
        get(&format!("/api/v1/shipments/{id}/quote"), &op),
    )
    .await;
    for q in quotes.as_array().unwrap() {
        assert!(html.contains(&format!(
            "data-service=\"{}\"",
            q["service"].as_str().unwrap()
        )));
        if let Some(t) = q["total_krw"].as_i64() {
            assert!(
                html.contains(&crate_price(t)),
                "{} priced {t}: {html}",
                q["service"]
            );
        }
    }
    let (s, _, html) = post_form(
        &e,
        &format!("{shipment_url}/ship"),
        &cookie,
        &[
            ("csrf", csrf.clone()),
            ("service", "kpacket".into()),
            ("tracking", "bad number!".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (s, _, _) = post_form(
        &e,
        &format!("{shipment_url}/ship"),
        &cookie,
        &[
            ("csrf", csrf.clone()),
            ("service", "kpacket".into()),
            ("tracking", "LK123456789KR".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, v) = call(&e.router, get(&format!("/api/v1/shipments/{id}"), &partner)).await;
    assert_eq!(v["state"], "shipped", "on {engine}: {v}");
    assert_eq!(v["packages"][0]["tracking_number"], "LK123456789KR");

    // The papers from the page: labels (PDF) and the declaration worksheet (XLSX, CSV).
    let (s, _, html) = page(&e, &shipment_url, &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("labels.pdf") && html.contains("declaration?format=xlsx"));
    let (s, h, body) = send(
        &e,
        Request::get(format!("{shipment_url}/labels.pdf"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(body.starts_with(b"%PDF"));
    // Both wholesalers' lines with the pieces the parcel carries (3, and 1 of 2 after the
    // short count).
    for (path, want) in [
        (
            "invoice.pdf",
            [
                "COMMERCIAL INVOICE",
                "Cable knit cardigan",
                "Pleated skirt",
                "PO-OPS",
                "Total pieces: 4",
            ],
        ),
        (
            "packing-list.pdf",
            [
                "PACKING LIST",
                "KN-1",
                "SK-9",
                "Select Shop Aoyama",
                "Total pieces: 4",
            ],
        ),
    ] {
        let (s, h, pdf) = send(
            &e,
            Request::get(format!("/api/v1/shipments/{id}/{path}"))
                .header("authorization", &op)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&pdf)
        );
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        let (s, _, from_page) = send(
            &e,
            Request::get(format!("{shipment_url}/{path}"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(from_page.starts_with(b"%PDF"));
        shipment_paper_reads_back(&pdf, &format!("{engine}-{path}"), &want);
    }
    let (s, _, v) = call(
        &e.router,
        get(&format!("/api/v1/shipments/{id}/invoice.pdf"), &partner),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "papers are the operator's: {v}");
    let (s, _, body) = send(
        &e,
        Request::get(format!("{shipment_url}/declaration?format=xlsx"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with(b"PK"));
    let (s, _, _) = page(
        &e,
        &format!("{shipment_url}/declaration?format=doc"),
        &cookie,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // English on request; then sign-out (with its token) ends the session.
    let (s, h, html) = page(&e, "/ops?lang=en", &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Pickup list"),
        "{html}"
    );
    assert!(
        set_cookie(&h, "ddhub_ops_lang")
            .unwrap()
            .contains("Path=/ops")
    );
    let (s, _, _) = post_form(&e, "/ops/sign-out", &cookie, &[("csrf", "forged".into())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = post_form(&e, "/ops/sign-out", &cookie, &[("csrf", csrf.clone())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, h, _) = page(&e, "/ops/shipments", &cookie).await;
    assert_eq!(
        (s, location(&h)),
        (StatusCode::SEE_OTHER, "/ops".to_string())
    );
}

/// The pickup workbook read back with calamine: the stops' rows in walking order, each line's
/// style code and amount, and each stop's total due.
fn pickup_xlsx_reads_back(bytes: &[u8], list: &Value) {
    use calamine::{Data, DataType, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range("사입 목록").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let text = |d: &Data| d.to_string();
    assert_eq!(text(&rows[1][4]), "도매처", "Korean headers");
    let mut r = 2;
    for stop in list["stops"].as_array().unwrap() {
        for line in stop["lines"].as_array().unwrap() {
            assert_eq!(text(&rows[r][4]), stop["wholesaler_name"].as_str().unwrap());
            assert_eq!(text(&rows[r][1]), stop["building"].as_str().unwrap());
            assert_eq!(text(&rows[r][6]), line["style_code"].as_str().unwrap());
            assert_eq!(
                text(&rows[r][5]),
                line["partner_order_id"].as_str().unwrap()
            );
            assert_eq!(rows[r][9].as_f64(), line["quantity"].as_f64());
            assert_eq!(rows[r][11].as_f64(), line["amount_krw"].as_f64());
            r += 1;
        }
        assert_eq!(
            rows[r][11].as_f64(),
            stop["amount_due_krw"].as_f64(),
            "the stop's total"
        );
        r += 2;
    }
    assert_eq!(
        rows[r][11].as_f64(),
        list["amount_due_krw"].as_f64(),
        "the day's total"
    );
}

/// The pickup PDF: a PDF whose text (pdftotext, when poppler-utils is there) shows the
/// wholesalers' Korean names and the amounts; its first page is kept as a PNG to look at.
fn pickup_pdf_reads_back(pdf: &[u8], engine: &str) {
    assert!(pdf.starts_with(b"%PDF"));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pickup-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("pickup-{engine}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
    else {
        eprintln!("skipped reading the pickup PDF back: pdftotext not found (poppler-utils)");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "사입 목록",
        "미소",
        "다른",
        "KN-1",
        "SK-9",
        "₩54,000",
        "₩42,000",
    ] {
        assert!(
            text.contains(want),
            "{want:?} not in the PDF's text: {text}"
        );
    }
    let _ = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "110", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(dir.join(format!("pickup-{engine}")))
        .status();
}

/// A shipment paper: its text (pdftotext) has `want`; its pages are kept as PNGs to look at.
fn shipment_paper_reads_back(pdf: &[u8], name: &str, want: &[&str]) {
    assert!(pdf.starts_with(b"%PDF"));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shipment-papers");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, pdf).unwrap();
    let Ok(out) = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
    else {
        eprintln!("skipped reading {name} back: pdftotext not found (poppler-utils)");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for w in want {
        assert!(text.contains(w), "{w:?} not in {name}: {text}");
    }
    let _ = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "110"])
        .arg(&file)
        .arg(dir.join(name.trim_end_matches(".pdf")))
        .status();
}

/// A won amount as the pages print it.
fn crate_price(won: i64) -> String {
    let digits = won.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("₩{out}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_pages_from_pickup_to_shipped_on_every_engine() {
    for db in testing::all("ops_pages").await {
        ops_pages_on(db).await;
    }
}
