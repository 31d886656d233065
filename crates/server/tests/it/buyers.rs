//! Buyer ordering on the storefront (issue 21): sign-up and sign-in by an e-mailed code, the
//! operator's approval gating the order, the picker's MOQ and sold-out checks, and a cart of
//! two wholesalers' styles that becomes one order of the storefront partner with a purchase
//! request per wholesaler, whose answers the buyer reads on `/orders` in Japanese.

use crate::api::call;
use crate::uploads::{env, get, upload, upload_as};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_store::ConnectionTrait;
use ddhub_testkit::testing;
use serde_json::{Value, json};
use tower::ServiceExt;

const SHEET_A: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,최소주문수량\n\
KN-1,꽈배기 니트 가디건,니트/가디건,18000,\"블랙,아이보리\",\"S,M\",3\n";
const SHEET_B: &str = "상품코드,상품명,카테고리,도매가,색상,사이즈,최소주문수량\n\
OP-9,셔링 원피스,원피스,25000,\"블랙,소라\",FREE,1\n";

/// A browser: its cookies, carried from response to request.
struct Browser {
    router: axum::Router,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.router.clone().oneshot(req).await.unwrap();
        for v in res.headers().get_all("set-cookie") {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            self.cookies.retain(|(k, _)| k != c.name());
            if !c.value().is_empty() {
                self.cookies
                    .push((c.name().to_string(), c.value().to_string()));
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(res.into_body(), 4 << 20)
            .await
            .unwrap();
        Page {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&mut self, uri: &str) -> Page {
        let req = Request::get(uri)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Page {
        let req = Request::post(uri)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap();
        self.send(req).await
    }
}

/// The value of the first `name="csrf"` field on a page.
fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &body[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The code the page shows (no SMTP configured in these tests).
fn shown_code(body: &str) -> String {
    let at = body
        .find("id=\"demo-code\">")
        .expect("the code on the page");
    body[at + "id=\"demo-code\">".len()..][..6].to_string()
}

async fn style_of(e: &crate::uploads::Env, key: &str, code: &str) -> (i64, Vec<Value>) {
    let (_, _, list) = call(&e.router, get("/api/v1/styles", key)).await;
    let id = list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, _, style) = call(&e.router, get(&format!("/api/v1/styles/{id}"), key)).await;
    (id, style["skus"].as_array().unwrap().clone())
}

fn sku(skus: &[Value], colour: &str, size: &str) -> String {
    skus.iter()
        .find(|k| k["colour"] == colour && k["size"] == size)
        .unwrap_or_else(|| panic!("no {colour}/{size} in {skus:?}"))["id"]
        .to_string()
}

#[tokio::test]
async fn a_buyer_signs_up_is_approved_orders_two_wholesalers_and_reads_the_answers() {
    for db in testing::all("buyer_flow").await {
        let e = env(db).await;
        upload(&e, &[("file", Some("a.csv"), SHEET_A.as_bytes())]).await;
        upload_as(
            &e,
            &e.other_key,
            &[("file", Some("b.csv"), SHEET_B.as_bytes())],
        )
        .await;
        let (knit, knit_skus) = style_of(&e, &e.key, "KN-1").await;
        let (dress, dress_skus) = style_of(&e, &e.other_key, "OP-9").await;
        // One SKU sold out: the picker disables it and refuses it.
        let sold = sku(&knit_skus, "ivory", "m");
        e.db.store
            .conn()
            .execute_unprepared(&format!(
                "UPDATE skus SET stock = 'sold_out' WHERE id = {sold}"
            ))
            .await
            .unwrap();

        let mut b = Browser {
            router: e.router.clone(),
            cookies: Vec::new(),
        };
        // Signed out, the style page shows the grid and a way to sign in, no add form.
        let p = b.get(&format!("/styles/{knit}?locale=ja")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("id=\"sign-in-to-order\""), "{}", p.body);
        assert!(!p.body.contains("id=\"pick-form\""));
        assert!(p.body.contains("最小注文数：この商品を計3点"), "{}", p.body);

        // Sign-up: every bad field is named in Japanese, and nothing is created.
        let p = b.get("/account?locale=ja").await;
        let login = csrf(&p.body);
        let p = b
            .post(
                "/account/sign-up",
                &[
                    ("csrf", &login),
                    ("locale", "ja"),
                    ("email", "not an e-mail"),
                    ("business_name", "  "),
                    ("country", "XX"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p.body.contains("正しいメールアドレスを入力してください"),
            "{}",
            p.body
        );
        assert!(p.body.contains("入力してください。"));
        assert!(p.body.contains("リストから国・地域を選んでください。"));
        // A forged form (wrong token) is refused before anything is written.
        let p = b
            .post(
                "/account/sign-up",
                &[("csrf", "0".repeat(64).as_str()), ("email", "a@b.jp")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        let p = b
            .post(
                "/account/sign-up",
                &[
                    ("csrf", &login),
                    ("locale", "ja"),
                    ("email", "Buyer@Aoyama.example"),
                    ("business_name", "Select Shop Aoyama"),
                    ("country", "JP"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(
            p.body.contains("デモモード"),
            "the code is labelled: {}",
            p.body
        );
        let code = shown_code(&p.body);
        // The code also went to the outbox, and (no SMTP) to the operator's file.
        let mails = ddhub_store::mail::to_address(&e.db.store, "buyer@aoyama.example", 10)
            .await
            .unwrap();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].kind, "sign_in_code");
        assert_eq!(mails[0].sent_via.as_deref(), Some("file"));
        assert!(mails[0].body.contains(&code), "{}", mails[0].body);
        let file = std::fs::read_to_string(e.dir.path().join("mail/outbox.txt")).unwrap();
        assert!(file.contains("To: buyer@aoyama.example") && file.contains(&code));

        // A wrong code is refused; the right one signs in.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let p = b
            .post(
                "/account/sign-in",
                &[
                    ("csrf", &login),
                    ("locale", "ja"),
                    ("email", "buyer@aoyama.example"),
                    ("code", wrong),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("コードが違うか、期限切れです。"));
        let p = b
            .post(
                "/account/sign-in",
                &[
                    ("csrf", &login),
                    ("locale", "ja"),
                    ("email", "buyer@aoyama.example"),
                    ("code", &code),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        // The code is used up.
        let p = b.get("/account").await;
        assert!(p.body.contains("data-state=\"pending\""), "{}", p.body);
        assert!(
            p.body.contains("承認待ち"),
            "in the buyer's language: {}",
            p.body
        );

        // The picker: below the MOQ and the sold-out SKU are refused with Japanese messages.
        let p = b.get(&format!("/styles/{knit}?locale=ja")).await;
        let token = csrf(&p.body);
        assert!(p.body.contains("id=\"pick-form\""));
        assert!(
            !p.body.contains(&format!("name=\"q_{sold}\"")),
            "the sold-out SKU has no field"
        );
        let black_s = sku(&knit_skus, "black", "s");
        let black_m = sku(&knit_skus, "black", "m");
        let q = |id: &str| format!("q_{id}");
        let knit_s = knit.to_string();
        let p = b
            .post(
                "/cart/add",
                &[
                    ("csrf", &token),
                    ("locale", "ja"),
                    ("style_id", &knit_s),
                    (&q(&black_s), "2"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p.body.contains("この商品の最小注文数は3点です（現在2点）"),
            "{}",
            p.body
        );
        let p = b
            .post(
                "/cart/add",
                &[
                    ("csrf", &token),
                    ("locale", "ja"),
                    ("style_id", &knit_s),
                    (&q(&sold), "5"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("は品切れです。"), "{}", p.body);
        let p = b
            .post(
                "/cart/add",
                &[
                    ("csrf", &token),
                    ("locale", "ja"),
                    ("style_id", &knit_s),
                    (&q(&black_s), "-1"),
                ],
            )
            .await;
        assert!(
            p.body.contains("0から999までの整数を入力してください。"),
            "{}",
            p.body
        );
        // Without the session's CSRF token nothing is added.
        let p = b
            .post(
                "/cart/add",
                &[("csrf", &login), ("style_id", &knit_s), (&q(&black_s), "3")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        let p = b
            .post(
                "/cart/add",
                &[
                    ("csrf", &token),
                    ("locale", "ja"),
                    ("style_id", &knit_s),
                    (&q(&black_s), "2"),
                    (&q(&black_m), "2"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let dress_s = dress.to_string();
        let sky = sku(&dress_skus, "sky_blue", "free");
        let p = b
            .post(
                "/cart/add",
                &[
                    ("csrf", &token),
                    ("locale", "ja"),
                    ("style_id", &dress_s),
                    (&q(&sky), "5"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

        // The cart: three lines, ₩18,000 × 4 + ₩25,000 × 5, and the no-payment note.
        let p = b.get("/cart?locale=ja").await;
        assert!(
            p.body
                .contains("今は支払いません。これは注文リクエストです。")
        );
        assert!(p.body.contains("₩197,000"), "{}", p.body);
        // Not approved yet: the request is refused.
        let ship = [
            ("csrf", token.as_str()),
            ("locale", "ja"),
            ("name", "Select Shop Aoyama"),
            ("address1", "5-1-1 Minami-Aoyama"),
            ("postal_code", "107-0062"),
            ("phone", "+81 3 1234 5678"),
        ];
        let p = b.post("/cart/submit", &ship).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p.body.contains("アカウントはまだ承認されていません"),
            "{}",
            p.body
        );

        // The operator lists pending buyers and approves this one.
        let (_, op_key) = ddhub_store::operators::add_operator(&e.db.store, "Hub desk")
            .await
            .unwrap();
        let op = format!("Bearer {}", op_key.key);
        let (s, _, list) = call(&e.router, get("/api/v1/buyers", &op)).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list["buyers"].as_array().unwrap().len(), 1, "{list}");
        let id = list["buyers"][0]["id"].as_i64().unwrap();
        // A wholesaler key may not approve.
        let approve = |key: &str| {
            Request::post(format!("/api/v1/buyers/{id}/approve"))
                .header("authorization", key)
                .body(Body::empty())
                .unwrap()
        };
        let (s, _, _) = call(&e.router, approve(&e.key)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, v) = call(&e.router, approve(&op)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "approved");
        let (_, _, list) = call(&e.router, get("/api/v1/buyers", &op)).await;
        assert!(list["buyers"].as_array().unwrap().is_empty(), "{list}");

        // Ship-to fields are checked, then the request goes in.
        let mut bad = ship.to_vec();
        bad[5] = ("phone", "call me");
        bad[3] = ("address1", "");
        let p = b.post("/cart/submit", &bad).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p.body.contains("6～20桁の電話番号を入力してください"),
            "{}",
            p.body
        );
        assert!(p.body.contains("data-field=\"address1\""));
        let p = b.post("/cart/submit", &ship).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let to = p.location.unwrap();
        assert!(to.starts_with("/orders?locale=ja&placed="), "{to}");
        let order_id: i64 = to.rsplit('=').next().unwrap().parse().unwrap();
        // The cart is empty; a second submit (the same old form) places nothing.
        let p = b.get("/cart?locale=ja").await;
        assert!(p.body.contains("カートは空です。"));
        let p = b.post("/cart/submit", &ship).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The order is the storefront partner's, split per wholesaler like any partner order.
        let partner = ddhub_store::parties::find_partner_by_name(
            &e.db.store,
            ddhub_app::services::buyers::STOREFRONT_PARTNER,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            ddhub_store::orders::count_orders(&e.db.store, partner.id)
                .await
                .unwrap(),
            1
        );
        let (_, _, prs_a) = call(
            &e.router,
            get("/api/v1/purchase-requests?state=open", &e.key),
        )
        .await;
        let (_, _, prs_b) = call(
            &e.router,
            get("/api/v1/purchase-requests?state=open", &e.other_key),
        )
        .await;
        let pr_a = &prs_a[0];
        let pr_b = &prs_b[0];
        assert_eq!(pr_a["order_id"], order_id, "{prs_a}");
        assert_eq!(pr_b["order_id"], order_id, "{prs_b}");
        assert_eq!(pr_a["lines"].as_array().unwrap().len(), 2, "{pr_a}");
        assert_eq!(pr_b["lines"].as_array().unwrap().len(), 1, "{pr_b}");
        let mails = ddhub_store::mail::to_address(&e.db.store, "buyer@aoyama.example", 10)
            .await
            .unwrap();
        assert!(
            mails
                .iter()
                .any(|m| m.kind == "order_received" && m.subject.contains(&order_id.to_string()))
        );

        // Before any answer: waiting, in Japanese.
        let p = b.get("/orders?locale=ja").await;
        assert!(p.body.contains("卸業者の回答待ち"), "{}", p.body);

        // Wholesaler A: one line available, one backordered; B: sold out.
        let line = |pr: &Value, i: usize| pr["lines"][i]["line_id"].as_i64().unwrap();
        let answer = |pr: &Value, key: &str, body: Value| {
            Request::post(format!("/api/v1/purchase-requests/{}/answer", pr["id"]))
                .header("authorization", key)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let until = "2099-01-15";
        let (s, _, v) = call(
            &e.router,
            answer(
                pr_a,
                &e.key,
                json!({"lines": [
                    {"line_id": line(pr_a, 0), "answer": "available", "quantity": 2},
                    {"line_id": line(pr_a, 1), "answer": "backorder", "expected_date": until}
                ]}),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, _, v) = call(
            &e.router,
            answer(
                pr_b,
                &e.other_key,
                json!({"lines": [{"line_id": line(pr_b, 0), "answer": "sold_out"}]}),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");

        let p = b.get("/orders?locale=ja").await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("data-answer=\"available\""), "{}", p.body);
        // The date as CLDR writes it in Japanese (medium), not ISO.
        assert!(
            p.body.contains("入荷待ち：2099/01/15までに発送"),
            "{}",
            p.body
        );
        assert!(p.body.contains("data-answer=\"sold_out\"") && p.body.contains("品切れ"));
        // The buyer was told of the answers by e-mail, in Japanese.
        let mails = ddhub_store::mail::to_address(&e.db.store, "buyer@aoyama.example", 10)
            .await
            .unwrap();
        let told = mails
            .iter()
            .find(|m| m.kind == "answers_changed")
            .expect("an answers e-mail");
        assert!(told.subject.contains("の回答"), "{}", told.subject);

        // Another signed-out browser sees no orders, only the way to sign in.
        let mut other = Browser {
            router: e.router.clone(),
            cookies: Vec::new(),
        };
        let p = other.get("/orders").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn the_buyer_cli_and_api_refuse_what_is_not_theirs() {
    let db = testing::sqlite().await;
    let e = env(db).await;
    // No key, a partner key: refused.
    let (s, _, _) = call(
        &e.router,
        Request::get("/api/v1/buyers").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, op_key) = ddhub_store::operators::add_operator(&e.db.store, "Hub desk")
        .await
        .unwrap();
    let op = format!("Bearer {}", op_key.key);
    let (s, _, v) = call(&e.router, get("/api/v1/buyers?state=everything", &op)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _, _) = call(
        &e.router,
        Request::post("/api/v1/buyers/999/approve")
            .header("authorization", &op)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The Python with aiosmtpd: `DDHUB_AIOSMTPD_PYTHON`, else the venv `.ci/run` makes.
fn aiosmtpd_python() -> Result<std::path::PathBuf, String> {
    let python = std::env::var("DDHUB_AIOSMTPD_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/smtp-venv/bin/python")
        });
    let ok = std::process::Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(python)
    } else {
        Err(format!(
            "{} with aiosmtpd not found (python3 -m venv target/smtp-venv && target/smtp-venv/bin/pip install aiosmtpd; .ci/run does)",
            python.display()
        ))
    }
}

/// aiosmtpd on loopback, writing what it receives to a Maildir; killed on drop.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    async fn start(python: &std::path::Path) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .spawn()
            .unwrap();
        let server = SmtpServer {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// The messages received so far, as raw text.
    fn messages(&self) -> Vec<String> {
        let dir = self.maildir.path().join("box/new");
        std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| std::fs::read_to_string(e.path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[tokio::test]
async fn buyer_mail_goes_through_a_real_smtp_server_on_loopback() {
    let python = match aiosmtpd_python() {
        Ok(p) => p,
        Err(why) => {
            assert!(
                std::env::var("DDHUB_REQUIRE_SMTP").is_err(),
                "DDHUB_REQUIRE_SMTP is set but {why}"
            );
            eprintln!("skipped: {why}");
            return;
        }
    };
    let smtp = SmtpServer::start(&python).await;
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let e = crate::uploads::env_with(testing::sqlite().await, move |c| {
        c.smtp_url = Some(url);
        c.mail_from = "DDHub <hub@ddhub.example>".into();
    })
    .await;
    let mut b = Browser {
        router: e.router.clone(),
        cookies: Vec::new(),
    };
    let p = b.get("/account?locale=en").await;
    let login = csrf(&p.body);
    let p = b
        .post(
            "/account/sign-up",
            &[
                ("csrf", &login),
                ("locale", "en"),
                ("email", "owner@boutique.example"),
                ("business_name", "Boutique Lumière"),
                ("country", "FR"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // With SMTP configured the code is only in the e-mail.
    assert!(!p.body.contains("id=\"demo-code\""), "{}", p.body);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert!(m.contains("To: owner@boutique.example"), "{m}");
    assert!(m.contains("From: DDHub <hub@ddhub.example>"), "{m}");
    let subject = m
        .lines()
        .find_map(|l| l.strip_prefix("Subject: Your DDHub sign-in code: "))
        .unwrap_or_else(|| panic!("no subject in {m}"));
    let code: String = subject.trim().chars().take(6).collect();
    assert!(m.contains(&format!("Your sign-in code is {code}.")), "{m}");
    let outbox = ddhub_store::mail::to_address(&e.db.store, "owner@boutique.example", 10)
        .await
        .unwrap();
    assert_eq!(outbox[0].sent_via.as_deref(), Some("smtp"));
    // The e-mailed code signs in.
    let p = b
        .post(
            "/account/sign-in",
            &[
                ("csrf", &login),
                ("locale", "en"),
                ("email", "owner@boutique.example"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // A mail server that is gone: the e-mail stays in the outbox with its error, no page fails.
    drop(smtp);
    let p = b.get("/account?locale=en").await;
    assert!(p.body.contains("data-state=\"pending\""));
    let (_, op_key) = ddhub_store::operators::add_operator(&e.db.store, "Hub desk")
        .await
        .unwrap();
    let id = ddhub_store::buyers::find_by_email(&e.db.store, "owner@boutique.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, _, v) = call(
        &e.router,
        Request::post(format!("/api/v1/buyers/{id}/approve"))
            .header("authorization", format!("Bearer {}", op_key.key))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let outbox = ddhub_store::mail::to_address(&e.db.store, "owner@boutique.example", 10)
        .await
        .unwrap();
    let approved = outbox.iter().find(|m| m.kind == "approved").unwrap();
    assert_eq!(approved.sent_at, None);
    assert!(approved.last_error.is_some(), "{approved:?}");
}
