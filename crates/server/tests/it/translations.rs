//! Free text through the configured machine-translation provider (a local server speaking
//! DeepL's wire format), the translation memory across re-ingestion, free text kept in Korean
//! without a provider, and a glossary change re-translating only automatic fields, as jobs.

use crate::api::call;
use crate::uploads::{Env, env, env_with, get, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_domain::Locale;
use ddhub_testkit::testing;
use ddhub_translate::Glossary;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FREE_TEXT: &str = "꽈배기 조직이 살아있는 가디건이에요. 도톰해서 오래 입어요!";

fn sheet(price: u32) -> String {
    format!(
        "상품코드,상품명,카테고리,도매가,색상,사이즈,소재,상품설명\n\
         KN-1,루즈핏 꽈배기 니트 가디건,니트/가디건,{price},블랙,FREE,아크릴70 울30,{FREE_TEXT}\n\
         DL-1,연청 와이드 데님 팬츠,팬츠,21000,연청,25~27,면 100%,\n"
    )
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

async fn style_id(e: &Env, code: &str) -> i64 {
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn fields(e: &Env, id: i64, locale: &str) -> Value {
    let (s, _, v) = call(
        &e.router,
        get(
            &format!("/api/v1/styles/{id}/translations/{locale}"),
            &e.key,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["fields"].clone()
}

/// Polls until `check` holds on a locale's fields (jobs run in the background).
async fn wait_fields(e: &Env, id: i64, locale: &str, what: &str, check: impl Fn(&Value) -> bool) {
    let start = Instant::now();
    loop {
        let f = fields(e, id, locale).await;
        if check(&f) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} never happened: {f}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A DeepL stand-in: checks the request (path, auth header, body fields, and that no glossary
/// term reached it unprotected) and answers in DeepL's response shape, keeping placeholders.
async fn fake_deepl() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(header("Authorization", "DeepL-Auth-Key test-key:fx"))
        .and(body_partial_json(json!({"source_lang": "KO"})))
        .respond_with(|req: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let target = body["target_lang"].as_str().unwrap_or("");
            let texts: Vec<String> = body["text"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let known_target = ["EN-US", "JA", "ZH-HANS", "ZH-HANT", "VI", "TH"].contains(&target);
            if texts.is_empty() || !known_target || texts.iter().any(|t| t.contains("꽈배기")) {
                return ResponseTemplate::new(400)
                    .set_body_json(json!({"message": "bad request for this test"}));
            }
            let translations: Vec<Value> = texts
                .iter()
                .map(|t| {
                    let placeholders: Vec<&str> = t
                        .match_indices("[[")
                        .filter_map(|(i, _)| t[i..].find("]]").map(|e| &t[i..i + e + 2]))
                        .collect();
                    json!({
                        "detected_source_language": "KO",
                        "text": format!("({target}) {} thick, lasts long", placeholders.join(" ")),
                    })
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({ "translations": translations }))
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_is_machine_translated_once_with_glossary_terms_protected() {
    for db in testing::all("free_text_mt").await {
        let deepl = fake_deepl().await;
        let provider: ddhub_translate::ProviderConfig = serde_json::from_value(json!({
            "provider": "deepl",
            "api_key": "test-key:fx",
            "base_url": deepl.uri(),
            "extra_targets": ["VI", "TH"],
            "timeout_ms": 5000,
        }))
        .unwrap();
        let e = env_with(db, |c| c.translate = provider).await;
        upload(&e, &[("file", Some("a.csv"), sheet(18_000).as_bytes())]).await;
        let id = style_id(&e, "KN-1").await;
        wait_fields(&e, id, "en", "the free text translation", |f| {
            f["free_text"]["review"] == "machine"
        })
        .await;
        let glossary = Glossary::builtin().unwrap();
        let kkwabaegi = glossary.lookup("꽈배기").unwrap();
        for locale in Locale::TARGETS {
            let f = fields(&e, id, locale.tag()).await;
            let text = f["free_text"]["value"].as_str().unwrap();
            assert_eq!(f["free_text"]["review"], "machine", "{locale}: {f}");
            assert!(
                text.contains(kkwabaegi.head(locale)),
                "{locale}: the glossary's rendering of 꽈배기 in {text:?}"
            );
            assert!(!text.contains("[[") && !has_hangul(text), "{text:?}");
        }
        // One request per locale for the one style with free text, each with placeholders.
        let requests = deepl.received_requests().await.unwrap();
        assert_eq!(requests.len(), 6, "{}", e.db.name);
        for r in &requests {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(body["text"].as_array().unwrap().len(), 1);
            assert!(
                body["text"][0].as_str().unwrap().contains("[[0]]"),
                "{body}"
            );
        }
        // The description shown to buyers carries the translation after the generated part.
        let dl = style_id(&e, "DL-1").await;
        assert!(fields(&e, dl, "en").await.get("free_text").is_none());

        // Re-ingest with only the price changed: the style is processed again (its price
        // changes in search) but the free text comes from the memory: no new request.
        upload(&e, &[("file", Some("b.csv"), sheet(19_000).as_bytes())]).await;
        let start = Instant::now();
        loop {
            let (_, _, v) = call(
                &e.router,
                Request::get("/api/v1/search?locale=en&currency=KRW")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            let reprocessed = v["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|h| h["style_code"] == "KN-1" && h["price"]["amount"] == "19000");
            if reprocessed {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never reindexed: {v}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(deepl.received_requests().await.unwrap().len(), 6);
        assert_eq!(
            ddhub_store::glossary::memory_len(&e.db.store)
                .await
                .unwrap(),
            6
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_provider_free_text_stays_korean_and_untranslated() {
    let e = env(testing::sqlite().await).await;
    upload(&e, &[("file", Some("a.csv"), sheet(18_000).as_bytes())]).await;
    let id = style_id(&e, "KN-1").await;
    wait_fields(&e, id, "ja", "the free text row", |f| {
        f["free_text"].is_object()
    })
    .await;
    let f = fields(&e, id, "ja").await;
    assert_eq!(f["free_text"]["review"], "untranslated", "{f}");
    assert_eq!(f["free_text"]["value"], FREE_TEXT);
    assert_eq!(f["title"]["review"], "glossary");
    // Korean is not a translation to approve: named, it is refused; by default, left out.
    let approve = |body: &'static str| {
        Request::post(format!("/api/v1/styles/{id}/translations/ja/approve"))
            .header("authorization", &e.key)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let (s, _, v) = call(&e.router, approve(r#"{"fields":["free_text"]}"#)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "invalid_body");
    let (s, _, v) = call(&e.router, approve("{}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["fields"]["title"]["review"], "approved");
    assert_eq!(v["fields"]["free_text"]["review"], "untranslated");
    // A person's translation makes it `edited`.
    let put = Request::put(format!("/api/v1/styles/{id}/translations/ja"))
        .header("authorization", &e.key)
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"free_text":"ケーブル編みがきれいなカーディガンです。"}"#,
        ))
        .unwrap();
    let (s, _, v) = call(&e.router, put).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["fields"]["free_text"]["review"], "edited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_glossary_change_retranslates_only_automatic_fields() {
    for db in testing::all("glossary_change").await {
        let e = env(db).await;
        upload(&e, &[("file", Some("a.csv"), sheet(18_000).as_bytes())]).await;
        let id = style_id(&e, "KN-1").await;
        wait_fields(&e, id, "zh-CN", "the first translation", |f| {
            f["title"]["review"] == "glossary"
        })
        .await;
        // A person edits the ja title and approves the en one.
        let put = Request::put(format!("/api/v1/styles/{id}/translations/ja"))
            .header("authorization", &e.key)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"title":"手直ししたタイトル"}"#))
            .unwrap();
        assert_eq!(call(&e.router, put).await.0, StatusCode::OK);
        let approve = Request::post(format!("/api/v1/styles/{id}/translations/en/approve"))
            .header("authorization", &e.key)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"fields":["title"]}"#))
            .unwrap();
        assert_eq!(call(&e.router, approve).await.0, StatusCode::OK);
        let en_before = fields(&e, id, "en").await["title"]["value"].clone();
        let zh_before = fields(&e, id, "zh-CN").await["title"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        // The operator overrides 루즈핏 in every locale (as `ddhub glossary import` does).
        let csv = "ko,role,en,ja,zh-CN,zh-TW,vi,th\n\
                   루즈핏,fit,relaxed-fit,リラックスフィット,落肩宽松,落肩寬鬆,dáng suông rộng,ทรงโอเวอร์\n";
        let shipped = Glossary::builtin().unwrap();
        let out = ddhub_app::services::glossary::import(&e.db.store, &shipped, csv, false)
            .await
            .unwrap();
        assert_ne!(out.version, out.previous_version);
        wait_fields(&e, id, "zh-CN", "re-translation with the new term", |f| {
            f["title"]["value"]
                .as_str()
                .unwrap_or("")
                .contains("落肩宽松")
        })
        .await;
        assert_ne!(
            fields(&e, id, "zh-CN").await["title"]["value"]
                .as_str()
                .unwrap(),
            zh_before
        );
        wait_fields(&e, id, "vi", "re-translation (vi)", |f| {
            f["title"]["value"]
                .as_str()
                .unwrap_or("")
                .contains("dáng suông rộng")
        })
        .await;
        // A person's work stands.
        let ja = fields(&e, id, "ja").await;
        assert_eq!(ja["title"]["value"], "手直ししたタイトル");
        assert_eq!(ja["title"]["review"], "edited");
        let en = fields(&e, id, "en").await;
        assert_eq!(en["title"]["value"], en_before);
        assert_eq!(en["title"]["review"], "approved");
        // The job queue did it.
        let job = ddhub_store::jobs::JobQueue::new(e.db.store.clone())
            .get(out.job)
            .await
            .unwrap();
        assert_eq!(
            (job.kind.as_str(), job.state.as_str()),
            ("glossary.changed", "done"),
            "{}",
            e.db.name
        );
    }
}

/// A refused edit saves nothing and names the field at fault: a good title beside a
/// description holding a control character keeps the stored title (issue 16), on every engine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_translation_edit_saves_no_field() {
    for db in testing::all("translation_edit_refused").await {
        let name = db.name;
        let e = env(db).await;
        upload(&e, &[("file", Some("a.csv"), sheet(18_000).as_bytes())]).await;
        let id = style_id(&e, "KN-1").await;
        wait_fields(&e, id, "ja", "the title", |f| f["title"].is_object()).await;
        let before = fields(&e, id, "ja").await;
        let put = |body: String| {
            Request::put(format!("/api/v1/styles/{id}/translations/ja"))
                .header("authorization", &e.key)
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let body =
            json!({"title": "ケーブル編みカーディガン", "description": "やわらかい\u{7}ニット"});
        let (s, _, v) = call(&e.router, put(body.to_string())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert_eq!(v["error"]["code"], "invalid_body", "{name}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("description") && msg.contains("control"),
            "{name}: the message names the field and the reason: {msg}"
        );
        assert_eq!(fields(&e, id, "ja").await, before, "{name}: nothing saved");
        // The same title alone is saved.
        let (s, _, v) = call(
            &e.router,
            put(json!({"title": "ケーブル編みカーディガン"}).to_string()),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        assert_eq!(v["fields"]["title"]["value"], "ケーブル編みカーディガン");
        assert_eq!(v["fields"]["title"]["review"], "edited");
    }
}
