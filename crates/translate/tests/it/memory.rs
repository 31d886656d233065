//! The translation memory in front of a provider (DeepL's wire format on a local server): a text
//! seen before is not sent again; a new glossary version or provider asks again.

use ddhub_domain::Locale;
use ddhub_translate::provider::{DeepL, HttpConfig};
use ddhub_translate::{InMemory, MemoryStore, RememberingTranslator, Translator};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn texts(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

fn deepl(server: &MockServer) -> Arc<dyn Translator> {
    let cfg = HttpConfig {
        timeout: Duration::from_secs(5),
        requests_per_second: 1000,
        max_retries: 0,
        ..HttpConfig::new(server.uri())
    };
    Arc::new(DeepL::new("k:fx", cfg).unwrap())
}

async fn requests(server: &MockServer) -> Vec<serde_json::Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn texts_seen_before_are_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(header("Authorization", "DeepL-Auth-Key k:fx"))
        .and(body_json(
            json!({"text": ["도톰한 소재", "봄 신상"], "source_lang": "KO", "target_lang": "EN-US"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"translations": [{"text": "Thick fabric"}, {"text": "New for spring"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(body_json(
            json!({"text": ["가볍게 입기 좋아요"], "source_lang": "KO", "target_lang": "EN-US"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"translations": [{"text": "Light to wear"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let memory: Arc<dyn MemoryStore> = Arc::new(InMemory::default());
    let t = RememberingTranslator::new(deepl(&server), memory.clone(), "g1");
    assert_eq!(t.id(), "deepl");
    // The same text twice in one batch is sent once.
    let out = t
        .translate(
            &texts(&["도톰한 소재", "봄 신상", "도톰한 소재"]),
            Locale::En,
        )
        .await
        .unwrap();
    let got: Vec<&str> = out.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(got, ["Thick fabric", "New for spring", "Thick fabric"]);
    assert_eq!((t.hits(), t.misses()), (1, 2));
    // Again, with invisible differences (padding): nothing reaches the provider.
    let again = t
        .translate(&texts(&[" 봄 신상 ", "도톰한 소재"]), Locale::En)
        .await
        .unwrap();
    assert_eq!(again[0].text, "New for spring");
    assert_eq!((t.hits(), t.misses()), (3, 2));
    // One new text among known ones: only it is sent.
    let mixed = t
        .translate(&texts(&["봄 신상", "가볍게 입기 좋아요"]), Locale::En)
        .await
        .unwrap();
    assert_eq!(mixed[1].text, "Light to wear");
    assert_eq!(requests(&server).await.len(), 2);
    // Another glossary version shares nothing with the first.
    let after_change = RememberingTranslator::new(deepl(&server), memory, "g2");
    let err = after_change
        .translate(&texts(&["봄 신상"]), Locale::En)
        .await
        .unwrap_err();
    // (No mock answers that request: the point is that it was made.)
    assert!(!err.to_string().is_empty());
    assert_eq!(after_change.misses(), 1);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn a_failed_provider_call_stores_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(456).set_body_string("Quota exceeded"))
        .mount(&server)
        .await;
    let memory = Arc::new(InMemory::default());
    let t = RememberingTranslator::new(deepl(&server), memory.clone(), "g1");
    assert!(t.translate(&texts(&["니트"]), Locale::Ja).await.is_err());
    let key = ddhub_translate::translation_memory_key(
        &ddhub_translate::source_hash("니트"),
        Locale::Ja,
        "g1",
        "deepl",
    );
    assert!(memory.get(&[key]).await.unwrap().is_empty());
    assert_eq!(t.hits(), 0);
}
