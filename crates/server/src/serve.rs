//! Running DDHub: the HTTP server and the workers, with graceful shutdown on SIGTERM and Ctrl-C.

use crate::app::{App, AppState, router};
use crate::catalog_upload::MediaPaths;
use crate::config::Config;
use crate::listing::Listing;
use crate::media::MediaStore;
use crate::worker::{JobError, JobHandler, JobSignal, Registry, WorkerOptions, WorkerPool};
use async_trait::async_trait;
use ddhub_store::jobs::{ClaimedJob, JobQueue};
use ddhub_store::{Store, StoreOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Opens the store the configuration names.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let mut opts = StoreOptions::new(config.effective_database_url());
    opts.max_connections = config.db_max_connections;
    Ok(Store::connect(&opts).await?)
}

/// Runs a catalog upload (`catalog.upload`).
struct CatalogUpload {
    store: Store,
    paths: MediaPaths,
}

#[async_trait]
impl JobHandler for CatalogUpload {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let id = job
            .payload
            .get("upload_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| JobError::Permanent("payload has no upload_id".into()))?;
        match crate::catalog_upload::process(&self.store, &self.paths, id, &|_, _| {}).await {
            Ok(u) => {
                metrics::counter!(crate::metrics::INGEST_ROWS, "outcome" => "error")
                    .increment(u.counts.errors);
                metrics::counter!(crate::metrics::INGEST_ROWS, "outcome" => "ok")
                    .increment(u.counts.rows.saturating_sub(u.counts.errors));
                tracing::info!(
                    upload = id,
                    state = u.state.as_str(),
                    rows = u.counts.rows,
                    "upload processed"
                );
                Ok(())
            }
            Err(crate::catalog_upload::ProcessError::Store(ddhub_store::StoreError::NotFound)) => {
                Err(JobError::Permanent(format!("upload {id} does not exist")))
            }
            Err(e) => {
                if job.attempt >= job.max_attempts {
                    // The last try: say so on the upload instead of leaving it "parsing".
                    let failure = ddhub_store::uploads::UploadFailure {
                        code: "processing_failed".into(),
                        message_ko: "파일을 처리하지 못했습니다. 잠시 후 다시 올려 주세요.".into(),
                        message_en:
                            "The file could not be processed. Please upload it again later.".into(),
                    };
                    let _ = ddhub_store::uploads::finish(
                        self.store.conn(),
                        id,
                        &Default::default(),
                        Some(&failure),
                    )
                    .await;
                }
                Err(JobError::Retry(e.to_string()))
            }
        }
    }
}

/// The job handlers of this build. `listing` is present in processes that can write the search
/// index (every process with Meilisearch; only `ddhub serve` with the embedded tantivy index,
/// which allows one writer), and only those take `style.changed` jobs.
pub fn registry(
    config: &Config,
    store: &Store,
    media: &MediaStore,
    listing: Option<Arc<Listing>>,
) -> Registry {
    let mut r = Registry::new();
    match crate::webhooks::WebhookDeliver::new(store.clone(), config.webhooks_allow_private) {
        Ok(w) => r = r.register(ddhub_store::orders::JOB_WEBHOOK_DELIVER, Arc::new(w)),
        Err(e) => tracing::error!(error = %e, "webhook client unavailable: deliveries wait"),
    }
    r = r.register(
        ddhub_store::glossary::JOB_GLOSSARY_CHANGED,
        Arc::new(crate::glossary::GlossaryChanged {
            store: store.clone(),
        }),
    );
    if let Some(listing) = listing {
        let shared = listing.shared.clone();
        let handler = Arc::new(crate::listing::StyleChanged {
            store: store.clone(),
            listing,
        });
        r = match shared {
            // A shared embedded index: only its writer indexes.
            Some(index) => r.register_when(
                ddhub_store::catalog::JOB_STYLE_CHANGED,
                handler,
                Arc::new(move || index.is_writer()),
            ),
            None => r.register(ddhub_store::catalog::JOB_STYLE_CHANGED, handler),
        };
    }
    r.register(
        crate::catalog_upload::JOB_PHOTO_NORMALISE,
        Arc::new(crate::photo_job::PhotoNormalise {
            store: store.clone(),
            paths: MediaPaths::new(&config.data_dir),
            media: media.clone(),
            config: Arc::new(config.images.clone()),
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.worker_concurrency())),
        }),
    )
    .register(
        ddhub_store::uploads::JOB_CATALOG_UPLOAD,
        Arc::new(CatalogUpload {
            store: store.clone(),
            paths: MediaPaths::new(&config.data_dir),
        }),
    )
}

/// Builds the worker pool for this process.
pub fn worker_pool(
    config: &Config,
    store: &Store,
    media: &MediaStore,
    listing: Option<Arc<Listing>>,
    signal: JobSignal,
) -> WorkerPool {
    WorkerPool::new(
        JobQueue::new(store.clone()),
        registry(config, store, media, listing),
        WorkerOptions {
            concurrency: config.worker_concurrency(),
            lease: Duration::from_secs(config.job_lease_secs),
            grace: Duration::from_secs(config.shutdown_grace_secs),
            ..Default::default()
        },
        signal,
    )
}

