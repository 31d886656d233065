//! Configuration: embedded defaults, then `ddhub.toml` (optional), then `DDHUB_*` environment
//! variables. A bad value stops start-up with a message naming the key.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Every setting DDHub reads. Each key can be set in `ddhub.toml` or as `DDHUB_<KEY>`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, media and search index live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; a SQLite file in the data dir when unset.
    pub database_url: Option<String>,
    /// Address `ddhub serve` listens on.
    pub listen: SocketAddr,
    /// The URL buyers and partners reach this server at (links in feeds and pages).
    pub public_url: Option<String>,
    pub log_format: LogFormat,
    /// Longest a request may take before it is answered with `request_timeout`.
    pub request_timeout_secs: u64,
    /// Seconds a client has to send a request's headers (and an idle keep-alive connection
    /// stays open): a connection whose headers never finish is closed after it.
    pub header_read_timeout_secs: u64,
    /// Open connections one client IP may hold; more are closed as they arrive.
    pub max_connections_per_ip: usize,
    /// Largest JSON request body.
    pub body_limit_bytes: usize,
    /// Jobs one process runs at once; the number of cores when 0.
    pub worker_concurrency: usize,
    /// How long a claimed job is leased before another worker may take it over.
    pub job_lease_secs: u64,
    /// How long shutdown waits for requests and jobs to finish.
    pub shutdown_grace_secs: u64,
    /// Database connections per process.
    pub db_max_connections: u32,
    /// Largest catalog sheet a wholesaler may upload.
    pub upload_sheet_limit_bytes: u64,
    /// Largest photo ZIP a wholesaler may upload (streamed to disk, never held in memory).
    pub upload_photos_limit_bytes: u64,
    /// Where normalised photos go: `local` (the data dir's `media/` folder, served by ddhub at
    /// `/media/…`) or `s3://bucket/prefix` (credentials and endpoint from the standard `AWS_*`
    /// variables; `AWS_ENDPOINT` for S3-compatible stores).
    pub media_store: String,
    /// Public base URL of the media when a CDN or bucket serves them; `<public_url>/media` when
    /// unset.
    pub media_public_url: Option<String>,
    /// The `[images]` table: limits, sizes, marketplace profiles, encoders, checks.
    pub images: ddhub_imaging::Config,
    /// `tantivy` (embedded, under the data dir) or `meilisearch`.
    pub search_backend: String,
    /// Keep recent search results in memory until the embedded index next changes (any
    /// commit empties it). On by default; off only to measure the engine itself.
    pub search_result_cache: bool,
    /// Meilisearch's URL when `search_backend = "meilisearch"`.
    pub meilisearch_url: Option<String>,
    /// Meilisearch's API key.
    pub meilisearch_key: Option<String>,
    /// Deliver webhooks to loopback and private addresses (tests, closed networks only).
    pub webhooks_allow_private: bool,
    /// Public search requests per minute per client IP (bursts of a quarter of it).
    pub search_rate_per_minute: u32,
    /// Partner API requests per minute per API key (bursts of a quarter of it).
    pub partner_rate_per_minute: u32,
    /// Console sign-in attempts per minute per client IP (bursts of half of it): guessing keys
    /// through the sign-in form is as slow as through the API.
    pub sign_in_rate_per_minute: u32,
    /// The `[translate]` table: the machine-translation provider for wholesalers' free text
    /// (`provider = "glossary"`, the default, means none: free text stays Korean, marked
    /// `untranslated`). Keys also come from `DDHUB_TRANSLATE_<KEY>` (`DDHUB_TRANSLATE_PROVIDER`,
    /// `DDHUB_TRANSLATE_API_KEY` …).
    pub translate: ddhub_translate::ProviderConfig,
    /// Bearer token `/metrics` requires; open when unset.
    pub metrics_token: Option<String>,
    /// A separate (private) address for `/metrics` and `/healthz`: `ddhub serve` then answers
    /// `/metrics` only there, and `ddhub worker` serves them there (it has no other listener).
    pub metrics_listen: Option<SocketAddr>,
    /// Origins (`https://shop.example`) whose pages may call public search from the browser
    /// (CORS); no other route answers cross-origin requests. Empty: no CORS at all.
    pub search_cors_origins: Vec<String>,
    /// The exporter's business registration number (사업자등록번호), printed on the export
    /// declaration worksheet; rows are marked for the broker while it is unset.
    pub exporter_business_number: Option<String>,
    /// Where buyer e-mail goes (issue 21): `smtp://host:port` (plain, for a relay on
    /// loopback), `smtp://user:pass@host:587?tls=required` or `smtps://…`. Unset: e-mails are
    /// appended to `DATA_DIR/mail/outbox.txt` for the operator, and sign-in codes are also
    /// shown on the page.
    pub smtp_url: Option<String>,
    /// The sender of buyer e-mail.
    pub mail_from: String,
    /// A TrueType/OpenType font (or collection) with Hangul for the PDFs that print Korean
    /// (the pickup list). Unset: the first of the usual system fonts that exists (Noto Sans
    /// CJK from Debian's fonts-noto-cjk, Nanum Gothic).
    pub pdf_font: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./ddhub-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            log_format: LogFormat::Pretty,
            request_timeout_secs: 30,
            header_read_timeout_secs: 10,
            max_connections_per_ip: 128,
            body_limit_bytes: 1024 * 1024,
            worker_concurrency: 0,
            job_lease_secs: 60,
            shutdown_grace_secs: 20,
            db_max_connections: 8,
            upload_sheet_limit_bytes: 50 * 1024 * 1024,
            upload_photos_limit_bytes: 2 * 1024 * 1024 * 1024,
            media_store: "local".to_string(),
            media_public_url: None,
            images: ddhub_imaging::Config::default(),
            search_backend: "tantivy".to_string(),
            search_result_cache: true,
            meilisearch_url: None,
            meilisearch_key: None,
            webhooks_allow_private: false,
            search_rate_per_minute: 600,
            partner_rate_per_minute: 1200,
            sign_in_rate_per_minute: 10,
            translate: ddhub_translate::ProviderConfig::Glossary,
            metrics_token: None,
            metrics_listen: None,
            search_cors_origins: Vec::new(),
            exporter_business_number: None,
            smtp_url: None,
            mail_from: "DDHub <no-reply@ddhub.invalid>".to_string(),
            pdf_font: None,
        }
    }
}

