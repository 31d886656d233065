//! The four HTTP providers and their wire formats, as their documentation gives them.

use super::http::{HttpConfig, HttpProvider};
use super::{TranslateError, Translation, Translator};
use async_trait::async_trait;
use ddhub_domain::Locale;
use ddhub_domain::translation::ReviewState;
use serde_json::{Value, json};

fn machine(texts: Vec<String>) -> Vec<Translation> {
    texts
        .into_iter()
        .map(|text| Translation {
            text,
            review_state: ReviewState::Machine,
        })
        .collect()
}

fn bad(provider: &'static str, detail: impl Into<String>) -> TranslateError {
    TranslateError::BadResponse {
        provider,
        detail: detail.into(),
    }
}

async fn json_body(
    provider: &'static str,
    resp: reqwest::Response,
) -> Result<Value, TranslateError> {
    resp.json::<Value>()
        .await
        .map_err(|e| bad(provider, e.to_string()))
}

fn expect_count(
    provider: &'static str,
    got: Vec<String>,
    want: usize,
) -> Result<Vec<String>, TranslateError> {
    if got.len() == want {
        Ok(got)
    } else {
        Err(bad(
            provider,
            format!("{} translations for {want} texts", got.len()),
        ))
    }
}

/// NAVER Cloud Papago NMT: `POST /nmt/v1/translation`, one text per request.
#[derive(Debug)]
pub struct Papago {
    http: HttpProvider,
    client_id: String,
    client_secret: String,
}

impl Papago {
    pub const DEFAULT_BASE_URL: &'static str = "https://papago.apigw.ntruss.com";

    pub fn new(
        client_id: &str,
        client_secret: &str,
        config: HttpConfig,
    ) -> Result<Self, TranslateError> {
        Ok(Papago {
            http: HttpProvider::new("papago", config)?,
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
        })
    }

    fn code(locale: Locale) -> Option<&'static str> {
        match locale {
            Locale::Ko => None,
            l => Some(l.tag()),
        }
    }
}

#[async_trait]
impl Translator for Papago {
    fn id(&self) -> &str {
        "papago"
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        let code = Papago::code(target).ok_or(TranslateError::UnsupportedLocale {
            provider: "papago",
            locale: target,
        })?;
        let url = self.http.url("/nmt/v1/translation");
        let mut out = Vec::with_capacity(texts.len());
        for text in texts {
            let body = json!({ "source": "ko", "target": code, "text": text });
            let resp = self
                .http
                .send(|| {
                    self.http
                        .client()
                        .post(&url)
                        .header("X-NCP-APIGW-API-KEY-ID", &self.client_id)
                        .header("X-NCP-APIGW-API-KEY", &self.client_secret)
                        .json(&body)
                })
                .await?;
            let v = json_body("papago", resp).await?;
            let t = v
                .pointer("/message/result/translatedText")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("papago", "no message.result.translatedText"))?;
            out.push(t.to_string());
        }
        Ok(machine(out))
    }
}

/// DeepL API v2: `POST /v2/translate` with up to 50 texts.
#[derive(Debug)]
pub struct DeepL {
    http: HttpProvider,
    api_key: String,
    extra_targets: Vec<String>,
}

impl DeepL {
    /// Pro endpoint; free-plan keys (ending `:fx`) use `https://api-free.deepl.com`.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.deepl.com";

    pub fn new(api_key: &str, config: HttpConfig) -> Result<Self, TranslateError> {
        Ok(DeepL {
            http: HttpProvider::new("deepl", config)?,
            api_key: api_key.to_string(),
            extra_targets: Vec::new(),
        })
    }

    /// Enables target codes beyond the four DeepL has long supported (Vietnamese `VI` and Thai
    /// `TH` are newer and not on every account or endpoint); without them `vi`/`th` are refused.
    pub fn with_extra_targets(mut self, codes: &[String]) -> Self {
        self.extra_targets = codes.iter().map(|c| c.to_ascii_uppercase()).collect();
        self
    }

    /// DeepL's target code for a locale, if this client may use it.
    pub fn target_code(&self, locale: Locale) -> Option<&'static str> {
        let code = match locale {
            Locale::En => "EN-US",
            Locale::Ja => "JA",
            Locale::ZhCn => "ZH-HANS",
            Locale::ZhTw => "ZH-HANT",
            Locale::Vi => "VI",
            Locale::Th => "TH",
            Locale::Ko => return None,
        };
        match locale {
            Locale::Vi | Locale::Th => self.extra_targets.iter().any(|c| c == code).then_some(code),
            _ => Some(code),
        }
    }
}

#[async_trait]
impl Translator for DeepL {
    fn id(&self) -> &str {
        "deepl"
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        let code = self
            .target_code(target)
            .ok_or(TranslateError::UnsupportedLocale {
                provider: "deepl",
                locale: target,
            })?;
        let url = self.http.url("/v2/translate");
        let auth = format!("DeepL-Auth-Key {}", self.api_key);
        let mut out = Vec::with_capacity(texts.len());
        for batch in self.http.batches(texts) {
            let body = json!({ "text": batch, "source_lang": "KO", "target_lang": code });
            let resp = self
                .http
                .send(|| {
                    self.http
                        .client()
                        .post(&url)
                        .header("Authorization", &auth)
                        .json(&body)
                })
                .await?;
            let v = json_body("deepl", resp).await?;
            let got: Vec<String> = v
                .get("translations")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("deepl", "no translations array"))?
                .iter()
                .map(|t| {
                    t.get("text")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| bad("deepl", "translation without text"))
                })
                .collect::<Result<_, _>>()?;
            out.extend(expect_count("deepl", got, batch.len())?);
        }
        Ok(machine(out))
    }
}

