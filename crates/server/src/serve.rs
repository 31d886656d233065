//! Running DDHub: the HTTP server and the workers, with graceful shutdown on SIGTERM and Ctrl-C.

use crate::router;
use ddhub_app::config::Config;
use ddhub_app::media::MediaStore;
use ddhub_app::runtime::{follow_glossary, index_pool, rebuild_if_stale, worker_pool};
use ddhub_app::services::listing::Listing;
use ddhub_app::worker::JobSignal;
use ddhub_app::{App, AppState};
use ddhub_store::Store;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

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
    let listing = ddhub_app::services::listing::open_listing_shared(&config).await?;
    rebuild_if_stale(&config, &store, &listing).await;
    follow_glossary(&store, &listing);
    let mut app = App::new(config.clone(), store.clone(), signal.clone())?;
    app.search = Some(listing.clone());
    let app: AppState = Arc::new(app);
    let token = CancellationToken::new();
    // Files of transfers a crash cut short (no upload row names them), and photos half-written
    // by a killed process: left alone for two hours, twice the longest upload, so a transfer
    // or write still going on in another process is never touched.
    let stale_after = std::time::Duration::from_secs(2 * 3600);
    if let Err(e) =
        ddhub_app::services::uploads::sweep_orphan_dirs(&store, &config.data_dir, stale_after).await
    {
        tracing::warn!(error = ?e, "sweeping orphan upload folders failed");
    }
    if let Err(e) =
        ddhub_app::services::uploads::sweep_media_tmp(&config.data_dir, stale_after).await
    {
        tracing::warn!(error = ?e, "sweeping media temporary files failed");
    }
    ddhub_app::metrics::spawn_upkeep();
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
    let limits = crate::listener::ConnLimits::of(&config);
    crate::listener::serve(listener, router(app), limits, token.clone()).await?;
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
        let index = ddhub_app::services::listing::open_index(&config).await?;
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
    ddhub_app::metrics::spawn_upkeep();
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