/// A pool for `style.changed` only, claimed while this process holds the shared embedded
/// index's writer lease; `None` with Meilisearch (every `ddhub worker` indexes then).
fn index_pool(
    config: &Config,
    store: &Store,
    listing: &Arc<Listing>,
    signal: JobSignal,
) -> Option<WorkerPool> {
    let shared = listing.shared.clone()?;
    let handler = Arc::new(crate::listing::StyleChanged {
        store: store.clone(),
        listing: listing.clone(),
    });
    let registry = Registry::new().register_when(
        ddhub_store::catalog::JOB_STYLE_CHANGED,
        handler,
        Arc::new(move || shared.is_writer()),
    );
    Some(WorkerPool::new(
        JobQueue::new(store.clone()),
        registry,
        WorkerOptions {
            concurrency: config.worker_concurrency().min(2),
            lease: Duration::from_secs(config.job_lease_secs),
            grace: Duration::from_secs(config.shutdown_grace_secs),
            ..Default::default()
        },
        signal,
    ))
}

/// Resolves when SIGTERM or Ctrl-C arrives.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested");
}

/// Serves HTTP on `listener` and runs workers (when `with_workers`) until `shutdown` resolves;
/// then drains requests and jobs.
pub async fn serve(
    config: Config,
    store: Store,
    listener: TcpListener,
    with_workers: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let signal = JobSignal::default();
    let media = MediaStore::open(&config.media_store, &config.data_dir)?;
    let listing = crate::listing::open_listing_shared(&config).await?;
    rebuild_if_stale(&config, &store, &listing).await;
    let mut app = App::new(config.clone(), store.clone(), signal.clone())?;
    app.search = Some(listing.clone());
    let app: AppState = Arc::new(app);
    let token = CancellationToken::new();
    crate::metrics::spawn_upkeep();
    let private = tokio::spawn(crate::ops::serve_private(app.clone(), token.child_token()));
    let workers = if with_workers {
        let pool = worker_pool(&config, &store, &media, Some(listing.clone()), signal);
        Some(tokio::spawn(pool.run(token.child_token())))
    } else {
        // `serve --no-workers` on a shared embedded index: workers processes cannot index it,
        // so the server holding its writer lease still takes the indexing jobs.
        index_pool(&config, &store, &listing, signal)
            .map(|p| tokio::spawn(p.run(token.child_token())))
    };
    let http_token = token.clone();
    tokio::spawn(async move {
        shutdown.await;
        http_token.cancel();
    });
    let server_token = token.clone();
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move { server_token.cancelled().await })
    .await?;
    if let Some(w) = workers {
        let _ = w.await;
    }
    if let Ok(Err(e)) = private.await {
        tracing::error!(error = %format!("{e:#}"), "metrics listener failed");
    }
    store.close().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Runs workers only (`ddhub worker`) until `shutdown` resolves.
pub async fn run_workers(
    config: Config,
    store: Store,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = CancellationToken::new();
    let media = MediaStore::open(&config.media_store, &config.data_dir)?;
    // With Meilisearch every worker can index; the embedded index belongs to `ddhub serve`.
    let listing = if config.search_backend == "meilisearch" {
        let index = crate::listing::open_index(&config).await?;
        Some(Arc::new(
            Listing::new(index, config.media_base_url())?.with_provider(config.translate.clone()),
        ))
    } else {
        None
    };
    let pool = worker_pool(&config, &store, &media, listing, JobSignal::default());
    let t = token.clone();
    tokio::spawn(async move {
        shutdown.await;
        t.cancel();
    });
    crate::metrics::spawn_upkeep();
    let app = Arc::new(App::new(
        config.clone(),
        store.clone(),
        JobSignal::default(),
    )?);
    let private = tokio::spawn(crate::ops::serve_private(app, token.child_token()));
    pool.run(token).await;
    if let Ok(Err(e)) = private.await {
        tracing::error!(error = %format!("{e:#}"), "metrics listener failed");
    }
    store.close().await?;
    Ok(())
}

/// Rebuilds the embedded index in the background when it was created anew (first start, or an
/// older schema version was found), so search answers from the database's content.
async fn rebuild_if_stale(config: &Config, store: &Store, listing: &Arc<Listing>) {
    if config.search_backend != "tantivy" || listing.shared.as_ref().is_some_and(|s| !s.is_writer())
    {
        return;
    }
    let count = listing.index.doc_count().await.unwrap_or(0);
    let styles = ddhub_store::catalog::total_styles(store).await.unwrap_or(0);
    if count == 0 && styles > 0 {
        let (store, listing) = (store.clone(), listing.clone());
        tokio::spawn(async move {
            tracing::info!(
                styles,
                "search index is empty: rebuilding from the database"
            );
            match listing.reindex(&store, &|_, _| {}).await {
                Ok(n) => tracing::info!(indexed = n, "search index rebuilt"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "search index rebuild failed"),
            }
        });
    }
}
