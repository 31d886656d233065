//! Each HTTP provider against a local server on 127.0.0.1 (wiremock) that checks the real request
//! (method, path, auth header, body fields) and answers in the documented response shape,
//! including provider errors, timeouts, 429 rate limiting and retries.

use ddhub_domain::Locale;
use ddhub_domain::translation::ReviewState;
use ddhub_translate::provider::{
    DeepL, GoogleV3, HttpConfig, OpenAiChat, Papago, ProtectedTranslator, protect, restore,
};
use ddhub_translate::{Glossary, ProviderConfig, TranslateError, Translator, build_translator};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{body_json, body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn config(server: &MockServer) -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(5),
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        requests_per_second: 1000,
        max_retries: 2,
        ..HttpConfig::new(server.uri())
    }
}

fn texts(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn papago_sends_ncp_headers_and_reads_message_result() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/nmt/v1/translation"))
        .and(header("X-NCP-APIGW-API-KEY-ID", "my-id"))
        .and(header("X-NCP-APIGW-API-KEY", "my-secret"))
        .and(body_json(json!({"source": "ko", "target": "zh-TW", "text": "기모 맨투맨"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "message": {"result": {"srcLangType": "ko", "tarLangType": "zh-TW", "translatedText": "刷毛大學T"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let papago = Papago::new("my-id", "my-secret", config(&server)).unwrap();
    let out = papago
        .translate(&texts(&["기모 맨투맨"]), Locale::ZhTw)
        .await
        .unwrap();
    assert_eq!(out[0].text, "刷毛大學T");
    assert_eq!(out[0].review_state, ReviewState::Machine);
    let err = papago
        .translate(&texts(&["x"]), Locale::Ko)
        .await
        .unwrap_err();
    assert!(matches!(err, TranslateError::UnsupportedLocale { .. }));
}

#[tokio::test]
async fn deepl_batches_texts_with_auth_key_and_target_codes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(header("Authorization", "DeepL-Auth-Key k-123:fx"))
        .and(body_json(
            json!({"text": ["가", "나"], "source_lang": "KO", "target_lang": "ZH-HANS"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "translations": [
                {"detected_source_language": "KO", "text": "甲"},
                {"detected_source_language": "KO", "text": "乙"}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(body_json(
            json!({"text": ["다"], "source_lang": "KO", "target_lang": "ZH-HANS"}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"translations": [{"text": "丙"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let deepl = DeepL::new("k-123:fx", config(&server).with_max_batch(2)).unwrap();
    let out = deepl
        .translate(&texts(&["가", "나", "다"]), Locale::ZhCn)
        .await
        .unwrap();
    let got: Vec<&str> = out.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(got, ["甲", "乙", "丙"]);
    assert_eq!(deepl.target_code(Locale::En), Some("EN-US"));
    assert_eq!(deepl.target_code(Locale::ZhTw), Some("ZH-HANT"));
    assert_eq!(deepl.target_code(Locale::Ja), Some("JA"));
}

#[tokio::test]
async fn deepl_refuses_vietnamese_and_thai_unless_enabled() {
    let server = MockServer::start().await;
    let deepl = DeepL::new("k", config(&server)).unwrap();
    for l in [Locale::Vi, Locale::Th] {
        let err = deepl.translate(&texts(&["니트"]), l).await.unwrap_err();
        assert!(
            matches!(
                err,
                TranslateError::UnsupportedLocale {
                    provider: "deepl",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains(l.tag()));
    }
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    let enabled = DeepL::new("k", config(&server))
        .unwrap()
        .with_extra_targets(&["vi".to_string()]);
    assert_eq!(enabled.target_code(Locale::Vi), Some("VI"));
    assert_eq!(enabled.target_code(Locale::Th), None);
}

#[tokio::test]
async fn google_v3_posts_contents_with_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/projects/ddhub-prod:translateText"))
        .and(header("Authorization", "Bearer ya29.token"))
        .and(body_json(json!({
            "contents": ["소라 셔츠"],
            "sourceLanguageCode": "ko",
            "targetLanguageCode": "th",
            "mimeType": "text/plain"
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"translations": [{"translatedText": "เสื้อเชิ้ตสีฟ้า"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let google = GoogleV3::new("ddhub-prod", "ya29.token", config(&server)).unwrap();
    let out = google
        .translate(&texts(&["소라 셔츠"]), Locale::Th)
        .await
        .unwrap();
    assert_eq!(out[0].text, "เสื้อเชิ้ตสีฟ้า");
    assert!(GoogleV3::new("a/b", "t", config(&server)).is_err());
}

#[tokio::test]
async fn openai_chat_asks_for_a_json_array_and_validates_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("Authorization", "Bearer sk-test"))
        .and(body_partial_json(json!({"model": "gpt-test", "temperature": 0})))
        .respond_with(|req: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let system = body.pointer("/messages/0/content").and_then(|v| v.as_str()).unwrap_or("");
            let user = body.pointer("/messages/1/content").and_then(|v| v.as_str()).unwrap_or("");
            let items: Vec<String> = serde_json::from_str(user).unwrap_or_default();
            // The real request: a system prompt naming the language, the texts as a JSON array.
            let content = if system.contains("Japanese") && items.len() == 2 {
                "```json\n[\"ニット\", \"カーディガン\"]\n```"
            } else {
                "[\"wrong\"]"
            };
            ResponseTemplate::new(200).set_body_json(json!({
                "id": "chatcmpl-1",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
            }))
        })
        .mount(&server)
        .await;
    let cfg = HttpConfig {
        base_url: format!("{}/v1", server.uri()),
        ..config(&server)
    };
    let openai = OpenAiChat::new("sk-test", "gpt-test", cfg).unwrap();
    let out = openai
        .translate(&texts(&["니트", "가디건"]), Locale::Ja)
        .await
        .unwrap();
    assert_eq!(out[1].text, "カーディガン");
    // An answer of the wrong length is refused, not stored.
    let err = openai
        .translate(&texts(&["니트", "가디건", "코트"]), Locale::Ja)
        .await
        .unwrap_err();
    assert!(matches!(err, TranslateError::BadResponse { .. }), "{err}");
}

#[tokio::test]
async fn provider_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "Value for 'target_lang' not supported."})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let deepl = DeepL::new("k", config(&server)).unwrap();
    let err = deepl
        .translate(&texts(&["니트"]), Locale::En)
        .await
        .unwrap_err();
    match &err {
        TranslateError::Provider {
            status, message, ..
        } => {
            assert_eq!(*status, 400);
            assert!(message.contains("target_lang"));
        }
        other => panic!("{other}"),
    }
    assert!(!err.is_transient());
}

#[tokio::test]
async fn rate_limited_requests_are_retried_after_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"translations": [{"translatedText": "ok"}]})),
        )
        .mount(&server)
        .await;
    let google = GoogleV3::new("p", "t", config(&server)).unwrap();
    let out = google
        .translate(&texts(&["니트"]), Locale::En)
        .await
        .unwrap();
    assert_eq!(out[0].text, "ok");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        2
    );
}

#[tokio::test]
async fn persistent_429_and_5xx_give_up_after_max_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let papago = Papago::new("i", "s", config(&server)).unwrap();
    let err = papago
        .translate(&texts(&["니트"]), Locale::En)
        .await
        .unwrap_err();
    assert!(
        matches!(err, TranslateError::RateLimited { attempts: 3, .. }),
        "{err}"
    );
    assert!(err.is_transient());

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let deepl = DeepL::new("k", config(&server)).unwrap();
    let err = deepl
        .translate(&texts(&["니트"]), Locale::En)
        .await
        .unwrap_err();
    assert!(
        matches!(err, TranslateError::Provider { status: 503, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(800))
                .set_body_json(json!({"translations": []})),
        )
        .mount(&server)
        .await;
    let cfg = HttpConfig {
        timeout: Duration::from_millis(100),
        max_retries: 1,
        ..config(&server)
    };
    let deepl = DeepL::new("k", cfg).unwrap();
    let err = deepl
        .translate(&texts(&["니트"]), Locale::En)
        .await
        .unwrap_err();
    assert!(
        matches!(err, TranslateError::Timeout { provider: "deepl" }),
        "{err}"
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        2
    );
}

#[tokio::test]
async fn client_side_rate_limit_spaces_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": {"result": {"translatedText": "x"}}})),
        )
        .expect(4)
        .mount(&server)
        .await;
    let cfg = HttpConfig {
        requests_per_second: 2,
        ..config(&server)
    };
    let papago = Papago::new("i", "s", cfg).unwrap();
    let start = Instant::now();
    papago
        .translate(&texts(&["a", "b", "c", "d"]), Locale::En)
        .await
        .unwrap();
    // Two at once, then one per 500 ms: the fourth cannot leave before 1 s.
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn glossary_terms_survive_machine_translation_as_placeholders() {
    let glossary = Arc::new(Glossary::builtin().unwrap());
    let p = protect(&glossary, "꽈배기 가디건은 소라 색상이 예뻐요", Locale::En);
    assert_eq!(p.text, "[[0]] [[1]]은 [[2]] 색상이 예뻐요");
    assert_eq!(p.terms, ["cable knit", "cardigan", "sky blue"]);
    assert_eq!(
        restore("The ［［2］］ [[ 1 ]] in [[0]] is pretty", &p.terms).unwrap(),
        "The sky blue cardigan in cable knit is pretty"
    );
    assert!(matches!(
        restore("The [[0]] is pretty", &p.terms),
        Err(TranslateError::PlaceholderLost { .. })
    ));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(body_partial_json(
            json!({"text": ["[[0]] [[1]]은 [[2]] 색상이 예뻐요"]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"translations": [{"text": "The [[1]] in [[0]] looks lovely in [[2]]"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let deepl: Arc<dyn Translator> = Arc::new(DeepL::new("k", config(&server)).unwrap());
    let protected = ProtectedTranslator::new(deepl, glossary.clone());
    assert_eq!(protected.id(), "deepl+glossary");
    let out = protected
        .translate(&texts(&["꽈배기 가디건은 소라 색상이 예뻐요"]), Locale::En)
        .await
        .unwrap();
    assert_eq!(
        out[0].text,
        "The cardigan in cable knit looks lovely in sky blue"
    );
}

#[tokio::test]
async fn configuration_picks_the_provider() {
    let glossary = Arc::new(Glossary::builtin().unwrap());
    let config: ProviderConfig = serde_json::from_value(json!({
        "provider": "deepl", "api_key": "k", "base_url": "http://127.0.0.1:9", "extra_targets": ["VI"], "timeout_ms": 100
    }))
    .unwrap();
    let t = build_translator(&config, glossary.clone()).unwrap();
    assert_eq!(t.id(), "deepl+glossary");
    let offline = build_translator(&ProviderConfig::Glossary, glossary).unwrap();
    assert_eq!(offline.id(), "glossary");
    let out = offline
        .translate(&texts(&["[당일출고] 몽실 꽈배기 니트"]), Locale::En)
        .await
        .unwrap();
    assert_eq!(out[0].text, "Mongsil cable knit sweater");
    assert_eq!(out[0].review_state, ReviewState::Machine);
}
