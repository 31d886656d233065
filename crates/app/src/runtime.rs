//! Running the application: opening the store, the job registry and worker pools, shutdown
//! signals and the index rebuild at start. The HTTP side (`ddhub-server`) serves on top of this.

use crate::config::Config;
use crate::jobs;
use crate::media::MediaStore;
use crate::services::catalog::MediaPaths;
use crate::services::listing::Listing;
use crate::worker::{JobSignal, Registry, WorkerOptions, WorkerPool};
use ddhub_store::jobs::JobQueue;
use ddhub_store::{Store, StoreOptions};
use std::sync::Arc;
use std::time::Duration;

/// Opens the store the configuration names.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let mut opts = StoreOptions::new(config.effective_database_url());
    opts.max_connections = config.db_max_connections;
    Ok(Store::connect(&opts).await?)
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
    match jobs::webhook_deliver::WebhookDeliver::new(store.clone(), config.webhooks_allow_private) {
        Ok(w) => r = r.job(w),
        Err(e) => tracing::error!(error = %e, "webhook client unavailable: deliveries wait"),
    }
    r = r.job(jobs::glossary_changed::GlossaryChanged {
        store: store.clone(),
    });
    if let Some(listing) = listing {
        r = with_style_changed(r, store, listing);
    }
    r.job(jobs::photo_normalise::PhotoNormalise {
        store: store.clone(),
        paths: MediaPaths::new(&config.data_dir),
        media: media.clone(),
        config: Arc::new(config.images.clone()),
        in_flight: Arc::new(tokio::sync::Semaphore::new(config.worker_concurrency())),
    })
    .job(jobs::catalog_upload::CatalogUpload {
        store: store.clone(),
        paths: MediaPaths::new(&config.data_dir),
    })
}

/// Adds `style.changed`; on a shared embedded index only while this process is its writer.
fn with_style_changed(r: Registry, store: &Store, listing: Arc<Listing>) -> Registry {
    let shared = listing.shared.clone();
    let handler = jobs::style_changed::StyleChanged {
        store: store.clone(),
        listing,
    };
    match shared {
        Some(index) => r.job_when(handler, Arc::new(move || index.is_writer())),
        None => r.job(handler),
    }
}

fn options(config: &Config, concurrency: usize) -> WorkerOptions {
    WorkerOptions {
        concurrency,
        lease: Duration::from_secs(config.job_lease_secs),
        grace: Duration::from_secs(config.shutdown_grace_secs),
        ..Default::default()
    }
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
        options(config, config.worker_concurrency()),
        signal,
    )
}

/// A pool for `style.changed` only, claimed while this process holds the shared embedded
/// index's writer lease; `None` with Meilisearch (every `ddhub worker` indexes then).
pub fn index_pool(
    config: &Config,
    store: &Store,
    listing: &Arc<Listing>,
    signal: JobSignal,
) -> Option<WorkerPool> {
    listing.shared.as_ref()?;
    let registry = with_style_changed(Registry::new(), store, listing.clone());
    Some(WorkerPool::new(
        JobQueue::new(store.clone()),
        registry,
        options(config, config.worker_concurrency().min(2)),
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

/// Keeps the serving process's query expansion on the glossary in force: loads it now and looks
/// at the operator overrides' revision every 10 s (a process that runs no `style.changed` job
/// would otherwise expand queries with the glossary it started with).
pub fn follow_glossary(store: &Store, listing: &Arc<Listing>) {
    let (store, listing) = (store.clone(), listing.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            tick.tick().await;
            if let Err(e) = listing.refresh_glossary(&store).await {
                tracing::warn!(error = %format!("{e:#}"), "loading the glossary in force failed");
            }
        }
    });
}

/// Rebuilds the embedded index in the background when it was created anew (first start, or an
/// older schema version was found), so search answers from the database's content.
pub async fn rebuild_if_stale(config: &Config, store: &Store, listing: &Arc<Listing>) {
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