const KEYS: &[&str] = &[
    "data_dir",
    "database_url",
    "listen",
    "public_url",
    "log_format",
    "request_timeout_secs",
    "body_limit_bytes",
    "worker_concurrency",
    "job_lease_secs",
    "shutdown_grace_secs",
    "db_max_connections",
    "upload_sheet_limit_bytes",
    "upload_photos_limit_bytes",
    "media_store",
    "media_public_url",
    "search_backend",
    "search_result_cache",
    "meilisearch_url",
    "meilisearch_key",
    "webhooks_allow_private",
    "search_rate_per_minute",
    "partner_rate_per_minute",
    "sign_in_rate_per_minute",
    "header_read_timeout_secs",
    "max_connections_per_ip",
    "metrics_token",
    "metrics_listen",
    "search_cors_origins",
    "exporter_business_number",
    "smtp_url",
    "mail_from",
    "pdf_font",
];

/// A configuration that cannot be used; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Loads defaults, then the TOML file (when it exists, or when `explicit` says it must),
    /// then the environment.
    pub fn load(file: Option<&Path>, explicit: bool) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if path.exists() {
                fig = fig.merge(Toml::file_exact(path));
            } else if explicit {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
        }
        // Only DDHub's own keys: DDHUB_TEST_* and similar variables are not configuration.
        fig = fig.merge(Env::prefixed("DDHUB_").only(KEYS));
        // The `[translate]` table from `DDHUB_TRANSLATE_*` (provider credentials are usually
        // given this way rather than written into a file).
        fig = fig.merge(Env::prefixed("DDHUB_TRANSLATE_").map(|k| format!("translate.{k}").into()));
        let cfg: Config = fig
            .extract()
            .map_err(|e| ConfigError(name_env_keys(&e.to_string())))?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError(format!(
                "public_url (DDHUB_PUBLIC_URL) must start with http:// or https://, got {url:?}"
            )));
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return Err(ConfigError(
                "database_url (DDHUB_DATABASE_URL) must be sqlite://PATH or postgres://…".into(),
            ));
        }
        for (key, v, min) in [
            ("request_timeout_secs", self.request_timeout_secs, 1),
            ("header_read_timeout_secs", self.header_read_timeout_secs, 1),
            (
                "max_connections_per_ip",
                self.max_connections_per_ip as u64,
                1,
            ),
            ("job_lease_secs", self.job_lease_secs, 5),
            ("body_limit_bytes", self.body_limit_bytes as u64, 1024),
            ("db_max_connections", u64::from(self.db_max_connections), 1),
        ] {
            if v < min {
                return Err(ConfigError(format!(
                    "{key} (DDHUB_{}) must be at least {min}",
                    key.to_uppercase()
                )));
            }
        }
        if !(self.media_store == "local" || self.media_store.starts_with("s3://")) {
            return Err(ConfigError(format!(
                "media_store (DDHUB_MEDIA_STORE) must be local or s3://bucket/prefix, got {:?}",
                self.media_store
            )));
        }
        match (self.search_backend.as_str(), &self.meilisearch_url) {
            ("tantivy", _) | ("meilisearch", Some(_)) => {}
            ("meilisearch", None) => {
                return Err(ConfigError(
                    "search_backend = meilisearch needs meilisearch_url (DDHUB_MEILISEARCH_URL)"
                        .into(),
                ));
            }
            (other, _) => {
                return Err(ConfigError(format!(
                    "search_backend (DDHUB_SEARCH_BACKEND) must be tantivy or meilisearch, got {other:?}"
                )));
            }
        }
        for origin in &self.search_cors_origins {
            // An origin is scheme://host[:port] exactly as browsers send it: what the URL
            // parser reads back as the same origin, with nothing after it.
            let valid = url::Url::parse(origin).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.origin().ascii_serialization() == *origin
            });
            if !valid {
                return Err(ConfigError(format!(
                    "search_cors_origins (DDHUB_SEARCH_CORS_ORIGINS) entries must be origins like https://shop.example (no path, no trailing slash), got {origin:?}"
                )));
            }
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(ConfigError(
                "data_dir (DDHUB_DATA_DIR) must not be empty".into(),
            ));
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or `ddhub.sqlite` in the data dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("ddhub.sqlite").display()),
        }
    }

    /// The base URL for links: `public_url`, or the listen address.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Base URL under which media keys are served.
    pub fn media_base_url(&self) -> String {
        match &self.media_public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("{}/media", self.base_url()),
        }
    }

    pub fn worker_concurrency(&self) -> usize {
        if self.worker_concurrency == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            self.worker_concurrency
        }
    }
}

