//! Error messages follow Accept-Language, and every code has a message in every locale.

use crate::api::{call, fixture, get};
use axum::body::Body;
use axum::http::Request;
use ddhub_domain::Locale;
use ddhub_server::error::{ApiError, ErrorCode, message};
use ddhub_testkit::testing;

#[test]
fn every_error_code_has_a_message_in_every_locale() {
    for code in ErrorCode::ALL {
        let err = ApiError::with_detail(code, "X").arg("role", "wholesaler");
        let en = message(&err, "en", "rid");
        for l in Locale::ALL {
            let m = message(&err, l.tag(), "rid");
            assert!(
                !m.is_empty() && !m.starts_with("errors."),
                "{} has no {} message",
                code.code(),
                l
            );
            if l != Locale::En {
                assert_ne!(m, en, "{} in {} is the English text", code.code(), l);
            }
        }
    }
}

#[tokio::test]
async fn messages_follow_accept_language() {
    let f = fixture(testing::sqlite().await).await;
    let cases = [
        ("ko", "API 키가 필요합니다"),
        ("ja-JP,ja;q=0.9", "APIキーが必要です"),
        ("zh-CN", "需要 API 密钥"),
        ("zh-Hant-TW", "需要 API 金鑰"),
        ("fr-FR, en;q=0.5", "An API key is required"),
        ("xx", "An API key is required"),
    ];
    for (al, expected) in cases {
        let req = Request::get("/api/v1/styles")
            .header("accept-language", al)
            .body(Body::empty())
            .unwrap();
        let (_, h, b) = call(&f.router, req).await;
        let msg = b["error"]["message"].as_str().unwrap();
        assert!(msg.contains(expected), "{al}: {msg}");
        assert!(h.get("content-language").is_some());
    }
    let (_, _, b) = call(&f.router, get("/api/v1/styles", None)).await;
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("An API key")
    );
}