/// Google Cloud Translation v3: `POST /v3/projects/{project}:translateText` with a bearer token.
#[derive(Debug)]
pub struct GoogleV3 {
    http: HttpProvider,
    project: String,
    access_token: String,
}

impl GoogleV3 {
    pub const DEFAULT_BASE_URL: &'static str = "https://translation.googleapis.com";

    pub fn new(
        project: &str,
        access_token: &str,
        config: HttpConfig,
    ) -> Result<Self, TranslateError> {
        if project.is_empty() || project.contains(['/', ':']) {
            return Err(TranslateError::Config(format!(
                "google: invalid project id {project:?}"
            )));
        }
        Ok(GoogleV3 {
            http: HttpProvider::new("google", config)?,
            project: project.to_string(),
            access_token: access_token.to_string(),
        })
    }
}

#[async_trait]
impl Translator for GoogleV3 {
    fn id(&self) -> &str {
        "google"
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        if target == Locale::Ko {
            return Err(TranslateError::UnsupportedLocale {
                provider: "google",
                locale: target,
            });
        }
        let url = self
            .http
            .url(&format!("/v3/projects/{}:translateText", self.project));
        let mut out = Vec::with_capacity(texts.len());
        for batch in self.http.batches(texts) {
            let body = json!({
                "contents": batch,
                "sourceLanguageCode": "ko",
                "targetLanguageCode": target.tag(),
                "mimeType": "text/plain",
            });
            let resp = self
                .http
                .send(|| {
                    self.http
                        .client()
                        .post(&url)
                        .bearer_auth(&self.access_token)
                        .json(&body)
                })
                .await?;
            let v = json_body("google", resp).await?;
            let got: Vec<String> = v
                .get("translations")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("google", "no translations array"))?
                .iter()
                .map(|t| {
                    t.get("translatedText")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| bad("google", "translation without translatedText"))
                })
                .collect::<Result<_, _>>()?;
            out.extend(expect_count("google", got, batch.len())?);
        }
        Ok(machine(out))
    }
}

/// Any OpenAI-compatible chat endpoint: `POST {base}/chat/completions`, asked for a JSON array.
#[derive(Debug)]
pub struct OpenAiChat {
    http: HttpProvider,
    api_key: String,
    model: String,
}

impl OpenAiChat {
    pub const DEFAULT_BASE_URL: &'static str = "https://api.openai.com/v1";

    pub fn new(api_key: &str, model: &str, config: HttpConfig) -> Result<Self, TranslateError> {
        Ok(OpenAiChat {
            http: HttpProvider::new("openai", config)?,
            api_key: api_key.to_string(),
            model: model.to_string(),
        })
    }

    fn language(locale: Locale) -> Option<&'static str> {
        Some(match locale {
            Locale::En => "English (US)",
            Locale::Ja => "Japanese",
            Locale::ZhCn => "Simplified Chinese (mainland China)",
            Locale::ZhTw => "Traditional Chinese (Taiwan)",
            Locale::Vi => "Vietnamese",
            Locale::Th => "Thai",
            Locale::Ko => return None,
        })
    }

    /// The content of the first choice, parsed as a JSON array of strings (code fences allowed).
    fn parse_content(content: &str, want: usize) -> Result<Vec<String>, TranslateError> {
        let trimmed = content.trim();
        let inner = trimmed
            .strip_prefix("```json")
            .or_else(|| trimmed.strip_prefix("```"))
            .and_then(|s| s.strip_suffix("```"))
            .unwrap_or(trimmed)
            .trim();
        let got: Vec<String> = serde_json::from_str(inner).map_err(|e| {
            bad(
                "openai",
                format!("content is not a JSON array of strings: {e}"),
            )
        })?;
        expect_count("openai", got, want)
    }
}

#[async_trait]
impl Translator for OpenAiChat {
    fn id(&self) -> &str {
        "openai"
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        let language = OpenAiChat::language(target).ok_or(TranslateError::UnsupportedLocale {
            provider: "openai",
            locale: target,
        })?;
        let url = self.http.url("/chat/completions");
        let system = format!(
            "You translate Korean wholesale fashion product text (Dongdaemun, Seoul) into {language}. \
             Keep placeholders such as [[0]] exactly as they are. The user sends a JSON array of strings; \
             answer with only a JSON array of the same length, one translation per string, in order."
        );
        let mut out = Vec::with_capacity(texts.len());
        for batch in self.http.batches(texts) {
            let user = serde_json::to_string(batch).map_err(|e| bad("openai", e.to_string()))?;
            let body = json!({
                "model": self.model,
                "temperature": 0,
                "messages": [
                    { "role": "system", "content": system },
                    { "role": "user", "content": user },
                ],
            });
            let resp = self
                .http
                .send(|| {
                    self.http
                        .client()
                        .post(&url)
                        .bearer_auth(&self.api_key)
                        .json(&body)
                })
                .await?;
            let v = json_body("openai", resp).await?;
            let content = v
                .pointer("/choices/0/message/content")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("openai", "no choices[0].message.content"))?;
            out.extend(OpenAiChat::parse_content(content, batch.len())?);
        }
        Ok(machine(out))
    }
}