/// figment's message with the names a person types: ``key "LISTEN" in `DDHUB_` environment
/// variable(s)`` becomes `DDHUB_LISTEN`, and its profile prefix (`default.`) goes.
fn name_env_keys(message: &str) -> String {
    let mut out = message
        .replace("for key \"default.", "for key \"")
        .replace("`default.", "`");
    for prefix in ["DDHUB_TRANSLATE_", "DDHUB_"] {
        let tail = format!("\" in `{prefix}` environment variable(s)");
        while let Some(end) = out.find(&tail) {
            let Some(start) = out[..end].rfind("key \"") else {
                break;
            };
            let key = out[start + 5..end].to_ascii_uppercase();
            let key = key.trim_start_matches("TRANSLATE.");
            out.replace_range(start..end + tail.len(), &format!("{prefix}{key}"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ddhub_translate::ProviderConfig;

    #[test]
    fn the_translate_table_picks_a_provider_and_defaults_to_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ddhub.toml");
        std::fs::write(&path, "search_backend = \"tantivy\"\n").unwrap();
        let c = Config::load(Some(&path), true).unwrap();
        assert_eq!(c.translate, ProviderConfig::Glossary);
        std::fs::write(
            &path,
            "[translate]\nprovider = \"deepl\"\napi_key = \"k:fx\"\nextra_targets = [\"VI\"]\ntimeout_ms = 5000\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), true).unwrap();
        match &c.translate {
            ProviderConfig::Deepl {
                api_key,
                extra_targets,
                limits,
                ..
            } => {
                assert_eq!(api_key, "k:fx");
                assert_eq!(extra_targets, &["VI".to_string()]);
                assert_eq!(limits.timeout_ms, Some(5000));
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(&path, "[translate]\nprovider = \"deepl\"\n").unwrap();
        let err = Config::load(Some(&path), true).unwrap_err().to_string();
        assert!(err.contains("api_key"), "{err}");
    }
}
