//! One builder for the tests of the server and the CLI (crates.io's `TestApp`): a database of
//! the engine under test, the application state, the production router, two wholesalers'
//! keys, optionally the real worker pool, and at the end a check that no job was left dead
//! unless the test said why.
//!
//! ```ignore
//! for db in testing::all("my_test").await {
//!     let t = TestApp::init(db).with_job_runner().build().await;
//!     // call t.router, read t.db.store …
//! }
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod contract;

pub use ddhub_store::testing::{self, TestDb};

use ddhub_app::worker::JobSignal;
use ddhub_app::{App, AppState, Config};
use ddhub_domain::wholesaler::ShopLocation;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A configuration for tests: a data dir of its own, and limits lifted (the tests send bursts
/// no client would; limits are tested on their own).
pub fn test_config(data_dir: &std::path::Path) -> Config {
    Config {
        data_dir: data_dir.to_path_buf(),
        search_rate_per_minute: 1_000_000,
        partner_rate_per_minute: 1_000_000,
        sign_in_rate_per_minute: 1_000_000,
        ..Config::default()
    }
}

type Tweak = Box<dyn FnOnce(&mut Config) + Send>;

/// How a [`TestApp`] is built.
pub struct TestAppBuilder {
    db: TestDb,
    tweaks: Vec<Tweak>,
    job_runner: bool,
    search: bool,
}

/// The application under test.
pub struct TestApp {
    pub db: TestDb,
    pub app: AppState,
    /// The production router over `app`, its partner answers checked against the OpenAPI
    /// document ([`contract`]).
    pub router: axum::Router,
    /// `Bearer …` of the wholesaler 미소 (청평화 2층 A) and of another one (B).
    pub key: String,
    pub other_key: String,
    /// The two wholesalers, and the public id of the first one's key.
    pub wholesaler: ddhub_domain::WholesalerId,
    pub other_wholesaler: ddhub_domain::WholesalerId,
    pub key_id: String,
    pub dir: tempfile::TempDir,
    token: CancellationToken,
    /// Job kinds a test expects to leave dead, with its reason.
    dead_allowed: Vec<(String, String)>,
}

impl TestApp {
    pub fn init(db: TestDb) -> TestAppBuilder {
        TestAppBuilder {
            db,
            tweaks: Vec::new(),
            job_runner: false,
            search: true,
        }
    }

    /// Says that jobs of `kind` may end dead in this test, and why (printed if they do).
    pub fn allow_dead_jobs(&mut self, kind: &str, why: &str) {
        self.dead_allowed.push((kind.to_string(), why.to_string()));
    }

    /// A partner buying in yen (Japanese, no markup) at ₩1 = ¥0.108, the rate set: its
    /// `Bearer …` header.
    pub async fn jpy_partner(&self, name: &str) -> String {
        use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
        let rate = RatePerKrw::parse(Currency::Jpy, "0.108").unwrap();
        ddhub_store::rates::set_rate(&self.db.store, rate)
            .await
            .unwrap();
        let (_, key) = ddhub_store::parties::add_partner(
            &self.db.store,
            ddhub_store::parties::NewPartner {
                name: name.into(),
                locale: Locale::Ja,
                currency: Currency::Jpy,
                markup_bp: 0,
                rounding: RoundingRule::None,
            },
        )
        .await
        .unwrap();
        format!("Bearer {}", key.key)
    }

    /// The dead jobs of the queue, by kind, that the test did not explain.
    pub async fn unexplained_dead_jobs(&self) -> Vec<(String, i64)> {
        let depth = ddhub_store::jobs::JobQueue::new(self.db.store.clone())
            .depth()
            .await
            .unwrap();
        depth
            .into_iter()
            .filter(|d| d.state == "dead")
            .filter(
                |d| match self.dead_allowed.iter().find(|(k, _)| *k == d.kind) {
                    Some((_, why)) => {
                        println!("{} dead {} job(s), as expected: {why}", d.count, d.kind);
                        false
                    }
                    None => true,
                },
            )
            .map(|d| (d.kind, d.count))
            .collect()
    }
}

impl TestAppBuilder {
    /// Changes the configuration before the app is built.
    pub fn with_config(mut self, tweak: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.tweaks.push(Box::new(tweak));
        self
    }

    /// Runs the production worker pool in the background, as `ddhub serve` does.
    pub fn with_job_runner(mut self) -> Self {
        self.job_runner = true;
        self
    }

    /// No search listing (a process that does not serve search).
    pub fn without_search(mut self) -> Self {
        self.search = false;
        self
    }

    pub async fn build(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path());
        for tweak in self.tweaks {
            tweak(&mut config);
        }
        let db = self.db;
        let loc = |u: &str| ShopLocation {
            building: "청평화".into(),
            floor: "2".into(),
            unit: u.into(),
        };
        let (first, key) = ddhub_store::parties::add_wholesaler(&db.store, "미소", loc("A"))
            .await
            .unwrap();
        let (second, other) = ddhub_store::parties::add_wholesaler(&db.store, "다른", loc("B"))
            .await
            .unwrap();
        let signal = JobSignal::default();
        let token = CancellationToken::new();
        let listing = self.search.then(|| {
            let index: Arc<dyn ddhub_search::SearchIndex> =
                Arc::new(ddhub_search::TantivyIndex::in_memory().unwrap());
            Arc::new(
                ddhub_app::services::listing::Listing::new(index, config.media_base_url())
                    .unwrap()
                    .with_provider(config.translate.clone()),
            )
        });
        if self.job_runner {
            let media =
                ddhub_app::media::MediaStore::open(&config.media_store, &config.data_dir).unwrap();
            let pool = ddhub_app::runtime::worker_pool(
                &config,
                &db.store,
                &media,
                listing.clone(),
                signal.clone(),
            );
            tokio::spawn(pool.run(token.clone()));
        }
        let mut app = App::new(config, db.store.clone(), signal).unwrap();
        app.search = listing;
        let app = Arc::new(app);
        TestApp {
            // Every answer on a partner path is checked against the OpenAPI document.
            router: ddhub_server::router(app.clone())
                .layer(axum::middleware::from_fn(contract::check)),
            app,
            key: format!("Bearer {}", key.key),
            other_key: format!("Bearer {}", other.key),
            wholesaler: first.id,
            other_wholesaler: second.id,
            key_id: key.key_id,
            db,
            dir,
            token,
            dead_allowed: Vec::new(),
        }
    }
}

impl Drop for TestApp {
    /// Stops the job runner, then checks that no job went dead unexplained: a dead job is work
    /// that will never happen (crates.io's `TestApp` checks its queue the same way).
    fn drop(&mut self) {
        self.token.cancel();
        if std::thread::panicking() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            println!(
                "TestApp: the dead-job check needs a multi-threaded runtime; \
                 this test runs on the current-thread one, so it was not made"
            );
            return;
        }
        let dead = tokio::task::block_in_place(|| handle.block_on(self.unexplained_dead_jobs()));
        assert!(
            dead.is_empty(),
            "jobs went dead in this test (kind, count): {dead:?}; fix them or call \
             TestApp::allow_dead_jobs with the reason"
        );
    }
}
