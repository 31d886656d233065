//! Machine translation behind one trait: the built-in glossary translator (offline) and HTTP
//! providers (Papago, DeepL, Google Cloud Translation v3, an OpenAI-compatible chat endpoint),
//! with timeouts, retries, a client-side rate limit, batching and glossary-term protection.

mod http;
mod protect;
mod vendors;

pub use http::{HttpConfig, HttpProvider};
pub use protect::{Protected, ProtectedTranslator, protect, restore};
pub use vendors::{DeepL, GoogleV3, OpenAiChat, Papago};

use crate::glossary::Glossary;
use crate::title::translate_title;
use async_trait::async_trait;
use ddhub_domain::Locale;
use ddhub_domain::translation::ReviewState;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// One translated text and who stands behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub text: String,
    pub review_state: ReviewState,
}

#[derive(Debug, thiserror::Error)]
pub enum TranslateError {
    #[error("{provider} cannot translate into {locale}")]
    UnsupportedLocale {
        provider: &'static str,
        locale: Locale,
    },
    #[error("{provider} timed out")]
    Timeout { provider: &'static str },
    #[error("{provider} is rate limiting us (429) after {attempts} attempts")]
    RateLimited {
        provider: &'static str,
        attempts: u32,
    },
    #[error("{provider} answered HTTP {status}: {message}")]
    Provider {
        provider: &'static str,
        status: u16,
        message: String,
    },
    #[error("{provider}: {source}")]
    Transport {
        provider: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("{provider} sent an unexpected response: {detail}")]
    BadResponse {
        provider: &'static str,
        detail: String,
    },
    #[error("placeholder {placeholder} for a glossary term was lost in translation")]
    PlaceholderLost { placeholder: String },
    #[error("provider configuration: {0}")]
    Config(String),
    #[error("translation memory: {0}")]
    Memory(String),
}

impl TranslateError {
    /// Whether trying again later may succeed (the caller's job queue decides when).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TranslateError::Timeout { .. }
                | TranslateError::RateLimited { .. }
                | TranslateError::Transport { .. }
                | TranslateError::Memory(_)
        ) || matches!(self, TranslateError::Provider { status, .. } if *status >= 500)
    }
}

/// Translates batches of Korean texts into one target locale.
#[async_trait]
pub trait Translator: Send + Sync {
    /// A stable identifier, part of translation-memory keys (`glossary`, `deepl`, `papago` …).
    fn id(&self) -> &str;

    /// Translates `texts` (Korean) into `target`, one result per text, in order.
    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError>;
}

/// The offline translator: glossary composition, as for titles. Keyword strings come out right;
/// free text does not (use an HTTP provider for descriptions).
#[derive(Clone, Debug)]
pub struct GlossaryTranslator {
    glossary: Arc<Glossary>,
}

impl GlossaryTranslator {
    pub fn new(glossary: Arc<Glossary>) -> Self {
        GlossaryTranslator { glossary }
    }
}

#[async_trait]
impl Translator for GlossaryTranslator {
    fn id(&self) -> &str {
        "glossary"
    }

    async fn translate(
        &self,
        texts: &[String],
        target: Locale,
    ) -> Result<Vec<Translation>, TranslateError> {
        Ok(texts
            .iter()
            .map(|t| {
                let out = translate_title(&self.glossary, t, target);
                Translation {
                    text: out.title,
                    review_state: out.review_state,
                }
            })
            .collect())
    }
}

/// Which translator to use, as written in `ddhub.toml` under `[translate]`
/// (`provider = "deepl"`, `api_key = "…"` …); every key can come from `DDHUB_TRANSLATE_…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ProviderConfig {
    Glossary,
    Papago {
        client_id: String,
        client_secret: String,
        #[serde(default)]
        base_url: Option<String>,
        #[serde(default, flatten)]
        limits: Limits,
    },
    Deepl {
        api_key: String,
        #[serde(default)]
        base_url: Option<String>,
        /// Target codes the account can use beyond EN-US, JA, ZH-HANS and ZH-HANT (`["VI", "TH"]`).
        #[serde(default)]
        extra_targets: Vec<String>,
        #[serde(default, flatten)]
        limits: Limits,
    },
    Google {
        project: String,
        access_token: String,
        #[serde(default)]
        base_url: Option<String>,
        #[serde(default, flatten)]
        limits: Limits,
    },
    Openai {
        api_key: String,
        model: String,
        #[serde(default)]
        base_url: Option<String>,
        #[serde(default, flatten)]
        limits: Limits,
    },
}

/// Timeouts, retries, rate and batch limits; unset fields take each provider's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub timeout_ms: Option<u64>,
    pub max_retries: Option<u32>,
    pub requests_per_second: Option<u32>,
    pub max_batch: Option<usize>,
}

impl Limits {
    fn apply(&self, mut c: HttpConfig) -> HttpConfig {
        if let Some(ms) = self.timeout_ms {
            c.timeout = Duration::from_millis(ms);
        }
        if let Some(n) = self.max_retries {
            c.max_retries = n;
        }
        if let Some(n) = self.requests_per_second {
            c.requests_per_second = n;
        }
        if let Some(n) = self.max_batch {
            c.max_batch = n.max(1);
        }
        c
    }
}

/// Builds the configured translator. HTTP providers are wrapped so glossary terms are protected
/// by placeholders around the machine translation.
pub fn build_translator(
    config: &ProviderConfig,
    glossary: Arc<Glossary>,
) -> Result<Arc<dyn Translator>, TranslateError> {
    fn base(url: &Option<String>, default: &str) -> String {
        url.clone().unwrap_or_else(|| default.to_string())
    }
    let inner: Arc<dyn Translator> = match config {
        ProviderConfig::Glossary => return Ok(Arc::new(GlossaryTranslator::new(glossary))),
        ProviderConfig::Papago {
            client_id,
            client_secret,
            base_url,
            limits,
        } => Arc::new(Papago::new(
            client_id,
            client_secret,
            limits
                .apply(HttpConfig::new(base(base_url, Papago::DEFAULT_BASE_URL)).with_max_batch(1)),
        )?),
        ProviderConfig::Deepl {
            api_key,
            base_url,
            extra_targets,
            limits,
        } => Arc::new(
            DeepL::new(
                api_key,
                limits.apply(
                    HttpConfig::new(base(base_url, DeepL::DEFAULT_BASE_URL)).with_max_batch(50),
                ),
            )?
            .with_extra_targets(extra_targets),
        ),
        ProviderConfig::Google {
            project,
            access_token,
            base_url,
            limits,
        } => Arc::new(GoogleV3::new(
            project,
            access_token,
            limits.apply(
                HttpConfig::new(base(base_url, GoogleV3::DEFAULT_BASE_URL)).with_max_batch(128),
            ),
        )?),
        ProviderConfig::Openai {
            api_key,
            model,
            base_url,
            limits,
        } => Arc::new(OpenAiChat::new(
            api_key,
            model,
            limits.apply(
                HttpConfig::new(base(base_url, OpenAiChat::DEFAULT_BASE_URL)).with_max_batch(20),
            ),
        )?),
    };
    Ok(Arc::new(ProtectedTranslator::new(inner, glossary)))
}
